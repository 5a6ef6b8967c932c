package events

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConsumerResumesAfterRestart(t *testing.T) {
	b := newBus(t)
	ctx := context.Background()
	cfg := ConsumerConfig{Durable: "test-resume"}
	for i := range 5 {
		require.NoError(t, b.Publish(ctx, testMsg(i)))
	}

	c := newCollector()
	cons, err := b.Consume(ctx, cfg, c.handle)
	require.NoError(t, err)
	for i := range 5 {
		assert.Equal(t, testMsg(i).ID, c.next(t).m.ID)
	}
	cons.Stop()

	for i := 5; i < 8; i++ {
		require.NoError(t, b.Publish(ctx, testMsg(i)))
	}
	cons, err = b.Consume(ctx, cfg, c.handle)
	require.NoError(t, err)
	t.Cleanup(cons.Stop)
	for i := 5; i < 8; i++ {
		assert.Equal(t, testMsg(i).ID, c.next(t).m.ID, "acked events are not delivered again")
	}
	c.none(t, 300*time.Millisecond)
}

func TestConsumerStopsWithContext(t *testing.T) {
	b := newBus(t)
	ctx, cancel := context.WithCancel(context.Background())
	c := newCollector()
	_, err := b.Consume(ctx, ConsumerConfig{Durable: "test-ctx"}, c.handle)
	require.NoError(t, err)
	require.NoError(t, b.Publish(context.Background(), testMsg(1)))
	c.next(t)
	cancel()
	require.NoError(t, b.Publish(context.Background(), testMsg(2)))
	c.none(t, 300*time.Millisecond)
}

func TestHandlerFailureRedelivers(t *testing.T) {
	b := newBus(t)
	ctx := context.Background()
	var calls atomic.Int32
	done := make(chan Message, 1)
	cons, err := b.Consume(ctx, ConsumerConfig{Durable: "test-retry", RetryDelay: 20 * time.Millisecond},
		func(_ context.Context, m Message) error {
			switch calls.Add(1) {
			case 1:
				return errors.New("index unavailable")
			case 2:
				panic("bug in handler")
			default:
				done <- m
				return nil
			}
		})
	require.NoError(t, err)
	t.Cleanup(cons.Stop)

	require.NoError(t, b.Publish(ctx, testMsg(1)))
	select {
	case m := <-done:
		assert.Equal(t, testMsg(1).ID, m.ID)
	case <-time.After(10 * time.Second):
		t.Fatal("event not redelivered after an error and a panic")
	}
	assert.Equal(t, int32(3), calls.Load())
}

func TestHandlerGivesUpAfterMaxDeliver(t *testing.T) {
	b := newBus(t)
	ctx := context.Background()
	var calls atomic.Int32
	c := newCollector()
	cons, err := b.Consume(ctx, ConsumerConfig{Durable: "test-maxdeliver", MaxDeliver: 3, RetryDelay: 10 * time.Millisecond},
		func(ctx context.Context, m Message) error {
			if m.ID == testMsg(1).ID {
				calls.Add(1)
				return errors.New("poison")
			}
			return c.handle(ctx, m)
		})
	require.NoError(t, err)
	t.Cleanup(cons.Stop)

	require.NoError(t, b.Publish(ctx, testMsg(1)))
	require.NoError(t, b.Publish(ctx, testMsg(2)))
	assert.Equal(t, testMsg(2).ID, c.next(t).m.ID, "a failing event does not block the next")
	require.Eventually(t, func() bool { return calls.Load() == 3 }, 5*time.Second, 10*time.Millisecond)
	time.Sleep(200 * time.Millisecond)
	assert.Equal(t, int32(3), calls.Load())
}

func TestConsumerConfigValidation(t *testing.T) {
	b := newBus(t)
	for _, name := range []string{"", "search.index", "search index", "search-*"} {
		_, err := b.Consume(context.Background(), ConsumerConfig{Durable: name}, newCollector().handle)
		assert.Error(t, err, "durable %q", name)
	}
}

func TestRetryDelayGrows(t *testing.T) {
	c := ConsumerConfig{RetryDelay: time.Second, MaxRetryDelay: 5 * time.Second}
	for n, want := range map[uint64]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 5 * time.Second, 60: 5 * time.Second} {
		assert.Equal(t, want, c.retryDelay(n), "delivery %d", n)
	}
}
