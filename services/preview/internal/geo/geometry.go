package geo

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// maxNesting bounds GeometryCollections inside GeometryCollections.
const maxNesting = 8

// geometry is a decoded GeoJSON geometry; which field is set depends on
// typ. Positions keep longitude and latitude only: altitude does not show
// on a map.
type geometry struct {
	typ     string
	point   []float64       // Point
	line    [][]float64     // MultiPoint, LineString
	lines   [][][]float64   // MultiLineString, Polygon
	polys   [][][][]float64 // MultiPolygon
	members []*geometry     // GeometryCollection
}

// rawGeometry is a GeoJSON geometry with its coordinates still encoded.
type rawGeometry struct {
	Type        string            `json:"type"`
	Coordinates json.RawMessage   `json:"coordinates"`
	Geometries  []json.RawMessage `json:"geometries"`
}

// parseGeometry decodes and checks a geometry, adding its vertices to b.
// A nil geometry (null) is nil.
func parseGeometry(g *rawGeometry, b *bounds, depth int) (*geometry, error) {
	if g == nil {
		return nil, nil
	}
	out := &geometry{typ: g.Type}
	p := &coordParser{b: g.Coordinates}
	var err error
	switch g.Type {
	case "Point":
		out.point, err = p.position(make([]float64, 0, 2))
	case "MultiPoint", "LineString":
		out.line, err = p.line()
	case "MultiLineString", "Polygon":
		out.lines, err = p.lines()
	case "MultiPolygon":
		out.polys, err = p.polygons()
	case "GeometryCollection":
		if depth >= maxNesting {
			return nil, fmt.Errorf("%w: GeometryCollections nested more than %d deep", ErrInvalid, maxNesting)
		}
		for i, raw := range g.Geometries {
			var m *rawGeometry
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, fmt.Errorf("%w: member %d: %v", ErrInvalid, i+1, err)
			}
			mg, err := parseGeometry(m, b, depth+1)
			if err != nil {
				return nil, fmt.Errorf("member %d: %w", i+1, err)
			}
			if mg != nil {
				out.members = append(out.members, mg)
			}
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%w: unknown geometry type %q", ErrInvalid, g.Type)
	}
	if err == nil {
		err = p.end()
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s coordinates: %v", ErrInvalid, g.Type, err)
	}
	if err := out.each(func(p []float64) error {
		if !validLonLat(p[0], p[1]) {
			return fmt.Errorf("%w: %s: position [%g, %g] is not a WGS 84 longitude/latitude (a projected system such as Lambert-93?)", ErrInvalid, g.Type, p[0], p[1])
		}
		b.add(p[0], p[1])
		return nil
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// each calls fn with every position of g.
func (g *geometry) each(fn func([]float64) error) error {
	if g.point != nil {
		if err := fn(g.point); err != nil {
			return err
		}
	}
	for _, p := range g.line {
		if err := fn(p); err != nil {
			return err
		}
	}
	for _, l := range g.lines {
		for _, p := range l {
			if err := fn(p); err != nil {
				return err
			}
		}
	}
	for _, poly := range g.polys {
		for _, l := range poly {
			for _, p := range l {
				if err := fn(p); err != nil {
					return err
				}
			}
		}
	}
	for _, m := range g.members {
		if err := m.each(fn); err != nil {
			return err
		}
	}
	return nil
}

// vertices counts the positions of g.
func (g *geometry) vertices() int64 {
	var n int64
	g.each(func([]float64) error { n++; return nil })
	return n
}

// simplified returns g with Douglas-Peucker applied to every line and
// ring; g itself is left as it is, so that it can be simplified again at
// another tolerance.
func (g *geometry) simplified(tol float64) *geometry {
	s := *g
	switch g.typ {
	case "LineString":
		s.line = douglasPeucker(g.line, tol)
	case "MultiLineString", "Polygon":
		simplify := douglasPeucker
		if g.typ == "Polygon" {
			simplify = simplifyRing
		}
		s.lines = make([][][]float64, len(g.lines))
		for i, l := range g.lines {
			s.lines[i] = simplify(l, tol)
		}
	case "MultiPolygon":
		s.polys = make([][][][]float64, len(g.polys))
		for i, poly := range g.polys {
			s.polys[i] = make([][][]float64, len(poly))
			for j, ring := range poly {
				s.polys[i][j] = simplifyRing(ring, tol)
			}
		}
	case "GeometryCollection":
		s.members = make([]*geometry, len(g.members))
		for i, m := range g.members {
			s.members[i] = m.simplified(tol)
		}
	}
	return &s
}

// appendJSON writes g as GeoJSON, coordinates rounded to prec decimals.
func (g *geometry) appendJSON(b []byte, prec int) []byte {
	b = append(b, `{"type":`...)
	b = strconv.AppendQuote(b, g.typ)
	if g.typ == "GeometryCollection" {
		b = append(b, `,"geometries":[`...)
		for i, m := range g.members {
			if i > 0 {
				b = append(b, ',')
			}
			b = m.appendJSON(b, prec)
		}
		return append(b, "]}"...)
	}
	b = append(b, `,"coordinates":`...)
	scale := math.Pow10(prec)
	switch g.typ {
	case "Point":
		b = appendPos(b, g.point, scale)
	case "MultiPoint", "LineString":
		b = appendLine(b, g.line, scale)
	case "MultiLineString", "Polygon":
		b = appendLines(b, g.lines, scale)
	case "MultiPolygon":
		b = append(b, '[')
		for i, poly := range g.polys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendLines(b, poly, scale)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendLines(b []byte, lines [][][]float64, scale float64) []byte {
	b = append(b, '[')
	for i, l := range lines {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendLine(b, l, scale)
	}
	return append(b, ']')
}

func appendLine(b []byte, line [][]float64, scale float64) []byte {
	b = append(b, '[')
	for i, p := range line {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPos(b, p, scale)
	}
	return append(b, ']')
}

func appendPos(b []byte, p []float64, scale float64) []byte {
	b = append(b, '[')
	b = strconv.AppendFloat(b, math.Round(p[0]*scale)/scale, 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, math.Round(p[1]*scale)/scale, 'f', -1, 64)
	return append(b, ']')
}
