package events

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/relais-data/relais/pkg/sqldb"
)

// RelayOptions tunes a Relay; zero values take the defaults.
type RelayOptions struct {
	// BatchSize is how many outbox rows are published per round; default 500.
	BatchSize int
	// PollInterval is how often the outbox is read when nobody calls Notify;
	// default 200ms. It bounds the latency of events committed by another
	// process.
	PollInterval time.Duration
	// RetryDelay is the first wait after a failed round, doubling up to
	// MaxRetryDelay; defaults 500ms and 30s.
	RetryDelay    time.Duration
	MaxRetryDelay time.Duration
}

func (o RelayOptions) withDefaults() RelayOptions {
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 200 * time.Millisecond
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = 500 * time.Millisecond
	}
	if o.MaxRetryDelay <= 0 {
		o.MaxRetryDelay = 30 * time.Second
	}
	return o
}

// Relay publishes the outbox of one database to the bus.
//
// It reads committed rows in seq order, publishes them with their event id as
// Nats-Msg-Id, and deletes the ones JetStream acknowledged. A crash between
// publish and delete leaves the rows in place: they are published again on
// the next round and JetStream drops the copies (within its duplicate window,
// 1h by default). Two relays on one database are safe for the same reason,
// only wasteful.
//
// Order: rows go out in seq order, and a row that fails to publish holds back
// those after it (it is retried with backoff, never skipped). Still, on
// PostgreSQL seq is drawn at insert, not at commit, so concurrent transactions
// may publish slightly out of seq order: consumers must not rely on order
// across aggregates.
type Relay struct {
	db   *sqldb.DB
	bus  *Bus
	log  *slog.Logger
	opts RelayOptions
	wake chan struct{}

	// afterPublish, when set, runs after a batch is published and before it
	// is deleted; an error aborts the round. Tests use it to simulate a crash.
	afterPublish func(published []Message) error
}

// NewRelay returns a relay of db's outbox to bus. Call Run to start it.
func NewRelay(db *sqldb.DB, bus *Bus, log *slog.Logger, opts RelayOptions) *Relay {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Relay{
		db:   db,
		bus:  bus,
		log:  log.With("component", "outbox_relay"),
		opts: opts.withDefaults(),
		wake: make(chan struct{}, 1),
	}
}

// Notify tells the relay that rows were committed, so it publishes them now
// rather than at the next poll. It never blocks.
func (r *Relay) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run publishes the outbox until ctx is done, then returns nil. Failures
// (NATS or the database unreachable) are logged and retried with backoff.
func (r *Relay) Run(ctx context.Context) error {
	poll := time.NewTimer(r.opts.PollInterval)
	defer poll.Stop()
	retry := r.opts.RetryDelay
	for {
		n, err := r.relayBatch(ctx)
		wait := r.opts.PollInterval
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			r.log.Warn("outbox relay failed", "err", err, "retry_in", retry)
			wait = retry
			retry = min(2*retry, r.opts.MaxRetryDelay)
		case n == r.opts.BatchSize:
			retry = r.opts.RetryDelay
			continue // a full batch: more is probably waiting
		default:
			retry = r.opts.RetryDelay
		}
		poll.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-r.wake:
			if err != nil {
				// A commit does not fix a broken connection: keep backing off.
				select {
				case <-ctx.Done():
					return nil
				case <-poll.C:
				}
			}
		case <-poll.C:
		}
	}
}

// relayBatch publishes and deletes up to BatchSize rows and returns how many
// it read.
func (r *Relay) relayBatch(ctx context.Context) (int, error) {
	msgs, err := r.readBatch(ctx)
	if err != nil {
		return 0, err
	}
	if len(msgs) == 0 {
		outboxOldest.Set(0)
		return 0, nil
	}
	outboxOldest.Set(time.Since(msgs[0].Time).Seconds())
	// The stored trace context, not the relay's, continues in the stream:
	// PublishBatch starts each span from the message's own headers.
	published, pubErr := r.bus.PublishBatch(ctx, msgs)
	if published > 0 && r.afterPublish != nil {
		if err := r.afterPublish(msgs[:published]); err != nil {
			return len(msgs), err
		}
	}
	if err := r.delete(ctx, msgs[:published]); err != nil {
		return len(msgs), err
	}
	outboxRelayed.Add(float64(published))
	if pubErr != nil {
		return len(msgs), fmt.Errorf("publish outbox: %w", pubErr)
	}
	return len(msgs), nil
}

func (r *Relay) readBatch(ctx context.Context) ([]Message, error) {
	rows, err := r.db.QueryContext(ctx,
		`SELECT id, subject, type, data, headers, created_at FROM outbox ORDER BY seq LIMIT ?`,
		r.opts.BatchSize)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var msgs []Message
	for rows.Next() {
		var (
			m       Message
			headers string
			created int64
		)
		if err := rows.Scan(&m.ID, &m.Subject, &m.Type, &m.Data, &headers, &created); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		m.Time = time.UnixMicro(created).UTC()
		if err := json.Unmarshal([]byte(headers), &m.Header); err != nil {
			// Publish the event without its headers rather than block the
			// outbox behind one unreadable row.
			r.log.Error("outbox row has unreadable headers", "event_id", m.ID, "err", err)
			m.Header = nil
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return msgs, nil
}

// deleteChunk is the number of ids per DELETE. Every DELETE has this many
// placeholders, the last chunk padded by repeating an id, so the statement
// has one shape whatever the batch size.
const deleteChunk = 100

// delete removes published rows by id. Not by a seq range: in PostgreSQL seq
// is drawn at insert, not at commit, so a row with a lower seq may commit
// after a batch was read, and a range delete would lose it.
func (r *Relay) delete(ctx context.Context, msgs []Message) error {
	q := `DELETE FROM outbox WHERE id IN (?` + strings.Repeat(", ?", deleteChunk-1) + `)`
	args := make([]any, deleteChunk)
	for start := 0; start < len(msgs); start += deleteChunk {
		chunk := msgs[start:min(start+deleteChunk, len(msgs))]
		for i := range args {
			args[i] = chunk[min(i, len(chunk)-1)].ID
		}
		if _, err := r.db.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("delete %d published outbox rows: %w", len(msgs)-start, err)
		}
	}
	return nil
}
