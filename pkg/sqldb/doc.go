// Package sqldb is Relais' one small API over SQLite (pure Go,
// modernc.org/sqlite) and PostgreSQL (pgx v5 through database/sql).
//
// Services write SQL once, with '?' placeholders; [DB.Rebind] turns them into
// $1, $2, … for PostgreSQL, and the Query/Exec methods of [DB] and [Tx] rebind
// automatically. [DB.Migrate] applies numbered SQL files, with optional
// per-dialect variants, and several independent migration sets can share one
// database. [IsUniqueViolation] recognises duplicate-key errors from both.
//
// # Connection pools
//
// PostgreSQL uses one pool of MaxOpenConns connections for everything.
//
// SQLite uses two pools on the same file, opened in WAL mode with
// busy_timeout=10s, foreign_keys=on and synchronous=NORMAL on every
// connection:
//
//   - a writer: exactly one connection, whose transactions begin with
//     BEGIN IMMEDIATE. Every write goes through it, so writers queue in Go
//     (fairly, without polling) instead of colliding on SQLite's lock and
//     failing with SQLITE_BUSY.
//   - readers: MaxOpenConns read-only (query_only) connections, so reads
//     scale across cores and never wait for writers (WAL).
//
// [DB.InTx] and [DB.ExecContext] use the writer. [DB.QueryContext] and
// [DB.QueryRowContext] use the readers when the statement starts with SELECT
// (or is a WITH/VALUES/EXPLAIN query that contains no INSERT, UPDATE, DELETE
// or REPLACE); anything else — INSERT … RETURNING, PRAGMA — goes to the
// writer. [DB.SQL] returns the writer pool. A ":memory:" DSN uses a single
// connection for both.
//
// Because the SQLite writer has a single connection, never call a DB write
// method (ExecContext, InTx, a writing QueryContext) from inside an InTx
// callback: use the *Tx you were given, or the call waits for its own
// transaction to end and deadlocks until the context is done. Reads through
// DB from inside InTx are fine but do not see the transaction's writes.
//
// # Time values
//
// Store instants as BIGINT unix microseconds in UTC (time.Time.UnixMicro /
// time.UnixMicro), in both dialects. It is the one representation that
// behaves the same everywhere: it sorts and compares numerically, indexes
// well, has PostgreSQL's own precision, and needs no driver-specific parsing
// (SQLite has no timestamp type, and TEXT/RFC 3339 values do not sort once
// fractional seconds are trimmed). [Time] is a time.Time that is stored this
// way and scanned back in UTC; its zero value is stored as NULL, which suits
// nullable columns such as deleted_at. Read such a column by hand in psql with
// to_timestamp(col / 1e6).
//
// Other portable column types: TEXT, BIGINT/INTEGER, BOOLEAN (0/1 in SQLite),
// DOUBLE PRECISION / REAL, and BLOB in SQLite vs BYTEA in PostgreSQL (use
// dialect migration files for the latter).
package sqldb
