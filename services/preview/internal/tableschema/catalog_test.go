package tableschema

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// udataSample is data.gouv.fr's schema catalogue fixture (udata's tests).
const udataSample = "../../../../../shared/reference/opendatateam-udata/schema-catalog-sample.json"

func TestCatalog(t *testing.T) {
	_, err := loadCatalog()
	require.NoError(t, err)
	entries := Catalog()
	require.Len(t, entries, 14)
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name
		assert.Equal(t, "tableschema", e.SchemaType)
		assert.NotEmpty(t, e.Title, e.Name)
		assert.NotEmpty(t, e.Versions, e.Name)
		assert.True(t, strings.HasPrefix(e.SchemaURL, "https://"), e.SchemaURL)
		for _, v := range e.Versions {
			assert.False(t, strings.HasPrefix(v.VersionName, "v"), v.VersionName)
			s, err := Lookup(e.Name, v.VersionName)
			require.NoError(t, err)
			assert.NotEmpty(t, s.Fields)
		}
	}
	assert.Contains(t, names, "scdl/deliberations")
	assert.Contains(t, names, "etalab/schema-bal")

	irve := entries[slices.IndexFunc(entries, func(e CatalogEntry) bool { return e.Name == "etalab/schema-irve-statique" })]
	assert.Equal(t, "https://schema.data.gouv.fr/schemas/etalab/schema-irve-statique/latest/schema-statique.json", irve.SchemaURL)
	assert.Equal(t, "https://schema.data.gouv.fr/schemas/etalab/schema-irve-statique/2.3.0/schema-statique.json", irve.Versions[0].SchemaURL)
	assert.Equal(t, []string{"Socle Commun des Données Locales", "transport.data.gouv.fr"}, irve.Labels)
}

// TestCatalogJSONShape: every entry has exactly the keys udata's
// CatalogSchema model marshals, with the JSON types of data.gouv.fr's
// own catalogue entries.
func TestCatalogJSONShape(t *testing.T) {
	body := CatalogJSON()
	var got []map[string]any
	require.NoError(t, json.Unmarshal(body, &got))
	require.Len(t, got, len(Catalog()))

	raw, err := os.ReadFile(udataSample)
	require.NoError(t, err)
	var sample struct{ Schemas []map[string]any }
	require.NoError(t, json.Unmarshal(raw, &sample))
	require.NotEmpty(t, sample.Schemas)
	// The sample's datapackage entries carry datapackage_*; udata marshals
	// those keys (null) on every entry.
	want := map[string]bool{}
	for _, s := range sample.Schemas {
		for k := range s {
			want[k] = true
		}
	}
	for _, e := range got {
		keys := map[string]bool{}
		for k, v := range e {
			keys[k] = true
			for _, s := range sample.Schemas {
				if sv, ok := s[k]; ok && sv != nil && v != nil {
					assert.IsType(t, sv, v, "%s.%s", e["name"], k)
				}
			}
		}
		assert.Equal(t, want, keys, "keys of %s", e["name"])
		for _, ex := range e["examples"].([]any) {
			assert.ElementsMatch(t, []string{"title", "path"}, keysOf(ex.(map[string]any)))
		}
		for _, v := range e["versions"].([]any) {
			assert.ElementsMatch(t, []string{"version_name", "schema_url"}, keysOf(v.(map[string]any)))
		}
	}

	// udata's bytes: ASCII only, Python separators, sorted keys.
	for _, b := range body {
		require.Less(t, b, byte(0x80))
	}
	assert.True(t, bytes.HasPrefix(body, []byte(`[{"consolidation_dataset_id": `)))
	assert.Contains(t, string(body), `"title": "D\u00e9lib\u00e9rations"`)
	var reencoded []any
	require.NoError(t, json.Unmarshal(body, &reencoded))
	assert.Equal(t, string(body), string(appendPyJSON(nil, reencoded)))
}

func keysOf(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	return k
}

func TestAppendPyJSON(t *testing.T) {
	var v any
	require.NoError(t, json.Unmarshal([]byte(`{"b":"é€😀\u007f\n\"\\/","a":[true,null,"x"],"c":{"z":1,"y":[]}}`), &v))
	// Python: json.dumps(v, sort_keys=True)
	assert.Equal(t, `{"a": [true, null, "x"], "b": "\u00e9\u20ac\ud83d\ude00\u007f\n\"\\/", "c": {"y": [], "z": 1}}`, string(appendPyJSON(nil, v)))
}

