package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/relais"
)

// TestPortalWebViews: the portal's pages count as web views (not API
// reads) in the audience figures, which the organization page then shows.
func TestPortalWebViews(t *testing.T) {
	configure := func(c *relais.Config) { c.Analytics.PushInterval = 200 * time.Millisecond }
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			if mode == "all-in-one" {
				testPortalWebViews(t, startBarePortal(t, configure)) // without the demo data: quicker
				return
			}
			// With the demo data: its import fills the catalog's outbox,
			// so the dataset's creation often reaches the analytics
			// consumer after the dataset's views (which wait for it).
			p, _ := startPortalWith(t, mode, t.TempDir(), configure)
			testPortalWebViews(t, p)
		})
	}
}

func testPortalWebViews(t *testing.T, p *portal) {
	org := p.do("POST", "/api/1/organizations/", p.token, map[string]any{"name": "Commune de Saint-Relais", "description": "Une commune."})
	require.Equal(t, http.StatusCreated, org.Status, string(org.Raw))
	orgID, orgSlug := org.Object()["id"].(string), org.Object()["slug"].(string)
	ds := p.do("POST", "/api/1/datasets/", p.token, map[string]any{"title": "Budget primitif 2025", "description": "Le budget.", "organization": orgID})
	require.Equal(t, http.StatusCreated, ds.Status, string(ds.Raw))
	id, slug := ds.Object()["id"].(string), ds.Object()["slug"].(string)

	human := http.Header{"User-Agent": {"Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}}
	for range 2 {
		require.Equal(t, http.StatusOK, p.get(p.base+"/datasets/"+slug+"/", human).Status)
	}
	require.Equal(t, http.StatusOK, p.get(p.base+"/organizations/"+orgSlug+"/", human).Status)

	month := time.Now().UTC().Format("2006-01")
	want := map[string]any{"__id": 1.0, "dataset_id": id, "metric_month": month,
		"monthly_visit": 2.0, "monthly_visit_api": 0.0, "monthly_download_resource": 0.0}
	path := fmt.Sprintf("/metric-api/api/datasets/data/?dataset_id__exact=%s", id)
	require.Eventually(t, func() bool {
		data, _ := p.do("GET", path, "", nil).Object()["data"].([]any)
		return len(data) == 1 && assert.ObjectsAreEqual(want, data[0])
	}, 20*time.Second, 100*time.Millisecond, "two web views of the dataset page, no API read")

	// The organization page shows its audience: its own view (counted
	// from the visit above) and its datasets' views.
	robot := http.Header{"User-Agent": {"Mozilla/5.0 (compatible; Googlebot/2.1)"}} // polls, not counted
	require.Eventually(t, func() bool {
		page := string(p.get(p.base+"/organizations/"+orgSlug+"/", robot).Raw)
		return strings.Contains(page, `<tfoot><tr><th scope="row">Total</th><td>1</td><td>2</td><td>0</td></tr></tfoot>`)
	}, 20*time.Second, 200*time.Millisecond, "usage table: 1 page visit, 2 dataset visits, 0 downloads")
}
