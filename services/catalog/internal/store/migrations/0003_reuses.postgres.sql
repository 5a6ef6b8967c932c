-- Reuses: indexed columns plus the relais.catalog.v1.Reuse document
-- (references reduced to ids, no computed fields). listed = 1 when
-- neither private nor deleted (udata lists archived reuses). url_key is
-- the normalized url, unique as udata's urlhash. Times are unix
-- microseconds.
CREATE TABLE reuses (
    id              TEXT    PRIMARY KEY,
    slug            TEXT    NOT NULL UNIQUE,
    url_key         TEXT    NOT NULL UNIQUE,
    organization_id TEXT    NOT NULL DEFAULT '',
    owner_id        TEXT    NOT NULL DEFAULT '',
    private         INTEGER NOT NULL DEFAULT 0,
    listed          INTEGER NOT NULL DEFAULT 1,
    featured        INTEGER NOT NULL DEFAULT 0,
    type            TEXT    NOT NULL,
    topic           TEXT    NOT NULL,
    datasets        INTEGER NOT NULL DEFAULT 0, -- linked datasets, for the sort
    created         BIGINT  NOT NULL,
    last_modified   BIGINT  NOT NULL,
    title_sort      TEXT    NOT NULL,
    deleted_at      BIGINT,
    archived_at     BIGINT,
    q               TEXT    NOT NULL,
    doc             BYTEA   NOT NULL
);
CREATE INDEX reuses_listed_created ON reuses (listed, created, id);
CREATE INDEX reuses_org ON reuses (organization_id, listed);
CREATE INDEX reuses_owner ON reuses (owner_id, listed);

-- Datasets linked to reuses, with the reuse's listed flag copied in for
-- the datasets' reuse counts.
CREATE TABLE reuse_datasets (
    reuse_id   TEXT    NOT NULL REFERENCES reuses (id),
    dataset_id TEXT    NOT NULL,
    listed     INTEGER NOT NULL,
    PRIMARY KEY (reuse_id, dataset_id)
);
CREATE INDEX reuse_datasets_dataset ON reuse_datasets (dataset_id, listed);

CREATE TABLE reuse_tags (
    reuse_id TEXT NOT NULL REFERENCES reuses (id),
    tag      TEXT NOT NULL,
    PRIMARY KEY (reuse_id, tag)
);
CREATE INDEX reuse_tags_tag ON reuse_tags (tag, reuse_id);

-- Live follows (udata's Follow with until = None): unfollowing deletes
-- the row. object_type is dataset, organization, reuse or user.
CREATE TABLE follows (
    id          TEXT   NOT NULL UNIQUE,
    object_type TEXT   NOT NULL,
    object_id   TEXT   NOT NULL,
    follower_id TEXT   NOT NULL REFERENCES users (id),
    since       BIGINT NOT NULL,
    PRIMARY KEY (object_type, object_id, follower_id)
);
CREATE INDEX follows_follower ON follows (follower_id, object_type);
