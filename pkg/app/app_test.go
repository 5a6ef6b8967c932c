package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder keeps the lifecycle events of test modules, in order.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func (r *recorder) module(name string, deps ...string) Module {
	return Module{
		Name:  name,
		Deps:  deps,
		Start: func(context.Context) error { r.add("start " + name); return nil },
		Stop:  func(context.Context) error { r.add("stop " + name); return nil },
	}
}

func newApp(t testing.TB, opts Options) *App {
	t.Helper()
	return New(slog.New(slog.DiscardHandler), opts)
}

// runApp runs a in the background; the returned function cancels its
// context and returns Run's error.
func runApp(t testing.TB, a *App) (stop func() error, done <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	t.Cleanup(cancel)
	return func() error {
		cancel()
		select {
		case err := <-errc:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return")
			return nil
		}
	}, errc
}

func waitStarted(t testing.TB, a *App, done <-chan error) {
	t.Helper()
	select {
	case <-a.Started():
	case err := <-done:
		t.Fatalf("Run returned before starting: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("modules did not start")
	}
}

func get(t testing.TB, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, strings.TrimSpace(string(body))
}

func TestOrder(t *testing.T) {
	var r recorder
	ordered, err := order([]Module{
		r.module("api", "db", "cache"),
		r.module("worker", "api"),
		r.module("cache"),
		r.module("db"),
		r.module("metrics"),
	})
	require.NoError(t, err)
	var names []string
	for _, m := range ordered {
		names = append(names, m.Name)
	}
	assert.Equal(t, []string{"db", "cache", "api", "worker", "metrics"}, names)

	_, err = order([]Module{r.module("a", "b"), r.module("b", "c"), r.module("c", "a")})
	require.EqualError(t, err, "dependency cycle: a -> b -> c -> a")
	_, err = order([]Module{r.module("a", "nope")})
	require.EqualError(t, err, "module a depends on unknown module nope")
	_, err = order([]Module{r.module("a"), r.module("a")})
	require.EqualError(t, err, "module a added twice")
	_, err = order([]Module{{Name: "x"}})
	require.EqualError(t, err, "module x has no Start")
}

func TestRunOrdersStartAndReverseStop(t *testing.T) {
	var r recorder
	a := newApp(t, Options{})
	a.Add(r.module("api", "db", "cache"))
	a.Add(r.module("cache"))
	a.Add(r.module("db"))
	stop, done := runApp(t, a)
	waitStarted(t, a, done)
	require.NoError(t, stop())
	assert.Equal(t, []string{"start db", "start cache", "start api", "stop api", "stop cache", "stop db"}, r.get())
	require.ErrorContains(t, a.Run(context.Background()), "Run called twice")
}

func TestRunRejectsBadGraphBeforeStarting(t *testing.T) {
	var r recorder
	a := newApp(t, Options{})
	a.Add(r.module("a", "b"))
	a.Add(r.module("b", "a"))
	require.ErrorContains(t, a.Run(context.Background()), "dependency cycle")
	assert.Empty(t, r.get())
}

func TestRunFailingStartStopsStartedInReverse(t *testing.T) {
	errBoom := errors.New("boom")
	var r recorder
	a := newApp(t, Options{})
	a.Add(r.module("a"))
	a.Add(r.module("b", "a"))
	a.Add(Module{Name: "c", Deps: []string{"b"}, Start: func(context.Context) error { return errBoom }})
	a.Add(r.module("d", "c"))

	err := a.Run(context.Background())
	require.ErrorIs(t, err, errBoom)
	require.ErrorContains(t, err, "start module c")
	assert.Equal(t, []string{"start a", "start b", "stop b", "stop a"}, r.get())
	select {
	case <-a.Started():
		t.Fatal("Started closed after a failed start")
	default:
	}
}

func TestReadyzStates(t *testing.T) {
	var ready atomic.Bool
	var startingStatus, drainingStatus int
	var drainingBody string
	var healthWhileDraining int
	a := newApp(t, Options{AdminAddr: "127.0.0.1:0"})
	a.Add(Module{
		Name: "db",
		Start: func(context.Context) error {
			startingStatus, _ = get(t, "http://"+a.AdminAddr()+"/readyz")
			return nil
		},
		Stop: func(context.Context) error {
			drainingStatus, drainingBody = get(t, "http://"+a.AdminAddr()+"/readyz")
			healthWhileDraining, _ = get(t, "http://"+a.AdminAddr()+"/healthz")
			return nil
		},
	})
	a.Add(Module{Name: "index", Deps: []string{"db"}, Start: func(context.Context) error { return nil }, Ready: ready.Load})
	a.Handle("GET /extra", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "extra") }))

	stop, done := runApp(t, a)
	waitStarted(t, a, done)
	base := "http://" + a.AdminAddr()

	assert.Equal(t, http.StatusServiceUnavailable, startingStatus, "503 while starting")
	code, body := get(t, base+"/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "not ready: index", body)
	assert.False(t, a.Ready())

	ready.Store(true)
	code, body = get(t, base+"/readyz")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "ready", body)

	code, _ = get(t, base+"/healthz")
	assert.Equal(t, http.StatusOK, code)
	code, body = get(t, base+"/metrics")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "go_goroutines")
	_, body = get(t, base+"/extra")
	assert.Equal(t, "extra", body)

	require.NoError(t, stop())
	assert.Equal(t, http.StatusServiceUnavailable, drainingStatus, "503 while draining")
	assert.Equal(t, "not ready: shutting down", drainingBody)
	assert.Equal(t, http.StatusOK, healthWhileDraining, "alive while draining")

	_, err := http.Get(base + "/healthz")
	require.Error(t, err, "admin server closed after Run")
}

