// Package searchindextest is the conformance suite every searchindex backend
// runs: go test of a backend calls Run with a function that opens it.
package searchindextest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/searchindex"
)

// Opener opens a backend with a schema. Calls with the same t must reach the
// same storage: the suite reopens an index it has closed to check that
// documents persist. Run closes every index it opens.
type Opener func(t *testing.T, schema searchindex.Schema) searchindex.Index

// Run runs every conformance case against the backend open opens.
func Run(t *testing.T, open Opener) {
	cases := []struct {
		name string
		run  func(t *testing.T, open Opener)
	}{
		{"UpsertSearchDelete", testUpsertSearchDelete},
		{"IdempotentUpsert", testIdempotentUpsert},
		{"Accents", testAccents},
		{"Elision", testElision},
		{"PluralSingular", testPluralSingular},
		{"Typos", testTypos},
		{"ExactAboveTypo", testExactAboveTypo},
		{"AllWordsWeigh", testAllWordsWeigh},
		{"TitleAboveDescription", testTitleAboveDescription},
		{"Filters", testFilters},
		{"Facets", testFacets},
		{"SortByDate", testSortByDate},
		{"Ranges", testRanges},
		{"Paging", testPaging},
		{"FilteredListing", testFilteredListing},
		{"InvalidQuery", testInvalidQuery},
		{"Persistence", testPersistence},
		{"HostileInput", testHostileInput},
		{"Rebuild", testRebuild},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, open) })
	}
}

// openWith opens an index, closes it when the test ends and loads docs.
func openWith(t *testing.T, open Opener, docs ...searchindex.Document) searchindex.Index {
	t.Helper()
	idx := open(t, DatasetSchema)
	t.Cleanup(func() { _ = idx.Close() })
	if len(docs) > 0 {
		require.NoError(t, idx.Upsert(context.Background(), docs...))
	}
	return idx
}

func search(t *testing.T, idx searchindex.Index, q searchindex.Query) searchindex.Result {
	t.Helper()
	res, err := idx.Search(context.Background(), q)
	require.NoError(t, err, "query %+v", q)
	return res
}

func ids(res searchindex.Result) []string {
	out := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return out
}

// assertFinds checks that text finds the document id.
func assertFinds(t *testing.T, idx searchindex.Index, text, id string) {
	t.Helper()
	assert.Contains(t, ids(search(t, idx, searchindex.Query{Text: text})), id, "query %q", text)
}

// assertFirst checks that id is the best hit for text.
func assertFirst(t *testing.T, idx searchindex.Index, text, id string) {
	t.Helper()
	got := ids(search(t, idx, searchindex.Query{Text: text}))
	require.NotEmpty(t, got, "query %q found nothing", text)
	assert.Equal(t, id, got[0], "query %q ranked %v", text, got)
}

func testUpsertSearchDelete(t *testing.T, open Opener) {
	ctx := context.Background()
	idx := openWith(t, open, Datasets()...)
	n, err := idx.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(Datasets()), n)
	assertFirst(t, idx, "subventions", "subventions")

	require.NoError(t, idx.Delete(ctx, "subventions", "no-such-id"))
	n, err = idx.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(Datasets())-1, n)
	assert.NotContains(t, ids(search(t, idx, searchindex.Query{Text: "subventions"})), "subventions")
}

func testIdempotentUpsert(t *testing.T, open Opener) {
	ctx := context.Background()
	idx := openWith(t, open, Datasets()...)
	changed := Datasets()[0]
	changed.Fields["title"] = "Arrêtés du maire"
	require.NoError(t, idx.Upsert(ctx, changed))
	require.NoError(t, idx.Upsert(ctx, changed))
	n, err := idx.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(Datasets()), n)
	assertFirst(t, idx, "arrêtés", changed.ID)
	assert.NotContains(t, ids(search(t, idx, searchindex.Query{Text: "délibérations"})), changed.ID)
}

func testAccents(t *testing.T, open Opener) {
	idx := openWith(t, open, Datasets()...)
	assertFirst(t, idx, "deliberations", "deliberations")
	assertFirst(t, idx, "DELIBERATIONS", "deliberations")
	assertFirst(t, idx, "qualite", "eau")
	assertFirst(t, idx, "oeuvres", "oeuvres")
	assertFirst(t, idx, "œuvres", "oeuvres")
	// Accents in the query, none in the text.
	assertFirst(t, idx, "santé", "eau")
}

func testElision(t *testing.T, open Opener) {
	idx := openWith(t, open, Datasets()...)
	// The title has the typographic apostrophe, the query the plain one.
	assertFirst(t, idx, "l'eau", "eau")
	assertFirst(t, idx, "eau", "eau")
	assertFirst(t, idx, "l’eau", "eau")
	assertFirst(t, idx, "d'art", "oeuvres")
}

