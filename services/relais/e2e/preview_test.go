package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/relais"
)

// TestPreview: an uploaded CSV becomes queryable through the tabular API
// (with the time it takes after the upload, logged), its analysis is
// written on the resource with its preview_url; a remote resource is
// fetched and analyzed too; a file that cannot be read gets its reason.
func TestPreview(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode, func(t *testing.T) { testPreview(t, mode) })
	}
}

func testPreview(t *testing.T, mode string) {
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/equipements.csv":
			w.Header().Set("Content-Type", "text/csv")
			fmt.Fprint(w, "nom;commune;latitude;longitude\nPiscine;Nice;43,7031;7,2661\nStade;Nice;43,7051;7,1925\nMédiathèque;Antibes;43,5808;7,1239\n")
		case "/corrompu.xlsx":
			w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			w.Write(bytes.Repeat([]byte{0x50, 0x4b, 0x03, 0x04, 0xff, 0x00, 0x13}, 50))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(remote.Close)
	p, _ := startPortalWith(t, mode, t.TempDir(), func(cfg *relais.Config) {
		// The test's remote server is on loopback, which the guard refuses.
		cfg.Preview.Fetch.Allow = []string{"127.0.0.1"}
	})
	ds := p.do("POST", "/api/1/datasets/", p.token, map[string]any{
		"title": "Subventions aux associations", "description": "Les subventions versées.",
	})
	require.Equal(t, http.StatusCreated, ds.Status, string(ds.Raw))
	datasetID := ds.Object()["id"].(string)

	t.Run("an uploaded CSV is queryable through the tabular API", func(t *testing.T) {
		data, rows := subventionsCSV(10 << 20)
		res := p.upload("/api/1/datasets/"+datasetID+"/upload/", p.token, "subventions.csv", data)
		uploaded := time.Now()
		require.Equal(t, http.StatusCreated, res.Status, string(res.Raw))
		rid := res.Object()["id"].(string)

		page := p.waitFor(t, "/api/resources/"+rid+"/data/?page_size=1", 60*time.Second)
		t.Logf("%s: %d MB CSV (%d rows) queryable %v after its upload completed", mode, len(data)>>20, rows, time.Since(uploaded).Round(time.Millisecond))
		require.EqualValues(t, rows, page.Object()["meta"].(map[string]any)["total"])

		filtered := p.do("GET", "/api/resources/"+rid+"/data/?categorie__exact=culture&montant__sort=desc&page_size=20", "", nil)
		require.Equal(t, http.StatusOK, filtered.Status, string(filtered.Raw))
		got := filtered.Object()["data"].([]any)
		require.Len(t, got, 20)
		last := 1e18
		for _, row := range got {
			r := row.(map[string]any)
			require.Equal(t, "culture", r["categorie"])
			m := r["montant"].(float64)
			require.LessOrEqual(t, m, last, "sorted by montant, descending")
			last = m
		}

		swagger := p.get(p.base+"/api/resources/"+rid+"/swagger/", nil)
		require.Equal(t, http.StatusOK, swagger.Status, string(swagger.Raw))
		require.Contains(t, string(swagger.Raw), "montant__sort")

		profile := p.do("GET", "/api/resources/"+rid+"/profile/", "", nil)
		require.Equal(t, http.StatusOK, profile.Status, string(profile.Raw))
		require.Contains(t, string(profile.Raw), `"montant"`)

		export := p.get(p.base+"/api/resources/"+rid+"/data/csv/?categorie__exact=sport", nil)
		require.Equal(t, http.StatusOK, export.Status)
		lines := strings.Count(strings.TrimSpace(string(export.Raw)), "\n")
		require.Equal(t, rows/4, lines, "one row in four is sport (plus the header line)")

		bad := p.do("GET", "/api/resources/"+rid+"/data/?nope__exact=1", "", nil)
		require.Equal(t, http.StatusBadRequest, bad.Status, string(bad.Raw))
		unknown := p.get(p.base+"/api/resources/00000000-0000-4000-8000-000000000000/data/", nil)
		require.Equal(t, http.StatusNotFound, unknown.Status)

		// The analysis lands on the resource, with its preview_url.
		var resource map[string]any
		require.Eventually(t, func() bool {
			r := p.do("GET", "/api/1/datasets/"+datasetID+"/resources/"+rid+"/", "", nil)
			resource = r.Object()
			return r.Status == http.StatusOK && resource["preview_url"] != nil
		}, 30*time.Second, 100*time.Millisecond, "preview_url set on the resource")
		require.Equal(t, p.base+"/api/resources/"+rid+"/data/", resource["preview_url"])
		extras := resource["extras"].(map[string]any)
		require.Equal(t, rid, extras["analysis:parsing:parsing_table"])
		require.NotEmpty(t, extras["analysis:parsing:finished_at"])
		require.Nil(t, extras["analysis:error"])
		started, err1 := time.Parse(time.RFC3339Nano, extras["analysis:parsing:started_at"].(string))
		finished, err2 := time.Parse(time.RFC3339Nano, extras["analysis:parsing:finished_at"].(string))
		require.NoError(t, errors.Join(err1, err2))
		t.Logf("%s: analysis started %v after the upload completed, took %v (download, analysis, load, extras)",
			mode, started.Sub(uploaded).Round(time.Millisecond), finished.Sub(started).Round(time.Millisecond))

		chart := p.do("GET", "/api/2/datasets/resources/"+rid+"/preview/chart/?group_by=categorie", "", nil)
		require.Equal(t, http.StatusOK, chart.Status, string(chart.Raw))
		groups := chart.Object()["data"].([]any)
		require.Len(t, groups, 4)
		require.EqualValues(t, rows/4, groups[0].(map[string]any)["categorie__count"])

		// Analyzed again from the resource alone (its URL gives the stored
		// file's key).
		status := p.do("POST", "/api/2/datasets/resources/"+rid+"/preview/reanalyze/", p.token, nil)
		require.Equal(t, http.StatusOK, status.Status, string(status.Raw))
		require.Equal(t, "done", status.Object()["state"], string(status.Raw))
		require.Equal(t, true, status.Object()["tabular"])
	})

	t.Run("a remote resource is fetched and analyzed", func(t *testing.T) {
		res := p.do("POST", "/api/1/datasets/"+datasetID+"/resources/", p.token, map[string]any{
			"title": "Équipements", "url": remote.URL + "/equipements.csv", "format": "csv", "filetype": "remote",
		})
		require.Equal(t, http.StatusCreated, res.Status, string(res.Raw))
		rid := res.Object()["id"].(string)
		page := p.waitFor(t, "/api/resources/"+rid+"/data/?nom__exact=Stade", 30*time.Second)
		rows := page.Object()["data"].([]any)
		require.Len(t, rows, 1)
		require.Equal(t, "Nice", rows[0].(map[string]any)["commune"])

		var extras map[string]any
		require.Eventually(t, func() bool {
			r := p.do("GET", "/api/1/datasets/"+datasetID+"/resources/"+rid+"/", "", nil)
			extras, _ = r.Object()["extras"].(map[string]any)
			return extras["check:available"] != nil
		}, 30*time.Second, 100*time.Millisecond)
		require.Equal(t, true, extras["check:available"])
		require.EqualValues(t, 200, extras["check:status"])

		m := p.do("GET", "/api/2/datasets/resources/"+rid+"/preview/map/", "", nil)
		require.Equal(t, http.StatusOK, m.Status, string(m.Raw))
		require.EqualValues(t, 3, m.Object()["features"], string(m.Raw))

		// A sysadmin has it analyzed again; nobody else may.
		require.Equal(t, http.StatusUnauthorized, p.do("POST", "/api/2/datasets/resources/"+rid+"/preview/reanalyze/", "", nil).Status)
		again := p.do("POST", "/api/2/datasets/resources/"+rid+"/preview/reanalyze/", p.token, nil)
		require.Equal(t, http.StatusOK, again.Status, string(again.Raw))
		require.Equal(t, "done", again.Object()["state"])
	})

	t.Run("a file that cannot be read gets its reason", func(t *testing.T) {
		res := p.do("POST", "/api/1/datasets/"+datasetID+"/resources/", p.token, map[string]any{
			"title": "Budget", "url": remote.URL + "/corrompu.xlsx", "format": "xlsx", "filetype": "remote",
		})
		require.Equal(t, http.StatusCreated, res.Status, string(res.Raw))
		rid := res.Object()["id"].(string)
		var extras map[string]any
		require.Eventually(t, func() bool {
			r := p.do("GET", "/api/1/datasets/"+datasetID+"/resources/"+rid+"/", "", nil)
			extras, _ = r.Object()["extras"].(map[string]any)
			return extras["analysis:error"] != nil
		}, 30*time.Second, 100*time.Millisecond, "analysis:error written")
		require.NotEmpty(t, extras["analysis:error"])
		status := p.do("GET", "/api/2/datasets/resources/"+rid+"/preview/", "", nil)
		require.Equal(t, "failed", status.Object()["state"])
		require.Equal(t, extras["analysis:error"], status.Object()["error"])
		require.Equal(t, http.StatusNotFound, p.get(p.base+"/api/resources/"+rid+"/data/", nil).Status)

		missing := p.do("POST", "/api/1/datasets/"+datasetID+"/resources/", p.token, map[string]any{
			"title": "Absent", "url": remote.URL + "/absent.csv", "format": "csv", "filetype": "remote",
		})
		rid = missing.Object()["id"].(string)
		require.Eventually(t, func() bool {
			r := p.do("GET", "/api/1/datasets/"+datasetID+"/resources/"+rid+"/", "", nil)
			extras, _ = r.Object()["extras"].(map[string]any)
			return extras["check:available"] != nil
		}, 30*time.Second, 100*time.Millisecond)
		require.Equal(t, false, extras["check:available"])
		require.EqualValues(t, 404, extras["check:status"])
		require.Contains(t, extras["analysis:error"], "404")
	})

	t.Run("the schema catalogue", func(t *testing.T) {
		res := p.do("GET", "/api/1/datasets/schemas/", "", nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Raw))
		require.Contains(t, string(res.Raw), "scdl/subventions")
	})
}

