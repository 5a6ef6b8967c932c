package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/relais"
)

const (
	agentEmail    = "agent@saint-relais.example"
	agentPassword = "délibérations du conseil"
)

// TestPortalAgentBrowser is an agent's journey in a real browser: sign in,
// create a dataset, upload a CSV in chunks with the progress bar, see its
// table preview and its validation report, publish. Every page visited is
// screenshotted and checked by axe-core. It runs in every browserModes
// mode, on a catalog that holds only its data.
func TestPortalAgentBrowser(t *testing.T) {
	chromium := requireChromium(t)
	for _, mode := range browserModes() {
		t.Run(mode, func(t *testing.T) { agentJourney(t, mode, chromium) })
	}
}

// agentJourney is TestPortalAgentBrowser in one mode.
func agentJourney(t *testing.T, mode, chromium string) {
	artifacts := filepath.Join(browserArtifacts(t, mode), "agent")
	require.NoError(t, os.MkdirAll(artifacts, 0o755))

	// The agent has an account with a password set by the admin command,
	// and creates their commune's organization by the API.
	var p *portal
	var agentToken string
	var org response
	if mode == "distributed" {
		var c *cluster
		p, c = startBareDistributedPortal(t)
		agentToken, org = distributedAgent(t, p, c)
	} else {
		// All-in-one, the commands run on the data directory before
		// Relais starts.
		p = startBarePortal(t, func(cfg *relais.Config) {
			var out bytes.Buffer
			require.NoError(t, relais.Main(context.Background(), []string{"admin", "create-user", "--email", agentEmail,
				"--first-name", "Camille", "--last-name", "Agent", "-data_dir=" + cfg.DataDir}, &out, io.Discard))
			agentToken = strings.TrimSpace(out.String()[strings.LastIndex(out.String(), " ")+1:])
			setPasswordByCommand(t, cfg.DataDir, agentEmail, agentPassword)
		})
		org = createAgentOrganization(t, p, agentToken)
	}

	// A prénoms file of the SCDL schema, over 2 MB: the page sends it in
	// two chunks.
	csvPath := filepath.Join(t.TempDir(), "prenoms-2024.csv")
	var csv bytes.Buffer
	csv.WriteString("COMMUNE_NOM;COLL_INSEE;ENFANT_SEXE;ENFANT_PRENOM;NOMBRE_OCCURRENCES;ANNEE\n")
	for i := 0; csv.Len() < 2_300_000; i++ {
		fmt.Fprintf(&csv, "Saint-Relais;06088;%s;%s;%d;2024\n", []string{"F", "M"}[i%2], letterName(i), i%40+1)
	}
	require.NoError(t, os.WriteFile(csvPath, csv.Bytes(), 0o644))

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-dev-shm-usage", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	defer cancelTimeout()
	b := &browserRun{t: t, ctx: ctx, dir: artifacts}

	b.do("sign-in page", chromedp.Navigate(p.base+"/"), chromedp.Click(chromedp.Search(`//nav//a[.="Se connecter"]`)),
		chromedp.WaitVisible(chromedp.ID("email")))
	b.check("1-sign-in")
	b.do("sign in", chromedp.SendKeys(chromedp.ID("email"), agentEmail), chromedp.SendKeys(chromedp.ID("password"), agentPassword),
		chromedp.Submit(chromedp.ID("password")), chromedp.WaitVisible(chromedp.Search(`//h1[.="Mon espace"]`)))
	require.Contains(t, b.text(".lead"), "Camille")
	b.check("2-account")

	b.do("new dataset", chromedp.Click(chromedp.Search(`//a[.="Nouveau jeu de données"]`)), chromedp.WaitVisible(chromedp.ID("title")))
	b.check("3-new-dataset")
	b.do("create it", chromedp.SendKeys(chromedp.ID("title"), "Prénoms des nouveau-nés 2024"),
		chromedp.SendKeys(chromedp.ID("description"), "Les **prénoms** déclarés à l'état civil de Saint-Relais."),
		chromedp.SendKeys(chromedp.ID("tags"), "prenoms, etat-civil"),
		chromedp.Click(chromedp.Search(`//button[.="Créer le brouillon"]`)),
		chromedp.WaitVisible(chromedp.ID("upload")))
	require.Contains(t, b.text(".lead"), "Brouillon (privé)")
	b.check("4-draft")

	b.do("upload the CSV", chromedp.WaitReady(chromedp.Search(`//select[@id="schema"]/option[@value="scdl/prenoms"]`)),
		chromedp.SetValue(chromedp.ID("schema"), "scdl/prenoms"),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{csvPath}),
		chromedp.Click(chromedp.Search(`//button[.="Téléverser"]`)),
		chromedp.WaitVisible(chromedp.CSS(".upload-progress progress")))
	b.screenshot("5-upload-progress")
	b.do("file received", chromedp.WaitVisible(chromedp.CSS(`.resource[data-resource] h3`)),
		chromedp.WaitVisible(chromedp.Search(`//h2[starts-with(., "Aperçu et validation")]`)))
	require.Contains(t, b.text(".resource h3"), "prenoms-2024.csv")
	rid := run(b, "resource id", chromedp.AttributeValue(chromedp.CSS(".resource[data-resource]"), "data-resource")).Value
	require.NotEmpty(t, rid)
	// The file is analyzed, then validated against its schema: the page
	// follows both and shows the table and the report as they come.
	b.do("preview and report", chromedp.WaitVisible(chromedp.CSS(`.preview-table tbody tr`)),
		chromedp.WaitVisible(chromedp.CSS(`.validation .badge`)))
	require.Equal(t, "Conforme au schéma", b.text(".validation .badge"), "%s", run(b, "report",
		chromedp.Evaluate[string](`(document.querySelector('.report li') || {}).textContent || ''`)))
	require.Equal(t, "terminée", b.text(".analysis"))
	b.check("6-preview-and-report")

	b.do("publish", chromedp.Click(chromedp.Search(`//button[.="Publier le jeu de données"]`)),
		chromedp.WaitVisible(chromedp.Search(`//p[contains(., "Le jeu de données est publié")]`)))
	b.check("7-published")
	b.do("public page", chromedp.Click(chromedp.Search(`//a[.="voir la page publique"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[.="Prénoms des nouveau-nés 2024"]`)))
	b.check("8-public-page")

	b.do("tokens", chromedp.Navigate(p.base+"/espace/jetons/"), chromedp.WaitVisible(chromedp.ID("token-name")))
	b.check("9-tokens")
	b.do("members", chromedp.Navigate(p.base+"/espace/organisations/"+org.Object()["slug"].(string)+"/membres/"),
		chromedp.WaitVisible(chromedp.ID("member-email")))
	b.check("10-members")
	b.do("sign out", chromedp.Click(chromedp.Search(`//button[.="Se déconnecter"]`)),
		chromedp.WaitVisible(chromedp.Search(`//nav//a[.="Se connecter"]`)))
}

