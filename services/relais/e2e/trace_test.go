package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/relais-data/relais/services/relais"
)

// TestTraceSpansTheServices: creating a dataset through the gateway makes
// one trace, from the gateway's HTTP span through the catalog's gRPC span,
// the event's publication on NATS (from the outbox, after the commit), to
// the search indexer's consumer span — every span's parent in the trace.
// In one process (all-in-one, split) the spans are read in memory;
// distributed, where each target is a process, as a collector receives
// them over OTLP.
func TestTraceSpansTheServices(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			switch mode {
			case "all-in-one", "split":
				exp := tracetest.NewInMemoryExporter()
				p, _ := startPortalWith(t, mode, t.TempDir(), func(c *relais.Config) {
					c.Telemetry.Exporter = exp
					c.Telemetry.SampleRatio = 1
				})
				testTrace(t, p, exp)
			case "distributed":
				col := startOTLPCollector(t)
				p, _ := startPortalWith(t, mode, t.TempDir(), func(c *relais.Config) {
					c.Telemetry.OTLPEndpoint = "http://" + col.addr
					c.Telemetry.SampleRatio = 1
				})
				testTrace(t, p, col)
			}
		})
	}
}

// spanSource is where a test reads the ended spans.
type spanSource interface {
	GetSpans() tracetest.SpanStubs
}

func testTrace(t *testing.T, p *portal, exp spanSource) {
	const word = "tracevoyageuse"
	res := p.do("POST", "/api/1/datasets/", p.token, map[string]any{"title": "Relevé " + word, "description": "Suivi de bout en bout."})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Raw))
	id := res.Object()["id"].(string)
	untilSearch(t, p, word, 1)

	// The catalog's CreateDataset span names the trace.
	var traceID trace.TraceID
	require.Eventually(t, func() bool {
		for _, s := range exp.GetSpans() {
			if s.Name == "relais.catalog.v1.CatalogService/CreateDataset" && s.SpanKind == trace.SpanKindServer {
				traceID = s.SpanContext.TraceID()
				return true
			}
		}
		return false
	}, 10*time.Second, 50*time.Millisecond, "the catalog's gRPC server span")

	var spans []tracetest.SpanStub
	find := func(what string, match func(s tracetest.SpanStub) bool) tracetest.SpanStub {
		t.Helper()
		for _, s := range spans {
			if match(s) {
				return s
			}
		}
		var names []string
		for _, s := range spans {
			names = append(names, s.Name+" ("+s.SpanKind.String()+", "+s.InstrumentationScope.Name+")")
		}
		t.Fatalf("trace %s has no %s; its spans:\n  %s", traceID, what, strings.Join(names, "\n  "))
		return tracetest.SpanStub{}
	}
	// The consumer span ends after the indexing; in distributed mode each
	// process exports its spans in its own batches: wait for the search
	// indexer's and the gateway's.
	require.Eventually(t, func() bool {
		spans = spansOf(exp, traceID)
		consumer, gateway := false, false
		for _, s := range spans {
			consumer = consumer || s.SpanKind == trace.SpanKindConsumer && hasAttr(s, "messaging.consumer.group.name", "search-index")
			gateway = gateway || s.SpanKind == trace.SpanKindServer && strings.Contains(s.InstrumentationScope.Name, "otelhttp")
		}
		return consumer && gateway
	}, 30*time.Second, 50*time.Millisecond, "the search indexer's consumer span and the gateway's HTTP span")

	gateway := find("gateway HTTP server span", func(s tracetest.SpanStub) bool {
		return s.SpanKind == trace.SpanKindServer && strings.Contains(s.InstrumentationScope.Name, "otelhttp")
	})
	require.False(t, gateway.Parent.IsValid(), "the gateway's span is the root")
	find("gateway gRPC client span to the catalog", func(s tracetest.SpanStub) bool {
		return s.Name == "relais.catalog.v1.CatalogService/CreateDataset" && s.SpanKind == trace.SpanKindClient
	})
	find("catalog gRPC server span", func(s tracetest.SpanStub) bool {
		return s.Name == "relais.catalog.v1.CatalogService/CreateDataset" && s.SpanKind == trace.SpanKindServer
	})
	publish := find("NATS publication of dataset.created", func(s tracetest.SpanStub) bool {
		return s.SpanKind == trace.SpanKindProducer && s.Name == "relais.catalog.dataset.created publish"
	})
	consumer := find("search indexer consumer span", func(s tracetest.SpanStub) bool {
		return s.SpanKind == trace.SpanKindConsumer && hasAttr(s, "messaging.consumer.group.name", "search-index") &&
			hasAttr(s, "messaging.destination.name", "relais.catalog.dataset.created")
	})
	require.Equal(t, publish.SpanContext.SpanID(), consumer.Parent.SpanID(), "the consumer continues the publication")
	// One trace, no orphan: every span's parent is in it (the root apart).
	ids := map[trace.SpanID]bool{}
	for _, s := range spans {
		ids[s.SpanContext.SpanID()] = true
	}
	for _, s := range spans {
		if s.SpanContext.SpanID() != gateway.SpanContext.SpanID() {
			require.True(t, ids[s.Parent.SpanID()], "span %s (%s): its parent is not in the trace", s.Name, s.SpanKind)
		}
	}
	t.Logf("dataset %s: one trace %s of %d spans from the gateway to the search indexer", id, traceID, len(spans))
}

// spansOf returns the ended spans of one trace.
func spansOf(exp spanSource, id trace.TraceID) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range exp.GetSpans() {
		if s.SpanContext.TraceID() == id {
			out = append(out, s)
		}
	}
	return out
}

func hasAttr(s tracetest.SpanStub, key, value string) bool {
	for _, a := range s.Attributes {
		if string(a.Key) == key && a.Value.Emit() == value {
			return true
		}
	}
	return false
}