// waitFor polls a GET until it answers 200, and returns that answer.
func (p *portal) waitFor(t *testing.T, path string, timeout time.Duration) response {
	t.Helper()
	var last response
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		last = p.do("GET", path, "", nil)
		if last.Status == http.StatusOK {
			return last
		}
		time.Sleep(20 * time.Millisecond)
	}
	rid := strings.Split(strings.TrimPrefix(path, "/api/resources/"), "/")[0]
	state := p.do("GET", "/api/2/datasets/resources/"+rid+"/preview/", "", nil)
	t.Fatalf("GET %s: %d %s after %v; preview state: %s", path, last.Status, last.Raw, timeout, state.Raw)
	return last
}

// subventionsCSV makes a CSV of about size bytes as collectivités publish
// them (semicolons, decimal commas, French dates), four categories in
// turn; it returns the bytes and the number of rows.
func subventionsCSV(size int) ([]byte, int) {
	cats := []string{"culture", "sport", "social", "education"}
	var b bytes.Buffer
	b.WriteString("id;beneficiaire;siret;categorie;montant;date_convention;commune\n")
	n := 0
	for b.Len() < size {
		fmt.Fprintf(&b, "%d;Association numéro %d;%s;%s;%d,%02d;%02d/%02d/20%02d;06%03d\n",
			n, n, "21060088800019", cats[n%4], (n*7919)%100000, n%100, 1+n%28, 1+n%12, 10+n%15, n%1000)
		n++
	}
	for n%4 != 0 { // a whole number of rounds: each category is a quarter
		fmt.Fprintf(&b, "%d;Association numéro %d;%s;%s;%d,%02d;%02d/%02d/20%02d;06%03d\n",
			n, n, "21060088800019", cats[n%4], (n*7919)%100000, n%100, 1+n%28, 1+n%12, 10+n%15, n%1000)
		n++
	}
	return b.Bytes(), n
}
