package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/relais-data/relais/services/gateway/internal/gatewaytest"
)

// benchEnv is a catalog with 100 datasets of two resources each in one
// organization.
func benchEnv(b *testing.B) (*gatewaytest.Env, string, string) {
	env := gatewaytest.Start(b, gatewaytest.Options{})
	org := env.Do(b, "POST", "/api/1/organizations/", map[string]any{"name": "Métropole de Lyon", "description": "Collectivité."}, env.AdminToken).Object(b)
	var slug string
	for i := range 100 {
		d := env.Do(b, "POST", "/api/1/datasets/", map[string]any{
			"title":       fmt.Sprintf("Délibérations du conseil n°%d", i),
			"description": "Les délibérations publiées au format SCDL, mises à jour chaque semaine. Données ouvertes sous licence ouverte.",
			"tags":        []string{"deliberations", "scdl", fmt.Sprintf("annee-%d", 2000+i%20)},
			"license":     "lov2", "frequency": "weekly", "organization": org["id"],
		}, env.AdminToken).Object(b)
		slug = d["slug"].(string)
		for j := range 2 {
			env.Do(b, "POST", "/api/1/datasets/"+d["id"].(string)+"/resources/", map[string]any{
				"title": fmt.Sprintf("export-%d.csv", j), "url": fmt.Sprintf("https://static.example.test/%d/%d.csv", i, j), "format": "csv",
			}, env.AdminToken)
		}
	}
	return env, org["id"].(string), slug
}

// serveParallel runs GET target through the gateway (handler → gRPC →
// catalog → SQLite) from 32 concurrent clients and reports req/s.
func serveParallel(b *testing.B, env *gatewaytest.Env, target string) {
	b.SetParallelism(16) // × GOMAXPROCS(2) = 32 clients
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodGet, target, nil)
			w := httptest.NewRecorder()
			env.Handler.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("%s: %d %s", target, w.Code, w.Body.Bytes())
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkServeDatasetPage measures list pages (page_size=20) and
// single-dataset GETs end to end, without the HTTP socket.
func BenchmarkServeDatasetPage(b *testing.B) {
	env, org, slug := benchEnv(b)
	b.Run("list", func(b *testing.B) { serveParallel(b, env, "/api/1/datasets/?page_size=20") })
	b.Run("list_organization", func(b *testing.B) {
		serveParallel(b, env, "/api/1/datasets/?page_size=20&organization="+org)
	})
	b.Run("list_tag", func(b *testing.B) { serveParallel(b, env, "/api/1/datasets/?page_size=20&tag=annee-2003") })
	b.Run("get", func(b *testing.B) { serveParallel(b, env, "/api/1/datasets/"+slug+"/") })
}
