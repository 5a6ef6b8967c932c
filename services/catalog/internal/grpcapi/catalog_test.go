package grpcapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/events"
	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
)

func mask(paths ...string) *fieldmaskpb.FieldMask { return &fieldmaskpb.FieldMask{Paths: paths} }

func TestCatalog(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := testCtx(t)
		e := startEnv(t, db)
		c := e.client

		// Events: consume dataset.created from the start.
		created := make(chan *eventsv1.DatasetChanged, 16)
		cons, err := e.bus.Consume(ctx, events.ConsumerConfig{Durable: "test-datasets", FilterSubjects: []string{"relais.catalog.dataset.created"}},
			func(_ context.Context, m events.Message) error {
				require.Equal(t, "relais.events.v1.DatasetChanged", m.Type)
				ev := &eventsv1.DatasetChanged{}
				if err := proto.Unmarshal(m.Data, ev); err != nil {
					return err
				}
				created <- ev
				return nil
			})
		require.NoError(t, err)
		t.Cleanup(cons.Stop)

		// Bootstrap: the first user needs no key, the second one does.
		boot, err := c.CreateUser(ctx, &catalogv1.CreateUserRequest{Email: "admin@example.org", FirstName: "Ada", LastName: "Min", Sysadmin: true, WithApiToken: true})
		require.NoError(t, err)
		admin := boot.GetApiToken()
		require.True(t, strings.HasPrefix(admin, "udata_"))
		_, err = c.CreateUser(ctx, &catalogv1.CreateUserRequest{Email: "intruder@example.org"})
		requireCode(t, err, codes.Unauthenticated)
		newUser := func(email, first string) string {
			r, err := c.CreateUser(as(ctx, admin), &catalogv1.CreateUserRequest{Email: email, FirstName: first, LastName: "Test", WithApiToken: true})
			require.NoError(t, err)
			return r.GetApiToken()
		}
		alice, bob := newUser("alice@example.org", "Alice"), newUser("bob@example.org", "Bob")
		me, err := c.GetMe(as(ctx, alice), &catalogv1.GetMeRequest{})
		require.NoError(t, err)
		require.Equal(t, "alice@example.org", me.GetUser().GetEmail())
		require.Equal(t, "alice-test", me.GetUser().GetSlug())

		// Bad keys fail every call, public ones included.
		_, err = c.GetReferenceLists(as(ctx, "udata_nope"), &catalogv1.GetReferenceListsRequest{})
		require.Equal(t, "Invalid API token", requireCode(t, err, codes.Unauthenticated).Message())

		// Organizations: the creator becomes admin.
		siret := "21750001600019"
		orgA, err := c.CreateOrganization(as(ctx, alice), &catalogv1.CreateOrganizationRequest{Organization: &catalogv1.OrganizationInput{
			Name: "Commune d'Évian", Description: "Une commune", BusinessNumberId: &siret}})
		require.NoError(t, err)
		require.Equal(t, "commune-devian", orgA.GetOrganization().GetSlug())
		require.Len(t, orgA.GetOrganization().GetMembers(), 1)
		require.Equal(t, "admin", orgA.GetOrganization().GetMembers()[0].GetRole())
		require.True(t, orgA.GetOrganization().GetPermissions().GetEdit())
		orgB, err := c.CreateOrganization(as(ctx, bob), &catalogv1.CreateOrganizationRequest{Organization: &catalogv1.OrganizationInput{Name: "Autre commune", Description: "x"}})
		require.NoError(t, err)
		bad := "12345678901234"
		_, err = c.CreateOrganization(as(ctx, bob), &catalogv1.CreateOrganizationRequest{Organization: &catalogv1.OrganizationInput{Name: "X", Description: "x", BusinessNumberId: &bad}})
		requireFieldViolation(t, err, "business_number_id")

		// A dataset in organization A, with a remote resource.
		in := &catalogv1.DatasetInput{
			Title: "Élections municipales à Saint-Étienne", Description: "Résultats", Tags: []string{"Élections", "vote"},
			License: "Licence Ouverte / Open Licence version 2.0", Frequency: "realtime", Organization: orgA.GetOrganization().GetId(),
			Resources: []*catalogv1.ResourceInput{{Title: "Résultats", Url: "https://example.org/r.csv", Filetype: "remote", Format: "CSV"}},
		}
		ds, err := c.CreateDataset(as(ctx, alice), &catalogv1.CreateDatasetRequest{Dataset: in})
		require.NoError(t, err)
		d := ds.GetDataset()
		require.Len(t, d.GetId(), 24)
		require.Equal(t, "elections-municipales-a-saint-etienne", d.GetSlug())
		require.Equal(t, "lov2", d.GetLicense())
		require.Equal(t, "continuous", d.GetFrequency())
		require.Equal(t, []string{"elections", "vote"}, d.GetTags())
		require.Equal(t, "Commune d'Évian", d.GetOrganization().GetName())
		require.Nil(t, d.Owner)
		require.Equal(t, "csv", d.GetResources()[0].GetFormat())
		require.Equal(t, "main", d.GetResources()[0].GetType())
		require.True(t, d.GetPermissions().GetEdit())
		require.InDelta(t, 5.0/9, d.GetQuality().GetScore(), 1e-9)
		select {
		case ev := <-created:
			require.Equal(t, d.GetId(), ev.GetDataset().GetId())
			require.NotEmpty(t, ev.GetEventId())
			require.Equal(t, "Commune d'Évian", ev.GetDataset().GetOrganization().GetName())
		case <-time.After(10 * time.Second):
			t.Fatal("no dataset.created event")
		}
		dup, err := c.CreateDataset(as(ctx, alice), &catalogv1.CreateDatasetRequest{Dataset: in})
		require.NoError(t, err)
		require.Equal(t, d.GetSlug()+"-1", dup.GetDataset().GetSlug())

		// Validation errors name udata's JSON keys.
		_, err = c.CreateDataset(as(ctx, alice), &catalogv1.CreateDatasetRequest{Dataset: &catalogv1.DatasetInput{Title: strings.Repeat("t", 351), Description: "d"}})
		requireFieldViolation(t, err, "title")
		_, err = c.CreateDataset(as(ctx, alice), &catalogv1.CreateDatasetRequest{Dataset: &catalogv1.DatasetInput{Title: "t", Description: "d", License: "wtfpl-ish"}})
		requireFieldViolation(t, err, "license")
		_, err = c.CreateDataset(as(ctx, alice), &catalogv1.CreateDatasetRequest{Dataset: &catalogv1.DatasetInput{Title: "t", Description: "d",
			Resources: []*catalogv1.ResourceInput{{Title: "r", Url: "javascript:alert(1)", Filetype: "remote"}}}})
		requireFieldViolation(t, err, "resources.0.url")
		_, err = c.CreateDataset(ctx, &catalogv1.CreateDatasetRequest{Dataset: in})
		requireCode(t, err, codes.Unauthenticated)
		_, err = c.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{Organization: "not-an-id"})
		requireFieldViolation(t, err, "organization")

		// Permissions: Bob (admin of another organization) may not edit, until
		// Alice makes him an editor of hers.
		upd := &catalogv1.UpdateDatasetRequest{Dataset: d.GetId(), Input: &catalogv1.DatasetInput{Description: "Nouvelle description"}, UpdateMask: mask("description")}
		_, err = c.UpdateDataset(as(ctx, bob), upd)
		require.Equal(t, "You do not have the permission to modify that object.", requireCode(t, err, codes.PermissionDenied).Message())
		_, err = c.CreateDataset(as(ctx, bob), &catalogv1.CreateDatasetRequest{Dataset: &catalogv1.DatasetInput{Title: "t", Description: "d", Organization: orgA.GetOrganization().GetId()}})
		requireFieldViolation(t, err, "organization") // udata's "Permission denied for this organization"
		_, err = c.AddMember(as(ctx, bob), &catalogv1.AddMemberRequest{Organization: orgA.GetOrganization().GetId(), Email: "bob@example.org", Role: "editor"})
		requireCode(t, err, codes.PermissionDenied)
		m, err := c.AddMember(as(ctx, alice), &catalogv1.AddMemberRequest{Organization: orgA.GetOrganization().GetSlug(), Email: "bob@example.org", Role: "editor"})
		require.NoError(t, err)
		require.Equal(t, "editor", m.GetMember().GetRole())
		updated, err := c.UpdateDataset(as(ctx, bob), upd)
		require.NoError(t, err)
		require.Equal(t, "Nouvelle description", updated.GetDataset().GetDescription())
		require.Equal(t, d.GetTitle(), updated.GetDataset().GetTitle(), "fields outside the mask are kept")

		// Private datasets are visible to members only.
		priv, err := c.CreateDataset(as(ctx, alice), &catalogv1.CreateDatasetRequest{Dataset: &catalogv1.DatasetInput{
			Title: "Brouillon", Description: "privé", Private: true, Organization: orgA.GetOrganization().GetId()}})
		require.NoError(t, err)
		pid := priv.GetDataset().GetId()
		_, err = c.GetDataset(ctx, &catalogv1.GetDatasetRequest{Dataset: pid})
		requireCode(t, err, codes.NotFound)
		_, err = c.GetDataset(as(ctx, bob), &catalogv1.GetDatasetRequest{Dataset: pid})
		require.NoError(t, err, "bob is an editor of the organization now")
		pub, err := c.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{Organization: orgA.GetOrganization().GetId()})
		require.NoError(t, err)
		require.EqualValues(t, 2, pub.GetTotal())
		all, err := c.ListDatasets(as(ctx, alice), &catalogv1.ListDatasetsRequest{Organization: orgA.GetOrganization().GetId(), IncludePrivate: true})
		require.NoError(t, err)
		require.EqualValues(t, 3, all.GetTotal())
		require.Equal(t, pid, all.GetDatasets()[0].GetId(), "newest first")
		byTag, err := c.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{Tags: []string{"Élections"}, Format: "csv", Q: "saint etienne"})
		require.NoError(t, err)
		require.EqualValues(t, 2, byTag.GetTotal())

		// A new title moves the slug; the old one still answers, moved.
		ren, err := c.UpdateDataset(as(ctx, alice), &catalogv1.UpdateDatasetRequest{Dataset: d.GetSlug(), Input: &catalogv1.DatasetInput{Title: "Élections 2026"}, UpdateMask: mask("title")})
		require.NoError(t, err)
		require.Equal(t, "elections-2026", ren.GetDataset().GetSlug())
		old, err := c.GetDataset(ctx, &catalogv1.GetDatasetRequest{Dataset: d.GetSlug()})
		require.NoError(t, err)
		require.True(t, old.GetMoved())
		require.Equal(t, d.GetId(), old.GetDataset().GetId())

		// Resources: add, get, reorder, delete.
		r2, err := c.CreateResource(as(ctx, alice), &catalogv1.CreateResourceRequest{Dataset: d.GetId(), Resource: &catalogv1.ResourceInput{
			Title: "Doc", Url: "https://example.org/doc.pdf", Filetype: "remote", Type: "documentation"}})
		require.NoError(t, err)
		gr, err := c.GetResource(ctx, &catalogv1.GetResourceRequest{ResourceId: r2.GetResource().GetId()})
		require.NoError(t, err)
		require.Equal(t, d.GetId(), gr.GetDatasetId())
		first := d.GetResources()[0].GetId()
		ro, err := c.ReorderResources(as(ctx, alice), &catalogv1.ReorderResourcesRequest{Dataset: d.GetId(), ResourceIds: []string{first, r2.GetResource().GetId()}})
		require.NoError(t, err)
		require.Equal(t, first, ro.GetResources()[0].GetId())
		_, err = c.ReorderResources(as(ctx, alice), &catalogv1.ReorderResourcesRequest{Dataset: d.GetId(), ResourceIds: []string{first}})
		requireCode(t, err, codes.InvalidArgument)
		ex, err := c.UpdateExtras(as(ctx, alice), &catalogv1.UpdateExtrasRequest{Dataset: d.GetId(), ResourceId: first, MergeJson: []byte(`{"check:available":false,"a":1}`)})
		require.NoError(t, err)
		require.JSONEq(t, `{"check:available":false,"a":1}`, string(ex.GetExtrasJson()))
		_, err = c.UpdateResource(as(ctx, alice), &catalogv1.UpdateResourceRequest{Dataset: d.GetId(), ResourceId: first, Input: &catalogv1.ResourceInput{Filetype: "file"}, UpdateMask: mask("filetype")})
		requireFieldViolation(t, err, "filetype")
		_, err = c.DeleteResource(as(ctx, alice), &catalogv1.DeleteResourceRequest{Dataset: d.GetId(), ResourceId: r2.GetResource().GetId()})
		require.NoError(t, err)
		_, err = c.GetResource(ctx, &catalogv1.GetResourceRequest{ResourceId: r2.GetResource().GetId()})
		requireCode(t, err, codes.NotFound)

		// Soft delete: gone (DELETED) for others, restorable.
		_, err = c.DeleteDataset(as(ctx, bob), &catalogv1.DeleteDatasetRequest{Dataset: d.GetId()})
		require.NoError(t, err)
		_, err = c.GetDataset(ctx, &catalogv1.GetDatasetRequest{Dataset: d.GetId()})
		requireDeleted(t, err)
		_, err = c.UpdateDataset(as(ctx, alice), upd)
		requireDeleted(t, err)
		back, err := c.UpdateDataset(as(ctx, alice), &catalogv1.UpdateDatasetRequest{Dataset: d.GetId(), Input: &catalogv1.DatasetInput{Restore: true}, UpdateMask: mask("deleted")})
		require.NoError(t, err)
		require.Nil(t, back.GetDataset().Deleted)

		// Tokens: several per user, revocable.
		tok, err := c.CreateApiToken(as(ctx, alice), &catalogv1.CreateApiTokenRequest{Name: proto.String("ci")})
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(tok.GetPlaintext(), tok.GetToken().GetTokenPrefix()))
		list, err := c.ListApiTokens(as(ctx, tok.GetPlaintext()), &catalogv1.ListApiTokensRequest{})
		require.NoError(t, err)
		require.Len(t, list.GetTokens(), 2)
		_, err = c.RevokeApiToken(as(ctx, bob), &catalogv1.RevokeApiTokenRequest{Id: tok.GetToken().GetId()})
		requireCode(t, err, codes.NotFound)
		_, err = c.RevokeApiToken(as(ctx, alice), &catalogv1.RevokeApiTokenRequest{Id: tok.GetToken().GetId()})
		require.NoError(t, err)
		_, err = c.GetMe(as(ctx, tok.GetPlaintext()), &catalogv1.GetMeRequest{})
		require.Equal(t, "Revoked API token", requireCode(t, err, codes.Unauthenticated).Message())
		_, err = c.RevokeApiToken(as(ctx, alice), &catalogv1.RevokeApiTokenRequest{Id: tok.GetToken().GetId()})
		requireCode(t, err, codes.FailedPrecondition)
		_, err = c.CreateApiToken(as(ctx, alice), &catalogv1.CreateApiTokenRequest{ExpiresAt: timestamppb.New(time.Now().Add(-time.Hour))})
		requireFieldViolation(t, err, "expires_at")

		// Organization updates: rename moves the slug; members see the list.
		ou, err := c.UpdateOrganization(as(ctx, alice), &catalogv1.UpdateOrganizationRequest{Organization: orgA.GetOrganization().GetId(),
			Input: &catalogv1.OrganizationInput{Name: "Ville d'Évian"}, UpdateMask: mask("name")})
		require.NoError(t, err)
		require.Equal(t, "ville-devian", ou.GetOrganization().GetSlug())
		require.Len(t, ou.GetOrganization().GetMembers(), 2)
		og, err := c.GetOrganization(ctx, &catalogv1.GetOrganizationRequest{Organization: "commune-devian"})
		require.NoError(t, err)
		require.True(t, og.GetMoved())
		require.Equal(t, "***@example.org", og.GetOrganization().GetMembers()[0].GetEmail(), "emails are masked for strangers")
		_, err = c.UpdateOrganization(as(ctx, bob), &catalogv1.UpdateOrganizationRequest{Organization: orgA.GetOrganization().GetId(),
			Input: &catalogv1.OrganizationInput{Name: "Pirate"}, UpdateMask: mask("name")})
		requireCode(t, err, codes.PermissionDenied)
		_, err = c.DeleteOrganization(as(ctx, bob), &catalogv1.DeleteOrganizationRequest{Organization: orgB.GetOrganization().GetId()})
		require.NoError(t, err)
		_, err = c.GetOrganization(ctx, &catalogv1.GetOrganizationRequest{Organization: orgB.GetOrganization().GetId()})
		requireDeleted(t, err)
		// A deleted organization leaves its members' profiles (udata's).
		bobMe, err := c.GetMe(as(ctx, bob), &catalogv1.GetMeRequest{})
		require.NoError(t, err)
		for _, o := range bobMe.GetUser().GetOrganizations() {
			require.NotEqual(t, orgB.GetOrganization().GetId(), o.GetId(), "deleted organization still in the profile")
		}

		refs, err := c.GetReferenceLists(ctx, &catalogv1.GetReferenceListsRequest{})
		require.NoError(t, err)
		require.Len(t, refs.GetFrequencies(), 40)
		require.Equal(t, "Éditeur", refs.GetOrganizationRoles()[1].GetLabel())
	})
}

