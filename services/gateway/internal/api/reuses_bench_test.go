package api_test

import (
	"fmt"
	"testing"
)

// BenchmarkServeReusePage measures reuse list pages (page_size=20, each
// reuse linking 3 of 100 datasets and followed once) and a reuse's detail
// (its datasets in full), end to end without the HTTP socket.
func BenchmarkServeReusePage(b *testing.B) {
	env, org, _ := benchEnv(b)
	datasets := env.Do(b, "GET", "/api/1/datasets/?page_size=100", nil, "").Object(b)["data"].([]any)
	follower := env.NewUser(b, "fan@relais.test", "Fan", "Follower")
	var slug string
	for i := range 200 {
		var linked []string
		for j := range 3 {
			linked = append(linked, datasets[(i+j*7)%len(datasets)].(map[string]any)["id"].(string))
		}
		r := env.Do(b, "POST", "/api/1/reuses/", map[string]any{
			"title": fmt.Sprintf("Carte des délibérations n°%d", i), "description": "Une carte interactive des délibérations.",
			"type": []string{"visualization", "application", "api"}[i%3], "topic": "politics_and_public_life",
			"url": fmt.Sprintf("https://carte.example.test/%d", i), "tags": []string{"carte", fmt.Sprintf("annee-%d", 2000+i%20)},
			"organization": org, "datasets": linked,
		}, env.AdminToken)
		if r.Status != 201 {
			b.Fatalf("create reuse: %d %s", r.Status, r.Body)
		}
		u := r.Object(b)
		slug = u["slug"].(string)
		env.Do(b, "POST", "/api/1/reuses/"+u["id"].(string)+"/followers/", nil, follower)
	}
	b.Run("list", func(b *testing.B) { serveParallel(b, env, "/api/1/reuses/?page_size=20") })
	b.Run("list_v2", func(b *testing.B) { serveParallel(b, env, "/api/2/reuses/?page_size=20") })
	b.Run("list_tag_sort_followers", func(b *testing.B) {
		serveParallel(b, env, "/api/1/reuses/?page_size=20&tag=annee-2003&sort=-followers")
	})
	b.Run("get", func(b *testing.B) { serveParallel(b, env, "/api/1/reuses/"+slug+"/") })
}
