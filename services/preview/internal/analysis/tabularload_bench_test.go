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
	"github.com/relais-data/relais/services/preview/internal/pipeline"
	"github.com/relais-data/relais/services/preview/internal/tabular"
)

// BenchmarkAnalyzeLoad is issue 5's throughput: analysis and load into
// the tabular store of the generated CSV (100 MB; RELAIS_BENCH_MB sets
// another size), the way the pipeline does both (pipeline.AnalyzeLoad: one
// pass), on each engine: MB/s of the file until the table is queryable and
// until its indexes are built (the ns/op's MB/s), and the peak RSS of the process from the analysis on (run one
// engine per process for its own figure):
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
			var onePass bool
			var queryable, indexed time.Duration
			cpu0 := analysis.CPUSeconds()
			for b.Loop() {
				var err error
				start := time.Now()
				_, rows, onePass, err = pipeline.AnalyzeLoad(ctx, s, path, "generated.csv", analysis.DefaultLimits(), tabular.Table{RID: "bench"})
				if err != nil {
					b.Fatal(err)
				}
				queryable += time.Since(start)
				s.WaitIndexing()
				indexed += time.Since(start)
			}
			if !onePass {
				b.Error("the generated file's types were mispredicted: loaded in two passes")
			}
			n := float64(b.N)
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(float64(st.Size())/1e6/(queryable.Seconds()/n), "queryable-MB/s")
			b.ReportMetric(float64(st.Size())/1e6/(indexed.Seconds()/n), "indexed-MB/s")
			b.ReportMetric(analysis.PeakRSSMiB(b), "peak-RSS-MiB")
			b.ReportMetric((analysis.CPUSeconds()-cpu0)/n, "cpu-s/op")
		})
	}
}
