package events

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

// Header names the bus sets itself; Message.Header may not override them.
const (
	HeaderMsgID = "Nats-Msg-Id"
	HeaderType  = "Relais-Event-Type"
	HeaderTime  = "Relais-Event-Time"
)

// Message is one event.
type Message struct {
	// ID identifies the event; it is sent as Nats-Msg-Id so that JetStream
	// drops a second publish of the same event. See NewID.
	ID string
	// Subject is relais.<producer>.<aggregate>.<event>, e.g.
	// relais.catalog.dataset.created.
	Subject string
	// Type is the versioned payload type, e.g. relais.events.v1.DatasetChanged.
	Type string
	// Data is the protobuf payload.
	Data []byte
	// Header holds extra headers. Trace context is added on publish and
	// extracted on consume by the OpenTelemetry propagator.
	Header map[string]string
	// Time is when the fact happened; zero means now on publish and enqueue.
	Time time.Time
}

// NewID returns a fresh event id: a UUIDv7, so ids sort by creation time.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

func (m Message) validate() error {
	var errs []error
	if m.ID == "" {
		errs = append(errs, errors.New("empty id"))
	}
	if !strings.HasPrefix(m.Subject, subjectPrefix) || strings.ContainsAny(m.Subject, "*> \t") {
		errs = append(errs, fmt.Errorf("subject %q is not relais.<producer>.<aggregate>.<event>", m.Subject))
	}
	if m.Type == "" {
		errs = append(errs, errors.New("empty type"))
	}
	for k := range m.Header {
		if isReserved(k) {
			errs = append(errs, fmt.Errorf("header %s is set by the bus", k))
		}
	}
	return errors.Join(errs...)
}

func isReserved(k string) bool {
	return strings.EqualFold(k, HeaderMsgID) || strings.EqualFold(k, HeaderType) || strings.EqualFold(k, HeaderTime)
}

// toNATS builds the wire message. Trace context is injected from ctx; a
// traceparent already in m.Header (an outbox row) is kept when ctx carries no
// span.
func toNATS(ctx context.Context, m Message) *nats.Msg {
	hdr := injectTrace(ctx, m.Header)
	h := make(nats.Header, len(hdr)+3)
	for k, v := range hdr {
		h[k] = []string{v}
	}
	h[HeaderMsgID] = []string{m.ID}
	h[HeaderType] = []string{m.Type}
	t := m.Time
	if t.IsZero() {
		t = time.Now()
	}
	h[HeaderTime] = []string{t.UTC().Format(time.RFC3339Nano)}
	return &nats.Msg{Subject: m.Subject, Header: h, Data: m.Data}
}

// fromNATS reads a wire message back; fallback is the time to use when the
// Relais-Event-Time header is missing or malformed (the stream timestamp).
func fromNATS(subject string, h nats.Header, data []byte, fallback time.Time) Message {
	m := Message{
		ID:      h.Get(HeaderMsgID),
		Subject: subject,
		Type:    h.Get(HeaderType),
		Data:    data,
		Time:    fallback,
	}
	if t, err := time.Parse(time.RFC3339Nano, h.Get(HeaderTime)); err == nil {
		m.Time = t
	}
	for k, vs := range h {
		if isReserved(k) || len(vs) == 0 {
			continue
		}
		if m.Header == nil {
			m.Header = make(map[string]string, len(h))
		}
		m.Header[k] = vs[0]
	}
	return m
}

// injectTrace returns a copy of hdr with ctx's trace context written in. When
// ctx carries no span the propagator writes nothing and hdr's own trace
// context, if any, stays.
func injectTrace(ctx context.Context, hdr map[string]string) map[string]string {
	out := make(headerCarrier, len(hdr)+2)
	for k, v := range hdr {
		out[k] = v
	}
	otel.GetTextMapPropagator().Inject(ctx, out)
	return out
}

// extractTrace returns ctx carrying the trace context found in hdr.
func extractTrace(ctx context.Context, hdr map[string]string) context.Context {
	return otel.GetTextMapPropagator().Extract(ctx, headerCarrier(hdr))
}

// headerCarrier is a propagation.TextMapCarrier over a header map whose keys
// match case-insensitively, as HTTP and NATS clients spell them differently
// (traceparent, Traceparent).
type headerCarrier map[string]string

var _ propagation.TextMapCarrier = headerCarrier(nil)

func (c headerCarrier) Get(key string) string {
	if v, ok := c[key]; ok {
		return v
	}
	for k, v := range c {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

func (c headerCarrier) Set(key, value string) {
	for k := range c {
		if strings.EqualFold(k, key) {
			delete(c, k)
		}
	}
	c[key] = value
}

func (c headerCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}
