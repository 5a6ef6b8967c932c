package harvester_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/services/harvest/internal/store"
	"github.com/relais-data/relais/services/harvest/internal/udatatest"
)

// BenchmarkHarvestExport harvests the 24 189 datasets of data.gouv.fr's
// export from a local data.gouv.fr-style API (pages of 1000) into a real
// catalog (SQLite) over gRPC: the first run creates them all, the second
// finds nothing changed. Run with -benchtime=1x.
func BenchmarkHarvestExport(b *testing.B) {
	if _, err := os.Stat(exportPath); errors.Is(err, os.ErrNotExist) {
		b.Skipf("%s absent", exportPath)
	}
	for b.Loop() {
		e := newEnv(b, sqldb.SQLite)
		ds, err := udatatest.FromExport(exportPath, 0, e.licenses(b))
		require.NoError(b, err)
		src := udatatest.New(ds)
		addSource(b, e, "dgf", src.URL, true, `{"page_size":1000}`)

		start := time.Now()
		rep := e.run(b, "dgf")
		first := time.Since(start)
		require.Equal(b, store.RunDone, rep.Status, rep.Error)
		created := rep.Counts[store.Create][store.ItemApplied]

		start = time.Now()
		rep = e.run(b, "dgf")
		again := time.Since(start)
		require.Equal(b, int64(len(ds)), rep.Skipped)

		b.ReportMetric(first.Seconds(), "first-run-s")
		b.ReportMetric(again.Seconds(), "no-change-run-s")
		b.ReportMetric(float64(created), "created")
		b.Logf("%d datasets: first run %v (%d created, %d failed), no-change run %v", len(ds), first.Round(time.Millisecond),
			created, rep.Counts[store.Fail][store.ItemFailed], again.Round(time.Millisecond))
		src.Close()
	}
}
