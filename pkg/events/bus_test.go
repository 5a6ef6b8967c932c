package events

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"
)

func TestPublishConsumeRoundTrip(t *testing.T) {
	b := newBus(t)
	ctx, sc := spanContext(t)
	at := time.Date(2026, 3, 1, 12, 30, 0, 123456000, time.UTC)
	sent := Message{
		ID:      NewID(),
		Subject: "relais.catalog.dataset.created",
		Type:    "relais.events.v1.DatasetChanged",
		Data:    []byte{0x0a, 0x03, 'a', 'b', 'c'},
		Header:  map[string]string{"Relais-Tenant": "grand-est"},
		Time:    at,
	}
	require.NoError(t, b.Publish(ctx, sent))

	c := newCollector()
	cons, err := b.Consume(context.Background(), ConsumerConfig{
		Durable:        "test-roundtrip",
		FilterSubjects: []string{"relais.catalog.dataset.>"},
	}, c.handle)
	require.NoError(t, err)
	t.Cleanup(cons.Stop)

	got := c.next(t)
	assert.Equal(t, sent.ID, got.m.ID)
	assert.Equal(t, sent.Subject, got.m.Subject)
	assert.Equal(t, sent.Type, got.m.Type)
	assert.Equal(t, sent.Data, got.m.Data)
	assert.True(t, at.Equal(got.m.Time), "time %s, want %s", got.m.Time, at)
	assert.Equal(t, "grand-est", got.m.Header["Relais-Tenant"])
	assert.NotContains(t, got.m.Header, HeaderMsgID, "reserved headers are fields, not headers")

	gotSC := trace.SpanContextFromContext(got.ctx)
	assert.Equal(t, sc.TraceID(), gotSC.TraceID(), "handler context continues the publisher's trace")
	assert.True(t, gotSC.IsSampled())
}

func TestPublishDeduplicatesByID(t *testing.T) {
	b := newBus(t)
	ctx := context.Background()
	m := testMsg(1)
	require.NoError(t, b.Publish(ctx, m))
	m.Data = []byte("a retry may even carry other bytes")
	require.NoError(t, b.Publish(ctx, m), "a duplicate is not an error")
	assert.Equal(t, uint64(1), streamMsgs(t, b))

	n, err := b.PublishBatch(ctx, []Message{testMsg(1), testMsg(2), testMsg(2), testMsg(3)})
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	assert.Equal(t, uint64(3), streamMsgs(t, b))
}

func TestPublishRejectsMalformedMessages(t *testing.T) {
	b := newBus(t)
	ctx := context.Background()
	for name, mutate := range map[string]func(*Message){
		"empty id":         func(m *Message) { m.ID = "" },
		"empty type":       func(m *Message) { m.Type = "" },
		"foreign subject":  func(m *Message) { m.Subject = "catalog.dataset.created" },
		"wildcard subject": func(m *Message) { m.Subject = "relais.catalog.>" },
		"reserved header":  func(m *Message) { m.Header = map[string]string{"nats-msg-id": "x"} },
	} {
		t.Run(name, func(t *testing.T) {
			m := testMsg(1)
			mutate(&m)
			assert.Error(t, b.Publish(ctx, m))
			n, err := b.PublishBatch(ctx, []Message{testMsg(2), m, testMsg(3)})
			assert.Error(t, err)
			assert.Equal(t, 1, n, "messages before the bad one are published")
		})
	}
}

func TestHeaderCarrierIsCaseInsensitive(t *testing.T) {
	c := headerCarrier{"Traceparent": "a"}
	assert.Equal(t, "a", c.Get("traceparent"))
	c.Set("traceparent", "b")
	assert.Equal(t, headerCarrier{"traceparent": "b"}, c)
}
