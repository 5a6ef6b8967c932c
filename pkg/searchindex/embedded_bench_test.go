package searchindex_test

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/catalogexport"
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

// readCatalog reads data.gouv.fr's dataset export with pkg/catalogexport
// into documents of the suite's schema, skipping the benchmark when the
// file is absent.
func readCatalog(b *testing.B, path string) []searchindex.Document {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		b.Skipf("catalog sample %s absent", path)
	}
	require.NoError(b, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(b, err)
	rd, err := catalogexport.NewReader(gz)
	require.NoError(b, err)
	var docs []searchindex.Document
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(b, err)
		docs = append(docs, searchindex.Document{ID: rec.ID, Fields: map[string]any{
			"title":             rec.Title,
			"acronym":           rec.Acronym,
			"description":       rec.Description,
			"organization":      rec.OrganizationID,
			"organization_name": rec.Organization,
			"license":           rec.License,
			"tags":              rec.Tags,
			"format":            rec.ResourcesFormats,
			"created":           rec.CreatedAt,
			"last_update":       rec.LastModified,
			"views":             rec.Views,
		}})
	}
	return docs
}
