package sheet

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// benchRows is the size of the generated tables.
const benchRows = 100_000

// benchRecord is row i of the generated tables: text, integer, decimal,
// date, boolean and a code with leading zeros, like open data.
func benchRecord(i int) (string, int, float64, time.Time, bool, string) {
	return fmt.Sprintf("Commune numéro %d", i), i * 7, float64(i) / 3, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%9000), i%2 == 0, fmt.Sprintf("%05d", i%100000)
}

// benchRead reads the file at path b.N times, reporting MB/s of the file
// and rows/s.
func benchRead(b *testing.B, path, format string) {
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	b.ResetTimer()
	stop := peakHeap(b)
	defer stop()
	var rows int
	for b.Loop() {
		r, err := Open(b.Context(), path, format, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			if _, err := r.Next(); err != nil {
				if err.Error() != "EOF" {
					b.Fatal(err)
				}
				break
			}
			n++
		}
		r.Close()
		if n != benchRows+1 {
			b.Fatalf("%d rows", n)
		}
		rows += n
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkXLSX(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.xlsx")
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	date, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	sw.SetRow("A1", []any{"nom", "population", "ratio", "date", "actif", "code"})
	for i := 1; i <= benchRows; i++ {
		s, n, x, d, ok, code := benchRecord(i)
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, []any{s, n, x, excelize.Cell{StyleID: date, Value: d}, ok, code}); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
	benchRead(b, path, "xlsx")
}

func BenchmarkODS(b *testing.B) {
	var t strings.Builder
	t.WriteString(`<table:table table:name="Feuille1"><table:table-column table:number-columns-repeated="1024"/><table:table-row>`)
	for _, h := range []string{"nom", "population", "ratio", "date", "actif", "code"} {
		t.WriteString(cellText(h))
	}
	t.WriteString(`<table:table-cell table:number-columns-repeated="1018"/></table:table-row>`)
	for i := 1; i <= benchRows; i++ {
		s, n, x, d, ok, code := benchRecord(i)
		fmt.Fprintf(&t, `<table:table-row><table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>`+
			`<table:table-cell office:value-type="float" office:value="%d"><text:p>%d</text:p></table:table-cell>`+
			`<table:table-cell office:value-type="float" office:value="%g"><text:p>%.2f</text:p></table:table-cell>`+
			`<table:table-cell office:value-type="date" office:date-value="%s"><text:p>%s</text:p></table:table-cell>`+
			`<table:table-cell office:value-type="boolean" office:boolean-value="%t"><text:p>%t</text:p></table:table-cell>`+
			`<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1018"/></table:table-row>`,
			s, n, n, x, x, d.Format("2006-01-02"), d.Format("02/01/2006"), ok, ok, code)
	}
	t.WriteString(`<table:table-row table:number-rows-repeated="948576"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>`)
	path := writeODS(b, b.TempDir(), t.String())
	benchRead(b, path, "ods")
}

func BenchmarkJSON(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.json")
	var buf strings.Builder
	buf.WriteString("[\n")
	for i := 1; i <= benchRows; i++ {
		s, n, x, d, ok, code := benchRecord(i)
		rec, _ := json.Marshal(map[string]any{"nom": s, "population": n, "ratio": x, "date": d.Format("2006-01-02"), "actif": ok, "code": code, "geo": map[string]float64{"lat": 48.8, "lon": 2.3}})
		if i > 1 {
			buf.WriteString(",\n")
		}
		buf.Write(rec)
	}
	buf.WriteString("\n]\n")
	if err := os.WriteFile(path, []byte(buf.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	benchRead(b, path, "json")
}

// peakHeap samples the heap in use while the benchmark runs and reports its
// peak: reading must stream, whatever the number of rows.
func peakHeap(b *testing.B) (stop func()) {
	runtime.GC()
	done := make(chan struct{})
	var peak uint64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	}
}
