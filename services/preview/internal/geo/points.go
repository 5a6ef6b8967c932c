package geo

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Location names the columns of a table that hold coordinates: Lat and Lon
// (decimal degrees, point or comma), or GeoPoint, one column holding
// "lat,lon" (also "lat, lon", "[lat, lon]", "lat;lon", "lat lon",
// {"lat":…,"lon":…} and WKT "POINT (lon lat)").
type Location struct {
	Lat, Lon string
	GeoPoint string
}

// Locate finds the coordinate columns of a table from the formats analysis
// gave its columns (csv-detective's names: latitude_wgs and longitude_wgs,
// or geopoint / latlon_wgs), else from usual column names. formats may be
// nil.
func Locate(header, formats []string) (Location, bool) {
	var loc Location
	for i, name := range header {
		f := ""
		if i < len(formats) {
			f = formats[i]
		}
		switch {
		case f == "latitude_wgs" && loc.Lat == "":
			loc.Lat = name
		case f == "longitude_wgs" && loc.Lon == "":
			loc.Lon = name
		case (f == "geopoint" || f == "latlon_wgs") && loc.GeoPoint == "":
			loc.GeoPoint = name
		}
	}
	if loc.Lat != "" && loc.Lon != "" {
		return Location{Lat: loc.Lat, Lon: loc.Lon}, true
	}
	if loc.GeoPoint != "" {
		return Location{GeoPoint: loc.GeoPoint}, true
	}
	loc = Location{}
	for _, name := range header {
		switch n := strings.ToLower(strings.TrimSpace(name)); n {
		case "lat", "latitude", "y_wgs84", "lat_wgs84", "latitude_wgs84":
			if loc.Lat == "" {
				loc.Lat = name
			}
		case "lon", "lng", "long", "longitude", "x_wgs84", "lon_wgs84", "long_wgs84", "longitude_wgs84":
			if loc.Lon == "" {
				loc.Lon = name
			}
		case "geo_point_2d", "geopoint", "geo_point", "coordonnees", "coordonnées", "coordonnees_gps", "coordonnées_gps", "latlon", "lat_lon":
			if loc.GeoPoint == "" {
				loc.GeoPoint = name
			}
		}
	}
	if loc.Lat != "" && loc.Lon != "" {
		return Location{Lat: loc.Lat, Lon: loc.Lon}, true
	}
	if loc.GeoPoint != "" {
		return Location{GeoPoint: loc.GeoPoint}, true
	}
	return Location{}, false
}

// Points writes a GeoJSON FeatureCollection of points from table rows
// (next returns io.EOF at the end), one feature per row with valid
// coordinates, its other cells as string properties named by header. Rows
// without valid WGS 84 coordinates (empty, malformed, out of range, or
// 0,0) are skipped and counted in Summary.Skipped.
func Points(ctx context.Context, w io.Writer, header []string, loc Location, next func() ([]string, error)) (Summary, error) {
	sum := Summary{GeometryTypes: map[string]int64{}}
	lat, lon, gp := index(header, loc.Lat), index(header, loc.Lon), index(header, loc.GeoPoint)
	switch {
	case loc.GeoPoint != "" && gp < 0:
		return sum, fmt.Errorf("geo: no column %q in the table", loc.GeoPoint)
	case loc.GeoPoint == "" && (lat < 0 || lon < 0):
		return sum, fmt.Errorf("geo: no columns %q and %q in the table", loc.Lat, loc.Lon)
	}
	keys := make([][]byte, len(header))
	for i, h := range header {
		keys[i], _ = json.Marshal(h)
	}
	var box bounds
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(`{"type":"FeatureCollection","features":[`)
	var buf []byte
	for rows := int64(0); ; rows++ {
		if rows&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return sum, err
			}
		}
		row, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return sum, err
		}
		var y, x float64
		var ok bool
		if gp >= 0 {
			y, x, ok = parseGeoPoint(cell(row, gp))
		} else {
			y, ok = parseDegrees(cell(row, lat))
			if ok {
				x, ok = parseDegrees(cell(row, lon))
			}
		}
		if !ok || !validLonLat(x, y) || (x == 0 && y == 0) {
			sum.Skipped++
			continue
		}
		box.add(x, y)
		buf = append(buf[:0], `{"type":"Feature","geometry":{"type":"Point","coordinates":`...)
		buf = appendPos(buf, []float64{x, y}, 1e7)
		buf = append(buf, `},"properties":{`...)
		first := true
		for i, h := range keys {
			if i == lat || i == lon || i == gp {
				continue
			}
			if !first {
				buf = append(buf, ',')
			}
			first = false
			buf = append(buf, h...)
			buf = append(buf, ':')
			buf = strconv.AppendQuote(buf, cell(row, i))
		}
		buf = append(buf, "}}"...)
		if sum.Features > 0 {
			bw.WriteByte(',')
		}
		sum.Features++
		if _, err := bw.Write(buf); err != nil {
			return sum, err
		}
	}
	sum.Vertices = sum.Features
	if sum.Features > 0 {
		sum.GeometryTypes["Point"] = sum.Features
	}
	sum.BBox = box.box
	bw.WriteString("]}\n")
	return sum, bw.Flush()
}

func index(header []string, name string) int {
	if name == "" {
		return -1
	}
	for i, h := range header {
		if h == name {
			return i
		}
	}
	return -1
}

func cell(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return row[i]
}

// parseDegrees reads a decimal number of degrees, with a point or a comma.
func parseDegrees(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 40 {
		return 0, false
	}
	if !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
}

// parseGeoPoint reads a latitude and a longitude from one cell.
func parseGeoPoint(s string) (lat, lon float64, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 200 {
		return 0, 0, false
	}
	if s[0] == '{' {
		var p map[string]json.Number
		if json.Unmarshal([]byte(s), &p) != nil {
			return 0, 0, false
		}
		la, lo := p["lat"], p["lon"]
		if lo == "" {
			lo = p["lng"]
		}
		y, e1 := la.Float64()
		x, e2 := lo.Float64()
		return y, x, e1 == nil && e2 == nil
	}
	if rest, found := strings.CutPrefix(strings.ToUpper(s), "POINT"); found {
		f := strings.Fields(strings.Trim(strings.TrimSpace(rest), "()"))
		if len(f) != 2 {
			return 0, 0, false
		}
		x, ok1 := parseDegrees(f[0])
		y, ok2 := parseDegrees(f[1])
		return y, x, ok1 && ok2
	}
	s = strings.Trim(s, "[]() ")
	var parts []string
	switch {
	case strings.Contains(s, ";"):
		parts = strings.Split(s, ";")
	case strings.Count(s, ",") == 1:
		parts = strings.Split(s, ",")
	default:
		parts = strings.Fields(s)
	}
	if len(parts) != 2 {
		return 0, 0, false
	}
	y, ok1 := parseDegrees(parts[0])
	x, ok2 := parseDegrees(parts[1])
	return y, x, ok1 && ok2
}
