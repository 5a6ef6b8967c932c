package events

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A consumer's backlog counts the events not yet handled, delivered or
// not, and falls to 0 once it has caught up.
func TestBatchConsumerBacklog(t *testing.T) {
	ctx := context.Background()
	b := newBus(t)
	const n = 20
	for i := range n {
		require.NoError(t, b.Publish(ctx, testMsg(i)))
	}
	has, err := b.HasDurable(ctx, "test-backlog")
	require.NoError(t, err)
	assert.False(t, has, "no durable before the first consumer")

	release := make(chan struct{})
	bc, err := b.ConsumeBatches(ctx, ConsumerConfig{Durable: "test-backlog"}, BatchOptions{MaxBatch: 5},
		func(ctx context.Context, _ []Message) error {
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	require.NoError(t, err)
	defer bc.Stop()
	has, err = b.HasDurable(ctx, "test-backlog")
	require.NoError(t, err)
	assert.True(t, has)

	backlog, err := bc.Backlog(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(n), backlog, "nothing handled while the handler blocks")
	close(release)
	require.Eventually(t, func() bool {
		backlog, err := bc.Backlog(ctx)
		return err == nil && backlog == 0
	}, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, b.Publish(ctx, testMsg(n)))
	require.Eventually(t, func() bool {
		backlog, err := bc.Backlog(ctx)
		return err == nil && backlog == 0
	}, 10*time.Second, 10*time.Millisecond, "a later event is handled too")
}

// A durable with an InactiveThreshold is deleted once no client pulls
// from it; one without stays.
func TestInactiveThreshold(t *testing.T) {
	ctx := context.Background()
	b := newBus(t)
	handle := func(context.Context, []Message) error { return nil }
	gone, err := b.ConsumeBatches(ctx, ConsumerConfig{Durable: "test-gone", InactiveThreshold: time.Second}, BatchOptions{}, handle)
	require.NoError(t, err)
	kept, err := b.ConsumeBatches(ctx, ConsumerConfig{Durable: "test-kept"}, BatchOptions{}, handle)
	require.NoError(t, err)
	// Pulling keeps it alive past its threshold.
	time.Sleep(2 * time.Second)
	has, err := b.HasDurable(ctx, "test-gone")
	require.NoError(t, err)
	assert.True(t, has, "a durable pulled from is active")

	gone.Stop()
	kept.Stop()
	require.Eventually(t, func() bool {
		has, err := b.HasDurable(ctx, "test-gone")
		return err == nil && !has
	}, 15*time.Second, 100*time.Millisecond, "the inactive durable is deleted")
	has, err = b.HasDurable(ctx, "test-kept")
	require.NoError(t, err)
	assert.True(t, has, "a durable without threshold stays")
}

// The stream is complete until events are dropped from its start.
func TestStreamComplete(t *testing.T) {
	ctx := context.Background()
	b := newBus(t)
	complete, err := b.StreamComplete(ctx)
	require.NoError(t, err)
	assert.True(t, complete, "empty stream")
	for i := range 3 {
		require.NoError(t, b.Publish(ctx, testMsg(i)))
	}
	complete, err = b.StreamComplete(ctx)
	require.NoError(t, err)
	assert.True(t, complete, "nothing dropped")

	s, err := b.js.Stream(ctx, b.cfg.Stream)
	require.NoError(t, err)
	require.NoError(t, s.Purge(ctx))
	complete, err = b.StreamComplete(ctx)
	require.NoError(t, err)
	assert.False(t, complete, "purged")
	require.NoError(t, b.Publish(ctx, testMsg(3)))
	complete, err = b.StreamComplete(ctx)
	require.NoError(t, err)
	assert.False(t, complete, "purged, then published to")
}
