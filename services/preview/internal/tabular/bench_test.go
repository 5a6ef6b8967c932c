package tabular

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
)

// benchRows is the size of the benchmark table: 1 000 000 rows, or
// RELAIS_BENCH_ROWS.
func benchRows(b *testing.B) int {
	if s := os.Getenv("RELAIS_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatalf("RELAIS_BENCH_ROWS: %v", err)
		}
		return n
	}
	return 1_000_000
}

// mixedColumns is a table like the ones data.gouv.fr serves: codes,
// names, counts, amounts, flags, dates and free text.
var mixedColumns = []Column{
	{Name: "code_commune", Type: TypeString}, // ~35 000 values
	{Name: "nom", Type: TypeString},
	{Name: "population", Type: TypeInt},
	{Name: "montant", Type: TypeFloat},
	{Name: "actif", Type: TypeBool},
	{Name: "date", Type: TypeDate},
	{Name: "maj", Type: TypeDatetime},
	{Name: "categorie", Type: TypeString}, // 20 values
	{Name: "siret", Type: TypeString},
	{Name: "commentaire", Type: TypeString},
}

var words = strings.Fields("le la les de du des un une projet subvention association commune marché travaux voirie école culture sport santé eau énergie transport numérique")

// mixedRows returns a generator of n rows (deterministic) and counts the
// bytes the rows would take as CSV, for MB/s.
func mixedRows(n int, csvBytes *int64) func() ([]any, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	i := 0
	row := make([]any, len(mixedColumns))
	epoch := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() ([]any, error) {
		if i == n {
			return nil, io.EOF
		}
		i++
		day := epoch.AddDate(0, 0, rng.IntN(9000))
		row[0] = fmt.Sprintf("%05d", 1000+rng.IntN(35000))
		row[1] = words[rng.IntN(len(words))] + " " + words[rng.IntN(len(words))] + " " + strconv.Itoa(i)
		row[2] = int64(rng.ExpFloat64() * 5000)
		row[3] = float64(rng.IntN(100_000_000)) / 100
		row[4] = rng.IntN(3) > 0
		row[5] = day.Format(dateLayout)
		row[6] = day.Add(time.Duration(rng.IntN(86400)) * time.Second).Format(time.RFC3339)
		row[7] = "categorie-" + strconv.Itoa(rng.IntN(20))
		row[8] = fmt.Sprintf("%014d", rng.Int64N(1e14))
		row[9] = strings.Repeat(words[rng.IntN(len(words))]+" ", 1+rng.IntN(8))
		if rng.IntN(20) == 0 {
			row[3] = nil // some missing values
		}
		if csvBytes != nil {
			for _, v := range row {
				*csvBytes += int64(len(fmt.Sprint(v))) + 1
			}
		}
		return row, nil
	}
}

// benchEngine opens stores of one engine for the benchmarks.
type benchEngine struct {
	name string
	open func(b *testing.B, opt Options) *Store
}

// benchEngines are the SQL engine on each sqldbtest driver, and DuckDB
// (registry in SQLite) when the binary has it.
func benchEngines() []benchEngine {
	var out []benchEngine
	for _, d := range sqldbtest.Drivers() {
		out = append(out, benchEngine{string(d), func(b *testing.B, opt Options) *Store {
			return openBench(b, sqldbtest.Open(b, d), opt)
		}})
	}
	if DuckDBAvailable {
		out = append(out, benchEngine{EngineDuckDB, func(b *testing.B, opt Options) *Store {
			opt.Engine, opt.DuckDB.Path = EngineDuckDB, filepath.Join(b.TempDir(), "tabular.duckdb")
			return openBench(b, sqldbtest.Open(b, sqldb.SQLite), opt)
		}})
	}
	return out
}

