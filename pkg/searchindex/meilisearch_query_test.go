package searchindex

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuoteFilterValue(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"rennes", `"rennes"`},
		{"Ministère de l'Intérieur", `"Ministère de l'Intérieur"`},
		{`say "hi"`, `"say \"hi\""`},
		{`C:\data`, `"C:\\data"`},
		{`\"`, `"\\\""`},
		{`end\`, `"end\\"`},
		{"", `""`},
		{"a OR b", `"a OR b"`},
		{"x) OR (y = z", `"x) OR (y = z"`},
	} {
		got := quoteFilterValue(c.in)
		assert.Equal(t, c.want, got, "quote %q", c.in)
		// Meilisearch's grammar reads the value back unchanged.
		n, err := parseMeiliFilter("f = " + got)
		require.NoError(t, err)
		assert.Equal(t, []string{c.in}, n.values, "%s", got)
	}
}

func TestMeiliConditions(t *testing.T) {
	jan2020 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name    string
		filters map[string][]string
		ranges  map[string]Range
		want    string
		tree    string
	}{
		{name: "none", want: ""},
		{name: "one value", filters: map[string][]string{"organization": {"rennes"}},
			want: `organization = "rennes"`, tree: `organization = ["rennes"]`},
		{name: "OR within a key, AND across keys in key order",
			filters: map[string][]string{"tags": {"finances"}, "organization": {"rennes", "paris"}, "license": {}},
			want:    `organization IN ["rennes", "paris"] AND tags = "finances"`,
			tree:    `AND(organization IN ["rennes" "paris"], tags = ["finances"])`},
		{name: "values that look like syntax are data",
			filters: map[string][]string{"organization": {`*`, `confidentiel" OR organization = "rennes`, "NOT x"}},
			want:    `organization IN ["*", "confidentiel\" OR organization = \"rennes", "NOT x"]`,
			tree:    `organization IN ["*" "confidentiel\" OR organization = \"rennes" "NOT x"]`},
		{name: "range: from inclusive, to exclusive, dates in Unix ms",
			ranges: map[string]Range{"created": {From: "2020-01-01", To: jan2020.AddDate(2, 0, 0)}},
			want:   `created__sort >= 1577836800000 AND created__sort < 1640995200000`,
			tree:   `AND(created__sort >= ["1577836800000"], created__sort < ["1640995200000"])`},
		{name: "open range, negative and fractional numbers",
			ranges: map[string]Range{"views": {From: -2.5}, "created": {To: 1e21}},
			want:   `created__sort < 1000000000000000000000 AND views__sort >= -2.5`,
			tree:   `AND(created__sort < ["1000000000000000000000"], views__sort >= ["-2.5"])`},
		{name: "filters then ranges",
			filters: map[string][]string{"tags": {"a"}}, ranges: map[string]Range{"views": {From: 10}},
			want: `tags = "a" AND views__sort >= 10`,
			tree: `AND(tags = ["a"], views__sort >= ["10"])`},
	} {
		t.Run(c.name, func(t *testing.T) {
			conds, err := meiliConditions(c.filters, c.ranges)
			require.NoError(t, err)
			got, _ := meiliFilter(conds).(string)
			assert.Equal(t, c.want, got)
			if c.want == "" {
				assert.Nil(t, meiliFilter(conds), "no filter parameter at all")
				return
			}
			n, err := parseMeiliFilter(got)
			require.NoError(t, err)
			assert.Equal(t, c.tree, n.String())
		})
	}
	_, err := meiliConditions(nil, map[string]Range{"views": {From: math.Inf(1)}})
	assert.ErrorIs(t, err, ErrInvalidQuery)
	_, err = meiliConditions(nil, map[string]Range{"views": {To: math.NaN()}})
	assert.ErrorIs(t, err, ErrInvalidQuery)
}

func TestMeiliSort(t *testing.T) {
	assert.Nil(t, meiliSort(""))
	assert.Equal(t, []string{"created__sort:asc"}, meiliSort("created"))
	assert.Equal(t, []string{"last_update__sort:desc"}, meiliSort("-last_update"))
}

func TestNeutralizeText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"budget Rennes", "budget Rennes"},
		{"Saint-Malo 2020-2021", "Saint-Malo 2020-2021"},
		{"l'eau d’art", "l'eau d’art"},
		{`"eau potable"`, ` eau potable `},
		{"-eau", " eau"},
		{"eau -potable", "eau  potable"},
		{"eau --potable", "eau   potable"},
		{"eau (-potable)", "eau ( potable)"},
		{"eau - potable", "eau   potable"},
		{"eau-", "eau-"},
		{"« eau » “potable” ＂x＂", "  eau    potable   x "},
		{"−eau –eau —eau", " eau  eau  eau"},
		{"eau\x00\tpotable\n", "eau  potable "},
		{"caf\xe9", "caf "},
		{"", ""},
	} {
		got := neutralizeText(c.in)
		assert.Equal(t, c.want, got, "neutralize %q", c.in)
		phrase, negation := querySyntax(got)
		assert.False(t, phrase || negation, "%q still has query syntax", got)
	}
	// The checker does see the syntax neutralizeText removes.
	for _, s := range []string{`"eau"`, `eau "potable`, "-eau", "eau -potable"} {
		phrase, negation := querySyntax(s)
		assert.True(t, phrase || negation, "%q", s)
	}
}

