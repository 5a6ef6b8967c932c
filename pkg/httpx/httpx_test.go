package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/relais-data/relais/pkg/app"
	relaislog "github.com/relais-data/relais/pkg/log"
)

// syncBuffer is a log sink safe for server goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func jsonLogger(t testing.TB) (*slog.Logger, *syncBuffer) {
	t.Helper()
	buf := &syncBuffer{}
	log, err := relaislog.New(relaislog.Config{Format: "json"}, buf)
	require.NoError(t, err)
	return log, buf
}

func TestJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	JSON(rec, http.StatusCreated, map[string]string{"title": "<b>Prénoms</b> & co"})
	assert.Equal(t, http.StatusCreated, rec.Code)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.Equal(t, `{"title":"<b>Prénoms</b> & co"}`+"\n", rec.Body.String())

	rec = httptest.NewRecorder()
	Error(rec, http.StatusNotFound, "Dataset not found")
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.JSONEq(t, `{"message":"Dataset not found"}`, rec.Body.String())
}

func TestRecover(t *testing.T) {
	log, logs := jsonLogger(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	mux.HandleFunc("/bad-json", func(w http.ResponseWriter, _ *http.Request) { JSON(w, 200, make(chan int)) })
	mux.HandleFunc("/late-panic", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "partial")
		http.NewResponseController(w).Flush()
		panic("late")
	})
	srv := httptest.NewServer(Recover(log)(mux))
	t.Cleanup(srv.Close)

	for _, path := range []string{"/panic", "/bad-json"} {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusInternalServerError, resp.StatusCode, path)
		assert.JSONEq(t, `{"message":"Internal Server Error"}`, string(body), path)
	}
	assert.Contains(t, logs.String(), `"msg":"http handler panic"`)
	assert.Contains(t, logs.String(), `"err":"boom"`)
	assert.Contains(t, logs.String(), "encode chan int as JSON")

	resp, err := http.Get(srv.URL + "/late-panic")
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	require.Error(t, err, "a response already started is aborted, not completed")
}

func TestMiddlewareStack(t *testing.T) {
	log, logs := jsonLogger(t)
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/1/datasets/{id}/", func(w http.ResponseWriter, r *http.Request) {
		JSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id")})
	})
	mux.HandleFunc("/boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	h := Chain(mux, OTel("gateway", otelhttp.WithTracerProvider(tp)), AccessLog(log), Recover(log))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	resp, err := http.Get(srv.URL + "/api/1/datasets/abc/")
	require.NoError(t, err)
	resp.Body.Close()
	resp, err = http.Get(srv.URL + "/boom")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)

	ended := spans.Ended()
	require.Len(t, ended, 2)
	assert.Equal(t, "GET /api/1/datasets/{id}/", ended[0].Name())
	traceID := ended[0].SpanContext().TraceID().String()

	var access []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m))
		if m["msg"] == "http request" {
			access = append(access, m)
		}
	}
	require.Len(t, access, 2)
	assert.Equal(t, traceID, access[0]["trace_id"], "access log joined to the span")
	assert.Equal(t, "GET /api/1/datasets/{id}/", access[0]["route"])
	assert.Equal(t, float64(200), access[0]["status"])
	assert.Equal(t, float64(len(`{"id":"abc"}`+"\n")), access[0]["bytes"])
	assert.Equal(t, "INFO", access[0]["level"])
	assert.Equal(t, float64(500), access[1]["status"], "access log sees the recovered panic")
	assert.Equal(t, "ERROR", access[1]["level"])
}

func TestServeGracefulShutdown(t *testing.T) {
	entered := make(chan struct{})
	srv := NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(entered)
		time.Sleep(200 * time.Millisecond)
		_, _ = io.WriteString(w, "done")
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, srv, ln) }()

	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String())
		if err != nil {
			got <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- string(b)
	}()
	<-entered
	cancel()
	assert.Equal(t, "done", <-got, "the in-flight request completes")
	require.NoError(t, <-served)
	_, err = http.Get("http://" + ln.Addr().String())
	require.Error(t, err, "closed after shutdown")
}

func TestServeListenerError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	require.NoError(t, ln.Close())
	err = Serve(context.Background(), NewServer(http.NotFoundHandler()), ln)
	require.Error(t, err)
	assert.False(t, errors.Is(err, http.ErrServerClosed))
}

func TestModuleInApp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	a := app.New(slog.New(slog.DiscardHandler), app.Options{})
	mux := http.NewServeMux()
	mux.Handle("GET /readyz", a.ReadyzHandler())
	a.Add(Module("public-http", NewServer(mux), ln))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	select {
	case <-a.Started():
	case err := <-done:
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + ln.Addr().String() + "/readyz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	cancel()
	require.NoError(t, <-done)
}
