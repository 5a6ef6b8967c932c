package searchindex

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/meilisearch/meilisearch-go"
)

// This file translates a Query into Meilisearch search requests. Every
// function is pure, so that tests check the strings against Meilisearch's
// documented grammar without a server.

// meiliLocale is the language Meilisearch tokenizes queries and documents in.
const meiliLocale = "fra"

// meiliQuery is a validated Query as Meilisearch requests: the search, then
// one count-only search per range-facet bucket (Meilisearch's facetStats
// only gives the min and max of a numeric facet, not counts per range), all
// sent in one multi-search. Each asks for the relais__all facet, which
// counts the matching documents beyond maxTotalHits.
type meiliQuery struct {
	search  *meilisearch.SearchRequest
	buckets []meiliBucket
}

// meiliBucket counts the documents of one bucket of a range facet.
type meiliBucket struct {
	facet, name string
	search      *meilisearch.SearchRequest
}

// translateQuery turns q, validated by Schema.validate, into requests on the
// index uid.
func translateQuery(uid string, q Query) (meiliQuery, error) {
	conds, err := meiliConditions(q.Filters, q.Ranges)
	if err != nil {
		return meiliQuery{}, err
	}
	text := neutralizeText(q.Text)
	hitsPerPage := int64(q.PageSize)
	search := &meilisearch.SearchRequest{
		IndexUID:             uid,
		Query:                text,
		Filter:               meiliFilter(conds),
		Facets:               append(slices.Clone(q.Facets), meiliAllAttr),
		Sort:                 meiliSort(q.Sort),
		Page:                 int64(q.Page),
		HitsPerPage:          &hitsPerPage,
		AttributesToRetrieve: []string{meiliIDAttr},
		ShowRankingScore:     true,
		Locales:              []string{meiliLocale},
	}
	out := meiliQuery{search: search}
	names := make([]string, 0, len(q.RangeFacets))
	for name := range q.RangeFacets {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		rf := q.RangeFacets[name]
		for _, b := range rf.Buckets {
			cond, err := meiliRange(rf.Field, b.Range)
			if err != nil {
				return meiliQuery{}, fmt.Errorf("range facet %s: %w", name, err)
			}
			zero := int64(0)
			out.buckets = append(out.buckets, meiliBucket{facet: name, name: b.Name, search: &meilisearch.SearchRequest{
				IndexUID:             uid,
				Query:                text,
				Filter:               meiliFilter(append(slices.Clone(conds), cond...)),
				Facets:               []string{meiliAllAttr},
				Page:                 1,
				HitsPerPage:          &zero,
				AttributesToRetrieve: []string{meiliIDAttr},
				Locales:              []string{meiliLocale},
			}})
		}
	}
	return out, nil
}

// meiliFilter joins conditions with AND; nil when there are none, so that
// the request has no filter at all.
func meiliFilter(conds []string) any {
	if len(conds) == 0 {
		return nil
	}
	return strings.Join(conds, " AND ")
}

// meiliConditions are the conditions of Filters (AND across keys, in key
// order; OR within a key as IN) and of Ranges.
func meiliConditions(filters map[string][]string, ranges map[string]Range) ([]string, error) {
	var conds []string
	keys := make([]string, 0, len(filters))
	for k := range filters {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		values := filters[k]
		switch len(values) {
		case 0:
		case 1:
			conds = append(conds, k+" = "+quoteFilterValue(values[0]))
		default:
			quoted := make([]string, len(values))
			for i, v := range values {
				quoted[i] = quoteFilterValue(v)
			}
			conds = append(conds, k+" IN ["+strings.Join(quoted, ", ")+"]")
		}
	}
	fields := make([]string, 0, len(ranges))
	for f := range ranges {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for _, f := range fields {
		c, err := meiliRange(f, ranges[f])
		if err != nil {
			return nil, err
		}
		conds = append(conds, c...)
	}
	return conds, nil
}

// meiliRange is From <= field < To on the field's number (<name>__sort).
// Meilisearch's "a TO b" includes b, so the two ends are two conditions.
func meiliRange(field string, r Range) ([]string, error) {
	var conds []string
	for _, end := range []struct {
		bound any
		op    string
	}{{r.From, " >= "}, {r.To, " < "}} {
		if end.bound == nil {
			continue
		}
		v, err := sortValue(end.bound)
		if err != nil {
			return nil, fmt.Errorf("%w: range of %s: %v", ErrInvalidQuery, field, err)
		}
		n, err := formatFilterNumber(v)
		if err != nil {
			return nil, fmt.Errorf("%w: range of %s: %v", ErrInvalidQuery, field, err)
		}
		conds = append(conds, sortField(field)+end.op+n)
	}
	return conds, nil
}

// formatFilterNumber writes a number as a word of the filter grammar:
// digits, a dot and a sign, never an exponent.
func formatFilterNumber(v float64) (string, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "", fmt.Errorf("%v is not a finite number", v)
	}
	return strconv.FormatFloat(v, 'f', -1, 64), nil
}

// quoteFilterValue quotes a value for Meilisearch's filter grammar: inside
// double quotes, a backslash and a double quote are escaped with a
// backslash; nothing else is special there (the parser unescapes \" first,
// then backslash escapes, so every backslash must be doubled).
func quoteFilterValue(v string) string {
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('"')
	for _, r := range v {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// meiliSort is the sort parameter of a Query's Sort.
func meiliSort(s string) []string {
	switch {
	case s == "":
		return nil
	case strings.HasPrefix(s, "-"):
		return []string{sortField(s[1:]) + ":desc"}
	default:
		return []string{sortField(s) + ":asc"}
	}
}

// neutralizeText makes what a person typed pure data for Meilisearch, whose
// query syntax is a phrase between double quotes and a word negated by a
// leading '-' (a '-' separator right after whitespace or the start, then a
// word). Double quotes (and their look-alikes) become spaces; a dash stays
// only between a letter or digit and what follows ("Saint-Malo",
// "2020-2021"), otherwise it becomes a space. Control characters and
// invalid UTF-8 become spaces too. Meilisearch ignores words beyond
// MaxQueryWords itself.
func neutralizeText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	prev := rune(-1)
	for i, w := 0, 0; i < len(s); i += w {
		r, width := utf8.DecodeRuneInString(s[i:])
		w = width
		switch {
		case r == utf8.RuneError && width == 1, unicode.IsControl(r), isDoubleQuote(r):
			r = ' '
		case isDash(r) && !(prev >= 0 && (unicode.IsLetter(prev) || unicode.IsDigit(prev))):
			r = ' '
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// isDoubleQuote reports '"' and the characters a Unicode normalization can
// turn into one.
func isDoubleQuote(r rune) bool {
	switch r {
	case '"', '＂', '“', '”', '„', '‟', '«', '»', '″', '〃':
		return true
	}
	return false
}

// isDash reports '-' and the dashes and minus signs a normalization can
// turn into one.
func isDash(r rune) bool {
	return r == '-' || r == '−' || r == '﹣' || r == '－' || unicode.Is(unicode.Pd, r)
}
