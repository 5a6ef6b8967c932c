package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
)

const itemsTable = `CREATE TABLE items (
	id   INTEGER PRIMARY KEY,
	name TEXT    NOT NULL UNIQUE,
	note TEXT,
	n    BIGINT  NOT NULL DEFAULT 0
)`

func createItems(t *testing.T, db *sqldb.DB) {
	t.Helper()
	_, err := db.ExecContext(t.Context(), itemsTable)
	require.NoError(t, err)
}

func countItems(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM items`).Scan(&n))
	return n
}

func TestPlaceholders(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		createItems(t, db)

		q := `INSERT INTO items (id, name, note) VALUES (?, ?, 'why? because')`
		if db.Driver() == sqldb.Postgres {
			assert.Equal(t, `INSERT INTO items (id, name, note) VALUES ($1, $2, 'why? because')`, db.Rebind(q))
		} else {
			assert.Equal(t, q, db.Rebind(q))
		}
		_, err := db.ExecContext(ctx, q, 1, "one")
		require.NoError(t, err)

		var name, note string
		require.NoError(t, db.QueryRowContext(ctx,
			`SELECT name, note FROM items WHERE id = ? AND note <> '?' AND name = ?`, 1, "one").Scan(&name, &note))
		assert.Equal(t, "one", name)
		assert.Equal(t, "why? because", note)

		rows, err := db.QueryContext(ctx, `SELECT id FROM items WHERE id IN (?, ?, ?)`, 1, 2, 3)
		require.NoError(t, err)
		defer rows.Close()
		require.True(t, rows.Next())
		require.NoError(t, rows.Err())
	})
}

func TestWriteThenRead(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		createItems(t, db)
		for i := range 20 {
			_, err := db.ExecContext(ctx, `INSERT INTO items (id, name) VALUES (?, ?)`, i, fmt.Sprint("item", i))
			require.NoError(t, err)
			require.Equal(t, i+1, countItems(t, db), "a committed write is visible to the next read")
		}

		// A writing query goes to the writer even through QueryRowContext.
		var name string
		require.NoError(t, db.QueryRowContext(ctx,
			`INSERT INTO items (id, name) VALUES (?, ?) RETURNING name`, 100, "returned").Scan(&name))
		assert.Equal(t, "returned", name)
		require.NoError(t, db.QueryRowContext(ctx,
			`WITH u AS (SELECT CAST(? AS INTEGER) AS id) UPDATE items SET n = 1 WHERE id IN (SELECT id FROM u) RETURNING name`, 100).Scan(&name))
		assert.Equal(t, "returned", name)
	})
}

func TestInTx(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		createItems(t, db)

		require.NoError(t, db.InTx(ctx, func(tx *sqldb.Tx) error {
			require.NotNil(t, tx.SQL())
			if _, err := tx.ExecContext(ctx, `INSERT INTO items (id, name) VALUES (?, ?)`, 1, "kept"); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE name = ?`, "kept").Scan(&n); err != nil {
				return err
			}
			assert.Equal(t, 1, n, "the transaction sees its own writes")
			rows, err := tx.QueryContext(ctx, `SELECT id FROM items WHERE id = ?`, 1)
			if err != nil {
				return err
			}
			return rows.Close()
		}))
		assert.Equal(t, 1, countItems(t, db), "committed")

		errBoom := errors.New("boom")
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO items (id, name) VALUES (?, ?)`, 2, "dropped"); err != nil {
				return err
			}
			// Reads through DB do not wait for the open write transaction
			// and do not see it.
			assert.Equal(t, 1, countItems(t, db))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Equal(t, 1, countItems(t, db), "rolled back on error")

		assert.PanicsWithValue(t, "kaboom", func() {
			_ = db.InTx(ctx, func(tx *sqldb.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO items (id, name) VALUES (?, ?)`, 3, "panicked")
				require.NoError(t, err)
				panic("kaboom")
			})
		})
		assert.Equal(t, 1, countItems(t, db), "rolled back on panic")

		// The writer is usable again after a rollback and a panic.
		require.NoError(t, db.InTx(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE items SET n = n + 1 WHERE id = ?`, 1)
			return err
		}))
	})
}

func TestIsUniqueViolation(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		createItems(t, db)
		_, err := db.ExecContext(ctx, `INSERT INTO items (id, name) VALUES (?, ?)`, 1, "a")
		require.NoError(t, err)

		_, err = db.ExecContext(ctx, `INSERT INTO items (id, name) VALUES (?, ?)`, 1, "b")
		require.Error(t, err)
		assert.True(t, sqldb.IsUniqueViolation(err), "primary key: %v", err)

		_, err = db.ExecContext(ctx, `INSERT INTO items (id, name) VALUES (?, ?)`, 2, "a")
		require.Error(t, err)
		assert.True(t, sqldb.IsUniqueViolation(err), "unique column: %v", err)
		assert.True(t, sqldb.IsUniqueViolation(fmt.Errorf("store item: %w", err)), "wrapped")

		err = db.InTx(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO items (id, name) VALUES (?, ?)`, 3, "a")
			return err
		})
		assert.True(t, sqldb.IsUniqueViolation(err), "in a transaction: %v", err)

		_, err = db.ExecContext(ctx, `INSERT INTO items (id, name) VALUES (?, ?)`, 4, nil)
		require.Error(t, err)
		assert.False(t, sqldb.IsUniqueViolation(err), "not null: %v", err)
		_, err = db.ExecContext(ctx, `INSERT INTO nowhere VALUES (1)`)
		require.Error(t, err)
		assert.False(t, sqldb.IsUniqueViolation(err))
		assert.False(t, sqldb.IsUniqueViolation(nil))
	})
}

