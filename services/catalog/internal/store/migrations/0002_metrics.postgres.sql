-- Audience figures of datasets, resources and organizations, as the
-- analytics service last set them (SetMetrics).
CREATE TABLE object_metrics (
	object_type TEXT   NOT NULL,
	object_id   TEXT   NOT NULL,
	metric      TEXT   NOT NULL,
	value       BIGINT NOT NULL,
	PRIMARY KEY (object_type, object_id, metric)
);
