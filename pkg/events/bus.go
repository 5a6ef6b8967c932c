package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

const (
	subjectPrefix  = "relais."
	streamSubjects = "relais.>"
	tracerName     = "github.com/relais-data/relais/pkg/events"
)

// Config says where the bus is and how its stream is set up.
type Config struct {
	// URL of the NATS server(s), comma-separated. Empty means the caller
	// starts an embedded server and passes its ClientURL.
	URL string `yaml:"url"`
	// Stream is the JetStream stream holding every relais.> subject; default
	// RELAIS.
	Stream string `yaml:"stream"`
	// Replicas of the stream; default 1. 3 on a NATS cluster.
	Replicas int `yaml:"replicas"`
	// DuplicateWindow is how long JetStream remembers event ids to drop
	// re-publishes; default 1h. The outbox relay relies on it.
	DuplicateWindow time.Duration `yaml:"duplicate_window"`
	// MaxAge drops events older than this; 0 keeps them for ever.
	MaxAge time.Duration `yaml:"max_age"`
	// PublishTimeout bounds the wait for a PubAck when ctx has no deadline;
	// default 5s.
	PublishTimeout time.Duration `yaml:"publish_timeout"`
}

// DefaultConfig is Config with its defaults spelled out, for configuration
// files and `relais config`.
func DefaultConfig() Config { return Config{}.withDefaults() }

func (c Config) withDefaults() Config {
	if c.Stream == "" {
		c.Stream = "RELAIS"
	}
	if c.Replicas <= 0 {
		c.Replicas = 1
	}
	if c.DuplicateWindow <= 0 {
		c.DuplicateWindow = time.Hour
	}
	if c.PublishTimeout <= 0 {
		c.PublishTimeout = 5 * time.Second
	}
	return c
}

// Bus is a connection to NATS JetStream and the Relais stream. It is safe for
// concurrent use.
type Bus struct {
	cfg    Config
	log    *slog.Logger
	nc     *nats.Conn
	js     jetstream.JetStream
	tracer trace.Tracer
}

// asyncMaxPending bounds unacknowledged async publishes on one connection.
const asyncMaxPending = 4096