func TestTranslateQuery(t *testing.T) {
	q, err := testMeiliSchema.validate(Query{
		Text:      `-"budget" Rennes`,
		Filters:   map[string][]string{"organization": {"rennes"}},
		Facets:    []string{"license", "format"},
		Sort:      "-created",
		Page:      3,
		PageSize:  10,
		FacetSize: 5,
		RangeFacets: map[string]RangeFacet{"last_update_range": {Field: "last_update", Buckets: []NamedRange{
			{Name: "last_30_days", Range: Range{From: "2026-10-28"}},
			{Name: "last_year", Range: Range{From: "2025-11-27", To: "2026-10-28"}},
		}}},
	})
	require.NoError(t, err)
	mq, err := translateQuery("relais_datasets", q)
	require.NoError(t, err)
	got, err := json.Marshal(mq.search)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"indexUid": "relais_datasets",
		"q": "  budget  Rennes",
		"filter": "organization = \"rennes\"",
		"facets": ["license", "format", "relais__all"],
		"sort": ["created__sort:desc"],
		"page": 3,
		"hitsPerPage": 10,
		"attributesToRetrieve": ["id"],
		"showRankingScore": true,
		"locales": ["fra"],
		"hybrid": null
	}`, string(got))

	require.Len(t, mq.buckets, 2)
	assert.Equal(t, "last_update_range", mq.buckets[0].facet)
	assert.Equal(t, "last_30_days", mq.buckets[0].name)
	assert.Equal(t, `organization = "rennes" AND last_update__sort >= 1793145600000`, mq.buckets[0].search.Filter)
	assert.Equal(t, `organization = "rennes" AND last_update__sort >= 1764201600000 AND last_update__sort < 1793145600000`, mq.buckets[1].search.Filter)
	got, err = json.Marshal(mq.buckets[1].search)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"indexUid": "relais_datasets",
		"q": "  budget  Rennes",
		"filter": "organization = \"rennes\" AND last_update__sort >= 1764201600000 AND last_update__sort < 1793145600000",
		"facets": ["relais__all"],
		"page": 1,
		"hitsPerPage": 0,
		"attributesToRetrieve": ["id"],
		"locales": ["fra"],
		"hybrid": null
	}`, string(got), "a bucket only counts, with the relais__all facet")
	for _, b := range mq.buckets {
		_, err := parseMeiliFilter(b.search.Filter.(string))
		require.NoError(t, err)
	}

	// Defaults: page 1 of DefaultPageSize, no filter, no sort.
	q, err = testMeiliSchema.validate(Query{})
	require.NoError(t, err)
	mq, err = translateQuery("x", q)
	require.NoError(t, err)
	assert.Nil(t, mq.search.Filter)
	assert.Nil(t, mq.search.Sort)
	assert.EqualValues(t, 1, mq.search.Page)
	assert.EqualValues(t, DefaultPageSize, *mq.search.HitsPerPage)
	assert.Empty(t, mq.buckets)
}

