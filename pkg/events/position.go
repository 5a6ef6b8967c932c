package events

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// HasDurable reports whether the durable consumer exists on the stream. A
// consumer that starts on a durable that does not exist yet reads the
// stream from its start, which holds every event only while its StreamBounds are Complete.
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

// StreamBounds are the stream's first and last sequences.
type StreamBounds struct{ First, Last uint64 }

// Complete reports whether the stream still holds every event ever
// published to it: none has been dropped by MaxAge or a purge (its first
// sequence is still 1, or it never had any).
func (s StreamBounds) Complete() bool { return s.First <= 1 }

// StreamBounds reads the stream's first and last sequences.
func (b *Bus) StreamBounds(ctx context.Context) (StreamBounds, error) {
	s, err := b.js.Stream(ctx, b.cfg.Stream)
	if err != nil {
		return StreamBounds{}, fmt.Errorf("stream %s: %w", b.cfg.Stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return StreamBounds{}, fmt.Errorf("stream %s: %w", b.cfg.Stream, err)
	}
	return StreamBounds{First: info.State.FirstSeq, Last: info.State.LastSeq}, nil
}
