package analysis

import "math"

// hllP is the HyperLogLog precision: 2^12 one-byte registers (4 KiB per
// column), a standard error of 1.04/√4096 ≈ 1.6 %.
const hllP = 12

// hll estimates the number of distinct values of a column whose values no
// longer fit in the exact set, in constant memory (Flajolet et al. 2007,
// with the small-range correction).
type hll struct{ reg [1 << hllP]uint8 }

func (h *hll) add(x uint64) {
	i := x >> (64 - hllP)
	w := x<<hllP | 1<<(hllP-1) // never zero: at most 64-hllP+1 leading zeros
	rho := uint8(leadingZeros(w) + 1)
	if rho > h.reg[i] {
		h.reg[i] = rho
	}
}

func leadingZeros(x uint64) int {
	n := 0
	for x&(1<<63) == 0 {
		x <<= 1
		n++
	}
	return n
}

func (h *hll) estimate() int64 {
	const m = float64(1 << hllP)
	sum, zeros := 0.0, 0
	for _, r := range h.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	e := 0.7213 / (1 + 1.079/m) * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros))
	}
	return int64(math.Round(e))
}
