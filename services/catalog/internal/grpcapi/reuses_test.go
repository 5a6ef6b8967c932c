package grpcapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
)

func TestReuses(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := testCtx(t)
		e := startEnv(t, db)
		c := e.client

		got := make(chan string, 32)
		cons, err := e.bus.Consume(ctx, events.ConsumerConfig{Durable: "test-reuses", FilterSubjects: []string{"relais.catalog.reuse.>"}},
			func(_ context.Context, m events.Message) error {
				ev := &eventsv1.ReuseChanged{}
				if err := proto.Unmarshal(m.Data, ev); err != nil {
					return err
				}
				got <- m.Subject + " " + ev.GetReuse().GetTitle()
				return nil
			})
		require.NoError(t, err)
		t.Cleanup(cons.Stop)

		boot, err := c.CreateUser(ctx, &catalogv1.CreateUserRequest{Email: "admin@example.org", Sysadmin: true, WithApiToken: true})
		require.NoError(t, err)
		admin := boot.GetApiToken()
		newUser := func(email string) (string, string) {
			r, err := c.CreateUser(as(ctx, admin), &catalogv1.CreateUserRequest{Email: email, FirstName: "F", LastName: "L", WithApiToken: true})
			require.NoError(t, err)
			return r.GetApiToken(), r.GetUser().GetId()
		}
		alice, aliceID := newUser("alice@example.org")
		bob, bobID := newUser("bob@example.org")
		org, err := c.CreateOrganization(as(ctx, alice), &catalogv1.CreateOrganizationRequest{Organization: &catalogv1.OrganizationInput{Name: "Ville de Test", Description: "x"}})
		require.NoError(t, err)
		orgID := org.GetOrganization().GetId()
		ds, err := c.CreateDataset(as(ctx, alice), &catalogv1.CreateDatasetRequest{Dataset: &catalogv1.DatasetInput{Title: "Budget", Description: "Budget primitif", Organization: orgID}})
		require.NoError(t, err)
		dsID := ds.GetDataset().GetId()
		ds2, err := c.CreateDataset(as(ctx, bob), &catalogv1.CreateDatasetRequest{Dataset: &catalogv1.DatasetInput{Title: "Arbres", Description: "Arbres de la ville"}})
		require.NoError(t, err)

		in := &catalogv1.ReuseInput{
			Title: "Carte du budget", Description: "Une carte", Type: "visualization", Topic: "economy_and_business",
			Url: "https://example.org/carte", Tags: []string{"Budget", "carte"}, Organization: orgID, Datasets: []string{dsID},
		}
		_, err = c.CreateReuse(ctx, &catalogv1.CreateReuseRequest{Reuse: in})
		requireCode(t, err, codes.Unauthenticated)
		created, err := c.CreateReuse(as(ctx, alice), &catalogv1.CreateReuseRequest{Reuse: in})
		require.NoError(t, err)
		r := created.GetReuse()
		assert.Equal(t, "carte-du-budget", r.GetSlug())
		assert.Equal(t, []string{"budget", "carte"}, r.GetTags())
		assert.Equal(t, "Ville de Test", r.GetOrganization().GetName())
		assert.Nil(t, r.Owner, "an organization's reuse has no owner")
		require.Len(t, r.GetDatasets(), 1)
		assert.Equal(t, "Budget", r.GetDatasets()[0].GetTitle())
		assert.NotNil(t, r.GetDatasets()[0].GetQuality(), "detail datasets are presented in full")
		assert.Equal(t, int64(1), r.GetMetrics().GetDatasets())
		assert.True(t, r.GetPermissions().GetEdit())

		// Bad input: duplicate url, unknown type and topic, missing title.
		_, err = c.CreateReuse(as(ctx, bob), &catalogv1.CreateReuseRequest{Reuse: &catalogv1.ReuseInput{
			Title: "Autre", Description: "x", Type: "video", Topic: "cats", Url: " https://example.org/carte ",
		}})
		requireFieldViolation(t, err, "url")
		requireFieldViolation(t, err, "type")
		requireFieldViolation(t, err, "topic")
		_, err = c.CreateReuse(as(ctx, bob), &catalogv1.CreateReuseRequest{Reuse: &catalogv1.ReuseInput{Description: "x", Type: "api", Topic: "others", Url: "https://b.example"}})
		requireFieldViolation(t, err, "title")
		_, err = c.CreateReuse(as(ctx, bob), &catalogv1.CreateReuseRequest{Reuse: &catalogv1.ReuseInput{Title: "t", Description: "x", Type: "api", Topic: "others", Url: "https://b.example", Organization: orgID}})
		requireFieldViolation(t, err, "organization")

		// Bob's private reuse: visible to him only.
		priv, err := c.CreateReuse(as(ctx, bob), &catalogv1.CreateReuseRequest{Reuse: &catalogv1.ReuseInput{
			Title: "Brouillon", Description: "x", Type: "idea", Topic: "others", Url: "https://b.example/draft", Private: true,
			Datasets: []string{ds2.GetDataset().GetSlug()},
		}})
		require.NoError(t, err)
		assert.Equal(t, bobID, priv.GetReuse().GetOwner().GetId())
		_, err = c.GetReuse(as(ctx, alice), &catalogv1.GetReuseRequest{Reuse: priv.GetReuse().GetId()})
		requireCode(t, err, codes.NotFound)
		list, err := c.ListReuses(ctx, &catalogv1.ListReusesRequest{})
		require.NoError(t, err)
		assert.Equal(t, int64(1), list.GetTotal())
		list, err = c.ListReuses(as(ctx, bob), &catalogv1.ListReusesRequest{IncludePrivate: true})
		require.NoError(t, err)
		assert.Equal(t, int64(2), list.GetTotal())

		// Filters.
		for _, tc := range []struct {
			req  *catalogv1.ListReusesRequest
			want int64
		}{
			{&catalogv1.ListReusesRequest{Dataset: dsID}, 1},
			{&catalogv1.ListReusesRequest{Dataset: ds2.GetDataset().GetId()}, 0},
			{&catalogv1.ListReusesRequest{Tags: []string{"budget"}}, 1},
			{&catalogv1.ListReusesRequest{Tags: []string{"budget", "nope"}}, 0},
			{&catalogv1.ListReusesRequest{Organization: orgID}, 1},
			{&catalogv1.ListReusesRequest{Owner: aliceID}, 0},
			{&catalogv1.ListReusesRequest{Type: "visualization"}, 1},
			{&catalogv1.ListReusesRequest{Type: "api"}, 0},
			{&catalogv1.ListReusesRequest{Topic: "economy_and_business"}, 1},
			{&catalogv1.ListReusesRequest{Q: "carte budget"}, 1},
			{&catalogv1.ListReusesRequest{Q: "ville"}, 1},
			{&catalogv1.ListReusesRequest{Q: "arbres"}, 0},
			{&catalogv1.ListReusesRequest{Featured: proto.Bool(true)}, 0},
		} {
			l, err := c.ListReuses(ctx, tc.req)
			require.NoError(t, err, "%v", tc.req)
			assert.Equal(t, tc.want, l.GetTotal(), "%v", tc.req)
			assert.Len(t, l.GetReuses(), int(tc.want))
		}
		_, err = c.ListReuses(ctx, &catalogv1.ListReusesRequest{Dataset: "nope"})
		requireFieldViolation(t, err, "dataset")

		// Counts: the dataset and the organization have one public reuse.
		d, err := c.GetDataset(ctx, &catalogv1.GetDatasetRequest{Dataset: dsID})
		require.NoError(t, err)
		assert.Equal(t, int64(1), d.GetDataset().GetMetrics().GetReuses())
		o, err := c.GetOrganization(ctx, &catalogv1.GetOrganizationRequest{Organization: orgID})
		require.NoError(t, err)
		assert.Equal(t, int64(1), o.GetOrganization().GetMetrics().GetReuses())
		d2, err := c.GetDataset(as(ctx, bob), &catalogv1.GetDatasetRequest{Dataset: ds2.GetDataset().GetId()})
		require.NoError(t, err)
		assert.Zero(t, d2.GetDataset().GetMetrics().GetReuses(), "private reuses do not count")
		byReuses, err := c.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{Sort: "reuses"})
		require.NoError(t, err)
		assert.Equal(t, dsID, byReuses.GetDatasets()[len(byReuses.GetDatasets())-1].GetId(), "ascending: the reused dataset last")

		// Update: the title moves the slug, the old one answers moved.
		_, err = c.UpdateReuse(as(ctx, bob), &catalogv1.UpdateReuseRequest{Reuse: r.GetId(), Input: &catalogv1.ReuseInput{Title: "x"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}}})
		requireCode(t, err, codes.PermissionDenied)
		up, err := c.UpdateReuse(as(ctx, alice), &catalogv1.UpdateReuseRequest{Reuse: r.GetSlug(), Input: &catalogv1.ReuseInput{Title: "Carte des dépenses"}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"title"}}})
		require.NoError(t, err)
		assert.Equal(t, "carte-des-depenses", up.GetReuse().GetSlug())
		assert.Equal(t, "https://example.org/carte", up.GetReuse().GetUrl(), "fields out of the mask stay")
		old, err := c.GetReuse(ctx, &catalogv1.GetReuseRequest{Reuse: "carte-du-budget"})
		require.NoError(t, err)
		assert.True(t, old.GetMoved())

		// Link a dataset: 'added' once, then unchanged; unknown ones are not found.
		add, err := c.AddReuseDataset(as(ctx, alice), &catalogv1.AddReuseDatasetRequest{Reuse: r.GetId(), Dataset: ds2.GetDataset().GetId()})
		require.NoError(t, err)
		assert.True(t, add.GetAdded())
		assert.Equal(t, int64(2), add.GetReuse().GetMetrics().GetDatasets())
		add, err = c.AddReuseDataset(as(ctx, alice), &catalogv1.AddReuseDatasetRequest{Reuse: r.GetId(), Dataset: ds2.GetDataset().GetId()})
		require.NoError(t, err)
		assert.False(t, add.GetAdded())
		_, err = c.AddReuseDataset(as(ctx, alice), &catalogv1.AddReuseDatasetRequest{Reuse: r.GetId(), Dataset: "000000000000000000000000"})
		requireCode(t, err, codes.NotFound)

		// Follows.
		f, err := c.FollowObject(as(ctx, bob), &catalogv1.FollowObjectRequest{ObjectType: "reuse", ObjectId: r.GetId()})
		require.NoError(t, err)
		assert.True(t, f.GetCreated())
		assert.Equal(t, int64(1), f.GetFollowers())
		f, err = c.FollowObject(as(ctx, bob), &catalogv1.FollowObjectRequest{ObjectType: "reuse", ObjectId: r.GetId()})
		require.NoError(t, err)
		assert.False(t, f.GetCreated())
		_, err = c.FollowObject(as(ctx, alice), &catalogv1.FollowObjectRequest{ObjectType: "reuse", ObjectId: r.GetId()})
		require.NoError(t, err)
		for _, typ := range []string{"dataset", "organization", "user"} {
			id := map[string]string{"dataset": dsID, "organization": orgID, "user": aliceID}[typ]
			_, err = c.FollowObject(as(ctx, bob), &catalogv1.FollowObjectRequest{ObjectType: typ, ObjectId: id})
			require.NoError(t, err, typ)
		}
		ua, err := c.GetUser(ctx, &catalogv1.GetUserRequest{User: aliceID})
		require.NoError(t, err)
		assert.Equal(t, int64(1), ua.GetUser().GetMetrics().GetFollowers())
		ub, err := c.GetUser(ctx, &catalogv1.GetUserRequest{User: bobID})
		require.NoError(t, err)
		assert.Equal(t, int64(4), ub.GetUser().GetMetrics().GetFollowing())
		assert.Zero(t, ub.GetUser().GetMetrics().GetReuses(), "a private reuse does not count")
		_, err = c.FollowObject(as(ctx, bob), &catalogv1.FollowObjectRequest{ObjectType: "reuse", ObjectId: r.GetSlug()})
		requireCode(t, err, codes.NotFound)
		_, err = c.FollowObject(ctx, &catalogv1.FollowObjectRequest{ObjectType: "reuse", ObjectId: r.GetId()})
		requireCode(t, err, codes.Unauthenticated)
		fl, err := c.ListFollowers(ctx, &catalogv1.ListFollowersRequest{ObjectType: "reuse", ObjectId: r.GetId()})
		require.NoError(t, err)
		assert.Equal(t, int64(2), fl.GetTotal())
		assert.Equal(t, bobID, fl.GetFollows()[0].GetFollower().GetId())
		fl, err = c.ListFollowers(ctx, &catalogv1.ListFollowersRequest{ObjectType: "reuse", ObjectId: r.GetId(), User: aliceID})
		require.NoError(t, err)
		assert.Equal(t, int64(1), fl.GetTotal())
		got1, err := c.GetReuse(ctx, &catalogv1.GetReuseRequest{Reuse: r.GetId()})
		require.NoError(t, err)
		assert.Equal(t, int64(2), got1.GetReuse().GetMetrics().GetFollowers())
		assert.Equal(t, map[string]int64{time.Now().UTC().Format("2006-01"): 2}, got1.GetReuse().GetMetrics().GetFollowersByMonths())
		d, err = c.GetDataset(ctx, &catalogv1.GetDatasetRequest{Dataset: dsID})
		require.NoError(t, err)
		assert.Equal(t, int64(1), d.GetDataset().GetMetrics().GetFollowers())
		o, err = c.GetOrganization(ctx, &catalogv1.GetOrganizationRequest{Organization: orgID})
		require.NoError(t, err)
		assert.Equal(t, int64(1), o.GetOrganization().GetMetrics().GetFollowers())
		l, err := c.ListReuses(ctx, &catalogv1.ListReusesRequest{FollowedBy: bobID})
		require.NoError(t, err)
		assert.Equal(t, int64(1), l.GetTotal())
		orgB, err := c.CreateOrganization(as(ctx, bob), &catalogv1.CreateOrganizationRequest{Organization: &catalogv1.OrganizationInput{Name: "Zeta", Description: "x"}})
		require.NoError(t, err)
		for _, sort := range []string{"-followers", "-reuses"} {
			orgs, err := c.ListOrganizations(ctx, &catalogv1.ListOrganizationsRequest{Sort: sort})
			require.NoError(t, err)
			assert.Equal(t, orgID, orgs.GetOrganizations()[0].GetId(), sort)
			orgs, err = c.ListOrganizations(ctx, &catalogv1.ListOrganizationsRequest{Sort: sort[1:]})
			require.NoError(t, err)
			assert.Equal(t, orgB.GetOrganization().GetId(), orgs.GetOrganizations()[0].GetId(), sort[1:])
		}
		byFollowers, err := c.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{Sort: "-followers"})
		require.NoError(t, err)
		assert.Equal(t, dsID, byFollowers.GetDatasets()[0].GetId())
		l, err = c.ListReuses(ctx, &catalogv1.ListReusesRequest{Sort: "-followers"})
		require.NoError(t, err)
		assert.Equal(t, r.GetId(), l.GetReuses()[0].GetId())

		un, err := c.UnfollowObject(as(ctx, bob), &catalogv1.UnfollowObjectRequest{ObjectType: "reuse", ObjectId: r.GetId()})
		require.NoError(t, err)
		assert.Equal(t, int64(1), un.GetFollowers())
		_, err = c.UnfollowObject(as(ctx, bob), &catalogv1.UnfollowObjectRequest{ObjectType: "reuse", ObjectId: r.GetId()})
		requireCode(t, err, codes.NotFound)

		// Delete: 410 for others, counts drop.
		_, err = c.DeleteReuse(as(ctx, bob), &catalogv1.DeleteReuseRequest{Reuse: r.GetId()})
		requireCode(t, err, codes.PermissionDenied)
		_, err = c.DeleteReuse(as(ctx, alice), &catalogv1.DeleteReuseRequest{Reuse: r.GetId()})
		require.NoError(t, err)
		_, err = c.GetReuse(ctx, &catalogv1.GetReuseRequest{Reuse: r.GetId()})
		requireDeleted(t, err)
		_, err = c.DeleteReuse(as(ctx, alice), &catalogv1.DeleteReuseRequest{Reuse: r.GetId()})
		requireDeleted(t, err)
		d, err = c.GetDataset(ctx, &catalogv1.GetDatasetRequest{Dataset: dsID})
		require.NoError(t, err)
		assert.Zero(t, d.GetDataset().GetMetrics().GetReuses())
		// Restore.
		rest, err := c.UpdateReuse(as(ctx, alice), &catalogv1.UpdateReuseRequest{Reuse: r.GetId(), Input: &catalogv1.ReuseInput{Restore: true}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"deleted"}}})
		require.NoError(t, err)
		assert.Nil(t, rest.GetReuse().Deleted)

		var subjects []string
		for len(subjects) < 6 {
			select {
			case s := <-got:
				subjects = append(subjects, s)
			case <-ctx.Done():
				t.Fatalf("events: got %v", subjects)
			}
		}
		assert.Contains(t, subjects, "relais.catalog.reuse.created Carte du budget")
		assert.Contains(t, subjects, "relais.catalog.reuse.updated Carte des dépenses")
		assert.Contains(t, subjects, "relais.catalog.reuse.deleted Carte des dépenses")
	})
}
