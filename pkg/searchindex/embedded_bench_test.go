package searchindex_test

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/searchindex"
	"github.com/relais-data/relais/pkg/searchindex/searchindextest"
)

// catalogSample is one dataset in five of data.gouv.fr's export.
const catalogSample = "/work/shared/data/catalog/datagouv-export-dataset-20260116-sample-1in5.csv.gz"

var benchQueries = []string{"élections municipales", "qualité de l'eau", "budget Rennes"}

// BenchmarkSearch indexes the catalog sample in the embedded backend, then
// runs three French queries in turn, without facets and with two, reporting
// queries/s and the p99 latency.
func BenchmarkSearch(b *testing.B) {
	docs := readCatalog(b, catalogSample)
	idx, err := searchindex.OpenEmbedded(b.TempDir()+"/index", searchindextest.DatasetSchema)
	require.NoError(b, err)
	b.Cleanup(func() { _ = idx.Close() })
	ctx := context.Background()
	start := time.Now()
	for batch := range slices.Chunk(docs, 500) {
		require.NoError(b, idx.Upsert(ctx, batch...))
	}
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
			slices.Sort(latencies)
			var total time.Duration
			for _, l := range latencies {
				total += l
			}
			b.ReportMetric(float64(len(latencies))/total.Seconds(), "queries/s")
			b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// readCatalog reads data.gouv.fr's dataset export (gzipped, semicolon CSV)
// into documents, skipping the benchmark when the file is absent.
func readCatalog(b *testing.B, path string) []searchindex.Document {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		b.Skipf("catalog sample %s absent", path)
	}
	require.NoError(b, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(b, err)
	r := csv.NewReader(gz)
	r.Comma = ';'
	r.LazyQuotes = true
	header, err := r.Read()
	require.NoError(b, err)
	col := map[string]int{}
	for i, name := range header {
		col[name] = i
	}
	var docs []searchindex.Document
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(b, err)
		get := func(name string) string { return rec[col[name]] }
		fields := map[string]any{
			"title":             get("title"),
			"acronym":           get("acronym"),
			"description":       get("description"),
			"organization":      get("organization_id"),
			"organization_name": get("organization"),
			"license":           get("license"),
			"tags":              splitList(get("tags")),
			"format":            splitList(get("resources_formats")),
		}
		for field, column := range map[string]string{"created": "created_at", "last_update": "last_modified"} {
			if v := get(column); v != "" {
				fields[field] = v
			}
		}
		if views, err := strconv.Atoi(get("metric.views")); err == nil {
			fields["views"] = views
		}
		docs = append(docs, searchindex.Document{ID: get("id"), Fields: fields})
	}
	return docs
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
