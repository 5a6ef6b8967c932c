-- attempts counts the analyses of the same signature that failed for a
-- transient reason (a remote server or the storage service unreachable, a
-- timeout): state 'retrying' until it reaches the configured bound, then
-- 'failed'. 0 for an analysis done or a permanent failure.
ALTER TABLE preview_resources ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;

-- Datasets deleted in the catalog: their resources' tables and data are
-- dropped, and events still in flight for them analyze nothing until the
-- dataset is restored.
CREATE TABLE preview_deleted_datasets (
	dataset_id TEXT   NOT NULL PRIMARY KEY,
	deleted_at BIGINT NOT NULL
);