func TestLookup(t *testing.T) {
	s, err := Lookup("scdl/prenoms", "")
	require.NoError(t, err)
	assert.Equal(t, "v1.1.6", s.Version)
	for _, v := range []string{"latest", "1.1.6", "v1.1.6"} {
		got, err := Lookup("scdl/prenoms", v)
		require.NoError(t, err, v)
		assert.Same(t, s, got, v)
	}
	bal, err := Lookup("etalab/schema-bal", "1.4.0")
	require.NoError(t, err)
	assert.Equal(t, "Base Adresse Locale v1.4", bal.Title)

	_, err = Lookup("scdl/elus", "")
	assert.ErrorIs(t, err, ErrUnknownSchema)
	_, err = Lookup("scdl/prenoms", "9.9.9")
	assert.ErrorIs(t, err, ErrUnknownSchema)
	assert.Contains(t, err.Error(), `"scdl/prenoms" has no version "9.9.9"`)
}

func TestLookupURL(t *testing.T) {
	for _, e := range Catalog() {
		last := e.Versions[len(e.Versions)-1]
		for _, u := range []string{e.SchemaURL, last.SchemaURL} {
			s, name, version, err := LookupURL(u)
			require.NoError(t, err, u)
			assert.Equal(t, e.Name, name)
			assert.Equal(t, last.VersionName, version)
			want, err := Lookup(name, version)
			require.NoError(t, err)
			assert.Same(t, want, s)
		}
	}
	_, _, version, err := LookupURL("https://github.com/aitf-sig-topo/voies-adresses/schemas/v1.3/bal_schema_v1.3.json")
	require.NoError(t, err)
	assert.Equal(t, "1.3.0", version)
	_, _, _, err = LookupURL("https://example.org/schema.json")
	assert.ErrorIs(t, err, ErrUnknownSchema)
}

// TestLookupValidates: a schema from the catalogue validates its example.
func TestLookupValidates(t *testing.T) {
	s, err := Lookup("scdl/subventions", "2.1.1")
	require.NoError(t, err)
	header, next := readTable(t, "subventions/exemples/exemple_valide.csv", ',')
	r, err := s.Validate(context.Background(), header, next, Limits{})
	require.NoError(t, err)
	assert.True(t, r.Valid)
}

// TestEmbeddedCopies: the embedded schemas are still byte-exact copies of
// ../shared/data/scdl (schemas/README.md lists the pairs).
func TestEmbeddedCopies(t *testing.T) {
	pairs := map[string]string{
		"scdl/deliberations/2.1.5/schema.json":                   "deliberations/schema.json",
		"scdl/subventions/2.1.1/schema.json":                     "subventions/schema.json",
		"scdl/prenoms/1.1.6/schema.json":                         "prenoms/schema.json",
		"scdl/budget/0.8.3/schema.json":                          "budget/schema.json",
		"scdl/catalogue/0.1.3/schema.json":                       "catalogue/schema.json",
		"scdl/equipements/0.1.5/schema.json":                     "equipements/schema.json",
		"scdl/menus-collectifs/1.2.3/schema.json":                "menus-collectifs/schema.json",
		"scdl/plats-menus-collectifs/0.7.2/schema.json":          "plats-menus-collectifs/schema.json",
		"scdl/adresses/1.1.4/schema.json":                        "adresses/schema.json",
		"etalab/schema-bal/1.3.0/bal_schema_v1.3.json":           "bal/bal_schema_v1.3.json",
		"etalab/schema-bal/1.4.0/bal_schema_v1.4.json":           "bal/bal_schema_v1.4.json",
		"etalab/schema-bal/1.5.0/bal_schema_v1.5.json":           "bal/bal_schema_v1.5.json",
		"atlasante/schema-dae/1.0.7/schema.json":                 "dae/schema.json",
		"etalab/schema-irve-statique/2.3.0/schema-statique.json": "irve-statique/schema-statique.json",
		"etalab/schema-decp-dpa/1.0.0/schema.json":               "decp/decp-dpa/schema.json",
		"ColinMaudry/decp-table-schema/2.0.0/schema.json":        "decp/decp-table-schema/schema.json",
	}
	for embedded, source := range pairs {
		got, err := schemaFiles.ReadFile("schemas/" + embedded)
		require.NoError(t, err)
		want, err := os.ReadFile(filepath.Join(scdlDir, source))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(want, got), embedded)
	}
	versions := 0
	for _, e := range Catalog() {
		versions += len(e.Versions)
	}
	assert.Equal(t, len(pairs), versions, "every embedded schema is in the catalogue")
}

// TestConcurrentValidate: a catalogue schema is shared by every caller;
// Validate keeps its state aside, so concurrent validations are safe (run
// with -race).
func TestConcurrentValidate(t *testing.T) {
	s, err := Lookup("scdl/deliberations", "")
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			row := delibRow(map[string]string{"VOTE_POUR": strconv.Itoa(25 + i%2)})
			r, err := s.Validate(context.Background(), delibHeader, rowsOf(row, row), Limits{})
			assert.NoError(t, err)
			assert.Equal(t, i%2 == 0, r.Valid)
		}()
	}
	wg.Wait()
}
