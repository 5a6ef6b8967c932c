package tabular

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
)

// forEachEngine runs fn as a subtest per engine, each on a fresh database:
// the SQL engine on each driver of sqldbtest, and the DuckDB engine (its
// registry in SQLite) when the binary has it. open opens a Store of that
// engine with the options given (closed when the test ends).
func forEachEngine(t *testing.T, fn func(t *testing.T, db *sqldb.DB, open func(Options) *Store)) {
	t.Helper()
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		fn(t, db, opener(t, db, ""))
	})
	if !DuckDBAvailable {
		return
	}
	t.Run("duckdb", func(t *testing.T) {
		db := sqldbtest.Open(t, sqldb.SQLite)
		fn(t, db, opener(t, db, filepath.Join(t.TempDir(), "tabular.duckdb")))
	})
}

// opener opens stores on db: of the DuckDB engine in file duck, of the SQL
// engine when duck is "".
func opener(t *testing.T, db *sqldb.DB, duck string) func(Options) *Store {
	return func(opt Options) *Store {
		t.Helper()
		if duck != "" {
			opt.Engine, opt.DuckDB.Path = EngineDuckDB, duck
		}
		s, err := OpenWith(context.Background(), db, opt)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}
}

// dataTables lists the data tables of s.
func dataTables(t *testing.T, s *Store) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'tabular\_%' ESCAPE '\' AND name NOT IN ('tabular_tables', 'tabular_building', 'tabular_retired') ORDER BY name`
	switch s.dialect() {
	case sqldb.Postgres:
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'tabular\_%' AND tablename NOT IN ('tabular_tables', 'tabular_building', 'tabular_retired') ORDER BY tablename`
	case duckDB:
		q = `SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'tabular\_%' ESCAPE '\' ORDER BY table_name`
	}
	rows, err := s.data().QueryContext(context.Background(), q)
	require.NoError(t, err)
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		names = append(names, n)
	}
	require.NoError(t, rows.Err())
	return names
}