func TestShutdownDeadline(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	var r recorder
	a := newApp(t, Options{ShutdownTimeout: 100 * time.Millisecond})
	a.Add(r.module("db"))
	a.Add(Module{
		Name:  "stuck",
		Deps:  []string{"db"},
		Start: func(context.Context) error { return nil },
		Stop:  func(context.Context) error { <-release; return nil }, // ignores its deadline
	})
	stop, done := runApp(t, a)
	waitStarted(t, a, done)

	begin := time.Now()
	err := stop()
	assert.Less(t, time.Since(begin), 5*time.Second)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "stop module stuck: abandoned after the shutdown timeout")
	assert.Equal(t, []string{"start db", "stop db"}, r.get(), "later modules are still stopped")
}

func TestStopErrorsAreJoined(t *testing.T) {
	errA, errB := errors.New("a failed"), errors.New("b failed")
	a := newApp(t, Options{})
	a.Add(Module{Name: "a", Start: func(context.Context) error { return nil }, Stop: func(context.Context) error { return errA }})
	a.Add(Module{Name: "b", Start: func(context.Context) error { return nil }, Stop: func(context.Context) error { return errB }})
	stop, done := runApp(t, a)
	waitStarted(t, a, done)
	err := stop()
	require.ErrorIs(t, err, errA)
	require.ErrorIs(t, err, errB)
}

func TestModuleContextLivesUntilStop(t *testing.T) {
	var startCtx context.Context
	var errAtStop error
	a := newApp(t, Options{})
	a.Add(Module{
		Name:  "loop",
		Start: func(ctx context.Context) error { startCtx = ctx; return nil },
		Stop:  func(context.Context) error { errAtStop = startCtx.Err(); return nil },
	})
	stop, done := runApp(t, a)
	waitStarted(t, a, done)
	require.NoError(t, stop())
	assert.NoError(t, errAtStop, "the Start context is alive when Stop is called")
	assert.ErrorIs(t, startCtx.Err(), context.Canceled, "and cancelled after")
}

func TestFailShutsDown(t *testing.T) {
	errDied := errors.New("listener died")
	var r recorder
	a := newApp(t, Options{})
	a.Add(r.module("db"))
	a.Add(Module{
		Name: "server",
		Deps: []string{"db"},
		Start: func(ctx context.Context) error {
			go func() { Fail(ctx, errDied) }()
			return nil
		},
	})
	err := a.Run(context.Background())
	require.ErrorIs(t, err, errDied)
	require.ErrorContains(t, err, "module server failed")
	assert.Equal(t, []string{"start db", "stop db"}, r.get())
	assert.False(t, Fail(context.Background(), errDied))
}

func TestCancelDuringStartIsCleanShutdown(t *testing.T) {
	var r recorder
	ctx, cancel := context.WithCancel(context.Background())
	a := newApp(t, Options{})
	a.Add(r.module("db"))
	a.Add(Module{
		Name: "slow",
		Deps: []string{"db"},
		Start: func(mctx context.Context) error {
			cancel()
			<-mctx.Done()
			return mctx.Err()
		},
	})
	a.Add(r.module("api", "slow"))
	require.NoError(t, a.Run(ctx))
	assert.Equal(t, []string{"start db", "stop db"}, r.get())
}

func TestAdminListenError(t *testing.T) {
	a := newApp(t, Options{AdminAddr: "127.0.0.1:0"})
	stop, done := runApp(t, a)
	waitStarted(t, a, done)
	b := newApp(t, Options{AdminAddr: a.AdminAddr()})
	require.ErrorContains(t, b.Run(context.Background()), "listen on admin address")
	require.NoError(t, stop())
}
