package analytics_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/sqldb"
	analyticsv1 "github.com/relais-data/relais/proto/relais/analytics/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/analytics"
)

// startBus starts an embedded NATS server (real JetStream on disk) and
// connects to it.
func startBus(t testing.TB) *events.Bus {
	t.Helper()
	srv, err := events.StartEmbedded(events.EmbeddedConfig{Port: -1, StoreDir: t.TempDir(), ServerName: "analytics-test"})
	require.NoError(t, err)
	t.Cleanup(srv.Shutdown)
	bus, err := events.Connect(context.Background(), events.Config{URL: srv.ClientURL()}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(bus.Close)
	return bus
}

// running is an analytics service running on db and bus, served over real
// gRPC on loopback.
type running struct {
	client analyticsv1.AnalyticsServiceClient
	stop   func()
}

func start(t testing.TB, db *sqldb.DB, bus *events.Bus) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := analytics.New(ctx, analytics.Config{AckWait: 2 * time.Second}, analytics.Deps{DB: db, Bus: bus, Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	srv := grpcx.NewServer(grpcx.ServerOptions{Log: slog.New(slog.DiscardHandler)})
	svc.Register(srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	conn, err := grpcx.Dial(ln.Addr().String())
	require.NoError(t, err)
	r := &running{client: analyticsv1.NewAnalyticsServiceClient(conn)}
	var stopped bool
	r.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		require.NoError(t, <-done)
		srv.Stop()
		_ = conn.Close()
	}
	t.Cleanup(r.stop)
	return r
}

// objectID is the i-th ObjectId-shaped id.
func objectID(i int) string { return fmt.Sprintf("%024x", i+1) }

func viewed(id string, objectType, objectID string, channel eventsv1.ViewChannel, bot bool, at time.Time) events.Message {
	data, err := proto.Marshal(&eventsv1.ObjectViewed{
		EventId: id, OccurredAt: timestamppb.New(at), ObjectId: objectID, Channel: channel, UserAgentIsBot: bot,
	})
	if err != nil {
		panic(err)
	}
	return events.Message{ID: id, Subject: "relais.gateway." + objectType + ".viewed", Type: "relais.events.v1.ObjectViewed", Data: data, Time: at}
}

func downloaded(id, resource, dataset string, bot bool, at time.Time) events.Message {
	data, err := proto.Marshal(&eventsv1.ResourceDownloaded{
		EventId: id, OccurredAt: timestamppb.New(at), ResourceId: resource, DatasetId: dataset, UserAgentIsBot: bot,
	})
	if err != nil {
		panic(err)
	}
	return events.Message{ID: id, Subject: "relais.storage.resource.downloaded", Type: "relais.events.v1.ResourceDownloaded", Data: data, Time: at}
}

// withMessageID gives m another Nats-Msg-Id, its payload unchanged.
func withMessageID(m events.Message, id string) events.Message {
	m.ID = id
	return m
}

// siteTotal reads one site counter.
func siteTotal(t testing.TB, c analyticsv1.AnalyticsServiceClient, metric string) int64 {
	t.Helper()
	resp, err := c.GetTotals(context.Background(), &analyticsv1.GetTotalsRequest{ObjectType: "site", ObjectIds: []string{""}})
	require.NoError(t, err)
	return resp.GetTotals()[""].GetMetrics()[metric]
}
