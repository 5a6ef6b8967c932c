package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/relais-data/relais/pkg/events"
	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	"github.com/relais-data/relais/services/gateway/internal/gatewaytest"
	"github.com/relais-data/relais/services/search"
)

// searchWorld is a world whose gateway has a search service.
func searchWorld(t *testing.T) *world {
	env := gatewaytest.Start(t, gatewaytest.Options{Search: true})
	w := &world{env: env, alice: env.NewUser(t, "alice@rennes.test", "Alice", "Martin"), bob: env.NewUser(t, "bob@nantes.test", "Bob", "Durand")}
	w.orgA = expect(t, env.Do(t, "POST", "/api/1/organizations/", map[string]any{"name": "Ville de Rennes", "description": "Bretagne."}, w.alice), 201).Object(t)
	w.orgB = expect(t, env.Do(t, "POST", "/api/1/organizations/", map[string]any{"name": "Nantes Métropole", "description": "Loire."}, w.bob), 201).Object(t)
	return w
}

// searchUntil polls a search until check accepts the body: the index
// follows the catalog's events within a second.
func searchUntil(t *testing.T, env *gatewaytest.Env, path string, check func(map[string]any) bool) map[string]any {
	t.Helper()
	var page map[string]any
	require.Eventually(t, func() bool {
		page = expect(t, env.Do(t, "GET", path, nil, ""), 200).Object(t)
		return check(page)
	}, 10*time.Second, 20*time.Millisecond, "%s", path)
	return page
}

func total(page map[string]any) string { return string(page["total"].(json.Number)) }

func titles(page map[string]any) []string {
	var out []string
	for _, d := range page["data"].([]any) {
		out = append(out, d.(map[string]any)["title"].(string))
	}
	return out
}

