package portal_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/gateway/internal/portal"
)

// addReuse publishes a reuse of the given datasets through the API.
func (f *fixture) addReuse(t *testing.T, title, typ, topic, desc string, org map[string]any, datasets ...map[string]any) map[string]any {
	t.Helper()
	var ids []string
	for _, d := range datasets {
		ids = append(ids, d["id"].(string))
	}
	res := f.env.Do(t, "POST", "/api/1/reuses/", map[string]any{
		"title": title, "description": desc, "type": typ, "topic": topic,
		"url": "https://reuse.example.test/" + typ + "/" + topic, "organization": org["id"], "datasets": ids,
	}, f.env.AdminToken)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	return res.Object(t)
}

func TestReusePages(t *testing.T) {
	f := newFixture(t, true)
	carte := f.addReuse(t, "Carte du budget lyonnais", "visualization", "economy_and_business",
		"Une **carte** du budget.\n\n<script>alert('x')</script>", f.lyon, f.budget, f.delibs)
	f.addReuse(t, "API des délibérations", "api", "politics_and_public_life", "Les délibérations en JSON.", f.nice, f.delibs)
	require.Eventually(t, func() bool {
		_, body := f.get(t, "/reuses/")
		return containsAll(body, ">2 réutilisations<", "Visualisation", "Thématique")
	}, 30*time.Second, 100*time.Millisecond, "the search service indexes the reuses")

	t.Run("list with facets and a filter", func(t *testing.T) {
		status, body := f.get(t, "/reuses/?type=visualization")
		require.Equal(t, http.StatusOK, status)
		require.Contains(t, body, ">1 réutilisation<")
		require.Contains(t, body, `href="/reuses/`+carte["slug"].(string)+`/"`)
		require.NotContains(t, body, "API des délibérations")
		require.Contains(t, body, "Type : Visualisation", "the active filter is named")
		require.Contains(t, body, "Économie et entreprises", "topics are facets, in French")
		require.Contains(t, body, "Métropole de Lyon", "organizations are facets, by name")

		_, body = f.get(t, "/reuses/?q=d%C3%A9lib%C3%A9rations")
		require.Contains(t, body, "API des délibérations")
	})

	t.Run("reuse page", func(t *testing.T) {
		status, body := f.get(t, "/reuses/"+carte["slug"].(string)+"/")
		require.Equal(t, http.StatusOK, status)
		require.Contains(t, body, "<h1>Carte du budget lyonnais</h1>")
		require.Contains(t, body, "<strong>carte</strong>", "the description is Markdown")
		require.NotContains(t, body, "<script>alert", "and sanitized")
		require.Contains(t, body, `href="https://reuse.example.test/visualization/economy_and_business"`)
		require.Contains(t, body, `class="reuse-image placeholder"`, "no image: a placeholder")
		require.Contains(t, body, `href="/datasets/`+f.budget["slug"].(string)+`/"`)
		require.Contains(t, body, `href="/datasets/`+f.delibs["slug"].(string)+`/"`)
		require.Contains(t, body, `href="/organizations/`+f.lyon["slug"].(string)+`/"`)

		status, _ = f.get(t, "/reuses/"+carte["id"].(string)+"/")
		require.Equal(t, http.StatusOK, status, "by id too")
		status, _ = f.get(t, "/reuses/nope/")
		require.Equal(t, http.StatusNotFound, status)
	})

	t.Run("dataset page lists its reuses", func(t *testing.T) {
		_, body := f.get(t, "/datasets/"+f.delibs["slug"].(string)+"/")
		require.Contains(t, body, `Réutilisations <span class="muted">(2)</span>`)
		require.Contains(t, body, "Carte du budget lyonnais")
		require.Contains(t, body, "API des délibérations")
		_, body = f.get(t, "/datasets/"+f.budget["slug"].(string)+"/")
		require.NotContains(t, body, "API des délibérations")
	})

	t.Run("header links to the reuses", func(t *testing.T) {
		_, body := f.get(t, "/")
		require.Contains(t, body, `<a href="/reuses/">Réutilisations</a>`)
	})
}

// TestReusesWithoutSearchService: the catalog's word match answers.
func TestReusesWithoutSearchService(t *testing.T) {
	f := newFixture(t, false)
	carte := f.addReuse(t, "Carte du budget lyonnais", "visualization", "economy_and_business", "Une carte.", f.lyon, f.budget)
	f.addReuse(t, "API des délibérations", "api", "politics_and_public_life", "En JSON.", f.nice, f.delibs)
	status, body := f.get(t, "/reuses/?q=carte")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, ">1 réutilisation<")
	require.Contains(t, body, "lorsque le service de recherche est disponible")
	_, body = f.get(t, "/reuses/?type=api")
	require.Contains(t, body, "API des délibérations")
	require.NotContains(t, body, "Carte du budget lyonnais")

	res := f.env.Do(t, "POST", "/api/1/reuses/", map[string]any{
		"title": "Brouillon de carte", "description": "Pas encore publiée.", "type": "idea", "topic": "others",
		"url": "https://reuse.example.test/draft", "private": true, "datasets": []string{f.budget["id"].(string)},
	}, f.env.AdminToken)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	status, _ = f.get(t, "/reuses/"+res.Object(t)["slug"].(string)+"/")
	require.Equal(t, http.StatusNotFound, status, "a private reuse is not shown to visitors")
	_, body = f.get(t, "/datasets/"+f.budget["slug"].(string)+"/")
	require.NotContains(t, body, "Brouillon de carte")
	status, _ = f.get(t, "/reuses/?organization=not-an-id")
	require.Contains(t, []int{http.StatusOK, http.StatusBadRequest}, status, "a bad filter is answered, not failed")

	views := &recordedViews{}
	p, err := portal.New(portal.Options{Catalog: f.env.Catalog, Views: views})
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/reuses/"+carte["slug"].(string)+"/", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, []string{"reuse " + carte["id"].(string) + " VIEW_CHANNEL_WEB"}, views.views)
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
