package e2e

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/grpc"
)

// otlpCollector receives traces over OTLP/gRPC on loopback, as Tempo or
// Jaeger would: the distributed mode's targets, each a process of its own,
// export their spans to it. It keeps them as the in-memory exporter of the
// single process does, so that one test reads both.
type otlpCollector struct {
	coltracepb.UnimplementedTraceServiceServer
	addr string

	mu    sync.Mutex
	spans []tracetest.SpanStub
}

// startOTLPCollector serves until the test ends; start it before the
// portal, so that it outlives the targets' last export.
func startOTLPCollector(t *testing.T) *otlpCollector {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	c := &otlpCollector{addr: ln.Addr().String()}
	srv := grpc.NewServer()
	coltracepb.RegisterTraceServiceServer(srv, c)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return c
}

// Export keeps the spans of a batch.
func (c *otlpCollector) Export(_ context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	var got []tracetest.SpanStub
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				stub := tracetest.SpanStub{
					Name: s.GetName(),
					// OTLP numbers the kinds as the API does (1 internal … 5 consumer).
					SpanKind:             trace.SpanKind(s.GetKind()),
					SpanContext:          spanContext(s.GetTraceId(), s.GetSpanId()),
					Parent:               spanContext(s.GetTraceId(), s.GetParentSpanId()),
					InstrumentationScope: instrumentation.Scope{Name: ss.GetScope().GetName()},
				}
				for _, kv := range s.GetAttributes() {
					stub.Attributes = append(stub.Attributes, attributeOf(kv))
				}
				got = append(got, stub)
			}
		}
	}
	c.mu.Lock()
	c.spans = append(c.spans, got...)
	c.mu.Unlock()
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

// GetSpans returns the spans received so far.
func (c *otlpCollector) GetSpans() tracetest.SpanStubs {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append(tracetest.SpanStubs(nil), c.spans...)
}

// spanContext is the context of a span's ids (invalid when spanID is
// empty: a root span's parent).
func spanContext(traceID, spanID []byte) trace.SpanContext {
	var cfg trace.SpanContextConfig
	copy(cfg.TraceID[:], traceID)
	if len(spanID) == len(cfg.SpanID) {
		copy(cfg.SpanID[:], spanID)
	}
	return trace.NewSpanContext(cfg)
}

// attributeOf keeps a string attribute as it is, another as its text (the
// test compares strings).
func attributeOf(kv *commonpb.KeyValue) attribute.KeyValue {
	if v, ok := kv.GetValue().GetValue().(*commonpb.AnyValue_StringValue); ok {
		return attribute.String(kv.GetKey(), v.StringValue)
	}
	return attribute.String(kv.GetKey(), fmt.Sprint(kv.GetValue().GetValue()))
}