func openBench(b *testing.B, db *sqldb.DB, opt Options) *Store {
	s, err := OpenWith(context.Background(), db, opt)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkLoad loads the 1 000 000-row mixed table, with the default
// indexes and without any (DuckDB has none), on each engine: rows/s and
// MB/s (of the same rows as CSV) until the table is queryable, MB/s until
// its indexes are built, and the process's peak RSS (run one engine
// alone, -bench 'Load/duckdb', for its own).
func BenchmarkLoad(b *testing.B) {
	n := benchRows(b)
	for _, e := range benchEngines() {
		for _, idx := range []struct {
			name string
			cols int
		}{{"indexed", 0}, {"no-index", -1}} {
			if e.name == EngineDuckDB && idx.cols == 0 {
				continue
			}
			b.Run(e.name+"/"+idx.name, func(b *testing.B) {
				ctx := context.Background()
				s := e.open(b, Options{IndexedColumns: idx.cols})
				pool := newRowPool(n)
				var queryable, indexed time.Duration
				cpu0 := cpuTime()
				for i := 0; b.Loop(); i++ {
					start := time.Now()
					got, err := s.Load(ctx, "bench", mixedColumns, nil, pool.rows(n))
					queryable += time.Since(start)
					if err != nil || got != int64(n) {
						b.Fatalf("load: %d rows, %v", got, err)
					}
					s.WaitIndexing()
					indexed += time.Since(start)
				}
				sec := queryable.Seconds() / float64(b.N)
				csv := pool.csvSize(n)
				b.ReportMetric(float64(n)/sec, "rows/s")
				b.ReportMetric(float64(csv)/1e6/sec, "MB/s")
				b.ReportMetric(float64(csv)/1e6/(indexed.Seconds()/float64(b.N)), "indexed-MB/s")
				b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
				// The machine is shared: CPU time says what the load costs
				// when wall time waits for other processes.
				b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
			})
		}
	}
}

// rowPool holds generated rows that Load benchmarks cycle through, so that
// they time the load and not the generator (which costs a third as much).
type rowPool [][]any

func newRowPool(n int) rowPool {
	next := mixedRows(min(n, 1<<16), nil)
	var p rowPool
	for {
		row, err := next()
		if err != nil {
			return p
		}
		p = append(p, slices.Clone(row))
	}
}

// rows returns n rows cycling through the pool.
func (p rowPool) rows(n int) func() ([]any, error) {
	i := 0
	return func() ([]any, error) {
		if i == n {
			return nil, io.EOF
		}
		i++
		return p[(i-1)%len(p)], nil
	}
}

// csvSize is the size of the pool's n rows written as CSV.
func (p rowPool) csvSize(n int) int64 {
	var size int64
	for i := range n {
		for _, v := range p[i%len(p)] {
			if v != nil {
				size += int64(len(fmt.Sprint(v)))
			}
			size++ // the separator or the newline
		}
	}
	return size
}

// BenchmarkQuery loads the mixed table once per database, then times
// filtered and sorted pages with random operands: p50 and p99 latency of
// Data (SQL, total count and JSON body).
func BenchmarkQuery(b *testing.B) {
	n := benchRows(b)
	for _, e := range benchEngines() {
		b.Run(e.name, func(b *testing.B) {
			ctx := context.Background()
			s := e.open(b, Options{})
			if _, err := s.Load(ctx, "bench", mixedColumns, nil, mixedRows(n, nil)); err != nil {
				b.Fatal(err)
			}
			s.WaitIndexing()
			rng := rand.New(rand.NewPCG(3, 4))
			shapes := []struct {
				name string
				args func() url.Values
			}{
				{"commune-exact+date-sort", func() url.Values {
					return url.Values{"code_commune__exact": {fmt.Sprintf("%05d", 1000+rng.IntN(35000))}, "date__sort": {"desc"}}
				}},
				{"categorie-exact+population-sort", func() url.Values {
					return url.Values{"categorie__exact": {"categorie-" + strconv.Itoa(rng.IntN(20))}, "population__sort": {"desc"}}
				}},
				{"montant-range+montant-sort", func() url.Values {
					lo := rng.IntN(990_000)
					return url.Values{"montant__greater": {strconv.Itoa(lo)}, "montant__strictly_less": {strconv.Itoa(lo + 5000)}, "montant__sort": {"asc"}, "page_size": {"50"}}
				}},
				{"date-range+maj-sort", func() url.Values {
					day := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(8900))
					return url.Values{"date__greater": {day.Format(dateLayout)}, "date__less": {day.AddDate(0, 0, 7).Format(dateLayout)}, "maj__sort": {"desc"}}
				}},
				{"siret-exact", func() url.Values {
					return url.Values{"siret__exact": {fmt.Sprintf("%014d", rng.Int64N(1e14))}}
				}},
				{"sorted-page-100", func() url.Values {
					return url.Values{"population__sort": {"desc"}, "page": {"100"}, "page_size": {"20"}}
				}},
				{"bool-exact+montant-sort", func() url.Values {
					return url.Values{"actif__exact": {"true"}, "montant__sort": {"desc"}, "page": {strconv.Itoa(1 + rng.IntN(5))}}
				}},
				{"contains-full-scan", func() url.Values {
					return url.Values{"nom__contains": {words[rng.IntN(len(words))] + " " + strconv.Itoa(rng.IntN(n))}}
				}},
				{"groupby-categorie-count", func() url.Values {
					return url.Values{"categorie__groupby": {""}, "montant__avg": {""}}
				}},
			}
			for _, format := range []string{"csv", "json"} {
				b.Run("export-"+format, func(b *testing.B) {
					for b.Loop() {
						w := &heapWatcher{}
						if err := s.Export(ctx, "bench", nil, format, w); err != nil {
							b.Fatal(err)
						}
						b.SetBytes(w.n)
						b.ReportMetric(float64(w.maxHeap)/(1<<20), "max-heap-MiB")
					}
				})
			}
			for _, shape := range shapes {
				b.Run(shape.name, func(b *testing.B) {
					var lat []time.Duration
					cpu0 := cpuTime()
					for b.Loop() {
						args := shape.args()
						start := time.Now()
						if _, err := s.Data(ctx, "bench", args, base); err != nil {
							b.Fatal(err)
						}
						lat = append(lat, time.Since(start))
					}
					total := cpuTime() - cpu0
					slices.Sort(lat)
					b.ReportMetric(ms(total)/float64(len(lat)), "cpu-ms/op")
					b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
					b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*99/100)]), "p99-ms")
				})
			}
		})
	}
}

