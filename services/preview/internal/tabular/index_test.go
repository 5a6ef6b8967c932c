package tabular

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
)

// TestIndexesInBackground: Load returns with the table queryable, its
// indexes follow; a store closed meanwhile stops them and leaves the table
// queryable, and the next Open builds the missing ones.
func TestIndexesInBackground(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.Open(t, sqldb.SQLite)
	s, err := Open(ctx, db)
	require.NoError(t, err)
	_, err = s.Load(ctx, "r", mixedColumns, nil, mixedRows(5000, nil))
	require.NoError(t, err)
	s.WaitIndexing()
	requireIndexed(t, s, "r")

	_, err = s.Load(ctx, "big", mixedColumns, nil, mixedRows(100_000, nil))
	require.NoError(t, err)
	tb, err := s.lookup(ctx, "big")
	require.NoError(t, err)
	require.NoError(t, s.Close()) // while indexing: returns once it has stopped
	// As a crash would leave it, whether Close interrupted the build or not.
	_, err = db.ExecContext(ctx, `DROP INDEX IF EXISTS `+quote(tb.name+"_c3"))
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `UPDATE tabular_tables SET indexed = ? WHERE rid = ?`, false, "big")
	require.NoError(t, err)
	s, err = Open(ctx, db)
	require.NoError(t, err)
	defer s.Close()
	page, err := s.Data(ctx, "big", url.Values{"population__sort": {"desc"}, "page_size": {"1"}}, base)
	require.NoError(t, err)
	require.Contains(t, string(page), `"total": 100000`)
	s.WaitIndexing()
	requireIndexed(t, s, "big")
}

// requireIndexed checks that the table of rid has its indexes and is
// marked so.
func requireIndexed(t *testing.T, s *Store, rid string) {
	t.Helper()
	ctx := context.Background()
	tb, err := s.lookup(ctx, rid)
	require.NoError(t, err)
	var n int
	require.NoError(t, s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = ?`, tb.name).Scan(&n))
	require.Equal(t, len(mixedColumns), n)
	var indexed bool
	require.NoError(t, s.db.QueryRowContext(ctx, `SELECT indexed FROM tabular_tables WHERE rid = ?`, rid).Scan(&indexed))
	require.True(t, indexed)
}
