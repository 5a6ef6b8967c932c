package config

import (
	"slices"
	"strings"
)

// suggest returns up to three candidates close to name: same last segment, or
// a small edit distance. Closest first.
func suggest(name string, candidates []string) []string {
	type scored struct {
		s    string
		dist int
	}
	limit := max(2, len(name)/4)
	last := name[strings.LastIndexByte(name, '.')+1:]
	var found []scored
	for _, c := range candidates {
		d := editDistance(name, c)
		if d > limit && c[strings.LastIndexByte(c, '.')+1:] != last {
			continue
		}
		found = append(found, scored{c, d})
	}
	slices.SortStableFunc(found, func(a, b scored) int { return a.dist - b.dist })
	out := make([]string, 0, 3)
	for _, f := range found {
		if len(out) == 3 {
			break
		}
		out = append(out, f.s)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
