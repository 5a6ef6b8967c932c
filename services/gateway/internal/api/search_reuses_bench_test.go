package api_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/relais-data/relais/services/gateway/internal/gatewaytest"
)

// BenchmarkServeReuseSearch measures /api/2/reuses/search/ end to end
// without the HTTP socket (handler → search service → catalog, one read
// per page of hits) on 300 reuses: a word with facets at page_size
// 20 and 100, and a filtered, sorted page. Run it once:
//
//	go test ./services/gateway/internal/api -run '^$' -bench ServeReuseSearch -benchtime 2s
func BenchmarkServeReuseSearch(b *testing.B) {
	env := gatewaytest.Start(b, gatewaytest.Options{Search: true})
	org := env.Do(b, "POST", "/api/1/organizations/", map[string]any{"name": "Métropole de Lyon", "description": "Collectivité."}, env.AdminToken).Object(b)
	d := env.Do(b, "POST", "/api/1/datasets/", map[string]any{"title": "Délibérations", "description": "d", "organization": org["id"]}, env.AdminToken).Object(b)
	const n = 300
	for i := range n {
		r := env.Do(b, "POST", "/api/1/reuses/", map[string]any{
			"title": fmt.Sprintf("Carte des délibérations n°%d", i), "description": "Une carte interactive des délibérations.",
			"type": []string{"visualization", "application", "api"}[i%3], "topic": "politics_and_public_life",
			"url": fmt.Sprintf("https://carte.example.test/%d", i), "tags": []string{"carte", fmt.Sprintf("annee-%d", 2000+i%20)},
			"organization": org["id"], "datasets": []any{d["id"]},
		}, env.AdminToken)
		if r.Status != 201 {
			b.Fatalf("create reuse: %d %s", r.Status, r.Body)
		}
	}
	deadline := time.Now().Add(time.Minute)
	for env.Do(b, "GET", "/api/2/reuses/search/?page_size=1", nil, "").Object(b)["total"] != json.Number(fmt.Sprint(n)) {
		if time.Now().After(deadline) {
			b.Fatal("reuses not indexed after a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.Run("q_facets_20", func(b *testing.B) { serveParallel(b, env, "/api/2/reuses/search/?q=carte&page_size=20") })
	b.Run("q_facets_100", func(b *testing.B) { serveParallel(b, env, "/api/2/reuses/search/?q=carte&page_size=100") })
	b.Run("type_tag_sort", func(b *testing.B) {
		serveParallel(b, env, "/api/2/reuses/search/?type=api&tag=annee-2003&sort=-created&page_size=20")
	})
}
