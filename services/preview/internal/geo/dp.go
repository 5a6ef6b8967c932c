package geo

// douglasPeucker returns the vertices of line that lie farther than tol
// from the simplified line through them (Ramer-Douglas-Peucker, with an
// explicit stack so that a million-vertex line cannot exhaust the
// goroutine stack). Both ends are kept. Distances are planar, in degrees:
// the result is for display, not for measurement.
func douglasPeucker(line [][]float64, tol float64) [][]float64 {
	n := len(line)
	if n <= 2 {
		return line
	}
	keep := make([]bool, n)
	keep[0], keep[n-1] = true, true
	tol2 := tol * tol
	stack := [][2]int{{0, n - 1}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		far, farD := -1, tol2
		for i := s[0] + 1; i < s[1]; i++ {
			if d := segDist2(line[i], line[s[0]], line[s[1]]); d > farD {
				far, farD = i, d
			}
		}
		if far >= 0 {
			keep[far] = true
			stack = append(stack, [2]int{s[0], far}, [2]int{far, s[1]})
		}
	}
	out := make([][]float64, 0, 16)
	for i, k := range keep {
		if k {
			out = append(out, line[i])
		}
	}
	return out
}

// simplifyRing simplifies a closed ring, keeping it a ring: a ring that
// would collapse under tol keeps its first vertex, the vertex farthest
// from it and the vertex farthest from that chord, so that small islands
// stay visible rather than vanish.
func simplifyRing(ring [][]float64, tol float64) [][]float64 {
	if len(ring) < 4 {
		return ring
	}
	out := douglasPeucker(ring, tol)
	if len(out) >= 4 {
		return out
	}
	a := 0
	b, bd := 1, -1.0
	for i := 1; i < len(ring)-1; i++ {
		if d := dist2(ring[i], ring[a]); d > bd {
			b, bd = i, d
		}
	}
	c, cd := -1, -1.0
	for i := 1; i < len(ring)-1; i++ {
		if i == b {
			continue
		}
		if d := segDist2(ring[i], ring[a], ring[b]); d > cd {
			c, cd = i, d
		}
	}
	if c < 0 {
		return ring
	}
	if c < b {
		b, c = c, b
	}
	return [][]float64{ring[a], ring[b], ring[c], ring[len(ring)-1]}
}

func dist2(p, q []float64) float64 {
	dx, dy := p[0]-q[0], p[1]-q[1]
	return dx*dx + dy*dy
}

// segDist2 is the squared distance from p to the segment ab.
func segDist2(p, a, b []float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	if dx == 0 && dy == 0 {
		return dist2(p, a)
	}
	t := ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / (dx*dx + dy*dy)
	switch {
	case t < 0:
		t = 0
	case t > 1:
		t = 1
	}
	ex, ey := p[0]-(a[0]+t*dx), p[1]-(a[1]+t*dy)
	return ex*ex + ey*ey
}
