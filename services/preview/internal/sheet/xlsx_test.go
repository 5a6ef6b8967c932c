package sheet

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestXLSXSample reads the real lave-linge workbook: the same 228 columns
// and values as its CSV export.
func TestXLSXSample(t *testing.T) {
	got, err := openAll(t, filepath.Join(samplesDir, "lave-linge/lave-linge.xlsx"), "xlsx", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	assertSameAsCSV(t, got, filepath.Join(samplesDir, "lave-linge/lave-linge-virgule.csv"))
}

// TestXLSXSCDLSample reads the DECP example workbook of the SCDL: its
// header, and dates, identifiers and amounts as the CSV example writes them.
func TestXLSXSCDLSample(t *testing.T) {
	got, err := openAll(t, filepath.Join(samplesDir, "../scdl/decp/decp-table-schema/exemples/exemple-valide.xlsx"), "xlsx", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || len(got[0]) != 33 || got[0][0] != "id" || got[0][32] != "anomalies" {
		t.Fatalf("%d rows, header %q", len(got), got[0])
	}
	row := got[1]
	for i, want := range map[int]string{0: "201900056462300", 2: "23350001600040", 22: "2019-04-27", 24: "21800.10", 26: "81223113200034"} {
		if row[i] != want {
			t.Errorf("%s: %q, want %q", got[0][i], row[i], want)
		}
	}
}

// assertSameAsCSV compares a table with the CSV export of the same data.
func assertSameAsCSV(t *testing.T, got [][]string, csvPath string) {
	t.Helper()
	data, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		w := trimRight(want[i])
		if len(got[i]) != len(w) {
			t.Fatalf("row %d: %d cells, want %d", i, len(got[i]), len(w))
		}
		for j := range w {
			if got[i][j] != w[j] && !sameNumber(got[i][j], w[j]) {
				t.Errorf("row %d column %d: %q, want %q", i, j+1, got[i][j], w[j])
			}
		}
	}
}

// sameNumber tells whether two decimals differ only past the 15
// significant digits a spreadsheet keeps.
func sameNumber(a, b string) bool {
	n := min(len(a), len(b), 16)
	return n > 3 && a[:n] == b[:n] && strings.Trim(a+b, "0123456789.") == ""
}

// TestXLSXValues checks the display form of each kind of cell, the choice
// of the first non-empty sheet and the skipping of blank rows.
func TestXLSXValues(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Vide"))
	_, err := f.NewSheet("Données")
	must(err)
	style := func(s excelize.Style) int {
		id, err := f.NewStyle(&s)
		must(err)
		return id
	}
	custom := func(code string) excelize.Style { return excelize.Style{CustomNumFmt: &code} }
	day := time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC)
	cells := []struct {
		value any
		style int
		want  string
	}{
		{"Alice", 0, "Alice"},
		{day, style(excelize.Style{NumFmt: 14}), "2024-03-12"},
		{day, style(custom("dd/mm/yyyy")), "2024-03-12"},
		{day.Add(10*time.Hour + 30*time.Minute), style(excelize.Style{NumFmt: 22}), "2024-03-12T10:30:00"},
		{day.Add(10*time.Hour + 30*time.Minute), style(custom(`[$-40C]d\ mmmm\ yyyy\ h:mm`)), "2024-03-12T10:30:00"},
		{0.4375, style(excelize.Style{NumFmt: 21}), "10:30:00"},
		{0.125, style(excelize.Style{NumFmt: 10}), "0.125"},
		{1234.5, style(custom(`#,##0.00\ "€"`)), "1234.5"},
		{true, 0, "TRUE"},
		{12345678901234, style(excelize.Style{NumFmt: 3}), "12345678901234"},
		{"00123", style(excelize.Style{NumFmt: 49}), "00123"},
		{1.5, 0, "1.5"},
	}
	var header []string
	for i, c := range cells {
		col, _ := excelize.ColumnNumberToName(i + 1)
		header = append(header, "c"+col)
		must(f.SetCellValue("Données", col+"1", "c"+col))
		must(f.SetCellValue("Données", col+"2", c.value))
		if c.style != 0 {
			must(f.SetCellStyle("Données", col+"2", col+"2", c.style))
		}
	}
	must(f.SetCellValue("Données", "B5", "après un blanc"))
	path := filepath.Join(t.TempDir(), "values.xlsx")
	must(f.SaveAs(path))

	got, err := openAll(t, path, "xlsx", Limits{})
	must(err)
	var want []string
	for _, c := range cells {
		want = append(want, c.want)
	}
	if len(got) != 3 {
		t.Fatalf("got %d rows, want 3: %q", len(got), got)
	}
	if !reflect.DeepEqual(got[0], header) {
		t.Errorf("header %q, want %q", got[0], header)
	}
	for j := range want {
		if j >= len(got[1]) || got[1][j] != want[j] {
			t.Errorf("cell %s: got %q, want %q (style %d)", header[j], got[1], want[j], cells[j].style)
		}
	}
	if !reflect.DeepEqual(got[2], []string{"", "après un blanc"}) {
		t.Errorf("row after the blank: %q", got[2])
	}
}

