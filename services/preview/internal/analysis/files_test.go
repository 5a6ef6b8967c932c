package analysis

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// writeFile writes data to a file named name in a temporary directory.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zipped(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for name, data := range files {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func analyze(t testing.TB, name string, data []byte, lim Limits) (*Profile, error) {
	t.Helper()
	return Analyze(context.Background(), writeFile(t, name, data), name, lim)
}

func allRows(t testing.TB, path string, p *Profile) [][]string {
	t.Helper()
	it, err := Rows(context.Background(), path, p, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var rows [][]string
	for {
		row, err := it.Next()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
}

const frenchCSV = "nom;montant;date\r\nÉcole Jules-Ferry;1 200,50;30/03/2024\r\n\"Mairie; annexe\";3,5;01/04/2024\r\n"

func TestEncodings(t *testing.T) {
	toLatin1 := func(s string) []byte {
		var out []byte
		for _, r := range s {
			out = append(out, byte(r))
		}
		return out
	}
	utf16le := func(s string) []byte {
		out := []byte{0xFF, 0xFE}
		for _, u := range utf16.Encode([]rune(s)) {
			out = append(out, byte(u), byte(u>>8))
		}
		return out
	}
	cases := []struct {
		name string
		data []byte
		enc  string
		cell string // first cell of the first row
	}{
		{"utf8", []byte(frenchCSV), "UTF-8", "École Jules-Ferry"},
		{"bom", append([]byte{0xEF, 0xBB, 0xBF}, frenchCSV...), "UTF-8-SIG", "École Jules-Ferry"},
		{"latin1", toLatin1(frenchCSV), "ISO-8859-1", "École Jules-Ferry"},
		// 0x92 is ’ in Windows-1252, an invisible control in ISO-8859-1.
		{"cp1252", append(toLatin1("nom;n\r\nL"), append([]byte{0x92}, toLatin1("Haÿ-les-Roses;1\r\n")...)...), "WINDOWS-1252", "L’Haÿ-les-Roses"},
		{"utf16", utf16le(frenchCSV), "UTF-16LE", "École Jules-Ferry"},
		// ASCII for the whole head, then Latin-1 far beyond it.
		{"late-latin1", append([]byte("nom;n\n"+strings.Repeat("abc;1\n", sniffBytes/6+10)), toLatin1("Éclose;2\n")...), "ISO-8859-1", "abc"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, c.name+".csv", c.data)
			p, err := Analyze(context.Background(), path, "x.csv", DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if p.Encoding != c.enc || p.Delimiter != ";" {
				t.Errorf("encoding %q delimiter %q, want %q ;", p.Encoding, p.Delimiter, c.enc)
			}
			rows := allRows(t, path, p)
			if len(rows) == 0 || rows[0][0] != c.cell {
				t.Fatalf("rows = %q", rows[:min(len(rows), 2)])
			}
			if c.name == "late-latin1" && rows[len(rows)-1][0] != "Éclose" {
				t.Errorf("last row = %q", rows[len(rows)-1])
			}
		})
	}
}

// TestMixedUTF8: a UTF-8 file with a few Windows-1252 bytes stays UTF-8;
// those bytes are decoded as Windows-1252 and counted.
func TestMixedUTF8(t *testing.T) {
	data := append([]byte("nom;n\nÉcole;1\nL"), 0x92)
	data = append(data, "Isle;2\n"...)
	path := writeFile(t, "mixed.csv", data)
	p, err := Analyze(context.Background(), path, "mixed.csv", DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	// The head holds invalid UTF-8: the file is read as single-byte, and
	// "É" (two UTF-8 bytes) becomes "Ã‰" — the honest reading of such a file.
	if p.Encoding != encCP1252 {
		t.Errorf("encoding = %s", p.Encoding)
	}
	big := append([]byte("nom;n\nÉcole;1\n"+strings.Repeat("abc;1\n", sniffBytes/6+10)+"L"), 0x92)
	big = append(big, "Isle;2\n"...)
	path = writeFile(t, "mixed-late.csv", big)
	if p, err = Analyze(context.Background(), path, "mixed.csv", DefaultLimits()); err != nil {
		t.Fatal(err)
	}
	rows := allRows(t, path, p)
	if p.Encoding != encUTF8 || p.Windows1252Bytes != 1 || rows[0][0] != "École" || rows[len(rows)-1][0] != "L’Isle" {
		t.Errorf("encoding %s, %d fallbacks, first %q, last %q", p.Encoding, p.Windows1252Bytes, rows[0], rows[len(rows)-1])
	}
}

func TestDialects(t *testing.T) {
	cases := []struct {
		name, data, delim string
		header            int
		first             []string
	}{
		{"comma.csv", "a,b,c\n1,\"x, y\",3\n4,5,6\n", ",", 0, []string{"1", "x, y", "3"}},
		{"tab.txt", "a\tb\n1\t2\n", "\t", 0, []string{"1", "2"}},
		{"pipe.csv", "a|b|c\n1|2|3\n", "|", 0, []string{"1", "2", "3"}},
		{"title.csv", "Titre du rapport\nExtrait du 01/01/2024;;\na;b;c\n1;2;3\n4;5;6\n", ";", 2, []string{"1", "2", "3"}},
		{"decimal-commas.csv", "a;b\n1,5;2,5\n3,5;4,5\n", ";", 0, []string{"1,5", "2,5"}},
		{"single-quotes.csv", "'a';'b'\n'x;y';'2'\n", ";", 0, []string{"x;y", "2"}},
		{"multiline.csv", "a;b\n\"ligne 1\r\nligne 2\";2\n3;4\n", ";", 0, []string{"ligne 1\nligne 2", "2"}},
		{"ragged.csv", "a;b;c\n1;2\n1;2;3;4\n1;2;3;\n", ";", 0, []string{"1", "2", ""}},
		{"blank-lines.csv", "\n\na;b\n\n1;2\n;\n3;4\n", ";", 2, []string{"1", "2"}},
		{"one-column.csv", "nom\nDupont, Jean\nMartin\nDurand; Paul\n", "\t", 0, []string{"Dupont, Jean"}}, // the first delimiter absent
		{"lazy-quotes.csv", "a;b\n12\" pouces;\"dit \"x\" ici\"\n", ";", 0, []string{"12\" pouces", "dit x\" ici\""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, c.name, []byte(c.data))
			p, err := Analyze(context.Background(), path, c.name, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if p.Delimiter != c.delim || p.HeaderRow != c.header {
				t.Errorf("delimiter %q header %d, want %q %d", p.Delimiter, p.HeaderRow, c.delim, c.header)
			}
			rows := allRows(t, path, p)
			if len(rows) == 0 || strings.Join(rows[0], "|") != strings.Join(c.first, "|") {
				t.Errorf("first row %q, want %q", rows, c.first)
			}
			if int64(len(rows)) != p.RowCount {
				t.Errorf("%d rows, profile says %d", len(rows), p.RowCount)
			}
		})
	}
}

func TestRaggedAndDuplicates(t *testing.T) {
	p, err := analyze(t, "r.csv", []byte("a;b;c\n1;2\n1;2;3;4\n1;2;3;\n1;2;3\n1;2;3\n"), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	// "1;2" padded, "1;2;3;4" cut: ragged; "1;2;3;" only has an empty extra.
	if p.RaggedRows != 2 || p.Duplicates != 3 || !p.DuplicatesExact || p.RowCount != 5 {
		t.Errorf("ragged %d, duplicates %d (exact %v), rows %d", p.RaggedRows, p.Duplicates, p.DuplicatesExact, p.RowCount)
	}
}

func TestHeaderNames(t *testing.T) {
	got := columnNames([]string{" a ", "", "a", "a", "b", ""})
	want := []string{"a", "Unnamed: 1", "a.1", "a.2", "b", "Unnamed: 5"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("columnNames = %q, want %q", got, want)
	}
}

func TestContainers(t *testing.T) {
	csv := []byte(frenchCSV)
	t.Run("gzip", func(t *testing.T) {
		path := writeFile(t, "f.csv.gz", gzipped(t, csv))
		p, err := Analyze(context.Background(), path, "https://x/f.csv.gz", DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		if p.Container != "gzip" || p.Format != "csv" || p.RowCount != 2 || p.MimeType != "application/gzip" || p.Bytes != int64(len(csv)) {
			t.Errorf("profile %+v", p)
		}
		if rows := allRows(t, path, p); len(rows) != 2 || rows[1][0] != "Mairie; annexe" {
			t.Errorf("rows %q", rows)
		}
	})
	t.Run("zip", func(t *testing.T) {
		path := writeFile(t, "f.zip", zipped(t, map[string][]byte{"__MACOSX/._f.csv": []byte("junk"), "README.pdf": []byte("%PDF"), "dossier/f.csv": csv}))
		p, err := Analyze(context.Background(), path, "f.zip", DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		if p.Container != "zip" || p.Entry != "dossier/f.csv" || p.RowCount != 2 || p.MimeType != "application/zip" {
			t.Errorf("profile %+v", p)
		}
		if rows := allRows(t, path, p); len(rows) != 2 {
			t.Errorf("rows %q", rows)
		}
	})
	t.Run("zip-json", func(t *testing.T) {
		path := writeFile(t, "f.zip", zipped(t, map[string][]byte{"f.json": []byte(`[{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]`)}))
		p, err := Analyze(context.Background(), path, "f.zip", DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		if p.Format != "json" || p.RowCount != 2 || p.Columns[0].Format != "int" {
			t.Errorf("profile %+v", p)
		}
		if rows := allRows(t, path, p); len(rows) != 2 || rows[1][1] != "y" {
			t.Errorf("rows %q", rows)
		}
	})
}

// TestGeoJSONWithoutProperties: a map without attributes is not an
// unreadable file; it has no table.
func TestGeoJSONWithoutProperties(t *testing.T) {
	data := []byte(`{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.3, 48.8]}, "properties": null}]}`)
	p, err := analyze(t, "f.geojson.gz", gzipped(t, data), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if p.Format != "geojson" || p.Container != "gzip" || len(p.Columns) != 0 || p.RowCount != 0 {
		t.Errorf("profile %+v", p)
	}
}

// TestUnreadable: every refusal has a reason, and wraps ErrUnreadable.
func TestUnreadable(t *testing.T) {
	bomb := gzipped(t, bytes.Repeat([]byte("0;0\n"), 4<<20)) // 16 MiB of one line: ratio ~1000
	zipBomb := zipped(t, map[string][]byte{"f.csv": bytes.Repeat([]byte("0;0\n"), 4<<20)})
	small := DefaultLimits()
	small.MaxRows, small.MaxColumns, small.MaxCellBytes, small.MaxBytes = 3, 4, 16, 1000
	cases := []struct {
		name   string
		data   []byte
		lim    Limits
		reason string
	}{
		{"empty.csv", nil, DefaultLimits(), "empty file"},
		{"blank.csv", []byte("\n\n  \n"), DefaultLimits(), "empty file"},
		{"empty.csv.gz", gzipped(t, nil), DefaultLimits(), "empty file"},
		{"bomb.csv.gz", bomb, DefaultLimits(), "suspicious decompression ratio"},
		{"bomb.zip", zipBomb, DefaultLimits(), "suspicious decompression ratio"},
		{"nothing.zip", zipped(t, map[string][]byte{"a.pdf": []byte("%PDF-1.4"), "b.png": {0x89, 'P'}}), DefaultLimits(), "zip archive without a readable file"},
		{"corrupt.csv.gz", gzipped(t, []byte(frenchCSV))[:30], DefaultLimits(), "invalid gzip data"},
		{"rows.csv", []byte("a\n1\n2\n3\n4\n"), small, "more than 3 rows"},
		{"columns.csv", []byte("a;b;c;d;e\n1;2;3;4;5\n"), small, "more than 4 columns"},
		{"cell.csv", []byte("a;b\n1;" + strings.Repeat("x", 17) + "\n"), small, "cell longer than 16 bytes"},
		{"unclosed.csv", []byte("a;b\n1;\"" + strings.Repeat("x\n", 20)), small, "cell longer than 16 bytes"},
		{"bytes.csv", []byte("a;b\n" + strings.Repeat("1;2\n", 300)), small, "file larger than 1000 bytes"},
		{"old.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 100)...), DefaultLimits(), "XLS (Excel 97-2003)"},
		{"binary.csv", []byte("a;b\x00\x01\x02"), DefaultLimits(), "binary file"},
		{"page.csv", []byte("\n<!DOCTYPE html>\n<html><body>Connexion</body></html>"), DefaultLimits(), "an HTML page"},
		{"data.xml", []byte(`<?xml version="1.0"?><marches/>`), DefaultLimits(), "XML files"},
		{"bare.xml", []byte("<marches>\n  <marche><id>1</id></marche>\n</marches>\n"), DefaultLimits(), "XML files"},
		{"object.json", []byte(`{"a": 1}`), DefaultLimits(), "invalid file"},
		{"only-delimiters.csv", []byte(";;\n,,\n"), DefaultLimits(), "empty file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := analyze(t, c.name, c.data, c.lim)
			if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), c.reason) {
				t.Errorf("err = %v, want ErrUnreadable with %q", err, c.reason)
			}
		})
	}
}

func TestExtrasAndCSVDetective(t *testing.T) {
	p, err := analyze(t, "f.csv", []byte("id;montant;code_postal;type\n1;1,5;01000;A\n2;2,5;75001;A\n3;;13001;B\n"), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	ex := p.Extras()
	if len(ex["analysis:checksum"].(string)) != 40 || ex["analysis:content-length"] != p.FileSize || ex["analysis:mime-type"] != "text/plain" {
		t.Errorf("extras = %v", ex)
	}
	for _, k := range []string{"analysis:parsing:started_at", "analysis:parsing:finished_at"} {
		if s, _ := ex[k].(string); len(s) != len("2025-04-07T05:06:01.573747+00:00") || !strings.HasSuffix(s, "+00:00") {
			t.Errorf("%s = %v", k, ex[k])
		}
	}
	cd := p.CSVDetective()
	for _, k := range []string{"header", "columns", "formats", "profile", "encoding", "separator", "categorical", "total_lines", "nb_duplicates", "columns_fields", "columns_labels", "header_row_idx", "heading_columns", "trailing_columns"} {
		if _, ok := cd[k]; !ok {
			t.Errorf("no %q in the csv-detective profile", k)
		}
	}
	cols := cd["columns"].(map[string]any)
	if c := cols["code_postal"].(map[string]any); c["format"] != "code_postal" || c["python_type"] != "string" || c["score"] != 1.5 {
		t.Errorf("code_postal = %v", c)
	}
	if c := cols["montant"].(map[string]any); c["format"] != "float" || c["python_type"] != "float" {
		t.Errorf("montant = %v", c)
	}
	prof := cd["profile"].(map[string]any)["id"].(map[string]any)
	if prof["min"] != int64(1) || prof["max"] != int64(3) || prof["mean"] != int64(2) || prof["nb_missing_values"] != int64(0) || prof["nb_distinct"] != int64(3) {
		t.Errorf("profile of id = %v", prof)
	}
	if m := cd["profile"].(map[string]any)["montant"].(map[string]any); m["nb_missing_values"] != int64(1) || m["max"] != 2.5 {
		t.Errorf("profile of montant = %v", m)
	}
	if cd["total_lines"] != int64(3) || cd["separator"] != ";" || cd["encoding"] != "UTF-8" {
		t.Errorf("csv-detective = %v", cd)
	}
}

// TestChecksum: analysis:checksum is the sha1 of the stored file, whoever
// read its bytes (the CSV reader, gzip, a zip member, the JSON reader).
func TestChecksum(t *testing.T) {
	bigJSON := []byte("[" + strings.Repeat(`{"a": 1, "b": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},`, 20000) + `{"a": 2, "b": "y"}]`)
	for name, data := range map[string][]byte{
		"f.csv":    []byte(frenchCSV),
		"f.csv.gz": gzipped(t, []byte(frenchCSV)),
		"f.zip":    zipped(t, map[string][]byte{"f.csv": []byte(frenchCSV)}),
		"f.json":   bigJSON,
	} {
		p, err := analyze(t, name, data, DefaultLimits())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := fmt.Sprintf("%x", sha1.Sum(data)); p.Checksum != want || p.FileSize != int64(len(data)) {
			t.Errorf("%s: checksum %s size %d, want %s %d", name, p.Checksum, p.FileSize, want, len(data))
		}
	}
}
