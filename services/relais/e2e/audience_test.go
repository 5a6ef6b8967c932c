package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/relais"
)

// TestAudience follows a dataset's audience as its producer sees it: API
// reads of the dataset (a robot's apart), downloads of its file, then the
// figures in the dataset's metrics and in the metrics API, monthly and as
// CSV — every view and download counted once, without personal data.
func TestAudience(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			p, _ := startPortalWith(t, mode, t.TempDir(), func(c *relais.Config) {
				c.Analytics.PushInterval = 200 * time.Millisecond
			})
			res := p.do("POST", "/api/1/datasets/", p.token, map[string]any{"title": "Fréquentation des piscines", "description": "Entrées par jour."})
			require.Equal(t, http.StatusCreated, res.Status, string(res.Raw))
			id := res.Object()["id"].(string)
			res = p.upload("/api/1/datasets/"+id+"/upload/", p.token, "entrees.csv", []byte("jour;entrees\n2026-11-01;120\n"))
			require.Equal(t, http.StatusCreated, res.Status, string(res.Raw))
			fileURL := res.Object()["url"].(string)

			human := http.Header{"User-Agent": {"Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}}
			robot := http.Header{"User-Agent": {"Mozilla/5.0 (compatible; Googlebot/2.1)"}}
			for range 3 {
				require.Equal(t, http.StatusOK, p.get(p.base+"/api/1/datasets/"+id+"/", human).Status)
			}
			require.Equal(t, http.StatusOK, p.get(p.base+"/api/2/datasets/"+id+"/", robot).Status)
			require.Equal(t, http.StatusOK, p.get(fileURL, human).Status)
			require.Equal(t, http.StatusOK, p.get(fileURL, robot).Status)
			// A remote resource is downloaded through its stable link.
			res = p.do("POST", "/api/1/datasets/"+id+"/resources/", p.token, map[string]any{
				"title": "Archives", "url": "https://data.example.org/entrees-2025.csv", "filetype": "remote", "format": "csv"})
			require.Equal(t, http.StatusCreated, res.Status, string(res.Raw))
			require.Equal(t, http.StatusFound, p.get(p.base+"/api/1/datasets/r/"+res.Object()["id"].(string), human).Status)

			month := time.Now().UTC().Format("2006-01")
			metricsPath := fmt.Sprintf("/metric-api/api/datasets/data/?dataset_id__exact=%s&metric_month__greater=%s", id, month)
			want := map[string]any{"__id": 1.0, "dataset_id": id, "metric_month": month,
				"monthly_visit": 0.0, "monthly_visit_api": 3.0, "monthly_download_resource": 2.0}
			require.Eventually(t, func() bool {
				res := p.do("GET", metricsPath, "", nil)
				data, _ := res.Object()["data"].([]any)
				return res.Status == http.StatusOK && len(data) == 1 && assert.ObjectsAreEqual(want, data[0])
			}, 20*time.Second, 100*time.Millisecond, "the metrics API counts 3 API reads and 2 downloads (robots apart)")
			res = p.do("GET", metricsPath, "", nil)
			assert.Equal(t, map[string]any{"next": nil, "prev": nil}, res.Object()["links"])
			assert.Equal(t, map[string]any{"page": 1.0, "page_size": 20.0, "total": 1.0}, res.Object()["meta"])

			// The figures reach the dataset's metrics (listed, so that
			// reading them adds no view).
			require.Eventually(t, func() bool {
				res := p.do("GET", "/api/1/datasets/?sort=-created&page_size=1", "", nil)
				data, _ := res.Object()["data"].([]any)
				if len(data) != 1 {
					return false
				}
				d := data[0].(map[string]any)
				metrics, _ := d["metrics"].(map[string]any)
				resources, _ := d["resources"].([]any)
				if d["id"] != id || metrics["resources_downloads"] != 2.0 || len(resources) != 2 {
					return false
				}
				for _, r := range resources {
					if r.(map[string]any)["metrics"].(map[string]any)["views"] != 1.0 {
						return false
					}
				}
				return true
			}, 20*time.Second, 100*time.Millisecond, "dataset metrics.resources_downloads and resource metrics.views")

			site := p.do("GET", "/metric-api/api/site/data/?metric_month__exact="+month, "", nil)
			require.Equal(t, http.StatusOK, site.Status, string(site.Raw))
			rows := site.Object()["data"].([]any)
			require.Len(t, rows, 1)
			assert.GreaterOrEqual(t, rows[0].(map[string]any)["monthly_download_resource"], 1.0)

			siteMetrics := p.do("GET", "/api/1/site/", "", nil).Object()["metrics"].(map[string]any)
			assert.GreaterOrEqual(t, siteMetrics["resources_downloads_by_months"].(map[string]any)[month], 1.0, "/api/1/site/ shows the monthly downloads")

			csv := p.do("GET", "/metric-api/api/datasets/data/csv/?dataset_id__exact="+id, "", nil)
			require.Equal(t, http.StatusOK, csv.Status)
			assert.Equal(t, "dataset_id,metric_month,monthly_visit,monthly_visit_api,monthly_download_resource\n"+id+","+month+",0,3,2\n", string(csv.Raw))

			for path, status := range map[string]int{
				"/metric-api/api/datasets/data/?metric_month__greater=2026-13": http.StatusBadRequest,
				"/metric-api/api/datasets/data/?metric_month__between=2026-01": http.StatusBadRequest,
				"/metric-api/api/datasets/data/?page_size=100000":              http.StatusBadRequest,
				"/metric-api/api/users/data/":                                  http.StatusNotFound,
			} {
				assert.Equal(t, status, p.do("GET", path, "", nil).Status, path)
			}
		})
	}
}
