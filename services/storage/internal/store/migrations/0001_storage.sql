-- Files stored by the storage service. A row is 'pending' from the moment
-- its key is reserved until the bytes are durably stored, then 'stored';
-- only stored rows are visible. Instants are unix microseconds (UTC).
CREATE TABLE storage_files (
	object_key        TEXT    NOT NULL PRIMARY KEY,
	state             TEXT    NOT NULL,
	dataset_id        TEXT    NOT NULL,
	-- organization_id owns the dataset ('' for a user's): its stored files
	-- count towards its quota.
	organization_id   TEXT    NOT NULL DEFAULT '',
	resource_id       TEXT    NOT NULL DEFAULT '',
	filename          TEXT    NOT NULL DEFAULT '',
	original_filename TEXT    NOT NULL DEFAULT '',
	size              BIGINT  NOT NULL DEFAULT 0,
	sha1              TEXT    NOT NULL DEFAULT '',
	sha256            TEXT    NOT NULL DEFAULT '',
	mime              TEXT    NOT NULL DEFAULT '',
	format            TEXT    NOT NULL DEFAULT '',
	created_at        BIGINT  NOT NULL
);
CREATE INDEX storage_files_dataset ON storage_files (dataset_id);
CREATE INDEX storage_files_organization ON storage_files (organization_id, state);
CREATE INDEX storage_files_state_created ON storage_files (state, created_at);

-- Chunked uploads in progress: 'receiving' parts, or 'completing' while
-- one CompleteChunkedUpload call joins them. updated_at is the last part's
-- arrival (udata's lastchunk), from which the retention runs.
CREATE TABLE storage_chunked_uploads (
	dataset_id  TEXT    NOT NULL,
	upload_id   TEXT    NOT NULL,
	filename    TEXT    NOT NULL,
	total_parts INTEGER NOT NULL,
	state       TEXT    NOT NULL,
	created_at  BIGINT  NOT NULL,
	updated_at  BIGINT  NOT NULL,
	PRIMARY KEY (dataset_id, upload_id)
);
CREATE INDEX storage_chunked_uploads_updated ON storage_chunked_uploads (updated_at);

CREATE TABLE storage_chunk_parts (
	dataset_id  TEXT    NOT NULL,
	upload_id   TEXT    NOT NULL,
	part_index  INTEGER NOT NULL,
	size        BIGINT  NOT NULL,
	byte_offset BIGINT  NOT NULL,
	updated_at  BIGINT  NOT NULL,
	PRIMARY KEY (dataset_id, upload_id, part_index)
);
