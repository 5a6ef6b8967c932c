package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/relais-data/relais/services/preview/internal/sheet"
)

func geoSeeds(f *testing.F) {
	for _, name := range []string{"geojson/hydra-valid.geojson", "geojson/hydra-invalid.geojson"} {
		b, err := os.ReadFile(filepath.Join(samplesDir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{"type":"Feature","id":1,"properties":{"a":[1,{"b":null}]},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[2,2],[3,2],[3,3],[2,2]]]]}}`,
		`{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2,3]},{"type":"MultiLineString","coordinates":[[[0,0],[1,1],[2,0]]]}]}`,
		`{"features":[{"type":"Feature","geometry":null,"properties":null}],"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}}}`,
		`{"type":"LineString","coordinates":[[180,90],[-180,-90],[0,0]]}`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzSimplify: never a panic or a hang; without an error, the output is
// JSON and within the vertex budget.
func FuzzSimplify(f *testing.F) {
	geoSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var out bytes.Buffer
		sum, err := Simplify(t.Context(), bytes.NewReader(data), &out, Options{MaxVertices: 1000, MaxBytes: 1 << 20})
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("an error that is neither ErrInvalid nor ErrTooLarge: %v", err)
			}
			return
		}
		if !json.Valid(out.Bytes()) {
			t.Fatalf("output is not JSON: %s", out.Bytes())
		}
		if sum.Vertices > 1000 {
			t.Fatalf("%d vertices written", sum.Vertices)
		}
	})
}

// FuzzProperties: never a panic or a hang, never more columns than allowed.
func FuzzProperties(f *testing.F) {
	geoSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.geojson")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		rows, err := Properties(t.Context(), path, sheet.Limits{MaxColumns: 100})
		if err != nil {
			return
		}
		defer rows.Close()
		for {
			row, err := rows.Next()
			if err != nil {
				return
			}
			if len(row) > 100 {
				t.Fatalf("%d columns", len(row))
			}
		}
	})
}

func FuzzGeoPoint(f *testing.F) {
	for _, s := range []string{"48.8491, 2.3035", "[48.8, 2.3]", "48,8;2,3", `{"lat":1,"lng":2}`, "POINT (2 48)", "1e308 -1e308"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lat, lon, ok := parseGeoPoint(s)
		if ok && (lat != lat || lon != lon) {
			t.Fatalf("NaN from %q", s)
		}
	})
}
