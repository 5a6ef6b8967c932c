package geo

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestPointsSanisettes maps the real sanisettes CSV by its geo_point_2d
// column: the same 615 points, hence the same bounding box, as the GeoJSON
// export of the same data.
func TestPointsSanisettes(t *testing.T) {
	f, err := os.Open(filepath.Join(samplesDir, "paris-sanisettes/sanisettesparis.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.Comma = ';'
	header, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	loc, ok := Locate(header, nil)
	if !ok || loc.GeoPoint != "geo_point_2d" {
		t.Fatalf("Locate: %+v %v", loc, ok)
	}
	var out bytes.Buffer
	sum, err := Points(t.Context(), &out, header, loc, cr.Read)
	if err != nil {
		t.Fatal(err)
	}
	want := [4]float64{2.24571855392109, 48.818579099419416, 2.4446432727101692, 48.901133033184905}
	for i := range want {
		if math.Abs(sum.BBox[i]-want[i]) > 1e-12 {
			t.Fatalf("bbox %v, want %v", sum.BBox, want)
		}
	}
	if sum.Features != 615 || sum.Skipped != 0 || sum.GeometryTypes["Point"] != 615 {
		t.Fatalf("summary %+v", sum)
	}
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string
				Coordinates []float64
			}
			Properties map[string]string
		}
	}
	if err := json.Unmarshal(out.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	first := fc.Features[0]
	if first.Geometry.Type != "Point" || !reflect.DeepEqual(first.Geometry.Coordinates, []float64{2.303564, 48.8491847}) ||
		first.Properties["adresse"] != "25  AVENUE DE LOWENDAL" || len(first.Properties) != 9 {
		t.Fatalf("first feature %+v", first)
	}
}

func TestPointsColumns(t *testing.T) {
	header := []string{"nom", "Latitude", "Longitude", "note"}
	rows := [][]string{
		{"a", "48,85", "2,35", "x"},
		{"b", " 43.3 ", "5.4"},
		{"vide", "", "", ""},
		{"zéro", "0", "0", ""},
		{"hors limites", "95", "2", ""},
		{"texte", "nord", "2", ""},
	}
	loc, ok := Locate(header, []string{"string", "latitude_wgs", "longitude_wgs", "string"})
	if !ok || loc != (Location{Lat: "Latitude", Lon: "Longitude"}) {
		t.Fatalf("Locate: %+v", loc)
	}
	var out bytes.Buffer
	sum, err := Points(t.Context(), &out, header, loc, iterate(rows))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Features != 2 || sum.Skipped != 4 || sum.BBox != [4]float64{2.35, 43.3, 5.4, 48.85} {
		t.Fatalf("summary %+v", sum)
	}
	want := `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[2.35,48.85]},"properties":{"nom":"a","note":"x"}},{"type":"Feature","geometry":{"type":"Point","coordinates":[5.4,43.3]},"properties":{"nom":"b","note":""}}]}` + "\n"
	if out.String() != want {
		t.Errorf("got  %s\nwant %s", out.String(), want)
	}
	if _, err := Points(t.Context(), &out, header, Location{GeoPoint: "gps"}, iterate(rows)); err == nil {
		t.Error("an unknown column: no error")
	}
}

func iterate(rows [][]string) func() ([]string, error) {
	return func() ([]string, error) {
		if len(rows) == 0 {
			return nil, io.EOF
		}
		r := rows[0]
		rows = rows[1:]
		return r, nil
	}
}

func TestParseGeoPoint(t *testing.T) {
	for in, want := range map[string][2]float64{
		"48.8491, 2.3035":                 {48.8491, 2.3035},
		"48.8491,2.3035":                  {48.8491, 2.3035},
		"[48.8491, 2.3035]":               {48.8491, 2.3035},
		"48,8491;2,3035":                  {48.8491, 2.3035},
		"48.8491 2.3035":                  {48.8491, 2.3035},
		`{"lon": 2.3035, "lat": 48.8491}`: {48.8491, 2.3035},
		"POINT (2.3035 48.8491)":          {48.8491, 2.3035},
		"point(2.3035 48.8491)":           {48.8491, 2.3035},
	} {
		lat, lon, ok := parseGeoPoint(in)
		if !ok || lat != want[0] || lon != want[1] {
			t.Errorf("parseGeoPoint(%q) = %v, %v, %v", in, lat, lon, ok)
		}
	}
	for _, in := range []string{"", "48.8", "a,b", "48,8,2,3", "POINT EMPTY", `{"lat":"x"}`, "1 2 3"} {
		if _, _, ok := parseGeoPoint(in); ok {
			t.Errorf("parseGeoPoint(%q) accepted", in)
		}
	}
}
