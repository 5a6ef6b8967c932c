package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	"github.com/relais-data/relais/services/preview/internal/fetch"
	"github.com/relais-data/relais/services/preview/internal/records"
	"github.com/relais-data/relais/services/preview/internal/tabular"
)

// newPipeline is a pipeline on db with no catalog (extras stay in the
// records) that may fetch from loopback.
func newPipeline(t testing.TB, db *sqldb.DB) (*Pipeline, *tabular.Store) {
	ctx := context.Background()
	require.NoError(t, records.Migrate(ctx, db))
	tab, err := tabular.Open(ctx, db)
	require.NoError(t, err)
	f, err := fetch.New(fetch.Config{Allow: []string{"127.0.0.1"}})
	require.NoError(t, err)
	p, err := New(Options{Records: records.New(db), Tabular: tab, Fetcher: f, TempDir: t.TempDir()})
	require.NoError(t, err)
	return p, tab
}

// serveFiles serves name → bytes.
func serveFiles(t testing.TB, files map[string][]byte) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestProcess(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		p, tab := newPipeline(t, db)
		srv := serveFiles(t, map[string][]byte{
			"/ok.csv":       []byte("code;nom;population\n06088;Nice;348085\n06004;Antibes;74875\n"),
			"/garbage.xlsx": bytes.Repeat([]byte{0x50, 0x4b, 0x03, 0x04, 0xff}, 40),
		})

		job := Job{ResourceID: "r1", DatasetID: "d1", URL: srv.URL + "/ok.csv", Signature: "url:ok"}
		rec, err := p.Process(ctx, job)
		require.NoError(t, err)
		require.Equal(t, records.StateDone, rec.State)
		require.True(t, rec.Tabular)
		require.Contains(t, string(rec.Extras), `"analysis:parsing:parsing_table":"r1"`)
		require.Contains(t, string(rec.Extras), `"check:available":true`)
		body, err := tab.DataQuery(ctx, "r1", "nom__exact=Nice", "http://x")
		require.NoError(t, err)
		require.Contains(t, string(body), `"population": 348085`)

		// The same bytes again: nothing analyzed, the record kept.
		again, err := p.Process(ctx, job)
		require.NoError(t, err)
		require.Equal(t, rec.AnalyzedAt, again.AnalyzedAt)

		// Another file for the same resource that cannot be read: the
		// reason is recorded and the stale table dropped.
		job.URL, job.Signature = srv.URL+"/garbage.xlsx", "url:garbage"
		rec, err = p.Process(ctx, job)
		require.NoError(t, err)
		require.Equal(t, records.StateFailed, rec.State)
		require.NotEmpty(t, rec.Error)
		require.Contains(t, string(rec.Extras), `"analysis:error"`)
		_, err = tab.DataQuery(ctx, "r1", "", "http://x")
		var te *tabular.Error
		require.ErrorAs(t, err, &te)
		require.Equal(t, 404, te.Status)

		// A missing remote file: its check says so.
		rec, err = p.Process(ctx, Job{ResourceID: "r2", URL: srv.URL + "/absent.csv", Signature: "url:absent"})
		require.NoError(t, err)
		require.Equal(t, records.StateFailed, rec.State)
		require.Contains(t, string(rec.Extras), `"check:status":404`)

		require.NoError(t, p.Forget(ctx, "r2"))
		_, err = p.opts.Records.Get(ctx, "r2")
		require.ErrorIs(t, err, records.ErrNotFound)
	})
}

// frenchCSV makes about size bytes of a CSV as collectivités publish
// them: semicolons, decimal commas, French dates, SIRET, postcodes.
func frenchCSV(size int) []byte {
	cats := []string{"culture", "sport", "social", "education"}
	var b bytes.Buffer
	b.WriteString("id;beneficiaire;siret;categorie;montant;date_convention;code_postal\n")
	for n := 0; b.Len() < size; n++ {
		fmt.Fprintf(&b, "%d;Association numéro %d;21060088800019;%s;%d,%02d;%02d/%02d/20%02d;06%03d\n",
			n, n, cats[n%4], (n*7919)%100000, n%100, 1+n%28, 1+n%12, 10+n%15, n%1000)
	}
	return b.Bytes()
}

// BenchmarkProcess10MB: a 10 MB French CSV fetched, analyzed and loaded
// into the tabular store (SQLite, and PostgreSQL when
// RELAIS_TEST_POSTGRES_URL is set): the time until its table is
// queryable, and MB/s.
func BenchmarkProcess10MB(b *testing.B) {
	data := frenchCSV(10 << 20)
	for _, d := range sqldbtest.Drivers() {
		b.Run(string(d), func(b *testing.B) {
			db := sqldbtest.Open(b, d)
			p, _ := newPipeline(b, db)
			srv := serveFiles(b, map[string][]byte{"/s.csv": data})
			ctx := context.Background()
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				rec, err := p.Process(ctx, Job{ResourceID: "r", URL: srv.URL + "/s.csv", Signature: fmt.Sprint(i)})
				if err != nil || !rec.Tabular {
					b.Fatalf("%v %s", err, rec.Extras)
				}
				b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/queryable")
			}
		})
	}
}
