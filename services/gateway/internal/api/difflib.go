package api

import (
	"cmp"
	"slices"
)

// closeMatches is Python's difflib.get_close_matches(word, possibilities,
// n, cutoff): the possibilities whose SequenceMatcher ratio with word is
// at least cutoff, best first (ties: the greater string first, as
// heapq.nlargest orders (score, string) pairs).
func closeMatches(word string, possibilities []string, n int, cutoff float64) []string {
	b := []rune(word)
	m := newMatcher(b)
	type scored struct {
		score float64
		s     string
	}
	var result []scored
	for _, x := range possibilities {
		a := []rune(x)
		total := len(a) + len(b)
		if total == 0 {
			continue
		}
		if ratio(2*min(len(a), len(b)), total) < cutoff { // real_quick_ratio
			continue
		}
		if ratio(2*multisetIntersection(a, b), total) < cutoff { // quick_ratio
			continue
		}
		if r := ratio(2*m.matches(a), total); r >= cutoff {
			result = append(result, scored{r, x})
		}
	}
	slices.SortFunc(result, func(p, q scored) int {
		if c := cmp.Compare(q.score, p.score); c != 0 {
			return c
		}
		return cmp.Compare(q.s, p.s)
	})
	out := make([]string, 0, min(n, len(result)))
	for i := 0; i < len(result) && i < n; i++ {
		out = append(out, result[i].s)
	}
	return out
}

func ratio(matches, total int) float64 {
	return float64(matches) / float64(total)
}

func multisetIntersection(a, b []rune) int {
	avail := make(map[rune]int, len(b))
	for _, r := range b {
		avail[r]++
	}
	n := 0
	for _, r := range a {
		if avail[r] > 0 {
			avail[r]--
			n++
		}
	}
	return n
}

// matcher is SequenceMatcher with seq2 = b fixed, isjunk None and
// autojunk on (elements of b more frequent than 1% are "popular" and left
// out of the index when b has 200 elements or more).
type matcher struct {
	b   []rune
	b2j map[rune][]int
}

func newMatcher(b []rune) *matcher {
	b2j := make(map[rune][]int)
	for j, r := range b {
		b2j[r] = append(b2j[r], j)
	}
	if n := len(b); n >= 200 {
		ntest := n/100 + 1
		for r, idx := range b2j {
			if len(idx) > ntest {
				delete(b2j, r)
			}
		}
	}
	return &matcher{b: b, b2j: b2j}
}

// matches is the total size of get_matching_blocks(a, b).
func (m *matcher) matches(a []rune) int {
	type span struct{ alo, ahi, blo, bhi int }
	queue := []span{{0, len(a), 0, len(m.b)}}
	total := 0
	for len(queue) > 0 {
		q := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		i, j, k := m.longest(a, q.alo, q.ahi, q.blo, q.bhi)
		if k == 0 {
			continue
		}
		total += k
		if q.alo < i && q.blo < j {
			queue = append(queue, span{q.alo, i, q.blo, j})
		}
		if i+k < q.ahi && j+k < q.bhi {
			queue = append(queue, span{i + k, q.ahi, j + k, q.bhi})
		}
	}
	return total
}

// longest is find_longest_match(alo, ahi, blo, bhi).
func (m *matcher) longest(a []rune, alo, ahi, blo, bhi int) (int, int, int) {
	besti, bestj, bestsize := alo, blo, 0
	j2len := map[int]int{}
	for i := alo; i < ahi; i++ {
		newj2len := map[int]int{}
		for _, j := range m.b2j[a[i]] {
			if j < blo {
				continue
			}
			if j >= bhi {
				break
			}
			k := j2len[j-1] + 1
			newj2len[j] = k
			if k > bestsize {
				besti, bestj, bestsize = i-k+1, j-k+1, k
			}
		}
		j2len = newj2len
	}
	// Extend over equal elements left out of the index (popular ones); with
	// no junk function this is the only extension difflib makes.
	for besti > alo && bestj > blo && a[besti-1] == m.b[bestj-1] {
		besti, bestj, bestsize = besti-1, bestj-1, bestsize+1
	}
	for besti+bestsize < ahi && bestj+bestsize < bhi && a[besti+bestsize] == m.b[bestj+bestsize] {
		bestsize++
	}
	return besti, bestj, bestsize
}
