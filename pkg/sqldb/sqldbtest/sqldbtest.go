// Package sqldbtest opens throwaway sqldb databases for tests, on SQLite
// always and on PostgreSQL when RELAIS_TEST_POSTGRES_URL names a server
// (scripts/pg.sh start DIR prints such a URL). With
// RELAIS_TEST_REQUIRE_POSTGRES=1 a missing URL fails the test instead of
// skipping PostgreSQL, so that CI cannot silently lose coverage.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/relais-data/relais/pkg/sqldb"
)

// Environment variables read by this package.
const (
	EnvPostgresURL     = "RELAIS_TEST_POSTGRES_URL"
	EnvRequirePostgres = "RELAIS_TEST_REQUIRE_POSTGRES"
)

// Drivers returns the drivers to test: SQLite, plus PostgreSQL when
// RELAIS_TEST_POSTGRES_URL is set or RELAIS_TEST_REQUIRE_POSTGRES=1 (then
// Open fails the test if the URL is missing).
func Drivers() []sqldb.Driver {
	if os.Getenv(EnvPostgresURL) != "" || os.Getenv(EnvRequirePostgres) == "1" {
		return []sqldb.Driver{sqldb.SQLite, sqldb.Postgres}
	}
	return []sqldb.Driver{sqldb.SQLite}
}

// ForEach runs fn as a subtest named after each driver of Drivers, each with
// a fresh, empty database.
func ForEach(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	for _, d := range Drivers() {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh, empty database closed (and for PostgreSQL dropped)
// when the test ends: SQLite in a file under t.TempDir(), PostgreSQL in a new
// database with a random name on the RELAIS_TEST_POSTGRES_URL server.
func Open(t testing.TB, d sqldb.Driver) *sqldb.DB {
	t.Helper()
	cfg, err := config(t, d)
	if err != nil {
		t.Fatalf("sqldbtest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sqldb.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("sqldbtest: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("sqldbtest: %v", err)
		}
	})
	return db
}

// Config returns the configuration of a fresh, empty database for d, cleaned
// up like Open's; use it to open the same database more than once, e.g. to
// play two processes.
func Config(t testing.TB, d sqldb.Driver) sqldb.Config {
	t.Helper()
	cfg, err := config(t, d)
	if err != nil {
		t.Fatalf("sqldbtest: %v", err)
	}
	return cfg
}

func config(t testing.TB, d sqldb.Driver) (sqldb.Config, error) {
	switch d {
	case sqldb.SQLite:
		return sqldb.Config{Driver: string(d), DSN: filepath.Join(t.TempDir(), "test.db")}, nil
	case sqldb.Postgres:
		return postgresConfig(t)
	default:
		t.Fatalf("sqldbtest: unknown driver %q", d)
		return sqldb.Config{}, nil
	}
}

// postgresConfig creates a database with a random name and registers its
// removal.
func postgresConfig(t testing.TB) (sqldb.Config, error) {
	t.Helper()
	serverURL := os.Getenv(EnvPostgresURL)
	if serverURL == "" {
		if os.Getenv(EnvRequirePostgres) == "1" {
			t.Fatalf("sqldbtest: %s=1 but %s is not set (start a server with scripts/pg.sh start DIR)", EnvRequirePostgres, EnvPostgresURL)
		}
		t.Skipf("sqldbtest: %s not set", EnvPostgresURL)
	}
	admin, err := openAdmin(serverURL)
	if err != nil {
		return sqldb.Config{}, err
	}
	defer admin.Close()

	name := "relais_test_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return sqldb.Config{}, err
	}
	t.Cleanup(func() { dropDatabase(t, serverURL, name) })

	u, err := url.Parse(serverURL)
	if err != nil {
		return sqldb.Config{}, err
	}
	u.Path = "/" + name
	return sqldb.Config{Driver: string(sqldb.Postgres), DSN: u.String(), MaxOpenConns: 8}, nil
}

func openAdmin(serverURL string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(serverURL)
	if err != nil {
		return nil, err
	}
	return stdlib.OpenDB(*cfg), nil
}

// dropDatabase terminates the connections still open on name (a test may
// have leaked some) and drops it. It runs after the DB's own Close, since
// cleanups run last-registered first.
func dropDatabase(t testing.TB, serverURL, name string) {
	admin, err := openAdmin(serverURL)
	if err != nil {
		t.Errorf("sqldbtest: drop %s: %v", name, err)
		return
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx,
		`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
		name); err != nil {
		t.Errorf("sqldbtest: terminate connections to %s: %v", name, err)
	}
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		t.Errorf("sqldbtest: drop %s: %v", name, err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
