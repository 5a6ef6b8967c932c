package analysis

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fuzzLimits are small, so that every input hits them often.
func fuzzLimits() Limits {
	return Limits{MaxBytes: 1 << 20, MaxRows: 200, MaxColumns: 64, MaxCellBytes: 1024, MaxRatio: 50}
}

// checkAnalyze analyzes data as a file named name: it must not panic or
// hang, must fail only with a reason (ErrUnreadable) and, when it succeeds,
// Rows must give RowCount rows as wide as the header whose cells Parse
// accepts.
func checkAnalyze(t *testing.T, name string, data []byte) {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lim := fuzzLimits()
	p, err := Analyze(ctx, path, name, lim)
	if err != nil {
		if !errors.Is(err, ErrUnreadable) {
			t.Fatalf("Analyze: %v (not ErrUnreadable)", err)
		}
		return
	}
	if p.RowCount > lim.MaxRows || len(p.Columns) > lim.MaxColumns {
		t.Fatalf("limits not respected: %d rows, %d columns", p.RowCount, len(p.Columns))
	}
	it, err := Rows(ctx, path, p, lim)
	if err != nil {
		t.Fatalf("Rows: %v", err)
	}
	defer it.Close()
	var n int64
	for {
		row, err := it.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("row %d: %v", n+1, err)
		}
		n++
		if len(row) != len(p.Columns) {
			t.Fatalf("row %d: %d cells for %d columns", n, len(row), len(p.Columns))
		}
		for i, c := range p.Columns {
			if _, err := Parse(c, row[i]); err != nil {
				t.Fatalf("row %d: %v", n, err)
			}
		}
	}
	if n != p.RowCount {
		t.Fatalf("Rows gave %d rows, Analyze counted %d", n, p.RowCount)
	}
	for _, m := range []map[string]any{p.Extras(), p.CSVDetective()} {
		if _, err := json.Marshal(m); err != nil {
			t.Fatalf("marshal: %v", err)
		}
	}
}

func FuzzAnalyzeCSV(f *testing.F) {
	for _, s := range []string{
		frenchCSV,
		"a,b\n1,\"x\ny\"\n",
		"Titre\na;b\n1;2\n",
		"a;b\n\"unclosed;2\n",
		"a\tb\n2A004\t01/02/2024\n",
		"'a';'b'\n'1';'2'\n",
		"id,geo\n1,\"48.8, 2.3\"\n",
		"a;b\n1;2;3;4\n;\n\n",
		"x\n" + "\xe9t\xe9\n",
		"\xef\xbb\xbfa;b\n1;2\n",
		"\xff\xfea\x00;\x00b\x00\n\x00",
		"[{\"a\": 1}, {\"a\": \"x\"}]",
		"x;y\n1e308;1\n-1e308;2\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAnalyze(t, "f.csv", data)
	})
}

// FuzzAnalyzeContainer feeds gzip and zip archives, well-formed (the
// fuzzer mutates their content through the seed) or not.
func FuzzAnalyzeContainer(f *testing.F) {
	f.Add(gzipped(f, []byte(frenchCSV)), false)
	f.Add(gzipped(f, make([]byte, 1<<16)), false)
	f.Add(zipped(f, map[string][]byte{"a.csv": []byte(frenchCSV)}), true)
	f.Add(zipped(f, map[string][]byte{"a.txt": []byte("a\tb\n1\t2\n"), "b.json": []byte("[]")}), true)
	f.Add(zipped(f, map[string][]byte{"x.json": []byte(`[{"a": [1, 2]}]`)}), true)
	f.Add(zipped(f, map[string][]byte{"mimetype": []byte("application/vnd.oasis.opendocument.spreadsheet")}), true)
	f.Fuzz(func(t *testing.T, data []byte, isZip bool) {
		name := "f.csv.gz"
		if isZip {
			name = "f.zip"
		}
		checkAnalyze(t, name, data)
	})
}
