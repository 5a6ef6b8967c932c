package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// DB is a connection pool (for SQLite, a writer and a reader pool) that
// rebinds '?' placeholders for its dialect. It is safe for concurrent use.
type DB struct {
	driver  Driver
	writer  *sql.DB
	readers *sql.DB // == writer for PostgreSQL and in-memory SQLite
	queries queryCache
}

// Open opens and pings the database described by cfg.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	d, err := cfg.driver()
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if cfg.DSN == "" {
		return nil, fmt.Errorf("open %s database: empty dsn", d)
	}
	db := &DB{driver: d}
	switch d {
	case SQLite:
		db.writer, db.readers, err = openSQLite(ctx, cfg.DSN, cfg.maxOpenConns(d))
	case Postgres:
		db.writer, err = openPostgres(ctx, cfg.DSN, cfg.maxOpenConns(d))
		db.readers = db.writer
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", d, err)
	}
	return db, nil
}

// Driver reports which backend db talks to.
func (db *DB) Driver() Driver { return db.driver }

// SQL returns the underlying read-write pool. For SQLite it is the
// single-connection writer: prefer db's own Query methods for reads, they
// use the reader pool.
func (db *DB) SQL() *sql.DB { return db.writer }

// QueryContext runs a query after rebinding its placeholders.
func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q := db.queries.get(db.driver, query)
	return db.pool(q).QueryContext(ctx, q.bound, args...)
}

// QueryRowContext runs a query expected to return at most one row after
// rebinding its placeholders.
func (db *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	q := db.queries.get(db.driver, query)
	return db.pool(q).QueryRowContext(ctx, q.bound, args...)
}

// ExecContext runs a statement on the writer after rebinding its
// placeholders.
func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q := db.queries.get(db.driver, query)
	return db.writer.ExecContext(ctx, q.bound, args...)
}

func (db *DB) pool(q preparedQuery) *sql.DB {
	if q.readOnly {
		return db.readers
	}
	return db.writer
}

// Close closes every pool.
func (db *DB) Close() error {
	err := db.writer.Close()
	if db.readers != db.writer {
		err = errors.Join(err, db.readers.Close())
	}
	if err != nil {
		return fmt.Errorf("close %s database: %w", db.driver, err)
	}
	return nil
}
