package tabular

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
)

// TestBulkLoadSettings: SQLite loads, concurrent ones included, leave the
// writer's page cache and WAL auto-checkpoint as they found them, and the
// WAL that a load left uncheckpointed is checkpointed by its indexes.
func TestBulkLoadSettings(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.Open(t, sqldb.SQLite)
	s, err := Open(ctx, db)
	require.NoError(t, err)
	defer s.Close()
	pragma := func(name string) (v int64) {
		require.NoError(t, db.SQL().QueryRowContext(ctx, "PRAGMA "+name).Scan(&v))
		return v
	}
	cache, autoCheckpoint := pragma("cache_size"), pragma("wal_autocheckpoint")
	require.NotZero(t, autoCheckpoint)

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = s.Load(ctx, fmt.Sprint("r", i), mixedColumns, nil, mixedRows(20_000, nil))
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	require.Equal(t, cache, pragma("cache_size"))
	require.Equal(t, autoCheckpoint, pragma("wal_autocheckpoint"))

	s.WaitIndexing()
	var busy, frames, done int64
	require.NoError(t, db.SQL().QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done))
	// What the last commits wrote since the automatic checkpoints: less
	// than one auto-checkpoint's worth.
	require.Less(t, frames, autoCheckpoint, "WAL left uncheckpointed")
	for i := range 4 {
		requireIndexed(t, s, fmt.Sprint("r", i))
	}
}
