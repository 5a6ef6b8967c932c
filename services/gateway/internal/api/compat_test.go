package api_test

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/gateway/internal/jsonshape"
)

func reference(t *testing.T, name string) any {
	t.Helper()
	dir, ok := jsonshape.ReferenceDir()
	if !ok {
		t.Skip("no shared/reference folder (set RELAIS_REFERENCE_DIR)")
	}
	data, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	v, err := jsonshape.Decode(data)
	require.NoError(t, err, name)
	return v
}

// compatOptions: what the references fill and we cannot yet. Free-form
// objects are compared by type only; the nullable fields are optional
// ones our objects leave empty (no upload, no preview, no avatar yet).
func compatOptions() jsonshape.Options {
	return jsonshape.Options{
		Skip: []string{
			"$.extras", "$.resources[].extras", "$.resource.extras", "$.harvest", "$.data",
			"$.metrics.dataservices_by_months", "$.metrics.datasets_by_months",
			"$.metrics.datasets_followers_by_months", "$.metrics.datasets_reuses_by_months",
			// The fixture export moves the internal dates to the top level.
			"$.created_at_internal", "$.last_modified_internal",
		},
		Nullable: []string{
			"$.preview_url", "$.resources[].preview_url", "$.resource.preview_url",
			"$.logo", "$.logo_thumbnail", "$.organization.logo", "$.organization.logo_thumbnail",
			"$.members[].user.avatar", "$.members[].user.avatar_thumbnail", "$.members[].user.last_login_at",
			"$.members[].user.email",
		},
	}
}

// compareShape reports what ours lacks against ref, and records the keys
// Relais adds in added (logged once at the end).
func compareShape(t *testing.T, name string, ref any, ours []byte, added map[string]bool) {
	t.Helper()
	v, err := jsonshape.Decode(ours)
	require.NoError(t, err)
	missing, extra := jsonshape.Compare(ref, v, compatOptions())
	for _, m := range missing {
		t.Errorf("%s: %s", name, m)
	}
	for _, e := range extra {
		added[name+" "+e] = true
	}
}

// TestCompatibilityWithDataGouvFr creates objects through the API and
// holds each response against data.gouv.fr's real responses: every key
// they carry must be in ours, with the same JSON type.
func TestCompatibilityWithDataGouvFr(t *testing.T) {
	w := newWorld(t)
	env := w.env
	orgID := str(w.orgA["id"])
	expect(t, env.Do(t, "PUT", "/api/1/organizations/"+orgID+"/", map[string]any{
		"acronym": "CSE", "url": "https://www.saint-etienne.fr/",
		"logo": "https://static.example.test/logo.png",
	}, w.alice), 200)
	d := w.dataset(t, w.alice, orgID, "Délibérations", map[string]any{
		"acronym": "DELIB", "tags": []string{"deliberations"}, "license": "lov2", "frequency": "weekly",
		"frequency_date": "2025-07-03T23:17:38+00:00", "description_short": "Les délibérations.",
		"temporal_coverage": map[string]any{"start": "2020-01-01", "end": "2024-12-31"},
		"extras":            map[string]any{"recommendations:sources": []string{"edito"}},
	})
	id := str(d["id"])
	res := expect(t, env.Do(t, "POST", "/api/1/datasets/"+id+"/resources/", map[string]any{
		"title": "export.csv", "url": "https://static.example.test/export.csv", "format": "csv",
		"mime": "text/csv", "filesize": 1643394, "description": "Export",
		"checksum": map[string]any{"type": "sha1", "value": "0d7bb1d30a853949fb522fb7f8b330cbb9cf38c5"},
		"schema":   map[string]any{"name": "etalab/scdl-deliberations", "version": "2.1.3"},
	}, w.alice), 201).Object(t)
	rid := str(res["id"])

	dataset := expect(t, env.Do(t, "GET", "/api/1/datasets/"+id+"/", nil, ""), 200).Body
	resource := expect(t, env.Do(t, "GET", "/api/1/datasets/"+id+"/resources/"+rid+"/", nil, ""), 200).Body
	resourceV2 := expect(t, env.Do(t, "GET", "/api/2/datasets/resources/"+rid+"/", nil, ""), 200).Body
	org := expect(t, env.Do(t, "GET", "/api/1/organizations/"+orgID+"/", nil, w.alice), 200).Body
	page := expect(t, env.Do(t, "GET", "/api/1/datasets/", nil, ""), 200).Body

	added := map[string]bool{}
	compareShape(t, "dataset_metadata.json", reference(t, "datagouv-datagouv_client/dataset_metadata.json"), dataset, added)
	compareShape(t, "resource_metadata_api1.json", reference(t, "datagouv-datagouv_client/resource_metadata_api1.json"), resource, added)
	compareShape(t, "resource_metadata_api2.json", reference(t, "datagouv-datagouv_client/resource_metadata_api2.json"), resourceV2, added)
	compareShape(t, "organization_metadata.json", reference(t, "datagouv-datagouv_client/organization_metadata.json"), org, added)
	compareShape(t, "pager (elements_metadata.json)", reference(t, "datagouv-datagouv_client/elements_metadata.json"), page, added)

	fixtures := reference(t, "opendatateam-udata/fixtures-results.json").(map[string]any)
	for _, item := range fixtures["datasets"].([]any) {
		item := item.(map[string]any)
		compareShape(t, "fixtures-results.json dataset", item["dataset"], dataset, added)
		for _, r := range item["resources"].([]any) {
			compareShape(t, "fixtures-results.json resource", r, resource, added)
		}
		compareShape(t, "fixtures-results.json organization", item["organization"], org, added)
	}
	keys := slices.Sorted(maps.Keys(added))
	t.Logf("keys Relais adds (allowed):\n%s", strings.Join(keys, "\n"))
}
