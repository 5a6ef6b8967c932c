-- What the preview service knows of each resource it analyzed or tried to.
-- source is where the bytes come from (a storage key or a remote URL) and
-- signature what identifies the bytes (sha1 of a stored file, the URL of a
-- remote one): an event whose resource has the same signature needs no new
-- analysis. Instants are unix microseconds (UTC).
CREATE TABLE preview_resources (
	resource_id    TEXT    NOT NULL PRIMARY KEY,
	dataset_id     TEXT    NOT NULL DEFAULT '',
	source         TEXT    NOT NULL DEFAULT '',
	signature      TEXT    NOT NULL DEFAULT '',
	-- 'done' or 'failed' (error says why).
	state          TEXT    NOT NULL,
	error          TEXT    NOT NULL DEFAULT '',
	analyzed_at    BIGINT  NOT NULL,
	-- The extras written on the resource, and whether the catalog has them.
	extras         TEXT    NOT NULL DEFAULT '{}',
	extras_written INTEGER NOT NULL DEFAULT 0,
	tabular        INTEGER NOT NULL DEFAULT 0,
	-- '' (none), 'geojson' (geojson holds the simplified collection) or
	-- 'points' (location names the coordinate columns of the table).
	map_kind       TEXT    NOT NULL DEFAULT '',
	geojson        TEXT    NOT NULL DEFAULT '',
	location       TEXT    NOT NULL DEFAULT '',
	-- The TableSchema validation report (JSON), '' without a schema.
	validation     TEXT    NOT NULL DEFAULT ''
);

-- Events already handled, so that a replay does nothing.
CREATE TABLE preview_handled_events (
	event_id   TEXT   NOT NULL PRIMARY KEY,
	handled_at BIGINT NOT NULL
);
CREATE INDEX preview_handled_events_at ON preview_handled_events (handled_at);
