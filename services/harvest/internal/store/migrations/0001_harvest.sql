-- Harvest sources, the mapping from remote identity to local dataset, and
-- runs with their planned items.

CREATE TABLE harvest_sources (
	id              TEXT    NOT NULL PRIMARY KEY,
	name            TEXT    NOT NULL,
	kind            TEXT    NOT NULL, -- udata, dcat, ckan, dcatus
	url             TEXT    NOT NULL,
	params_json     TEXT    NOT NULL, -- organizations, sirets, page size
	organization    TEXT    NOT NULL, -- the local organization datasets go to
	auto_apply      INTEGER NOT NULL,
	on_deletion     TEXT    NOT NULL, -- archive or keep
	every_seconds   BIGINT  NOT NULL, -- 0: runs on demand only
	created_at      BIGINT  NOT NULL
);

-- One row per remote dataset ever applied: its local dataset, what was
-- last applied (fingerprint and snapshot, for the next run's diff).
CREATE TABLE harvest_mappings (
	source_id     TEXT    NOT NULL,
	remote_id     TEXT    NOT NULL,
	dataset_id    TEXT    NOT NULL,
	fingerprint   TEXT    NOT NULL,
	snapshot_json TEXT    NOT NULL,
	archived      INTEGER NOT NULL,
	PRIMARY KEY (source_id, remote_id)
);

CREATE TABLE harvest_runs (
	id          TEXT    NOT NULL PRIMARY KEY,
	source_id   TEXT    NOT NULL,
	status      TEXT    NOT NULL, -- planning, planned, applying, done, failed
	started_at  BIGINT  NOT NULL,
	finished_at BIGINT  NOT NULL, -- 0 while running
	error       TEXT    NOT NULL,
	seen        BIGINT  NOT NULL,
	skipped     BIGINT  NOT NULL
);
CREATE INDEX harvest_runs_source ON harvest_runs (source_id, started_at);

-- The plan of a run: items to create, update or archive (unchanged ones
-- are only counted), and those that failed, with their reason.
CREATE TABLE harvest_items (
	run_id        TEXT    NOT NULL,
	seq           BIGINT  NOT NULL,
	remote_id     TEXT    NOT NULL,
	action        TEXT    NOT NULL, -- create, update, archive, fail
	dataset_id    TEXT    NOT NULL,
	title         TEXT    NOT NULL,
	diff_json     TEXT    NOT NULL,
	snapshot_json TEXT    NOT NULL,
	fingerprint   TEXT    NOT NULL,
	status        TEXT    NOT NULL, -- planned, approved, rejected, applied, failed
	reason        TEXT    NOT NULL,
	PRIMARY KEY (run_id, seq)
);
CREATE INDEX harvest_items_status ON harvest_items (run_id, status);