func TestConcurrentWriters(t *testing.T) {
	const writers, perWriter = 8, 200
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		createItems(t, db)
		_, err := db.ExecContext(ctx, `INSERT INTO items (id, name) VALUES (?, ?)`, -1, "counter")
		require.NoError(t, err)

		var wg sync.WaitGroup
		errs := make(chan error, writers*perWriter*2)
		for w := range writers {
			wg.Go(func() {
				for i := range perWriter {
					id := w*perWriter + i
					if _, err := db.ExecContext(ctx, `INSERT INTO items (id, name) VALUES (?, ?)`, id, fmt.Sprint("item", id)); err != nil {
						errs <- err
					}
					// Read-modify-write: must neither fail with SQLITE_BUSY
					// nor lose an update.
					if err := db.InTx(ctx, func(tx *sqldb.Tx) error {
						var n int64
						if err := tx.QueryRowContext(ctx, `SELECT n FROM items WHERE id = ?`, -1).Scan(&n); err != nil {
							return err
						}
						_, err := tx.ExecContext(ctx, `UPDATE items SET n = ? WHERE id = ?`, n+1, -1)
						return err
					}); err != nil {
						errs <- err
					}
				}
			})
			// Readers alongside.
			wg.Go(func() {
				for range perWriter {
					var n int
					if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE id >= ?`, 0).Scan(&n); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		assert.Equal(t, writers*perWriter+1, countItems(t, db))
		var n int64
		if db.Driver() == sqldb.SQLite {
			// Serialised writers cannot lose updates. (On PostgreSQL READ
			// COMMITTED a read-modify-write can, by design.)
			require.NoError(t, db.QueryRowContext(ctx, `SELECT n FROM items WHERE id = ?`, -1).Scan(&n))
			assert.Equal(t, int64(writers*perWriter), n)
		}
	})
}

func TestTime(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		_, err := db.ExecContext(ctx, `CREATE TABLE events (id INTEGER PRIMARY KEY, at BIGINT NOT NULL, deleted_at BIGINT)`)
		require.NoError(t, err)

		paris, err := time.LoadLocation("Europe/Paris")
		require.NoError(t, err)
		at := time.Date(2024, 3, 31, 2, 30, 15, 123456789, paris)
		_, err = db.ExecContext(ctx, `INSERT INTO events (id, at, deleted_at) VALUES (?, ?, ?)`, 1, sqldb.TimeOf(at), sqldb.Time{})
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, `INSERT INTO events (id, at) VALUES (?, ?)`, 2, at.Add(-time.Microsecond).UnixMicro())
		require.NoError(t, err)

		var got, deleted sqldb.Time
		require.NoError(t, db.QueryRowContext(ctx, `SELECT at, deleted_at FROM events WHERE id = ?`, 1).Scan(&got, &deleted))
		assert.True(t, got.Equal(at.Truncate(time.Microsecond)), "got %v", got)
		assert.Equal(t, time.UTC, got.Location())
		assert.Equal(t, sqldb.TimeOf(at), got)
		assert.True(t, deleted.IsZero(), "NULL scans as the zero Time")

		var first int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT id FROM events WHERE at < ? ORDER BY at LIMIT 1`, sqldb.TimeOf(at)).Scan(&first))
		assert.Equal(t, 2, first, "instants compare numerically")
	})
}

func TestOpen(t *testing.T) {
	ctx := t.Context()
	_, err := sqldb.Open(ctx, sqldb.Config{Driver: "mysql", DSN: "x"})
	require.Error(t, err)
	_, err = sqldb.Open(ctx, sqldb.Config{})
	require.Error(t, err)

	// Default driver, parent directories created, extra parameters kept.
	path := filepath.Join(t.TempDir(), "a", "b", "relais.db")
	db, err := sqldb.Open(ctx, sqldb.Config{DSN: path + "?_pragma=cache_size(-4000)"})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	assert.Equal(t, sqldb.SQLite, db.Driver())
	var mode string
	require.NoError(t, db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode))
	assert.Equal(t, "wal", mode)
	var fk, cache int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT * FROM pragma_foreign_keys`).Scan(&fk))
	assert.Equal(t, 1, fk)
	require.NoError(t, db.QueryRowContext(ctx, `SELECT * FROM pragma_cache_size`).Scan(&cache))
	assert.Equal(t, -4000, cache)

	// Readers are read-only; writes route to the writer.
	_, err = db.SQL().ExecContext(ctx, `CREATE TABLE t (x INTEGER)`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO t VALUES (1)`)
	require.NoError(t, err)

	mem, err := sqldb.Open(ctx, sqldb.Config{Driver: "sqlite", DSN: ":memory:"})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, mem.Close()) })
	_, err = mem.ExecContext(ctx, `CREATE TABLE t (x INTEGER)`)
	require.NoError(t, err)
	require.NoError(t, mem.QueryRowContext(ctx, `SELECT COUNT(*) FROM t`).Scan(new(int)), "one database behind both pools")
}

func TestContextCancel(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := db.InTx(ctx, func(tx *sqldb.Tx) error { return nil })
		require.ErrorIs(t, err, context.Canceled)
		// The writer is still usable.
		createItems(t, db)
	})
}
