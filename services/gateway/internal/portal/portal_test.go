package portal_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	eventsv1 "github.com/relais-data/relais/proto/relais/events/v1"
	"github.com/relais-data/relais/services/gateway/internal/gatewaytest"
	"github.com/relais-data/relais/services/gateway/internal/portal"
)

// fixture is a catalog with two collectivités and their datasets, indexed
// by a real search service.
type fixture struct {
	env            *gatewaytest.Env
	lyon, nice     map[string]any
	budget, delibs map[string]any
}

func newFixture(t *testing.T, search bool) *fixture {
	env := gatewaytest.Start(t, gatewaytest.Options{Search: search})
	f := &fixture{env: env}
	org := func(name string) map[string]any {
		res := env.Do(t, "POST", "/api/1/organizations/", map[string]any{"name": name, "description": "Collectivité **territoriale**."}, env.AdminToken)
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		return res.Object(t)
	}
	f.lyon, f.nice = org("Métropole de Lyon"), org("Ville de Nice")
	dataset := func(title, desc string, o map[string]any, tags []string, format string) map[string]any {
		res := env.Do(t, "POST", "/api/1/datasets/", map[string]any{
			"title": title, "description": desc, "tags": tags, "license": "lov2", "frequency": "annual",
			"organization": o["id"],
			"resources": []any{map[string]any{
				"title": title + " (" + format + ")", "url": "https://static.example.test/" + format + "/file." + format,
				"format": format, "filetype": "remote", "schema": map[string]any{"name": "scdl/budget"},
			}},
		}, env.AdminToken)
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		return res.Object(t)
	}
	f.budget = dataset("Budget primitif 2024", "Le **budget** voté.\n\n<script>alert('x')</script>\n\n[lien](javascript:alert(1)) <img src=x onerror=alert(1)>",
		f.lyon, []string{"budget", "finances"}, "csv")
	dataset("Budget de Nice", "Le budget de la ville.", f.nice, []string{"budget"}, "json")
	f.delibs = dataset("Délibérations du conseil", "Les délibérations.", f.lyon, []string{"deliberations"}, "csv")
	return f
}

func (f *fixture) get(t *testing.T, path string) (int, string) {
	t.Helper()
	res := f.env.Do(t, "GET", path, nil, "")
	return res.Status, string(res.Body)
}

// waitIndexed waits until the search service has indexed n datasets
// matching "budget".
func (f *fixture) waitIndexed(t *testing.T, n int) {
	require.Eventually(t, func() bool {
		_, body := f.get(t, "/datasets/?q=budget")
		return strings.Contains(body, ">"+strconv.Itoa(n)+" jeux de données<")
	}, 30*time.Second, 100*time.Millisecond, "the search service indexes the datasets")
}

