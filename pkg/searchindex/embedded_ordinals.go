package searchindex

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// ordinalCache holds the facet values and sort values of every document,
// read once per segment from facetsField's doc values: each facet value as
// an ordinal, an index into one table of the index's facet values. Counting
// a hit's facets then adds to a slice at its ordinals, where reading its doc
// values again and counting them by their bytes through a map was most of
// the time of a search matching thousands of documents. Segments never
// change once written, so their ordinals are read when a search first meets
// them (a merged segment costs one read of its doc values) and dropped when
// the index no longer has them. Its zero value is ready to use.
type ordinalCache struct {
	mu       sync.Mutex
	facets   []string // by ordinal: the facet of the value
	values   []string // by ordinal: the value
	ordinal  map[string]uint32
	segments map[segment.Segment]*segmentOrdinals
	counts   sync.Pool // of *[]int, all zeros
}

// segmentOrdinals are the values of the documents of one segment, by their
// number in the segment (deleted documents included: they are never hits).
type segmentOrdinals struct {
	// start[d]:start[d+1] are the positions of document d's ordinals in
	// ords.
	start []uint32
	ords  []uint32
	// sortValues[i][d] is document d's value of the i-th sortable field,
	// NaN when it has none: a range facet reads one field of every hit.
	sortValues [][]float64
}

// snapshotOrdinals are the ordinals of the segments of one index snapshot,
// in its order, and the facet value table as it was once they were read.
type snapshotOrdinals struct {
	offsets  []uint64 // the number of the first document of each segment
	segments []*segmentOrdinals
	facets   []string
	values   []string
}

// segment returns the segment holding document num of the snapshot, and
// the number of its first document.
func (s *snapshotOrdinals) segment(num uint64) (*segmentOrdinals, uint64) {
	// The last segment starting at or before num (empty segments start
	// where the next one does).
	i, _ := slices.BinarySearch(s.offsets, num+1)
	return s.segments[i-1], s.offsets[i-1]
}

// ordinals returns the ordinals of the facet values of document num.
func (s *snapshotOrdinals) ordinals(num uint64) []uint32 {
	seg, first := s.segment(num)
	doc := num - first
	return seg.ords[seg.start[doc]:seg.start[doc+1]]
}

// forSnapshot returns the ordinals of the segments of reader, reading those
// of the segments it meets first.
func (c *ordinalCache) forSnapshot(reader index.IndexReader, sortable int) (*snapshotOrdinals, error) {
	snap, ok := reader.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("count facets: index reader %T is not scorch's", reader)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.segments == nil {
		c.segments = map[segment.Segment]*segmentOrdinals{}
		c.ordinal = map[string]uint32{}
	}
	out := &snapshotOrdinals{}
	live := map[segment.Segment]bool{}
	var offset uint64
	for _, ss := range snap.Segments() {
		seg := ss.Segment()
		so, ok := c.segments[seg]
		if !ok {
			var err error
			if so, err = c.read(seg, sortable); err != nil {
				return nil, err
			}
			c.segments[seg] = so
		}
		live[seg] = true
		out.offsets = append(out.offsets, offset)
		out.segments = append(out.segments, so)
		offset += seg.Count()
	}
	for seg := range c.segments {
		// A search still running on an older snapshot reads a dropped
		// segment again: merges are rare, searches on them short.
		if !live[seg] {
			delete(c.segments, seg)
		}
	}
	out.facets, out.values = c.facets, c.values
	return out, nil
}

// read reads the facet and sort values of every document of a segment.
func (c *ordinalCache) read(seg segment.Segment, sortable int) (*segmentOrdinals, error) {
	n := seg.Count()
	so := &segmentOrdinals{start: make([]uint32, 1, n+1), sortValues: make([][]float64, sortable)}
	for i := range so.sortValues {
		so.sortValues[i] = make([]float64, n)
		for d := range so.sortValues[i] {
			so.sortValues[i][d] = math.NaN()
		}
	}
	dv, ok := seg.(segment.DocValueVisitable)
	if !ok {
		return nil, fmt.Errorf("count facets: segment %T has no doc values", seg)
	}
	fields := []string{facetsField}
	var state segment.DocVisitState
	var doc uint64
	visit := func(_ string, term []byte) {
		if len(term) > 0 && term[0] == rangeMark {
			for i := range sortable {
				if v, ok := nthValue(term, i); ok {
					so.sortValues[i][doc] = v
				}
			}
			return
		}
		o, ok := c.ordinal[string(term)]
		if !ok {
			facet, value, found := strings.Cut(string(term), "\x00")
			if !found {
				return
			}
			o = uint32(len(c.values))
			c.ordinal[string(term)] = o
			c.facets = append(c.facets, facet)
			c.values = append(c.values, value)
		}
		so.ords = append(so.ords, o)
	}
	for doc = 0; doc < n; doc++ {
		var err error
		if state, err = dv.VisitDocValues(doc, fields, visit, state); err != nil {
			return nil, fmt.Errorf("count facets: read document %d: %w", doc, err)
		}
		so.start = append(so.start, uint32(len(so.ords)))
	}
	return so, nil
}

// borrowCounts lends a slice of n zeros, to give back with returnCounts.
func (c *ordinalCache) borrowCounts(n int) []int {
	if p, ok := c.counts.Get().(*[]int); ok && len(*p) >= n {
		return (*p)[:n]
	}
	return make([]int, n)
}

// returnCounts takes back a slice lent by borrowCounts, zeroed again.
func (c *ordinalCache) returnCounts(counts []int) {
	counts = counts[:cap(counts)]
	c.counts.Put(&counts)
}
