package grpcapi_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

func TestSetMetrics(t *testing.T) {
	sqldbtest.ForEach(t, func(t *testing.T, db *sqldb.DB) {
		ctx := testCtx(t)
		c := startEnv(t, db).client
		boot, err := c.CreateUser(ctx, &catalogv1.CreateUserRequest{Email: "admin@example.org", Sysadmin: true, WithApiToken: true})
		require.NoError(t, err)
		admin := boot.GetApiToken()
		user, err := c.CreateUser(as(ctx, admin), &catalogv1.CreateUserRequest{Email: "u@example.org", WithApiToken: true})
		require.NoError(t, err)
		org, err := c.CreateOrganization(as(ctx, admin), &catalogv1.CreateOrganizationRequest{Organization: &catalogv1.OrganizationInput{Name: "Ville", Description: "x"}})
		require.NoError(t, err)
		ds, err := c.CreateDataset(as(ctx, admin), &catalogv1.CreateDatasetRequest{Dataset: &catalogv1.DatasetInput{
			Title: "Budget", Description: "Budget primitif",
			Resources: []*catalogv1.ResourceInput{{Title: "a", Url: "https://example.org/a.csv", Filetype: "remote", Format: "csv"}},
		}})
		require.NoError(t, err)
		dsID, rID, orgID := ds.GetDataset().GetId(), ds.GetDataset().GetResources()[0].GetId(), org.GetOrganization().GetId()

		req := &catalogv1.SetMetricsRequest{Objects: []*catalogv1.ObjectMetrics{
			{ObjectType: "dataset", ObjectId: dsID, Metrics: map[string]int64{"views": 12, "resources_downloads": 5}},
			{ObjectType: "resource", ObjectId: rID, Metrics: map[string]int64{"downloads": 5}},
			{ObjectType: "organization", ObjectId: orgID, Metrics: map[string]int64{"views": 3}},
			{ObjectType: "dataset", ObjectId: "000000000000000000000000", Metrics: map[string]int64{"views": 1}},
		}}
		_, err = c.SetMetrics(as(ctx, user.GetApiToken()), req)
		requireCode(t, err, codes.PermissionDenied)
		resp, err := c.SetMetrics(as(ctx, admin), req)
		require.NoError(t, err)
		assert.Equal(t, int64(3), resp.GetUpdated(), "the unknown dataset is skipped")

		got, err := c.GetDataset(ctx, &catalogv1.GetDatasetRequest{Dataset: dsID})
		require.NoError(t, err)
		assert.Equal(t, int64(12), got.GetDataset().GetMetrics().GetViews())
		assert.Equal(t, int64(5), got.GetDataset().GetMetrics().GetResourcesDownloads())
		assert.Equal(t, int64(5), got.GetDataset().GetResources()[0].GetDownloads())
		o, err := c.GetOrganization(ctx, &catalogv1.GetOrganizationRequest{Organization: orgID})
		require.NoError(t, err)
		assert.Equal(t, int64(3), o.GetOrganization().GetMetrics().GetViews())

		// Later figures replace earlier ones; the list shows them too.
		_, err = c.SetMetrics(as(ctx, admin), &catalogv1.SetMetricsRequest{Objects: []*catalogv1.ObjectMetrics{
			{ObjectType: "dataset", ObjectId: dsID, Metrics: map[string]int64{"views": 13}},
		}})
		require.NoError(t, err)
		list, err := c.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{})
		require.NoError(t, err)
		require.Len(t, list.GetDatasets(), 1)
		assert.Equal(t, int64(13), list.GetDatasets()[0].GetMetrics().GetViews())
		assert.Equal(t, int64(5), list.GetDatasets()[0].GetMetrics().GetResourcesDownloads())

		_, err = c.SetMetrics(as(ctx, admin), &catalogv1.SetMetricsRequest{Objects: []*catalogv1.ObjectMetrics{{ObjectType: "user", ObjectId: "x"}}})
		requireFieldViolation(t, err, "objects")
	})
}
