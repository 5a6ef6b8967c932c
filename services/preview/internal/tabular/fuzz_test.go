package tabular

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
)

var fuzzSeeds = []string{
	"",
	"page=2&page_size=5",
	"page_size=1001",
	"page=-1",
	"page=99999999999999999999",
	"commune__exact=Brest&population__sort=desc",
	"commune__differs=null&littoral__exact=true",
	"commune__contains=%25_%5C",
	"population__in=1,2.5,%221,2%22",
	"population__less=1e400&surface__greater=-1e400",
	"population__strictly_greater=9223372036854775808",
	"surface__strictly_less=NaN",
	"date__greater=2021-02-30",
	"maj__less=2024-05-31T14:30:00%2B02:00",
	"maj__contains=2024",
	"columns=commune,%22surface%22,__id",
	"columns=",
	"littoral__groupby&population__count&population__sum__sort=desc",
	"littoral__groupby=&surface__avg&date__min&date__max",
	"commune__sort=ASC&__id__sort=desc",
	"extra__exact=%7B%7D",
	"a__b__c=1",
	"%ZZ=1",
	"commune__exact",
	"limit=1",
	"population__sum&columns=commune",
	"__sort=asc",
	"commune__EXACT=Brest",
	"surface__isnull&commune__isnotnull=",
	"commune__notin=Brest,%22a,b%22&commune__notcontains=es",
	"population__notin=1.5",
	"surface__isnull=1",
}

// FuzzData runs any query string on a loaded table: the answer is a JSON
// body or a 400 *Error with a JSON body, never another error (a 500) nor a
// panic. With DuckDB in the binary, the same table is loaded in both
// engines, and they must answer alike.
func FuzzData(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	ctx := context.Background()
	s, err := Open(ctx, sqldbtest.Open(f, sqldb.SQLite))
	if err != nil {
		f.Fatal(err)
	}
	loadSample(f, s, "r1")
	var duck *Store
	if DuckDBAvailable {
		duck, err = OpenWith(ctx, sqldbtest.Open(f, sqldb.SQLite), Options{Engine: EngineDuckDB,
			DuckDB: DuckDBOptions{Path: filepath.Join(f.TempDir(), "tabular.duckdb")}})
		if err != nil {
			f.Fatal(err)
		}
		f.Cleanup(func() { duck.Close() })
		loadSample(f, duck, "r1")
	}
	f.Fuzz(func(t *testing.T, raw string) {
		body, err := s.DataQuery(ctx, "r1", raw, base)
		checkAnswer(t, raw, body, err)
		if err == nil {
			err = s.ExportQuery(ctx, "r1", raw, "json", io.Discard)
			checkAnswer(t, raw, nil, err)
		}
		if duck == nil {
			return
		}
		dbody, derr := duck.DataQuery(ctx, "r1", raw, base)
		checkAnswer(t, raw, dbody, derr)
		if (err == nil) != (derr == nil) || string(body) != string(dbody) {
			t.Fatalf("%q: sqlite answers %s %v, duckdb %s %v", raw, body, err, dbody, derr)
		}
	})
}

func checkAnswer(t *testing.T, raw string, body []byte, err error) {
	t.Helper()
	var e *Error
	switch {
	case err == nil:
		if body != nil && !json.Valid(body) {
			t.Fatalf("%q: invalid JSON body %s", raw, body)
		}
	case errors.As(err, &e):
		if e.Status != 400 || !json.Valid(e.Body) {
			t.Fatalf("%q: %d %s", raw, e.Status, e.Body)
		}
	default:
		t.Fatalf("%q: server error %v", raw, err)
	}
}

// FuzzParseQuery checks, without a database, that parsing never panics and
// that the SQL built for a parsed query binds exactly its arguments in both
// dialects.
func FuzzParseQuery(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	tbl := &table{rid: "r", name: "tabular_x", cols: sampleColumns}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := parseQuery(raw, tbl, DefaultMaxPageSize)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status != 400 || !json.Valid(e.Body) {
				t.Fatalf("%q: %v", raw, err)
			}
			return
		}
		for _, d := range []sqldb.Driver{sqldb.SQLite, sqldb.Postgres} {
			stmt, args, _ := q.selectSQL(tbl, d)
			if n := strings.Count(stmt, "?"); n != len(args) {
				t.Fatalf("%q: %d placeholders for %d arguments in %s", raw, n, len(args), stmt)
			}
		}
	})
}