func TestSearchDatasets(t *testing.T) {
	w := searchWorld(t)
	env := w.env
	orgA, orgB := str(w.orgA["id"]), str(w.orgB["id"])
	w.dataset(t, w.alice, orgA, "Délibérations du conseil municipal", map[string]any{"tags": []string{"conseil", "deliberations"}})
	w.dataset(t, w.alice, orgA, "Budget primitif de Rennes", map[string]any{"tags": []string{"budget", "finances"}})
	w.dataset(t, w.bob, orgB, "Budget de Nantes", map[string]any{"tags": []string{"budget"}, "featured": false})
	private := w.dataset(t, w.bob, orgB, "Budget confidentiel", map[string]any{"private": true})

	page := searchUntil(t, env, "/api/2/datasets/search/?q=budget", func(p map[string]any) bool { return total(p) == "2" })
	assert.ElementsMatch(t, []string{"Budget primitif de Rennes", "Budget de Nantes"}, titles(page))
	assert.NotContains(t, titles(page), str(private["title"]))
	// udata's search pager: sorted keys, facets with "all" first, v2 items.
	var keys []string
	for k := range page {
		keys = append(keys, k)
	}
	assert.ElementsMatch(t, []string{"data", "facets", "next_page", "page", "page_size", "previous_page", "total"}, keys)
	facets := page["facets"].(map[string]any)
	org := facets["organization"].([]any)
	assert.Equal(t, map[string]any{"name": "all", "count": json.Number("2")}, org[0])
	assert.Len(t, org, 3)
	for _, f := range []string{"badge", "featured", "format", "format_family", "geozone", "granularity", "last_update_range", "license", "organization", "producer_type", "schema", "tag"} {
		assert.Contains(t, facets, f)
	}
	assert.IsType(t, map[string]any{}, page["data"].([]any)[0].(map[string]any)["resources"], "v2 items")

	// French: accents dropped, a typo, a plural.
	page = searchUntil(t, env, "/api/2/datasets/search/?q=deliberation", func(p map[string]any) bool { return total(p) == "1" })
	assert.Equal(t, []string{"Délibérations du conseil municipal"}, titles(page))
	page = expect(t, env.Do(t, "GET", "/api/2/datasets/search/?q=bugdet+rennes", nil, ""), 200).Object(t)
	require.NotEmpty(t, titles(page))
	assert.Equal(t, "Budget primitif de Rennes", titles(page)[0])

	// Filters: organization (a|b), tag, an unknown value (nothing, not an error).
	page = expect(t, env.Do(t, "GET", "/api/2/datasets/search/?organization="+orgB, nil, ""), 200).Object(t)
	assert.Equal(t, []string{"Budget de Nantes"}, titles(page))
	page = expect(t, env.Do(t, "GET", "/api/2/datasets/search/?organization="+orgA+"|"+orgB, nil, ""), 200).Object(t)
	assert.Equal(t, "3", total(page))
	page = expect(t, env.Do(t, "GET", "/api/2/datasets/search/?tag=budget&tag=finances", nil, ""), 200).Object(t)
	assert.Equal(t, "2", total(page))
	for _, q := range []string{"tag=nope", "license=nope", "format_family=nope", "producer_type=nope", "last_update_range=nope", "topic=5f0000000000000000000000", "badge=%00"} {
		page = expect(t, env.Do(t, "GET", "/api/2/datasets/search/?"+q, nil, ""), 200).Object(t)
		assert.Equal(t, "0", total(page), q)
	}
	page = expect(t, env.Do(t, "GET", "/api/2/datasets/search/?last_update_range=last_30_days", nil, ""), 200).Object(t)
	assert.Equal(t, "3", total(page))

	// Sort and paging.
	page = expect(t, env.Do(t, "GET", "/api/2/datasets/search/?sort=created&page_size=1", nil, ""), 200).Object(t)
	assert.Equal(t, []string{"Délibérations du conseil municipal"}, titles(page))
	assert.Equal(t, env.URL+"/api/2/datasets/search/?sort=created&page_size=1&page=2", page["next_page"])
	page = expect(t, env.Do(t, "GET", "/api/2/datasets/search/?sort=-created&page_size=1&page=3", nil, ""), 200).Object(t)
	assert.Equal(t, []string{"Délibérations du conseil municipal"}, titles(page))
	assert.Nil(t, page["next_page"])

	// Changes and deletions follow.
	expect(t, env.Do(t, "PUT", "/api/1/datasets/"+str(private["id"])+"/", map[string]any{"private": false}, w.bob), 200)
	searchUntil(t, env, "/api/2/datasets/search/?q=confidentiel", func(p map[string]any) bool { return total(p) == "1" })
	expect(t, env.Do(t, "DELETE", "/api/1/datasets/"+str(private["id"])+"/", nil, w.bob), 204)
	searchUntil(t, env, "/api/2/datasets/search/?q=confidentiel", func(p map[string]any) bool { return total(p) == "0" })

	// v1 ?q= from the index (typo tolerance the catalog's word match lacks),
	// in v1's envelope.
	page = expect(t, env.Do(t, "GET", "/api/1/datasets/?q=bugdet", nil, ""), 200).Object(t)
	assert.Equal(t, "2", total(page))
	assert.NotContains(t, page, "facets")
	assert.IsType(t, []any{}, page["data"].([]any)[0].(map[string]any)["resources"], "v1 items")
	page = expect(t, env.Do(t, "GET", "/api/1/datasets/?q=budget&organization="+orgA, nil, ""), 200).Object(t)
	assert.Equal(t, []string{"Budget primitif de Rennes"}, titles(page))
	// Signed in: the catalog answers, with the caller's private datasets.
	expect(t, env.Do(t, "GET", "/api/1/datasets/?q=budget&page=9", nil, ""), 404)
}

