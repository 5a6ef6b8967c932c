package searchindex_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/searchindex"
)

// TestEmbeddedBoosts checks that a boost reorders equally relevant
// documents in text searches and leaves listings alone.
func TestEmbeddedBoosts(t *testing.T) {
	schema := searchindex.Schema{
		Searchable: []searchindex.Field{{Name: "title", Boost: 1}},
		Filterable: []string{"featured", "producer"},
		Boosts: []searchindex.Boost{
			{Field: "featured", Value: "true", Factor: 1.5},
			{Field: "producer", Value: "public-service", Factor: 1.2},
		},
	}
	idx, err := searchindex.OpenEmbedded(t.TempDir()+"/index", schema)
	require.NoError(t, err)
	defer idx.Close()
	doc := func(id string, featured bool, producers ...string) searchindex.Document {
		return searchindex.Document{ID: id, Fields: map[string]any{"title": "Budget primitif", "featured": featured, "producer": producers}}
	}
	require.NoError(t, idx.Upsert(t.Context(),
		doc("a", false), doc("b", false, "company", "public-service"), doc("c", true), doc("d", true, "public-service")))

	res, err := idx.Search(t.Context(), searchindex.Query{Text: "budget"})
	require.NoError(t, err)
	require.Len(t, res.Hits, 4)
	assert.Equal(t, []string{"d", "c", "b", "a"}, hitIDs(res))
	assert.InDelta(t, 1.5*1.2, res.Hits[0].Score/res.Hits[3].Score, 1e-9)
	assert.InDelta(t, 1.2, res.Hits[2].Score/res.Hits[3].Score, 1e-9)

	_, err = searchindex.OpenEmbedded(t.TempDir()+"/bad", searchindex.Schema{
		Searchable: []searchindex.Field{{Name: "title"}},
		Boosts:     []searchindex.Boost{{Field: "title", Value: "x", Factor: 2}},
	})
	assert.Error(t, err, "a boost needs a filterable field")
}

func hitIDs(res searchindex.Result) []string {
	out := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return out
}
