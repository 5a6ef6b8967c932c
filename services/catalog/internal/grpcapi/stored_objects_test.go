package grpcapi_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
)

// TestStoredObjects: the catalog's catalog-storage-objects consumer brings
// a resource in line with relais.storage.object.stored, once: a replayed
// event changes nothing; an event for an unknown resource, or for an
// object the resource no longer points at, is acked and ignored.
func TestStoredObjects(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := testCtx(t)
		e := startEnv(t, db)
		c := e.client

		var mu sync.Mutex
		updates := map[string]int{}
		cons, err := e.bus.Consume(ctx, events.ConsumerConfig{Durable: "test-resource-updates", FilterSubjects: []string{"relais.catalog.resource.updated"}},
			func(_ context.Context, m events.Message) error {
				ev := &eventsv1.ResourceChanged{}
				if err := proto.Unmarshal(m.Data, ev); err != nil {
					return err
				}
				mu.Lock()
				updates[ev.GetResource().GetId()]++
				mu.Unlock()
				return nil
			})
		require.NoError(t, err)
		t.Cleanup(cons.Stop)

		boot, err := c.CreateUser(ctx, &catalogv1.CreateUserRequest{Email: "admin@example.org", FirstName: "Ada", LastName: "Min", Sysadmin: true, WithApiToken: true})
		require.NoError(t, err)
		admin := boot.GetApiToken()
		const base = "https://portal.example.org"
		size := int64(3)
		file := func(title, path string) *catalogv1.ResourceInput {
			return &catalogv1.ResourceInput{Title: title, Url: base + path, Filetype: "file", Format: "csv",
				Filesize: &size, Checksum: &catalogv1.Checksum{Type: "sha1", Value: "stale"}, Mime: "text/plain"}
		}
		ds, err := c.CreateDataset(as(ctx, admin), &catalogv1.CreateDatasetRequest{Dataset: &catalogv1.DatasetInput{
			Title: "Budget", Description: "Budget primitif",
			Resources: []*catalogv1.ResourceInput{
				file("a.csv", "/resources/budget/20260101-000000/a.csv"),
				file("b.csv", "/resources/budget/20260101-000000/b.csv"),
				file("moved.csv", "/resources/budget/20260102-000000/moved.csv"),
			},
		}})
		require.NoError(t, err)
		d := ds.GetDataset()
		res := map[string]*catalogv1.Resource{}
		for _, r := range d.GetResources() {
			res[r.GetTitle()] = r
		}
		a, b, moved := res["a.csv"].GetId(), res["b.csv"].GetId(), res["moved.csv"].GetId()

		at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		publish := func(rid, key, sha1 string, size int64) {
			id := events.NewID()
			data, err := proto.Marshal(&eventsv1.FileStored{
				EventId: id, OccurredAt: timestamppb.New(at), Key: key, DatasetId: d.GetId(), ResourceId: rid,
				Sha1: sha1, Sha256: "x", Size: size, Mime: "text/csv", Format: "csv", UrlPath: "/" + key,
			})
			require.NoError(t, err)
			require.NoError(t, e.bus.Publish(ctx, events.Message{ID: id, Subject: "relais.storage.object.stored",
				Type: "relais.events.v1.FileStored", Data: data, Time: at}))
		}
		get := func(rid string) *catalogv1.Resource {
			r, err := c.GetResource(ctx, &catalogv1.GetResourceRequest{ResourceId: rid})
			require.NoError(t, err)
			return r.GetResource()
		}
		waitUpdated := func(rid, sha1 string) *catalogv1.Resource {
			var r *catalogv1.Resource
			require.Eventually(t, func() bool {
				r = get(rid)
				return r.GetChecksum().GetValue() == sha1
			}, 20*time.Second, 20*time.Millisecond)
			return r
		}

		// The event, twice (a replay with another id: the handler must be
		// idempotent by itself), an unknown resource, an object the
		// resource no longer points at, then a sentinel: events are
		// handled in order, so once the sentinel is applied, all are.
		publish(a, "resources/budget/20260101-000000/a.csv", "1111", 1234)
		r1 := waitUpdated(a, "1111")
		require.Equal(t, int64(1234), r1.GetFilesize())
		require.Equal(t, "sha1", r1.GetChecksum().GetType())
		require.Equal(t, "text/csv", r1.GetMime())
		publish(a, "resources/budget/20260101-000000/a.csv", "1111", 1234)
		publish("0b6d4f3c-8c1b-4a44-9df0-000000000000", "resources/budget/20260101-000000/gone.csv", "2222", 5)
		publish(moved, "resources/budget/20260101-000000/old.csv", "3333", 5)
		publish(b, "resources/budget/20260101-000000/b.csv", "4444", 42)
		waitUpdated(b, "4444")

		r2 := get(a)
		require.True(t, proto.Equal(r1, r2), "a replay changes nothing:\n%v\n%v", r1, r2)
		require.Equal(t, "stale", get(moved).GetChecksum().GetValue(), "an object the resource does not point at is ignored")
		require.Eventually(t, func() bool {
			mu.Lock()
			defer mu.Unlock()
			return updates[b] == 1
		}, 10*time.Second, 20*time.Millisecond)
		mu.Lock()
		require.Equal(t, 1, updates[a], "one resource.updated for two identical events")
		require.Zero(t, updates[moved])
		mu.Unlock()
	})
}
