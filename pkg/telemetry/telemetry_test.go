package telemetry

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
)

// collector is a minimal OTLP/gRPC trace receiver: the real protocol, served
// by a real gRPC server, keeping what it receives.
type collector struct {
	collectorpb.UnimplementedTraceServiceServer
	mu   sync.Mutex
	reqs []*collectorpb.ExportTraceServiceRequest
}

func (c *collector) Export(_ context.Context, req *collectorpb.ExportTraceServiceRequest) (*collectorpb.ExportTraceServiceResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reqs = append(c.reqs, req)
	return &collectorpb.ExportTraceServiceResponse{}, nil
}

func startCollector(t testing.TB) (*collector, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer()
	c := &collector{}
	collectorpb.RegisterTraceServiceServer(srv, c)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return c, ln.Addr().String()
}

func TestSetupWithoutExporter(t *testing.T) {
	shutdown, err := Setup(context.Background(), DefaultConfig("test"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, shutdown(context.Background())) })

	ctx, span := otel.Tracer("test").Start(context.Background(), "op")
	defer span.End()
	sc := trace.SpanContextFromContext(ctx)
	require.True(t, sc.IsValid(), "an SDK provider gives real ids")
	assert.False(t, sc.IsSampled(), "nothing is recorded for nobody: no exporter, no sampling")

	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	assert.Contains(t, carrier["traceparent"], sc.TraceID().String())
}

func TestSetupZeroRatioStillHasIDs(t *testing.T) {
	shutdown, err := Setup(context.Background(), Config{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, shutdown(context.Background())) })

	ctx, span := otel.Tracer("test").Start(context.Background(), "op")
	defer span.End()
	sc := trace.SpanContextFromContext(ctx)
	assert.True(t, sc.IsValid())
	assert.False(t, sc.IsSampled())
}

func TestSetupExportsToCollector(t *testing.T) {
	c, addr := startCollector(t)
	for name, endpoint := range map[string]Config{
		"host:port": {ServiceName: "catalog", OTLPEndpoint: addr, Insecure: true, SampleRatio: 1},
		"url":       {ServiceName: "catalog", OTLPEndpoint: "http://" + addr, SampleRatio: 1},
	} {
		t.Run(name, func(t *testing.T) {
			c.mu.Lock()
			c.reqs = nil
			c.mu.Unlock()

			shutdown, err := Setup(context.Background(), endpoint)
			require.NoError(t, err)
			_, span := otel.Tracer("test").Start(context.Background(), "exported-op")
			span.End()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			require.NoError(t, shutdown(ctx), "shutdown flushes the batch")

			c.mu.Lock()
			defer c.mu.Unlock()
			require.Len(t, c.reqs, 1)
			rs := c.reqs[0].ResourceSpans[0]
			var service string
			for _, kv := range rs.Resource.Attributes {
				if kv.Key == "service.name" {
					service = kv.Value.GetStringValue()
				}
			}
			assert.Equal(t, "catalog", service)
			assert.Equal(t, "exported-op", rs.ScopeSpans[0].Spans[0].Name)
		})
	}
}

func TestSetupRejectsBadRatio(t *testing.T) {
	_, err := Setup(context.Background(), Config{SampleRatio: 1.5})
	require.ErrorContains(t, err, "sample_ratio 1.5")
}