func TestImport(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := testCtx(t)
		e := startEnv(t, db)
		c := e.client
		boot, err := c.CreateUser(ctx, &catalogv1.CreateUserRequest{Email: "admin@example.org", Sysadmin: true, WithApiToken: true})
		require.NoError(t, err)
		admin := boot.GetApiToken()
		u, err := c.CreateUser(as(ctx, admin), &catalogv1.CreateUserRequest{Email: "u@example.org", WithApiToken: true})
		require.NoError(t, err)

		created := timestamppb.New(time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC))
		req := &catalogv1.ImportRequest{
			Organizations: []*catalogv1.Organization{{Id: "5883d10488ee3810d19b81e3", Name: "DREAL Grand Est", CreatedAt: created}},
			Datasets: []*catalogv1.Dataset{
				{Id: "6969c228770f993ed4817ef7", Slug: "x-hamster-parcelles-2025", Title: "x_hamster parcelles 2025", Description: "Parcelles",
					License: "Licence Ouverte / Open Licence version 2.0", Tags: []string{"donnees-ouvertes"}, CreatedAtInternal: created,
					Organization: &catalogv1.OrganizationRef{Id: "5883d10488ee3810d19b81e3"}},
				{Id: "69699df3369629618b4764ae", Title: "Plans Locaux d'Urbanisme", Description: "PLU", CreatedAtInternal: created},
			},
		}
		run := func(key string) (*catalogv1.ImportResponse, error) {
			stream, err := c.Import(as(ctx, key))
			require.NoError(t, err)
			if err := stream.Send(req); err != nil {
				return nil, err
			}
			return stream.CloseAndRecv()
		}
		res, err := run(admin)
		require.NoError(t, err)
		require.EqualValues(t, 1, res.GetOrganizationsCreated())
		require.EqualValues(t, 2, res.GetDatasetsCreated())
		res, err = run(admin)
		require.NoError(t, err)
		require.EqualValues(t, 1, res.GetOrganizationsSkipped())
		require.EqualValues(t, 2, res.GetDatasetsSkipped())
		require.Zero(t, res.GetDatasetsCreated())
		_, err = run(u.GetApiToken())
		requireCode(t, err, codes.PermissionDenied)

		got, err := c.GetDataset(ctx, &catalogv1.GetDatasetRequest{Dataset: "x-hamster-parcelles-2025"})
		require.NoError(t, err)
		require.Equal(t, "lov2", got.GetDataset().GetLicense())
		require.Equal(t, "DREAL Grand Est", got.GetDataset().GetOrganization().GetName())
		require.True(t, got.GetDataset().GetCreatedAtInternal().AsTime().Equal(created.AsTime()))
		got, err = c.GetDataset(ctx, &catalogv1.GetDatasetRequest{Dataset: "plans-locaux-durbanisme"})
		require.NoError(t, err)
		require.Equal(t, "notspecified", got.GetDataset().GetLicense())
		list, err := c.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{Organization: "5883d10488ee3810d19b81e3"})
		require.NoError(t, err)
		require.EqualValues(t, 1, list.GetTotal())
	})
}
