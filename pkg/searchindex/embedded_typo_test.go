package searchindex_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/searchindex"
)

// TestEmbeddedTypoOnlyForUnknownWords checks that a word the index holds as
// written is matched as it is, while a word it does not hold still finds
// the words a typo away.
func TestEmbeddedTypoOnlyForUnknownWords(t *testing.T) {
	idx, err := searchindex.OpenEmbedded(t.TempDir()+"/index", searchindex.Schema{
		Searchable: []searchindex.Field{{Name: "title"}},
	})
	require.NoError(t, err)
	defer idx.Close()
	require.NoError(t, idx.Upsert(t.Context(),
		searchindex.Document{ID: "carte", Fields: map[string]any{"title": "Carte"}},
		searchindex.Document{ID: "carpe", Fields: map[string]any{"title": "Carpe"}},
	))
	for text, want := range map[string][]string{
		"carte": {"carte"},          // held: carpe, a typo away, is not meant
		"carpe": {"carpe"},          // held
		"carze": {"carte", "carpe"}, // not held: a typo from both
		"cartr": {"carte"},          // not held: a typo from carte, two from carpe
		"crate": {"carte"},          // a transposition is one typo
		"corpa": nil,                // two typos: a word of 5 letters gets one
	} {
		res, err := idx.Search(t.Context(), searchindex.Query{Text: text})
		require.NoError(t, err)
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		assert.ElementsMatch(t, want, got, "%q", text)
	}
}
