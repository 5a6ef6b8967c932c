package analysis

import (
	"hash/maphash"
	"math"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

const (
	numericBits = 1<<fInt | 1<<fFloat | 1<<fLatitude | 1<<fLongitude | 1<<fYear
	isoDateBits = 1<<fDate | 1<<fDatetimeNaive | 1<<fDatetimeAware
	// generic formats are those tested through their test function; the
	// numeric and date ones are tested while computing their statistics.
	genericBits = (1<<nFormats - 1) &^ (1<<fInt | 1<<fFloat | isoDateBits | 1<<fDateFR)
)

// tolerance is the share of non-empty cells that may miss a format whose
// values are stored as text (codes, email, URL…): a postcode column with one
// typo "042620" among 2 000 rows is still a postcode column. Formats stored
// as numbers, booleans or dates tolerate no miss, so Parse never fails on a
// cell of a typed column.
const tolerance = 0.01

// columnState infers one column's format and gathers its statistics, one
// cell at a time.
type columnState struct {
	name      string
	cand      uint32          // remaining candidate formats
	miss      [nFormats]int64 // cells that missed a tolerant format
	labels    uint32          // formats the column name suggests
	nulls     int64
	nonNull   int64
	leadZero  bool // a value starting with 0 (codes, not numbers)
	values    valueCounter
	allInt    bool
	minI      int64
	maxI      int64
	n         float64 // Welford's running mean and variance
	mean, m2  float64
	minF      float64
	maxF      float64
	minT      time.Time
	maxT      time.Time
	haveTimes bool
}

func newColumnState(name string, valueCap int, seed maphash.Seed) *columnState {
	c := &columnState{name: name, labels: labelFormats(name), values: newValueCounter(valueCap, seed), allInt: true}
	c.cand = 1<<nFormats - 1
	for i, f := range formats {
		if f.needsLabel && c.labels&(1<<i) == 0 {
			c.cand &^= 1 << i
		}
	}
	return c
}

func (c *columnState) add(cell string) {
	s := trimCell(cell)
	if isNull(s) {
		c.nulls++
		return
	}
	c.nonNull++
	c.values.add(s)
	if s[0] == '0' && len(s) > 1 {
		c.leadZero = true
	}
	if c.cand == 0 {
		return
	}
	if c.cand&numericBits != 0 {
		c.addNumber(s)
	}
	if c.cand&isoDateBits != 0 {
		t, aware, ok := parseDatetime(s)
		switch {
		case !ok:
			c.cand &^= isoDateBits
		case aware:
			c.cand &^= 1<<fDate | 1<<fDatetimeNaive
		case len(s) > 10:
			c.cand &^= 1<<fDate | 1<<fDatetimeAware
		default:
			c.cand &^= 1 << fDatetimeAware
		}
		if ok {
			c.addTime(t)
		}
	}
	if c.cand&(1<<fDateFR) != 0 {
		if t, ok := parseDateFR(s); ok {
			c.addTime(t)
		} else {
			c.cand &^= 1 << fDateFR
		}
	}
	for rest := c.cand & genericBits; rest != 0; rest &= rest - 1 {
		i := trailingZeros(rest)
		if formats[i].test(s) {
			continue
		}
		c.miss[i]++
		// A strict format goes at the first miss, a tolerant one once it
		// clearly cannot end within the tolerance.
		if formats[i].typ != "string" || (c.miss[i] > 10 && float64(c.miss[i]) > 5*tolerance*float64(c.nonNull)) {
			c.cand &^= 1 << i
		}
	}
}

func (c *columnState) addNumber(s string) {
	var f float64
	if v, ok := parseInt(s); ok && c.allInt {
		f = float64(v)
		if c.nonNull == 1 || v < c.minI {
			c.minI = v
		}
		if c.nonNull == 1 || v > c.maxI {
			c.maxI = v
		}
	} else {
		c.allInt = false
		c.cand &^= 1<<fInt | 1<<fYear
		var ok bool
		if f, ok = parseFloat(s); !ok {
			c.cand &^= numericBits
			return
		}
	}
	c.n++
	d := f - c.mean
	c.mean += d / c.n
	c.m2 += d * (f - c.mean)
	if c.n == 1 || f < c.minF {
		c.minF = f
	}
	if c.n == 1 || f > c.maxF {
		c.maxF = f
	}
}

func (c *columnState) addTime(t time.Time) {
	if !c.haveTimes || t.Before(c.minT) {
		c.minT = t
	}
	if !c.haveTimes || t.After(c.maxT) {
		c.maxT = t
	}
	c.haveTimes = true
}

func trailingZeros(x uint32) int {
	n := 0
	for x&1 == 0 {
		x >>= 1
		n++
	}
	return n
}

// preference is the order in which a column's remaining candidates are
// chosen: the most specific format first. A code_postal or
// code_commune_insee needs either a column name saying so or a value only a
// code has (a leading zero, 2A/2B); five-digit numbers alone are numbers.
var preference = []int{
	fBool, fSIRET, fSIREN, fPostcode, fINSEE, fLatitude, fLongitude, fYear, fInt, fFloat,
	fDate, fDateFR, fDatetimeNaive, fDatetimeAware, fGeopoint, fEmail, fURL, fUUID, fObjectID, fJSON,
}

// column decides the column's format and returns it with its statistics.
func (c *columnState) column() Column {
	col := Column{Name: c.name, Type: "string", Format: "string", Score: 1, LabelFormat: "string"}
	for _, i := range preference {
		if c.labels&(1<<i) != 0 {
			col.LabelFormat = formats[i].name
			break
		}
	}
	if f := c.decide(c.labels); f >= 0 {
		col.Format, col.Type = formats[f].name, formats[f].typ
		col.Score = 1 - float64(c.miss[f])/float64(c.nonNull)
		if c.labels&(1<<f) != 0 {
			col.Score += 0.5
		}
	}
	col.FieldFormat = col.Format
	if f := c.decide(0); f != c.decide(c.labels) {
		col.FieldFormat = "string"
		if f >= 0 {
			col.FieldFormat = formats[f].name
		}
	}
	st := &col.Stats
	st.Nulls = c.nulls
	st.Distinct, st.DistinctExact = c.values.distinct()
	st.Tops, st.TopsExact = c.values.tops()
	switch col.Type {
	case "int":
		st.Min, st.Max = c.minI, c.maxI
	case "float":
		st.Min, st.Max = c.minF, c.maxF
	case "date":
		st.Min, st.Max = c.minT.Format(time.DateOnly), c.maxT.Format(time.DateOnly)
	case "datetime":
		st.Min, st.Max = formatDatetime(c.minT, col.Format == "datetime_aware"), formatDatetime(c.maxT, col.Format == "datetime_aware")
	}
	if (col.Type == "int" || col.Type == "float") && c.n > 0 {
		st.Mean, st.Std = finite(c.mean), finite(math.Sqrt(c.m2/c.n))
	}
	return col
}

// decide returns the column's format given the formats its name suggests
// (labels), -1 for a plain string.
func (c *columnState) decide(labels uint32) int {
	if c.nonNull == 0 {
		return -1
	}
	cand := c.cand
	for i, f := range formats {
		if f.needsLabel && labels&(1<<i) == 0 || float64(c.miss[i]) > tolerance*float64(c.nonNull) {
			cand &^= 1 << i
		}
	}
	if labels&(1<<fINSEE) != 0 && cand&(1<<fINSEE) != 0 {
		cand = 1 << fINSEE
	}
	if !c.leadZero && labels&(1<<fPostcode|1<<fINSEE) == 0 {
		cand &^= 1 << fPostcode
		if cand&(1<<fInt) != 0 {
			cand &^= 1 << fINSEE
		}
	}
	for _, i := range preference {
		if cand&(1<<i) != 0 {
			return i
		}
	}
	return -1
}

// finite is x, or 0 when values near ±1.8e308 overflowed the running sums
// (JSON has no infinities).
func finite(x float64) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return 0
	}
	return x
}

// labelFormats returns the formats whose words the column name holds:
// "Code INSEE de la commune" suggests code_commune_insee, "lat" latitude.
func labelFormats(name string) uint32 {
	norm := normalizeLabel(name)
	tokens := strings.Split(norm, "_")
	var mask uint32
	for i, f := range formats {
		for _, w := range f.label {
			if norm == w || (strings.Contains(w, "_") && strings.Contains("_"+norm+"_", "_"+w+"_")) || containsToken(tokens, w) {
				mask |= 1 << i
				break
			}
		}
	}
	return mask
}

func containsToken(tokens []string, w string) bool {
	for _, t := range tokens {
		if t == w {
			return true
		}
	}
	return false
}

// normalizeLabel lowercases, drops accents and joins words with "_".
func normalizeLabel(s string) string {
	var b strings.Builder
	under := true
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			under = false
		case !under:
			b.WriteByte('_')
			under = true
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}
