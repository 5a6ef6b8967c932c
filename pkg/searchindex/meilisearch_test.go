package searchindex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func openFakeMeili(t *testing.T, f *fakeMeili, cfg MeiliConfig) Index {
	t.Helper()
	cfg.URL = f.URL()
	if cfg.Index == "" {
		cfg.Index = "relais_datasets"
	}
	idx, err := OpenMeilisearch(context.Background(), cfg, testMeiliSchema)
	require.NoError(t, err)
	t.Cleanup(func() { _ = idx.Close() })
	return idx
}

func TestMeiliOpenCreatesIndexAndAppliesSettings(t *testing.T) {
	f := newFakeMeili(t)
	openFakeMeili(t, f, MeiliConfig{APIKey: "secret"})

	reqs := f.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "GET /indexes/relais_datasets", reqs[0].Method+" "+reqs[0].Path)
	assert.Equal(t, "POST /indexes", reqs[1].Method+" "+reqs[1].Path)
	assert.JSONEq(t, `{"uid":"relais_datasets","primaryKey":"id"}`, string(reqs[1].Body))
	assert.Equal(t, "PATCH /indexes/relais_datasets/settings", reqs[2].Method+" "+reqs[2].Path)
	var settings map[string]any
	require.NoError(t, json.Unmarshal(reqs[2].Body, &settings))
	assert.Equal(t, []any{"words", "sort", "typo", "proximity", "attribute", "exactness"}, settings["rankingRules"])
	assert.Equal(t, []any{"title", "acronym", "tags", "organization_name", "description"}, settings["searchableAttributes"])
	assert.Equal(t, []any{"organization", "tags", "license", "format", "featured", "producer_type", "relais__all",
		"created__sort", "last_update__sort", "views__sort"}, settings["filterableAttributes"])
	assert.Equal(t, []any{"created__sort", "last_update__sort", "views__sort"}, settings["sortableAttributes"])
	assert.Equal(t, map[string]any{"maxValuesPerFacet": 100.0, "sortFacetValuesBy": map[string]any{"*": "count"}}, settings["faceting"])
	assert.Equal(t, map[string]any{"maxTotalHits": 10000.0}, settings["pagination"])
	assert.Equal(t, map[string]any{"enabled": true, "minWordSizeForTypos": map[string]any{"oneTypo": 5.0, "twoTypos": 9.0},
		"disableOnWords": []any{}, "disableOnAttributes": []any{}, "disableOnNumbers": false}, settings["typoTolerance"])
	assert.Equal(t, []any{map[string]any{"locales": []any{"fra"}, "attributePatterns": []any{"*"}}}, settings["localizedAttributes"])
	assert.Contains(t, settings["stopWords"], "les")
	assert.Contains(t, settings["synonyms"], "insee")

	// Reopening finds the index and only applies the settings.
	f2 := len(f.Requests())
	openFakeMeili(t, f, MeiliConfig{})
	reqs = f.Requests()[f2:]
	require.Len(t, reqs, 2)
	assert.Equal(t, "GET /indexes/relais_datasets", reqs[0].Method+" "+reqs[0].Path)
	assert.Equal(t, "PATCH /indexes/relais_datasets/settings", reqs[1].Method+" "+reqs[1].Path)
}