func TestMeiliDocID(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"5e2f0b3a8b4c410f6fdb4b21", "5e2f0b3a8b4c410f6fdb4b21"},
		{"1b4e28ba-2fa1-11d2-883f-0016d3cca427", "1b4e28ba-2fa1-11d2-883f-0016d3cca427"},
		{"budget-rennes", "budget-rennes"},
		{"a_b", "a_5Fb"},
		{"a/b c", "a_2Fb_20c"},
		{"é", "_C3_A9"},
		{"_5F", "_5F5F"},
	} {
		got, err := meiliDocID(c.in)
		require.NoError(t, err)
		assert.Equal(t, c.want, got)
		back, err := meiliOurID(got)
		require.NoError(t, err)
		assert.Equal(t, c.in, back)
	}
	_, err := meiliDocID("")
	assert.Error(t, err)
	_, err = meiliDocID(strings.Repeat("/", 200))
	assert.Error(t, err, "too long once escaped")
	for _, bad := range []string{"a_", "a_5", "a_5f", "a_ZZ"} {
		_, err := meiliOurID(bad)
		assert.Error(t, err, bad)
	}
}

func TestMeiliDocument(t *testing.T) {
	s := testMeiliSchema
	s.Boosts = []Boost{{Field: "featured", Value: "true", Factor: 1.5}, {Field: "producer_type", Value: "public-service", Factor: 1.25}}
	doc, err := meiliDocument(s, Document{ID: "d_1", Fields: map[string]any{
		"title":         "Budget primitif",
		"tags":          []string{"finances", "budget"},
		"organization":  "rennes",
		"featured":      true,
		"producer_type": []string{"public-service", "local-authority"},
		"created":       time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		"last_update":   "2021-06-01",
		"views":         42,
		"unknown":       "ignored",
	}})
	require.NoError(t, err)
	got, err := json.Marshal(doc)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"id": "d_5F1",
		"relais__all": "all",
		"title": "Budget primitif",
		"tags": ["finances", "budget"],
		"organization": "rennes",
		"featured": "true",
		"producer_type": ["public-service", "local-authority"],
		"created__sort": 1577836800000,
		"last_update__sort": 1622505600000,
		"views__sort": 42,
		"relais__boost": 1.875
	}`, string(got))

	_, err = meiliDocument(s, Document{ID: "x", Fields: map[string]any{"views": math.NaN()}})
	assert.Error(t, err)
	_, err = meiliDocument(s, Document{ID: "x", Fields: map[string]any{"created": "yesterday"}})
	assert.Error(t, err)
	_, err = meiliDocument(s, Document{ID: "x", Fields: map[string]any{"title": map[string]string{}}})
	assert.Error(t, err)
}

func TestMeiliSettings(t *testing.T) {
	s := testMeiliSchema
	st, err := meiliSettings(s, MeiliConfig{}.withDefaults())
	require.NoError(t, err)
	assert.Equal(t, []string{"words", "sort", "typo", "proximity", "attribute", "exactness"}, st.RankingRules)
	assert.Equal(t, []string{"title", "acronym", "tags", "organization_name", "description"}, st.SearchableAttributes)
	assert.Equal(t, []string{"organization", "tags", "license", "format", "featured", "producer_type", "relais__all",
		"created__sort", "last_update__sort", "views__sort"}, st.FilterableAttributes, "ranges filter on the sortable fields")
	assert.Equal(t, []string{"created__sort", "last_update__sort", "views__sort"}, st.SortableAttributes)
	assert.EqualValues(t, MaxResultWindow, st.Pagination.MaxTotalHits)
	assert.Contains(t, st.StopWords, "l")
	assert.Contains(t, st.StopWords, "qu")
	assert.Contains(t, st.StopWords, "à")
	assert.Contains(t, st.StopWords, "a", "folded forms too")
	assert.Equal(t, []string{"base adresse nationale"}, st.Synonyms["ban"])
	assert.Equal(t, []string{"ban"}, st.Synonyms["base adresse nationale"])

	s.Boosts = []Boost{{Field: "featured", Value: "true", Factor: 2}}
	st, err = meiliSettings(s, MeiliConfig{}.withDefaults())
	require.NoError(t, err)
	assert.Equal(t, []string{"words", "sort", "typo", "proximity", "attribute", "relais__boost:desc", "exactness"}, st.RankingRules)
	assert.Contains(t, st.SortableAttributes, "relais__boost")

	for _, bad := range []Schema{
		{Filterable: []string{"organization.id"}},
		{Filterable: []string{"id"}},
		{Sortable: []string{"a__b"}},
		{Facets: []string{"AND"}},
		{Searchable: []Field{{Name: "title with space"}}},
		{Boosts: []Boost{{Field: "featured", Value: "true", Factor: 2}}},
		{Filterable: []string{"featured"}, Boosts: []Boost{{Field: "featured", Value: "true", Factor: -1}}},
	} {
		_, err := meiliSettings(bad, MeiliConfig{})
		assert.Error(t, err, "%+v", bad)
	}
}

// testMeiliSchema is the dataset schema of the conformance suite with the
// fields udata's boosts use.
var testMeiliSchema = Schema{
	Searchable: []Field{{Name: "title", Boost: 8}, {Name: "acronym", Boost: 6}, {Name: "tags", Boost: 4}, {Name: "organization_name", Boost: 2}, {Name: "description"}},
	Filterable: []string{"organization", "tags", "license", "format", "featured", "producer_type"},
	Sortable:   []string{"created", "last_update", "views"},
	Facets:     []string{"organization", "tags", "license", "format"},
}

func FuzzMeiliFilter(f *testing.F) {
	f.Add("rennes", `a" OR b = "c`, `\`, 1.5)
	f.Add("", "NOT", "x) OR (y", -1e300)
	f.Add("l'eau", `\"\\'`, "]", 0.0)
	f.Add("\x00\xff", "a,b", "IN [", 1e21)
	f.Fuzz(func(t *testing.T, a, b, c string, n float64) {
		filters := map[string][]string{"organization": {a, b}, "tags": {c}}
		conds, err := meiliConditions(filters, map[string]Range{"views": {From: n, To: n + 1}})
		if math.IsNaN(n) || math.IsInf(n, 0) || math.IsInf(n+1, 0) {
			if err == nil {
				t.Fatalf("range %v accepted", n)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		filter := meiliFilter(conds).(string)
		tree, err := parseMeiliFilter(filter)
		if err != nil {
			t.Fatalf("%q does not parse: %v", filter, err)
		}
		if tree.op != "AND" || len(tree.children) != 4 {
			t.Fatalf("%q parses as %s", filter, tree)
		}
		// Values come back as given (invalid UTF-8 as U+FFFD, as JSON sends it).
		org := tree.children[0]
		if org.attr != "organization" || org.op != "IN" || len(org.values) != 2 ||
			org.values[0] != string([]rune(a)) || org.values[1] != string([]rune(b)) {
			t.Fatalf("%q parses as %s", filter, org)
		}
		if tags := tree.children[1]; tags.op != "=" || tags.values[0] != string([]rune(c)) {
			t.Fatalf("%q parses as %s", filter, tags)
		}
	})
}

func FuzzNeutralizeText(f *testing.F) {
	for _, s := range []string{"budget Rennes", `"eau" -potable`, "-\"x", "a - -b", "« x » −y", "\xff-x", "Saint-Malo"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := neutralizeText(s)
		if !utf8.ValidString(got) {
			t.Fatalf("%q: invalid UTF-8", got)
		}
		if phrase, negation := querySyntax(got); phrase || negation {
			t.Fatalf("%q → %q still has query syntax", s, got)
		}
		prev := rune(-1)
		for _, r := range got {
			if isDoubleQuote(r) || unicode.IsControl(r) || (isDash(r) && !(unicode.IsLetter(prev) || unicode.IsDigit(prev))) {
				t.Fatalf("%q → %q keeps %q", s, got, r)
			}
			prev = r
		}
		// Letters and digits are all kept, in order.
		if wordRunes(got) != wordRunes(strings.ToValidUTF8(s, "")) {
			t.Fatalf("%q → %q lost letters", s, got)
		}
	})
}

func wordRunes(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

func FuzzMeiliDocID(f *testing.F) {
	for _, s := range []string{"5e2f0b3a8b4c410f6fdb4b21", "a_b", "é/ _", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		key, err := meiliDocID(id)
		if err != nil {
			return
		}
		for i := 0; i < len(key); i++ {
			c := key[i]
			if !(c == '-' || c == '_' || ('0' <= c && c <= '9') || ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z')) {
				t.Fatalf("%q → %q holds %q", id, key, c)
			}
		}
		back, err := meiliOurID(key)
		if err != nil || back != id {
			t.Fatalf("%q → %q → %q, %v", id, key, back, err)
		}
	})
}
