package events

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// HasDurable reports whether the durable consumer exists on the stream. A
// consumer that starts on a durable that does not exist yet reads the
// stream from its start, which holds every event only while StreamComplete.
func (b *Bus) HasDurable(ctx context.Context, durable string) (bool, error) {
	_, err := b.js.Consumer(ctx, b.cfg.Stream, durable)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, jetstream.ErrConsumerNotFound):
		return false, nil
	default:
		return false, fmt.Errorf("consumer %s on %s: %w", durable, b.cfg.Stream, err)
	}
}

// StreamComplete reports whether the stream still holds every event ever
// published to it: none has been dropped by MaxAge or a purge (its first
// sequence is still 1, or it never had any).
func (b *Bus) StreamComplete(ctx context.Context) (bool, error) {
	s, err := b.js.Stream(ctx, b.cfg.Stream)
	if err != nil {
		return false, fmt.Errorf("stream %s: %w", b.cfg.Stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return false, fmt.Errorf("stream %s: %w", b.cfg.Stream, err)
	}
	return info.State.FirstSeq <= 1, nil
}
