package events

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A handler running longer than AckWait keeps its event while the
// consumer sends heartbeats; without them the event is delivered again.
func TestHeartbeatKeepsALongHandlersEvent(t *testing.T) {
	b := newBus(t)
	ctx := context.Background()
	require.NoError(t, b.Publish(ctx, testMsg(1)))
	for _, c := range []struct {
		durable     string
		heartbeat   time.Duration
		redelivered bool
	}{
		{"test-heartbeat", 200 * time.Millisecond, false},
		{"test-noheartbeat", 0, true},
	} {
		var calls atomic.Int32
		done := make(chan struct{}, 16)
		cons, err := b.Consume(ctx, ConsumerConfig{Durable: c.durable, AckWait: 600 * time.Millisecond, Heartbeat: c.heartbeat},
			func(ctx context.Context, m Message) error {
				if calls.Add(1) == 1 {
					time.Sleep(1500 * time.Millisecond) // longer than AckWait
				}
				done <- struct{}{}
				return nil
			})
		require.NoError(t, err)
		<-done
		time.Sleep(1200 * time.Millisecond) // room for a redelivery
		cons.Stop()
		require.Equal(t, c.redelivered, calls.Load() > 1, "%s: %d deliveries", c.durable, calls.Load())
	}
}
