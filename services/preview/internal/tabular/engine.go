package tabular

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/relais-data/relais/pkg/sqldb"
)

// Engines of the data tables ([Options.Engine]). The registry
// (tabular_tables and its companions) is always in the sqldb database: the
// engine decides where the data tables live and are queried.
const (
	// EngineSQL keeps the data tables in the sqldb database itself
	// (SQLite or PostgreSQL).
	EngineSQL = "sql"
	// EngineDuckDB keeps them in a DuckDB file ([DuckDBOptions]): columnar,
	// loaded through DuckDB's appender, several times faster to load and
	// to filter and sort without indexes. It needs a binary built with cgo
	// ([DuckDBAvailable]).
	EngineDuckDB = "duckdb"
)

// duckDB is the dialect of the DuckDB engine, beside sqldb's two: like
// PostgreSQL's but for its types and bulk load.
const duckDB sqldb.Driver = "duckdb"

// DuckDBOptions configure the DuckDB engine.
type DuckDBOptions struct {
	// Path is the database file (required).
	Path string
	// MemoryLimit bounds DuckDB's buffer memory (DuckDB's memory_limit,
	// e.g. "192MB"); beyond, it spills to Path+".tmp". Default
	// DefaultDuckDBMemoryLimit.
	MemoryLimit string
	// Threads is DuckDB's worker threads (default 2).
	Threads int
}

// Defaults of DuckDBOptions. Of 32, 48 and 64MB, 64MB is the only one
// that exports a 1 000 000-row table (ordered by __id; the others fail with
// "could not allocate block"). With the appender's flushes and the
// allocator's flush threshold (openDuckDB), a 1 GB file's analysis and
// load peaked at 251 and 278 MiB of RSS in two runs here (297–400 without
// them; 160MB: 290–380 on 100 MB), at the same speed: not under issue 5's
// 256, which 32MB and 48MB kept (231–259, 241). See the analysis
// package's BenchmarkAnalyzeLoad.
const (
	DefaultDuckDBMemoryLimit = "64MB"
	DefaultDuckDBThreads     = 2
)

// dataDB is where data tables are read and written: the sqldb database or
// DuckDB's.
type dataDB interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// openEngine opens the data tables' database of opt.Engine: nil for the
// SQL engine, which uses the registry's.
func openEngine(opt Options) (*sql.DB, error) {
	switch opt.Engine {
	case "", EngineSQL:
		return nil, nil
	case EngineDuckDB:
		if opt.DuckDB.Path == "" {
			return nil, fmt.Errorf("open tabular store: the duckdb engine needs a database file")
		}
		return openDuckDB(opt.DuckDB)
	}
	return nil, fmt.Errorf("open tabular store: unknown engine %q (%s or %s)", opt.Engine, EngineDuckDB, EngineSQL)
}

// data is the database of the data tables.
func (s *Store) data() dataDB {
	if s.duck != nil {
		return s.duck
	}
	return s.db
}

// dialect is the SQL dialect of the data tables.
func (s *Store) dialect() sqldb.Driver {
	if s.duck != nil {
		return duckDB
	}
	return s.db.Driver()
}

// dropData drops data table name: in tx on the SQL engine (with the
// registry change), in DuckDB otherwise (the registry no longer names it).
func (s *Store) dropData(ctx context.Context, tx *sqldb.Tx, name string) error {
	var db dataDB = tx
	if s.duck != nil {
		db = s.duck
	}
	_, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+quote(name))
	return err
}

// Close stops the index builds still running (their tables stay
// queryable, unindexed) and closes the DuckDB database of the DuckDB
// engine (the sqldb database is the caller's).
func (s *Store) Close() error {
	s.closeMu.Lock()
	s.close()
	s.closeMu.Unlock()
	s.indexing.Wait()
	if s.duck == nil {
		return nil
	}
	return s.duck.Close()
}
