-- The version of each catalog record the search index last applied, so
-- that replayed and out-of-order events never bring an older snapshot
-- back. kind is 'dataset' or 'organization'; version is the record's last
-- modification in unix microseconds; indexed is 0 when the record was
-- removed from the index (deleted, private, archived).
CREATE TABLE search_versions (
	kind    TEXT    NOT NULL,
	id      TEXT    NOT NULL,
	version BIGINT  NOT NULL,
	indexed INTEGER NOT NULL,
	PRIMARY KEY (kind, id)
);
