-- Counts of an organization's metrics (its datasets' views and downloads)
-- for datasets whose organization is not known yet: the gateway's views
-- can reach the stream before the catalog's outbox relays the dataset's
-- creation. They go to the organization when a catalog event says which
-- it is, and are dropped after the seen-ids retention.
CREATE TABLE analytics_pending (
	dataset_id TEXT   NOT NULL,
	metric     TEXT   NOT NULL,
	day        TEXT   NOT NULL,
	count      BIGINT NOT NULL,
	PRIMARY KEY (dataset_id, metric, day)
);
CREATE INDEX analytics_pending_day ON analytics_pending (day);
