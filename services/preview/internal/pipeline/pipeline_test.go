package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/safehttp"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	"github.com/relais-data/relais/services/preview/internal/records"
	"github.com/relais-data/relais/services/preview/internal/tabular"
)

// newPipeline is a pipeline on db with no catalog (extras stay in the
// records) that may fetch from loopback.
func newPipeline(t testing.TB, db *sqldb.DB) (*Pipeline, *tabular.Store) {
	return newPipelineWith(t, db, tabular.Options{})
}

// newPipelineWith is newPipeline with the tabular store's options (its
// engine).
func newPipelineWith(t testing.TB, db *sqldb.DB, opt tabular.Options) (*Pipeline, *tabular.Store) {
	ctx := context.Background()
	require.NoError(t, records.Migrate(ctx, db))
	tab, err := tabular.OpenWith(ctx, db, opt)
	require.NoError(t, err)
	t.Cleanup(func() { tab.Close() })
	f, err := safehttp.New(safehttp.Config{Allow: []string{"127.0.0.1"}})
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
		w.Header().Set("Last-Modified", "Sat, 05 Apr 2025 06:14:59 GMT")
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
		require.Contains(t, string(rec.Extras), `"analysis:last-modified-at":"2025-04-05T06:14:59+00:00"`)
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

func TestProcessValidatesAgainstTheSchema(t *testing.T) {
	ctx := context.Background()
	p, _ := newPipeline(t, sqldbtest.Open(t, sqldb.SQLite))
	dir := "../../../../../shared/data/scdl/prenoms/examples/"
	valid, err := os.ReadFile(dir + "prenoms-nouveaux-nes_exemple-valide.csv")
	require.NoError(t, err)
	invalid, err := os.ReadFile(dir + "prenoms-nouveaux-nes_exemple-invalide.csv")
	require.NoError(t, err)
	srv := serveFiles(t, map[string][]byte{"/valide.csv": valid, "/invalide.csv": invalid})

	rec, err := p.Process(ctx, Job{ResourceID: "v", URL: srv.URL + "/valide.csv", Signature: "v", SchemaName: "scdl/prenoms"})
	require.NoError(t, err)
	var ex map[string]any
	require.NoError(t, json.Unmarshal(rec.Extras, &ex))
	require.Equal(t, true, ex[KeyValidationValid], string(rec.Validation))
	require.EqualValues(t, 0, ex[KeyValidationErrors])
	require.Contains(t, string(rec.Validation), `"valid":true`)

	rec, err = p.Process(ctx, Job{ResourceID: "i", URL: srv.URL + "/invalide.csv", Signature: "i", SchemaName: "scdl/prenoms"})
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(rec.Extras, &ex))
	require.Equal(t, false, ex[KeyValidationValid])
	require.Greater(t, ex[KeyValidationErrors].(float64), 0.0)
	require.True(t, rec.Tabular, "an invalid file is still previewed")

	rec, err = p.Process(ctx, Job{ResourceID: "u", URL: srv.URL + "/valide.csv", Signature: "u", SchemaName: "scdl/inconnu"})
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(rec.Extras, &ex))
	require.Contains(t, ex[KeyValidationError], "scdl/inconnu")
	require.Empty(t, rec.Validation)
}

func TestProcessGeoJSON(t *testing.T) {
	ctx := context.Background()
	p, tab := newPipeline(t, sqldbtest.Open(t, sqldb.SQLite))
	gj := []byte(`{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"nom":"Nice","population":348085},"geometry":{"type":"Point","coordinates":[7.2661,43.7031]}},
		{"type":"Feature","properties":{"nom":"Antibes","population":74875},"geometry":{"type":"LineString","coordinates":[[7.1,43.5],[7.12,43.58],[7.13,43.59]]}}]}`)
	srv := serveFiles(t, map[string][]byte{"/communes.geojson": gj})
	rec, err := p.Process(ctx, Job{ResourceID: "g", URL: srv.URL + "/communes.geojson", Signature: "g"})
	require.NoError(t, err)
	require.Equal(t, records.StateDone, rec.State, string(rec.Extras))
	require.Equal(t, records.MapGeoJSON, rec.MapKind, string(rec.Extras))
	var m struct {
		Type     string     `json:"type"`
		BBox     [4]float64 `json:"bbox"`
		Features int64      `json:"features"`
		Data     struct {
			Type     string `json:"type"`
			Features []any  `json:"features"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(rec.GeoJSON, &m), string(rec.GeoJSON))
	require.Equal(t, "geojson", m.Type)
	require.EqualValues(t, 2, m.Features)
	require.Equal(t, [4]float64{7.1, 43.5, 7.2661, 43.7031}, m.BBox)
	require.Len(t, m.Data.Features, 2)
	require.True(t, rec.Tabular, string(rec.Extras))
	body, err := tab.DataQuery(ctx, "g", "nom__exact=Antibes", "http://x")
	require.NoError(t, err)
	require.Contains(t, string(body), "74875")
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
// RELAIS_TEST_POSTGRES_URL is set): the time of the whole Process
// (fetch, analysis and load until the record says the table is
// queryable; its indexes follow in the background, waited for untimed
// between runs), and MB/s. The e2e test logs the time from the
// upload to the first answer of the tabular API.
func BenchmarkProcess10MB(b *testing.B) {
	data := frenchCSV(10 << 20)
	run := func(b *testing.B, p *Pipeline) {
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
			b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/processed")
			b.StopTimer()
			p.opts.Tabular.WaitIndexing() // not to slow the next one down
			b.StartTimer()
		}
	}
	for _, d := range sqldbtest.Drivers() {
		b.Run(string(d), func(b *testing.B) {
			p, _ := newPipeline(b, sqldbtest.Open(b, d))
			run(b, p)
		})
	}
	if tabular.DuckDBAvailable {
		b.Run(tabular.EngineDuckDB, func(b *testing.B) {
			p, _ := newPipelineWith(b, sqldbtest.Open(b, sqldb.SQLite), tabular.Options{Engine: tabular.EngineDuckDB,
				DuckDB: tabular.DuckDBOptions{Path: filepath.Join(b.TempDir(), "tabular.duckdb")}})
			run(b, p)
		})
	}
}
