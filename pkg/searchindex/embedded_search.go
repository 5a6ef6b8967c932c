package searchindex

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// fuzzyWeight is the boost of a match with typo tolerance, below every field
// boost; an exact match earns it too, on top of its field's.
const fuzzyWeight = 0.3

func (e *embedded) Search(ctx context.Context, q Query) (Result, error) {
	q, err := e.schema.validate(q)
	if err != nil {
		return Result{}, err
	}
	words := e.analyze(q.Text)
	res, rescore, facets, err := e.search(ctx, q, words, true)
	if err == nil && res.Total == 0 && len(words) > 1 {
		// No document holds every word: rank those holding some.
		res, rescore, facets, err = e.search(ctx, q, words, false)
	}
	if err != nil {
		return Result{}, fmt.Errorf("search %.80q: %w", q.Text, err)
	}
	hits := res.Hits
	if rescore {
		first := (q.Page - 1) * q.PageSize
		hits = hits[min(first, len(hits)):min(first+q.PageSize, len(hits))]
	}
	out := Result{Total: int(res.Total), Hits: make([]Hit, 0, len(hits))}
	for _, h := range hits {
		out.Hits = append(out.Hits, Hit{ID: h.ID, Score: h.Score})
	}
	if len(q.Facets) > 0 || len(q.RangeFacets) > 0 {
		out.Facets = facets
	}
	return out, nil
}

// search runs one bleve search for q: the text's words all required
// (allWords), as udata's search requires them, or any of them.
func (e *embedded) search(ctx context.Context, q Query, words []queryWord, allWords bool) (*bleve.SearchResult, bool, map[string][]FacetValue, error) {
	from, size := (q.Page-1)*q.PageSize, q.PageSize
	rescore := q.Sort == "" && len(e.schema.Boosts) > 0 && from < rescoreWindow && len(words) > 0
	if rescore {
		// Fetch the whole window from the first hit, rescore it, then cut
		// the page out of it.
		from, size = 0, max(rescoreWindow, from+size)
	}
	req := bleve.NewSearchRequestOptions(e.buildQuery(q, words, allWords), size, from, false)
	// Ties keep the index's own document order, stable between pages: a
	// tie-break on _id would load every hit's id, the costliest part of
	// a search matching thousands of documents.
	switch {
	case q.Sort == "":
		req.SortBy([]string{"-_score"})
	case strings.HasPrefix(q.Sort, "-"):
		req.SortBy([]string{"-" + sortField(q.Sort[1:])})
	default:
		req.SortBy([]string{sortField(q.Sort)})
	}
	var fc facetCounter
	count := len(q.Facets) > 0 || len(q.RangeFacets) > 0
	if count || rescore {
		ctx = fc.collect(ctx, &e.ordinals, e.schema.Sortable, count, q.RangeFacets)
	}
	res, err := e.index.SearchInContext(ctx, req)
	if err != nil {
		return nil, false, nil, err
	}
	if rescore {
		e.rescore(res.Hits, fc.snap)
	}
	facets := fc.result(q.Facets, q.RangeFacets, q.FacetSize)
	fc.release()
	return res, rescore, facets, nil
}

func sortFacetValues(values []FacetValue) {
	sort.Slice(values, func(i, j int) bool {
		if values[i].Count != values[j].Count {
			return values[i].Count > values[j].Count
		}
		return values[i].Name < values[j].Name
	})
}

// buildQuery turns a Query into bleve query objects. User text only ever
// becomes analyzed terms: no query-string syntax is parsed.
func (e *embedded) buildQuery(q Query, words []queryWord, allWords bool) query.Query {
	text := e.textQuery(words, allWords)
	var must []query.Query
	if text != nil {
		must = append(must, text)
	}
	keys := make([]string, 0, len(q.Filters))
	for k := range q.Filters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var values []query.Query
		for _, v := range q.Filters[k] {
			t := query.NewTermQuery(v)
			t.SetField(keywordField(k))
			values = append(values, t)
		}
		if len(values) == 0 {
			continue
		}
		filter := query.NewDisjunctionQuery(values)
		if text != nil {
			filter.SetBoost(0) // filters narrow; only the text ranks
		}
		must = append(must, filter)
	}
	fields := make([]string, 0, len(q.Ranges))
	for f := range q.Ranges {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		from, to := rangeBounds(q.Ranges[f])
		inclusive, exclusive := true, false
		r := query.NewNumericRangeInclusiveQuery(from, to, &inclusive, &exclusive)
		r.SetField(sortField(f))
		if text != nil {
			r.SetBoost(0)
		}
		must = append(must, r)
	}
	var q0 query.Query
	switch len(must) {
	case 0:
		return query.NewMatchAllQuery()
	case 1:
		q0 = must[0]
	default:
		q0 = query.NewConjunctionQuery(must)
	}
	return q0
}

