package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/safehttp"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	"github.com/relais-data/relais/services/preview/internal/records"
	"github.com/relais-data/relais/services/preview/internal/tabular"
)

// flakyServer answers 503 to the first fails requests of each path, then
// the file; calls counts the requests.
func flakyServer(t *testing.T, status, fails int, body string) (srv *httptest.Server, calls *atomic.Int32) {
	calls = &atomic.Int32{}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if int(calls.Add(1)) <= fails {
			w.WriteHeader(status)
			return
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, calls
}

func TestTransientFailuresAreRetriedThenKept(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		p, tab := newPipeline(t, db)
		require.Equal(t, DefaultAttempts, p.opts.Attempts)

		// A server failing twice, then answering: two retryable failures
		// (recorded, not yet on the resource), then the analysis.
		srv, calls := flakyServer(t, http.StatusServiceUnavailable, 2, "a;b\n1;2\n")
		job := Job{ResourceID: "r1", DatasetID: "d1", URL: srv.URL + "/f.csv", Signature: "url:f"}
		for attempt := 1; attempt <= 2; attempt++ {
			rec, err := p.Process(ctx, job)
			var re *RetryError
			require.ErrorAs(t, err, &re)
			require.Equal(t, attempt, re.Attempt)
			require.Equal(t, records.StateRetrying, rec.State)
			require.Equal(t, attempt, rec.Attempts)
			require.Contains(t, rec.Error, "status 503")
			got, err := p.opts.Records.Get(ctx, "r1")
			require.NoError(t, err)
			require.Equal(t, attempt, got.Attempts, "the attempt survives a restart")
		}
		rec, err := p.Process(ctx, job)
		require.NoError(t, err)
		require.Equal(t, records.StateDone, rec.State)
		require.Zero(t, rec.Attempts)
		require.EqualValues(t, 3, calls.Load())
		_, err = tab.DataQuery(ctx, "r1", "", "http://x")
		require.NoError(t, err)

		// New bytes on a server that keeps failing: Attempts tries, the
		// last analysis's table served meanwhile, then the failure
		// recorded for good with its reason and the stale table dropped;
		// later events do not fetch again.
		srv, calls = flakyServer(t, http.StatusBadGateway, 1000, "")
		job = Job{ResourceID: "r1", DatasetID: "d1", URL: srv.URL + "/g.csv", Signature: "url:g"}
		for attempt := 1; attempt < DefaultAttempts; attempt++ {
			rec, err := p.Process(ctx, job)
			var re *RetryError
			require.ErrorAs(t, err, &re, "attempt %d", attempt)
			require.True(t, rec.Tabular)
			_, err = tab.DataQuery(ctx, "r1", "", "http://x")
			require.NoError(t, err, "the last table is served while retrying")
		}
		rec, err = p.Process(ctx, job)
		require.NoError(t, err, "the last attempt is not retried")
		require.Equal(t, records.StateFailed, rec.State)
		require.Equal(t, DefaultAttempts, rec.Attempts)
		require.Contains(t, string(rec.Extras), `"analysis:error"`)
		require.Contains(t, string(rec.Extras), `"check:status":502`)
		require.False(t, rec.Tabular)
		_, err = tab.DataQuery(ctx, "r1", "", "http://x")
		var te *tabular.Error
		require.ErrorAs(t, err, &te, "the stale table is dropped with the failure")
		_, err = p.Process(ctx, job)
		require.NoError(t, err)
		require.EqualValues(t, DefaultAttempts, calls.Load(), "no fetch after the attempts are exhausted")

		// A forced re-analysis starts over.
		job.Force = true
		_, err = p.Process(ctx, job)
		var re *RetryError
		require.ErrorAs(t, err, &re)
		require.Equal(t, 1, re.Attempt)
	})
}