func testPluralSingular(t *testing.T, open Opener) {
	idx := openWith(t, open, Datasets()...)
	assertFirst(t, idx, "élections", "elections")
	assertFirst(t, idx, "élection", "elections")
	assertFirst(t, idx, "Election", "elections")
	assertFirst(t, idx, "subvention", "subventions")
	assertFirst(t, idx, "associations", "subventions")
}

func testTypos(t *testing.T, open Opener) {
	idx := openWith(t, open, Datasets()...)
	assertFirst(t, idx, "subvantions", "subventions")
	assertFirst(t, idx, "délibérassions", "deliberations")
	assertFirst(t, idx, "elektions", "elections")
}

func testExactAboveTypo(t *testing.T, open Opener) {
	idx := openWith(t, open, Datasets()...)
	// "selection" is one typo away from "election".
	got := ids(search(t, idx, searchindex.Query{Text: "sélection"}))
	require.NotEmpty(t, got)
	assert.Equal(t, "selection", got[0], "ranked %v", got)
	got = ids(search(t, idx, searchindex.Query{Text: "élection"}))
	require.NotEmpty(t, got)
	assert.Equal(t, "elections", got[0], "ranked %v", got)
}

func testAllWordsWeigh(t *testing.T, open Opener) {
	idx := openWith(t, open, Datasets()...)
	// "budget" alone would rank budget-rennes and comptes; "rennes" alone
	// budget-rennes and deliberations: only budget-rennes has both.
	assertFirst(t, idx, "budget rennes", "budget-rennes")
	assertFirst(t, idx, "rennes budget", "budget-rennes")
	assertFirst(t, idx, "conseil Rennes", "deliberations")
}

func testTitleAboveDescription(t *testing.T, open Opener) {
	idx := openWith(t, open, Datasets()...)
	// "budget" is the title of budget-rennes and in the description of comptes.
	got := ids(search(t, idx, searchindex.Query{Text: "budget"}))
	require.Len(t, got, 2)
	assert.Equal(t, []string{"budget-rennes", "comptes"}, got)
}

func testFilters(t *testing.T, open Opener) {
	idx := openWith(t, open, Datasets()...)
	res := search(t, idx, searchindex.Query{Filters: map[string][]string{"organization": {"rennes"}}})
	assert.ElementsMatch(t, []string{"deliberations", "budget-rennes"}, ids(res))
	assert.Equal(t, 2, res.Total)

	// OR within a key.
	res = search(t, idx, searchindex.Query{Filters: map[string][]string{"organization": {"rennes", "paris"}}})
	assert.ElementsMatch(t, []string{"deliberations", "budget-rennes", "subventions", "comptes"}, ids(res))

	// AND across keys.
	res = search(t, idx, searchindex.Query{Filters: map[string][]string{
		"organization": {"rennes", "paris"},
		"tags":         {"finances"},
		"license":      {"odbl"},
	}})
	assert.ElementsMatch(t, []string{"subventions", "comptes"}, ids(res))

	// With text.
	res = search(t, idx, searchindex.Query{Text: "budget", Filters: map[string][]string{"organization": {"paris"}}})
	assert.Equal(t, []string{"comptes"}, ids(res))

	// An unknown value matches nothing, it is not an error.
	res = search(t, idx, searchindex.Query{Filters: map[string][]string{"organization": {"nobody"}}})
	assert.Zero(t, res.Total)
	assert.Empty(t, res.Hits)
}

func testFacets(t *testing.T, open Opener) {
	idx := openWith(t, open, Datasets()...)
	res := search(t, idx, searchindex.Query{Facets: []string{"organization", "license", "format"}})
	assert.Equal(t, len(Datasets()), res.Total)
	assert.Equal(t, []searchindex.FacetValue{
		{Name: "paris", Count: 2}, {Name: "rennes", Count: 2},
		{Name: "ars", Count: 1}, {Name: "culture", Count: 1}, {Name: "interieur", Count: 1}, {Name: "ofb", Count: 1},
	}, res.Facets["organization"])
	assert.Equal(t, []searchindex.FacetValue{{Name: "lov2", Count: 5}, {Name: "odbl", Count: 3}}, res.Facets["license"])
	assert.Equal(t, []searchindex.FacetValue{
		{Name: "csv", Count: 5}, {Name: "json", Count: 2},
		{Name: "pdf", Count: 1}, {Name: "shp", Count: 1}, {Name: "xlsx", Count: 1},
	}, res.Facets["format"])

	// Facets count the matching documents only, FacetSize values at most.
	res = search(t, idx, searchindex.Query{
		Filters:   map[string][]string{"tags": {"finances"}},
		Facets:    []string{"organization", "tags"},
		FacetSize: 1,
	})
	assert.Equal(t, []searchindex.FacetValue{{Name: "paris", Count: 2}}, res.Facets["organization"])
	assert.Equal(t, []searchindex.FacetValue{{Name: "finances", Count: 3}}, res.Facets["tags"])

	// No match, facets present and empty.
	res = search(t, idx, searchindex.Query{Text: "zzzzzz", Facets: []string{"license"}})
	assert.Empty(t, res.Facets["license"])
}

