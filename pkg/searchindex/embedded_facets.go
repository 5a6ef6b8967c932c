package searchindex

import (
	"bytes"
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
)

// facetsField holds, as doc values, every facet value of a document as a
// "<facet>\x00<value>" term and every sort value as a
// "\x01<field>\x00<number>" term. Counting facets and range facets reads
// this one field per hit: bleve's facets read one field per facet (and a
// numeric field at 16 precisions) and count through two maps per value,
// which was most of the time of a search matching thousands of documents.
const facetsField = "__facet_values"

// facetTerm is the term of facetsField for one value of a facet.
func facetTerm(facet, value string) string { return facet + "\x00" + value }

// rangeMark starts the terms of facetsField that hold sort values.
const rangeMark = '\x01'

// rangeTerm is the term of facetsField for the value of a sortable field.
func rangeTerm(field string, v float64) string {
	return string(rangeMark) + field + "\x00" + strconv.FormatFloat(v, 'g', -1, 64)
}

// facetCounter counts the facet values, and the range facet buckets, of
// every hit of one search, reading each hit's doc values once.
type facetCounter struct {
	// counts are indexed by term: reading a map with a []byte key does
	// not allocate, adding to it does, so a term is added once and
	// counted in the slice.
	index  map[string]int
	counts []int
	// ranges are the range facets by sortable field, with their counts.
	ranges map[string][]*rangeCount
}

type rangeCount struct {
	name   string
	bounds [][2]*float64
	counts []int
}

// collect returns a context under which bleve's collector hands every hit
// to the counter before its usual top-N handling.
func (fc *facetCounter) collect(ctx context.Context, rangeFacets map[string]RangeFacet) context.Context {
	fc.index = map[string]int{}
	fc.counts = fc.counts[:0]
	fc.ranges = map[string][]*rangeCount{}
	for name, rf := range rangeFacets {
		rc := &rangeCount{name: name, counts: make([]int, len(rf.Buckets))}
		for _, b := range rf.Buckets {
			from, to := rangeBounds(b.Range)
			rc.bounds = append(rc.bounds, [2]*float64{from, to})
		}
		fc.ranges[rf.Field] = append(fc.ranges[rf.Field], rc)
	}
	visit := func(_ string, term []byte) {
		if len(term) == 0 || term[0] != rangeMark {
			if i, ok := fc.index[string(term)]; ok {
				fc.counts[i]++
			} else {
				fc.index[string(term)] = len(fc.counts)
				fc.counts = append(fc.counts, 1)
			}
			return
		}
		sep := bytes.IndexByte(term, 0)
		if sep < 0 {
			return
		}
		rcs := fc.ranges[string(term[1:sep])]
		if len(rcs) == 0 {
			return
		}
		v, err := strconv.ParseFloat(string(term[sep+1:]), 64)
		if err != nil {
			return
		}
		for _, rc := range rcs {
			for b, bounds := range rc.bounds {
				if (bounds[0] == nil || v >= *bounds[0]) && (bounds[1] == nil || v < *bounds[1]) {
					rc.counts[b]++
				}
			}
		}
	}
	fields := []string{facetsField}
	var maker search.MakeDocumentMatchHandler = func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		next, loadID, err := collector.MakeTopNDocumentMatchHandler(sctx)
		if err != nil {
			return nil, false, err
		}
		dvr, err := sctx.IndexReader.DocValueReader(fields)
		if err != nil {
			return nil, false, err
		}
		return func(d *search.DocumentMatch) error {
			if d != nil {
				if err := dvr.VisitDocValues(d.IndexInternalID, visit); err != nil {
					return err
				}
			}
			return next(d)
		}, loadID, nil
	}
	return context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, maker)
}

// result gives the size most frequent values of each facet asked for, by
// count descending then name, and the counts of the range facets' buckets
// in their order.
func (fc *facetCounter) result(facets []string, rangeFacets map[string]RangeFacet, size int) map[string][]FacetValue {
	out := make(map[string][]FacetValue, len(facets)+len(rangeFacets))
	for _, f := range facets {
		out[f] = []FacetValue{}
	}
	for term, at := range fc.index {
		n := fc.counts[at]
		i := strings.IndexByte(term, 0)
		if i < 0 {
			continue
		}
		if values, ok := out[term[:i]]; ok {
			out[term[:i]] = keepTop(values, FacetValue{Name: term[i+1:], Count: n}, size)
		}
	}
	for _, rcs := range fc.ranges {
		for _, rc := range rcs {
			rf := rangeFacets[rc.name]
			values := make([]FacetValue, 0, len(rf.Buckets))
			for b, bucket := range rf.Buckets {
				values = append(values, FacetValue{Name: bucket.Name, Count: rc.counts[b]})
			}
			out[rc.name] = values
		}
	}
	return out
}

// keepTop inserts v into values, sorted by count descending then name and
// at most size long: a facet may have tens of thousands of values (tags)
// of which a page shows ten.
func keepTop(values []FacetValue, v FacetValue, size int) []FacetValue {
	before := func(a, b FacetValue) bool { return a.Count > b.Count || (a.Count == b.Count && a.Name < b.Name) }
	if len(values) == size && !before(v, values[size-1]) {
		return values
	}
	i := sort.Search(len(values), func(i int) bool { return before(v, values[i]) })
	if len(values) < size {
		values = append(values, FacetValue{})
	}
	copy(values[i+1:], values[i:])
	values[i] = v
	return values
}
