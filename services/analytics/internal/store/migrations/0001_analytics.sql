-- Audience counts. No personal data: an event is an object, a kind, an
-- instant and whether a bot made it; nothing identifies who.

-- Event ids already counted, so that a redelivered event counts once. Rows
-- older than the stream's redelivery horizon are pruned.
CREATE TABLE analytics_seen (
	event_id TEXT   NOT NULL PRIMARY KEY,
	seen_at  BIGINT NOT NULL
);
CREATE INDEX analytics_seen_at ON analytics_seen (seen_at);

-- Counts per object, metric and day ('2026-11-27') or month ('2026-11').
CREATE TABLE analytics_daily (
	object_type TEXT   NOT NULL,
	object_id   TEXT   NOT NULL,
	metric      TEXT   NOT NULL,
	day         TEXT   NOT NULL,
	count       BIGINT NOT NULL,
	PRIMARY KEY (object_type, object_id, metric, day)
);
CREATE TABLE analytics_monthly (
	object_type TEXT   NOT NULL,
	object_id   TEXT   NOT NULL,
	metric      TEXT   NOT NULL,
	month       TEXT   NOT NULL,
	count       BIGINT NOT NULL,
	PRIMARY KEY (object_type, object_id, metric, month)
);
CREATE INDEX analytics_monthly_month ON analytics_monthly (object_type, month);

-- Which organization publishes a dataset (from catalog events), so that
-- an organization's figures add up its datasets'.
CREATE TABLE analytics_datasets (
	dataset_id      TEXT NOT NULL PRIMARY KEY,
	organization_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX analytics_datasets_organization ON analytics_datasets (organization_id);
