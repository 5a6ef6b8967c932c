-- The registry of loaded tables: one row per resource, naming its current
-- data table (tabular_<hex>, columns __id, c0, c1, …).
CREATE TABLE tabular_tables (
	rid        TEXT   NOT NULL PRIMARY KEY,
	table_name TEXT   NOT NULL,
	columns    TEXT   NOT NULL, -- JSON [{"name": …, "type": …}], in file order
	profile    TEXT   NOT NULL, -- csv-detective's profile, as given to Load
	url        TEXT   NOT NULL,
	dataset_id TEXT   NOT NULL,
	row_count  BIGINT NOT NULL,
	created_at BIGINT NOT NULL  -- unix microseconds
);

-- Data tables being built by Load, so that a crash mid-load leaves nothing
-- behind for long: Open drops the ones older than a few hours.
CREATE TABLE tabular_building (
	table_name TEXT   NOT NULL PRIMARY KEY,
	started_at BIGINT NOT NULL -- unix microseconds
);

-- Tables replaced by a reload or dropped, kept a moment for the readers that
-- looked them up just before: the next swap or Drop drops them.
CREATE TABLE tabular_retired (
	table_name TEXT   NOT NULL PRIMARY KEY,
	retired_at BIGINT NOT NULL -- unix microseconds
);
