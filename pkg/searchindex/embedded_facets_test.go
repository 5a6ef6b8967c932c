package searchindex

import (
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
