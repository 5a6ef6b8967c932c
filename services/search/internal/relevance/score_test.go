package relevance

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/relais-data/relais/pkg/searchindex"
)

func TestScore(t *testing.T) {
	q := Query{Text: "budget", Kind: "word", Relevant: []Judgment{{ID: "a", Grade: 3}, {ID: "b", Grade: 1}, {ID: "c", Grade: 2}}}
	o := score(q, []searchindex.Hit{{ID: "b"}, {ID: "a"}, {ID: "x"}, {ID: "c"}})
	assert.Equal(t, []string{"b", "a", "x", "c"}, o.Top)
	assert.Equal(t, 2, o.Rank, "a related (grade 1) dataset first is not an answer")
	// DCG of b(1), a(3), x(0), c(2) against the ideal a(3), c(2), b(1).
	dcg := 1/math.Log2(2) + 7/math.Log2(3) + 3/math.Log2(5)
	ideal := 7/math.Log2(2) + 3/math.Log2(3) + 1/math.Log2(4)
	assert.InDelta(t, dcg/ideal, o.NDCG, 1e-9)

	none := score(q, []searchindex.Hit{{ID: "x"}, {ID: "b"}})
	assert.Equal(t, 0, none.Rank)

	var hits []searchindex.Hit
	for range 12 {
		hits = append(hits, searchindex.Hit{ID: "x"})
	}
	hits = append(hits, searchindex.Hit{ID: "a"})
	deep := score(q, hits)
	assert.Equal(t, 0, deep.Rank, "beyond the first page is a miss")
	assert.Len(t, deep.Top, Depth)
	assert.Zero(t, deep.NDCG)

	rep := Report{Outcomes: []Outcome{o, none}}
	assert.Len(t, rep.Misses(), 2)
	rep.Outcomes[1].Query.Kind = "typo"
	assert.Equal(t, map[string]float64{"word": 0.5, "typo": 0}, rep.ByKind())
}
