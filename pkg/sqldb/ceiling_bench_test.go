package sqldb_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"testing"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
)

// BenchmarkCeilingCSVInsert is ../shared/LIMITS.md's "CSV parse +
// single-row inserts into SQLite, one transaction", rerun in this session:
// the simplest load of a CSV into SQLite, beside which the preview
// service's tabular load is measured.
//
//	cd pkg && go test -run '^$' -bench CeilingCSVInsert -benchtime 1x ./sqldb/
func BenchmarkCeilingCSVInsert(b *testing.B) {
	var buf bytes.Buffer
	for i := range 500_000 {
		fmt.Fprintf(&buf, "%d,commune-%d,75%03d,%d.%02d,2024-%02d-%02d,oui,%d,texte libre %d,%d,fin\n",
			i, i%3000, i%1000, i%100000, i%100, 1+i%12, 1+i%28, i*7, i, i%17)
	}
	data := buf.Bytes()
	for b.Loop() {
		db := sqldbtest.Open(b, sqldb.SQLite)
		ctx := context.Background()
		if _, err := db.ExecContext(ctx, "CREATE TABLE t (c0 INTEGER, c1 TEXT, c2 TEXT, c3 REAL, c4 TEXT, c5 TEXT, c6 INTEGER, c7 TEXT, c8 INTEGER, c9 TEXT)"); err != nil {
			b.Fatal(err)
		}
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			stmt, err := tx.SQL().PrepareContext(ctx, "INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?)")
			if err != nil {
				return err
			}
			defer stmt.Close()
			r := csv.NewReader(bytes.NewReader(data))
			r.ReuseRecord = true
			args := make([]any, 10)
			for {
				rec, err := r.Read()
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return err
				}
				for i, v := range rec {
					args[i] = v
				}
				if _, err := stmt.ExecContext(ctx, args...); err != nil {
					return err
				}
			}
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data))*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
}
