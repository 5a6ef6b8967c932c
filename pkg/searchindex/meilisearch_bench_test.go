package searchindex

import (
	"context"
	"encoding/json"
	"testing"
)

// benchMeiliQuery is a udata-like query: text, filters, facets, a sort and
// the last_update_range facet.
var benchMeiliQuery = Query{
	Text:     `budget "Rennes" -2023 l'eau`,
	Filters:  map[string][]string{"organization": {"rennes", "paris"}, "tags": {"finances"}},
	Facets:   []string{"organization", "tags", "license", "format"},
	Sort:     "-last_update",
	Page:     2,
	PageSize: 20,
	RangeFacets: map[string]RangeFacet{"last_update_range": {Field: "last_update", Buckets: []NamedRange{
		{Name: "last_30_days", Range: Range{From: "2026-10-28"}},
		{Name: "last_12_months", Range: Range{From: "2025-11-27"}},
		{Name: "last_3_years", Range: Range{From: "2023-11-27"}},
	}}},
}

// BenchmarkMeiliTranslate measures the pure translation of a query into
// Meilisearch's requests, JSON included.
func BenchmarkMeiliTranslate(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		q, err := testMeiliSchema.validate(benchMeiliQuery)
		if err != nil {
			b.Fatal(err)
		}
		mq, err := translateQuery("relais_datasets", q)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(mq.search); err != nil {
			b.Fatal(err)
		}
		for _, bk := range mq.buckets {
			if _, err := json.Marshal(bk.search); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkMeiliSearchFake measures the adapter's own cost of one search on
// loopback HTTP: translation, the client, the fake server's canned answer
// of 20 hits and facets, and the mapping back (no Meilisearch work).
func BenchmarkMeiliSearchFake(b *testing.B) {
	f := newFakeMeili(b)
	f.set(func() { f.pendingPolls = 0 })
	idx, err := OpenMeilisearch(context.Background(), MeiliConfig{URL: f.URL(), Index: "bench"}, testMeiliSchema)
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	answer := `{"hits":[` + repeatJoin(`{"id":"5e2f0b3a8b4c410f6fdb4b21","_rankingScore":0.9}`, 20) +
		`],"query":"budget","processingTimeMs":1,"hitsPerPage":20,"page":2,"totalPages":9,"totalHits":170,` +
		`"facetDistribution":{"organization":{"rennes":90,"paris":80},"tags":{"finances":170,"budget":12},"license":{"lov2":150,"odbl":20},"format":{"csv":160,"pdf":10}},"facetStats":{}}`
	f.set(func() { f.search = func(map[string]any) string { return answer } })
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := idx.Search(ctx, benchMeiliQuery); err != nil {
			b.Fatal(err)
		}
	}
}

func repeatJoin(s string, n int) string {
	out := s
	for range n - 1 {
		out += "," + s
	}
	return out
}
