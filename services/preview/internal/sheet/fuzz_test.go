package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// fuzzLimits keep each fuzzed file cheap to read.
var fuzzLimits = Limits{MaxBytes: 1 << 20, MaxRows: 10_000, MaxColumns: 200, MaxCellBytes: 4096}

// drain reads a table to its end: any error is fine, a panic or a hang is
// not, and neither is an error that is neither ErrFormat nor ErrLimit.
func drain(t *testing.T, path, format string) {
	rows, err := openAll(t, path, format, fuzzLimits)
	if err != nil && !errors.Is(err, ErrFormat) && !errors.Is(err, ErrLimit) {
		t.Fatalf("an error that is neither ErrFormat nor ErrLimit: %v", err)
	}
	if int64(len(rows)) > fuzzLimits.MaxRows {
		t.Fatalf("%d rows, over the limit", len(rows))
	}
	for _, row := range rows {
		if len(row) > fuzzLimits.MaxColumns {
			t.Fatalf("%d columns, over the limit", len(row))
		}
	}
}

// FuzzXLSX fuzzes the worksheet and shared strings of a valid workbook.
func FuzzXLSX(f *testing.F) {
	wb := excelize.NewFile()
	style, _ := wb.NewStyle(&excelize.Style{NumFmt: 14})
	wb.SetSheetRow("Sheet1", "A1", &[]any{"nom", "date", "n", "ok"})
	wb.SetSheetRow("Sheet1", "A2", &[]any{"Alice", time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC), 1.5, true})
	wb.SetCellStyle("Sheet1", "B2", "B2", style)
	buf, err := wb.WriteToBuffer()
	if err != nil {
		f.Fatal(err)
	}
	base := buf.Bytes()
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		f.Fatal(err)
	}
	entry := func(name string) []byte {
		for _, e := range zr.File {
			if e.Name == name {
				rc, _ := e.Open()
				b, _ := io.ReadAll(rc)
				rc.Close()
				return b
			}
		}
		return nil
	}
	f.Add(entry("xl/worksheets/sheet1.xml"), entry("xl/sharedStrings.xml"))
	f.Add([]byte(`<worksheet><sheetData><row r="1048577"><c r="A1"><v>1</v></c></row></sheetData></worksheet>`), []byte(`<sst><si><t>x</t></si></sst>`))
	f.Add([]byte(`<worksheet><sheetData><row><c r="XFD1" t="s"><v>7</v></c><c t="d"><v>2024-01-01T00:00:00Z</v></c></row></sheetData></worksheet>`), []byte(``))
	f.Fuzz(func(t *testing.T, sheet, sst []byte) {
		path := replaceZip(t, base, t.TempDir(), "f.xlsx", map[string][]byte{
			"xl/worksheets/sheet1.xml": sheet,
			"xl/sharedStrings.xml":     sst,
		})
		drain(t, path, "xlsx")
	})
}

// FuzzODS fuzzes content.xml of an otherwise valid ODS.
func FuzzODS(f *testing.F) {
	sample, err := zip.OpenReader(filepath.Join(samplesDir, "lave-linge/lave-linge.ods"))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range sample.File {
		if e.Name == "content.xml" {
			rc, _ := e.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			f.Add(b)
		}
	}
	sample.Close()
	f.Add(odsContentXML(`<table:table><table:table-row table:number-rows-repeated="3"><table:table-cell office:value-type="date" office:date-value="2024-01-01"/><table:table-cell table:number-columns-repeated="5"/><table:table-cell office:value-type="time" office:time-value="PT1H"><text:p>a<text:s text:c="3"/>b</text:p></table:table-cell></table:table-row></table:table>`))
	f.Add(odsContentXML(`<table:table><table:table-row><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="99999999"/></table:table-row></table:table>`))
	f.Fuzz(func(t *testing.T, content []byte) {
		path := writeZip(t, t.TempDir(), "f.ods",
			zipFile{"mimetype", []byte(odsMime)},
			zipFile{"content.xml", content})
		drain(t, path, "ods")
	})
}

func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`[{"a":1,"b":"x"},{"b":"y","c":true},{"a":null}]`,
		`[["id","nom"],[1,"a"],[],[2,null,null]]`,
		`{"total":2,"data":[{"id":1,"o":{"x":[1,{"y":"\u00e9"}]}},{"id":2}]}`,
		`[{"cl\u00e9":1e400,"":-0.5E-3}]`,
		`[]`, `{}`, `[1]`, `"x"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		drain(t, path, "json")
	})
}