func TestSearchBadInput(t *testing.T) {
	w := searchWorld(t)
	env := w.env
	w.dataset(t, w.alice, str(w.orgA["id"]), "Budget primitif", nil)
	searchUntil(t, env, "/api/2/datasets/search/?q=budget", func(p map[string]any) bool { return total(p) == "1" })

	long := strings.Repeat("budget ", 1500)[:10000]
	for _, q := range []string{"", long, `"budget"`, "budget*", "budget~2", "title:budget", "+budget -x", "(budget) OR [x] {y} ^z", `budget\`, "budget AND NOT", "%", "_", "'; DROP TABLE x; --", "\x00", "\uFFFD", "&&||!", "<script>"} {
		r := env.Do(t, "GET", "/api/2/datasets/search/?q="+url.QueryEscape(q), nil, "")
		expect(t, r, 200)
	}
	page := expect(t, env.Do(t, "GET", "/api/2/datasets/search/?q="+url.QueryEscape(`"budget"~`), nil, ""), 200).Object(t)
	assert.Equal(t, "1", total(page), "syntax characters are data")

	r := expect(t, env.Do(t, "GET", "/api/2/datasets/search/?page_size=100000", nil, ""), 400)
	assert.Contains(t, string(r.Body), "10000")
	expect(t, env.Do(t, "GET", "/api/2/datasets/search/?page=501&page_size=20", nil, ""), 400)
	expect(t, env.Do(t, "GET", "/api/2/datasets/search/?page=500&page_size=20", nil, ""), 200)
	expect(t, env.Do(t, "GET", "/api/2/datasets/search/?page=0", nil, ""), 400)
	expect(t, env.Do(t, "GET", "/api/2/datasets/search/?sort=title", nil, ""), 400)
	expect(t, env.Do(t, "GET", "/api/2/datasets/search/?featured=maybe", nil, ""), 400)
	expect(t, env.Do(t, "GET", "/api/2/datasets/search/?temporal_coverage=2020", nil, ""), 400)
}

func TestSearchSuggestAndOrganizations(t *testing.T) {
	w := searchWorld(t)
	env := w.env
	w.dataset(t, w.alice, str(w.orgA["id"]), "Transports en commun", map[string]any{"tags": []string{"transport", "transports-publics", "mobilite"}})
	searchUntil(t, env, "/api/2/datasets/search/?q=transports", func(p map[string]any) bool { return total(p) == "1" })

	r := expect(t, env.Do(t, "GET", "/api/1/datasets/suggest/?q=transports", nil, ""), 200)
	var ds []map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &ds))
	require.Len(t, ds, 1)
	assert.Equal(t, "Transports en commun", ds[0]["title"])
	assert.ElementsMatch(t, []string{"acronym", "id", "image_url", "page", "slug", "title"}, keysOf(ds[0]))

	var tags []map[string]any
	require.Eventually(t, func() bool {
		r = expect(t, env.Do(t, "GET", "/api/1/tags/suggest/?q=TRANSP", nil, ""), 200)
		require.NoError(t, json.Unmarshal(r.Body, &tags))
		return len(tags) == 2
	}, 10*time.Second, 100*time.Millisecond)
	assert.Equal(t, []map[string]any{{"text": "transport"}, {"text": "transports-publics"}}, tags)
	r = expect(t, env.Do(t, "GET", "/api/1/tags/suggest/?q=mob&size=1", nil, ""), 200)
	assert.JSONEq(t, `[{"text":"mobilite"}]`, string(r.Body))
	expect(t, env.Do(t, "GET", "/api/1/tags/suggest/", nil, ""), 400)
	expect(t, env.Do(t, "GET", "/api/1/datasets/suggest/?size=x&q=a", nil, ""), 400)

	// Renaming an organization renames it in its datasets' documents.
	expect(t, env.Do(t, "PUT", "/api/1/organizations/"+str(w.orgA["id"])+"/", map[string]any{"name": "Rennes Capitale"}, w.alice), 200)
	searchUntil(t, env, "/api/2/datasets/search/?q=capitale", func(p map[string]any) bool { return total(p) == "1" })

	page := searchUntil(t, env, "/api/2/organizations/search/?q=nantes", func(p map[string]any) bool { return total(p) == "1" })
	assert.Equal(t, "Nantes Métropole", page["data"].([]any)[0].(map[string]any)["name"])
	assert.Contains(t, page["facets"], "producer_type")
	expect(t, env.Do(t, "GET", "/api/2/organizations/search/?sort=name", nil, ""), 400)
}

// Without a search service the search endpoints answer as udata with its
// search disabled, and v1's q still works from the catalog.
func TestSearchDisabled(t *testing.T) {
	w := newWorld(t)
	w.dataset(t, w.alice, str(w.orgA["id"]), "Budget", nil)
	for _, p := range []string{"/api/2/datasets/search/?q=budget", "/api/2/organizations/search/", "/api/1/datasets/suggest/?q=b", "/api/1/tags/suggest/?q=b"} {
		r := expect(t, w.env.Do(t, "GET", p, nil, ""), 501)
		assert.JSONEq(t, `{"message":"Search endpoint not enabled"}`, string(r.Body), p)
	}
	page := expect(t, w.env.Do(t, "GET", "/api/1/datasets/?q=budget", nil, ""), 200).Object(t)
	assert.Equal(t, "1", fmt.Sprint(page["total"]))
}

// A reindex through the search service's admin RPC keeps the results.
func TestSearchReindex(t *testing.T) {
	w := searchWorld(t)
	env := w.env
	w.dataset(t, w.alice, str(w.orgA["id"]), "Budget primitif", nil)
	w.dataset(t, w.bob, str(w.orgB["id"]), "Budget annexe", nil)
	searchUntil(t, env, "/api/2/datasets/search/?q=budget", func(p map[string]any) bool { return total(p) == "2" })
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
	assert.Equal(t, []string{"dataset 2/2", "organization 2/2", "swapped 0/0"}, phases)
	r := env.Do(t, "GET", "/api/2/datasets/search/?q=budget", nil, "")
	require.Equal(t, 200, r.Status, "%s", r.Body)
	assert.Equal(t, "2", total(r.Object(t)))
	rep, err := env.Search.Verify(ctx, &searchv1.VerifyRequest{})
	require.NoError(t, err)
	assert.Equal(t, int64(4), rep.GetChecked())
	assert.Empty(t, rep.GetMissing())
	assert.Equal(t, rep.GetExpectedDocuments(), rep.GetIndexedDocuments())
}

// A snapshot cut for size (snapshot_truncated) is not indexed as it is: the
// service reads the dataset from the catalog; one the catalog no longer
// has is removed, and the events after it still go through.
func TestSearchTruncatedSnapshot(t *testing.T) {
	w := searchWorld(t)
	env := w.env
	d := w.dataset(t, w.alice, str(w.orgA["id"]), "Budget primitif", nil)
	searchUntil(t, env, "/api/2/datasets/search/?q=budget", func(p map[string]any) bool { return total(p) == "1" })

	publish := func(id, title string) {
		data, err := proto.Marshal(&eventsv1.DatasetChanged{
			Dataset:           &catalogv1.Dataset{Id: id, Title: title, LastModifiedInternal: timestamppb.New(time.Now().Add(time.Hour))},
			SnapshotTruncated: true,
		})
		require.NoError(t, err)
		require.NoError(t, env.Bus.Publish(context.Background(), events.Message{
			ID: events.NewID(), Subject: "relais.catalog.dataset.updated", Type: "relais.events.v1.DatasetChanged", Data: data,
		}))
	}
	publish(str(d["id"]), "Coupé")
	publish("5f0000000000000000000000", "Inconnu")
	w.dataset(t, w.bob, str(w.orgB["id"]), "Subventions aux associations", nil)
	searchUntil(t, env, "/api/2/datasets/search/?q=subventions", func(p map[string]any) bool { return total(p) == "1" })
	assert.Equal(t, "0", total(expect(t, env.Do(t, "GET", "/api/2/datasets/search/?q=coupe", nil, ""), 200).Object(t)))
	assert.Equal(t, "0", total(expect(t, env.Do(t, "GET", "/api/2/datasets/search/?q=inconnu", nil, ""), 200).Object(t)))
	assert.Equal(t, "1", total(expect(t, env.Do(t, "GET", "/api/2/datasets/search/?q=budget", nil, ""), 200).Object(t)))
}
