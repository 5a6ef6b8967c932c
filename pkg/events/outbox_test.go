package events

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
)

// outboxDB migrates db's outbox.
func outboxDB(t testing.TB, db *sqldb.DB) *sqldb.DB {
	t.Helper()
	require.NoError(t, MigrateOutbox(context.Background(), db))
	return db
}

// runRelay runs r until the end of the test.
func runRelay(t testing.TB, r *Relay) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-done)
	})
}

func enqueue(t testing.TB, ctx context.Context, db *sqldb.DB, msgs ...Message) {
	t.Helper()
	require.NoError(t, db.InTx(ctx, func(tx *sqldb.Tx) error {
		for _, m := range msgs {
			if err := Enqueue(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	}))
}

func outboxRows(t testing.TB, db *sqldb.DB) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM outbox`).Scan(&n))
	return n
}

func TestOutboxPublishesCommittedOnly(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		outboxDB(t, db)
		b := newBus(t)
		r := NewRelay(db, b, testLog(t), RelayOptions{PollInterval: time.Hour})
		runRelay(t, r)
		c := newCollector()
		cons, err := b.Consume(context.Background(), ConsumerConfig{Durable: "test-outbox"}, c.handle)
		require.NoError(t, err)
		t.Cleanup(cons.Stop)

		ctx, sc := spanContext(t)
		committed := testMsg(1)
		committed.Header = map[string]string{"Relais-Tenant": "grand-est"}
		errRollback := errors.New("validation failed")
		err = db.InTx(ctx, func(tx *sqldb.Tx) error {
			require.NoError(t, Enqueue(ctx, tx, testMsg(2)))
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		enqueue(t, ctx, db, committed)
		r.Notify() // the poll interval is an hour: only Notify can wake it

		got := c.next(t)
		assert.Equal(t, committed.ID, got.m.ID)
		assert.Equal(t, committed.Data, got.m.Data)
		assert.Equal(t, "grand-est", got.m.Header["Relais-Tenant"])
		assert.Equal(t, sc.TraceID(), trace.SpanContextFromContext(got.ctx).TraceID(),
			"the trace of the committing request continues in the consumer")
		c.none(t, 300*time.Millisecond)
		require.Eventually(t, func() bool { return outboxRows(t, db) == 0 }, 5*time.Second, 10*time.Millisecond)
		assert.Equal(t, uint64(1), streamMsgs(t, b))
	})
}

func TestOutboxKeepsOrderAcrossBatches(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		outboxDB(t, db)
		b := newBus(t)
		ctx := context.Background()
		const n = 250
		for i := range n {
			enqueue(t, ctx, db, testMsg(i))
		}
		runRelay(t, NewRelay(db, b, testLog(t), RelayOptions{BatchSize: 64, PollInterval: 10 * time.Millisecond}))
		c := newCollector()
		cons, err := b.Consume(ctx, ConsumerConfig{Durable: "test-order"}, c.handle)
		require.NoError(t, err)
		t.Cleanup(cons.Stop)
		for i := range n {
			require.Equal(t, testMsg(i).ID, c.next(t).m.ID)
		}
		require.Eventually(t, func() bool { return outboxRows(t, db) == 0 }, 5*time.Second, 10*time.Millisecond)
	})
}

func TestOutboxCrashBetweenPublishAndDelete(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		outboxDB(t, db)
		b := newBus(t)
		ctx := context.Background()
		msgs := []Message{testMsg(1), testMsg(2), testMsg(3)}
		enqueue(t, ctx, db, msgs...)

		errCrash := errors.New("crash")
		crashing := NewRelay(db, b, testLog(t), RelayOptions{})
		crashing.afterPublish = func([]Message) error { return errCrash }
		_, err := crashing.relayBatch(ctx)
		require.ErrorIs(t, err, errCrash)
		assert.Equal(t, 3, outboxRows(t, db), "published but not deleted")
		assert.Equal(t, uint64(3), streamMsgs(t, b))

		// The restarted relay publishes the same rows again.
		restarted := NewRelay(db, b, testLog(t), RelayOptions{})
		n, err := restarted.relayBatch(ctx)
		require.NoError(t, err)
		assert.Equal(t, 3, n)
		assert.Equal(t, 0, outboxRows(t, db))
		assert.Equal(t, uint64(3), streamMsgs(t, b), "re-published events are deduplicated")

		// Even a row re-inserted by hand is not seen twice.
		enqueue(t, ctx, db, testMsg(2))
		_, err = restarted.relayBatch(ctx)
		require.NoError(t, err)
		assert.Equal(t, uint64(3), streamMsgs(t, b))
	})
}

func TestOutboxRelayWaitsForBus(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		outboxDB(t, db)
		dir := t.TempDir()
		e, err := StartEmbedded(EmbeddedConfig{Port: -1, StoreDir: dir})
		require.NoError(t, err)
		b, err := Connect(context.Background(), Config{URL: e.ClientURL(), PublishTimeout: 200 * time.Millisecond}, testLog(t))
		require.NoError(t, err)
		t.Cleanup(b.Close)
		r := NewRelay(db, b, testLog(t), RelayOptions{PollInterval: 20 * time.Millisecond, RetryDelay: 50 * time.Millisecond})
		runRelay(t, r)

		e.Shutdown() // NATS goes away; the transaction still commits
		enqueue(t, context.Background(), db, testMsg(1))
		r.Notify()
		time.Sleep(300 * time.Millisecond)
		assert.Equal(t, 1, outboxRows(t, db), "nothing is deleted while unpublished")

		// Same store, but a new port: reconnect a new bus, as a restarted
		// process would.
		e2 := startNATS(t, dir)
		b2 := connect(t, e2.ClientURL())
		runRelay(t, NewRelay(db, b2, testLog(t), RelayOptions{PollInterval: 20 * time.Millisecond}))
		require.Eventually(t, func() bool { return outboxRows(t, db) == 0 }, 10*time.Second, 20*time.Millisecond)
		assert.Equal(t, uint64(1), streamMsgs(t, b2))
	})
}

func TestTwoRelaysPublishEachEventOnce(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		outboxDB(t, db)
		b := newBus(t)
		const n = 1000
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				ctx := context.Background()
				for i := w; i < n; i += 4 {
					err := db.InTx(ctx, func(tx *sqldb.Tx) error { return Enqueue(ctx, tx, testMsg(i)) })
					if !assert.NoError(t, err) {
						return
					}
				}
			})
		}
		for range 2 {
			runRelay(t, NewRelay(db, b, testLog(t), RelayOptions{BatchSize: 50, PollInterval: 5 * time.Millisecond}))
		}
		wg.Wait()
		require.Eventually(t, func() bool { return outboxRows(t, db) == 0 }, 10*time.Second, 10*time.Millisecond)
		assert.Equal(t, uint64(n), streamMsgs(t, b))
	})
}

func TestEnqueueRejectsDuplicateID(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		outboxDB(t, db)
		ctx := context.Background()
		enqueue(t, ctx, db, testMsg(1))
		err := db.InTx(ctx, func(tx *sqldb.Tx) error { return Enqueue(ctx, tx, testMsg(1)) })
		assert.True(t, sqldb.IsUniqueViolation(err), fmt.Sprint(err))
	})
}
