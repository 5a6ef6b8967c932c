package geo

import (
	"fmt"
	"strconv"
)

// coordParser reads GeoJSON coordinates — arrays of arrays of numbers —
// straight from their bytes: encoding/json's reflection made this the most
// expensive step of Simplify. Altitudes are read and dropped. The input
// has already been checked as JSON by the decoder; the parser still
// refuses anything but numbers where positions are due.
type coordParser struct {
	b []byte
	i int
}

func (p *coordParser) fail(want string) error {
	if p.i >= len(p.b) {
		return fmt.Errorf("ends where %s was expected", want)
	}
	return fmt.Errorf("%q at byte %d where %s was expected", p.b[p.i], p.i, want)
}

func (p *coordParser) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

// list reads '[' elem (',' elem)* ']', calling elem for each element.
func (p *coordParser) list(elem func() error) error {
	p.space()
	if p.i >= len(p.b) || p.b[p.i] != '[' {
		return p.fail("an array")
	}
	p.i++
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		p.space()
		if p.i >= len(p.b) {
			return p.fail("',' or ']'")
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return nil
		default:
			return p.fail("',' or ']'")
		}
	}
}

// number reads a JSON number.
func (p *coordParser) number() (float64, error) {
	p.space()
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if (c < '0' || c > '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			break
		}
		p.i++
	}
	if start == p.i {
		return 0, p.fail("a number")
	}
	v, err := strconv.ParseFloat(string(p.b[start:p.i]), 64)
	if err != nil {
		return 0, fmt.Errorf("bad number %q", p.b[start:p.i])
	}
	return v, nil
}

// position reads [lon, lat, …] into two numbers appended to flat.
func (p *coordParser) position(flat []float64) ([]float64, error) {
	n := 0
	err := p.list(func() error {
		v, err := p.number()
		if err != nil {
			return err
		}
		if n < 2 {
			flat = append(flat, v)
		}
		n++
		return nil
	})
	if err == nil && n < 2 {
		err = fmt.Errorf("a position with %d numbers", n)
	}
	return flat, err
}

// line reads an array of positions.
func (p *coordParser) line() ([][]float64, error) {
	flat := make([]float64, 0, 64)
	err := p.list(func() error {
		var err error
		flat, err = p.position(flat)
		return err
	})
	if err != nil {
		return nil, err
	}
	line := make([][]float64, len(flat)/2)
	for k := range line {
		line[k] = flat[2*k : 2*k+2 : 2*k+2]
	}
	return line, nil
}

func (p *coordParser) lines() ([][][]float64, error) {
	var out [][][]float64
	err := p.list(func() error {
		l, err := p.line()
		out = append(out, l)
		return err
	})
	return out, err
}

func (p *coordParser) polygons() ([][][][]float64, error) {
	var out [][][][]float64
	err := p.list(func() error {
		l, err := p.lines()
		out = append(out, l)
		return err
	})
	return out, err
}

// end checks that nothing but spaces follows the coordinates.
func (p *coordParser) end() error {
	p.space()
	if p.i != len(p.b) {
		return p.fail("the end of the coordinates")
	}
	return nil
}
