package e2e

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/relais"
)

// BenchmarkPortalPages measures the portal's server time (request sent to
// last byte read, over loopback) for the home, search and dataset pages
// with the 24 189 real datasets of the export loaded and indexed, and the
// weight of a dataset page without its previews (HTML, CSS and the
// scripts it loads; Leaflet comes only with a map).
//
//	go test -run '^$' -bench BenchmarkPortalPages -benchtime 200x ./services/relais/e2e/
func BenchmarkPortalPages(b *testing.B) {
	dataDir := b.TempDir()
	token := splitAdminToken(b, dataDir)
	port := freePort(b)
	cfg := relais.DefaultConfig()
	cfg.DataDir = dataDir
	cfg.AdminAddr = "127.0.0.1:0"
	for _, addr := range []*string{&cfg.Catalog.GRPCAddr, &cfg.Gateway.GRPCAddr, &cfg.Storage.GRPCAddr,
		&cfg.Preview.GRPCAddr, &cfg.Search.GRPCAddr, &cfg.Analytics.GRPCAddr} {
		*addr = "127.0.0.1:0"
	}
	cfg.Gateway.Addr = "127.0.0.1:" + strconv.Itoa(port)
	cfg.Gateway.PublicURL = "http://127.0.0.1:" + strconv.Itoa(port)
	cfg.Log.Level = "warn"
	r, stop := runTarget(b, cfg)
	b.Cleanup(stop)
	stats, took, err := relais.ImportFile(context.Background(), r.GRPCAddr().String(), token, exportFile, nil)
	require.NoError(b, err)
	b.Logf("imported %d datasets in %v", stats.DatasetsCreated, took)
	p := &portal{t: b, base: cfg.Gateway.PublicURL}
	listed := p.do("GET", "/api/1/datasets/?page_size=1", "", nil).Object()["total"]
	require.Eventually(b, func() bool {
		return p.do("GET", "/api/2/datasets/search/?page_size=1", "", nil).Object()["total"] == listed
	}, 10*time.Minute, time.Second, "the search service indexes every listed dataset")

	// The datasets of the dataset page: the first page of the catalogue
	// by last update, and the one with the most resources among them.
	var slugs []string
	for _, d := range p.do("GET", "/api/1/datasets/?page_size=50&sort=-last_update", "", nil).Object()["data"].([]any) {
		slugs = append(slugs, d.(map[string]any)["slug"].(string))
	}
	org := p.do("GET", "/api/1/organizations/?page_size=1&sort=-datasets", "", nil).Object()["data"].([]any)[0].(map[string]any)["id"].(string)
	// Reuses of those datasets, three datasets each, for the reuse pages
	// (the export carries none).
	var reuses []string
	for i := range 50 {
		var ids []string
		for j := range 3 {
			ids = append(ids, p.do("GET", "/api/1/datasets/"+url.PathEscape(slugs[(i+j*7)%len(slugs)])+"/", "", nil).Object()["id"].(string))
		}
		res := p.do("POST", "/api/1/reuses/", token, map[string]any{
			"title": "Carte des données n°" + strconv.Itoa(i), "description": "Une **carte** interactive.",
			"type": []string{"visualization", "application", "api"}[i%3], "topic": "politics_and_public_life",
			"url": "https://carte.example.test/" + strconv.Itoa(i), "organization": org, "datasets": ids,
		})
		require.Equal(b, http.StatusCreated, res.Status, string(res.Raw))
		reuses = append(reuses, res.Object()["slug"].(string))
	}
	require.Eventually(b, func() bool {
		return p.do("GET", "/api/2/reuses/search/?page_size=1", "", nil).Object()["total"] == float64(len(reuses))
	}, time.Minute, 100*time.Millisecond, "the search service indexes the reuses")

	client := &http.Client{}
	get := func(path string) int {
		res, err := client.Get(p.base + path)
		require.NoError(b, err)
		n, err := io.Copy(io.Discard, res.Body)
		require.NoError(b, err)
		res.Body.Close()
		require.Equal(b, http.StatusOK, res.StatusCode, path)
		return int(n)
	}
	pages := []struct {
		name string
		path func(i int) string
	}{
		{"home", func(int) string { return "/" }},
		{"search", func(i int) string {
			return []string{"/datasets/?q=budget", "/datasets/?q=deliberations", "/datasets/?q=budget&organization=" + org, "/datasets/?page=3"}[i%4]
		}},
		{"dataset", func(i int) string { return "/datasets/" + url.PathEscape(slugs[i%len(slugs)]) + "/" }},
		{"reuses", func(i int) string {
			return []string{"/reuses/", "/reuses/?q=carte", "/reuses/?type=api", "/reuses/?page=2"}[i%4]
		}},
		{"reuse", func(i int) string { return "/reuses/" + url.PathEscape(reuses[i%len(reuses)]) + "/" }},
	}
	for _, pg := range pages {
		b.Run(pg.name, func(b *testing.B) {
			get(pg.path(0)) // warm the caches a visitor's first request warms
			times := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				get(pg.path(i))
				times = append(times, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(times)
			b.ReportMetric(ms(times[len(times)/2]), "p50_ms")
			b.ReportMetric(ms(times[len(times)*95/100]), "p95_ms")
			b.ReportMetric(ms(times[len(times)-1]), "max_ms")
			if pg.name == "dataset" {
				// Page weight: the heaviest of the sample's dataset
				// pages, with the stylesheet and the script it loads.
				assets := get("/static/portal.css") + get("/static/preview.js")
				heaviest := 0
				for _, s := range slugs {
					heaviest = max(heaviest, get("/datasets/"+url.PathEscape(s)+"/"))
				}
				b.ReportMetric(float64(heaviest+assets)/1000, "page_kB")
			}
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
