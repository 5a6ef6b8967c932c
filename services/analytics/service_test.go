package analytics_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	analyticsv1 "github.com/relais-data/relais/proto/relais/analytics/v1"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
)

var (
	web = eventsv1.ViewChannel_VIEW_CHANNEL_WEB
	api = eventsv1.ViewChannel_VIEW_CHANNEL_API
)

func TestCountsViewsAndDownloads(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		bus := startBus(t)
		svc := start(t, db, bus)
		ds, res, org := objectID(1), objectID(2), objectID(3)
		oct := time.Date(2026, 10, 3, 12, 0, 0, 0, time.UTC)
		nov := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
		changed, err := proto.Marshal(&eventsv1.DatasetChanged{EventId: "c1", Dataset: &catalogv1.Dataset{Id: ds, Organization: &catalogv1.OrganizationRef{Id: org}}})
		require.NoError(t, err)
		msgs := []events.Message{
			{ID: "c1", Subject: "relais.catalog.dataset.updated", Type: "relais.events.v1.DatasetChanged", Data: changed},
			viewed("v1", "dataset", ds, web, false, oct),
			viewed("v2", "dataset", ds, web, false, nov),
			viewed("v3", "dataset", ds, api, false, nov),
			viewed("v4", "dataset", ds, web, true, nov),
			viewed("v5", "organization", org, web, false, nov),
			downloaded("d1", res, ds, false, nov),
			downloaded("d2", res, ds, true, nov),
			// Forged or malformed: dropped, counts stay right.
			viewed("bad1", "dataset", "../../etc/passwd", web, false, nov),
			viewed("bad2", "dataset", ds, eventsv1.ViewChannel_VIEW_CHANNEL_UNSPECIFIED, false, nov),
			viewed("bad3", "spaceship", ds, web, false, nov),
			{ID: "bad4", Subject: "relais.gateway.dataset.viewed", Type: "relais.events.v1.ObjectViewed", Data: []byte("not protobuf \xff\xff")},
			// The same event again under another message id (JetStream's
			// own deduplication does not see it): counted once.
			withMessageID(viewed("v1", "dataset", ds, web, false, oct), "v1-again"),
		}
		for _, m := range msgs {
			require.NoError(t, bus.Publish(ctx, m))
		}
		require.Eventually(t, func() bool {
			return siteTotal(t, svc.client, "datasets_views") == 2 && siteTotal(t, svc.client, "resources_downloads") == 1
		},
			10*time.Second, 20*time.Millisecond)
		// Let any straggler (a forged event counted by mistake) arrive.
		time.Sleep(200 * time.Millisecond)

		totals, err := svc.client.GetTotals(ctx, &analyticsv1.GetTotalsRequest{ObjectType: "dataset", ObjectIds: []string{ds}})
		require.NoError(t, err)
		assert.Equal(t, map[string]int64{"views": 2, "api_views": 1, "bot_views": 1, "resources_downloads": 1, "bot_downloads": 1},
			totals.GetTotals()[ds].GetMetrics())
		totals, err = svc.client.GetTotals(ctx, &analyticsv1.GetTotalsRequest{ObjectType: "resource", ObjectIds: []string{res}})
		require.NoError(t, err)
		assert.Equal(t, map[string]int64{"downloads": 1, "bot_downloads": 1}, totals.GetTotals()[res].GetMetrics())
		totals, err = svc.client.GetTotals(ctx, &analyticsv1.GetTotalsRequest{ObjectType: "organization", ObjectIds: []string{org}})
		require.NoError(t, err)
		assert.Equal(t, map[string]int64{"views": 1, "datasets_views": 2, "api_datasets_views": 1, "resources_downloads": 1},
			totals.GetTotals()[org].GetMetrics(), "an organization's figures add up its datasets'")
		assert.Equal(t, int64(1), siteTotal(t, svc.client, "organizations_views"))
		assert.Equal(t, int64(1), siteTotal(t, svc.client, "api_datasets_views"))
		assert.Equal(t, int64(1), siteTotal(t, svc.client, "bot_datasets_views"))

		months, err := svc.client.ListMonthly(ctx, &analyticsv1.ListMonthlyRequest{ObjectType: "dataset", OrganizationId: org, Metrics: []string{"views"}})
		require.NoError(t, err)
		require.Len(t, months.GetCounts(), 2)
		assert.Equal(t, "2026-10", months.GetCounts()[0].GetMonth())
		assert.Equal(t, int64(1), months.GetCounts()[1].GetCount())
	})
}

