package tabular

import (
	"context"
	"fmt"
	"strings"

	"github.com/relais-data/relais/pkg/sqldb"
)

// SQLite bulk loading: multi-row INSERTs prepared once, in one transaction
// (the table is not visible to readers until the swap anyway).
const (
	sqliteMaxVars     = 32766 // SQLITE_MAX_VARIABLE_NUMBER since 3.32
	sqliteRowsPerStmt = 256
	// sqliteLoadCacheKiB is the writer's page cache during a load, so that
	// the table's pages and the index sorts stay in memory (then restored).
	sqliteLoadCacheKiB = 64 << 10
)

// insertRows loads src into table name on SQLite.
func insertRows(ctx context.Context, db *sqldb.DB, name string, src *rowSource) (int64, error) {
	perStmt := min(sqliteRowsPerStmt, sqliteMaxVars/(len(src.cols)+1))
	restore, err := sqliteBulkPragmas(ctx, db)
	if err != nil {
		return 0, err
	}
	defer restore()
	err = db.InTx(ctx, func(tx *sqldb.Tx) error {
		full, err := tx.SQL().PrepareContext(ctx, insertStmt(name, len(src.cols), perStmt))
		if err != nil {
			return fmt.Errorf("prepare insert: %w", err)
		}
		defer full.Close()
		args := make([]any, 0, perStmt*(len(src.cols)+1))
		n := 0
		for {
			ok, err := src.read()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			args = append(args, src.row...)
			n++
			if n == perStmt {
				if _, err := full.ExecContext(ctx, args...); err != nil {
					return fmt.Errorf("insert rows up to %d: %w", src.n, err)
				}
				args, n = args[:0], 0
			}
		}
		if n > 0 {
			if _, err := tx.SQL().ExecContext(ctx, insertStmt(name, len(src.cols), n), args...); err != nil {
				return fmt.Errorf("insert rows up to %d: %w", src.n, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return src.n, nil
}

// insertStmt is INSERT INTO name VALUES (?, …), … for rows rows of cols
// columns plus __id.
func insertStmt(name string, cols, rows int) string {
	one := "(?" + strings.Repeat(", ?", cols) + ")"
	var b strings.Builder
	b.Grow(len("INSERT INTO  VALUES ") + len(name) + 2 + rows*(len(one)+2))
	b.WriteString("INSERT INTO " + quote(name) + " VALUES ")
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}

// sqliteBulkPragmas enlarges the writer's page cache for a load and returns
// the function that restores it. (synchronous is already NORMAL: in WAL mode
// commits do not fsync.)
func sqliteBulkPragmas(ctx context.Context, db *sqldb.DB) (restore func(), err error) {
	var prev int64
	if err := db.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&prev); err != nil {
		return nil, fmt.Errorf("read cache_size: %w", err)
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", sqliteLoadCacheKiB)); err != nil {
		return nil, fmt.Errorf("set cache_size: %w", err)
	}
	return func() {
		_, _ = db.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA cache_size = %d", prev))
	}, nil
}
