package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/relais-data/relais/services/gateway/internal/gatewaytest"
)

// FuzzSearch drives the search endpoints, over a real search service and
// catalog, with random query strings: whatever the text, filters, facets,
// sorts and pages, the answer is never a 5xx.
func FuzzSearch(f *testing.F) {
	env := gatewaytest.Start(f, gatewaytest.Options{Search: true})
	user := env.NewUser(f, "fuzz@relais.test", "Fuzz", "Tester")
	org := expectF(f, env.Do(f, "POST", "/api/1/organizations/", map[string]any{"name": "Fuzz", "description": "d"}, user), 201).Object(f)
	var datasetID any
	for _, title := range []string{"Budget primitif", "Délibérations du conseil", "Qualité de l'eau"} {
		d := expectF(f, env.Do(f, "POST", "/api/1/datasets/", map[string]any{"title": title, "description": "d", "organization": org["id"], "tags": []string{"budget", "eau"}}, user), 201).Object(f)
		datasetID = d["id"]
	}
	expectF(f, env.Do(f, "POST", "/api/1/reuses/", map[string]any{
		"title": "Carte du budget", "description": "d", "type": "application", "topic": "others",
		"url": "https://fuzz.test/carte", "datasets": []any{datasetID}, "organization": org["id"], "tags": []string{"budget"},
	}, user), 201)
	paths := []string{"/api/2/datasets/search/", "/api/2/organizations/search/", "/api/1/datasets/suggest/", "/api/1/tags/suggest/", "/api/1/datasets/",
		"/api/2/reuses/search/"}
	for _, q := range []string{
		"q=budget", "q=", "q=%22budget%22~2+title%3Ab*+AND+(x+OR+y)+-z+%5E3+%7B%5D%5C", "q=l%27eau&tag=eau&tag=x&organization=" + org["id"].(string) + "|zz",
		"page=500&page_size=20", "page=0", "page_size=100000", "page=99999999999999999999", "sort=-views&featured=1",
		"last_update_range=last_30_days&temporal_coverage=2020-01-01-2020-12-31", "temporal_coverage=2020-13-45-2020-01-01",
		"format_family=tabular&producer_type=public-service&badge=%00&schema=%FF", "q=%ED%A0%80&size=-1", "q=a&size=1000000",
		"type=application&topic=others&archived=0&dataset=" + datasetID.(string), "sort=-datasets&owner=zz&organization_badge=%2A",
		"sort=title&archived=maybe", "last_update_range=forever&type=%22%7D", "q=carte~1+type%3Aapi&featured=true&page=2&page_size=1",
	} {
		for i := range paths {
			f.Add(uint8(i), q)
		}
	}
	f.Fuzz(func(t *testing.T, path uint8, query string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.Path = paths[int(path)%len(paths)]
		r.URL.RawQuery = query
		ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
		defer cancel()
		r = r.WithContext(ctx)
		w := httptest.NewRecorder()
		env.Handler.ServeHTTP(w, r)
		if ctx.Err() != nil {
			t.Fatalf("%s?%s: no answer in 20s", r.URL.Path, query)
		}
		if w.Code >= 500 {
			t.Fatalf("%s?%s → %d %s", r.URL.Path, query, w.Code, w.Body.Bytes())
		}
	})
}
