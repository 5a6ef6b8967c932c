package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// samplesDir holds real files of collectivités (../shared/data/samples).
const samplesDir = "../../../../../shared/data/samples"

// outFC is the output of Simplify, decoded for checks.
type outFC struct {
	Type     string `json:"type"`
	Features []struct {
		Type     string `json:"type"`
		ID       any    `json:"id"`
		Geometry *struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
			Geometries  []any           `json:"geometries"`
		} `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
	BBox []float64 `json:"bbox"`
}

func simplifyBytes(t *testing.T, in []byte, opt Options) (Summary, outFC, error) {
	t.Helper()
	var out bytes.Buffer
	sum, err := Simplify(t.Context(), bytes.NewReader(in), &out, opt)
	if err != nil {
		return sum, outFC{}, err
	}
	var fc outFC
	if err := json.Unmarshal(out.Bytes(), &fc); err != nil {
		t.Fatalf("output is not JSON: %v\n%.500s", err, out.String())
	}
	return sum, fc, nil
}

func TestSimplifySamples(t *testing.T) {
	for _, c := range []struct {
		file     string
		features int64
		types    map[string]int64
		vertices int64 // in the file
		bbox     [4]float64
		prop     string
	}{
		{"geojson/communes-2A-corse-du-sud.geojson", 124, map[string]int64{"Polygon": 119, "MultiPolygon": 5}, 12863, [4]float64{8.53514, 41.33363, 9.40815, 42.38141}, "code"},
		{"geojson/regions-version-simplifiee.geojson", 13, map[string]int64{"Polygon": 8, "MultiPolygon": 5}, 5742, [4]float64{-5.103600745641675, 41.36705499317599, 9.559720920174655, 51.088402305103116}, "nom"},
		{"paris-sanisettes/sanisettesparis.geojson", 615, map[string]int64{"MultiPoint": 615}, 615, [4]float64{2.24571855392109, 48.818579099419416, 2.4446432727101692, 48.901133033184905}, "adresse"},
		{"geojson/hydra-valid.geojson", 3, map[string]int64{"Point": 1, "LineString": 1, "Polygon": 1}, 10, [4]float64{100, 0, 105, 1}, "name"},
	} {
		in, err := os.ReadFile(filepath.Join(samplesDir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		sum, fc, err := simplifyBytes(t, in, Options{Tolerance: 0.001})
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if sum.Features != c.features || !reflect.DeepEqual(sum.GeometryTypes, c.types) || sum.BBox != c.bbox || sum.Skipped != 0 {
			t.Errorf("%s: summary %+v", c.file, sum)
		}
		if int64(len(fc.Features)) != c.features || fc.Type != "FeatureCollection" || len(fc.BBox) != 4 {
			t.Fatalf("%s: %d features written", c.file, len(fc.Features))
		}
		if sum.Vertices > c.vertices {
			t.Errorf("%s: %d vertices written, more than the %d read", c.file, sum.Vertices, c.vertices)
		}
		for i, f := range fc.Features {
			if _, ok := f.Properties[c.prop]; !ok || f.Geometry == nil {
				t.Fatalf("%s: feature %d lost its %s or geometry: %+v", c.file, i, c.prop, f)
			}
		}
		t.Logf("%s: %d features, %d → %d vertices, %d → %d bytes", c.file, sum.Features, c.vertices, sum.Vertices, len(in), len(fcBytes(t, fc)))
	}
}

func fcBytes(t *testing.T, fc outFC) []byte {
	b, err := json.Marshal(fc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSimplifyBudget: a million vertices fit in ten thousand, the tolerance
// growing, and the features that no longer fit are counted.
func TestSimplifyBudget(t *testing.T) {
	in := circles(1000, 1000)
	sum, fc, err := simplifyBytes(t, in, Options{Tolerance: 1e-6, MaxVertices: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Features != 1000 || sum.Vertices > 10_000 || int64(len(fc.Features)) != sum.Features-sum.Skipped {
		t.Fatalf("summary %+v, %d features written", sum, len(fc.Features))
	}
	if sum.Skipped > 100 {
		t.Errorf("%d features left out: the tolerance should have grown sooner", sum.Skipped)
	}
	t.Logf("1000 circles of 1000 vertices: %d vertices written, %d features left out", sum.Vertices, sum.Skipped)

	// A stream of unknown size still keeps within the budget.
	var out bytes.Buffer
	sum, err = Simplify(t.Context(), io.MultiReader(bytes.NewReader(in)), &out, Options{Tolerance: 1e-6, MaxVertices: 10_000})
	if err != nil || sum.Vertices > 10_000 || sum.Features != 1000 {
		t.Fatalf("unknown size: %+v, %v", sum, err)
	}
	t.Logf("the same of unknown size: %d vertices written, %d features left out", sum.Vertices, sum.Skipped)
}

// circles makes a FeatureCollection of n polygons of k vertices each.
func circles(n, k int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		cx, cy := -4+float64(i%100)*0.1, 42+float64(i/100)*0.1
		fmt.Fprintf(&b, `{"type":"Feature","id":%d,"properties":{"n":%d,"nom":"cercle %d"},"geometry":{"type":"Polygon","coordinates":[[`, i, i, i)
		for j := 0; j <= k; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			a := 2 * math.Pi * float64(j%k) / float64(k)
			fmt.Fprintf(&b, "[%.7f,%.7f]", cx+0.04*math.Cos(a), cy+0.04*math.Sin(a))
		}
		b.WriteString("]]}}")
	}
	b.WriteString("]}")
	return b.Bytes()
}

func TestSimplifyShapes(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     string // the first feature written, re-encoded
	}{
		{"lone feature", `{"properties":{"a":1},"geometry":{"type":"Point","coordinates":[2.35,48.85,35]},"id":"x","type":"Feature"}`,
			`{"type":"Feature","id":"x","geometry":{"type":"Point","coordinates":[2.35,48.85]},"properties":{"a":1}}`},
		{"lone geometry", `{"type":"LineString","coordinates":[[0,0],[1,0],[2,0],[3,1e-9]]}`,
			`{"type":"Feature","geometry":{"type":"LineString","coordinates":[[0,0],[3,0]]},"properties":null}`},
		{"features first", `{"features":[{"type":"Feature","geometry":null,"properties":{"b":[1, 2]}}],"name":"x","type":"FeatureCollection"}`,
			`{"type":"Feature","geometry":null,"properties":{"b":[1,2]}}`},
		{"collection", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1.123456789,2]},{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}]}}]}`,
			`{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1.123457,2]},{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}]},"properties":{}}`},
		{"tiny island", `{"type":"Polygon","coordinates":[[[0,0],[1e-6,0],[1e-6,1e-6],[0,1e-6],[0,0]]]}`,
			`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[0.000001,0],[0.000001,0.000001],[0,0]]]},"properties":null}`},
	} {
		var out bytes.Buffer
		if _, err := Simplify(t.Context(), strings.NewReader(c.in), &out, Options{Tolerance: 0.001}); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var fc struct{ Features []json.RawMessage }
		if err := json.Unmarshal(out.Bytes(), &fc); err != nil || len(fc.Features) != 1 {
			t.Fatalf("%s: %v %s", c.name, err, out.String())
		}
		if string(fc.Features[0]) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, fc.Features[0], c.want)
		}
	}
}

