// Package events is Relais' event bus: NATS JetStream publish and consume,
// the transactional outbox and its relay, and an embedded NATS server for
// laptop mode and tests.
//
// Events are facts. Each has a subject relais.<producer>.<aggregate>.<event>
// (past tense: relais.catalog.dataset.created), a versioned protobuf payload
// type carried in the Relais-Event-Type header, and an id carried in
// Nats-Msg-Id so that JetStream drops a re-publish of the same event inside the
// stream's duplicate window. Trace context travels in the headers through the
// OpenTelemetry global propagator, so a trace runs from the HTTP request that
// changed a dataset to the consumer that indexes it.
//
// A producer that changes its database publishes through the outbox: Enqueue
// writes the event in the caller's transaction, and a Relay publishes committed
// rows in order and deletes them once JetStream has acknowledged them. A crash
// between publish and delete re-publishes on restart, and JetStream's
// deduplication hides the second copy, so an event is visible exactly when its
// change commits.
//
// Consumers are durable pull consumers with explicit acks, named
// <consumer>-<purpose>. Delivery is at least once: a handler must be
// idempotent. A handler error or panic naks the message with a growing delay,
// up to MaxDeliver attempts.
package events
