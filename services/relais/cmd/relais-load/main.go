// Command relais-load measures the HTTP API of a running Relais: it reads
// data.gouv.fr's catalogue export to know real slugs, organizations and
// tags, then drives each scenario with N concurrent clients for a fixed
// time and prints requests/s and latency percentiles.
//
// By default the load comes from wrk (Debian's package), as in
// ../shared/LIMITS.md, fed with a Lua script of sampled URLs per scenario:
// it leaves more of the machine to the server than a Go client does.
// -tool=go uses the built-in Go client instead.
//
//	relais-load -base http://127.0.0.1:8080 -export ../shared/data/catalog/…csv.gz -c 32 -d 10s
package main

import (
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/relais-data/relais/services/relais/internal/demo"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "Relais base URL")
	export := flag.String("export", "", "data.gouv.fr export the portal was loaded with (.csv.gz)")
	clients := flag.Int("c", 32, "concurrent clients")
	duration := flag.Duration("d", 10*time.Second, "duration of each scenario")
	only := flag.String("only", "", "comma-separated scenario names to run (default: all)")
	tool := flag.String("tool", "wrk", "load generator: wrk (Debian's package) or go")
	flag.Parse()
	if *export == "" {
		log.Fatal("-export is required")
	}
	corpus, err := readCorpus(*export)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("load: %s, %d connections, %s per scenario\n", *tool, *clients, *duration)
	fmt.Printf("%-28s %10s %9s %9s %9s %9s %7s\n", "scenario", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors")
	for _, sc := range scenarios(*base, corpus) {
		if *only != "" && !strings.Contains(","+*only+",", ","+sc.name+",") {
			continue
		}
		var r result
		if *tool == "wrk" {
			r, err = driveWrk(*base, sc, *clients, *duration)
			if err != nil {
				log.Fatal(err)
			}
		} else {
			r = drive(sc, *clients, *duration)
		}
		fmt.Printf("%-28s %10.0f %9.2f %9.2f %9.2f %9.2f %7d\n", sc.name, r.rps, ms(r.p50), ms(r.p90), ms(r.p99), ms(r.max), r.errors)
	}
}

type corpus struct {
	slugs, ids, orgs, tags []string
}

// readCorpus keeps the public datasets' slugs and ids, and the
// organizations and tags that have at least 20 datasets (list pages that
// are full).
func readCorpus(path string) (corpus, error) {
	f, err := os.Open(path)
	if err != nil {
		return corpus{}, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return corpus{}, err
	}
	rd, err := demo.NewReader(gz)
	if err != nil {
		return corpus{}, err
	}
	var c corpus
	orgs, tags := map[string]int{}, map[string]int{}
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return corpus{}, err
		}
		if !rec.Archived.IsZero() {
			continue
		}
		c.slugs = append(c.slugs, rec.Slug)
		c.ids = append(c.ids, rec.ID)
		if rec.OrganizationID != "" {
			orgs[rec.OrganizationID]++
		}
		for _, t := range rec.Tags {
			tags[t]++
		}
	}
	c.orgs, c.tags = atLeast(orgs, 20), atLeast(tags, 20)
	return c, nil
}

func atLeast(counts map[string]int, n int) []string {
	var out []string
	for k, v := range counts {
		if v >= n && len(k) >= 3 && len(k) <= 96 {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

type scenario struct {
	name string
	url  func(r *rand.Rand) string
}

func scenarios(base string, c corpus) []scenario {
	pick := func(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }
	return []scenario{
		{"get dataset by slug", func(r *rand.Rand) string { return base + "/api/1/datasets/" + pick(r, c.slugs) + "/" }},
		{"get dataset by id", func(r *rand.Rand) string { return base + "/api/1/datasets/" + pick(r, c.ids) + "/" }},
		{"list page 1-10", func(r *rand.Rand) string {
			return fmt.Sprintf("%s/api/1/datasets/?page=%d&page_size=20", base, 1+r.IntN(10))
		}},
		{"list by organization", func(r *rand.Rand) string {
			return base + "/api/1/datasets/?page_size=20&organization=" + pick(r, c.orgs)
		}},
		{"list by tag", func(r *rand.Rand) string {
			return base + "/api/1/datasets/?page_size=20&tag=" + url.QueryEscape(pick(r, c.tags))
		}},
	}
}

type result struct {
	rps                float64
	p50, p90, p99, max time.Duration
	errors             int
}

func drive(sc scenario, clients int, d time.Duration) result {
	transport := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	defer transport.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	errs := 0
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 42))
			lat := make([]time.Duration, 0, 4096)
			bad := 0
			for ctx.Err() == nil {
				t0 := time.Now()
				res, err := client.Get(sc.url(r))
				if err != nil {
					if ctx.Err() == nil {
						bad++
					}
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					bad++
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all = append(all, lat...)
			errs += bad
			mu.Unlock()
		}(uint64(i))
	}
	wg.Wait()
	elapsed := time.Since(start)
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	q := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(p*float64(len(all))))]
	}
	return result{rps: float64(len(all)) / elapsed.Seconds(), p50: q(0.50), p90: q(0.90), p99: q(0.99), max: q(1), errors: errs}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
