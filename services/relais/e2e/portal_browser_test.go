package e2e

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/relais"
)

// axeSource is axe-core, vendored by scripts/portal-vendor.sh.
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// axeRun checks the page against WCAG 2.1 A and AA and returns the
// violations as JSON ("[]" when none).
const axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
  .then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)}))))`

// browserModes are the modes the browser journeys run in: all-in-one and,
// with RELAIS_TEST_DISTRIBUTED=1, distributed (every target a process of
// its own, on a cluster without the demo data: startBareDistributedPortal).
func browserModes() []string {
	if os.Getenv("RELAIS_TEST_DISTRIBUTED") == "1" {
		return []string{"all-in-one", "distributed"}
	}
	return []string{"all-in-one"}
}

// requireChromium returns chromium's path, or skips the test when it is
// not installed (fails it when RELAIS_TEST_REQUIRE_BROWSER is set).
func requireChromium(t *testing.T) string {
	chromium := chromiumPath()
	if chromium == "" {
		if os.Getenv("RELAIS_TEST_REQUIRE_BROWSER") != "" {
			t.Fatal("RELAIS_TEST_REQUIRE_BROWSER is set but chromium is not installed (apt-get install -y chromium)")
		}
		t.Skip("chromium is not installed: the browser journey is skipped (scripts/test.sh installs it and sets RELAIS_TEST_REQUIRE_BROWSER=1)")
	}
	return chromium
}

// chromiumPath finds Debian's chromium (scripts/test.sh installs it).
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestPortalBrowser is a visitor's journey in a real browser: search
// "budget", filter by organization, open a dataset, sort and filter its
// table preview, see its map, download its file. Every page visited is
// screenshotted and checked by axe-core. It runs in every browserModes
// mode, on a catalog that holds only its data.
func TestPortalBrowser(t *testing.T) {
	chromium := requireChromium(t)
	for _, mode := range browserModes() {
		t.Run(mode, func(t *testing.T) { visitorJourney(t, mode, chromium) })
	}
}

// visitorJourney is TestPortalBrowser in one mode.
func visitorJourney(t *testing.T, mode, chromium string) {
	artifacts := browserArtifacts(t, mode)
	var p *portal
	if mode == "distributed" {
		p, _ = startBareDistributedPortal(t)
	} else {
		p = startBarePortal(t, nil)
	}
	csv, nice := budgetCSV()
	lyon := p.do("POST", "/api/1/organizations/", p.token, map[string]any{"name": "Commune de Saint-Relais", "description": "Une commune."})
	require.Equal(t, 201, lyon.Status, string(lyon.Raw))
	val := p.do("POST", "/api/1/organizations/", p.token, map[string]any{"name": "Communauté du Val", "description": "Une intercommunalité."})
	require.Equal(t, 201, val.Status, string(val.Raw))
	ds := p.do("POST", "/api/1/datasets/", p.token, map[string]any{
		"title": "Budget primitif 2025", "organization": lyon.Object()["id"], "license": "lov2", "tags": []string{"budget"},
		"description": "Le **budget primitif** voté par le conseil municipal, par équipement.",
	})
	require.Equal(t, 201, ds.Status, string(ds.Raw))
	other := p.do("POST", "/api/1/datasets/", p.token, map[string]any{
		"title": "Budget annexe de l'eau", "organization": val.Object()["id"], "description": "Le budget annexe.",
	})
	require.Equal(t, 201, other.Status, string(other.Raw))
	res := p.upload("/api/1/datasets/"+ds.Object()["id"].(string)+"/upload/", p.token, "budget-equipements.csv", csv)
	require.Equal(t, 201, res.Status, string(res.Raw))
	rid := res.Object()["id"].(string)
	p.waitFor(t, "/api/resources/"+rid+"/data/?page_size=1", 60*time.Second)
	require.Eventually(t, func() bool {
		st := p.do("GET", "/api/2/datasets/resources/"+rid+"/preview/", "", nil)
		return st.Status == 200 && st.Object()["map"] == true
	}, 60*time.Second, 50*time.Millisecond, "map data of the CSV's coordinates")
	// A second file declares an SCDL schema: its badge links to its
	// validation report and says whether it conforms.
	dsID := ds.Object()["id"].(string)
	res = p.upload("/api/1/datasets/"+dsID+"/upload/", p.token, "prenoms.csv",
		[]byte("COMMUNE_NOM;COLL_INSEE;ENFANT_SEXE;ENFANT_PRENOM;NOMBRE_OCCURRENCES;ANNEE\nSaint-Relais;06088;F;Léa;12;2024\nSaint-Relais;06088;M;Louis;9;2024\n"))
	require.Equal(t, 201, res.Status, string(res.Raw))
	prenoms := res.Object()["id"].(string)
	p.waitFor(t, "/api/resources/"+prenoms+"/data/?page_size=1", 60*time.Second)
	resource := p.do("GET", "/api/1/datasets/"+dsID+"/resources/"+prenoms+"/", "", nil).Object()
	resource["schema"] = map[string]any{"name": "scdl/prenoms"}
	put := p.do("PUT", "/api/1/datasets/"+dsID+"/resources/"+prenoms+"/", p.token, resource)
	require.Equal(t, 200, put.Status, string(put.Raw))
	reanalyze := p.do("POST", "/api/2/datasets/resources/"+prenoms+"/preview/reanalyze/", p.token, nil)
	require.Equal(t, 200, reanalyze.Status, string(reanalyze.Raw))
	report := p.waitFor(t, "/api/2/datasets/resources/"+prenoms+"/preview/validation/", 60*time.Second)
	wantBadge := "conforme"
	if report.Object()["valid"] != true {
		wantBadge = "non conforme"
	}
	reuse := p.do("POST", "/api/1/reuses/", p.token, map[string]any{
		"title": "Carte des équipements de Saint-Relais", "type": "visualization", "topic": "economy_and_business",
		// A reuse's URL is unique, a deleted reuse's too: a second run on
		// the same distributed cluster (-count=2) registers another.
		"url": "https://carte.example.test/equipements/" + strconv.FormatInt(time.Now().UnixNano(), 36), "organization": lyon.Object()["id"], "datasets": []string{dsID},
		"description": "Une **carte** des équipements financés par le budget.",
	})
	require.Equal(t, 201, reuse.Status, string(reuse.Raw))
	untilSearch(t, p, "budget", 2)
	require.Eventually(t, func() bool {
		return strings.Contains(string(p.do("GET", "/reuses/?q=equipements", "", nil).Raw), "Carte des équipements de Saint-Relais")
	}, 30*time.Second, 100*time.Millisecond, "the search service indexes the reuse")

	downloads := filepath.Join(artifacts, "downloads")
	require.NoError(t, os.MkdirAll(downloads, 0o755))
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-dev-shm-usage", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelTimeout()
	b := &browserRun{t: t, ctx: ctx, dir: artifacts}

	b.do("home", chromedp.Navigate(p.base+"/"), chromedp.WaitVisible(chromedp.ID("q-home")))
	b.check("1-home")

	b.do("search budget", chromedp.SendKeys(chromedp.ID("q-home"), "budget"), chromedp.Submit(chromedp.ID("q-home")),
		chromedp.WaitVisible(chromedp.CSS(".results-count")))
	require.Equal(t, "2 jeux de données", b.text(".results-count"))
	b.check("2-search")

	b.do("filter by organization",
		chromedp.Click(chromedp.Search(`//aside[contains(@class,"facets")]//a[contains(., "Commune de Saint-Relais")]`)),
		chromedp.WaitVisible(chromedp.CSS(`.active-filters`)))
	require.Equal(t, "1 jeu de données", b.text(".results-count"))
	location := run(b, "location", chromedp.Location())
	require.Contains(t, location, "organization="+lyon.Object()["id"].(string), "the filter is in the URL")
	b.check("3-search-filtered")

	b.do("open the dataset",
		chromedp.Click(chromedp.Search(`//ul[contains(@class,"cards")]//a[contains(., "Budget primitif 2025")]`)),
		chromedp.WaitVisible(chromedp.CSS(`a.badge.valid, a.badge.invalid`)))
	badge := b.text("a.badge")
	require.Contains(t, badge, "Schéma scdl/prenoms : "+wantBadge, "the badge gives the validation report's verdict")
	b.do("preview the budget",
		chromedp.Click(chromedp.Search(`//li[contains(@class,"resource")][.//h3[contains(., "budget-equipements.csv")]]//a[contains(., "Aperçu")]`)),
		chromedp.WaitVisible(chromedp.CSS(`.preview-table tbody tr`)),
		chromedp.WaitVisible(chromedp.CSS(`.map[data-features]`)),
		chromedp.WaitVisible(chromedp.CSS(`.preview-chart svg`)))
	require.Equal(t, "24 lignes", b.text(".table-count"))
	require.Equal(t, "Graphique : Somme de « montant » par commune", b.text("#h-chart"), "a category and an amount picked from the profile")
	b.check("4-dataset")

	montant := `Array.from(document.querySelectorAll('.preview-table tbody tr')).map(tr => tr.children[2].textContent)`
	b.do("sort by montant", chromedp.Click(chromedp.Search(`//th/button[starts-with(., "montant")]`)),
		chromedp.WaitVisible(chromedp.CSS(`th[aria-sort="ascending"]`)))
	asc := run(b, "read sorted", chromedp.Evaluate[[]string](montant))
	require.Equal(t, "1000", asc[0], "the smallest amount first")
	b.do("sort descending", chromedp.Click(chromedp.Search(`//th/button[starts-with(., "montant")]`)),
		chromedp.WaitVisible(chromedp.CSS(`th[aria-sort="descending"]`)))
	desc := run(b, "read sorted", chromedp.Evaluate[[]string](montant))
	require.Equal(t, "24000", desc[0], "the largest amount first")

	b.do("filter the table", chromedp.SetValue(chromedp.ID("filter-col"), "commune"),
		chromedp.SendKeys(chromedp.ID("filter-val"), "Nice"),
		chromedp.Click(chromedp.CSS(`.table-filter button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.Search(`//p[contains(@class,"table-count")][contains(., "contient")]`)))
	require.True(t, strings.HasPrefix(b.text(".table-count"), strconv.Itoa(nice)+" lignes"), b.text(".table-count"))
	communes := run(b, "read filtered", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.preview-table tbody tr')).map(tr => tr.children[1].textContent)`))
	require.Len(t, communes, nice)
	for _, c := range communes {
		require.Equal(t, "Nice", c)
	}
	features := run(b, "map", chromedp.AttributeValue(chromedp.CSS(".map"), "data-features"))
	require.Equal(t, "24", features.Value, "every row with coordinates on the map, without tiles")
	b.check("5-dataset-table-filtered")

	// A file left by an earlier run would pass for this one's download.
	require.NoError(t, os.RemoveAll(filepath.Join(downloads, "budget-equipements.csv")))
	_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
	require.NoError(t, err)
	b.do("download", chromedp.Click(chromedp.Search(`//li[contains(@class,"resource")][.//h3[contains(., "budget-equipements.csv")]]//a[contains(@class,"button")]`)))
	var got []byte
	require.Eventually(t, func() bool {
		got, _ = os.ReadFile(filepath.Join(downloads, "budget-equipements.csv"))
		return bytes.Equal(got, csv)
	}, 30*time.Second, 100*time.Millisecond, "the file downloaded through its latest link")

	require.Eventually(t, func() bool {
		page := string(p.do("GET", "/organizations/"+lyon.Object()["slug"].(string)+"/", "", nil).Raw)
		return strings.Contains(page, "scdl/prenoms") && strings.Contains(page, "1 fichier conforme sur 1")
	}, 30*time.Second, 100*time.Millisecond, "the organization's SCDL coverage counts its conforming file")
	b.do("organization page", chromedp.Click(chromedp.Search(`//p[contains(@class,"lead")]/a[contains(., "Commune de Saint-Relais")]`)),
		chromedp.WaitVisible(chromedp.ID("h-usage")))
	require.Equal(t, "1 jeu de données", b.text("#h-datasets"))
	b.check("6-organization")

	b.do("reuses", chromedp.Click(chromedp.Search(`//header//a[.="Réutilisations"]`)),
		chromedp.WaitVisible(chromedp.CSS(".results-count")))
	require.Equal(t, "1 réutilisation", b.text(".results-count"))
	b.check("6a-reuses")
	b.do("open the reuse", chromedp.Click(chromedp.Search(`//ul[contains(@class,"cards")]//a[contains(., "Carte des équipements")]`)),
		chromedp.WaitVisible(chromedp.ID("h-datasets")))
	require.Equal(t, "Carte des équipements de Saint-Relais", b.text("h1"))
	b.check("6b-reuse")
	b.do("a dataset it uses", chromedp.Click(chromedp.Search(`//ul[contains(@class,"cards")]//a[contains(., "Budget primitif 2025")]`)),
		chromedp.WaitVisible(chromedp.ID("h-reuses")))
	require.Equal(t, "Réutilisations (1)", b.text("#h-reuses"), "the dataset lists its reuse")

	b.do("on a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(p.base+"/datasets/?q=budget"), chromedp.WaitVisible(chromedp.CSS(".results-count")))
	b.check("7-search-phone")

	b.do("a page that does not exist", chromedp.Navigate(p.base+"/datasets/n-existe-pas/"), chromedp.WaitVisible(chromedp.CSS("h1")))
	require.Equal(t, "Page introuvable", b.text("h1"))
	b.check("8-not-found")
}

// browserRun drives one browser tab, saving screenshots in dir.
type browserRun struct {
	t   *testing.T
	ctx context.Context
	dir string
}

// do runs a step's actions; a failure saves a screenshot and ends the test.
func (b *browserRun) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	run(b, step, chromedp.Steps(actions...))
}

// run runs an action that reads something from the page.
func run[T any](b *browserRun, step string, action chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, action)
	if err != nil {
		b.screenshot("failed-" + strings.ReplaceAll(step, " ", "-"))
		b.t.Fatalf("%s: %v", step, err)
	}
	return v
}

func (b *browserRun) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(run(b, "read "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// screenshot saves the page as name.png. It has its own deadline: Chromium
// can leave a capture unanswered while the page navigates (seen on a
// loaded CI machine: the capture taken as an upload finished ate the
// journey's whole budget), and a missing screenshot must not fail a step.
func (b *browserRun) screenshot(name string) {
	// Not bound by the journey's deadline: the screenshot of a step that
	// timed out is the one that says why.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s not taken: %v", name, err)
		return
	}
	_ = os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644)
}

// check saves a screenshot of the page and fails the test on any axe-core
// violation of WCAG 2.1 AA.
func (b *browserRun) check(name string) {
	b.t.Helper()
	b.screenshot(name)
	run(b, "load axe", chromedp.Evaluate[bool](axeSource+"\n;true"))
	violations := run(b, "axe "+name, chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise))
	if violations != "[]" {
		b.t.Errorf("%s: accessibility violations (axe-core, WCAG 2.1 AA): %s", name, violations)
	}
}

// browserArtifacts is where the journey's screenshots in mode go:
// $RELAIS_TEST_ARTIFACTS/portal-browser/<mode>, else a temporary directory
// kept after the test; the path is printed.
func browserArtifacts(t *testing.T, mode string) string {
	root := os.Getenv("RELAIS_TEST_ARTIFACTS")
	if root == "" {
		var err error
		root, err = os.MkdirTemp("", "relais-artifacts-")
		require.NoError(t, err)
	}
	dir := filepath.Join(root, "portal-browser", mode)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	fmt.Printf("portal browser journey: screenshots in %s\n", dir)
	t.Logf("screenshots in %s", dir)
	return dir
}

// budgetCSV is a collectivité's budget by equipment, with coordinates:
// 24 rows, amounts 1000 to 24000, a third in Nice (the count returned).
func budgetCSV() ([]byte, int) {
	communes := []struct {
		name     string
		lat, lon float64
	}{{"Nice", 43.70, 7.26}, {"Antibes", 43.58, 7.12}, {"Cannes", 43.55, 7.01}}
	var b bytes.Buffer
	b.WriteString("equipement;commune;montant;latitude;longitude\n")
	nice := 0
	for i := range 24 {
		c := communes[(i*7)%3]
		if c.name == "Nice" {
			nice++
		}
		fmt.Fprintf(&b, "Équipement %d;%s;%d;%.4f;%.4f\n", i+1, c.name, 1000*((i*5)%24+1), c.lat+float64(i)/1000, c.lon+float64(i)/1000)
	}
	return b.Bytes(), nice
}

// startBarePortal starts Relais all-in-one without the demo data: the
// journey's datasets are the only ones. configure, when not nil, adjusts
// the configuration.
func startBarePortal(t *testing.T, configure func(*relais.Config)) *portal {
	dataDir := t.TempDir()
	token := splitAdminToken(t, dataDir)
	port := freePort(t)
	cfg := relais.DefaultConfig()
	cfg.DataDir = dataDir
	cfg.AdminAddr = "127.0.0.1:0"
	cfg.Catalog.GRPCAddr = "127.0.0.1:0"
	cfg.Gateway.GRPCAddr = "127.0.0.1:0"
	cfg.Storage.GRPCAddr = "127.0.0.1:0"
	cfg.Preview.GRPCAddr = "127.0.0.1:0"
	cfg.Search.GRPCAddr = "127.0.0.1:0"
	cfg.Analytics.GRPCAddr = "127.0.0.1:0"
	cfg.Harvest.GRPCAddr = "127.0.0.1:0"
	cfg.Gateway.Addr = "127.0.0.1:" + strconv.Itoa(port)
	cfg.Gateway.PublicURL = "http://127.0.0.1:" + strconv.Itoa(port)
	cfg.Gateway.SiteTitle = siteTitle
	cfg.Log.Level = "warn"
	if configure != nil {
		configure(&cfg)
	}
	_, stop := runTarget(t, cfg)
	t.Cleanup(stop)
	return &portal{t: t, base: cfg.Gateway.PublicURL, token: token}
}
