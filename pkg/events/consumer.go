package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Handler handles one event. Returning nil acks it; an error or a panic naks
// it for redelivery after a delay. Delivery is at least once: a handler must
// be idempotent.
type Handler func(ctx context.Context, m Message) error

// ConsumerConfig describes a durable pull consumer on the stream.
type ConsumerConfig struct {
	// Durable names the consumer <consumer>-<purpose>, e.g. search-index. A
	// restart with the same name resumes after the last acked event.
	Durable string
	// FilterSubjects selects events; empty means every relais.> subject.
	FilterSubjects []string
	// MaxDeliver bounds deliveries of one event; after the last failed one it
	// is logged and dropped. 0 means no bound.
	MaxDeliver int
	// AckWait is how long a delivery may stay unacked before JetStream
	// redelivers it; default 30s. Handlers should finish well within it,
	// or set Heartbeat.
	AckWait time.Duration
	// Heartbeat, when set (below AckWait), extends the delivery being
	// handled every Heartbeat (heartbeat.go): handlers may run longer than
	// AckWait, which only bounds how soon a dead consumer's event comes
	// back. 0 sends none.
	Heartbeat time.Duration
	// RetryDelay is the delay before the first redelivery after a failure,
	// doubling with each delivery up to MaxRetryDelay; defaults 1s and 1m.
	RetryDelay    time.Duration
	MaxRetryDelay time.Duration
	// MaxBuffered is how many events the client fetches ahead; default 64.
	MaxBuffered int
	// InactiveThreshold, when set, lets JetStream delete the durable once
	// no client has pulled from it for that long: the durable of a replica
	// that is gone (one per pod) does not hold the stream's position, and
	// its growing backlog, for ever. 0 keeps the durable until deleted.
	InactiveThreshold time.Duration
}

func (c ConsumerConfig) withDefaults() ConsumerConfig {
	if len(c.FilterSubjects) == 0 {
		c.FilterSubjects = []string{streamSubjects}
	}
	if c.MaxDeliver <= 0 {
		c.MaxDeliver = -1
	}
	if c.AckWait <= 0 {
		c.AckWait = 30 * time.Second
	}
	if c.RetryDelay <= 0 {
		c.RetryDelay = time.Second
	}
	if c.MaxRetryDelay <= 0 {
		c.MaxRetryDelay = time.Minute
	}
	if c.MaxBuffered <= 0 {
		c.MaxBuffered = 64
	}
	return c
}

func (c ConsumerConfig) validate() error {
	if c.Durable == "" || strings.ContainsAny(c.Durable, ".*> \t\r\n") {
		return fmt.Errorf("durable name %q: want <consumer>-<purpose> without dots, wildcards or spaces", c.Durable)
	}
	return nil
}

// retryDelay is the nak delay after the n-th failed delivery (n >= 1).
func (c ConsumerConfig) retryDelay(n uint64) time.Duration {
	d := c.RetryDelay
	for i := uint64(1); i < n && d < c.MaxRetryDelay; i++ {
		d *= 2
	}
	return min(d, c.MaxRetryDelay)
}

// Consumer is a running durable consumer.
type Consumer struct {
	cfg      ConsumerConfig
	log      *slog.Logger
	tracer   trace.Tracer
	h        Handler
	ctx      context.Context
	cc       jetstream.ConsumeContext
	stopping atomic.Bool
	inflight sync.Mutex // held while the handler runs
	stopOnce sync.Once
	unwatch  func() bool
}

// Consume creates or updates the durable consumer and starts handling events
// one at a time, in stream order, until Stop or until ctx is done: ctx bounds
// the consumer's life, not just its creation. Handlers get a context derived
// from ctx that carries the event's trace context.
func (b *Bus) Consume(ctx context.Context, c ConsumerConfig, h Handler) (*Consumer, error) {
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("consume: %w", err)
	}
	c = c.withDefaults()
	jc, err := b.js.CreateOrUpdateConsumer(ctx, b.cfg.Stream, jetstream.ConsumerConfig{
		Durable:           c.Durable,
		FilterSubjects:    c.FilterSubjects,
		AckPolicy:         jetstream.AckExplicitPolicy,
		AckWait:           c.AckWait,
		MaxDeliver:        c.MaxDeliver,
		DeliverPolicy:     jetstream.DeliverAllPolicy,
		InactiveThreshold: c.InactiveThreshold,
	})
	if err != nil {
		return nil, fmt.Errorf("create consumer %s on %s: %w", c.Durable, b.cfg.Stream, err)
	}
	cons := &Consumer{
		cfg:    c,
		log:    b.log.With("durable", c.Durable),
		tracer: b.tracer,
		h:      h,
		ctx:    ctx,
	}
	cons.cc, err = jc.Consume(cons.handle,
		jetstream.PullMaxMessages(c.MaxBuffered),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			cons.log.Warn("consume error", "err", err)
		}))
	if err != nil {
		return nil, fmt.Errorf("start consumer %s: %w", c.Durable, err)
	}
	cons.unwatch = context.AfterFunc(ctx, cons.Stop)
	return cons, nil
}

