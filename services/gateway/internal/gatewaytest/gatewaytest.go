// Package gatewaytest runs the gateway as it runs in production — over
// real gRPC to a real catalog on a temporary SQLite database, with an
// embedded NATS server for the catalog's events — for the gateway's tests.
package gatewaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/sqldb"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/catalog"
	"github.com/relais-data/relais/services/gateway"
	"github.com/relais-data/relais/services/storage"
)

// tokenSecret signs the catalog's API tokens in tests.
const tokenSecret = "gatewaytest-secret"

// Env is a running gateway and catalog.
type Env struct {
	// URL is the gateway's base URL (also its PublicURL).
	URL string
	// AdminToken is the API key of a sysadmin.
	AdminToken string
	// Catalog is a gRPC client of the catalog, authenticated per call with
	// grpcx.WithAPIKey.
	Catalog catalogv1.CatalogServiceClient
	// CatalogAddr is the catalog's gRPC address, for a gateway run apart.
	CatalogAddr string
	// Handler is the gateway's HTTP handler, to call it without a socket.
	Handler http.Handler
	// Storage is a gRPC client of the storage service (StorageCtx gives
	// calls its token); Bus is the event bus of both services.
	Storage storagev1.StorageServiceClient
	Bus     *events.Bus
	// Search is a gRPC client of the search service (Options.Search).
	Search searchv1.SearchServiceClient

	client *http.Client
}

// Options tune [Start].
type Options struct {
	// Log receives every component's logs; nil discards them.
	Log *slog.Logger
	// Blob is the storage service's backend: fs (default) or s3 (the test
	// MinIO, see blobtest).
	Blob string
	// Storage adjusts the storage service's configuration; Gateway the
	// gateway's.
	Storage func(*storage.Config)
	Gateway func(*gateway.Config)
	// Search runs the search service (search.go) and gives the gateway
	// its client; without it the search endpoints answer 501.
	Search bool
}

// Start starts embedded NATS, the catalog on a fresh SQLite file, a gRPC
// server on 127.0.0.1:0 and the gateway behind an httptest server. All
// stop when the test ends.
func Start(t testing.TB, opts Options) *Env {
	t.Helper()
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	dir := t.TempDir()

	nats, err := events.StartEmbedded(events.EmbeddedConfig{Port: -1, StoreDir: filepath.Join(dir, "nats")})
	require.NoError(t, err, "start nats")
	t.Cleanup(nats.Shutdown)
	bus, err := events.Connect(ctx, events.Config{URL: nats.ClientURL()}, log)
	require.NoError(t, err, "connect to nats")
	t.Cleanup(bus.Close)

	db, err := sqldb.Open(ctx, sqldb.Config{Driver: "sqlite", DSN: filepath.Join(dir, "catalog.db")})
	require.NoError(t, err, "open catalog database")
	t.Cleanup(func() { _ = db.Close() })

	_, adminToken, err := catalog.BootstrapAdmin(ctx, db, tokenSecret, "admin@relais.test", true)
	require.NoError(t, err, "bootstrap admin")

	svc, err := catalog.New(ctx, catalog.Config{TokenSecret: tokenSecret}, catalog.Deps{DB: db, Bus: bus, Log: log})
	require.NoError(t, err, "new catalog")
	runDone := make(chan struct{})
	go func() {
		defer close(runDone)
		_ = svc.Run(ctx) // ends with ctx
	}()
	t.Cleanup(func() {
		cancel()
		<-runDone
	})

	srv := grpcx.NewServer(grpcx.ServerOptions{Log: log, Authenticate: svc.Authenticate})
	svc.Register(srv)
	ln, err := grpcx.Listen("127.0.0.1:0")
	require.NoError(t, err, "listen grpc")
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = srv.Shutdown(sctx)
	})

	conn, err := grpcx.Dial(ln.Addr().String())
	require.NoError(t, err, "dial catalog")
	t.Cleanup(func() { _ = conn.Close() })
	client := catalogv1.NewCatalogServiceClient(conn)

	storageClient := startStorage(t, dir, opts.Blob, bus, log, opts.Storage)
	var searchClient searchv1.SearchServiceClient
	if opts.Search {
		searchClient = startSearch(t, dir, bus, client, log)
	}

	httpSrv := httptest.NewUnstartedServer(nil)
	base := "http://" + httpSrv.Listener.Addr().String()
	gwCfg := gateway.Config{PublicURL: base, StorageToken: StorageToken}
	if opts.Gateway != nil {
		opts.Gateway(&gwCfg)
	}
	gw, err := gateway.New(gwCfg, gateway.Deps{Catalog: client, Storage: storageClient, Search: searchClient, Log: log})
	require.NoError(t, err, "new gateway")
	httpSrv.Config.Handler = gw.Handler()
	httpSrv.Start()
	t.Cleanup(func() {
		httpSrv.Close()
		cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer ccancel()
		_ = gw.Close(cctx)
	})

	return &Env{
		URL:         base,
		AdminToken:  adminToken,
		Catalog:     client,
		CatalogAddr: ln.Addr().String(),
		Handler:     gw.Handler(),
		Storage:     storageClient,
		Bus:         bus,
		Search:      searchClient,
		client:      &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}
}

// NewUser creates a user through the catalog and returns its API key.
func (e *Env) NewUser(t testing.TB, email, firstName, lastName string) string {
	t.Helper()
	ctx := grpcx.WithAPIKey(context.Background(), e.AdminToken)
	resp, err := e.Catalog.CreateUser(ctx, &catalogv1.CreateUserRequest{
		Email: email, FirstName: firstName, LastName: lastName, WithApiToken: true,
	})
	require.NoError(t, err, "create user %s", email)
	return resp.GetApiToken()
}

// Response is an HTTP answer, read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body (numbers as json.Number).
func (r *Response) JSON(t testing.TB) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v), "decode %s", r.Body)
	return v
}

// Object decodes the body as a JSON object.
func (r *Response) Object(t testing.TB) map[string]any {
	t.Helper()
	m, ok := r.JSON(t).(map[string]any)
	require.True(t, ok, "not an object: %s", r.Body)
	return m
}

// Do sends a request to the gateway. body is sent as is when it is a
// string or []byte, else encoded as JSON; a JSON content type is set
// whenever there is a body. token, when set, goes in X-API-KEY.
// Redirects are not followed.
func (e *Env) Do(t testing.TB, method, path string, body any, token string) *Response {
	t.Helper()
	return e.DoWithHeader(t, method, path, body, token, nil)
}

// DoWithHeader is [Env.Do] with extra request headers.
func (e *Env) DoWithHeader(t testing.TB, method, path string, body any, token string, header http.Header) *Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	require.NoError(t, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("X-API-KEY", token)
	}
	for k, vs := range header {
		req.Header[k] = append(req.Header[k], vs...)
	}
	resp, err := e.client.Do(req)
	require.NoError(t, err, "%s %s", method, path)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}
