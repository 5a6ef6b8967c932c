package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/grpcx"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/gatewaytest"
)

// Without a preview service the tabular API and the previews of a
// resource the caller may see answer 503; the routes of the rest of the
// API are untouched. (With one, the relais e2e suite runs them against
// the real service.)
func TestPreviewRoutesWithoutPreviewService(t *testing.T) {
	env := gatewaytest.Start(t, gatewaytest.Options{})
	rid := newResource(t, env, false)
	for _, path := range []string{
		"/api/resources/" + rid + "/",
		"/api/resources/" + rid + "/profile/",
		"/api/resources/" + rid + "/data/?page_size=5",
		"/api/resources/" + rid + "/data/csv/",
		"/api/1/datasets/schemas/",
		"/api/2/datasets/resources/" + rid + "/preview/map/",
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

// newResource creates a dataset (private or not) with a remote resource
// and returns the resource's id.
func newResource(t testing.TB, env *gatewaytest.Env, private bool) string {
	t.Helper()
	ds := env.Do(t, "POST", "/api/1/datasets/", map[string]any{"title": "Budget", "description": "Le budget.", "private": private}, env.AdminToken)
	require.Equal(t, http.StatusCreated, ds.Status, string(ds.Body))
	res := env.Do(t, "POST", "/api/1/datasets/"+ds.Object(t)["id"].(string)+"/resources/", map[string]any{
		"title": "budget.csv", "url": "https://example.org/budget.csv", "format": "csv",
	}, env.AdminToken)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	return res.Object(t)["id"].(string)
}

// The tabular API and the previews of a private dataset's resource, or of
// an unknown one, answer 404 to whoever may not see it (api-tabular's
// body on the tabular API) before the preview service is asked; its
// editors reach the preview service (503 here, none running).
func TestPreviewOfPrivateOrUnknownResource(t *testing.T) {
	env := gatewaytest.Start(t, gatewaytest.Options{})
	private := newResource(t, env, true)
	const unknown = "9d6c3d4e-5a41-4d2a-9a44-0c1f0d7e5b11"
	for _, rid := range []string{private, unknown} {
		for _, path := range []string{"/", "/profile/", "/swagger/", "/data/?page_size=5", "/data/csv/", "/data/json/"} {
			res := env.Do(t, "GET", "/api/resources/"+rid+path, nil, "")
			require.Equal(t, http.StatusNotFound, res.Status, path)
			require.Equal(t, "404: Not Found", string(res.Body), path)
		}
		for _, path := range []string{"", "validation/", "map/", "chart/?group_by=a"} {
			res := env.Do(t, "GET", "/api/2/datasets/resources/"+rid+"/preview/"+path, nil, "")
			require.Equal(t, http.StatusNotFound, res.Status, path)
		}
	}
	res := env.Do(t, "GET", "/api/resources/"+private+"/data/", nil, env.AdminToken)
	require.Equal(t, http.StatusServiceUnavailable, res.Status, "its editor passes")
}

// BenchmarkTabularVisibility: what asking the catalog whether the caller
// may see the resource adds to a tabular API request, through the whole
// HTTP stack (no preview service: the answer is 503 once the check
// passes, 404 when it fails). "unchecked" is a preview route without a
// resource (the schema catalogue, also 503), the baseline.
func BenchmarkTabularVisibility(b *testing.B) {
	env := gatewaytest.Start(b, gatewaytest.Options{})
	public, private := newResource(b, env, false), newResource(b, env, true)
	for _, c := range []struct{ name, path string }{
		{"unchecked", "/api/1/datasets/schemas/"},
		{"public", "/api/resources/" + public + "/data/"},
		{"private", "/api/resources/" + private + "/data/"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				if res := env.Do(b, "GET", c.path, nil, ""); res.Status != http.StatusServiceUnavailable && res.Status != http.StatusNotFound {
					b.Fatalf("%s: %d", c.path, res.Status)
				}
			}
		})
	}
}
