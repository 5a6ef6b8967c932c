package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	"github.com/relais-data/relais/services/analytics/internal/store"
)

func open(t *testing.T, db *sqldb.DB) *store.Store {
	t.Helper()
	require.NoError(t, store.Migrate(context.Background(), db))
	return store.New(db)
}

func view(id, dataset string, at time.Time) store.Event {
	return store.Event{ID: id, At: at, Increments: []store.Increment{
		{ObjectType: "dataset", ObjectID: dataset, Metric: "views"},
		{ObjectType: "site", Metric: "datasets_views"},
	}}
}

var (
	nov = time.Date(2026, 11, 27, 23, 59, 0, 0, time.UTC)
	dec = time.Date(2026, 12, 1, 0, 0, 1, 0, time.UTC)
)

func TestRecordCountsEachEventOnce(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := open(t, db)
		n, err := s.Record(ctx, []store.Event{view("e1", "d1", nov), view("e2", "d1", dec), view("e3", "d2", nov), view("e1", "d1", nov)})
		require.NoError(t, err)
		assert.Equal(t, 3, n, "an id twice in one batch counts once")
		n, err = s.Record(ctx, []store.Event{view("e2", "d1", dec), view("e4", "d1", dec)})
		require.NoError(t, err)
		assert.Equal(t, 1, n, "a replayed event counts nothing")

		totals, err := s.Totals(ctx, "dataset", []string{"d1", "d2", "unknown"})
		require.NoError(t, err)
		assert.Equal(t, map[string]map[string]int64{"d1": {"views": 3}, "d2": {"views": 1}}, totals)
		site, err := s.Totals(ctx, "site", []string{""})
		require.NoError(t, err)
		assert.Equal(t, int64(4), site[""]["datasets_views"])

		months, err := s.Monthly(ctx, store.MonthlyQuery{ObjectType: "dataset", ObjectIDs: []string{"d1"}})
		require.NoError(t, err)
		assert.Equal(t, []store.MonthCount{
			{ObjectID: "d1", Metric: "views", Month: "2026-11", Count: 1},
			{ObjectID: "d1", Metric: "views", Month: "2026-12", Count: 2},
		}, months, "days are UTC days")
		months, err = s.Monthly(ctx, store.MonthlyQuery{ObjectType: "dataset", From: "2026-12", To: "2026-12"})
		require.NoError(t, err)
		assert.Equal(t, []store.MonthCount{{ObjectID: "d1", Metric: "views", Month: "2026-12", Count: 2}}, months)
	})
}

func TestOrganizationMonthly(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := open(t, db)
		require.NoError(t, s.SetDatasetOrganization(ctx, "d1", "org"))
		require.NoError(t, s.SetDatasetOrganization(ctx, "d2", "other"))
		require.NoError(t, s.SetDatasetOrganization(ctx, "d2", "org"), "a dataset moved to another organization")
		_, err := s.Record(ctx, []store.Event{view("a", "d1", nov), view("b", "d2", nov), view("c", "d3", nov)})
		require.NoError(t, err)
		months, err := s.Monthly(ctx, store.MonthlyQuery{ObjectType: "dataset", Organization: "org"})
		require.NoError(t, err)
		assert.Equal(t, []store.MonthCount{
			{ObjectID: "d1", Metric: "views", Month: "2026-11", Count: 1},
			{ObjectID: "d2", Metric: "views", Month: "2026-11", Count: 1},
		}, months)
	})
}

// Concurrent writers replaying overlapping batches (two consumers after a
// redelivery) still count each event once.
func TestConcurrentReplays(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := open(t, db)
		var events []store.Event
		for i := range 2000 {
			events = append(events, view(fmt.Sprintf("e%d", i), fmt.Sprintf("d%d", i%7), nov))
		}
		var wg sync.WaitGroup
		counted := make([]int, 4)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for start := w * 100; start < len(events); start += 700 {
					n, err := s.Record(ctx, events[start:min(start+700, len(events))])
					if !assert.NoError(t, err) {
						return
					}
					counted[w] += n
				}
			}()
		}
		wg.Wait()
		_, err := s.Record(ctx, events)
		require.NoError(t, err)
		site, err := s.Totals(ctx, "site", []string{""})
		require.NoError(t, err)
		assert.Equal(t, int64(2000), site[""]["datasets_views"])
		assert.Equal(t, 2000, counted[0]+counted[1]+counted[2]+counted[3])
	})
}

func TestPrune(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := open(t, db)
		_, err := s.Record(ctx, []store.Event{view("old", "d1", nov)})
		require.NoError(t, err)
		n, err := s.Prune(ctx, time.Now().Add(time.Minute))
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)
		totals, err := s.Totals(ctx, "dataset", []string{"d1"})
		require.NoError(t, err)
		assert.Equal(t, int64(1), totals["d1"]["views"], "pruning forgets ids, not counts")
	})
}
