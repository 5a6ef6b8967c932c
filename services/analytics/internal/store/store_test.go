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

func pendingView(id, dataset string, at time.Time) store.Event {
	e := view(id, dataset, at)
	e.Pending = []store.Pending{{DatasetID: dataset, Metric: "datasets_views"}}
	return e
}

// A dataset's views counted before its organization is known go to the
// organization when it is, on their own days; a user's dataset drops them.
func TestPendingOrganizationCounts(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := open(t, db)
		_, err := s.Record(ctx, []store.Event{pendingView("a", "d1", nov), pendingView("b", "d1", dec), pendingView("c", "d3", nov)})
		require.NoError(t, err)
		orgs, err := s.Totals(ctx, "organization", []string{"org"})
		require.NoError(t, err)
		assert.Empty(t, orgs, "no organization known yet")

		require.NoError(t, s.SetDatasetOrganization(ctx, "d1", "org"))
		months, err := s.Monthly(ctx, store.MonthlyQuery{ObjectType: "organization", ObjectIDs: []string{"org"}})
		require.NoError(t, err)
		assert.Equal(t, []store.MonthCount{
			{ObjectID: "org", Metric: "datasets_views", Month: "2026-11", Count: 1},
			{ObjectID: "org", Metric: "datasets_views", Month: "2026-12", Count: 1},
		}, months)
		require.NoError(t, s.SetDatasetOrganization(ctx, "d1", "other"))
		totals, err := s.Totals(ctx, "organization", []string{"org", "other"})
		require.NoError(t, err)
		assert.Equal(t, map[string]map[string]int64{"org": {"datasets_views": 2}}, totals, "pending counts go once")
		dirty, err := s.Dirty(ctx, 10)
		require.NoError(t, err)
		assert.Contains(t, objectsOf(dirty), "organization/org", "the catalog is sent the new figures")

		require.NoError(t, s.SetDatasetOrganization(ctx, "d3", ""))
		require.NoError(t, s.SetDatasetOrganization(ctx, "d3", "org"))
		totals, err = s.Totals(ctx, "organization", []string{"org"})
		require.NoError(t, err)
		assert.Equal(t, int64(2), totals["org"]["datasets_views"], "a user's dataset's pending counts are dropped")

		// Known by the time the batch is written (looked up unknown
		// before): attributed at once.
		require.NoError(t, s.SetDatasetOrganization(ctx, "d2", "org2"))
		_, err = s.Record(ctx, []store.Event{pendingView("d", "d2", nov), pendingView("d", "d2", nov)})
		require.NoError(t, err)
		totals, err = s.Totals(ctx, "organization", []string{"org2"})
		require.NoError(t, err)
		assert.Equal(t, int64(1), totals["org2"]["datasets_views"])

		// Known without SetDatasetOrganizations seeing the pending rows
		// (another writer's transaction): the sweep attributes them.
		_, err = s.Record(ctx, []store.Event{pendingView("e", "d4", nov)})
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, "INSERT INTO analytics_datasets (dataset_id, organization_id) VALUES ('d4', 'org4')")
		require.NoError(t, err)
		require.NoError(t, s.AttributePending(ctx))
		totals, err = s.Totals(ctx, "organization", []string{"org4"})
		require.NoError(t, err)
		assert.Equal(t, int64(1), totals["org4"]["datasets_views"])
	})
}

func TestPrunePending(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := open(t, db)
		old := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
		_, err := s.Record(ctx, []store.Event{pendingView("old", "d1", old), pendingView("new", "d1", nov)})
		require.NoError(t, err)
		_, err = s.Prune(ctx, old.Add(24*time.Hour))
		require.NoError(t, err)
		require.NoError(t, s.SetDatasetOrganization(ctx, "d1", "org"))
		totals, err := s.Totals(ctx, "organization", []string{"org"})
		require.NoError(t, err)
		assert.Equal(t, int64(1), totals["org"]["datasets_views"], "pending counts older than the retention are dropped")
	})
}

func objectsOf(ds []store.Dirty) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ObjectType+"/"+d.ObjectID)
	}
	return out
}
