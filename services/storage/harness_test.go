package storage_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/relais-data/relais/pkg/blob"
	"github.com/relais-data/relais/pkg/blob/blobtest"
	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/grpcx"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	storagev1 "github.com/relais-data/relais/proto/relais/storage/v1"
	"github.com/relais-data/relais/services/storage"
)

const testToken = "test-service-token"

// env is a storage service served over real gRPC on 127.0.0.1, on a real
// database, a real blob store and an embedded NATS server.
type env struct {
	client  storagev1.StorageServiceClient
	bus     *events.Bus
	blob    blob.Store
	db      *sqldb.DB
	backend string
}

// forEach runs fn on a fresh database and a blob backend name for every
// driver × backend available (SQLite and fs always; PostgreSQL and MinIO
// when their test servers are configured, see sqldbtest and blobtest).
func forEach(t *testing.T, fn func(t *testing.T, db *sqldb.DB, backend string)) {
	t.Helper()
	for _, driver := range sqldbtest.Drivers() {
		for _, backend := range blobtest.Backends() {
			t.Run(string(driver)+"/"+backend, func(t *testing.T) { fn(t, sqldbtest.Open(t, driver), backend) })
		}
	}
}

// forEachEnv runs fn on a fresh service for every driver × backend.
func forEachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	forEach(t, func(t *testing.T, db *sqldb.DB, backend string) {
		fn(t, startEnv(t, db, backend, nil))
	})
}

// startEnv starts the service on db and a fresh store of backend (s3:
// 5 MiB parts); tune adjusts the configuration.
func startEnv(t testing.TB, db *sqldb.DB, backend string, tune func(*storage.Config)) *env {
	t.Helper()
	return startEnvOn(t, db, blobtest.Open(t, backend), backend, tune)
}

// startEnvOn starts the service on db and bs.
func startEnvOn(t testing.TB, db *sqldb.DB, bs blob.Store, backend string, tune func(*storage.Config)) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	log := slog.New(slog.DiscardHandler)

	nats, err := events.StartEmbedded(events.EmbeddedConfig{Port: -1, StoreDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(nats.Shutdown)
	bus, err := events.Connect(ctx, events.Config{URL: nats.ClientURL()}, log)
	require.NoError(t, err)
	t.Cleanup(bus.Close)

	cfg := storage.Config{ServiceToken: testToken}
	if tune != nil {
		tune(&cfg)
	}
	svc, err := storage.New(ctx, cfg, storage.Deps{DB: db, Bus: bus, Log: log, Blob: bs})
	require.NoError(t, err)
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	srv := grpcx.NewServer(grpcx.ServerOptions{Log: log})
	svc.Register(srv)
	ln, err := grpcx.Listen("127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)

	conn, err := grpcx.Dial(ln.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return &env{client: storagev1.NewStorageServiceClient(conn), bus: bus, blob: bs, db: db, backend: backend}
}

// ctx returns a context with a deadline and the service token.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return storage.WithServiceToken(ctx, testToken)
}

func header(name string) *storagev1.UploadHeader {
	return &storagev1.UploadHeader{DatasetId: "5f0c8a1e2b3c4d5e6f708192", DatasetSlug: "budget-primitif-2024", Filename: name}
}

func (e *env) upload(t testing.TB, name string, data []byte) *storagev1.StoredFile {
	t.Helper()
	f, err := storage.Upload(testCtx(t), e.client, header(name), bytes.NewReader(data))
	require.NoError(t, err)
	return f
}

func (e *env) putChunk(ctx context.Context, uuid, name string, index, total int, offset int64, data []byte) error {
	_, err := storage.PutChunk(ctx, e.client, &storagev1.ChunkHeader{
		DatasetId: "5f0c8a1e2b3c4d5e6f708192", Uuid: uuid, Filename: name,
		PartIndex: int32(index), PartByteOffset: offset, TotalParts: int32(total), ChunkSize: int64(len(data)),
	}, bytes.NewReader(data))
	return err
}

func (e *env) complete(ctx context.Context, uuid, name string, total int) (*storagev1.StoredFile, error) {
	resp, err := e.client.CompleteChunkedUpload(ctx, &storagev1.CompleteChunkedUploadRequest{
		DatasetId: "5f0c8a1e2b3c4d5e6f708192", DatasetSlug: "budget-primitif-2024", Uuid: uuid, Filename: name, TotalParts: int32(total),
	})
	return resp.GetFile(), err
}

func (e *env) download(t testing.TB, req *storagev1.DownloadRequest) (*storagev1.DownloadHeader, []byte) {
	t.Helper()
	d, err := storage.OpenDownload(testCtx(t), e.client, req)
	require.NoError(t, err)
	defer d.Close()
	data, err := io.ReadAll(d)
	require.NoError(t, err)
	return d.Header, data
}

// objects lists the keys under prefix.
func (e *env) objects(t testing.TB, prefix string) []string {
	t.Helper()
	var keys []string
	require.NoError(t, e.blob.List(context.Background(), prefix, func(i blob.Info) error {
		keys = append(keys, i.Key)
		return nil
	}))
	return keys
}

// requireReason checks a refusal's code, reason and message.
func requireReason(t testing.TB, err error, code codes.Code, reason, msg string) *errdetails.ErrorInfo {
	t.Helper()
	require.Error(t, err)
	st, ok := status.FromError(err)
	require.True(t, ok, "not a status: %v", err)
	require.Equal(t, code, st.Code(), st.Message())
	if msg != "" {
		require.Equal(t, msg, st.Message())
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			require.Equal(t, "relais.storage", info.GetDomain())
			require.Equal(t, reason, info.GetReason())
			return info
		}
	}
	t.Fatalf("no ErrorInfo in %v", st.Details())
	return nil
}

func requireCode(t testing.TB, err error, code codes.Code) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, code, status.Code(err), "%v", err)
}

// collector gathers the events of subjects from the bus.
type collector struct {
	mu   sync.Mutex
	msgs []events.Message
}

func collect(t testing.TB, bus *events.Bus, subjects ...string) *collector {
	t.Helper()
	c := &collector{}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	cons, err := bus.Consume(context.Background(), events.ConsumerConfig{
		Durable: "test-" + hex.EncodeToString(b), FilterSubjects: subjects,
	}, func(_ context.Context, m events.Message) error {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.msgs = append(c.msgs, m)
		return nil
	})
	require.NoError(t, err)
	t.Cleanup(cons.Stop)
	return c
}

// waitFor waits until n events arrived, then a little longer to catch any
// extra one, and returns them all.
func (c *collector) waitFor(t testing.TB, n int) []events.Message {
	t.Helper()
	require.Eventually(t, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.msgs) >= n
	}, 15*time.Second, 10*time.Millisecond, "want %d events", n)
	time.Sleep(500 * time.Millisecond)
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]events.Message(nil), c.msgs...)
}

func putChunkHeader(ctx context.Context, e *env, h *storagev1.ChunkHeader, data []byte) (*storagev1.PutChunkResponse, error) {
	return storage.PutChunk(ctx, e.client, h, bytes.NewReader(data))
}