func TestXLSXLimits(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	defer f.Close()
	for r := 1; r <= 10; r++ {
		row := make([]any, 5)
		for c := range row {
			row[c] = strings.Repeat("x", r*c)
		}
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "limits.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	_, err := openAll(t, path, "xlsx", Limits{MaxRows: 9})
	wantErr(t, err, ErrLimit, "rows")
	_, err = openAll(t, path, "xlsx", Limits{MaxColumns: 4})
	wantErr(t, err, ErrLimit, "columns")
	_, err = openAll(t, path, "xlsx", Limits{MaxCellBytes: 30})
	wantErr(t, err, ErrLimit, "cell bytes")
	_, err = openAll(t, path, "xlsx", Limits{MaxBytes: 2000})
	wantErr(t, err, ErrLimit, "bytes")
	rows, err := openAll(t, path, "xlsx", Limits{MaxRows: 10, MaxColumns: 5, MaxCellBytes: 40})
	if err != nil || len(rows) != 10 {
		t.Fatalf("within the limits: %d rows, %v", len(rows), err)
	}
}

// TestXLSXBomb: a sheet that inflates a thousand times is refused before
// it is decompressed.
func TestXLSXBomb(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	sheet := []byte(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		strings.Repeat(`<row><c t="inlineStr"><is><t>x</t></is></c></row>`, 200_000) + `</sheetData></worksheet>`)
	path := replaceZip(t, buf.Bytes(), dir, "bomb.xlsx", map[string][]byte{"xl/worksheets/sheet1.xml": sheet})
	_, err = Open(t.Context(), path, "xlsx", Limits{MaxRatio: 50})
	wantErr(t, err, ErrLimit, "zip bomb")
	if !strings.Contains(err.Error(), "zip bomb") {
		t.Errorf("the message should name a zip bomb: %v", err)
	}
	// The same file under the default ratio is a plain (if odd) table.
	rows, err := openAll(t, path, "xlsx", Limits{MaxRatio: 5000})
	if err != nil || len(rows) != 200_000 {
		t.Fatalf("under a high ratio: %d rows, %v", len(rows), err)
	}
}

func TestXLSXNotAWorkbook(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"text.xlsx":      []byte("id;nom\n1;a\n"),
		"encrypted.xlsx": append(append([]byte{}, oleMagic...), make([]byte, 600)...),
		"empty.xlsx":     nil,
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Open(t.Context(), path, "xlsx", Limits{})
		wantErr(t, err, ErrFormat, name)
	}
	empty := excelize.NewFile()
	emptyPath := filepath.Join(dir, "blank.xlsx")
	if err := empty.SaveAs(emptyPath); err != nil {
		t.Fatal(err)
	}
	if rows, err := openAll(t, emptyPath, "xlsx", Limits{}); err != nil || len(rows) != 0 {
		t.Fatalf("a blank workbook: %q, %v", rows, err)
	}
	path := writeZip(t, dir, "other.xlsx", zipFile{"hello.txt", []byte("hi")})
	_, err := Open(t.Context(), path, "xlsx", Limits{})
	wantErr(t, err, ErrFormat, "a zip without a workbook")
}

func TestCodeKind(t *testing.T) {
	for code, want := range map[string]fmtKind{
		"dd/mm/yyyy":                      kindDate,
		`[$-40C]d\ mmmm\ yyyy`:            kindDate,
		"mmm-yy":                          kindDate,
		"yyyy-mm-dd hh:mm:ss":             kindDateTime,
		"h:mm AM/PM":                      kindTime,
		"[h]:mm:ss":                       kindKeep,
		"@":                               kindKeep,
		"0.00E+00":                        kindNumber,
		`"Total: "General`:                kindNumber,
		`#,##0.00\ "€";[Red]-#,##0.00`:    kindNumber,
		`0.0" days"`:                      kindNumber,
		`_-* #,##0\ _€_-;\-* #,##0\ _€_-`: kindNumber,
		"0%":                              kindNumber,
	} {
		if got := codeKind(code); got != want {
			t.Errorf("codeKind(%q) = %d, want %d", code, got, want)
		}
	}
}
