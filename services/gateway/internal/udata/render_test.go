package udata

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	"github.com/relais-data/relais/services/gateway/internal/jsonshape"
)

const testBase = "https://relais.example.org"

func render(f func(w *Writer)) []byte {
	w := NewWriter(1024)
	f(w)
	return w.Bytes()
}

// renderings covers every object the renderer writes, with optional fields
// set and unset.
func renderings() map[string][]byte {
	r := NewRenderer(testBase + "/")
	empty := &catalogv1.Dataset{Id: "5d13a8b6634f41070a43dff3", Slug: "x"}
	return map[string][]byte{
		"dataset":          render(func(w *Writer) { r.Dataset(w, sampleDataset()) }),
		"dataset_v2":       render(func(w *Writer) { r.DatasetV2(w, sampleDataset()) }),
		"dataset_empty":    render(func(w *Writer) { r.Dataset(w, empty) }),
		"dataset_empty_v2": render(func(w *Writer) { r.DatasetV2(w, empty) }),
		"resource":         render(func(w *Writer) { r.Resource(w, sampleResource(0)) }),
		"resource_empty":   render(func(w *Writer) { r.Resource(w, &catalogv1.Resource{}) }),
		"organization":     render(func(w *Writer) { r.Organization(w, sampleOrganization()) }),
		"organization_empty": render(func(w *Writer) {
			r.Organization(w, &catalogv1.Organization{Members: []*catalogv1.Member{{}}})
		}),
		"user": render(func(w *Writer) {
			r.User(w, &catalogv1.User{Organizations: []*catalogv1.OrganizationRef{sampleOrgRef()}})
		}),
		"user_ref":   render(func(w *Writer) { r.UserRef(w, &catalogv1.UserRef{}) }),
		"api_token":  render(func(w *Writer) { r.APIToken(w, &catalogv1.ApiToken{}, "udata_secret") }),
		"suggestion": render(func(w *Writer) { r.OrganizationSuggestion(w, sampleOrgRef()) }),
		"licenses":   render(func(w *Writer) { r.Licenses(w, []*catalogv1.License{{Id: "lov2"}}) }),
		"labels":     render(func(w *Writer) { r.Labels(w, []*catalogv1.Label{{Id: "admin", Label: "Administrateur"}}) }),
		"site":       render(func(w *Writer) { r.Site(w, SiteInfo{ID: "relais"}, &catalogv1.SiteMetrics{}, nil) }),
	}
}

func TestRenderConventions(t *testing.T) {
	for name, data := range renderings() {
		if err := jsonshape.CheckConventions(data); err != nil {
			t.Errorf("%s: %v\n%s", name, err, data)
		}
		if _, err := jsonshape.Decode(data); err != nil {
			t.Errorf("%s: invalid JSON: %v", name, err)
		}
	}
}

func TestRenderDatasetLinks(t *testing.T) {
	data := string(renderings()["dataset"])
	for _, want := range []string{
		`"uri": "https://relais.example.org/api/1/datasets/deliberations-du-conseil-municipal/"`,
		`"page": "https://relais.example.org/datasets/deliberations-du-conseil-municipal/"`,
		`"latest": "https://relais.example.org/api/1/datasets/r/f868cca6-8da1-4369-a78d-47463f19a9a3"`,
		`"created_at": "2019-06-26T19:17:42.238000+00:00"`,
		`"frequency_date": "2019-07-03T23:17:38+00:00"`,
		`"temporal_coverage": {"end": "2024-12-31", "start": "2020-01-01"}`,
		`"title": "D\u00e9lib\u00e9rations du conseil municipal \ud83c\udfdb"`,
		`<script>alert(1)</script>`,
		`"score": 0.6666666666666666`,
	} {
		if !strings.Contains(data, want) {
			t.Errorf("dataset lacks %s", want)
		}
	}
	v2 := string(renderings()["dataset_v2"])
	for _, want := range []string{
		`"resources": {"href": "https://relais.example.org/api/2/datasets/5d13a8b6634f41070a43dff3/resources/?page=1&page_size=50", "rel": "subsection", "total": 2, "type": "GET"}`,
		`"community_resources": {"href": "https://relais.example.org/api/1/datasets/community_resources/?dataset=5d13a8b6634f41070a43dff3&page=1&page_size=50", "rel": "subsection", "total": 0, "type": "GET"}`,
	} {
		if !strings.Contains(v2, want) {
			t.Errorf("v2 dataset lacks %s", want)
		}
	}
	if strings.Contains(v2, `"schema"`) {
		t.Error("v2 dataset has a schema key")
	}
	if !strings.Contains(string(renderings()["dataset_empty_v2"]), `"license": null`) {
		t.Error("v2 dataset without license should have license null")
	}
	if !strings.Contains(string(renderings()["dataset_empty"]), `"license": "notspecified"`) {
		t.Error("v1 dataset without license should have license notspecified")
	}
}

func readReference(t *testing.T, name string) any {
	t.Helper()
	dir, ok := jsonshape.ReferenceDir()
	if !ok {
		t.Skip("no shared/reference folder (set RELAIS_REFERENCE_DIR)")
	}
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatalf("read reference: %v", err)
	}
	v, err := jsonshape.Decode(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// Free-form or month-keyed content that the reference fills and we leave
// empty: compared by type only, not key by key.
var freeForm = []string{
	"$.extras", "$.resources[].extras", "$.harvest",
	"$.metrics.dataservices_by_months", "$.metrics.datasets_by_months",
	"$.metrics.datasets_followers_by_months", "$.metrics.datasets_reuses_by_months",
}

func compareWith(t *testing.T, name string, ref any, ours []byte, skip ...string) {
	t.Helper()
	v, err := jsonshape.Decode(ours)
	if err != nil {
		t.Fatal(err)
	}
	// preview_url stays null until the preview service exists.
	nullable := []string{"$.preview_url", "$.resources[].preview_url"}
	missing, extra := jsonshape.Compare(ref, v, jsonshape.Options{Skip: append(skip, freeForm...), Nullable: nullable})
	for _, m := range missing {
		t.Errorf("%s: %s", name, m)
	}
	if len(extra) > 0 {
		t.Logf("%s: keys we add: %v", name, extra)
	}
}

func TestRenderMatchesDataGouvFr(t *testing.T) {
	r := renderings()
	compareWith(t, "dataset_metadata.json", readReference(t, "datagouv-datagouv_client/dataset_metadata.json"), r["dataset"])
	compareWith(t, "resource_metadata_api1.json", readReference(t, "datagouv-datagouv_client/resource_metadata_api1.json"), r["resource"])
	compareWith(t, "organization_metadata.json", readReference(t, "datagouv-datagouv_client/organization_metadata.json"), r["organization"])

	fixtures := readReference(t, "opendatateam-udata/fixtures-results.json").(map[string]any)
	for _, item := range fixtures["datasets"].([]any) {
		item := item.(map[string]any)
		// The fixture export moves internal dates to the top level.
		compareWith(t, "fixtures dataset", item["dataset"], r["dataset"], "$.created_at_internal", "$.last_modified_internal")
		for _, res := range item["resources"].([]any) {
			compareWith(t, "fixtures resource", res, r["resource"])
		}
		if org := item["organization"]; org != nil {
			compareWith(t, "fixtures organization", org, r["organization"])
		}
	}
}
