package events

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

func TestMain(m *testing.M) {
	// What pkg/telemetry installs in a real process.
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(
		propagation.TraceContext{}, propagation.Baggage{}))
	os.Exit(m.Run())
}

// testLog writes to the test log at debug level only with -v, to keep
// benchmarks quiet.
func testLog(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p[:len(p)-1]))
	return len(p), nil
}

// startNATS starts an embedded server on a random port with its store in dir
// (a fresh temp dir when empty) and shuts it down at the end of the test.
func startNATS(t testing.TB, dir string) *Embedded {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	e, err := StartEmbedded(EmbeddedConfig{Port: -1, StoreDir: dir, ServerName: "test"})
	require.NoError(t, err)
	t.Cleanup(e.Shutdown)
	return e
}

// connect returns a bus on url, closed at the end of the test.
func connect(t testing.TB, url string) *Bus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := Connect(ctx, Config{URL: url}, testLog(t))
	require.NoError(t, err)
	t.Cleanup(b.Close)
	return b
}

// newBus starts a server and connects to it.
func newBus(t testing.TB) *Bus {
	t.Helper()
	return connect(t, startNATS(t, "").ClientURL())
}

func testMsg(i int) Message {
	return Message{
		ID:      fmt.Sprintf("evt-%06d", i),
		Subject: "relais.test.thing.created",
		Type:    "relais.events.v1.ThingChanged",
		Data:    fmt.Appendf(nil, "payload %d", i),
	}
}

// streamMsgs is how many messages the stream holds.
func streamMsgs(t testing.TB, b *Bus) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := b.js.Stream(ctx, b.cfg.Stream)
	require.NoError(t, err)
	info, err := s.Info(ctx)
	require.NoError(t, err)
	return info.State.Msgs
}

// spanContext returns ctx carrying a sampled remote span, as an incoming
// HTTP request would.
func spanContext(t testing.TB) (context.Context, trace.SpanContext) {
	t.Helper()
	tid, err := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	require.NoError(t, err)
	sid, err := trace.SpanIDFromHex("00f067aa0ba902b7")
	require.NoError(t, err)
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled, Remote: true,
	})
	return trace.ContextWithSpanContext(context.Background(), sc), sc
}

// collector is a Handler that sends what it receives on a channel.
type collector struct {
	ch chan received
}

type received struct {
	m   Message
	ctx context.Context
}

func newCollector() *collector { return &collector{ch: make(chan received, 10000)} }

func (c *collector) handle(ctx context.Context, m Message) error {
	c.ch <- received{m: m, ctx: ctx}
	return nil
}

// next waits for the next message.
func (c *collector) next(t testing.TB) received {
	t.Helper()
	select {
	case r := <-c.ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10s")
		return received{}
	}
}

// none asserts nothing arrives within d.
func (c *collector) none(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case r := <-c.ch:
		t.Fatalf("unexpected message %s", r.m.ID)
	case <-time.After(d):
	}
}
