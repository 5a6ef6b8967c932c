package sqldb

import (
	"fmt"
	"runtime"
)

// Driver names a database backend.
type Driver string

// Supported drivers.
const (
	SQLite   Driver = "sqlite"
	Postgres Driver = "postgres"
)

// Config says which database to open.
type Config struct {
	Driver string `yaml:"driver"`            // "sqlite" (default) or "postgres"
	DSN    string `yaml:"dsn" secret:"true"` // sqlite: file path (parent dirs created); postgres: a postgres:// URL
	// MaxOpenConns bounds the pool: for SQLite the read pool (writes always
	// use one connection), for PostgreSQL the whole pool. 0 = a default
	// proportional to GOMAXPROCS.
	MaxOpenConns int `yaml:"max_open_conns"`
}

func (cfg Config) driver() (Driver, error) {
	switch Driver(cfg.Driver) {
	case "", SQLite:
		return SQLite, nil
	case Postgres:
		return Postgres, nil
	default:
		return "", fmt.Errorf("unknown driver %q (want %q or %q)", cfg.Driver, SQLite, Postgres)
	}
}

// maxOpenConns returns the configured pool size or the driver's default.
func (cfg Config) maxOpenConns(d Driver) int {
	if cfg.MaxOpenConns > 0 {
		return cfg.MaxOpenConns
	}
	procs := runtime.GOMAXPROCS(0)
	if d == Postgres {
		return max(8, 4*procs)
	}
	return max(4, 2*procs)
}
