package sqldb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
)

// migrateLockKey is the PostgreSQL advisory lock that serialises migrations
// of every set, across processes (the bytes of "relais_m").
const migrateLockKey int64 = 0x72656c6169735f6d

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	set_name   TEXT    NOT NULL,
	version    INTEGER NOT NULL,
	applied_at BIGINT  NOT NULL, -- unix microseconds
	PRIMARY KEY (set_name, version)
)`

// Migrate applies, in version order, the migrations of set found at the root
// of fsys that are not yet recorded in schema_migrations. Files are named
// NNNN_description.sql, or NNNN_description.sqlite.sql and
// NNNN_description.postgres.sql for a version that differs by dialect; a file
// may hold several statements. Each version runs in its own transaction with
// its bookkeeping row, so a failing version leaves no trace and stops the
// run. Rerunning is a no-op, and concurrent runs (several processes starting
// at once) apply each version exactly once: PostgreSQL takes an advisory
// lock, SQLite its write lock. A version missing below the highest applied
// one (e.g. from a merged branch) is still applied; versions recorded but no
// longer in fsys are ignored.
func (db *DB) Migrate(ctx context.Context, set string, fsys fs.FS) error {
	if set == "" {
		return errors.New("migrate: empty set name")
	}
	migrations, err := loadMigrations(fsys, db.driver)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", set, err)
	}
	if err := db.InTx(ctx, func(tx *Tx) error {
		if err := tx.lockMigrations(ctx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, createMigrationsTable)
		return err
	}); err != nil {
		return fmt.Errorf("migrate %s: create schema_migrations: %w", set, err)
	}
	applied, err := db.appliedVersions(ctx, set)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", set, err)
	}
	for _, m := range migrations {
		if applied[m.version] {
			continue
		}
		if err := db.applyMigration(ctx, set, m); err != nil {
			return fmt.Errorf("migrate %s %04d (%s): %w", set, m.version, m.file, err)
		}
	}
	return nil
}

func (db *DB) appliedVersions(ctx context.Context, set string) (map[int64]bool, error) {
	// Read on the writer: it is the connection that just created the table.
	rows, err := db.writer.QueryContext(ctx,
		db.Rebind(`SELECT version FROM schema_migrations WHERE set_name = ?`), set)
	if err != nil {
		return nil, fmt.Errorf("read applied versions: %w", err)
	}
	defer rows.Close()
	applied := map[int64]bool{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read applied versions: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read applied versions: %w", err)
	}
	return applied, nil
}

// applyMigration runs one version and records it, unless another process
// applied it since appliedVersions looked.
func (db *DB) applyMigration(ctx context.Context, set string, m migration) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if err := tx.lockMigrations(ctx); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx,
			`SELECT COUNT(*) FROM schema_migrations WHERE set_name = ? AND version = ?`,
			set, m.version).Scan(&n); err != nil {
			return fmt.Errorf("check version: %w", err)
		}
		if n > 0 {
			return nil
		}
		// No rebind: migration files are plain SQL, not templates.
		if strings.TrimSpace(m.sql) != "" {
			if _, err := tx.SQL().ExecContext(ctx, m.sql); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO schema_migrations (set_name, version, applied_at) VALUES (?, ?, ?)`,
			set, m.version, time.Now().UnixMicro()); err != nil {
			return fmt.Errorf("record version: %w", err)
		}
		return nil
	})
}

// lockMigrations serialises migrations across processes until tx ends. On
// SQLite the transaction already holds the write lock (BEGIN IMMEDIATE).
func (tx *Tx) lockMigrations(ctx context.Context) error {
	if tx.db.driver != Postgres {
		return nil
	}
	if _, err := tx.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLockKey); err != nil {
		return fmt.Errorf("lock migrations: %w", err)
	}
	return nil
}
