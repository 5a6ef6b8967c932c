package analysis

import (
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strings"
	"unicode/utf8"
)

const (
	// maxKeyBytes: longer values are counted under their hash, so that a
	// column of 1 MB cells cannot fill memory; such a value shows in the
	// tops cut at this length, followed by "…".
	maxKeyBytes = 256
	// exactBudget bounds the values kept exactly, over all columns.
	exactBudget = 1 << 17
	// mgCounters is the number of Misra-Gries counters kept per column
	// once its values no longer fit in the exact set.
	mgCounters = 64
	// mgSample: past the exact set, one row in mgSample feeds the
	// Misra-Gries counters (their counts are scaled back). Frequent values
	// are still found; a column of unique values costs an eighth.
	mgSample = 8
	topN     = 10
)

// valueCounter counts a column's distinct values and most frequent ones in
// bounded memory: exactly up to cap distinct values; past that, a
// HyperLogLog sketch for the distinct count and Misra-Gries counters (seeded
// with the exact counts so far, fed one row in mgSample) for the most
// frequent values, whose counts are then estimates. Counters are
// keyed by the value's hash; the value itself is kept once seen twice, so a
// column of unique values costs no allocation per cell (and has no tops, as
// in csv-detective's profiles).
type valueCounter struct {
	cap    int
	exact  map[string]int64 // nil once overflowed
	sketch *hll
	mg     map[uint64]mgCounter
	tick   int
	seed   maphash.Seed
}

type mgCounter struct {
	n     int64
	value string // "" until seen twice
}

func newValueCounter(cap int, seed maphash.Seed) valueCounter {
	return valueCounter{cap: cap, exact: make(map[string]int64), seed: seed}
}

func (v *valueCounter) add(s string) {
	key := s
	if len(key) > maxKeyBytes {
		h := maphash.String(v.seed, s)
		n := maxKeyBytes
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		key = s[:n] + "\x00" + string(binary.LittleEndian.AppendUint64(nil, h))
	}
	if v.exact != nil {
		if n, ok := v.exact[key]; ok {
			v.exact[key] = n + 1
			return
		}
		if len(v.exact) < v.cap {
			v.exact[clone(key)] = 1
			return
		}
		v.overflow()
	}
	h := maphash.String(v.seed, key)
	v.sketch.add(h)
	if v.tick++; v.tick%mgSample != 0 {
		return
	}
	if c, ok := v.mg[h]; ok {
		c.n++
		if c.value == "" {
			c.value = clone(key)
		}
		v.mg[h] = c
		return
	}
	if len(v.mg) < mgCounters {
		v.mg[h] = mgCounter{n: 1}
		return
	}
	// Misra-Gries: every counter loses one and the value is dropped. The
	// counters of values seen once go, so a stream of unique values costs
	// one sweep per mgCounters values.
	for k, c := range v.mg {
		if c.n == 1 {
			delete(v.mg, k)
		} else {
			c.n--
			v.mg[k] = c
		}
	}
}

// clone copies a key out of the record it was sliced from, so the record's
// memory is not kept alive by the map.
func clone(s string) string { return string([]byte(s)) }

func (v *valueCounter) overflow() {
	v.sketch = &hll{}
	counts := make([]ValueCount, 0, len(v.exact))
	for k, n := range v.exact {
		v.sketch.add(maphash.String(v.seed, k))
		counts = append(counts, ValueCount{k, n})
	}
	sortCounts(counts)
	v.mg = make(map[uint64]mgCounter, mgCounters)
	for _, c := range counts[:min(len(counts), mgCounters)] {
		v.mg[maphash.String(v.seed, c.Value)] = mgCounter{n: (c.Count + mgSample - 1) / mgSample, value: c.Value}
	}
	v.exact = nil
}

// distinct returns the number of distinct values and whether it is exact.
func (v *valueCounter) distinct() (int64, bool) {
	if v.exact != nil {
		return int64(len(v.exact)), true
	}
	return max(v.sketch.estimate(), int64(v.cap)), false
}

// tops returns the most frequent values and whether their counts are exact.
func (v *valueCounter) tops() ([]ValueCount, bool) {
	counts := make([]ValueCount, 0, max(len(v.exact), len(v.mg)))
	for k, n := range v.exact {
		counts = append(counts, ValueCount{k, n})
	}
	for _, c := range v.mg {
		if c.value != "" {
			counts = append(counts, ValueCount{c.value, c.n * mgSample})
		}
	}
	exact := v.exact != nil
	sortCounts(counts)
	counts = counts[:min(len(counts), topN)]
	for i, c := range counts {
		if cut := strings.IndexByte(c.Value, 0); cut >= maxKeyBytes-utf8.UTFMax {
			counts[i].Value = c.Value[:cut] + "…"
		}
	}
	return counts, exact
}

func sortCounts(c []ValueCount) {
	slices.SortFunc(c, func(a, b ValueCount) int {
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return cmp.Compare(a.Value, b.Value)
	})
}
