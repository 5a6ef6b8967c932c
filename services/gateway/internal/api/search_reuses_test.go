package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	"github.com/relais-data/relais/services/gateway/internal/gatewaytest"
	"github.com/relais-data/relais/services/search"
)

// reuse creates a reuse of token linking datasets.
func (w *world) reuse(t *testing.T, token, title, typ string, datasets []string, extra map[string]any) map[string]any {
	t.Helper()
	body := map[string]any{
		"title": title, "description": "Description de " + title, "type": typ, "topic": "others",
		"url": "https://reuses.test/" + fmt.Sprint(len(title)) + "/" + typ + "/" + title, "datasets": datasets,
	}
	for k, v := range extra {
		body[k] = v
	}
	return expect(t, w.env.Do(t, "POST", "/api/1/reuses/", body, token), 201).Object(t)
}

// /api/2/reuses/search/ on a real catalog and search service: reuses
// created, changed and deleted through the API, udata's pager, facets,
// filters and sorts; private reuses never found.
func TestSearchReuses(t *testing.T) {
	w := searchWorld(t)
	env := w.env
	orgA, orgB := str(w.orgA["id"]), str(w.orgB["id"])
	d1 := str(w.dataset(t, w.alice, orgA, "Stationnement vélo", nil)["id"])
	d2 := str(w.dataset(t, w.bob, orgB, "Horaires des bus", nil)["id"])
	carte := w.reuse(t, w.alice, "Carte du stationnement vélo", "application", []string{d1}, map[string]any{"organization": orgA, "tags": []string{"velo", "carte"}})
	appli := w.reuse(t, w.bob, "Application des horaires", "api", []string{d1, d2}, map[string]any{"organization": orgB, "tags": []string{"bus"}})
	private := w.reuse(t, w.bob, "Carte privée du vélo", "application", []string{d1}, map[string]any{"private": true})

	page := searchUntil(t, env, "/api/2/reuses/search/?q=velo", func(p map[string]any) bool { return total(p) == "1" })
	assert.Equal(t, []string{str(carte["title"])}, titles(page))
	var keys []string
	for k := range page {
		keys = append(keys, k)
	}
	assert.ElementsMatch(t, []string{"data", "facets", "next_page", "page", "page_size", "previous_page", "total"}, keys)
	item := page["data"].([]any)[0].(map[string]any)
	assert.Equal(t, str(carte["id"]), str(item["id"]))
	assert.Contains(t, item["datasets"].(map[string]any)["href"], "/api/2/datasets/?reuse=", "v2 items link their datasets")
	facets := page["facets"].(map[string]any)
	var facetNames []string
	for k := range facets {
		facetNames = append(facetNames, k)
	}
	assert.ElementsMatch(t, []string{"badge", "featured", "last_update_range", "organization", "organization_badge", "owner", "producer_type", "tag", "topic", "type"}, facetNames)
	assert.Equal(t, []any{map[string]any{"name": "all", "count": json.Number("1")}, map[string]any{"name": "application", "count": json.Number("1")}}, facets["type"])

	all := searchUntil(t, env, "/api/2/reuses/search/", func(p map[string]any) bool { return total(p) == "2" })
	assert.NotContains(t, titles(all), str(private["title"]))
	for query, want := range map[string][]string{
		"type=api":                        {str(appli["title"])},
		"organization=" + orgA:            {str(carte["title"])},
		"tag=bus":                         {str(appli["title"])},
		"dataset=" + d2:                   {str(appli["title"])},
		"sort=-datasets":                  {str(appli["title"]), str(carte["title"])},
		"sort=datasets":                   {str(carte["title"]), str(appli["title"])},
		"last_update_range=last_30_days":  {str(appli["title"]), str(carte["title"])},
		"type=idea":                       nil,
		"featured=true":                   nil,
		"archived=false&sort=-created":    {str(appli["title"]), str(carte["title"])},
		"q=horaires&producer_type=nobody": nil,
	} {
		page := expect(t, env.Do(t, "GET", "/api/2/reuses/search/?"+query, nil, ""), 200).Object(t)
		if query == "last_update_range=last_30_days" {
			assert.ElementsMatch(t, want, titles(page), query)
			continue
		}
		assert.Equal(t, want, titles(page), query)
	}

	// The organization renamed: its reuses are found by the new name.
	expect(t, env.Do(t, "PUT", "/api/1/organizations/"+orgA+"/", map[string]any{"name": "Ville cyclable"}, w.alice), 200)
	page = searchUntil(t, env, "/api/2/reuses/search/?q=cyclable", func(p map[string]any) bool { return total(p) == "1" })
	assert.Equal(t, []string{str(carte["title"])}, titles(page))

	// Changed, then deleted, through the API.
	expect(t, env.Do(t, "PUT", "/api/1/reuses/"+str(carte["id"])+"/", map[string]any{"title": "Carte des arceaux"}, w.alice), 200)
	searchUntil(t, env, "/api/2/reuses/search/?q=arceaux", func(p map[string]any) bool { return total(p) == "1" })
	expect(t, env.Do(t, "DELETE", "/api/1/reuses/"+str(appli["id"])+"/", nil, w.bob), 204)
	searchUntil(t, env, "/api/2/reuses/search/?q=horaires", func(p map[string]any) bool { return total(p) == "0" })

	// Bad input: udata's 400s.
	for query, msg := range map[string]string{
		"sort=title":            "not a valid choice for 'sort'",
		"page=501&page_size=20": "Pagination is limited to the first 10000 results",
		"page_size=100000":      "Pagination is limited",
		"featured=maybe":        "Invalid literal for boolean(): maybe",
		"archived=2":            "Invalid literal for boolean(): 2",
		"page=0":                "page",
	} {
		r := env.Do(t, "GET", "/api/2/reuses/search/?"+query, nil, "")
		assert.Equal(t, 400, r.Status, "%s: %s", query, r.Body)
		assert.Contains(t, string(r.Body), msg, query)
	}
}

// Reindex and verify cover reuses.
func TestSearchReindexReuses(t *testing.T) {
	w := searchWorld(t)
	env := w.env
	d := str(w.dataset(t, w.alice, str(w.orgA["id"]), "Stationnement vélo", nil)["id"])
	w.reuse(t, w.alice, "Carte du stationnement vélo", "application", []string{d}, nil)
	w.reuse(t, w.alice, "Carte privée", "application", []string{d}, map[string]any{"private": true})
	searchUntil(t, env, "/api/2/reuses/search/?q=velo", func(p map[string]any) bool { return total(p) == "1" })

	ctx := search.WithServiceToken(context.Background(), gatewaytest.SearchToken)
	stream, err := env.Search.Reindex(ctx, &searchv1.ReindexRequest{})
	require.NoError(t, err)
	var phases []string
	for {
		p, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		phases = append(phases, fmt.Sprintf("%s %d/%d", p.GetPhase(), p.GetDone(), p.GetTotal()))
	}
	assert.Equal(t, []string{"dataset 1/1", "organization 2/2", "reuse 1/1", "swapped 0/0"}, phases)
	assert.Equal(t, "1", total(expect(t, env.Do(t, "GET", "/api/2/reuses/search/?q=velo", nil, ""), 200).Object(t)))

	rep, err := env.Search.Verify(ctx, &searchv1.VerifyRequest{})
	require.NoError(t, err)
	assert.Equal(t, int64(4), rep.GetChecked(), "1 dataset, 2 organizations, 1 public reuse")
	assert.Empty(t, rep.GetMissing())
	assert.Empty(t, rep.GetExtra())
	assert.Equal(t, rep.GetExpectedDocuments(), rep.GetIndexedDocuments())
}
