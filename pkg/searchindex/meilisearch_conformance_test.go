package searchindex_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meilisearch/meilisearch-go"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/searchindex"
	"github.com/relais-data/relais/pkg/searchindex/searchindextest"
)

// meiliTestServer is the Meilisearch server the conformance suite and the
// benchmark run against: RELAIS_TEST_MEILI_URL (and RELAIS_TEST_MEILI_KEY
// when it has a master key). Without it they skip, saying so.
func meiliTestServer(tb testing.TB) searchindex.MeiliConfig {
	url := os.Getenv("RELAIS_TEST_MEILI_URL")
	if url == "" {
		tb.Skip("Meilisearch conformance suite SKIPPED (and its benchmark): no Meilisearch server. Run it with " +
			"RELAIS_TEST_MEILI_URL=http://localhost:7700 [RELAIS_TEST_MEILI_KEY=<master key>] go test ./pkg/searchindex -run Meilisearch [-bench Meilisearch] " +
			"(e.g. after docker run -p 7700:7700 getmeili/meilisearch:latest; meilisearch-go v0.37 targets current v1 servers)")
	}
	return searchindex.MeiliConfig{URL: url, APIKey: os.Getenv("RELAIS_TEST_MEILI_KEY")}
}

var notUID = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// meiliTestIndex names an index for tb, unique per run, and deletes it and
// its rebuilds when tb ends.
func meiliTestIndex(tb testing.TB, cfg searchindex.MeiliConfig) string {
	uid := fmt.Sprintf("relais_test_%d_%s", time.Now().UnixNano(), notUID.ReplaceAllString(tb.Name(), "_"))
	if len(uid) > 200 {
		uid = uid[:200]
	}
	tb.Cleanup(func() {
		client := meilisearch.New(cfg.URL, meilisearch.WithAPIKey(cfg.APIKey))
		defer client.Close()
		ctx := context.Background()
		list, err := client.ListIndexes(ctx, &meilisearch.IndexesQuery{Limit: 1000})
		if err != nil {
			tb.Logf("list indexes to clean up: %v", err)
			return
		}
		for _, ix := range list.Results {
			if ix.UID == uid || strings.HasPrefix(ix.UID, uid+"_rebuild_") {
				if task, err := client.DeleteIndex(ctx, ix.UID); err == nil {
					_, _ = client.WaitForTask(ctx, task.TaskUID, 50*time.Millisecond)
				}
			}
		}
	})
	return uid
}

func TestMeilisearchConformance(t *testing.T) {
	cfg := meiliTestServer(t)
	var mu sync.Mutex
	uids := map[*testing.T]string{}
	searchindextest.Run(t, func(t *testing.T, schema searchindex.Schema) searchindex.Index {
		mu.Lock()
		uid, ok := uids[t]
		if !ok {
			uid = meiliTestIndex(t, cfg)
			uids[t] = uid
		}
		mu.Unlock()
		c := cfg
		c.Index = uid
		idx, err := searchindex.OpenMeilisearch(context.Background(), c, schema)
		require.NoError(t, err)
		return idx
	})
}

// BenchmarkMeilisearch indexes the catalog sample into a real Meilisearch
// (RELAIS_TEST_MEILI_URL), then runs the French queries of BenchmarkSearch
// with and without facets, reporting the indexing time, queries/s and the
// p99 latency as the embedded benchmark does.
func BenchmarkMeilisearch(b *testing.B) {
	cfg := meiliTestServer(b)
	docs := readCatalog(b, catalogSample)
	cfg.Index = meiliTestIndex(b, cfg)
	ctx := context.Background()
	idx, err := searchindex.OpenMeilisearch(ctx, cfg, searchindextest.DatasetSchema)
	require.NoError(b, err)
	b.Cleanup(func() { _ = idx.Close() })
	start := time.Now()
	require.NoError(b, idx.Upsert(ctx, docs...))
	b.Logf("indexed %d datasets in %s", len(docs), time.Since(start).Round(time.Millisecond))

	for _, facets := range [][]string{nil, {"organization", "tags"}} {
		b.Run(fmt.Sprintf("facets=%d", len(facets)), func(b *testing.B) {
			latencies := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				q := searchindex.Query{Text: benchQueries[i%len(benchQueries)], Facets: facets}
				t0 := time.Now()
				if _, err := idx.Search(ctx, q); err != nil {
					b.Fatal(err)
				}
				latencies = append(latencies, time.Since(t0))
			}
			b.StopTimer()
			reportLatencies(b, latencies)
		})
	}
}

// reportLatencies reports queries/s and the p99 latency of a run.
func reportLatencies(b *testing.B, latencies []time.Duration) {
	slices.Sort(latencies)
	var total time.Duration
	for _, l := range latencies {
		total += l
	}
	b.ReportMetric(float64(len(latencies))/total.Seconds(), "queries/s")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
}
