-- Catalog schema (SQLite).
CREATE TABLE users (
    id            TEXT    PRIMARY KEY,
    slug          TEXT    NOT NULL UNIQUE,
    email         TEXT    NOT NULL UNIQUE, -- lowercased
    first_name    TEXT    NOT NULL,
    last_name     TEXT    NOT NULL,
    website       TEXT    NOT NULL DEFAULT '',
    about         TEXT    NOT NULL DEFAULT '',
    avatar        TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL DEFAULT '',
    sysadmin      INTEGER NOT NULL DEFAULT 0,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    BIGINT  NOT NULL,
    last_login_at BIGINT,
    deleted_at    BIGINT
);

-- API tokens: only the HMAC-SHA256 of the plaintext is kept.
CREATE TABLE api_tokens (
    id           TEXT   PRIMARY KEY,
    user_id      TEXT   NOT NULL REFERENCES users (id),
    hash         TEXT   NOT NULL UNIQUE,
    prefix       TEXT   NOT NULL,
    name         TEXT,
    scopes       TEXT   NOT NULL DEFAULT '',  -- comma-separated
    kind         TEXT   NOT NULL,
    user_agents  TEXT   NOT NULL DEFAULT '',  -- newline-separated
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT,
    expires_at   BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);

-- Organizations: indexed columns plus the protobuf document
-- (relais.catalog.v1.Organization without members, metrics, permissions).
CREATE TABLE organizations (
    id                 TEXT   PRIMARY KEY,
    slug               TEXT   NOT NULL UNIQUE,
    name_lower         TEXT   NOT NULL,
    business_number_id TEXT   NOT NULL DEFAULT '',
    created_at         BIGINT NOT NULL,
    last_modified      BIGINT NOT NULL,
    deleted_at         BIGINT,
    q                  TEXT   NOT NULL,
    doc                BLOB NOT NULL
);
CREATE INDEX organizations_created ON organizations (created_at);
CREATE INDEX organizations_bid ON organizations (business_number_id);

CREATE TABLE members (
    organization_id TEXT   NOT NULL REFERENCES organizations (id),
    user_id         TEXT   NOT NULL REFERENCES users (id),
    role            TEXT   NOT NULL,
    since           BIGINT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

-- Datasets: indexed columns for filters and sorts, the full
-- relais.catalog.v1.Dataset (resources included) as a protobuf document.
-- listed = 1 when neither private, deleted nor archived: what public lists
-- show. Times are unix microseconds.
CREATE TABLE datasets (
    id              TEXT    PRIMARY KEY,
    slug            TEXT    NOT NULL UNIQUE,
    organization_id TEXT    NOT NULL DEFAULT '',
    owner_id        TEXT    NOT NULL DEFAULT '',
    private         INTEGER NOT NULL DEFAULT 0,
    listed          INTEGER NOT NULL DEFAULT 1,
    featured        INTEGER NOT NULL DEFAULT 0,
    license         TEXT    NOT NULL,
    created         BIGINT  NOT NULL,
    last_update     BIGINT  NOT NULL,
    title_sort      TEXT    NOT NULL,
    deleted_at      BIGINT,
    archived_at     BIGINT,
    granularity     TEXT    NOT NULL DEFAULT '', -- spatial.granularity
    temporal_start  TEXT    NOT NULL DEFAULT '', -- temporal_coverage.start, YYYY-MM-DD
    q               TEXT    NOT NULL,
    doc             BLOB  NOT NULL
);
CREATE INDEX datasets_listed_created ON datasets (listed, created, id);
CREATE INDEX datasets_listed_last_update ON datasets (listed, last_update, id);
CREATE INDEX datasets_listed_title ON datasets (listed, title_sort, id);
CREATE INDEX datasets_org ON datasets (organization_id, listed, created, id);
CREATE INDEX datasets_owner ON datasets (owner_id, listed, created, id);
CREATE INDEX datasets_license ON datasets (license, listed, created, id);
CREATE INDEX datasets_featured ON datasets (featured, listed, created, id);

-- Tag and format filters, with the dataset's listed flag and creation time
-- copied in so that a filtered page is one index range.
CREATE TABLE dataset_tags (
    dataset_id TEXT    NOT NULL REFERENCES datasets (id),
    tag        TEXT    NOT NULL,
    listed     INTEGER NOT NULL,
    created    BIGINT  NOT NULL,
    PRIMARY KEY (dataset_id, tag)
);
CREATE INDEX dataset_tags_tag ON dataset_tags (tag, listed, created, dataset_id);

CREATE TABLE dataset_formats (
    dataset_id TEXT    NOT NULL REFERENCES datasets (id),
    format     TEXT    NOT NULL,
    listed     INTEGER NOT NULL,
    created    BIGINT  NOT NULL,
    PRIMARY KEY (dataset_id, format)
);
CREATE INDEX dataset_formats_format ON dataset_formats (format, listed, created, dataset_id);

-- Other exact-match filters, one row per value: kind = zone (spatial.zones),
-- badge (badge kinds), schema and schema_version (resources[].schema).
CREATE TABLE dataset_terms (
    dataset_id TEXT NOT NULL REFERENCES datasets (id),
    kind       TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (dataset_id, kind, value)
);
CREATE INDEX dataset_terms_value ON dataset_terms (kind, value, dataset_id);

-- Resource id -> dataset, for GetResource.
CREATE TABLE resources (
    id         TEXT NOT NULL PRIMARY KEY,
    dataset_id TEXT NOT NULL REFERENCES datasets (id)
);
CREATE INDEX resources_dataset ON resources (dataset_id);

-- Old slugs (kind = dataset | organization | user) answer with moved = true.
CREATE TABLE slug_history (
    kind      TEXT NOT NULL,
    slug      TEXT NOT NULL,
    target_id TEXT NOT NULL,
    PRIMARY KEY (kind, slug)
);
CREATE INDEX slug_history_target ON slug_history (kind, target_id);
