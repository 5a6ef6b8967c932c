//go:build cgo

package tabular

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
)

// TestDuckDBFlushes: a DuckDB load flushed (committed) in several parts
// holds every row, and one failing after some parts were committed leaves
// neither a table nor a registry row.
func TestDuckDBFlushes(t *testing.T) {
	defer func(n int64) { duckFlushRows = n }(duckFlushRows)
	duckFlushRows = 1000
	ctx := context.Background()
	db := sqldbtest.Open(t, sqldb.SQLite)
	s := opener(t, db, filepath.Join(t.TempDir(), "tabular.duckdb"))(Options{})

	n, err := s.Load(ctx, "r", mixedColumns, nil, mixedRows(2500, nil))
	require.NoError(t, err)
	require.EqualValues(t, 2500, n)
	page, err := s.Data(ctx, "r", url.Values{"__id__sort": {"desc"}, "page_size": {"1"}}, base)
	require.NoError(t, err)
	require.Contains(t, string(page), `"total": 2500`)
	require.Contains(t, string(page), `"__id": 2500`)
	require.Contains(t, string(page), `"nom": "`)
	var ids, distinct int64
	require.NoError(t, s.data().QueryRowContext(ctx, `SELECT max(__id), count(DISTINCT __id) FROM `+quote(dataTables(t, s)[0])).Scan(&ids, &distinct))
	require.EqualValues(t, 2500, ids)
	require.EqualValues(t, 2500, distinct)

	boom := errors.New("boom")
	rows := mixedRows(2500, nil)
	read := 0
	_, err = s.Load(ctx, "failed", mixedColumns, nil, func() ([]any, error) {
		if read++; read > 2100 {
			return nil, boom
		}
		return rows()
	})
	require.ErrorIs(t, err, boom)
	require.Len(t, dataTables(t, s), 1, "the failed load's committed parts were not dropped")
	_, err = s.Data(ctx, "failed", url.Values{}, base)
	var e *Error
	require.ErrorAs(t, err, &e)
}
