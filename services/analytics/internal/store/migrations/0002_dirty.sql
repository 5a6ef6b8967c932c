-- Objects whose counts changed since their figures were last sent to the
-- catalog (dirty_at: the last change, unix microseconds).
CREATE TABLE analytics_dirty (
	object_type TEXT   NOT NULL,
	object_id   TEXT   NOT NULL,
	dirty_at    BIGINT NOT NULL,
	PRIMARY KEY (object_type, object_id)
);