// heapWatcher counts the bytes written to it and samples the Go heap every
// MiB: an export streams when the heap stays flat.
type heapWatcher struct {
	n, next int64
	maxHeap uint64
}

func (w *heapWatcher) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	if w.n >= w.next {
		w.next = w.n + 1<<20
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		w.maxHeap = max(w.maxHeap, m.HeapAlloc)
	}
	return len(p), nil
}

// cpuTime is the CPU time the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// peakRSSMiB is the process's peak resident set (VmHWM), 0 where /proc is
// missing.
func peakRSSMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkQueryWhileIndexing times filtered, sorted pages on the
// 1 000 000-row table from the moment Load returns, while its indexes are
// built in the background, one column after the other (until a query's
// columns have theirs it scans the table), and after: p50, p99 and max of
// each phase, for a filter on the first column (indexed first) and one on
// the ninth (indexed last but one), the two taking turns; and how long
// the build took. Run it once (DuckDB builds no index):
//
//	go test ./services/preview/internal/tabular -run '^$' -bench 'QueryWhileIndexing/sqlite' -benchtime 1x
func BenchmarkQueryWhileIndexing(b *testing.B) {
	n := benchRows(b)
	shapes := []struct {
		name string
		args func(rng *rand.Rand) url.Values
	}{
		{"commune", func(rng *rand.Rand) url.Values {
			return url.Values{"code_commune__exact": {fmt.Sprintf("%05d", 1000+rng.IntN(35000))}, "date__sort": {"desc"}}
		}},
		{"siret", func(rng *rand.Rand) url.Values {
			return url.Values{"siret__exact": {fmt.Sprintf("%014d", rng.Int64N(1e14))}, "maj__sort": {"desc"}}
		}},
	}
	for _, e := range benchEngines() {
		if e.name == EngineDuckDB {
			continue
		}
		b.Run(e.name, func(b *testing.B) {
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(3, 4))
			pool := newRowPool(n)
			for b.Loop() {
				s := e.open(b, Options{})
				if _, err := s.Load(ctx, "bench", mixedColumns, nil, pool.rows(n)); err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				indexed := make(chan struct{})
				go func() { s.WaitIndexing(); close(indexed) }()
				during := make([][]time.Duration, len(shapes))
				after := make([][]time.Duration, len(shapes))
				page := func(i int) time.Duration {
					t := time.Now()
					if _, err := s.Data(ctx, "bench", shapes[i].args(rng), base); err != nil {
						b.Fatal(err)
					}
					return time.Since(t)
				}
			building:
				for i := 0; ; i = (i + 1) % len(shapes) {
					select {
					case <-indexed:
						break building
					default:
						during[i] = append(during[i], page(i))
					}
				}
				b.ReportMetric(time.Since(start).Seconds(), "index-build-s")
				for range 100 {
					for i := range shapes {
						after[i] = append(after[i], page(i))
					}
				}
				for i, shape := range shapes {
					for _, phase := range []struct {
						name string
						lat  []time.Duration
					}{{"during", during[i]}, {"after", after[i]}} {
						if len(phase.lat) == 0 {
							continue // indexed before the first page
						}
						slices.Sort(phase.lat)
						prefix := shape.name + "-" + phase.name
						b.ReportMetric(ms(phase.lat[len(phase.lat)/2]), prefix+"-p50-ms")
						b.ReportMetric(ms(phase.lat[min(len(phase.lat)-1, len(phase.lat)*99/100)]), prefix+"-p99-ms")
						b.ReportMetric(ms(phase.lat[len(phase.lat)-1]), prefix+"-max-ms")
					}
				}
			}
		})
	}
}
