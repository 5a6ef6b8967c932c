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
	req := bleve.NewSearchRequestOptions(e.buildQuery(q), q.PageSize, (q.Page-1)*q.PageSize, false)
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
	for _, f := range q.Facets {
		req.AddFacet(f, bleve.NewFacetRequest(keywordField(f), q.FacetSize))
	}
	for name, rf := range q.RangeFacets {
		fr := bleve.NewFacetRequest(sortField(rf.Field), len(rf.Buckets))
		for _, b := range rf.Buckets {
			from, to := rangeBounds(b.Range)
			fr.AddNumericRange(b.Name, from, to)
		}
		req.AddFacet(name, fr)
	}
	res, err := e.index.SearchInContext(ctx, req)
	if err != nil {
		return Result{}, fmt.Errorf("search %.80q: %w", q.Text, err)
	}
	out := Result{Total: int(res.Total), Hits: make([]Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, Hit{ID: h.ID, Score: h.Score})
	}
	if len(q.Facets) > 0 {
		out.Facets = make(map[string][]FacetValue, len(q.Facets))
		for _, f := range q.Facets {
			values := []FacetValue{}
			if fr := res.Facets[f]; fr != nil && fr.Terms != nil {
				for _, t := range fr.Terms.Terms() {
					values = append(values, FacetValue{Name: t.Term, Count: t.Count})
				}
			}
			sortFacetValues(values)
			out.Facets[f] = values
		}
	}
	if len(q.RangeFacets) > 0 && out.Facets == nil {
		out.Facets = make(map[string][]FacetValue, len(q.RangeFacets))
	}
	for name, rf := range q.RangeFacets {
		counts := map[string]int{}
		if fr := res.Facets[name]; fr != nil {
			for _, nr := range fr.NumericRanges {
				counts[nr.Name] = nr.Count
			}
		}
		values := make([]FacetValue, 0, len(rf.Buckets))
		for _, b := range rf.Buckets {
			values = append(values, FacetValue{Name: b.Name, Count: counts[b.Name]})
		}
		out.Facets[name] = values
	}
	return out, nil
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
func (e *embedded) buildQuery(q Query) query.Query {
	text := e.textQuery(q.Text)
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
	if text != nil && len(e.schema.Boosts) > 0 {
		return e.boosted(q0)
	}
	return q0
}

// boosted multiplies the score of each hit by the factors of the Boosts
// its doc values hold.
func (e *embedded) boosted(q query.Query) query.Query {
	var fields []string
	for _, b := range e.schema.Boosts {
		if f := keywordField(b.Field); !contains(fields, f) {
			fields = append(fields, f)
		}
	}
	boosts := e.schema.Boosts
	score := func(_ context.Context, d *search.DocumentMatch) (float64, error) {
		s := d.Score
		for _, b := range boosts {
			if holds(d.Fields[keywordField(b.Field)], b.Value) {
				s *= b.Factor
			}
		}
		return s, nil
	}
	return query.NewCustomScoreQueryWithScorer(q, score, fields, nil)
}

// holds says whether a doc value read for scoring (one value or several)
// includes value.
func holds(v any, value string) bool {
	switch v := v.(type) {
	case string:
		return v == value
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok && s == value {
				return true
			}
		}
	}
	return false
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

// textQuery matches any word of text in the searchable fields: its stem
// exactly in each field, weighing by the field's boost, and the whole word with
// typo tolerance in typoField, weighing less, so that a typo-free word, which
// matches both ways, ranks first. Documents holding more of the words score
// higher (bleve's disjunction coordination). It returns nil when text has no
// word left after analysis.
func (e *embedded) textQuery(text string) query.Query {
	words := e.analyze(text)
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
			fuzzy := query.NewFuzzyQuery(w.word)
			fuzzy.SetField(typoField)
			fuzzy.SetFuzziness(fuzziness)
			// The first letter must be right: Meilisearch counts a typo
			// there twice, and the dictionary walk gets much shorter.
			fuzzy.SetPrefix(1)
			fuzzy.SetBoost(fuzzyWeight)
			clauses = append(clauses, fuzzy)
		}
		perWord = append(perWord, query.NewDisjunctionQuery(clauses))
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
