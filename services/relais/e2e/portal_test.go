package e2e

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/relais/internal/demo"
)

// TestPortal walks through what an operator and a data.gouv.fr client do:
// start with demo data, publish as a collectivité, read it back in the
// data.gouv.fr shapes, restart without duplicating anything.
func TestPortal(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) { testPortal(t, mode) })
	}
}

func testPortal(t *testing.T, mode string) {
	dataDir := t.TempDir()
	p, stop := startPortal(t, mode, dataDir)
	require.NotEmpty(t, p.token, "the demo prints an admin token")
	require.True(t, strings.HasPrefix(p.token, "udata_"), "tokens look like data.gouv.fr's")

	first := p.demo
	require.Greater(t, first.DatasetsCreated, int64(3000), "demo datasets")
	require.GreaterOrEqual(t, first.OrganizationsCreated, int64(40), "demo collectivités")

	t.Run("site carries the operator's name", func(t *testing.T) {
		site := p.do("GET", "/api/1/site/", "", nil)
		require.Equal(t, http.StatusOK, site.Status, string(site.Raw))
		require.Equal(t, siteTitle, site.Object()["title"])
	})

	t.Run("me round-trips", func(t *testing.T) {
		me := p.do("GET", "/api/1/me/", p.token, nil)
		require.Equal(t, http.StatusOK, me.Status, string(me.Raw))
		back := p.do("PUT", "/api/1/me/", p.token, me.Raw)
		require.Equal(t, http.StatusOK, back.Status, "a client sends /me back as it got it: %s", back.Raw)
	})

	t.Run("health", func(t *testing.T) {
		require.Equal(t, http.StatusOK, p.do("GET", "/healthz", "", nil).Status)
		require.Equal(t, http.StatusOK, p.do("GET", "/readyz", "", nil).Status)
	})

	t.Run("every target serves gRPC health and reflection", func(t *testing.T) {
		for _, addr := range p.grpcAddrs {
			requireGRPCHealth(t, addr, "")
			requireReflection(t, addr)
		}
		requireGRPCHealth(t, p.catalogGRPC, catalogv1.CatalogService_ServiceDesc.ServiceName)
	})

	t.Run("list pager", func(t *testing.T) {
		res := p.do("GET", "/api/1/datasets/?page_size=20", "", nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Raw))
		page := res.Object()
		require.EqualValues(t, demoListed(t), page["total"], "archived datasets are left out of lists")
		require.Len(t, page["data"], 20)
		require.Equal(t, p.base+"/api/1/datasets/?page_size=20&page=2", page["next_page"])
		require.Nil(t, page["previous_page"])
		requireSameShape(t, "pager", map[string]any{"data": []any{}, "page": 1.0, "page_size": 20.0, "total": 1.0, "next_page": nil, "previous_page": nil}, page)
	})

	t.Run("bad key is 401 even on a public GET", func(t *testing.T) {
		res := p.do("GET", "/api/1/datasets/", "udata_not-a-token", nil)
		require.Equal(t, http.StatusUnauthorized, res.Status)
		require.Equal(t, map[string]any{"message": "Invalid API token"}, res.JSON)
	})

	var orgID, datasetID, resourceID string
	t.Run("publish as a collectivité", func(t *testing.T) {
		org := p.do("POST", "/api/1/organizations/", p.token, map[string]any{
			"name":               "Commune de Saint-Étienne-de-Tinée",
			"description":        "Les données ouvertes de la commune.",
			"business_number_id": "21060153300016",
		})
		require.Equal(t, http.StatusCreated, org.Status, string(org.Raw))
		orgID = org.Object()["id"].(string)
		require.Equal(t, "commune-de-saint-etienne-de-tinee", org.Object()["slug"])
		requireSameShape(t, "organization", reference(t, "datagouv-datagouv_client", "organization_metadata.json"), org.JSON)

		ds := p.do("POST", "/api/1/datasets/", p.token, map[string]any{
			"title":        "Délibérations du conseil municipal",
			"description":  "Les délibérations depuis 2020, au format SCDL.",
			"organization": orgID,
			"license":      "lov2",
			"frequency":    "monthly",
			"tags":         []string{"deliberations", "scdl"},
		})
		require.Equal(t, http.StatusCreated, ds.Status, string(ds.Raw))
		datasetID = ds.Object()["id"].(string)
		require.Equal(t, "deliberations-du-conseil-municipal", ds.Object()["slug"])

		res := p.do("POST", "/api/1/datasets/"+datasetID+"/resources/", p.token, map[string]any{
			"title":  "deliberations-2024.csv",
			"url":    "https://example.org/deliberations-2024.csv",
			"format": "csv",
		})
		require.Equal(t, http.StatusCreated, res.Status, string(res.Raw))
		resourceID = res.Object()["id"].(string)
		require.Equal(t, "remote", res.Object()["filetype"])
		require.Equal(t, "main", res.Object()["type"])
		requireSameShape(t, "resource", reference(t, "datagouv-datagouv_client", "resource_metadata_api1.json"), res.JSON)
	})

	t.Run("read back in data.gouv.fr shapes", func(t *testing.T) {
		ds := p.do("GET", "/api/1/datasets/deliberations-du-conseil-municipal/", "", nil)
		require.Equal(t, http.StatusOK, ds.Status, string(ds.Raw))
		requireSameShape(t, "dataset", reference(t, "datagouv-datagouv_client", "dataset_metadata.json"), ds.JSON)
		require.Equal(t, datasetID, ds.Object()["id"])
		require.Equal(t, p.base+"/api/1/datasets/r/"+resourceID, ds.Object()["resources"].([]any)[0].(map[string]any)["latest"])

		v2 := p.do("GET", "/api/2/datasets/resources/"+resourceID+"/", "", nil)
		require.Equal(t, http.StatusOK, v2.Status, string(v2.Raw))
		requireSameShape(t, "v2 resource", reference(t, "datagouv-datagouv_client", "resource_metadata_api2.json"), v2.JSON)

		latest := p.do("GET", "/api/1/datasets/r/"+resourceID, "", nil)
		require.Equal(t, http.StatusFound, latest.Status)
		require.Equal(t, "https://example.org/deliberations-2024.csv", latest.Header.Get("Location"))

		byOrg := p.do("GET", "/api/1/datasets/?organization="+orgID, "", nil)
		require.Equal(t, http.StatusOK, byOrg.Status, string(byOrg.Raw))
		require.EqualValues(t, 1, byOrg.Object()["total"])
	})

	t.Run("udata fixtures keep their shape", func(t *testing.T) {
		// udata's own fixtures are real www.data.gouv.fr responses, reshaped a
		// little by udata's fixture generator: the dataset's internal dates
		// are lifted to the top, the owner is an id, the organization and the
		// resources are beside the dataset. Undo that, then compare.
		ds := p.do("GET", "/api/1/datasets/"+datasetID+"/", "", nil).Object()
		org := p.do("GET", "/api/1/organizations/"+orgID+"/", "", nil).Object()
		resource := ds["resources"].([]any)[0]
		fixtures := reference(t, "opendatateam-udata", "fixtures-results.json").(map[string]any)["datasets"].([]any)
		require.Len(t, fixtures, 15)
		for _, f := range fixtures {
			fixture := f.(map[string]any)
			real := fixture["dataset"].(map[string]any)
			real["internal"] = map[string]any{
				"created_at_internal":    real["created_at_internal"],
				"last_modified_internal": real["last_modified_internal"],
			}
			delete(real, "created_at_internal")
			delete(real, "last_modified_internal")
			delete(real, "owner")
			requireSameShape(t, "fixture dataset", real, ds)
			for _, r := range fixture["resources"].([]any) {
				requireSameShape(t, "fixture resource", r, resource)
			}
			if o := fixture["organization"]; o != nil {
				requireSameShape(t, "fixture organization", o, org)
			}
		}
	})

	t.Run("upload a file and download it", func(t *testing.T) {
		data, err := os.ReadFile("../../../../shared/data/samples/lave-linge/lave-linge-virgule.csv")
		require.NoError(t, err)
		res := p.upload("/api/1/datasets/"+datasetID+"/upload/", p.token, "Lave-linge virgule.csv", data)
		require.Equal(t, http.StatusCreated, res.Status, string(res.Raw))
		file := res.Object()
		require.Equal(t, true, file["success"])
		require.Equal(t, "file", file["filetype"])
		require.Equal(t, "lave-linge-virgule.csv", file["title"])
		require.Equal(t, map[string]any{"type": "sha1", "value": sha1Hex(data)}, file["checksum"])
		require.EqualValues(t, len(data), file["filesize"])
		url := file["url"].(string)
		require.True(t, strings.HasPrefix(url, p.base+"/resources/deliberations-du-conseil-municipal/"), url)
		requireSameShape(t, "uploaded resource", reference(t, "datagouv-datagouv_client", "resource_metadata_api1.json"), res.JSON)

		got := p.get(url, nil)
		require.Equal(t, http.StatusOK, got.Status)
		require.Equal(t, data, got.Raw)
		require.Equal(t, "text/csv", got.Header.Get("Content-Type"))
		require.Equal(t, `attachment; filename="Lave-linge virgule.csv"`, got.Header.Get("Content-Disposition"))
		part := p.get(url, http.Header{"Range": {"bytes=0-99"}})
		require.Equal(t, http.StatusPartialContent, part.Status)
		require.Equal(t, data[:100], part.Raw)
		require.Equal(t, http.StatusNotModified, p.get(url, http.Header{"If-None-Match": {got.Header.Get("ETag")}}).Status)

		latest := p.do("GET", "/api/1/datasets/r/"+file["id"].(string), "", nil)
		require.Equal(t, http.StatusFound, latest.Status)
		require.Equal(t, url, latest.Header.Get("Location"))
	})

	t.Run("delete is soft: 410", func(t *testing.T) {
		require.Equal(t, http.StatusNoContent, p.do("DELETE", "/api/1/datasets/"+datasetID+"/", p.token, nil).Status)
		gone := p.do("GET", "/api/1/datasets/"+datasetID+"/", "", nil)
		require.Equal(t, http.StatusGone, gone.Status)
		require.Equal(t, map[string]any{"message": "Dataset has been deleted"}, gone.JSON)
	})

	stop()
	again, _ := startPortal(t, mode, dataDir)
	require.Equal(t, p.token, again.token, "a restart prints the same admin token")
	second := again.demo
	require.Zero(t, second.DatasetsCreated, "a second start duplicates nothing")
	require.Zero(t, second.OrganizationsCreated)
	res := again.do("GET", "/api/1/datasets/?page_size=1", "", nil)
	require.EqualValues(t, demoListed(t), res.Object()["total"])
}

// demoListed counts the demo datasets a list shows: all but the archived.
func demoListed(t testing.TB) int {
	gz, err := gzip.NewReader(bytes.NewReader(demo.Export))
	require.NoError(t, err)
	rd, err := demo.NewReader(gz)
	require.NoError(t, err)
	n := 0
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return n
		}
		require.NoError(t, err)
		if rec.Archived.IsZero() {
			n++
		}
	}
}
