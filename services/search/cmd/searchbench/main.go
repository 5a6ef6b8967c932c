// Command searchbench measures the embedded search backend on data.gouv.fr's
// real catalogue: the full build of the index, its size on disk, the peak
// memory of the process, and the latency of 200 fixed queries computing the
// facets of /api/2/datasets/search/:
//
//	go run ./services/search/cmd/searchbench [-copies 1,5]
//
// Each scale runs in a child process of its own so that its peak RSS
// (VmHWM) is its alone. Queries timed right after the build compete with
// bleve's background merges; to time them on the settled index, run again
// with -keep -dir D, which reuses the index D holds:
//
//	go run ./services/search/cmd/searchbench -copies 5 -keep -dir /tmp/sb  # builds, times
//	go run ./services/search/cmd/searchbench -copies 5 -keep -dir /tmp/sb  # times only
//
// Copies of the 24 189 datasets get new ids; the archived ones are indexed
// too here, so that the index holds every record (24 189, then 120 945).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/relais-data/relais/pkg/searchindex"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/search/internal/corpus"
	"github.com/relais-data/relais/services/search/internal/docs"
	"github.com/relais-data/relais/services/search/internal/relevance"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "searchbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("searchbench", flag.ContinueOnError)
	copies := fs.String("copies", "1,5", "comma-separated numbers of copies of the export to index, one child process each")
	export := fs.String("export", corpus.SamplePath(), "data.gouv.fr dataset export (.csv or .csv.gz)")
	batch := fs.Int("batch", 1000, "documents per index batch")
	rounds := fs.Int("rounds", 3, "times each of the 200 queries is timed, after one warm-up round")
	dir := fs.String("dir", "", "directory for the index (a temporary one by default)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of one scale to this file")
	slowest := fs.Int("slowest", 0, "print the slowest queries, this many")
	keep := fs.Bool("keep", false, "keep the index in -dir and reuse it when present (times queries only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	scales := strings.Split(*copies, ",")
	if len(scales) > 1 {
		for _, c := range scales {
			child := exec.CommandContext(ctx, os.Args[0], "-copies", c, "-export", *export,
				"-batch", strconv.Itoa(*batch), "-rounds", strconv.Itoa(*rounds), "-dir", *dir, "-slowest", strconv.Itoa(*slowest),
				"-keep="+strconv.FormatBool(*keep))
			child.Stdout, child.Stderr = out, os.Stderr
			if err := child.Run(); err != nil {
				return fmt.Errorf("scale %s: %w", c, err)
			}
		}
		return nil
	}
	n, err := strconv.Atoi(scales[0])
	if err != nil || n < 1 {
		return fmt.Errorf("bad -copies %q", scales[0])
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *keep && *dir == "" {
		return fmt.Errorf("-keep needs -dir")
	}
	return bench(ctx, out, *export, n, *batch, *rounds, *dir, *slowest, *keep)
}

func bench(ctx context.Context, out io.Writer, export string, copies, batch, rounds int, dir string, slowest int, keep bool) error {
	sample, err := corpus.Load(export)
	if err != nil {
		return err
	}
	set, err := relevance.Load(relevance.TestSetPath())
	if err != nil {
		return err
	}
	queries := Queries(set, sample)
	for _, d := range sample {
		d.Archived = nil // index every record: the benchmark is about size
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "searchbench-*"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	path := filepath.Join(dir, fmt.Sprintf("index-%d", copies))
	_, statErr := os.Stat(path)
	reuse := keep && statErr == nil
	if !reuse {
		if err := os.RemoveAll(path); err != nil {
			return err
		}
	}
	idx, err := searchindex.OpenEmbedded(path, docs.DatasetSchema())
	if err != nil {
		return err
	}
	defer idx.Close()

	start, startCPU := time.Now(), cpuTime()
	indexed := len(sample) * copies
	if !reuse {
		// Copies are made as they are indexed, as a reindex streams
		// datasets from the catalog.
		indexed = 0
		for i := range copies {
			n, err := corpus.Index(ctx, idx, copyOf(sample, i), batch)
			if err != nil {
				return err
			}
			indexed += n
		}
	}
	build, buildCPU := time.Since(start), cpuTime()-startCPU
	size, err := dirSize(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d datasets: build %s (%.0f docs/s, %s of CPU), index %.1f MiB on disk\n",
		indexed, build.Round(time.Millisecond), float64(indexed)/build.Seconds(), buildCPU.Round(time.Millisecond), float64(size)/(1<<20))

	lat, cpu, slow, err := timeQueries(ctx, idx, queries, rounds)
	if err != nil {
		return err
	}
	if slowest > 0 {
		slices.SortFunc(slow, func(a, b timing) int { return int(b.took - a.took) })
		for _, s := range slow[:min(slowest, len(slow))] {
			fmt.Fprintf(out, "  slow: %-45q %8s  %d hits\n", s.text, ms(s.took), s.total)
		}
	}
	slices.Sort(lat)
	slices.Sort(cpu)
	q := func(d []time.Duration, p float64) time.Duration { return d[int(float64(len(d)-1)*p)] }
	fmt.Fprintf(out, "%d datasets: %d queries × %d with %d facets + last_update_range: p50 %s  p90 %s  p99 %s  max %s\n",
		indexed, len(queries), rounds, len(Facets), ms(q(lat, 0.5)), ms(q(lat, 0.9)), ms(q(lat, 0.99)), ms(lat[len(lat)-1]))
	fmt.Fprintf(out, "%d datasets: CPU time per query (what a query costs whatever the load): p50 %s  p90 %s  p99 %s\n",
		indexed, ms(q(cpu, 0.5)), ms(q(cpu, 0.9)), ms(q(cpu, 0.99)))
	rss, err := peakRSS()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d datasets: peak RSS %.0f MiB\n", indexed, float64(rss)/(1<<20))
	return nil
}

// copyOf is copy i of every dataset of the sample (corpus.Copy).
func copyOf(sample []*catalogv1.Dataset, i int) []*catalogv1.Dataset {
	out := make([]*catalogv1.Dataset, len(sample))
	for j, d := range sample {
		out[j] = corpus.Copy(d, i)
	}
	return out
}

// Facets are the term facets the gateway asks on every call of
// /api/2/datasets/search/ (services/gateway/internal/api/search.go).
var Facets = []string{
	docs.FieldBadge, docs.FieldFeatured, docs.FieldFormat, docs.FieldFormatFamily, docs.FieldGeozone,
	docs.FieldGranularity, docs.FieldLicense, docs.FieldOrganization, docs.FieldProducerType,
	docs.FieldSchema, docs.FieldTag,
}

// lastUpdateRange is udata's last_update_range facet, from now.
func lastUpdateRange(now time.Time) searchindex.RangeFacet {
	return searchindex.RangeFacet{Field: docs.FieldLastUpdate, Buckets: []searchindex.NamedRange{
		{Name: "last_30_days", Range: searchindex.Range{From: now.AddDate(0, 0, -30)}},
		{Name: "last_12_months", Range: searchindex.Range{From: now.AddDate(-1, 0, 0)}},
		{Name: "last_3_years", Range: searchindex.Range{From: now.AddDate(-3, 0, 0)}},
	}}
}

// Queries are the 200 fixed queries: the listing without text (the search
// page as it opens), the relevance set's queries, then the catalogue's most
// frequent tags as words, until 200.
func Queries(set []relevance.Query, sample []*catalogv1.Dataset) []string {
	out := []string{""}
	for _, q := range set {
		out = append(out, q.Text)
	}
	count := map[string]int{}
	for _, d := range sample {
		for _, t := range d.GetTags() {
			count[t]++
		}
	}
	tags := make([]string, 0, len(count))
	for t := range count {
		tags = append(tags, t)
	}
	slices.SortFunc(tags, func(a, b string) int {
		if count[a] != count[b] {
			return count[b] - count[a]
		}
		return strings.Compare(a, b)
	})
	for _, t := range tags {
		if len(out) == 200 {
			break
		}
		if words := strings.ReplaceAll(t, "-", " "); !slices.Contains(out, words) {
			out = append(out, words)
		}
	}
	return out
}

// timing is one timed query.
type timing struct {
	text  string
	took  time.Duration
	total int
}

// timeQueries runs every query once to warm up, then rounds times, timed
// by the clock and by the CPU time the process spent.
func timeQueries(ctx context.Context, idx searchindex.Index, queries []string, rounds int) (lat, cpu []time.Duration, all []timing, err error) {
	rf := map[string]searchindex.RangeFacet{"last_update_range": lastUpdateRange(time.Now())}
	for round := range rounds + 1 {
		for _, text := range queries {
			t0, c0 := time.Now(), cpuTime()
			res, err := idx.Search(ctx, searchindex.Query{Text: text, Facets: Facets, RangeFacets: rf})
			if err != nil {
				return nil, nil, nil, fmt.Errorf("query %q: %w", text, err)
			}
			if round > 0 {
				took := time.Since(t0)
				lat = append(lat, took)
				cpu = append(cpu, cpuTime()-c0)
				all = append(all, timing{text, took, res.Total})
			}
		}
	}
	return lat, cpu, all, nil
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func dirSize(path string) (int64, error) {
	var size int64
	err := filepath.Walk(path, func(_ string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !info.IsDir() {
			size += info.Size()
		}
		return nil
	})
	return size, err
}

// peakRSS reads the process's peak resident set size (VmHWM).
func peakRSS() (int64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("read VmHWM %q: %w", rest, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}