// Connect connects to NATS, reconnecting for ever after a loss, and creates or
// updates the stream. Until the server answers it retries, as long as ctx
// allows.
func Connect(ctx context.Context, cfg Config, log *slog.Logger) (*Bus, error) {
	cfg = cfg.withDefaults()
	if cfg.URL == "" {
		return nil, errors.New("connect to nats: empty url")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "events", "stream", cfg.Stream)
	nc, err := nats.Connect(cfg.URL,
		nats.Name("relais"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.RetryOnFailedConnect(true),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil { // nil on Close
				log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info("nats reconnected", "url", nc.ConnectedUrlRedacted())
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			log.Warn("nats async error", "subject", subject, "err", err)
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("connect to nats: %w", err)
	}
	js, err := jetstream.New(nc,
		jetstream.WithPublishAsyncMaxPending(asyncMaxPending),
		jetstream.WithPublishAsyncTimeout(cfg.PublishTimeout),
		jetstream.WithDefaultTimeout(cfg.PublishTimeout),
	)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("connect to jetstream: %w", err)
	}
	b := &Bus{cfg: cfg, log: log, nc: nc, js: js, tracer: otel.GetTracerProvider().Tracer(tracerName)}
	if err := b.ensureStream(ctx); err != nil {
		nc.Close()
		return nil, err
	}
	return b, nil
}

// ensureStream creates or updates the stream, retrying while the server is
// unreachable or JetStream is not ready (a cluster still electing).
func (b *Bus) ensureStream(ctx context.Context) error {
	sc := jetstream.StreamConfig{
		Name:        b.cfg.Stream,
		Description: "Relais events",
		Subjects:    []string{streamSubjects},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Replicas:    b.cfg.Replicas,
		Duplicates:  b.cfg.DuplicateWindow,
		MaxAge:      b.cfg.MaxAge,
	}
	wait := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, b.cfg.PublishTimeout)
		_, err := b.js.CreateOrUpdateStream(actx, sc)
		cancel()
		if err == nil {
			return nil
		}
		b.log.Warn("ensure stream failed", "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("ensure stream %s: %w", b.cfg.Stream, errors.Join(ctx.Err(), err))
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// Publish publishes m and waits for JetStream's acknowledgement. A second
// publish of the same m.ID inside the duplicate window succeeds without
// storing a second copy.
func (b *Bus) Publish(ctx context.Context, m Message) error {
	if err := m.validate(); err != nil {
		return fmt.Errorf("publish event %s: %w", m.ID, err)
	}
	ctx, span := b.startPublishSpan(ctx, m)
	defer span.End()
	ack, err := b.js.PublishMsg(ctx, toNATS(ctx, m), jetstream.WithExpectStream(b.cfg.Stream))
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
		return fmt.Errorf("publish event %s to %s: %w", m.ID, m.Subject, err)
	}
	span.SetAttributes(attribute.Bool("messaging.nats.duplicate", ack.Duplicate))
	return nil
}

// PublishBatch publishes msgs pipelined, without waiting for each ack before
// sending the next, then waits for every ack. It returns how many leading
// messages are stored: msgs[:n] are in the stream, and err tells why msgs[n]
// may not be. Messages after n may or may not be stored; publishing them again
// is safe since their ids deduplicate.
func (b *Bus) PublishBatch(ctx context.Context, msgs []Message) (int, error) {
	type pending struct {
		fut  jetstream.PubAckFuture
		span trace.Span
	}
	inflight := make([]pending, 0, len(msgs))
	defer func() {
		for _, p := range inflight {
			p.span.End()
		}
	}()
	var sendErr error
	for _, m := range msgs {
		if err := m.validate(); err != nil {
			sendErr = fmt.Errorf("publish event %s: %w", m.ID, err)
			break
		}
		mctx, span := b.startPublishSpan(ctx, m)
		fut, err := b.js.PublishMsgAsync(toNATS(mctx, m),
			jetstream.WithExpectStream(b.cfg.Stream),
			jetstream.WithStallWait(b.cfg.PublishTimeout))
		if err != nil {
			span.SetStatus(codes.Error, err.Error())
			span.End()
			sendErr = fmt.Errorf("publish event %s to %s: %w", m.ID, m.Subject, err)
			break
		}
		inflight = append(inflight, pending{fut: fut, span: span})
	}
	for i, p := range inflight {
		select {
		case ack := <-p.fut.Ok():
			p.span.SetAttributes(attribute.Bool("messaging.nats.duplicate", ack.Duplicate))
		case err := <-p.fut.Err():
			p.span.SetStatus(codes.Error, err.Error())
			return i, fmt.Errorf("publish event %s to %s: %w", msgs[i].ID, msgs[i].Subject, err)
		case <-ctx.Done():
			return i, fmt.Errorf("publish event %s to %s: %w", msgs[i].ID, msgs[i].Subject, ctx.Err())
		}
	}
	return len(inflight), sendErr
}

// startPublishSpan starts a producer span. Trace context already in m.Header
// (an event written to the outbox during a request) takes precedence over
// ctx's, so the span continues the trace of the change that caused the event.
func (b *Bus) startPublishSpan(ctx context.Context, m Message) (context.Context, trace.Span) {
	if len(m.Header) > 0 {
		ctx = extractTrace(ctx, m.Header)
	}
	return b.tracer.Start(ctx, m.Subject+" publish",
		trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(
			attribute.String("messaging.system", "nats"),
			attribute.String("messaging.operation.type", "send"),
			attribute.String("messaging.destination.name", m.Subject),
			attribute.String("messaging.message.id", m.ID),
			attribute.String("relais.event.type", m.Type),
		))
}

// Close flushes what is buffered and closes the connection. Stop consumers
// first.
func (b *Bus) Close() {
	if b.nc.IsConnected() {
		if err := b.nc.FlushTimeout(time.Second); err != nil {
			b.log.Warn("flush before close failed", "err", err)
		}
	}
	b.nc.Close()
}
