package tabular

import (
	"context"
	"fmt"
	"strings"
	"sync"

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

// insertRows loads src into table name on SQLite. The rows are read and
// converted (src.next, storeValue) in a goroutine while the statements run
// in this one: SQLite's work is one core's, and the conversions, a third
// as much, then take the other.
func insertRows(ctx context.Context, db *sqldb.DB, name string, src *rowSource) (int64, error) {
	perStmt := min(sqliteRowsPerStmt, sqliteMaxVars/(len(src.cols)+1))
	err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		full, err := tx.SQL().PrepareContext(ctx, insertStmt(name, len(src.cols), perStmt))
		if err != nil {
			return fmt.Errorf("prepare insert: %w", err)
		}
		defer full.Close()
		rb := readBatches(src, perStmt)
		defer rb.stop()
		for b := range rb.full {
			if b.err != nil {
				return b.err
			}
			stmt := full
			if b.rows < perStmt {
				if stmt, err = tx.SQL().PrepareContext(ctx, insertStmt(name, len(src.cols), b.rows)); err != nil {
					return fmt.Errorf("prepare insert: %w", err)
				}
				defer stmt.Close()
			}
			if _, err := stmt.ExecContext(ctx, b.args...); err != nil {
				return fmt.Errorf("insert rows up to %d: %w", b.last, err)
			}
			rb.free <- b
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return src.n, nil
}

// rowBatch is the arguments of one multi-row INSERT: rows rows of __id and
// the columns, the last numbered last; or the error that ended the rows.
type rowBatch struct {
	args []any
	rows int
	last int64
	err  error
}

// batchReader reads src into batches of rows in its own goroutine, two
// batches ahead at most.
type batchReader struct {
	full chan *rowBatch // closed after the last batch (or an error)
	free chan *rowBatch
	done chan struct{} // closed by stop
	quit chan struct{} // closed when the goroutine has returned
}

func readBatches(src *rowSource, perStmt int) *batchReader {
	const ahead = 2
	rb := &batchReader{
		full: make(chan *rowBatch, ahead),
		free: make(chan *rowBatch, ahead+1),
		done: make(chan struct{}),
		quit: make(chan struct{}),
	}
	for range ahead + 1 {
		rb.free <- &rowBatch{args: make([]any, 0, perStmt*(len(src.cols)+1))}
	}
	go func() {
		defer close(rb.quit)
		defer close(rb.full)
		for {
			var b *rowBatch
			select {
			case b = <-rb.free:
			case <-rb.done:
				return
			}
			b.args, b.rows = b.args[:0], 0
			for b.rows < perStmt {
				ok, err := src.read()
				if err != nil {
					b.err = err
					break
				}
				if !ok {
					break
				}
				b.args = append(b.args, src.row...)
				b.rows++
			}
			b.last = src.n
			if b.rows == 0 && b.err == nil {
				return
			}
			select {
			case rb.full <- b:
			case <-rb.done:
				return
			}
			if b.rows < perStmt || b.err != nil {
				return
			}
		}
	}()
	return rb
}

// stop ends the reading and waits for it: src is not read once insertRows
// has returned.
func (rb *batchReader) stop() {
	close(rb.done)
	<-rb.quit
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

// bulkLoad puts the SQLite writer in its bulk-load settings for one load
// and returns the function (idempotent) that leaves them once the table is
// swapped in, the last of concurrent loads restoring them: a large page
// cache, so that the table's pages stay in memory, and no WAL checkpoint.
// The load's commit would otherwise checkpoint the whole table it wrote to
// the WAL (copy it into the database file and fsync both: a cost that grows
// with the file, 3 s of a 5 000 000-row load's 26 here, see
// BenchmarkLoad/sqlite/no-index) before the table became queryable; the
// first commit after the load (of its first index, in the background)
// checkpoints instead, and readers find the table's pages in the WAL
// meanwhile. (synchronous is already NORMAL: WAL commits do not fsync.)
func (s *Store) bulkLoad(ctx context.Context) (done func(), err error) {
	s.bulkMu.Lock()
	defer s.bulkMu.Unlock()
	if s.bulkLoads == 0 {
		if s.bulkRestore, err = sqliteBulkPragmas(ctx, s.db); err != nil {
			return nil, err
		}
	}
	s.bulkLoads++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.bulkMu.Lock()
			defer s.bulkMu.Unlock()
			if s.bulkLoads--; s.bulkLoads == 0 {
				s.bulkRestore()
			}
		})
	}, nil
}

// sqliteBulkPragmas sets the writer's page cache and WAL auto-checkpoint
// for a load and returns the function that restores them.
func sqliteBulkPragmas(ctx context.Context, sdb *sqldb.DB) (restore func(), err error) {
	db := sdb.SQL() // the writer's settings
	var cache, autoCheckpoint int64
	if err := db.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cache); err != nil {
		return nil, fmt.Errorf("read cache_size: %w", err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&autoCheckpoint); err != nil {
		return nil, fmt.Errorf("read wal_autocheckpoint: %w", err)
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", sqliteLoadCacheKiB)); err != nil {
		return nil, fmt.Errorf("set cache_size: %w", err)
	}
	if _, err := db.ExecContext(ctx, "PRAGMA wal_autocheckpoint = 0"); err != nil {
		return nil, fmt.Errorf("set wal_autocheckpoint: %w", err)
	}
	return func() {
		ctx := context.WithoutCancel(ctx)
		_, _ = db.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", cache))
		_, _ = db.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", autoCheckpoint))
	}, nil
}
