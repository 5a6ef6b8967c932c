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
	segments map[segment.Segment]*segmentEntry
	counts   sync.Pool // of *[]int, all zeros
}

// segmentEntry is a segment's ordinals, read once by the first search
// meeting the segment, without holding the cache's lock: other searches go
// on meanwhile (a merged segment of 120 000 documents takes 100 ms).
type segmentEntry struct {
	once sync.Once
	ords *segmentOrdinals
	err  error
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
	segments := snap.Segments()
	entries := c.entries(segments)
	out := &snapshotOrdinals{}
	var offset uint64
	for i, ss := range segments {
		seg, e := ss.Segment(), entries[i]
		e.once.Do(func() { e.ords, e.err = c.read(seg, sortable) })
		if e.err != nil {
			c.mu.Lock()
			if c.segments[seg] == e {
				delete(c.segments, seg) // the next search tries again
			}
			c.mu.Unlock()
			return nil, e.err
		}
		out.offsets = append(out.offsets, offset)
		out.segments = append(out.segments, e.ords)
		offset += seg.Count()
	}
	// Every ordinal of these segments is below the table's length now.
	c.mu.Lock()
	out.facets, out.values = c.facets, c.values
	c.mu.Unlock()
	return out, nil
}

// entries returns the entries of segments, adding those missing, and
// drops those of the segments the index no longer has.
func (c *ordinalCache) entries(segments []*scorch.SegmentSnapshot) []*segmentEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.segments == nil {
		c.segments = map[segment.Segment]*segmentEntry{}
		c.ordinal = map[string]uint32{}
	}
	out := make([]*segmentEntry, len(segments))
	live := make(map[segment.Segment]bool, len(segments))
	for i, ss := range segments {
		seg := ss.Segment()
		e, ok := c.segments[seg]
		if !ok {
			e = &segmentEntry{}
			c.segments[seg] = e
		}
		out[i] = e
		live[seg] = true
	}
	for seg := range c.segments {
		// A search still running on an older snapshot reads a dropped
		// segment again: merges are rare, searches on them short.
		if !live[seg] {
			delete(c.segments, seg)
		}
	}
	return out
}

// read reads the facet and sort values of every document of a segment,
// numbering the facet values in the segment, then, under the lock, turns
// these numbers into the cache's ordinals.
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
	local := map[string]uint32{}
	var terms []string // by number in the segment
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
		o, ok := local[string(term)]
		if !ok {
			o = uint32(len(terms))
			local[string(term)] = o
			terms = append(terms, string(term))
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
	ordinals := make([]uint32, len(terms))
	c.mu.Lock()
	for i, term := range terms {
		o, ok := c.ordinal[term]
		if !ok {
			// Every term of facetsField but the sort values is
			// "<facet>\x00<value>" (facetTerm).
			facet, value, _ := strings.Cut(term, "\x00")
			o = uint32(len(c.values))
			c.ordinal[term] = o
			c.facets = append(c.facets, facet)
			c.values = append(c.values, value)
		}
		ordinals[i] = o
	}
	c.mu.Unlock()
	for i, o := range so.ords {
		so.ords[i] = ordinals[o]
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
