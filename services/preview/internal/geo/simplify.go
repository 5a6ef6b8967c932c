package geo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
)

// Simplify streams a GeoJSON FeatureCollection (or a lone Feature or
// geometry) from r and writes to w a FeatureCollection for display: the
// same features with their id and properties, geometries simplified with
// Douglas-Peucker, and a "bbox" member. The summary describes the input:
// every feature and vertex read.
//
// The vertices written stay within opt.MaxVertices, spread evenly over the
// file: when its size is known (opt.InputSize, or r is an *os.File or has
// a Len method like bytes.Reader) each
// feature may use the budget's share of the bytes read so far, else an
// eighth of what is left. A geometry over its share is simplified again at
// four times the tolerance until it fits; features that no longer fit at
// all are left out and counted in Summary.Skipped.
//
// Bad GeoJSON (syntax, coordinates that are not numbers, positions outside
// WGS 84 longitude/latitude, unknown types) stops with an error wrapping
// ErrInvalid that names the feature; what was written to w is then to be
// discarded.
func Simplify(ctx context.Context, r io.Reader, w io.Writer, opt Options) (Summary, error) {
	opt = opt.withDefaults()
	if opt.InputSize <= 0 {
		opt.InputSize = remaining(r)
	}
	sum := Summary{GeometryTypes: map[string]int64{}}
	var box bounds
	fr := newFeatureReader(r, opt.MaxBytes)
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(`{"type":"FeatureCollection","features":[`)
	var buf []byte
	written := 0
	for {
		if sum.Features&63 == 0 {
			if err := ctx.Err(); err != nil {
				return sum, err
			}
		}
		f, err := fr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return sum, err
		}
		sum.Features++
		g, err := parseGeometry(f.Geometry, &box, 0)
		if err != nil {
			return sum, fmt.Errorf("feature %d: %w", sum.Features, err)
		}
		var n int64
		if g != nil {
			countTypes(g, sum.GeometryTypes)
			if g, n = fit(g, opt.Tolerance, share(opt, sum.Vertices, fr.dec.InputOffset())); sum.Vertices+n > opt.MaxVertices {
				sum.Skipped++
				continue
			}
		}
		sum.Vertices += n
		if buf, err = appendFeature(buf[:0], f, g, opt.Precision); err != nil {
			return sum, fmt.Errorf("feature %d: %w", sum.Features, err)
		}
		if written > 0 {
			bw.WriteByte(',')
		}
		written++
		if _, err := bw.Write(buf); err != nil {
			return sum, err
		}
	}
	sum.BBox = box.box
	bw.WriteString(`],"bbox":[`)
	for i, v := range sum.BBox {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.Write(strconv.AppendFloat(nil, v, 'f', -1, 64))
	}
	bw.WriteString("]}\n")
	return sum, bw.Flush()
}

// remaining returns the bytes left to read in r when r tells (a file,
// bytes.Reader, strings.Reader, bytes.Buffer), else 0.
func remaining(r io.Reader) int64 {
	if l, ok := r.(interface{ Len() int }); ok {
		return int64(l.Len())
	}
	f, ok := r.(*os.File)
	if !ok {
		return 0
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return 0
	}
	pos, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0
	}
	return fi.Size() - pos
}

// share is the number of vertices the next feature may use: the budget in
// proportion of the input read (offset bytes) less what was used, or an
// eighth of what is left when the input size is unknown.
func share(opt Options, used, offset int64) int64 {
	if opt.InputSize > 0 {
		allowed := int64(float64(opt.MaxVertices) * min(float64(offset)/float64(opt.InputSize), 1))
		return max(allowed-used, 0)
	}
	return (opt.MaxVertices - used) / 8
}

// fit simplifies g at tol, then at four times tol again and again while it
// holds more than target vertices and still shrinks.
func fit(g *geometry, tol float64, target int64) (*geometry, int64) {
	s := g.simplified(tol)
	n := s.vertices()
	for range 30 {
		if n <= target {
			break
		}
		tol *= 4
		s2 := g.simplified(tol)
		n2 := s2.vertices()
		if n2 >= n {
			break // as small as it gets: rings keep four vertices
		}
		s, n = s2, n2
	}
	return s, n
}

// countTypes counts g's type, and its members' for a collection.
func countTypes(g *geometry, types map[string]int64) {
	types[g.typ]++
	for _, m := range g.members {
		countTypes(m, types)
	}
}

// appendFeature writes a feature with geometry g (nil: null).
func appendFeature(b []byte, f *rawFeature, g *geometry, prec int) ([]byte, error) {
	b = append(b, `{"type":"Feature"`...)
	if id := bytes.TrimSpace(f.ID); len(id) > 0 {
		b = append(b, `,"id":`...)
		b = append(b, id...)
	}
	b = append(b, `,"geometry":`...)
	if g == nil {
		b = append(b, "null"...)
	} else {
		b = g.appendJSON(b, prec)
	}
	b = append(b, `,"properties":`...)
	props := bytes.TrimSpace(f.Properties)
	if len(props) == 0 {
		props = []byte("null")
	}
	if props[0] != '{' && string(props) != "null" {
		return nil, fmt.Errorf("%w: properties is not an object", ErrInvalid)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, props); err != nil {
		return nil, fmt.Errorf("%w: properties: %v", ErrInvalid, err)
	}
	b = append(b, out.Bytes()...)
	return append(b, '}'), nil
}
