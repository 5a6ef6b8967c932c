package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/grpcx"
	analyticsv1 "github.com/relais-data/relais/proto/relais/analytics/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
)

// built is the relais binary, built once for every test that runs it as
// a process of its own (TestMain removes it).
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// buildRelais builds the relais binary once per test run.
func buildRelais(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "relais-e2e-bin-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "relais")
		out, err := exec.Command("go", "build", "-o", built.bin, "github.com/relais-data/relais/services/relais/cmd/relais").CombinedOutput()
		if err != nil {
			built.err = fmt.Errorf("go build: %w: %s", err, out)
		}
	})
	require.NoError(t, built.err)
	return built.bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	suite.end()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// TestAnalyticsSurvivesKill sends 100 000 views and downloads while
// `relais -target=analytics` runs as a process of its own, kills it with
// SIGKILL in the middle, starts it again: every count equals the events
// sent, none is counted twice.
func TestAnalyticsSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and sends 100 000 events")
	}
	bin := buildRelais(t)
	dataDir := t.TempDir()
	nats, err := events.StartEmbedded(events.EmbeddedConfig{Host: "127.0.0.1", Port: -1, StoreDir: filepath.Join(dataDir, "nats")})
	require.NoError(t, err)
	t.Cleanup(nats.Shutdown)
	ctx := context.Background()
	bus, err := events.Connect(ctx, events.Config{URL: nats.ClientURL()}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(bus.Close)

	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "-target=analytics", "-data_dir="+dataDir, "-events.url="+nats.ClientURL(),
			"-analytics.grpc_addr="+addr, "-analytics.ack_wait=2s", "-admin_addr=127.0.0.1:0", "-log.level=warn")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
		return cmd
	}
	conn, err := grpcx.Dial(addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	client := analyticsv1.NewAnalyticsServiceClient(conn)
	// counted is what the site counters add up to (every event adds one);
	// -1 while the target is down.
	counted := func() int64 {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		resp, err := client.GetTotals(ctx, &analyticsv1.GetTotalsRequest{ObjectType: "site", ObjectIds: []string{""}})
		if err != nil {
			return -1
		}
		var n int64
		for _, v := range resp.GetTotals()[""].GetMetrics() {
			n += v
		}
		return n
	}

	const total = 100_000
	msgs := make([]events.Message, total)
	at := time.Now()
	for i := range msgs {
		id := fmt.Sprintf("kill-%06d", i)
		var data []byte
		subject, typ := "relais.gateway.dataset.viewed", "relais.events.v1.ObjectViewed"
		if i%4 == 3 {
			subject, typ = "relais.storage.resource.downloaded", "relais.events.v1.ResourceDownloaded"
			data, err = proto.Marshal(&eventsv1.ResourceDownloaded{EventId: id, OccurredAt: timestamppb.New(at),
				ResourceId: fmt.Sprintf("00000000-0000-4000-8000-%012d", i%300), DatasetId: fmt.Sprintf("%024x", i%100+1)})
		} else {
			data, err = proto.Marshal(&eventsv1.ObjectViewed{EventId: id, OccurredAt: timestamppb.New(at),
				ObjectId: fmt.Sprintf("%024x", i%100+1), Channel: eventsv1.ViewChannel(1 + i%2), UserAgentIsBot: i%10 == 0})
		}
		require.NoError(t, err)
		msgs[i] = events.Message{ID: id, Subject: subject, Type: typ, Data: data, Time: at}
	}

	first := start()
	require.Eventually(t, func() bool { return counted() >= 0 }, time.Minute, 50*time.Millisecond, "analytics target ready")
	published := make(chan error, 1)
	go func() { _, err := bus.PublishBatch(ctx, msgs); published <- err }()
	var before int64
	require.Eventually(t, func() bool { before = counted(); return before >= total/4 }, 2*time.Minute, 20*time.Millisecond)
	require.NoError(t, first.Process.Kill())
	_, _ = first.Process.Wait()
	t.Logf("killed (SIGKILL) with %d of %d events counted", before, total)
	require.NoError(t, <-published)

	began := time.Now()
	start()
	require.Eventually(t, func() bool { return counted() >= total }, 3*time.Minute, 50*time.Millisecond)
	t.Logf("restarted: the rest counted in %v", time.Since(began).Round(time.Millisecond))
	time.Sleep(3 * time.Second) // redeliveries of the killed process's unacknowledged events
	require.Equal(t, int64(total), counted(), "every event counted exactly once")
}