func TestSimplifyInvalid(t *testing.T) {
	hydra, err := os.ReadFile(filepath.Join(samplesDir, "geojson/hydra-invalid.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	deep := strings.Repeat(`{"type":"GeometryCollection","geometries":[`, 10) + strings.Repeat("]}", 10)
	for _, c := range []struct {
		name, in string
		opt      Options
		want     error
	}{
		{"hydra's invalid sample", string(hydra), Options{}, ErrInvalid},
		{"not JSON", `type;geometry`, Options{}, ErrInvalid},
		{"an array", `[{"type":"Feature"}]`, Options{}, ErrInvalid},
		{"Lambert-93", `{"type":"Point","coordinates":[652000,6862000]}`, Options{}, ErrInvalid},
		{"unknown type", `{"type":"Circle","coordinates":[1,2]}`, Options{}, ErrInvalid},
		{"no type", `{"coordinates":[1,2]}`, Options{}, ErrInvalid},
		{"not a feature", `{"type":"FeatureCollection","features":[{"type":"Point","coordinates":[1,2]}]}`, Options{}, ErrInvalid},
		{"features not an array", `{"type":"FeatureCollection","features":{}}`, Options{}, ErrInvalid},
		{"a short position", `{"type":"Point","coordinates":[1]}`, Options{}, ErrInvalid},
		{"nested too deep", deep, Options{}, ErrInvalid},
		{"properties a string", `{"type":"Feature","geometry":null,"properties":"x"}`, Options{}, ErrInvalid},
		{"truncated", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,`, Options{}, ErrInvalid},
		{"too large", `{"type":"FeatureCollection","features":[` + strings.Repeat(`{"type":"Feature","geometry":null,"properties":null},`, 100) + `]}`, Options{MaxBytes: 1000}, ErrTooLarge},
	} {
		_, err := Simplify(t.Context(), strings.NewReader(c.in), &bytes.Buffer{}, c.opt)
		if !errors.Is(err, c.want) {
			t.Fatalf("%s: got %v, want %v", c.name, err, c.want)
		}
		t.Logf("%s: %v", c.name, err)
	}
}

func TestDouglasPeucker(t *testing.T) {
	line := [][]float64{{0, 0}, {1, 0.05}, {2, -0.05}, {3, 0}, {4, 2}, {5, 0}}
	if got := douglasPeucker(line, 0.1); !reflect.DeepEqual(got, [][]float64{{0, 0}, {3, 0}, {4, 2}, {5, 0}}) {
		t.Errorf("tolerance 0.1: %v", got)
	}
	if got := douglasPeucker(line, 0.01); len(got) != len(line) {
		t.Errorf("tolerance 0.01 should keep all: %v", got)
	}
	if got := douglasPeucker(line, 10); !reflect.DeepEqual(got, [][]float64{{0, 0}, {5, 0}}) {
		t.Errorf("tolerance 10: %v", got)
	}
	ring := [][]float64{{0, 0}, {1, 0}, {1, 1}, {0.5, 1.01}, {0, 1}, {0, 0}}
	if got := simplifyRing(ring, 0.1); !reflect.DeepEqual(got, [][]float64{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}) {
		t.Errorf("ring: %v", got)
	}
	if got := simplifyRing(ring, 100); len(got) != 4 || !reflect.DeepEqual(got[0], got[3]) {
		t.Errorf("collapsed ring: %v", got)
	}
}
