// Package e2e runs Relais as a user does — the real binary's assembly, one
// process, target all, embedded NATS and SQLite — and talks to it over
// HTTP only.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/services/relais"
	"github.com/relais-data/relais/services/relais/internal/demo"
)

// portal is a running Relais and an HTTP client for it.
type portal struct {
	t     testing.TB
	base  string
	token string
	demo  demo.Stats
	// catalogGRPC is the catalog's gRPC address; grpcAddrs are those of
	// every target's gRPC server (health and reflection).
	catalogGRPC string
	grpcAddrs   []string
	// searchGRPC is the search service's address, searchToken its admin
	// token, for `relais search`; search is the split or distributed
	// mode's search target (nil in all-in-one mode), searchDB its
	// database.
	searchGRPC, searchToken string
	search                  restartable
	searchDB                sqldb.Config
}

// target is one running `relais -target=…` of the split mode, which a
// test may stop and start again.
type target struct {
	cfg relais.Config
	r   *relais.Relais
	end func()
}

// stop stops the target (once).
func (tg *target) stop() { tg.end() }

// restart starts the target again after stop, on the same data and
// address.
func (tg *target) restart(t testing.TB) {
	t.Helper()
	tg.r, tg.end = runTarget(t, tg.cfg)
}

// siteTitle is the operator's brand the portals run with.
const siteTitle = "Open Data Sud"

// modes are the ways Relais runs; every end-to-end test runs in each:
// "all-in-one", "split" and, with RELAIS_TEST_DISTRIBUTED=1,
// "distributed" (distributed_portal_test.go).
var modes = suiteModes()

// startPortal starts Relais on dataDir with free ports, with the demo data
// loaded, and waits until it is ready. In "all-in-one" mode it is
// `relais -demo.load`; in "split" mode the test runs a NATS server, then
// `relais -target=catalog`, `-target=storage` and `-target=gateway` apart
// (sharing a storage token), creates the
// admin with `relais admin create-user` and imports the demo data over
// gRPC. In "distributed" mode every target is a process of its own on a
// NATS cluster, PostgreSQL and MinIO (startDistributedPortal). Everything
// stops when the test ends or when stop is called.
func startPortal(t testing.TB, mode, dataDir string) (*portal, func()) {
	t.Helper()
	return startPortalWith(t, mode, dataDir, nil)
}

// startPortalWith is startPortal with configure applied to the
// configuration of every target.
func startPortalWith(t testing.TB, mode, dataDir string, configure func(*relais.Config)) (*portal, func()) {
	t.Helper()
	if mode == "distributed" {
		return startDistributedPortal(t, dataDir, configure)
	}
	port := freePort(t)
	cfg := relais.DefaultConfig()
	cfg.DataDir = dataDir
	cfg.AdminAddr = "127.0.0.1:0"
	cfg.Catalog.GRPCAddr = "127.0.0.1:0"
	cfg.Gateway.GRPCAddr = "127.0.0.1:0"
	cfg.Storage.GRPCAddr = "127.0.0.1:0"
	cfg.Preview.GRPCAddr = "127.0.0.1:0"
	cfg.Search.GRPCAddr = "127.0.0.1:0"
	cfg.Analytics.GRPCAddr = "127.0.0.1:0"
	cfg.Harvest.GRPCAddr = "127.0.0.1:0"
	cfg.Gateway.Addr = "127.0.0.1:" + strconv.Itoa(port)
	cfg.Gateway.PublicURL = "http://127.0.0.1:" + strconv.Itoa(port)
	cfg.Gateway.SiteTitle = siteTitle
	cfg.Log.Level = "warn"
	if configure != nil {
		configure(&cfg)
	}
	p := &portal{t: t, base: cfg.Gateway.PublicURL}
	var stops []func()
	stop := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
		stops = nil
	}
	t.Cleanup(stop)

	if mode == "all-in-one" {
		cfg.Demo.Load = true
		r, s := runTarget(t, cfg)
		stops = append(stops, s)
		p.token, p.demo = r.Demo().AdminToken, r.Demo().Stats
		p.catalogGRPC = r.GRPCAddr().String()
		p.grpcAddrs = []string{p.catalogGRPC, r.StorageGRPCAddr().String(), r.PreviewGRPCAddr().String(), r.SearchGRPCAddr().String(), r.AnalyticsGRPCAddr().String()}
		p.searchGRPC = r.SearchGRPCAddr().String()
		return p, stop
	}

	nats, err := events.StartEmbedded(events.EmbeddedConfig{Host: "127.0.0.1", Port: -1, StoreDir: filepath.Join(dataDir, "nats")})
	require.NoError(t, err)
	stops = append(stops, nats.Shutdown)
	cfg.Events.URL = nats.ClientURL()

	p.token = splitAdminToken(t, dataDir)
	cfg.Target = "catalog"
	cat, s := runTarget(t, cfg)
	stops = append(stops, s)

	cfg.Target = "storage"
	cfg.Storage.ServiceToken = "e2e-storage-token"
	st, s := runTarget(t, cfg)
	stops = append(stops, s)

	cfg.Target = "preview"
	cfg.Preview.CatalogAddr = cat.GRPCAddr().String()
	cfg.Preview.StorageAddr = st.StorageGRPCAddr().String()
	cfg.Preview.CatalogAPIKey = p.token
	pv, s := runTarget(t, cfg)
	stops = append(stops, s)

	cfg.Target = "search"
	cfg.Search.CatalogAddr = cat.GRPCAddr().String()
	cfg.Search.ServiceToken = "e2e-search-token"
	se, s := runTarget(t, cfg)
	searchTarget := &target{cfg: cfg, r: se, end: s}
	p.search = searchTarget
	p.searchDB = sqldb.Config{Driver: string(sqldb.SQLite), DSN: filepath.Join(dataDir, "search.db")}
	stops = append(stops, func() { searchTarget.stop() })
	p.searchGRPC, p.searchToken = se.SearchGRPCAddr().String(), cfg.Search.ServiceToken
	// The gateway reaches it at a fixed address: a restarted search
	// target listens there again.
	searchTarget.cfg.Search.GRPCAddr = p.searchGRPC

	cfg.Target = "analytics"
	cfg.Analytics.CatalogAddr = cat.GRPCAddr().String()
	cfg.Analytics.CatalogAPIKey = p.token
	an, s := runTarget(t, cfg)
	stops = append(stops, s)

	cfg.Target = "gateway"
	cfg.Gateway.AnalyticsAddr = an.AnalyticsGRPCAddr().String()
	cfg.Search.Addr = p.searchGRPC
	cfg.Gateway.CatalogAddr = cat.GRPCAddr().String()
	cfg.Gateway.StorageAddr = st.StorageGRPCAddr().String()
	cfg.Gateway.PreviewAddr = pv.PreviewGRPCAddr().String()
	gw, s := runTarget(t, cfg)
	stops = append(stops, s)
	p.catalogGRPC = cat.GRPCAddr().String()
	p.grpcAddrs = []string{p.catalogGRPC, st.StorageGRPCAddr().String(), pv.PreviewGRPCAddr().String(), p.searchGRPC, an.AnalyticsGRPCAddr().String(), gw.GatewayGRPCAddr().String()}

	p.demo, err = relais.ImportDemo(context.Background(), cat.GRPCAddr().String(), p.token)
	require.NoError(t, err)
	return p, stop
}

