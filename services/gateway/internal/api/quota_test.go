package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/gateway/internal/gatewaytest"
	"github.com/relais-data/relais/services/storage"
)

// TestOrganizationQuota: uploads past an organization's quota are refused
// with 413 (udata's bodies: {"message"} single, {"success": false,
// "error"} chunked); GET /api/1/organizations/{org}/storage/ reports the
// usage to the organization's admins; deleting a resource frees its bytes
// (the storage service deletes the object on resource.deleted).
func TestOrganizationQuota(t *testing.T) {
	w := newWorldWith(t, gatewaytest.Options{
		Storage: func(c *storage.Config) { c.QuotaPerOrganization = 20 },
	})
	env := w.env
	org := str(w.orgA["id"])
	d := w.dataset(t, w.alice, org, "Quota", nil)
	path := "/api/1/datasets/" + str(d["id"]) + "/upload/"
	usage := "/api/1/organizations/" + org + "/storage/"

	res := expect(t, env.Send(t, uploadRequest(t, env, path, w.alice, filePart("a.csv", []byte("a;b\n1;2\n3;4\n5;6\n")))), http.StatusCreated).Object(t)
	const msg = "Organization quota exceeded (used 16 of 20 bytes)"
	r := expect(t, env.Send(t, uploadRequest(t, env, path, w.alice, filePart("b.csv", []byte("a;b\n1;2\n")))), http.StatusRequestEntityTooLarge)
	require.JSONEq(t, fmt.Sprintf(`{"message": %q}`, msg), string(r.Body))
	parts := [][]byte{[]byte("a;b\n"), []byte("1;2\n3;4\n")}
	require.Equal(t, `{"success": true}`, string(expect(t, env.Send(t, uploadRequest(t, env, path, w.alice,
		frontEndChunk("q1", "c.csv", 0, 4, parts)...)), http.StatusOK).Body), "16 + 4 fits")
	r = expect(t, env.Send(t, uploadRequest(t, env, path, w.alice, frontEndChunk("q1", "c.csv", 1, 4, parts)...)), http.StatusRequestEntityTooLarge)
	require.JSONEq(t, fmt.Sprintf(`{"success": false, "error": %q}`, msg), string(r.Body))

	require.JSONEq(t, `{"files": 1, "quota": 20, "used": 16}`, string(expect(t, env.Do(t, "GET", usage, nil, w.alice), http.StatusOK).Body))
	expect(t, env.Do(t, "GET", usage, nil, w.bob), http.StatusForbidden)
	expect(t, env.Do(t, "GET", usage, nil, ""), http.StatusUnauthorized)

	// Deleting the resource deletes its object once the deletion commits.
	expect(t, env.Do(t, "DELETE", "/api/1/datasets/"+str(d["id"])+"/resources/"+str(res["id"])+"/", nil, w.alice), http.StatusNoContent)
	require.Eventually(t, func() bool {
		r := env.Do(t, "GET", usage, nil, w.alice)
		return r.Status == http.StatusOK && string(r.Body) == `{"files": 0, "quota": 20, "used": 0}`
	}, 15*time.Second, 20*time.Millisecond)
	require.Equal(t, http.StatusNotFound, download(t, env, str(res["url"]), nil).Status)
	expect(t, env.Send(t, uploadRequest(t, env, path, w.alice, filePart("b.csv", []byte("a;b\n1;2\n")))), http.StatusCreated)
}
