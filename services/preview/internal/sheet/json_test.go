package sheet

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestJSONSample reads the real Paris sanisettes export: 615 records of 10
// keys, nested objects as compact JSON, nulls as empty cells.
func TestJSONSample(t *testing.T) {
	got, err := openAll(t, filepath.Join(samplesDir, "paris-sanisettes/sanisettesparis.json"), "json", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"type", "statut", "adresse", "arrondissement", "horaire", "acces_pmr", "relais_bebe", "url_fiche_equipement", "geo_shape", "geo_point_2d"}
	if len(got) != 616 || !reflect.DeepEqual(got[0], header) {
		t.Fatalf("%d rows, header %q", len(got), got[0])
	}
	first := []string{"SANISETTE", "", "25  AVENUE DE LOWENDAL", "75015", "6 h - 22 h", "Oui", "", "",
		`{"type":"Feature","geometry":{"coordinates":[[2.3035640343865773,48.84918470841581]],"type":"MultiPoint"},"properties":{}}`,
		`{"lon":2.3035640343865773,"lat":48.84918470841581}`}
	if !reflect.DeepEqual(got[1], first) {
		t.Errorf("first record:\n%q\nwant\n%q", got[1], first)
	}
	for i, row := range got {
		if len(row) != len(header) {
			t.Fatalf("row %d has %d cells", i, len(row))
		}
	}
}

func TestJSONShapes(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, json string
		want       [][]string
	}{
		{"union of keys", `[{"a":1,"b":"x"},{"b":"y","c":true},{"a":null}, {"a":1e3,"d":[1, 2],"b":"\u00e9\"q"}]`,
			[][]string{{"a", "b", "c", "d"}, {"1", "x", "", ""}, {"", "y", "true", ""}, {"1e3", `é"q`, "", "[1,2]"}}},
		{"array of arrays", `[["id","nom"],[1,"a"],[],[2,null,null]]`,
			[][]string{{"id", "nom"}, {"1", "a"}, {"2"}}},
		{"wrapped", `{"total":2,"meta":{"x":[1,{"y":2}]},"data":[{"id":1},{"id":2}],"links":{}}`,
			[][]string{{"id"}, {"1"}, {"2"}}},
		{"empty array", `[]`, nil},
		{"JSON Lines", "\ufeff{\"a\":1,\"b\":{\"c\":[1]}}\n{\"a\":2}\r\n\n{\"c\":null,\"a\":3}\n", [][]string{{"a", "b", "c"}, {"1", `{"c":[1]}`, ""}, {"2", "", ""}, {"3", "", ""}}},
		{"wrapped, after other arrays", `{"keywords":["a","b"],"none":[],"rows":[[1,"x"]]}`, [][]string{{"1", "x"}}},
		{"wrapped and empty", `{"keywords":["a"],"data":[]}`, nil},
		{"escaped key", `[{"cl\u00e9":1,"clé":2}]`, [][]string{{"clé", "clé"}, {"1", "2"}}},
	} {
		path := filepath.Join(dir, "t.json")
		if err := os.WriteFile(path, []byte(c.json), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := openAll(t, path, "json", Limits{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

// TestJSONSchemaSample: a JSON object that is no table (a Table Schema)
// reads as the first array of records it holds, here its licences, after
// skipping the array of keywords.
func TestJSONSchemaSample(t *testing.T) {
	got, err := openAll(t, filepath.Join(samplesDir, "lave-linge/schema-durabilite-lave-linge.json"), "json", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"title", "name", "path"}, {"Etalab Licence Ouverte 2.0", "etalab-2.0", "https://spdx.org/licenses/etalab-2.0.html"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q", got)
	}
}

func TestJSONErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, json string
		lim        Limits
		want       error
	}{
		{"not JSON", `id;nom`, Limits{}, ErrFormat},
		{"a number", `42`, Limits{}, ErrFormat},
		{"an object without an array", `{"a":1}`, Limits{}, ErrFormat},
		{"an array of numbers", `[1,2,3]`, Limits{}, ErrFormat},
		{"a record then a number", `[{"a":1},2]`, Limits{}, ErrFormat},
		{"an array then a record", `[[1],{"a":1}]`, Limits{}, ErrFormat},
		{"truncated", `[{"a":1},{"a":`, Limits{}, ErrFormat},
		{"syntax", `[{"a":1},{"a" 2}]`, Limits{}, ErrFormat},
		{"too many bytes", `[{"a":"` + strings.Repeat("x", 1000) + `"}]`, Limits{MaxBytes: 500}, ErrLimit},
		{"too long a cell", `[{"a":"` + strings.Repeat("x", 1000) + `"}]`, Limits{MaxCellBytes: 500}, ErrLimit},
		{"too many keys", `[{"a":1,"b":2,"c":3}]`, Limits{MaxColumns: 2}, ErrLimit},
		{"JSON Lines, then garbage", "{\"a\":1}\n{\"a\":2}\n]", Limits{}, ErrFormat},
		{"JSON Lines, then a number", "{\"a\":1}\n{\"a\":2}\n3", Limits{}, ErrFormat},
		{"too many rows", `[{"a":1},{"a":2},{"a":3}]`, Limits{MaxRows: 3}, ErrLimit},
	} {
		path := filepath.Join(dir, "t.json")
		if err := os.WriteFile(path, []byte(c.json), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := openAll(t, path, "json", c.lim)
		wantErr(t, err, c.want, c.name)
	}
}

func TestMembersMalformed(t *testing.T) {
	for _, obj := range []string{``, `{`, `{"a"`, `{"a":`, `{"a":1`, `{"a" 1}`, `{1:2}`, `[1]`, `{"a":"x}`, `{"a":{"b":[}`} {
		err := members([]byte(obj), func(_, _ []byte) error { return nil })
		if err == nil {
			t.Errorf("members(%q): no error", obj)
		}
	}
}
