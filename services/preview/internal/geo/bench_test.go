package geo

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/relais-data/relais/services/preview/internal/sheet"
)

// BenchmarkSimplify simplifies the real Corse-du-Sud communes and a
// generated million-vertex collection, reporting MB/s and features/s.
func BenchmarkSimplify(b *testing.B) {
	communes, err := os.ReadFile(filepath.Join(samplesDir, "geojson/communes-2A-corse-du-sud.geojson"))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		in   []byte
	}{
		{"communes-2A", communes},
		{"circles-1000x1000", circles(1000, 1000)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.in)))
			b.ReportAllocs()
			var features, vertices int64
			for b.Loop() {
				sum, err := Simplify(b.Context(), bytes.NewReader(c.in), io.Discard, Options{})
				if err != nil {
					b.Fatal(err)
				}
				features += sum.Features
				vertices = sum.Vertices
			}
			b.ReportMetric(float64(features)/b.Elapsed().Seconds(), "features/s")
			b.ReportMetric(float64(vertices), "vertices-out")
		})
	}
}

// BenchmarkPoints maps 200 000 table rows with a geopoint column.
func BenchmarkPoints(b *testing.B) {
	const n = 200_000
	header := []string{"nom", "geo_point_2d", "code"}
	rows := make([][]string, n)
	size := 0
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("Point %d", i), fmt.Sprintf("%.6f, %.6f", 42+float64(i%800)/100, -4+float64(i%1200)/100), fmt.Sprintf("%05d", i)}
		size += len(rows[i][0]) + len(rows[i][1]) + len(rows[i][2]) + 3
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	var total int64
	for b.Loop() {
		sum, err := Points(b.Context(), io.Discard, header, Location{GeoPoint: "geo_point_2d"}, iterate(rows))
		if err != nil || sum.Features != n {
			b.Fatal(sum, err)
		}
		total += sum.Features
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkProperties reads the properties of the real sanisettes GeoJSON.
func BenchmarkProperties(b *testing.B) {
	path := filepath.Join(samplesDir, "paris-sanisettes/sanisettesparis.geojson")
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	var total int64
	for b.Loop() {
		rows, err := Properties(b.Context(), path, sheet.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := rows.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			total++
		}
		rows.Close()
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "rows/s")
}
