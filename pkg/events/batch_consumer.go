package events

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// BatchHandler handles events together. Returning nil acks them all; an
// error or a panic naks them all for redelivery after a delay. Delivery is
// at least once, and a redelivered batch may hold events of the next one: a
// handler must be idempotent and tolerate events out of order.
type BatchHandler func(ctx context.Context, ms []Message) error

// BatchOptions say how events are grouped.
type BatchOptions struct {
	// MaxBatch bounds the events of one call; default 256.
	MaxBatch int
	// MaxWait is how long the first event of a batch waits for others;
	// default 5ms. A lone event is handled after MaxWait.
	MaxWait time.Duration
}

func (o BatchOptions) withDefaults() BatchOptions {
	if o.MaxBatch <= 0 {
		o.MaxBatch = 256
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 5 * time.Millisecond
	}
	return o
}

// BatchConsumer is a running durable consumer that handles events in
// batches: a consumer whose work costs per call rather than per event (an
// index commit, a disk sync) keeps up with bursts, and a lone event still
// goes through within MaxWait.
type BatchConsumer struct {
	cfg      ConsumerConfig
	opt      BatchOptions
	b        *Bus
	h        BatchHandler
	jc       jetstream.Consumer
	cc       jetstream.ConsumeContext
	msgs     chan jetstream.Msg
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	unwatch  func() bool
}

// ConsumeBatches creates or updates the durable consumer and handles its
// events in batches, in stream order, until Stop or until ctx is done.
func (b *Bus) ConsumeBatches(ctx context.Context, c ConsumerConfig, o BatchOptions, h BatchHandler) (*BatchConsumer, error) {
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("consume: %w", err)
	}
	o = o.withDefaults()
	if c.MaxBuffered <= 0 {
		c.MaxBuffered = 2 * o.MaxBatch
	}
	c = c.withDefaults()
	jc, err := b.js.CreateOrUpdateConsumer(ctx, b.cfg.Stream, jetstream.ConsumerConfig{
		Durable:           c.Durable,
		FilterSubjects:    c.FilterSubjects,
		AckPolicy:         jetstream.AckExplicitPolicy,
		AckWait:           c.AckWait,
		MaxDeliver:        c.MaxDeliver,
		DeliverPolicy:     jetstream.DeliverAllPolicy,
		MaxAckPending:     max(1000, 2*c.MaxBuffered),
		InactiveThreshold: c.InactiveThreshold,
	})
	if err != nil {
		return nil, fmt.Errorf("create consumer %s on %s: %w", c.Durable, b.cfg.Stream, err)
	}
	bc := &BatchConsumer{
		cfg: c, opt: o, b: b, h: h, jc: jc,
		msgs: make(chan jetstream.Msg, c.MaxBuffered),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	log := b.log.With("durable", c.Durable)
	bc.cc, err = jc.Consume(func(m jetstream.Msg) {
		select {
		case bc.msgs <- m:
		case <-bc.stop:
			_ = m.Nak()
		}
	},
		jetstream.PullMaxMessages(c.MaxBuffered),
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			log.Warn("consume error", "err", err)
		}))
	if err != nil {
		return nil, fmt.Errorf("start consumer %s: %w", c.Durable, err)
	}
	go bc.run(context.WithoutCancel(ctx))
	bc.unwatch = context.AfterFunc(ctx, bc.Stop)
	return bc, nil
}

// CaughtUp reports whether the consumer has handled every event of its
// subjects up to stream sequence seq (a StreamBounds.Last read before):
// nothing is left to deliver or ack, or its ack floor has reached seq.
// The second holds under a steady flow of new events, which keeps the
// first from ever being seen.
func (bc *BatchConsumer) CaughtUp(ctx context.Context, seq uint64) (bool, error) {
	info, err := bc.jc.Info(ctx)
	if err != nil {
		return false, fmt.Errorf("consumer %s: %w", bc.cfg.Durable, err)
	}
	return info.NumPending == 0 && info.NumAckPending == 0 || info.AckFloor.Stream >= seq, nil
}