// createAgentOrganization creates the agent's commune by the API, the
// agent its admin.
func createAgentOrganization(t *testing.T, p *portal, agentToken string) response {
	org := p.do("POST", "/api/1/organizations/", agentToken, map[string]any{"name": "Commune de Saint-Relais", "description": "Une commune."})
	require.Equal(t, 201, org.Status, string(org.Raw))
	return org
}

// agentAccount is the agent's API token and organization.
type agentAccount struct {
	token string
	org   response
}

// distributedAgents are the agents by cluster: the account and its
// organization outlive a journey (a second run, -count=2, signs in again
// with them).
var distributedAgents = map[*cluster]agentAccount{}

// distributedAgent creates the agent on the cluster's catalog the first
// time, with `relais admin create-user` and `relais admin set-password
// --password-stdin` run as an operator would beside a running catalog, and
// their organization; it returns their API token and organization.
func distributedAgent(t *testing.T, p *portal, c *cluster) (string, response) {
	if a, ok := distributedAgents[c]; ok {
		return a.token, a.org
	}
	out := c.admin(t, "", "create-user", "--email", agentEmail, "--first-name", "Camille", "--last-name", "Agent")
	m := regexp.MustCompile(`(?m)^API token.*: (udata_\S+)$`).FindStringSubmatch(out)
	require.NotNil(t, m, "create-user prints the token: %s", out)
	c.admin(t, agentPassword+"\n", "set-password", "--email", agentEmail, "--password-stdin")
	a := agentAccount{token: m[1], org: createAgentOrganization(t, p, m[1])}
	distributedAgents[c] = a
	return a.token, a.org
}

// setPasswordByCommand runs `relais admin set-password --password-stdin`
// as an operator would, the password on its standard input.
func setPasswordByCommand(t *testing.T, dataDir, email, password string) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	_, err = w.WriteString(password + "\n")
	require.NoError(t, err)
	require.NoError(t, w.Close())
	stdin := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = stdin; r.Close() }()
	require.NoError(t, relais.Main(context.Background(), []string{"admin", "set-password", "--email", email, "--password-stdin",
		"-data_dir=" + dataDir}, io.Discard, io.Discard))
}

// letterName is a distinct first name for each i, of letters only.
func letterName(i int) string {
	name := []byte{'E'}
	for ; i > 0; i /= 26 {
		name = append(name, byte('a'+i%26))
	}
	return string(name) + "a"
}
