package sqldb_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
)

// BenchmarkQueryRow measures single indexed reads from parallel goroutines,
// the catalog's hot path.
func BenchmarkQueryRow(b *testing.B) {
	for _, d := range sqldbtest.Drivers() {
		b.Run(string(d), func(b *testing.B) {
			db := sqldbtest.Open(b, d)
			ctx := b.Context()
			_, err := db.ExecContext(ctx, `CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`)
			require.NoError(b, err)
			const rows = 10_000
			require.NoError(b, db.InTx(ctx, func(tx *sqldb.Tx) error {
				for i := range rows {
					if _, err := tx.ExecContext(ctx, `INSERT INTO items (id, name) VALUES (?, ?)`, i, fmt.Sprint("item", i)); err != nil {
						return err
					}
				}
				return nil
			}))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				var name string
				for pb.Next() {
					i = (i + 7919) % rows
					if err := db.QueryRowContext(ctx, `SELECT name FROM items WHERE id = ?`, i).Scan(&name); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkExec measures autocommit inserts from parallel goroutines.
func BenchmarkExec(b *testing.B) {
	for _, d := range sqldbtest.Drivers() {
		b.Run(string(d), func(b *testing.B) {
			db := sqldbtest.Open(b, d)
			ctx := b.Context()
			_, err := db.ExecContext(ctx, `CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT NOT NULL)`)
			require.NoError(b, err)
			var next atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := db.ExecContext(ctx, `INSERT INTO items (id, name) VALUES (?, ?)`, next.Add(1), "x"); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
