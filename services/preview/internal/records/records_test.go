package records

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
)

func TestRecords(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		require.NoError(t, Migrate(ctx, db))
		require.NoError(t, Migrate(ctx, db), "migrating twice is a no-op")
		s := New(db)
		_, err := s.Get(ctx, "r1")
		require.ErrorIs(t, err, ErrNotFound)

		at := time.Date(2026, 11, 27, 2, 0, 0, 123000, time.UTC)
		rec := &Record{ResourceID: "r1", DatasetID: "d1", Source: "k/x.csv", Signature: "sha", State: StateDone,
			AnalyzedAt: at, Extras: []byte(`{"analysis:encoding":"utf-8"}`), Tabular: true, MapKind: MapPoints,
			Location: []byte(`{"lat":"y"}`)}
		require.NoError(t, s.Put(ctx, rec))
		got, err := s.Get(ctx, "r1")
		require.NoError(t, err)
		require.Equal(t, rec, got)

		require.NoError(t, s.MarkExtrasWritten(ctx, "r1"))
		rec.State, rec.Error, rec.Tabular, rec.MapKind, rec.Location, rec.Attempts = StateFailed, "timed out", false, MapNone, nil, 2
		require.NoError(t, s.Put(ctx, rec))
		got, err = s.Get(ctx, "r1")
		require.NoError(t, err)
		require.Equal(t, rec, got, "a new analysis resets extras_written; attempts are kept")
		rec.DatasetID = "d2"
		require.NoError(t, s.Put(ctx, rec))
		require.NoError(t, s.Put(ctx, &Record{ResourceID: "r0", DatasetID: "d2", State: StateDone, AnalyzedAt: at}))
		ids, err := s.ResourcesOf(ctx, "d2")
		require.NoError(t, err)
		require.Equal(t, []string{"r0", "r1"}, ids)
		require.NoError(t, s.Delete(ctx, "r0"))

		require.NoError(t, s.Delete(ctx, "r1"))
		_, err = s.Get(ctx, "r1")
		require.ErrorIs(t, err, ErrNotFound)

		ok, err := s.Handled(ctx, "e1")
		require.NoError(t, err)
		require.False(t, ok)
		require.NoError(t, s.MarkHandled(ctx, "e1", at))
		require.NoError(t, s.MarkHandled(ctx, "e1", at))
		ok, err = s.Handled(ctx, "e1")
		require.NoError(t, err)
		require.True(t, ok)
		require.NoError(t, s.ForgetHandledBefore(ctx, at.Add(time.Second)))
		ok, err = s.Handled(ctx, "e1")
		require.NoError(t, err)
		require.False(t, ok)
	})
}

func TestDeletedDatasets(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		require.NoError(t, Migrate(ctx, db))
		s := New(db)
		del, err := s.DatasetDeleted(ctx, "d1")
		require.NoError(t, err)
		require.False(t, del)
		at := time.Now()
		require.NoError(t, s.MarkDatasetDeleted(ctx, "d1", at))
		require.NoError(t, s.MarkDatasetDeleted(ctx, "d1", at), "a replayed deletion is a no-op")
		del, err = s.DatasetDeleted(ctx, "d1")
		require.NoError(t, err)
		require.True(t, del)
		del, err = s.DatasetDeleted(ctx, "")
		require.NoError(t, err)
		require.False(t, del, "no dataset id: not deleted")
		restored, err := s.DatasetRestored(ctx, "d1")
		require.NoError(t, err)
		require.True(t, restored)
		restored, err = s.DatasetRestored(ctx, "d1")
		require.NoError(t, err)
		require.False(t, restored, "an update of a dataset never deleted is no restore")
		del, err = s.DatasetDeleted(ctx, "d1")
		require.NoError(t, err)
		require.False(t, del)
	})
}