func TestMeiliOpenErrors(t *testing.T) {
	ctx := context.Background()
	f := newFakeMeili(t)
	for _, cfg := range []MeiliConfig{
		{Index: "x"},
		{URL: f.URL(), Index: ""},
		{URL: f.URL(), Index: "bad uid"},
	} {
		_, err := OpenMeilisearch(ctx, cfg, testMeiliSchema)
		assert.Error(t, err, "%+v", cfg)
	}
	_, err := OpenMeilisearch(ctx, MeiliConfig{URL: f.URL(), Index: "x"}, Schema{Filterable: []string{"a.b"}})
	assert.ErrorContains(t, err, `"a.b"`)

	// An index of someone else's, with another primary key.
	f.set(func() { f.indexes["theirs"] = &fakeIndex{primaryKey: "uuid", docs: map[string]map[string]any{}} })
	_, err = OpenMeilisearch(ctx, MeiliConfig{URL: f.URL(), Index: "theirs"}, testMeiliSchema)
	assert.ErrorContains(t, err, `primary key "uuid"`)

	// A settings task that fails, with Meilisearch's error.
	f.set(func() {
		f.failTask["settingsUpdate"] = fakeAPIError{Message: "Invalid value at `.rankingRules[0]`", Code: "invalid_settings_ranking_rules", Type: "invalid_request"}
	})
	_, err = OpenMeilisearch(ctx, MeiliConfig{URL: f.URL(), Index: "y"}, testMeiliSchema)
	var taskErr *MeiliTaskError
	require.ErrorAs(t, err, &taskErr)
	assert.Equal(t, "invalid_settings_ranking_rules", taskErr.Code)
	assert.Equal(t, "settingsUpdate", taskErr.Type)
	assert.Equal(t, "failed", taskErr.Status)
	assert.ErrorContains(t, err, "update settings: meilisearch task")

	// Another opener creating the index at the same time is no error.
	f.set(func() { delete(f.failTask, "settingsUpdate") })
	f.set(func() {
		f.failTask["indexCreation"] = fakeAPIError{Message: "Index `w` already exists.", Code: "index_already_exists", Type: "invalid_request"}
	})
	idx, err := OpenMeilisearch(ctx, MeiliConfig{URL: f.URL(), Index: "w"}, testMeiliSchema)
	require.NoError(t, err)
	require.NoError(t, idx.Close())
	f.set(func() {
		f.failTask["indexCreation"] = fakeAPIError{Message: "The maximum number of indexes is reached", Code: "internal", Type: "internal"}
	})
	_, err = OpenMeilisearch(ctx, MeiliConfig{URL: f.URL(), Index: "v"}, testMeiliSchema)
	assert.ErrorContains(t, err, "create index: meilisearch task")

	// Nobody listening.
	_, err = OpenMeilisearch(ctx, MeiliConfig{URL: "http://127.0.0.1:1", Index: "z", Timeout: time.Second}, testMeiliSchema)
	assert.ErrorContains(t, err, "unreachable")
}

func TestMeiliUpsertDeleteCount(t *testing.T) {
	ctx := context.Background()
	f := newFakeMeili(t)
	idx := openFakeMeili(t, f, MeiliConfig{BatchSize: 2})
	before := len(f.Requests())
	docs := []Document{
		{ID: "a_1", Fields: map[string]any{"title": "Budget", "organization": "rennes", "created": "2020-01-01"}},
		{ID: "b", Fields: map[string]any{"title": "Comptes"}},
		{ID: "c", Fields: map[string]any{"title": "Élections"}},
	}
	require.NoError(t, idx.Upsert(ctx, docs...))
	adds := f.Bodies(http.MethodPost, "/indexes/relais_datasets/documents")
	require.Len(t, adds, 2, "two batches of two")
	assert.JSONEq(t, `[{"id":"a_5F1","relais__all":"all","title":"Budget","organization":"rennes","created__sort":1577836800000},{"id":"b","relais__all":"all","title":"Comptes"}]`, string(adds[0]))
	assert.JSONEq(t, `[{"id":"c","relais__all":"all","title":"Élections"}]`, string(adds[1]))
	for _, r := range f.Requests()[before:] {
		if r.Path == "/indexes/relais_datasets/documents" {
			assert.Equal(t, http.MethodPost, r.Method)
		}
	}
	n, err := idx.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, n, "Upsert returns once the tasks succeeded")

	require.NoError(t, idx.Delete(ctx, "a_1", "unknown", "b"))
	dels := f.Bodies(http.MethodPost, "/indexes/relais_datasets/documents/delete-batch")
	require.Len(t, dels, 2)
	assert.JSONEq(t, `["a_5F1","unknown"]`, string(dels[0]))
	assert.JSONEq(t, `["b"]`, string(dels[1]))
	n, err = idx.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	require.NoError(t, idx.Upsert(ctx))
	require.NoError(t, idx.Delete(ctx))
	assert.Error(t, idx.Upsert(ctx, Document{ID: ""}))
	assert.Error(t, idx.Upsert(ctx, Document{ID: "x", Fields: map[string]any{"created": "soon"}}))

	// A failed indexing task is an error naming Meilisearch's code.
	f.set(func() {
		f.failTask["documentAdditionOrUpdate"] = fakeAPIError{Message: "Document identifier `x y` is invalid.", Code: "invalid_document_id", Type: "invalid_request"}
	})
	err = idx.Upsert(ctx, docs[0])
	var taskErr *MeiliTaskError
	require.ErrorAs(t, err, &taskErr)
	assert.Equal(t, "invalid_document_id", taskErr.Code)
	assert.ErrorContains(t, err, "upsert 1 documents: meilisearch task")
}