// Stop stops fetching, lets the running handler finish, and hands events
// fetched but not yet handled back to JetStream for immediate redelivery. It
// must not be called from the handler itself.
func (c *Consumer) Stop() {
	c.stopOnce.Do(func() {
		c.unwatch()
		c.stopping.Store(true)
		c.cc.Drain()
		select {
		case <-c.cc.Closed():
		case <-time.After(c.cfg.AckWait):
			c.log.Warn("consumer drain timed out", "timeout", c.cfg.AckWait)
			c.cc.Stop()
		}
		// The handler may still run if the drain timed out; wait for it.
		c.inflight.Lock()
		c.inflight.Unlock() //nolint:staticcheck // empty critical section: a barrier
	})
}

func (c *Consumer) handle(jm jetstream.Msg) {
	c.inflight.Lock()
	defer c.inflight.Unlock()
	if c.stopping.Load() || c.ctx.Err() != nil {
		if err := jm.Nak(); err != nil {
			c.log.Warn("nak failed", "subject", jm.Subject(), "err", err)
		}
		return
	}
	var numDelivered uint64 = 1
	stamp := time.Now()
	if md, err := jm.Metadata(); err == nil {
		numDelivered = md.NumDelivered
		stamp = md.Timestamp
		consumerPending.WithLabelValues(c.cfg.Durable).Set(float64(md.NumPending))
	}
	m := fromNATS(jm.Subject(), jm.Headers(), jm.Data(), stamp)
	ctx := extractTrace(c.ctx, m.Header)
	ctx, span := c.tracer.Start(ctx, m.Subject+" process",
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			attribute.String("messaging.system", "nats"),
			attribute.String("messaging.operation.type", "process"),
			attribute.String("messaging.destination.name", m.Subject),
			attribute.String("messaging.consumer.group.name", c.cfg.Durable),
			attribute.String("messaging.message.id", m.ID),
			attribute.Int64("messaging.nats.num_delivered", int64(numDelivered)),
			attribute.String("relais.event.type", m.Type),
		))
	defer span.End()

	stopHeartbeat := c.heartbeat(jm)
	err := c.call(ctx, m)
	stopHeartbeat()
	consumerProcessed.WithLabelValues(c.cfg.Durable, outcome(err)).Inc()
	if err == nil {
		// The work is done: ack even if ctx was cancelled meanwhile.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.AckWait)
		defer cancel()
		if err := jm.DoubleAck(actx); err != nil {
			c.log.Warn("ack failed", "subject", m.Subject, "event_id", m.ID, "err", err)
		}
		return
	}
	span.SetStatus(codes.Error, err.Error())
	if c.cfg.MaxDeliver > 0 && numDelivered >= uint64(c.cfg.MaxDeliver) {
		c.log.Error("event dropped after max deliveries", "subject", m.Subject, "event_id", m.ID,
			"event_type", m.Type, "num_delivered", numDelivered, "err", err)
		if err := jm.TermWithReason("max deliveries reached"); err != nil {
			c.log.Warn("term failed", "subject", m.Subject, "event_id", m.ID, "err", err)
		}
		return
	}
	delay := c.cfg.retryDelay(numDelivered)
	c.log.Warn("event handler failed", "subject", m.Subject, "event_id", m.ID,
		"event_type", m.Type, "num_delivered", numDelivered, "retry_in", delay, "err", err)
	if err := jm.NakWithDelay(delay); err != nil {
		c.log.Warn("nak failed", "subject", m.Subject, "event_id", m.ID, "err", err)
	}
}

// errPanic marks a handler panic turned into an error.
var errPanic = errors.New("handler panicked")

func (c *Consumer) call(ctx context.Context, m Message) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", errPanic, p)
			c.log.Error("event handler panicked", "subject", m.Subject, "event_id", m.ID,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()
	return c.h(ctx, m)
}
