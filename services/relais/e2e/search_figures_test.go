package e2e

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/relais"
)

// TestSearchFollowsFigures: the dataset search sorts by views, followers
// and reuses that change with no dataset event — the analytics service's
// push of views, a follow, a reuse linking a dataset — through the
// catalog's metrics_changed events, within seconds.
func TestSearchFollowsFigures(t *testing.T) {
	configure := func(c *relais.Config) { c.Analytics.PushInterval = 200 * time.Millisecond }
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			if mode == "all-in-one" {
				testSearchFollowsFigures(t, startBarePortal(t, configure)) // without the demo data: quicker
				return
			}
			p, _ := startPortalWith(t, mode, t.TempDir(), configure)
			testSearchFollowsFigures(t, p)
		})
	}
}

func testSearchFollowsFigures(t *testing.T, p *portal) {
	var ids, slugs []string
	for _, title := range []string{"Piscines zorglubfig du nord", "Piscines zorglubfig du sud", "Piscines zorglubfig de l'est"} {
		ds := p.do("POST", "/api/1/datasets/", p.token, map[string]any{"title": title, "description": "Entrées par jour."})
		require.Equal(t, http.StatusCreated, ds.Status, string(ds.Raw))
		ids, slugs = append(ids, ds.Object()["id"].(string)), append(slugs, ds.Object()["slug"].(string))
	}
	untilSearch(t, p, "zorglubfig", 3)
	search := "/api/2/datasets/search/?q=zorglubfig&sort="

	// Web views: the second dataset 3 times, the third once.
	human := http.Header{"User-Agent": {"Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}}
	for i, n := range []int{0, 3, 1} {
		for range n {
			require.Equal(t, http.StatusOK, p.get(p.base+"/datasets/"+slugs[i]+"/", human).Status)
		}
	}
	took := untilOrder(t, p, search+"-views", ids[1], ids[2], ids[0])
	t.Logf("views recorded → sort=-views in that order after %v (analytics push every 200 ms)", took)

	// A follow of the second dataset. Whatever order ties take (by
	// creation, either way), a dataset in the middle is first only by
	// its figure; the same holds for reuses below.
	res := p.do("POST", "/api/1/datasets/"+ids[1]+"/followers/", p.token, nil)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Raw))
	took = untilAt(t, p, search+"-followers", 0, ids[1])
	t.Logf("follow → sort=-followers first after %v", took)

	// A reuse linking the second dataset, then moved to the two others:
	// the second one, unlinked, is last.
	u := p.do("POST", "/api/1/reuses/", p.token, map[string]any{
		"title": "Carte des piscines", "description": "d", "type": "application", "topic": "others",
		"url": "https://reuses.test/piscines", "datasets": []string{ids[1]},
	})
	require.Equal(t, http.StatusCreated, u.Status, string(u.Raw))
	took = untilAt(t, p, search+"-reuses", 0, ids[1])
	t.Logf("reuse created → sort=-reuses first after %v", took)
	res = p.do("PUT", "/api/1/reuses/"+u.Object()["id"].(string)+"/", p.token, map[string]any{"datasets": []string{ids[0], ids[2]}})
	require.Equal(t, http.StatusOK, res.Status, string(res.Raw))
	took = untilAt(t, p, search+"-reuses", 2, ids[1])
	t.Logf("reuse moved to the other datasets → sort=-reuses last after %v", took)

	// Organizations and reuses follow their followers too.
	var orgs []string
	for _, name := range []string{"Commune zorglubfig A", "Commune zorglubfig B", "Commune zorglubfig C"} {
		o := p.do("POST", "/api/1/organizations/", p.token, map[string]any{"name": name, "description": "Une commune."})
		require.Equal(t, http.StatusCreated, o.Status, string(o.Raw))
		orgs = append(orgs, o.Object()["id"].(string))
	}
	untilFound(t, p, "/api/2/organizations/search/?q=zorglubfig", 3)
	res = p.do("POST", "/api/1/organizations/"+orgs[1]+"/followers/", p.token, nil)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Raw))
	untilAt(t, p, "/api/2/organizations/search/?q=zorglubfig&sort=-followers", 0, orgs[1])
	// Of two reuses, the one listed second is first once followed.
	u2 := p.do("POST", "/api/1/reuses/", p.token, map[string]any{
		"title": "Plan des piscines", "description": "d", "type": "application", "topic": "others",
		"url": "https://reuses.test/plan-piscines", "datasets": []string{ids[0]},
	})
	require.Equal(t, http.StatusCreated, u2.Status, string(u2.Raw))
	reuses := "/api/2/reuses/search/?q=piscines&sort=-followers"
	untilFound(t, p, reuses, 2)
	second := p.do("GET", reuses, "", nil).Object()["data"].([]any)[1].(map[string]any)["id"].(string)
	res = p.do("POST", "/api/1/reuses/"+second+"/followers/", p.token, nil)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Raw))
	untilAt(t, p, reuses, 0, second)
}

// untilAt polls a search path until its hit at pos is id, and returns
// how long that took.
func untilAt(t *testing.T, p *portal, path string, pos int, id string) time.Duration {
	t.Helper()
	var took time.Duration
	untilHits(t, p, path, func(got []string) bool { return len(got) > pos && got[pos] == id }, &took)
	return took
}

// untilOrder polls a search path until its first hits are ids, in that
// order, and returns how long that took.
func untilOrder(t *testing.T, p *portal, path string, ids ...string) time.Duration {
	t.Helper()
	var took time.Duration
	untilHits(t, p, path, func(got []string) bool { return len(got) >= len(ids) && slices.Equal(got[:len(ids)], ids) }, &took)
	return took
}

// untilHits polls a search path until ok accepts the ids of its hits,
// failing after 20 s.
func untilHits(t *testing.T, p *portal, path string, ok func([]string) bool, took *time.Duration) {
	t.Helper()
	start := time.Now()
	var got []string
	for time.Since(start) < 20*time.Second {
		got = nil
		for _, d := range p.do("GET", path, "", nil).Object()["data"].([]any) {
			got = append(got, d.(map[string]any)["id"].(string))
		}
		if ok(got) {
			*took = time.Since(start)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s: hits %v", path, got)
}
