package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/grpcx"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/gatewaytest"
)

// Without a preview service the tabular API and the previews answer 503;
// the routes of the rest of the API are untouched. (With one, the
// relais e2e suite runs them against the real service.)
func TestPreviewRoutesWithoutPreviewService(t *testing.T) {
	env := gatewaytest.Start(t, gatewaytest.Options{})
	for _, path := range []string{
		"/api/resources/9d6c3d4e-5a41-4d2a-9a44-0c1f0d7e5b11/",
		"/api/resources/9d6c3d4e-5a41-4d2a-9a44-0c1f0d7e5b11/profile/",
		"/api/resources/9d6c3d4e-5a41-4d2a-9a44-0c1f0d7e5b11/data/?page_size=5",
		"/api/resources/9d6c3d4e-5a41-4d2a-9a44-0c1f0d7e5b11/data/csv/",
		"/api/1/datasets/schemas/",
		"/api/2/datasets/resources/9d6c3d4e-5a41-4d2a-9a44-0c1f0d7e5b11/preview/map/",
	} {
		res := env.Do(t, "GET", path, nil, "")
		require.Equal(t, http.StatusServiceUnavailable, res.Status, path)
	}
	// A path without its slash is redirected as udata's are.
	res := env.Do(t, "GET", "/api/resources/9d6c3d4e-5a41-4d2a-9a44-0c1f0d7e5b11/data", nil, "")
	require.Equal(t, http.StatusPermanentRedirect, res.Status)
}

// A resource's preview_url is null until the analysis made its table
// queryable (analysis:parsing:parsing_table), then its tabular data URL.
func TestPreviewURL(t *testing.T) {
	env := gatewaytest.Start(t, gatewaytest.Options{})
	ds := env.Do(t, "POST", "/api/1/datasets/", map[string]any{"title": "Budget", "description": "Le budget."}, env.AdminToken)
	require.Equal(t, http.StatusCreated, ds.Status, string(ds.Body))
	id := ds.Object(t)["id"].(string)
	res := env.Do(t, "POST", "/api/1/datasets/"+id+"/resources/", map[string]any{
		"title": "budget.csv", "url": "https://example.org/budget.csv", "format": "csv",
	}, env.AdminToken)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	rid := res.Object(t)["id"].(string)
	require.Nil(t, res.Object(t)["preview_url"])

	_, err := env.Catalog.UpdateExtras(grpcx.WithAPIKey(t.Context(), env.AdminToken), &catalogv1.UpdateExtrasRequest{
		Dataset: id, ResourceId: rid, MergeJson: []byte(`{"analysis:parsing:parsing_table": "` + rid + `"}`),
	})
	require.NoError(t, err)
	got := env.Do(t, "GET", "/api/1/datasets/"+id+"/resources/"+rid+"/", nil, "")
	require.Equal(t, http.StatusOK, got.Status)
	require.Equal(t, env.URL+"/api/resources/"+rid+"/data/", got.Object(t)["preview_url"])
}