// rescoreWindow is how many of the best text matches the Boosts reorder
// (Elasticsearch's rescore window): their boost values are read for these
// hits only, where multiplying every hit's score cost a quarter of the time
// of a search matching thousands of documents. The window is the same for
// every page, so that pages do not overlap.
const rescoreWindow = 100

// rescore multiplies the scores of the first hits (up to rescoreWindow) by
// the factors of the Boosts they hold, read from their facet ordinals, and
// sorts them again.
func (e *embedded) rescore(hits search.DocumentMatchCollection, snap *snapshotOrdinals) {
	top := hits[:min(len(hits), rescoreWindow)]
	for _, h := range top {
		for _, o := range snap.ordinals(h.IndexInternalID.Value()) {
			for _, b := range e.schema.Boosts {
				if snap.facets[o] == b.Field && snap.values[o] == b.Value {
					h.Score *= b.Factor
				}
			}
		}
	}
	sort.SliceStable(top, func(i, j int) bool { return top[i].Score > top[j].Score })
}

// boostFields are the keyword fields the Boosts read.
func boostFields(s Schema) []string {
	var out []string
	for _, b := range s.Boosts {
		if !contains(out, b.Field) {
			out = append(out, b.Field)
		}
	}
	return out
}

// rangeBounds turns a validated Range into bleve's numeric bounds.
func rangeBounds(r Range) (from, to *float64) {
	if r.From != nil {
		v, _ := sortValue(r.From) // checked by Schema.validate
		from = &v
	}
	if r.To != nil {
		v, _ := sortValue(r.To)
		to = &v
	}
	return from, to
}

// textQuery matches the words of the query in the searchable fields: each
// word's stem exactly in each field, weighing by the field's boost, and the
// whole word in typoField, weighing less (with typo tolerance unless the
// index holds it as written: typoQuery), so that a typo-free word, which
// matches both ways, ranks first. With allWords a
// document must hold every word (in any field); otherwise any word will do
// and documents holding more of them score higher (bleve's disjunction
// coordination). It returns nil when no word is left after analysis.
func (e *embedded) textQuery(words []queryWord, allWords bool) query.Query {
	if len(words) == 0 {
		return nil
	}
	perWord := make([]query.Query, 0, len(words))
	for _, w := range words {
		var clauses []query.Query
		for _, f := range e.schema.Searchable {
			boost := f.Boost
			if boost <= 0 {
				boost = 1
			}
			stem := query.NewTermQuery(w.stem)
			stem.SetField(f.Name)
			stem.SetBoost(boost)
			clauses = append(clauses, stem)
		}
		if fuzziness := typoBudget(w.word); fuzziness > 0 {
			clauses = append(clauses, newTypoQuery(w.word, fuzziness))
		}
		perWord = append(perWord, query.NewDisjunctionQuery(clauses))
	}
	if allWords && len(perWord) > 1 {
		return query.NewConjunctionQuery(perWord)
	}
	return query.NewDisjunctionQuery(perWord)
}

// queryWord is one word of the query text, whole and stemmed.
type queryWord struct{ word, stem string }

// analyze returns the distinct words of text, at most MaxQueryWords: the
// French analyzer gives the stems, the words analyzer the whole words at the
// same positions.
func (e *embedded) analyze(text string) []queryWord {
	m := e.index.Mapping()
	stems, whole := m.AnalyzerNamed(frenchAnalyzer), m.AnalyzerNamed(wordsAnalyzer)
	if stems == nil || whole == nil {
		return nil
	}
	byPosition := map[int]string{}
	for _, tok := range whole.Analyze([]byte(text)) {
		byPosition[tok.Position] = string(tok.Term)
	}
	var words []queryWord
	seen := map[string]bool{}
	for _, tok := range stems.Analyze([]byte(text)) {
		stem := string(tok.Term)
		word, ok := byPosition[tok.Position]
		if stem == "" || !ok || seen[word] {
			continue
		}
		seen[word] = true
		words = append(words, queryWord{word: word, stem: stem})
		if len(words) == MaxQueryWords {
			break
		}
	}
	return words
}

// maxTypoWordLength bounds the words given typo tolerance: no French word is
// longer, and bleve's automaton for a longer one can exceed its size limit.
const maxTypoWordLength = 40

// typoBudget is Meilisearch's default typo tolerance: one typo from 5
// characters, two from 9.
func typoBudget(term string) int {
	switch n := utf8.RuneCountInString(term); {
	case n > maxTypoWordLength:
		return 0
	case n >= 9:
		return 2
	case n >= 5:
		return 1
	default:
		return 0
	}
}
