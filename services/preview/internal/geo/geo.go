// Package geo makes map data: a GeoJSON file's summary (bounding box,
// feature count, geometry types) and a lighter copy of it for display
// (Douglas-Peucker simplification under a vertex budget), GeoJSON points
// from a table's latitude/longitude or geopoint columns, and a GeoJSON
// file's feature properties as table rows for the tabular store.
//
// Everything streams: a FeatureCollection is read one feature at a time.
// Bad GeoJSON gets an error wrapping ErrInvalid that says what and where.
package geo

import (
	"errors"
	"math"
)

// ErrInvalid is wrapped by the errors of input that is not valid GeoJSON
// in WGS 84 longitude/latitude.
var ErrInvalid = errors.New("invalid GeoJSON")

// Summary describes the features read.
type Summary struct {
	BBox          [4]float64 // minLon, minLat, maxLon, maxLat of every vertex read; zero without any
	Features      int64      // features read
	GeometryTypes map[string]int64
	// Vertices counts the vertices written: after simplification for
	// Simplify, one per point for Points.
	Vertices int64
	// Skipped counts what was left out: features beyond the vertex budget
	// (Simplify), rows without valid coordinates (Points).
	Skipped int64
}

// Options tune Simplify. Zero fields take the defaults.
type Options struct {
	// Tolerance is the Douglas-Peucker distance in degrees under which a
	// vertex is dropped; a feature over its share of MaxVertices is
	// simplified at a greater one.
	// Default 0.0001 (about 10 m).
	Tolerance float64
	// MaxVertices bounds the vertices written in all. Default 200 000.
	MaxVertices int64
	// MaxBytes bounds the input read. Default 1 GiB.
	MaxBytes int64
	// InputSize is the size of the input in bytes, when the reader does
	// not tell (an *os.File does): it spreads the vertex budget evenly.
	InputSize int64
	// Precision is the number of decimals kept in coordinates. Default 6
	// (about 10 cm).
	Precision int
}

func (o Options) withDefaults() Options {
	if o.Tolerance <= 0 {
		o.Tolerance = 0.0001
	}
	if o.MaxVertices <= 0 {
		o.MaxVertices = 200_000
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 1 << 30
	}
	if o.Precision <= 0 || o.Precision > 15 {
		o.Precision = 6
	}
	return o
}

// bounds accumulates a bounding box.
type bounds struct {
	box [4]float64
	any bool
}

func (b *bounds) add(lon, lat float64) {
	if !b.any {
		b.box, b.any = [4]float64{lon, lat, lon, lat}, true
		return
	}
	b.box[0] = math.Min(b.box[0], lon)
	b.box[1] = math.Min(b.box[1], lat)
	b.box[2] = math.Max(b.box[2], lon)
	b.box[3] = math.Max(b.box[3], lat)
}

// validLonLat tells whether a position is a WGS 84 longitude and latitude.
func validLonLat(lon, lat float64) bool {
	return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90
}
