package geo

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/relais-data/relais/services/preview/internal/sheet"
)

func readRows(t *testing.T, path string, lim sheet.Limits) ([][]string, error) {
	t.Helper()
	rows, err := Properties(t.Context(), path, lim)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]string
	for {
		row, err := rows.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, row)
	}
}

func TestProperties(t *testing.T) {
	got, err := readRows(t, filepath.Join(samplesDir, "geojson/communes-2A-corse-du-sud.geojson"), sheet.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 125 || !reflect.DeepEqual(got[0], []string{"code", "nom"}) {
		t.Fatalf("%d rows, header %q", len(got), got[0])
	}
	for _, row := range got[1:] {
		if len(row[0]) != 5 || row[0][:2] != "2A" || row[1] == "" {
			t.Fatalf("row %q", row)
		}
	}

	got, err = readRows(t, filepath.Join(samplesDir, "paris-sanisettes/sanisettesparis.geojson"), sheet.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 616 || len(got[0]) != 9 || got[1][8] != `{"lon":2.3211169226991353,"lat":48.82434142990773}` {
		t.Fatalf("%d rows, %q, %q", len(got), got[0], got[1])
	}
}

func TestPropertiesOdd(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "f.geojson")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	got, err := readRows(t, write(`{"type":"Feature","geometry":null,"properties":{"a":1}}`), sheet.Limits{})
	if err != nil || !reflect.DeepEqual(got, [][]string{{"a"}, {"1"}}) {
		t.Fatalf("lone feature: %q %v", got, err)
	}
	got, err = readRows(t, write(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null},{"type":"Feature","geometry":null,"properties":null},{"type":"Feature","geometry":null,"properties":{"b":true}}]}`), sheet.Limits{})
	if err != nil || !reflect.DeepEqual(got, [][]string{{"b"}, {"true"}}) {
		t.Fatalf("missing properties: %q %v", got, err)
	}
	_, err = readRows(t, write(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":[1]}]}`), sheet.Limits{})
	if err == nil {
		t.Fatal("properties an array: no error")
	}
	_, err = readRows(t, write(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1,"b":2}}]}`), sheet.Limits{MaxColumns: 1})
	if err == nil {
		t.Fatal("more keys than columns: no error")
	}
	t.Logf("%v", err)
}
