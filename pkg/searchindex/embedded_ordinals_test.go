package searchindex_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/searchindex"
)

// TestEmbeddedFacetsAcrossSegments checks the facet counts, read from the
// ordinals of each segment, against counts made here, while batches add,
// replace and delete documents: each batch is a segment, merged in the
// background, so searches meet new segments, merged ones and deleted
// documents in old ones.
func TestEmbeddedFacetsAcrossSegments(t *testing.T) {
	schema := searchindex.Schema{
		Searchable: []searchindex.Field{{Name: "title"}},
		Filterable: []string{"kind", "tag"},
		Facets:     []string{"kind", "tag"},
		Sortable:   []string{"size"},
	}
	idx, err := searchindex.OpenEmbedded(t.TempDir()+"/index", schema)
	require.NoError(t, err)
	defer idx.Close()

	type doc struct {
		word, kind string
		tags       []string
		size       int
	}
	rng := rand.New(rand.NewPCG(1, 2))
	live := map[string]doc{}
	for batch := range 12 {
		var docs []searchindex.Document
		for range 40 {
			// Ids repeat across batches: a later batch replaces.
			id := fmt.Sprintf("d%d", rng.IntN(300))
			d := doc{word: []string{"budget", "eau"}[rng.IntN(2)], kind: fmt.Sprintf("k%d", rng.IntN(4)), size: rng.IntN(100)}
			for _, n := range rng.Perm(20)[:rng.IntN(4)] {
				d.tags = append(d.tags, fmt.Sprintf("t%d", batch+n))
			}
			live[id] = d
			docs = append(docs, searchindex.Document{ID: id, Fields: map[string]any{
				"title": d.word + " " + id, "kind": d.kind, "tag": d.tags, "size": d.size,
			}})
		}
		require.NoError(t, idx.Upsert(t.Context(), docs...))
		if batch%3 == 2 {
			var gone []string
			for id := range live {
				if rng.IntN(5) == 0 {
					gone = append(gone, id)
					delete(live, id)
				}
			}
			require.NoError(t, idx.Delete(t.Context(), gone...))
		}

		for _, word := range []string{"", "budget"} {
			want := map[string]map[string]int{"kind": {}, "tag": {}}
			small, total := 0, 0
			for _, d := range live {
				if word != "" && d.word != word {
					continue
				}
				total++
				want["kind"][d.kind]++
				for _, tag := range d.tags {
					want["tag"][tag]++
				}
				if d.size < 50 {
					small++
				}
			}
			res, err := idx.Search(t.Context(), searchindex.Query{
				Text: word, Facets: []string{"kind", "tag"}, FacetSize: 1000,
				RangeFacets: map[string]searchindex.RangeFacet{"sizes": {Field: "size", Buckets: []searchindex.NamedRange{
					{Name: "small", Range: searchindex.Range{To: 50}},
				}}},
			})
			require.NoError(t, err)
			assert.Equal(t, total, res.Total, "batch %d %q", batch, word)
			for facet, values := range want {
				got := map[string]int{}
				for _, v := range res.Facets[facet] {
					got[v.Name] = v.Count
				}
				assert.Equal(t, values, got, "batch %d %q facet %s", batch, word, facet)
			}
			assert.Equal(t, []searchindex.FacetValue{{Name: "small", Count: small}}, res.Facets["sizes"], "batch %d %q", batch, word)
		}
	}
}

// TestEmbeddedFacetsConcurrent searches with facets while batches are
// indexed: every search, whichever segments it meets, counts each hit once
// (each document has one kind).
func TestEmbeddedFacetsConcurrent(t *testing.T) {
	schema := searchindex.Schema{
		Searchable: []searchindex.Field{{Name: "title"}},
		Filterable: []string{"kind"},
		Facets:     []string{"kind"},
	}
	idx, err := searchindex.OpenEmbedded(t.TempDir()+"/index", schema)
	require.NoError(t, err)
	defer idx.Close()

	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				res, err := idx.Search(t.Context(), searchindex.Query{Text: "budget", Facets: []string{"kind"}})
				if !assert.NoError(t, err) {
					return
				}
				sum := 0
				for _, v := range res.Facets["kind"] {
					sum += v.Count
				}
				assert.Equal(t, res.Total, sum)
			}
		})
	}
	for batch := range 20 {
		var docs []searchindex.Document
		for i := range 50 {
			docs = append(docs, searchindex.Document{ID: fmt.Sprintf("d%d", (batch*50+i)%600), Fields: map[string]any{
				"title": "budget", "kind": fmt.Sprintf("k%d", (batch+i)%3),
			}})
		}
		require.NoError(t, idx.Upsert(t.Context(), docs...))
	}
	close(done)
	wg.Wait()
}
