package searchindex

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestKeepTop(t *testing.T) {
	var all []FacetValue
	for i := range 200 {
		all = append(all, FacetValue{Name: string(rune('a'+i%26)) + string(rune('a'+i/26)), Count: rand.IntN(20)})
	}
	for _, size := range []int{1, 3, 10, 500} {
		var top []FacetValue
		for _, v := range all {
			top = keepTop(top, v, size)
		}
		want := slices.Clone(all)
		sortFacetValues(want)
		assert.Equal(t, want[:min(size, len(want))], top, "size %d", size)
	}
}

func TestSortValuesTerm(t *testing.T) {
	term := []byte(sortValuesTerm([]float64{1.5, math.NaN(), -3e12, 0}))
	for n, want := range []struct {
		v  float64
		ok bool
	}{{1.5, true}, {0, false}, {-3e12, true}, {0, true}} {
		v, ok := nthValue(term, n)
		assert.Equal(t, want.ok, ok, "value %d", n)
		assert.Equal(t, want.v, v, "value %d", n)
	}
	_, ok := nthValue(term, 4)
	assert.False(t, ok, "beyond the last value")
}