func TestBadRequests(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	svc := start(t, db, nil)
	ctx := context.Background()
	for _, req := range []*analyticsv1.ListMonthlyRequest{
		{ObjectType: "dataset", FromMonth: "2026-13"},
		{ObjectType: "dataset", ToMonth: "2026-1"},
		{ObjectType: "dataset", FromMonth: "'; DROP TABLE analytics_monthly; --"},
		{ObjectType: "users"},
		{ObjectType: "resource", OrganizationId: objectID(1)},
	} {
		_, err := svc.client.ListMonthly(ctx, req)
		assert.Equal(t, codes.InvalidArgument, status.Code(err), "%v", req)
	}
	ids := make([]string, 1001)
	for i := range ids {
		ids[i] = objectID(i)
	}
	_, err := svc.client.GetTotals(ctx, &analyticsv1.GetTotalsRequest{ObjectType: "dataset", ObjectIds: ids})
	assert.Equal(t, codes.InvalidArgument, status.Code(err))
	resp, err := svc.client.GetTotals(ctx, &analyticsv1.GetTotalsRequest{ObjectType: "dataset", ObjectIds: []string{"unknown"}})
	require.NoError(t, err)
	assert.Empty(t, resp.GetTotals(), "an unknown object has no counts")
}

// A restart in the middle of a stream of events (the consumer stops with
// events fetched but not counted) loses none and counts none twice.
func TestRestartMidStream(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		bus := startBus(t)
		const total = 20000
		msgs := make([]events.Message, total)
		at := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
		for i := range msgs {
			msgs[i] = viewed(fmt.Sprintf("ev-%d", i), "dataset", objectID(i%50), web, false, at)
		}
		svc := start(t, db, bus)
		_, err := bus.PublishBatch(ctx, msgs)
		require.NoError(t, err)
		require.Eventually(t, func() bool { return siteTotal(t, svc.client, "datasets_views") > total/10 }, 30*time.Second, 10*time.Millisecond)
		svc.stop()
		svc = start(t, db, bus)
		require.Eventually(t, func() bool { return siteTotal(t, svc.client, "datasets_views") >= total }, 60*time.Second, 20*time.Millisecond)
		time.Sleep(200 * time.Millisecond)
		assert.Equal(t, int64(total), siteTotal(t, svc.client, "datasets_views"))
	})
}

// Views of a new dataset that reach the stream before its creation (the
// catalog's event still in its outbox) count for its organization once
// the creation arrives.
func TestViewsBeforeTheDatasetEvent(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		bus := startBus(t)
		svc := start(t, db, bus)
		ds, org := objectID(1), objectID(2)
		nov := time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)
		for _, m := range []events.Message{viewed("v1", "dataset", ds, web, false, nov), viewed("v2", "dataset", ds, web, false, nov)} {
			require.NoError(t, bus.Publish(ctx, m))
		}
		require.Eventually(t, func() bool { return siteTotal(t, svc.client, "datasets_views") == 2 }, 10*time.Second, 20*time.Millisecond)
		created, err := proto.Marshal(&eventsv1.DatasetChanged{EventId: "c1", Dataset: &catalogv1.Dataset{Id: ds, Organization: &catalogv1.OrganizationRef{Id: org}}})
		require.NoError(t, err)
		require.NoError(t, bus.Publish(ctx, events.Message{ID: "c1", Subject: "relais.catalog.dataset.created", Type: "relais.events.v1.DatasetChanged", Data: created}))
		require.Eventually(t, func() bool {
			months, err := svc.client.ListMonthly(ctx, &analyticsv1.ListMonthlyRequest{ObjectType: "organization", ObjectIds: []string{org}})
			require.NoError(t, err)
			return len(months.GetCounts()) == 1 && proto.Equal(months.GetCounts()[0],
				&analyticsv1.MonthCount{ObjectId: org, Metric: "datasets_views", Month: "2026-11", Count: 2})
		}, 10*time.Second, 20*time.Millisecond, "the organization gets its dataset's earlier views")
	})
}