// splitAdminToken creates the administrator with `relais admin
// create-user` the first time, and keeps its token beside the data.
func splitAdminToken(t testing.TB, dataDir string) string {
	path := filepath.Join(dataDir, "test-admin-token")
	if b, err := os.ReadFile(path); err == nil {
		return string(b)
	}
	var out bytes.Buffer
	err := relais.Main(context.Background(), []string{"admin", "create-user", "--email", "admin@relais.localhost", "--sysadmin", "--first-name", "Admin", "--last-name", "Relais", "-data_dir=" + dataDir}, &out, io.Discard)
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^API token.*: (udata_\S+)$`).FindStringSubmatch(out.String())
	require.NotNil(t, m, "create-user prints the token: %s", out.String())
	require.NoError(t, os.WriteFile(path, []byte(m[1]), 0o600))
	return m[1]
}

// runTarget runs one relais process (in this process) until stop.
func runTarget(t testing.TB, cfg relais.Config) (*relais.Relais, func()) {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	r, err := relais.New(cfg, logger)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	select {
	case <-r.Started():
	case err := <-done:
		cancel()
		t.Fatalf("relais -target=%s stopped before it was ready: %v", cfg.Target, err)
	case <-time.After(2 * time.Minute):
		cancel()
		t.Fatalf("relais -target=%s not ready after 2 minutes", cfg.Target)
	}
	stopped := false
	return r, func() {
		if !stopped {
			stopped = true
			cancel()
			require.NoError(t, <-done)
		}
	}
}

// freePort is a free port of 127.0.0.1 below the ephemeral range (see
// freePorts): a process may listen on it again after a restart.
func freePort(t testing.TB) int {
	return freePorts(t, 1)[0]
}

// response is an HTTP answer with its decoded JSON body.
type response struct {
	Status int
	Header http.Header
	Raw    []byte
	JSON   any
}

func (r response) Object() map[string]any {
	m, _ := r.JSON.(map[string]any)
	return m
}

// do sends a request; key is the X-API-KEY ("" for anonymous); body is
// JSON-encoded unless it is a []byte or nil.
func (p *portal) do(method, path, key string, body any) response {
	p.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		require.NoError(p.t, err)
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, p.base+path, rd)
	require.NoError(p.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("X-API-KEY", key)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	require.NoError(p.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(p.t, err)
	out := response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out.JSON)
	}
	return out
}

// requireGRPCHealth checks grpc.health.v1.Health/Check for service ("" is
// the server as a whole) answers SERVING without credentials.
func requireGRPCHealth(t *testing.T, addr, service string) {
	t.Helper()
	conn, err := grpcx.Dial(addr)
	require.NoError(t, err)
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: service})
	require.NoError(t, err, "health of %q on %s", service, addr)
	require.Equal(t, healthpb.HealthCheckResponse_SERVING, res.GetStatus(), "health of %q on %s", service, addr)
}

// requireReflection checks server reflection lists the health service.
func requireReflection(t *testing.T, addr string) {
	t.Helper()
	conn, err := grpcx.Dial(addr)
	require.NoError(t, err)
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stream, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	require.NoError(t, err)
	require.NoError(t, stream.Send(&reflectionpb.ServerReflectionRequest{
		MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{},
	}))
	res, err := stream.Recv()
	require.NoError(t, err, "reflection on %s", addr)
	var names []string
	for _, s := range res.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	require.Contains(t, names, "grpc.health.v1.Health", "reflection on %s", addr)
}