func testSortByDate(t *testing.T, open Opener) {
	idx := openWith(t, open, Datasets()...)
	oldestFirst := []string{"oeuvres", "comptes", "selection", "deliberations", "elections", "eau", "subventions", "budget-rennes"}
	res := search(t, idx, searchindex.Query{Sort: "created"})
	assert.Equal(t, oldestFirst, ids(res))
	res = search(t, idx, searchindex.Query{Sort: "-created"})
	newestFirst := append([]string(nil), oldestFirst...)
	for i, j := 0, len(newestFirst)-1; i < j; i, j = i+1, j-1 {
		newestFirst[i], newestFirst[j] = newestFirst[j], newestFirst[i]
	}
	assert.Equal(t, newestFirst, ids(res))
	res = search(t, idx, searchindex.Query{Sort: "-last_update", Filters: map[string][]string{"organization": {"rennes"}}})
	assert.Equal(t, []string{"budget-rennes", "deliberations"}, ids(res))
	res = search(t, idx, searchindex.Query{Text: "finances", Sort: "-views"})
	assert.Equal(t, []string{"subventions", "budget-rennes", "comptes"}, ids(res))
}

func testRanges(t *testing.T, open Opener) {
	idx := openWith(t, open, Datasets()...)
	res := search(t, idx, searchindex.Query{Sort: "created", Ranges: map[string]searchindex.Range{
		"created": {From: "2020-01-01", To: day("2022-02-20")},
	}})
	assert.Equal(t, []string{"elections", "eau"}, ids(res), "From is inclusive, To exclusive")
	res = search(t, idx, searchindex.Query{Sort: "created", Ranges: map[string]searchindex.Range{
		"created": {From: "2022-02-20"},
	}})
	assert.Equal(t, []string{"subventions", "budget-rennes"}, ids(res), "an open end")

	res = search(t, idx, searchindex.Query{
		Facets: []string{"license"},
		RangeFacets: map[string]searchindex.RangeFacet{"period": {Field: "created", Buckets: []searchindex.NamedRange{
			{Name: "since_2021", Range: searchindex.Range{From: "2021-01-01"}},
			{Name: "before_2019", Range: searchindex.Range{To: "2019-01-01"}},
			{Name: "in_1990", Range: searchindex.Range{From: "1990-01-01", To: "1991-01-01"}},
		}}},
	})
	assert.Equal(t, 8, res.Total)
	assert.Equal(t, []searchindex.FacetValue{{Name: "since_2021", Count: 3}, {Name: "before_2019", Count: 3}, {Name: "in_1990", Count: 0}},
		res.Facets["period"], "buckets in the order asked, empty ones too")
	assert.NotEmpty(t, res.Facets["license"])

	// With text, a range narrows without changing the ranking's order.
	res = search(t, idx, searchindex.Query{Text: "finances", Ranges: map[string]searchindex.Range{"created": {From: "2017-01-01", To: "2022-12-31"}}})
	assert.ElementsMatch(t, []string{"subventions", "comptes"}, ids(res))

	for _, q := range []searchindex.Query{
		{Ranges: map[string]searchindex.Range{"tags": {From: "a"}}},
		{Ranges: map[string]searchindex.Range{"created": {From: "yesterday"}}},
		{RangeFacets: map[string]searchindex.RangeFacet{"x": {Field: "tags"}}},
		{Facets: []string{"license"}, RangeFacets: map[string]searchindex.RangeFacet{"license": {Field: "created"}}},
	} {
		_, err := idx.Search(context.Background(), q)
		assert.ErrorIs(t, err, searchindex.ErrInvalidQuery, "%+v", q)
	}
}

