package grpcapi_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// requireViolation checks err is INVALID_ARGUMENT with field's message.
func requireViolation(t *testing.T, err error, field, message string) {
	t.Helper()
	st := requireCode(t, err, codes.InvalidArgument)
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				if v.GetField() == field {
					require.Equal(t, message, v.GetDescription())
					return
				}
			}
		}
	}
	t.Fatalf("no violation of %s in %v", field, st.Details())
}

// TestUdataRulesFromAudit pins udata behaviours a walk through the API
// found missing: publish-as and owner field errors, invitations, empty
// update masks, slugified references, strict resource extras deletes.
func TestUdataRulesFromAudit(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := testCtx(t)
		c := startEnv(t, db).client
		boot, err := c.CreateUser(ctx, &catalogv1.CreateUserRequest{Email: "admin@example.org", Sysadmin: true, WithApiToken: true})
		require.NoError(t, err)
		admin := boot.GetApiToken()
		newUser := func(email string) (string, string) {
			r, err := c.CreateUser(as(ctx, admin), &catalogv1.CreateUserRequest{Email: email, FirstName: "F", LastName: "L", WithApiToken: true})
			require.NoError(t, err)
			return r.GetApiToken(), r.GetUser().GetId()
		}
		alice, _ := newUser("alice@example.org")
		bob, bobID := newUser("bob@example.org")
		orgA, err := c.CreateOrganization(as(ctx, alice), &catalogv1.CreateOrganizationRequest{Organization: &catalogv1.OrganizationInput{Name: "Commune d'Évian", Description: "d"}})
		require.NoError(t, err)
		orgB, err := c.CreateOrganization(as(ctx, bob), &catalogv1.CreateOrganizationRequest{Organization: &catalogv1.OrganizationInput{Name: "Ville de Thonon", Description: "d"}})
		require.NoError(t, err)
		aID := orgA.GetOrganization().GetId()

		// Publishing for another organization, or for another owner: field errors.
		_, err = c.CreateDataset(as(ctx, alice), &catalogv1.CreateDatasetRequest{Dataset: &catalogv1.DatasetInput{Title: "t", Description: "d", Organization: orgB.GetOrganization().GetId()}})
		requireViolation(t, err, "organization", "Permission denied for this organization")
		_, err = c.CreateDataset(as(ctx, alice), &catalogv1.CreateDatasetRequest{Dataset: &catalogv1.DatasetInput{Title: "t", Description: "d", Owner: bobID}})
		requireViolation(t, err, "owner", "You can only set yourself as owner")

		// Invitations.
		add := func(user, email, role string) (*catalogv1.AddMemberResponse, error) {
			return c.AddMember(as(ctx, alice), &catalogv1.AddMemberRequest{Organization: aID, User: user, Email: email, Role: role})
		}
		_, err = add("aaaaaaaaaaaaaaaaaaaaaaaa", "", "editor")
		requireViolation(t, err, "user", "Unknown user 'aaaaaaaaaaaaaaaaaaaaaaaa'")
		_, err = add("", "", "editor")
		requireViolation(t, err, "user", "Either user or email is required")
		_, err = add(bobID, "bob@example.org", "editor")
		requireViolation(t, err, "user", "Cannot provide both user and email")
		_, err = add("", "nobody@example.org", "editor")
		requireFieldViolation(t, err, "email")
		_, err = c.AddMember(as(ctx, bob), &catalogv1.AddMemberRequest{Organization: aID, Role: "boss"})
		requireCode(t, err, codes.PermissionDenied) // permission first, as udata
		m, err := add("", "Bob@Example.org", "")
		require.NoError(t, err)
		require.Equal(t, "editor", m.GetMember().GetRole(), "udata's default role")
		_, err = add(bobID, "", "admin")
		requireViolation(t, err, "user", "User is already a member")

		// An update mask naming no field changes nothing; no mask is a full update.
		none := &fieldmaskpb.FieldMask{}
		ou, err := c.UpdateOrganization(as(ctx, alice), &catalogv1.UpdateOrganizationRequest{Organization: aID, Input: &catalogv1.OrganizationInput{}, UpdateMask: none})
		require.NoError(t, err)
		require.Equal(t, "Commune d'Évian", ou.GetOrganization().GetName())
		_, err = c.UpdateOrganization(as(ctx, alice), &catalogv1.UpdateOrganizationRequest{Organization: aID, Input: &catalogv1.OrganizationInput{}})
		requireFieldViolation(t, err, "name")
		me, err := c.UpdateMe(as(ctx, alice), &catalogv1.UpdateMeRequest{User: &catalogv1.User{}, UpdateMask: none})
		require.NoError(t, err)
		require.Equal(t, "F", me.GetUser().GetFirstName())
		d, err := c.CreateDataset(as(ctx, alice), &catalogv1.CreateDatasetRequest{Dataset: &catalogv1.DatasetInput{Title: "Budget Primitif", Description: "d", Organization: aID,
			Resources: []*catalogv1.ResourceInput{{Title: "r", Url: "https://example.org/r.csv", Filetype: "remote", Type: "main"}}}})
		require.NoError(t, err)
		rid := d.GetDataset().GetResources()[0].GetId()
		ru, err := c.UpdateResource(as(ctx, alice), &catalogv1.UpdateResourceRequest{Dataset: d.GetDataset().GetId(), ResourceId: rid, Input: &catalogv1.ResourceInput{}, UpdateMask: none})
		require.NoError(t, err)
		require.Equal(t, "r", ru.GetResource().GetTitle())

		// A slugified reference finds the object, moved (308 in HTTP).
		got, err := c.GetDataset(ctx, &catalogv1.GetDatasetRequest{Dataset: "Budget Primitif"})
		require.NoError(t, err)
		require.True(t, got.GetMoved())
		require.Equal(t, d.GetDataset().GetId(), got.GetDataset().GetId())
		og, err := c.GetOrganization(ctx, &catalogv1.GetOrganizationRequest{Organization: "Ville de Thonon"})
		require.NoError(t, err)
		require.True(t, og.GetMoved())
		_, err = c.GetDataset(ctx, &catalogv1.GetDatasetRequest{Dataset: "Budget Final"})
		requireCode(t, err, codes.NotFound)

		// Deleting a key a resource's extras lack is NOT_FOUND (a dataset's: ignored).
		_, err = c.UpdateExtras(as(ctx, alice), &catalogv1.UpdateExtrasRequest{Dataset: d.GetDataset().GetId(), DeleteKeys: []string{"nope"}})
		require.NoError(t, err)
		_, err = c.UpdateExtras(as(ctx, alice), &catalogv1.UpdateExtrasRequest{Dataset: d.GetDataset().GetId(), ResourceId: rid, DeleteKeys: []string{"nope"}})
		requireCode(t, err, codes.NotFound)
	})
}
