package searchindex

import (
	"bytes"
	"context"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
)

// facetsField holds every facet value of a document as a
// "<facet>\x00<value>" term, and its sort values as one term: rangeMark,
// then the values of the schema's sortable fields in order, separated by
// \x00 (empty when absent). Counting facets and range facets reads this one
// field's doc values, turned into ordinals once per segment (ordinalCache):
// bleve's facets read one field per facet (and a numeric field at 16
// precisions) per hit and count through two maps per value, which was most
// of the time of a search matching thousands of documents.
const facetsField = "__facet_terms"

// facetTerm is the term of facetsField for one value of a facet.
func facetTerm(facet, value string) string { return facet + "\x00" + value }

// rangeMark starts the term of facetsField that holds the sort values.
const rangeMark = '\x01'

// sortValuesTerm is the term of facetsField holding a document's values
// of the sortable fields (NaN for none).
func sortValuesTerm(values []float64) string {
	b := []byte{rangeMark}
	for i, v := range values {
		if i > 0 {
			b = append(b, 0)
		}
		if !math.IsNaN(v) {
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
	}
	return string(b)
}

// nthValue returns the n-th value of a sort values term, and false when
// the document has none.
func nthValue(term []byte, n int) (float64, bool) {
	rest := term[1:]
	for range n {
		i := bytes.IndexByte(rest, 0)
		if i < 0 {
			return 0, false
		}
		rest = rest[i+1:]
	}
	if i := bytes.IndexByte(rest, 0); i >= 0 {
		rest = rest[:i]
	}
	if len(rest) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(rest), 64)
	return v, err == nil
}

// facetCounter counts the facet values, and the range facet buckets, of
// every hit of one search, by the ordinals of its segment (ordinalCache).
// It also keeps the snapshot's ordinals, which rescore reads.
type facetCounter struct {
	snap  *snapshotOrdinals
	cache *ordinalCache
	// counts are by ordinal, lent by the cache: a slice as long as the
	// index has facet values (tens of thousands of tags) is zeroed once,
	// then only where a search counted (touched).
	counts  []int
	touched []uint32
	ranges  []*rangeCount
}

// rangeCount counts one range facet: the position of its field among the
// sortable ones, and a count per bucket.
type rangeCount struct {
	name   string
	field  int
	bounds [][2]*float64
	counts []int
}

// collect returns a context under which bleve's collector reads the
// snapshot's ordinals and, with count, hands every hit to the counter before
// its usual top-N handling.
func (fc *facetCounter) collect(ctx context.Context, cache *ordinalCache, sortable []string, count bool, rangeFacets map[string]RangeFacet) context.Context {
	fc.ranges = nil
	for name, rf := range rangeFacets {
		rc := &rangeCount{name: name, field: slices.Index(sortable, rf.Field), counts: make([]int, len(rf.Buckets))}
		for _, b := range rf.Buckets {
			from, to := rangeBounds(b.Range)
			rc.bounds = append(rc.bounds, [2]*float64{from, to})
		}
		fc.ranges = append(fc.ranges, rc)
	}
	var maker search.MakeDocumentMatchHandler = func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		next, loadID, err := collector.MakeTopNDocumentMatchHandler(sctx)
		if err != nil {
			return nil, false, err
		}
		snap, err := cache.forSnapshot(sctx.IndexReader, len(sortable))
		if err != nil {
			return nil, false, err
		}
		fc.snap = snap
		if !count {
			return next, loadID, nil
		}
		fc.cache, fc.counts = cache, cache.borrowCounts(len(snap.values))
		// Hits come in the order of their numbers: the segment changes
		// seldom.
		var seg *segmentOrdinals
		var first, end uint64
		return func(d *search.DocumentMatch) error {
			if d == nil {
				return next(d)
			}
			num := d.IndexInternalID.Value()
			if num < first || num >= end {
				seg, first = snap.segment(num)
				end = first + uint64(len(seg.start)-1)
			}
			doc := num - first
			for _, o := range seg.ords[seg.start[doc]:seg.start[doc+1]] {
				if fc.counts[o] == 0 {
					fc.touched = append(fc.touched, o)
				}
				fc.counts[o]++
			}
			for _, rc := range fc.ranges {
				if rc.field < 0 {
					continue
				}
				v := seg.sortValues[rc.field][doc]
				if math.IsNaN(v) {
					continue
				}
				for b, bounds := range rc.bounds {
					if (bounds[0] == nil || v >= *bounds[0]) && (bounds[1] == nil || v < *bounds[1]) {
						rc.counts[b]++
					}
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
	for _, o := range fc.touched {
		n := fc.counts[o]
		facet := fc.snap.facets[o]
		if values, ok := out[facet]; ok {
			out[facet] = keepTop(values, FacetValue{Name: fc.snap.values[o], Count: n}, size)
		}
	}
	for _, rc := range fc.ranges {
		rf := rangeFacets[rc.name]
		values := make([]FacetValue, 0, len(rf.Buckets))
		for b, bucket := range rf.Buckets {
			values = append(values, FacetValue{Name: bucket.Name, Count: rc.counts[b]})
		}
		out[rc.name] = values
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

// release gives the counts back to the cache, zeroed.
func (fc *facetCounter) release() {
	if fc.cache == nil {
		return
	}
	for _, o := range fc.touched {
		fc.counts[o] = 0
	}
	fc.cache.returnCounts(fc.counts)
	fc.cache, fc.counts, fc.touched = nil, nil, nil
}
