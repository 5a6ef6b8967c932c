package analysis_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	"github.com/relais-data/relais/services/preview/internal/analysis"
	"github.com/relais-data/relais/services/preview/internal/tabular"
)

// BenchmarkAnalyzeLoad is issue 5's throughput: analysis then load into
// the tabular store of the generated CSV (100 MB; RELAIS_BENCH_MB sets
// another size), the way the pipeline loads (Rows, Parse, LoadTable), on
// each engine: MB/s of the file, and the peak RSS of the process from the
// analysis on (run one engine per process for its own figure):
//
//	RELAIS_BENCH_MB=1000 go test ./services/preview/internal/analysis -run '^$' -bench 'AnalyzeLoad/duckdb' -benchtime 1x
func BenchmarkAnalyzeLoad(b *testing.B) {
	size := int64(100)
	if v, err := strconv.ParseInt(os.Getenv("RELAIS_BENCH_MB"), 10, 64); err == nil && v > 0 {
		size = v
	}
	engines := map[string]tabular.Options{}
	for _, d := range sqldbtest.Drivers() {
		engines[string(d)] = tabular.Options{}
	}
	if tabular.DuckDBAvailable {
		engines[tabular.EngineDuckDB] = tabular.Options{Engine: tabular.EngineDuckDB}
	}
	for name, opt := range engines {
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			path := analysis.GeneratedFile(b, dir, size<<20)
			st, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			driver := sqldb.Driver(name)
			if opt.Engine == tabular.EngineDuckDB {
				driver = sqldb.SQLite
				opt.DuckDB.Path = filepath.Join(dir, "tabular.duckdb")
			}
			ctx := context.Background()
			s, err := tabular.OpenWith(ctx, sqldbtest.Open(b, driver), opt)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			analysis.ResetPeakRSS(b)
			b.SetBytes(st.Size())
			var rows int64
			var analyze, load time.Duration
			cpu0 := analysis.CPUSeconds()
			for b.Loop() {
				start := time.Now()
				p, err := analysis.Analyze(ctx, path, "generated.csv", analysis.DefaultLimits())
				if err != nil {
					b.Fatal(err)
				}
				analyze += time.Since(start)
				start = time.Now()
				if rows, err = loadProfiled(ctx, s, path, p); err != nil {
					b.Fatal(err)
				}
				load += time.Since(start)
			}
			n := float64(b.N)
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(analyze.Seconds()/n, "analyze-s/op")
			b.ReportMetric(load.Seconds()/n, "load-s/op")
			b.ReportMetric(float64(st.Size())/1e6/(load.Seconds()/n), "load-MB/s")
			b.ReportMetric(analysis.PeakRSSMiB(b), "peak-RSS-MiB")
			b.ReportMetric((analysis.CPUSeconds()-cpu0)/n, "cpu-s/op")
		})
	}
}

// loadProfiled loads the rows of the profiled file into s as the pipeline
// does: each cell parsed to its column's type, null when it does not fit.
func loadProfiled(ctx context.Context, s *tabular.Store, path string, p *analysis.Profile) (int64, error) {
	it, err := analysis.Rows(ctx, path, p, analysis.DefaultLimits())
	if err != nil {
		return 0, err
	}
	defer it.Close()
	cols := make([]tabular.Column, len(p.Columns))
	for i, c := range p.Columns {
		cols[i] = tabular.Column{Name: c.Name, Type: c.Type}
	}
	values := make([]any, len(cols))
	return s.Load(ctx, "bench", cols, nil, func() ([]any, error) {
		row, err := it.Next()
		if err != nil {
			return nil, err
		}
		for i, c := range p.Columns {
			values[i] = nil
			if i < len(row) {
				values[i], _ = analysis.Parse(c, row[i])
			}
		}
		return values, nil
	})
}
