package grpcapi_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
)

// Figures search sorts by (views set by SetMetrics, follows) are named in
// metrics_changed events; figures set again unchanged, or downloads, are
// not.
func TestMetricsChangedEvents(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := testCtx(t)
		e := startEnv(t, db)
		c := e.client
		got := make(chan string, 32)
		cons, err := e.bus.Consume(ctx, events.ConsumerConfig{Durable: "test-metrics", FilterSubjects: []string{"relais.catalog.*.metrics_changed"}},
			func(_ context.Context, m events.Message) error {
				ev := &eventsv1.MetricsChanged{}
				if err := proto.Unmarshal(m.Data, ev); err != nil {
					return err
				}
				ids := slices.Clone(ev.GetIds())
				slices.Sort(ids)
				got <- m.Subject + " " + ev.GetObjectType() + " " + strings.Join(ids, ",")
				return nil
			})
		require.NoError(t, err)
		t.Cleanup(cons.Stop)
		next := func() string {
			select {
			case s := <-got:
				return s
			case <-time.After(5 * time.Second):
				return "no event"
			}
		}

		boot, err := c.CreateUser(ctx, &catalogv1.CreateUserRequest{Email: "admin@example.org", Sysadmin: true, WithApiToken: true})
		require.NoError(t, err)
		admin := boot.GetApiToken()
		var ids []string
		for _, title := range []string{"Budget", "Comptes"} {
			ds, err := c.CreateDataset(as(ctx, admin), &catalogv1.CreateDatasetRequest{Dataset: &catalogv1.DatasetInput{Title: title, Description: "x"}})
			require.NoError(t, err)
			ids = append(ids, ds.GetDataset().GetId())
		}
		slices.Sort(ids)
		org, err := c.CreateOrganization(as(ctx, admin), &catalogv1.CreateOrganizationRequest{Organization: &catalogv1.OrganizationInput{Name: "Ville", Description: "x"}})
		require.NoError(t, err)
		orgID := org.GetOrganization().GetId()

		set := func(objects ...*catalogv1.ObjectMetrics) {
			t.Helper()
			_, err := c.SetMetrics(as(ctx, admin), &catalogv1.SetMetricsRequest{Objects: objects})
			require.NoError(t, err)
		}
		views := func(objectType, id string, n int64) *catalogv1.ObjectMetrics {
			return &catalogv1.ObjectMetrics{ObjectType: objectType, ObjectId: id, Metrics: map[string]int64{"views": n}}
		}
		set(views("dataset", ids[0], 3), views("dataset", ids[1], 5), views("organization", orgID, 8))
		first := []string{next(), next()}
		slices.Sort(first)
		assert.Equal(t, []string{
			"relais.catalog.dataset.metrics_changed dataset " + strings.Join(ids, ","),
			"relais.catalog.organization.metrics_changed organization " + orgID,
		}, first, "one event per object type for the whole call")

		// Unchanged views and changed downloads move no sort figure.
		set(views("dataset", ids[0], 3), &catalogv1.ObjectMetrics{ObjectType: "dataset", ObjectId: ids[1], Metrics: map[string]int64{"resources_downloads": 4}})
		set(views("dataset", ids[1], 6))
		assert.Equal(t, "relais.catalog.dataset.metrics_changed dataset "+ids[1], next())

		_, err = c.FollowObject(as(ctx, admin), &catalogv1.FollowObjectRequest{ObjectType: "dataset", ObjectId: ids[0]})
		require.NoError(t, err)
		assert.Equal(t, "relais.catalog.dataset.metrics_changed dataset "+ids[0], next())
		_, err = c.UnfollowObject(as(ctx, admin), &catalogv1.UnfollowObjectRequest{ObjectType: "dataset", ObjectId: ids[0]})
		require.NoError(t, err)
		assert.Equal(t, "relais.catalog.dataset.metrics_changed dataset "+ids[0], next())

		// A reuse names its datasets when it links them, when its links
		// change (old and new ones) and when it is deleted; not when only
		// its title changes.
		u, err := c.CreateReuse(as(ctx, admin), &catalogv1.CreateReuseRequest{Reuse: &catalogv1.ReuseInput{
			Title: "Carte", Description: "d", Type: "application", Topic: "others", Url: "https://reuses.test/carte", Datasets: []string{ids[0]}}})
		require.NoError(t, err)
		reuseID := u.GetReuse().GetId()
		assert.Equal(t, "relais.catalog.dataset.metrics_changed dataset "+ids[0], next())
		update := func(in *catalogv1.ReuseInput, paths ...string) {
			t.Helper()
			_, err := c.UpdateReuse(as(ctx, admin), &catalogv1.UpdateReuseRequest{Reuse: reuseID, Input: in, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths}})
			require.NoError(t, err)
		}
		update(&catalogv1.ReuseInput{Title: "Carte des piscines"}, "title")
		update(&catalogv1.ReuseInput{Datasets: []string{ids[1]}}, "datasets")
		assert.Equal(t, "relais.catalog.dataset.metrics_changed dataset "+strings.Join(ids, ","), next(), "the title change named no dataset")
		_, err = c.DeleteReuse(as(ctx, admin), &catalogv1.DeleteReuseRequest{Reuse: reuseID})
		require.NoError(t, err)
		assert.Equal(t, "relais.catalog.dataset.metrics_changed dataset "+ids[1], next())
	})
}
