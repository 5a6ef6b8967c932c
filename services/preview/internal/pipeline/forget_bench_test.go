package pipeline

import (
	"context"
	"fmt"
	"testing"

	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
)

// BenchmarkForget: dropping a deleted resource's table (1 MB, 12 000 rows) and
// record, as a resource or dataset deletion does, on each database; the
// analysis and load before each drop are not timed.
func BenchmarkForget(b *testing.B) {
	data := frenchCSV(1 << 20)
	for _, d := range sqldbtest.Drivers() {
		b.Run(string(d), func(b *testing.B) {
			p, _ := newPipeline(b, sqldbtest.Open(b, d))
			srv := serveFiles(b, map[string][]byte{"/s.csv": data})
			ctx := context.Background()
			for i := range b.N {
				b.StopTimer()
				rid := fmt.Sprint("r", i)
				if rec, err := p.Process(ctx, Job{ResourceID: rid, URL: srv.URL + "/s.csv", Signature: rid}); err != nil || !rec.Tabular {
					b.Fatalf("%v", err)
				}
				p.opts.Tabular.WaitIndexing()
				b.StartTimer()
				if err := p.Forget(ctx, rid); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