func TestPermanentFailuresAreNotRetried(t *testing.T) {
	ctx := context.Background()
	p, _ := newPipeline(t, sqldbtest.Open(t, sqldb.SQLite))
	for _, status := range []int{http.StatusNotFound, http.StatusForbidden, http.StatusGone} {
		srv, calls := flakyServer(t, status, 1000, "")
		job := Job{ResourceID: fmt.Sprint("r", status), URL: srv.URL + "/f.csv", Signature: "url:f"}
		rec, err := p.Process(ctx, job)
		require.NoError(t, err, "a %d is not retried", status)
		require.Equal(t, records.StateFailed, rec.State)
		require.Zero(t, rec.Attempts)
		require.Contains(t, string(rec.Extras), fmt.Sprintf(`"check:status":%d`, status))
		_, err = p.Process(ctx, job)
		require.NoError(t, err)
		require.EqualValues(t, 1, calls.Load(), "the same bytes are not fetched again")
	}
	// An unreadable file: failed once, for good.
	srv, calls := flakyServer(t, 0, 0, "\x00\x01\x02PK\x03\x04 not a table at all \xff\xfe")
	rec, err := p.Process(ctx, Job{ResourceID: "bin", URL: srv.URL + "/f.xlsx", Signature: "url:bin"})
	require.NoError(t, err)
	require.Equal(t, records.StateFailed, rec.State)
	require.Zero(t, rec.Attempts)
	require.NotEmpty(t, rec.Error)
	_, err = p.Process(ctx, Job{ResourceID: "bin", URL: srv.URL + "/f.xlsx", Signature: "url:bin"})
	require.NoError(t, err)
	require.EqualValues(t, 1, calls.Load())

	// The SSRF guard refuses for good.
	rec, err = p.Process(ctx, Job{ResourceID: "meta", URL: "http://169.254.169.254/latest", Signature: "url:meta"})
	require.NoError(t, err)
	require.Equal(t, records.StateFailed, rec.State)
	require.Zero(t, rec.Attempts)
}

func TestStorageUnavailableIsRetried(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.Open(t, sqldb.SQLite)
	require.NoError(t, records.Migrate(ctx, db))
	tab, err := tabular.Open(ctx, db)
	require.NoError(t, err)
	t.Cleanup(func() { tab.Close() })
	f, err := safehttp.New(safehttp.Config{})
	require.NoError(t, err)
	// No storage service configured: the stored file cannot be read now.
	p, err := New(Options{Records: records.New(db), Tabular: tab, Fetcher: f, Attempts: 2, TempDir: t.TempDir()})
	require.NoError(t, err)
	job := Job{ResourceID: "s", Key: "resources/d/f.csv", Signature: "sha1:x"}
	_, err = p.Process(ctx, job)
	var re *RetryError
	require.ErrorAs(t, err, &re)
	rec, err := p.Process(ctx, job)
	require.NoError(t, err)
	require.Equal(t, records.StateFailed, rec.State)
	require.Equal(t, 2, rec.Attempts)
	require.Contains(t, rec.Error, "storage")
}

func TestFetchTransient(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("fetch: %w", safehttp.ErrTimeout), true},
		{fmt.Errorf("fetch: %w", &safehttp.StatusError{Status: 500}), true},
		{fmt.Errorf("fetch: %w", &safehttp.StatusError{Status: 429}), true},
		{fmt.Errorf("fetch: %w", &safehttp.StatusError{Status: 404}), false},
		{fmt.Errorf("fetch: %w", &safehttp.StatusError{Status: 401}), false},
		{fmt.Errorf("dial: %w", safehttp.ErrForbidden), false},
		{fmt.Errorf("fetch: %w", safehttp.ErrTooLarge), false},
		{&net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, false},
		{&net.DNSError{Err: "server misbehaving", Name: "x.fr", IsTemporary: true}, true},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
		{errors.New("invalid URL"), false},
	} {
		require.Equal(t, c.want, fetchTransient(c.err), "%v", c.err)
	}
}