func TestPages(t *testing.T) {
	f := newFixture(t, true)
	f.waitIndexed(t, 2)

	t.Run("home", func(t *testing.T) {
		status, body := f.get(t, "/")
		require.Equal(t, http.StatusOK, status)
		require.Contains(t, body, `<html lang="fr">`)
		require.Contains(t, body, "Métropole de Lyon")
		require.Contains(t, body, "Budget primitif 2024", "recently updated")
		require.Contains(t, body, `href="/organizations/`+f.lyon["slug"].(string)+`/"`)
		require.Contains(t, body, "--primary:#1f4e79", "the default brand colour")
	})

	t.Run("search with facets and a filter in the URL", func(t *testing.T) {
		status, body := f.get(t, "/datasets/?q=budget")
		require.Equal(t, http.StatusOK, status)
		require.Contains(t, body, "Budget de Nice")
		require.Contains(t, body, "Organisation")
		require.Contains(t, body, "Ville de Nice <span class=\"count\">(1)</span>", "organization facet with names")
		require.Contains(t, body, "Licence Ouverte / Open Licence version 2.0 <span class=\"count\">(2)</span>", "licence facet with titles")
		link := `/datasets/?organization=` + f.lyon["id"].(string) + `&amp;q=budget`
		require.Contains(t, body, link, "a facet value links to the filtered URL")

		status, body = f.get(t, "/datasets/?q=budget&organization="+f.lyon["id"].(string))
		require.Equal(t, http.StatusOK, status)
		require.Contains(t, body, "Budget primitif 2024")
		require.NotContains(t, body, "Budget de Nice")
		require.Contains(t, body, ">1 jeu de données<")
		require.Contains(t, body, `name="organization" value="`+f.lyon["id"].(string)+`"`, "the form keeps the filter")
		require.Contains(t, body, "Organisation : Métropole de Lyon", "active filter named")
	})

	t.Run("dataset page", func(t *testing.T) {
		status, body := f.get(t, "/datasets/"+f.budget["slug"].(string)+"/")
		require.Equal(t, http.StatusOK, status)
		require.Contains(t, body, "<strong>budget</strong>", "Markdown rendered")
		require.NotContains(t, body, "<script>alert", "raw HTML dropped")
		require.NotContains(t, body, "javascript:alert")
		require.NotContains(t, body, "onerror")
		rid := f.budget["resources"].([]any)[0].(map[string]any)["id"].(string)
		require.Contains(t, body, `href="/api/1/datasets/r/`+rid+`"`, "latest link")
		require.Contains(t, body, `/api/2/datasets/resources/`+rid+`/preview/validation/`, "validation report of a schema")
		require.Contains(t, body, `data-rid="`+rid+`"`, "first resource previewed")
		require.Contains(t, body, "Licence")
	})

	t.Run("dataset by id redirects to its slug", func(t *testing.T) {
		res := f.env.Do(t, "GET", "/datasets/"+f.budget["id"].(string)+"/", nil, "")
		require.Equal(t, http.StatusOK, res.Status, "the id is an address too")
		res = f.env.Do(t, "GET", "/datasets/"+f.budget["slug"].(string), nil, "")
		require.Equal(t, http.StatusPermanentRedirect, res.Status)
		require.Equal(t, "/datasets/"+f.budget["slug"].(string)+"/", res.Header.Get("Location"))
	})

	t.Run("organization page", func(t *testing.T) {
		status, body := f.get(t, "/organizations/"+f.lyon["slug"].(string)+"/")
		require.Equal(t, http.StatusOK, status)
		require.Contains(t, body, "<strong>territoriale</strong>")
		require.Contains(t, body, "Délibérations du conseil")
		require.Contains(t, body, ">2 jeux de données<")
		require.Contains(t, body, "scdl/budget", "SCDL coverage from the schema facet")
		require.Contains(t, body, "0 fichier conforme sur 2", "no verdict yet: no preview service here")
		require.Contains(t, body, "Les chiffres d'audience ne sont pas disponibles", "no analytics service here")
	})

	t.Run("unknown pages are 404 pages, API paths stay the API's", func(t *testing.T) {
		status, body := f.get(t, "/datasets/nope-nope/")
		require.Equal(t, http.StatusNotFound, status)
		require.Contains(t, body, "Page introuvable")
		status, _ = f.get(t, "/nowhere")
		require.Equal(t, http.StatusNotFound, status)
		res := f.env.Do(t, "GET", "/api/1/datasets/nope-nope/", nil, "")
		require.Equal(t, http.StatusNotFound, res.Status)
		require.Equal(t, "application/json", res.Header.Get("Content-Type"))
		res = f.env.Do(t, "GET", "/api/1/site/", nil, "")
		require.Equal(t, http.StatusOK, res.Status)
	})

	t.Run("static assets", func(t *testing.T) {
		for _, p := range []string{"/static/portal.css", "/static/preview.js", "/static/vendor/leaflet/leaflet.js"} {
			status, body := f.get(t, p)
			require.Equal(t, http.StatusOK, status, p)
			require.NotEmpty(t, body, p)
		}
	})

	t.Run("bad arguments are served, not failed", func(t *testing.T) {
		for _, p := range []string{"/datasets/?page=-3", "/datasets/?page=999999999999999999999", "/datasets/?sort=%00", "/datasets/?organization=%ff%fe", "/datasets/%ff%fe/", "/organizations/" + f.lyon["slug"].(string) + "/?page=x"} {
			status, _ := f.get(t, p)
			require.Contains(t, []int{http.StatusOK, http.StatusNotFound}, status, p)
		}
	})
}

// TestSearchWithoutSearchService: the catalog's word match answers, the
// filters still apply.
func TestSearchWithoutSearchService(t *testing.T) {
	f := newFixture(t, false)
	status, body := f.get(t, "/datasets/?q=budget")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, ">2 jeux de données<")
	status, body = f.get(t, "/datasets/?q=budget&organization="+f.nice["id"].(string))
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Budget de Nice")
	require.NotContains(t, body, "Budget primitif 2024")
	status, body = f.get(t, "/organizations/"+f.nice["slug"].(string)+"/")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "lorsque le service de recherche est disponible")
}

// recordedViews is a fake ViewRecorder that keeps what it is told (the
// real one publishes to NATS; its events are tested with the API's).
type recordedViews struct {
	mu    sync.Mutex
	views []string
}

func (v *recordedViews) RecordView(_ *http.Request, objectType, objectID, _ string, channel eventsv1.ViewChannel) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.views = append(v.views, objectType+" "+objectID+" "+channel.String())
}

func TestViewsAndBrand(t *testing.T) {
	f := newFixture(t, false)
	views := &recordedViews{}
	p, err := portal.New(portal.Options{
		Catalog: f.env.Catalog, Views: views,
		Brand: portal.Brand{Name: "Open Data Sud", LogoURL: "https://example.test/logo.svg", PrimaryColor: "#ffd700"},
	})
	require.NoError(t, err)
	get := func(path string) string {
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		require.Equal(t, http.StatusOK, rec.Code, path)
		return rec.Body.String()
	}
	body := get("/datasets/" + f.budget["slug"].(string) + "/")
	require.Contains(t, body, "Open Data Sud")
	require.Contains(t, body, `src="https://example.test/logo.svg"`)
	require.Contains(t, body, "--primary:#ffd700;--on-primary:#111111", "dark text on a light brand colour")
	get("/organizations/" + f.lyon["slug"].(string) + "/")
	get("/")
	require.Equal(t, []string{
		"dataset " + f.budget["id"].(string) + " VIEW_CHANNEL_WEB",
		"organization " + f.lyon["id"].(string) + " VIEW_CHANNEL_WEB",
	}, views.views)

	_, err = portal.New(portal.Options{Catalog: f.env.Catalog, Brand: portal.Brand{PrimaryColor: "red;}body{"}})
	require.ErrorContains(t, err, "want #rrggbb")
}