func testPaging(t *testing.T, open Opener) {
	var docs []searchindex.Document
	for i := range 25 {
		docs = append(docs, dataset(fmt.Sprintf("d%02d", i), fmt.Sprintf("Registre des arbres %d", i), "Arbres d'alignement.",
			"rennes", "Ville de Rennes", "lov2", []string{"arbres"}, []string{"csv"}, fmt.Sprintf("2020-01-%02d", 1+i%5), i))
	}
	idx := openWith(t, open, docs...)
	for _, q := range []searchindex.Query{{Text: "arbres"}, {Sort: "created"}, {}} {
		seen := map[string]bool{}
		for page := 1; page <= 3; page++ {
			q.Page, q.PageSize = page, 10
			first := search(t, idx, q)
			again := search(t, idx, q)
			assert.Equal(t, ids(first), ids(again), "page %d of %+v is not stable", page, q)
			assert.Equal(t, 25, first.Total)
			for _, id := range ids(first) {
				assert.False(t, seen[id], "%s on two pages of %+v", id, q)
				seen[id] = true
			}
		}
		assert.Len(t, seen, 25, "pages of %+v miss documents", q)
		q.Page = 4
		assert.Empty(t, search(t, idx, q).Hits)
	}
}

func testFilteredListing(t *testing.T, open Opener) {
	idx := openWith(t, open, Datasets()...)
	res := search(t, idx, searchindex.Query{Filters: map[string][]string{"tags": {"finances"}}, Facets: []string{"organization"}})
	assert.Equal(t, 3, res.Total)
	assert.ElementsMatch(t, []string{"subventions", "budget-rennes", "comptes"}, ids(res))
	assert.Equal(t, []searchindex.FacetValue{{Name: "paris", Count: 2}, {Name: "rennes", Count: 1}}, res.Facets["organization"])
}

func testInvalidQuery(t *testing.T, open Opener) {
	idx := openWith(t, open, Datasets()...)
	for _, q := range []searchindex.Query{
		{Filters: map[string][]string{"secret": {"x"}}},
		{Facets: []string{"secret"}},
		{Sort: "-secret"},
		{PageSize: searchindex.MaxPageSize + 1},
		{Page: searchindex.MaxResultWindow/20 + 1, PageSize: 20},
	} {
		_, err := idx.Search(context.Background(), q)
		assert.ErrorIs(t, err, searchindex.ErrInvalidQuery, "query %+v", q)
	}
}

func testPersistence(t *testing.T, open Opener) {
	ctx := context.Background()
	idx := open(t, DatasetSchema)
	require.NoError(t, idx.Upsert(ctx, Datasets()...))
	require.NoError(t, idx.Delete(ctx, "comptes"))
	require.NoError(t, idx.Close())

	idx = openWith(t, open)
	n, err := idx.Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, len(Datasets())-1, n)
	assertFirst(t, idx, "deliberations", "deliberations")
	res := search(t, idx, searchindex.Query{Filters: map[string][]string{"tags": {"finances"}}, Sort: "-created", Facets: []string{"license"}})
	assert.Equal(t, []string{"budget-rennes", "subventions"}, ids(res))
	assert.Equal(t, []searchindex.FacetValue{{Name: "lov2", Count: 1}, {Name: "odbl", Count: 1}}, res.Facets["license"])
}

func testHostileInput(t *testing.T, open Opener) {
	idx := openWith(t, open, Datasets()...)
	// Only the organization keyword holds "confidentiel": field syntax in the
	// text must not reach it.
	secret := dataset("secret", "Registre des arbres", "Arbres d'alignement.", "confidentiel", "Ville de Lyon", "lov2", nil, nil, "2020-01-01", 1)
	require.NoError(t, idx.Upsert(context.Background(), secret))

	texts := []string{
		strings.Repeat("données publiques ", 600),
		strings.Repeat("x", 10000),
		strings.Repeat("abcdefghij", 4), strings.Repeat("abcdefghij", 4) + "k",
		"le la les de des du et à",
		`+-:()^"~*?`, `\`, `/`, `{}[]`, `&& || !`, `"unclosed`, `title:`, `*:*`, `organization:confidentiel`,
		`eau~10`, `eau^1000`, `/.*/`, `"l'eau" AND NOT eau`, "\x00\uFFFD",
	}
	for _, c := range "+-:()^\"~*?!{}[]\\/&|<>=" {
		texts = append(texts, string(c)+"eau", "eau"+string(c))
	}
	for _, text := range texts {
		_, err := idx.Search(context.Background(), searchindex.Query{Text: text, Facets: []string{"organization"}})
		assert.NoError(t, err, "query %.40q", text)
	}
	res := search(t, idx, searchindex.Query{Text: "organization:confidentiel"})
	assert.NotContains(t, ids(res), "secret")
	for _, text := range []string{"-eau", "eau*", "eau~", `"eau"`, "(eau)", "eau^2", "+eau", "!eau"} {
		assertFinds(t, idx, text, "eau")
	}
	// Filter values are data too.
	res = search(t, idx, searchindex.Query{Filters: map[string][]string{"organization": {"*", `confidentiel OR rennes`, "rennes*"}}})
	assert.Zero(t, res.Total)
}
