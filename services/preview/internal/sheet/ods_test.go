package sheet

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestODSSample reads the real lave-linge spreadsheet: the same table as its
// CSV export.
func TestODSSample(t *testing.T) {
	got, err := openAll(t, filepath.Join(samplesDir, "lave-linge/lave-linge.ods"), "ods", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	assertSameAsCSV(t, got, filepath.Join(samplesDir, "lave-linge/lave-linge-virgule.csv"))
}

// TestODSValues checks typed cells, text markup, repeats and the choice of
// the first non-empty table.
func TestODSValues(t *testing.T) {
	tables := `<table:table table:name="Vide"><table:table-column table:number-columns-repeated="1024"/>
<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>
<table:table table:name="Données"><table:table-column table:number-columns-repeated="16384"/>
<table:table-header-rows><table:table-row>` +
		cellText("nom") + cellText("date") + cellText("horodatage") + cellText("heure") + cellText("taux") + cellText("montant") + cellText("actif") + cellText("n") +
		`<table:table-cell table:number-columns-repeated="16376"/></table:table-row></table:table-header-rows>
<table:table-row table:number-rows-repeated="2">` +
		`<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Jean<text:s text:c="3"/>Dupont</text:p><text:p>ligne<text:tab/>2</text:p><office:annotation><text:p>un commentaire</text:p></office:annotation></table:table-cell>` +
		`<table:table-cell office:value-type="date" office:date-value="2024-03-12"><text:p>12/03/2024</text:p></table:table-cell>` +
		`<table:table-cell office:value-type="date" office:date-value="2024-03-12T10:30:00"><text:p>12/03/24 10:30</text:p></table:table-cell>` +
		`<table:table-cell office:value-type="time" office:time-value="PT10H30M00S"><text:p>10:30</text:p></table:table-cell>` +
		`<table:table-cell office:value-type="percentage" office:value="0.125"><text:p>12,50 %</text:p></table:table-cell>` +
		`<table:table-cell office:value-type="currency" office:currency="EUR" office:value="1234.5"><text:p>1 234,50 €</text:p></table:table-cell>` +
		`<table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>VRAI</text:p></table:table-cell>` +
		`<table:table-cell office:value-type="float" office:value="3" table:number-columns-repeated="2"><text:p>3</text:p></table:table-cell>` +
		`<table:table-cell table:number-columns-repeated="16374"/></table:table-row>
<table:table-row table:number-rows-repeated="1000"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>
<table:table-row-group><table:table-row><table:covered-table-cell/><table:table-cell table:number-columns-repeated="2"/><table:table-cell><text:p>fin</text:p></table:table-cell></table:table-row></table:table-row-group>
<table:table-row table:number-rows-repeated="1047000"><table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table>
<table:table table:name="Autre"><table:table-row><table:table-cell><text:p>ignorée</text:p></table:table-cell></table:table-row></table:table>`
	path := writeODS(t, t.TempDir(), tables)
	got, err := openAll(t, path, "ods", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	row := []string{"Jean   Dupont\nligne\t2", "2024-03-12", "2024-03-12T10:30:00", "10:30:00", "0.125", "1234.5", "true", "3", "3"}
	want := [][]string{
		{"nom", "date", "horodatage", "heure", "taux", "montant", "actif", "n"},
		row, row,
		{"", "", "", "fin"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func cellText(s string) string {
	return `<table:table-cell office:value-type="string"><text:p>` + s + `</text:p></table:table-cell>`
}

func TestODSLimits(t *testing.T) {
	dir := t.TempDir()
	wide := writeODS(t, dir, `<table:table><table:table-row><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="1000000000"/></table:table-row></table:table>`)
	_, err := openAll(t, wide, "ods", Limits{})
	wantErr(t, err, ErrLimit, "a value repeated a billion times across")

	tall := writeODS(t, dir, `<table:table><table:table-row table:number-rows-repeated="1000000000"><table:table-cell><text:p>x</text:p></table:table-cell></table:table-row></table:table>`)
	_, err = openAll(t, tall, "ods", Limits{MaxRows: 1000})
	wantErr(t, err, ErrLimit, "a row repeated a billion times")

	spaces := writeODS(t, dir, `<table:table><table:table-row><table:table-cell><text:p><text:s text:c="2000000000"/></text:p></table:table-cell></table:table-row></table:table>`)
	_, err = openAll(t, spaces, "ods", Limits{})
	wantErr(t, err, ErrLimit, "two billion spaces")

	long := writeODS(t, dir, `<table:table><table:table-row><table:table-cell><text:p>`+strings.Repeat("é", 100)+`</text:p></table:table-cell></table:table-row></table:table>`)
	_, err = openAll(t, long, "ods", Limits{MaxCellBytes: 100})
	wantErr(t, err, ErrLimit, "a long cell")
	_, err = openAll(t, long, "ods", Limits{MaxBytes: 500})
	wantErr(t, err, ErrLimit, "bytes")
}

// TestODSBomb: content.xml that inflates a thousand times is refused.
func TestODSBomb(t *testing.T) {
	dir := t.TempDir()
	path := writeODS(t, dir, `<table:table>`+strings.Repeat(`<table:table-row><table:table-cell/></table:table-row>`, 100_000)+`</table:table>`)
	_, err := Open(t.Context(), path, "ods", Limits{})
	wantErr(t, err, ErrLimit, "zip bomb")
}

func TestODSNotASpreadsheet(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"text document": writeZip(t, dir, "text.ods",
			zipFile{"mimetype", []byte("application/vnd.oasis.opendocument.text")},
			zipFile{"content.xml", odsContentXML("")}),
		"encrypted": writeZip(t, dir, "secret.ods",
			zipFile{"mimetype", []byte(odsMime)},
			zipFile{"META-INF/manifest.xml", []byte(`<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/></manifest:file-entry></manifest:manifest>`)},
			zipFile{"content.xml", []byte("\x8f\x11garbage")}),
		"no content": writeZip(t, dir, "empty.ods", zipFile{"mimetype", []byte(odsMime)}),
	}
	for what, path := range cases {
		_, err := Open(t.Context(), path, "ods", Limits{})
		wantErr(t, err, ErrFormat, what)
	}
	broken := writeZip(t, dir, "broken.ods", zipFile{"content.xml", odsContentXML(`<table:table><table:table-row><table:table-cell><text:p>a</text:p></table:table-row>`)})
	_, err := openAll(t, broken, "ods", Limits{})
	wantErr(t, err, ErrFormat, "malformed XML")
}

func TestISODuration(t *testing.T) {
	for in, want := range map[string]string{
		"PT10H30M00S":    "10:30:00",
		"PT0H0M1.5S":     "00:00:01.5",
		"P1DT2H":         "26:00:00",
		"PT1000000H":     "1000000:00:00",
		"P1Y":            "P1Y",
		"10:30":          "10:30",
		"PTxS":           "PTxS",
		"PT99999999999H": "PT99999999999H",
	} {
		if got := isoDuration(in); got != want {
			t.Errorf("isoDuration(%q) = %q, want %q", in, got, want)
		}
	}
}