// Stop stops fetching, lets the running batch finish, and naks the events
// fetched but not handled, for immediate redelivery. It must not be called
// from the handler.
func (bc *BatchConsumer) Stop() {
	bc.stopOnce.Do(func() {
		bc.unwatch()
		bc.cc.Stop()
		close(bc.stop)
		<-bc.done
		for {
			select {
			case m := <-bc.msgs:
				_ = m.Nak()
			default:
				return
			}
		}
	})
}

// run collects batches and handles them until Stop.
func (bc *BatchConsumer) run(ctx context.Context) {
	defer close(bc.done)
	log := bc.b.log.With("durable", bc.cfg.Durable)
	batch := make([]jetstream.Msg, 0, bc.opt.MaxBatch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-bc.stop:
			for _, m := range batch {
				_ = m.Nak()
			}
			return
		case m := <-bc.msgs:
			batch = append(batch[:0], m)
		}
		timer.Reset(bc.opt.MaxWait)
	collect:
		for len(batch) < bc.opt.MaxBatch {
			select {
			case m := <-bc.msgs:
				batch = append(batch, m)
			case <-timer.C:
				break collect
			case <-bc.stop:
				break collect
			}
		}
		timer.Stop()
		bc.handle(ctx, log, batch)
	}
}

func (bc *BatchConsumer) handle(ctx context.Context, log *slog.Logger, batch []jetstream.Msg) {
	ms := make([]Message, len(batch))
	var delivered uint64 = 1
	for i, jm := range batch {
		stamp := time.Now()
		if md, err := jm.Metadata(); err == nil {
			stamp = md.Timestamp
			delivered = max(delivered, md.NumDelivered)
			consumerPending.WithLabelValues(bc.cfg.Durable).Set(float64(md.NumPending))
		}
		ms[i] = fromNATS(jm.Subject(), jm.Headers(), jm.Data(), stamp)
	}
	// One consumer span per event, in the event's own trace (the request
	// that caused it), so that a trace runs from that request to this
	// handler; the batch shares one call, so the spans share its outcome.
	spans := make([]trace.Span, len(ms))
	for i, m := range ms {
		_, spans[i] = bc.b.tracer.Start(extractTrace(ctx, m.Header), m.Subject+" process",
			trace.WithSpanKind(trace.SpanKindConsumer),
			trace.WithAttributes(
				attribute.String("messaging.system", "nats"),
				attribute.String("messaging.operation.type", "process"),
				attribute.String("messaging.destination.name", m.Subject),
				attribute.String("messaging.consumer.group.name", bc.cfg.Durable),
				attribute.String("messaging.message.id", m.ID),
				attribute.Int("messaging.batch.message_count", len(ms)),
				attribute.String("relais.event.type", m.Type),
			))
	}
	err := bc.call(ctx, ms)
	consumerProcessed.WithLabelValues(bc.cfg.Durable, outcome(err)).Add(float64(len(ms)))
	for _, span := range spans {
		if err != nil {
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}
	if err == nil {
		// Acks go out pipelined, without waiting for each confirmation (one
		// round trip per event would cap a batch of 1 000 at a few batches a
		// second): a lost ack only redelivers an event, which handlers
		// tolerate (at-least-once).
		for _, jm := range batch {
			if err := jm.Ack(); err != nil {
				log.Warn("ack failed", "subject", jm.Subject(), "err", err)
			}
		}
		return
	}
	if bc.cfg.MaxDeliver > 0 && delivered >= uint64(bc.cfg.MaxDeliver) {
		log.Error("events dropped after max deliveries", "events", len(batch), "num_delivered", delivered, "err", err)
		for _, jm := range batch {
			_ = jm.TermWithReason("max deliveries reached")
		}
		return
	}
	delay := bc.cfg.retryDelay(delivered)
	log.Warn("batch handler failed", "events", len(batch), "num_delivered", delivered, "retry_in", delay, "err", err)
	for _, jm := range batch {
		if err := jm.NakWithDelay(delay); err != nil {
			log.Warn("nak failed", "subject", jm.Subject(), "err", err)
		}
	}
}

func (bc *BatchConsumer) call(ctx context.Context, ms []Message) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", errPanic, p)
			bc.b.log.Error("batch handler panicked", "durable", bc.cfg.Durable, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()
	return bc.h(ctx, ms)
}
