-- Events written in the same transaction as the change they report; the relay
-- publishes them in seq order and deletes them once JetStream has them.
CREATE TABLE outbox (
    seq        BIGSERIAL PRIMARY KEY,
    id         TEXT      NOT NULL UNIQUE,
    subject    TEXT      NOT NULL,
    type       TEXT      NOT NULL,
    data       BYTEA     NOT NULL,
    headers    TEXT      NOT NULL,
    created_at BIGINT    NOT NULL
);
