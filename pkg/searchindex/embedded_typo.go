package searchindex

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// typoQuery matches a word with typo tolerance, unless the index holds the
// word as it is written: then the word is taken as meant, and matched
// exactly. A fuzzy match walks the dictionary and reads the postings of
// every word a typo away, and for a common word ("commune": communes,
// commun, communs…) reading them was most of the time of its search; the
// stem clauses still find the word's other forms.
type typoQuery struct{ *query.FuzzyQuery }

func newTypoQuery(word string, fuzziness int) typoQuery {
	fuzzy := query.NewFuzzyQuery(word)
	fuzzy.SetField(typoField)
	fuzzy.SetFuzziness(fuzziness)
	// The first letter must be right: Meilisearch counts a typo there
	// twice, and the dictionary walk gets much shorter.
	fuzzy.SetPrefix(1)
	fuzzy.SetBoost(fuzzyWeight)
	return typoQuery{fuzzy}
}

func (q typoQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	tfr, err := r.TermFieldReader(ctx, []byte(q.Term), q.Field(), false, false, false)
	if err != nil {
		return nil, fmt.Errorf("look up %q: %w", q.Term, err)
	}
	n := tfr.Count()
	if err := tfr.Close(); err != nil {
		return nil, fmt.Errorf("look up %q: %w", q.Term, err)
	}
	if n == 0 {
		return q.FuzzyQuery.Searcher(ctx, r, m, options)
	}
	exact := query.NewTermQuery(q.Term)
	exact.SetField(q.Field())
	exact.SetBoost(q.Boost())
	return exact.Searcher(ctx, r, m, options)
}
