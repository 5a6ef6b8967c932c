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
// queryable.
func TestIndexesInBackground(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.Open(t, sqldb.SQLite)
	s, err := Open(ctx, db)
	require.NoError(t, err)
	_, err = s.Load(ctx, "r", mixedColumns, nil, mixedRows(5000, nil))
	require.NoError(t, err)
	s.WaitIndexing()
	tb, err := s.lookup(ctx, "r")
	require.NoError(t, err)
	var n int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = ?`, tb.name).Scan(&n))
	require.Equal(t, len(mixedColumns), n)

	_, err = s.Load(ctx, "big", mixedColumns, nil, mixedRows(100_000, nil))
	require.NoError(t, err)
	require.NoError(t, s.Close()) // while indexing: returns once it has stopped
	s, err = Open(ctx, db)
	require.NoError(t, err)
	defer s.Close()
	page, err := s.Data(ctx, "big", url.Values{"population__sort": {"desc"}, "page_size": {"1"}}, base)
	require.NoError(t, err)
	require.Contains(t, string(page), `"total": 100000`)
}