func TestMeiliServerErrors(t *testing.T) {
	ctx := context.Background()
	f := newFakeMeili(t)
	idx := openFakeMeili(t, f, MeiliConfig{Timeout: 200 * time.Millisecond, TaskTimeout: 300 * time.Millisecond})

	f.set(func() { f.status = http.StatusInternalServerError })
	_, err := idx.Search(ctx, Query{Text: "eau"})
	assert.ErrorContains(t, err, "answered 500: internal error (internal)")
	assert.NotErrorIs(t, err, ErrInvalidQuery)
	_, err = idx.Count(ctx)
	assert.ErrorContains(t, err, "answered 500")
	assert.ErrorContains(t, idx.Upsert(ctx, Document{ID: "a"}), "answered 500")

	// A 503 is retried by the client, then reported.
	f.set(func() { f.status = http.StatusServiceUnavailable })
	_, err = idx.Search(ctx, Query{Text: "eau"})
	assert.ErrorContains(t, err, "unavailable after retries")

	f.set(func() { f.status = 0 })
	f.set(func() { f.delay = time.Second })
	_, err = idx.Search(ctx, Query{Text: "eau"})
	assert.ErrorContains(t, err, `meilisearch search "eau": POST /indexes/relais_datasets/search timed out`)

	// A task that never finishes.
	f.set(func() { f.delay = 0 })
	f.set(func() { f.pendingPolls = 1 << 30 })
	err = idx.Upsert(ctx, Document{ID: "a"})
	assert.ErrorContains(t, err, "not finished after 300ms")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestMeiliSearch(t *testing.T) {
	ctx := context.Background()
	f := newFakeMeili(t)
	idx := openFakeMeili(t, f, MeiliConfig{})
	// A real answer: page-based pagination with _rankingScore, a facet
	// distribution in count order, facetStats.
	f.set(func() {
		f.search = func(q map[string]any) string {
			return `{
				"hits": [
					{"id": "5e2f0b3a8b4c410f6fdb4b21", "_rankingScore": 0.9848484848484848},
					{"id": "budget_2Drennes_5Fold", "_rankingScore": 0.5}
				],
				"query": "budget",
				"processingTimeMs": 2,
				"hitsPerPage": 2,
				"page": 1,
				"totalPages": 4,
				"totalHits": 7,
				"facetDistribution": {
					"license": {"lov2": 5, "odbl": 2},
					"organization": {"rennes": 3, "paris": 3, "ars": 1}
				},
				"facetStats": {},
				"requestUid": "0199c8d4-5a04-7c20-9a3e-6b0d4e0f1a2b"
			}`
		}
	})
	res, err := idx.Search(ctx, Query{
		Text:      `budget "rennes"`,
		Filters:   map[string][]string{"tags": {"finances", `x" OR tags = "y`}},
		Facets:    []string{"organization", "license", "format"},
		FacetSize: 2,
		Sort:      "-views",
		PageSize:  2,
	})
	require.NoError(t, err)
	assert.Equal(t, 7, res.Total)
	assert.Equal(t, []Hit{{ID: "5e2f0b3a8b4c410f6fdb4b21", Score: 0.9848484848484848}, {ID: "budget-rennes_old", Score: 0.5}}, res.Hits)
	assert.Equal(t, []FacetValue{{Name: "paris", Count: 3}, {Name: "rennes", Count: 3}}, res.Facets["organization"])
	assert.Equal(t, []FacetValue{{Name: "lov2", Count: 5}, {Name: "odbl", Count: 2}}, res.Facets["license"])
	assert.Equal(t, []FacetValue{}, res.Facets["format"], "a facet without values is there, empty")

	bodies := f.Bodies(http.MethodPost, "/indexes/relais_datasets/search")
	require.Len(t, bodies, 1)
	assert.JSONEq(t, `{
		"q": "budget  rennes ",
		"filter": "tags IN [\"finances\", \"x\\\" OR tags = \\\"y\"]",
		"facets": ["organization", "license", "format", "relais__all"],
		"sort": ["views__sort:desc"],
		"page": 1,
		"hitsPerPage": 2,
		"attributesToRetrieve": ["id"],
		"showRankingScore": true,
		"locales": ["fra"],
		"hybrid": null
	}`, string(bodies[0]))

	// Past maxTotalHits, totalHits stops at the result window; the
	// relais__all facet counts every matching document.
	f.set(func() {
		f.search = func(map[string]any) string {
			return `{"hits":[],"query":"","processingTimeMs":3,"hitsPerPage":20,"page":1,"totalPages":500,"totalHits":10000,` +
				`"facetDistribution":{"relais__all":{"all":24189}},"facetStats":{}}`
		}
	})
	res, err = idx.Search(ctx, Query{})
	require.NoError(t, err)
	assert.Equal(t, 24189, res.Total)
	assert.Nil(t, res.Facets, "relais__all is not a facet of the Result")

	// Invalid queries never reach the server.
	_, err = idx.Search(ctx, Query{Sort: "secret"})
	assert.ErrorIs(t, err, ErrInvalidQuery)
	assert.Len(t, f.Bodies(http.MethodPost, "/indexes/relais_datasets/search"), 2)

	// A hit whose id this backend did not write.
	f.set(func() {
		f.search = func(map[string]any) string {
			return `{"hits":[{"id":"a_zz","_rankingScore":1.0}],"query":"","processingTimeMs":0,"hitsPerPage":20,"page":1,"totalPages":1,"totalHits":1}`
		}
	})
	_, err = idx.Search(ctx, Query{})
	assert.ErrorContains(t, err, "not written by this backend")
}

func TestMeiliRangeFacetsUseMultiSearch(t *testing.T) {
	ctx := context.Background()
	f := newFakeMeili(t)
	idx := openFakeMeili(t, f, MeiliConfig{})
	f.set(func() {
		f.search = func(q map[string]any) string {
			if q["hitsPerPage"].(float64) == 0 { // a bucket
				dist := `{}`
				if filter, _ := q["filter"].(string); filter == "license = \"lov2\" AND created__sort >= 1609459200000" {
					dist = `{"relais__all":{"all":12000}}`
				}
				return fmt.Sprintf(`{"indexUid":%q,"hits":[],"query":"","processingTimeMs":0,"hitsPerPage":0,"page":1,"totalPages":0,"totalHits":0,"facetDistribution":%s,"facetStats":{}}`,
					q["indexUid"], dist)
			}
			return fmt.Sprintf(`{"indexUid":%q,"hits":[],"query":"","processingTimeMs":0,"hitsPerPage":20,"page":1,"totalPages":1,"totalHits":8,"facetDistribution":{"license":{"lov2":8},"relais__all":{"all":8}},"facetStats":{}}`,
				q["indexUid"])
		}
	})
	res, err := idx.Search(ctx, Query{
		Filters: map[string][]string{"license": {"lov2"}},
		Facets:  []string{"license"},
		RangeFacets: map[string]RangeFacet{"period": {Field: "created", Buckets: []NamedRange{
			{Name: "since_2021", Range: Range{From: "2021-01-01"}},
			{Name: "before_2019", Range: Range{To: "2019-01-01"}},
		}}},
	})
	require.NoError(t, err)
	assert.Equal(t, 8, res.Total)
	assert.Equal(t, []FacetValue{{Name: "since_2021", Count: 12000}, {Name: "before_2019", Count: 0}}, res.Facets["period"])
	assert.Equal(t, []FacetValue{{Name: "lov2", Count: 8}}, res.Facets["license"])

	bodies := f.Bodies(http.MethodPost, "/multi-search")
	require.Len(t, bodies, 1)
	var multi struct {
		Queries []map[string]any `json:"queries"`
	}
	require.NoError(t, json.Unmarshal(bodies[0], &multi))
	require.Len(t, multi.Queries, 3)
	assert.Equal(t, "relais_datasets", multi.Queries[0]["indexUid"])
	assert.Equal(t, `license = "lov2"`, multi.Queries[0]["filter"])
	assert.Equal(t, `license = "lov2" AND created__sort >= 1609459200000`, multi.Queries[1]["filter"])
	assert.Equal(t, `license = "lov2" AND created__sort < 1546300800000`, multi.Queries[2]["filter"])
	assert.EqualValues(t, 0, multi.Queries[2]["hitsPerPage"])
	assert.Equal(t, []any{"relais__all"}, multi.Queries[2]["facets"])
	assert.Empty(t, f.Bodies(http.MethodPost, "/indexes/relais_datasets/search"))
}

func TestMeiliRebuild(t *testing.T) {
	ctx := context.Background()
	f := newFakeMeili(t)
	idx := openFakeMeili(t, f, MeiliConfig{})
	require.NoError(t, idx.Upsert(ctx, Document{ID: "old"}))

	rb, err := idx.Rebuild(ctx)
	require.NoError(t, err)
	_, err = idx.Rebuild(ctx)
	assert.ErrorIs(t, err, ErrRebuilding)
	require.NoError(t, rb.Upsert(ctx, Document{ID: "new1"}, Document{ID: "new2"}))
	require.NoError(t, rb.Delete(ctx, "new2"))
	n, err := idx.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the live index answers until the swap")

	var created struct{ UID, PrimaryKey string }
	creates := f.Bodies(http.MethodPost, "/indexes")
	require.Len(t, creates, 2)
	require.NoError(t, json.Unmarshal(creates[1], &created))
	assert.Regexp(t, `^relais_datasets_rebuild_\d+$`, created.UID)
	assert.Equal(t, "id", created.PrimaryKey)
	settings := f.Bodies(http.MethodPatch, "/indexes/"+created.UID+"/settings")
	require.Len(t, settings, 1, "the rebuild gets the settings before its documents")
	assert.JSONEq(t, string(f.Bodies(http.MethodPatch, "/indexes/relais_datasets/settings")[0]), string(settings[0]))

	require.NoError(t, rb.Swap(ctx))
	swaps := f.Bodies(http.MethodPost, "/swap-indexes")
	require.Len(t, swaps, 1)
	assert.JSONEq(t, fmt.Sprintf(`[{"indexes":["relais_datasets",%q],"rename":false}]`, created.UID), string(swaps[0]))
	assert.Len(t, f.Bodies(http.MethodDelete, "/indexes/"+created.UID), 1, "the old index is dropped")
	assert.Equal(t, -1, f.docCount(created.UID))
	n, err = idx.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, []string{"new1"}, f.docIDs("relais_datasets"))
	assert.ErrorIs(t, rb.Swap(ctx), errRebuildDone)
	assert.ErrorIs(t, rb.Upsert(ctx, Document{ID: "x"}), errRebuildDone)

	// Abort drops the rebuild; another may start.
	rb, err = idx.Rebuild(ctx)
	require.NoError(t, err)
	require.NoError(t, rb.Abort(ctx))
	assert.ErrorIs(t, rb.Abort(ctx), errRebuildDone)
	assert.Equal(t, []string{"relais_datasets"}, f.indexUIDs())

	// A failed swap is an error, and the rebuild may still be aborted.
	rb, err = idx.Rebuild(ctx)
	require.NoError(t, err)
	f.set(func() {
		f.failTask["indexSwap"] = fakeAPIError{Message: "Indexes `relais_datasets` not found.", Code: "index_not_found", Type: "invalid_request"}
	})
	err = rb.Swap(ctx)
	var taskErr *MeiliTaskError
	require.ErrorAs(t, err, &taskErr)
	assert.Equal(t, "indexSwap", taskErr.Type)
	require.NoError(t, rb.Abort(ctx))
	assert.Equal(t, []string{"relais_datasets"}, f.indexUIDs())

	// The rebuild index of a process that crashed before its swap is
	// dropped when the next rebuild starts.
	f.set(func() {
		f.indexes["relais_datasets_rebuild_1"] = &fakeIndex{primaryKey: "id", docs: map[string]map[string]any{}}
	})
	f.set(func() {
		f.indexes["relais_datasets_other"] = &fakeIndex{primaryKey: "id", docs: map[string]map[string]any{}}
	})
	rb, err = idx.Rebuild(ctx)
	require.NoError(t, err)
	assert.NotContains(t, f.indexUIDs(), "relais_datasets_rebuild_1")
	assert.Contains(t, f.indexUIDs(), "relais_datasets_other")
	require.NoError(t, rb.Abort(ctx))
	f.set(func() { delete(f.indexes, "relais_datasets_other") })

	// A rebuild that cannot start leaves nothing behind.
	f.set(func() { delete(f.failTask, "indexSwap") })
	f.set(func() { f.failTask["settingsUpdate"] = fakeAPIError{Message: "no", Code: "internal", Type: "internal"} })
	_, err = idx.Rebuild(ctx)
	require.Error(t, err)
	assert.Equal(t, []string{"relais_datasets"}, f.indexUIDs())
	f.set(func() { delete(f.failTask, "settingsUpdate") })
	rb, err = idx.Rebuild(ctx)
	require.NoError(t, err, "a failed start does not block the next rebuild")
	require.NoError(t, rb.Abort(ctx))
}

func TestMeiliErrorMessages(t *testing.T) {
	err := meiliErr("x", errors.New("plain"))
	assert.EqualError(t, err, "meilisearch x: plain")
	assert.EqualError(t, (&MeiliTaskError{UID: 3, Type: "indexSwap", Status: "canceled"}), "meilisearch task 3 (indexSwap) canceled")
}

func TestConfigOpen(t *testing.T) {
	ctx := context.Background()
	f := newFakeMeili(t)
	idx, err := Open(ctx, Config{Backend: BackendMeilisearch, Meilisearch: MeiliConfig{URL: f.URL()}}, "datasets", testMeiliSchema)
	require.NoError(t, err)
	require.NoError(t, idx.Close())
	assert.Contains(t, f.indexUIDs(), "relais_datasets")

	idx, err = Open(ctx, Config{Dir: t.TempDir()}, "organizations", testMeiliSchema)
	require.NoError(t, err)
	require.NoError(t, idx.Close())

	_, err = Open(ctx, Config{Backend: "elastic"}, "datasets", testMeiliSchema)
	assert.ErrorContains(t, err, `unknown backend "elastic"`)
	_, err = Open(ctx, Config{}, "datasets", testMeiliSchema)
	assert.ErrorContains(t, err, "without a directory")
}
