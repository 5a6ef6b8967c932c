package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/events"
)

// previousRelease is the commit of the release before this one: during a
// rolling upgrade its targets run beside the new ones (issue 9).
const previousRelease = "01fff2b"

// TestRollingUpgrade runs the previous release's binary beside the new one
// on one NATS and one data directory, as a rollout does, and checks that
// each version reads what the other wrote and consumes its events:
//
//	A. old catalog, new storage, search and gateway;
//	B. new catalog (same database, migrated forward), old gateway beside a
//	   new gateway, new storage and search;
//	C. old storage on the migrated storage database, behind the old gateway.
//
// It runs with RELAIS_TEST_UPGRADE=1 (scripts/test.sh sets it) and skips
// when the clone lacks the previous release's history.
func TestRollingUpgrade(t *testing.T) {
	if os.Getenv("RELAIS_TEST_UPGRADE") != "1" {
		t.Skip("RELAIS_TEST_UPGRADE=1 runs it (scripts/test.sh): builds the previous release " + previousRelease + " and runs it beside this one")
	}
	root := repoRoot(t)
	out, err := exec.Command("git", "-C", root, "rev-parse", "--verify", "--quiet", previousRelease+"^{commit}").Output()
	if err != nil {
		t.Skipf("the previous release %s is not in this clone's history (shallow clone?): nothing to run beside the new binary", previousRelease)
	}
	oldBin := buildRelease(t, root, strings.TrimSpace(string(out)))
	newBin := buildRelais(t)

	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	nats, err := events.StartEmbedded(events.EmbeddedConfig{Host: "127.0.0.1", Port: -1, StoreDir: filepath.Join(dir, "nats")})
	require.NoError(t, err)
	t.Cleanup(nats.Shutdown)

	addr := map[string]string{}
	for _, name := range []string{"catalog", "storage", "old-storage", "search", "gateway", "old-gateway"} {
		addr[name] = loopback(t)
	}
	const serviceToken = "upgrade-service-token"
	// Every target shares the data directory: SQLite databases, blobs and
	// the catalog's token secret, as the split mode on one machine does.
	common := []string{"RELAIS_DATA_DIR=" + data, "RELAIS_EVENTS_URL=" + nats.ClientURL(),
		"RELAIS_LOG_LEVEL=warn", "RELAIS_LOG_FORMAT=text", "RELAIS_STORAGE_SERVICE_TOKEN=" + serviceToken}
	var procs []*proc
	t.Cleanup(func() {
		for i := len(procs) - 1; i >= 0; i-- {
			procs[i].stop()
		}
		if t.Failed() {
			for _, p := range procs {
				t.Logf("---- %s log (tail)\n%s", p.name, tail(p.logs, 15))
			}
		}
	})
	run := func(name, bin, target string, env ...string) *proc {
		t.Helper()
		admin := loopback(t)
		p := &proc{name: name, bin: bin, logs: filepath.Join(dir, name+".log"),
			env:   append(append([]string{"RELAIS_TARGET=" + target, "RELAIS_ADMIN_ADDR=" + admin}, common...), env...),
			ready: "http://" + admin + "/readyz"}
		procs = append(procs, p)
		p.start(t)
		return p
	}
	gatewayEnv := func(name, storage string) []string {
		base := "http://" + addr[name]
		return []string{"RELAIS_GATEWAY_ADDR=" + addr[name], "RELAIS_GATEWAY_PUBLIC_URL=" + base, "RELAIS_GATEWAY_GRPC_ADDR=127.0.0.1:0",
			"RELAIS_GATEWAY_CATALOG_ADDR=" + addr["catalog"], "RELAIS_GATEWAY_STORAGE_ADDR=" + addr[storage], "RELAIS_SEARCH_ADDR=" + addr["search"]}
	}

	// A. The old catalog creates the database and the administrator; the
	// new storage, search and gateway work against it.
	oldCatalog := run("old-catalog", oldBin, "catalog", "RELAIS_CATALOG_GRPC_ADDR="+addr["catalog"])
	token := createUser(t, oldBin, append([]string{"RELAIS_TARGET=catalog"}, common...), "admin@relais.localhost")
	run("storage", newBin, "storage", "RELAIS_STORAGE_GRPC_ADDR="+addr["storage"])
	run("search", newBin, "search", "RELAIS_SEARCH_GRPC_ADDR="+addr["search"], "RELAIS_SEARCH_CATALOG_ADDR="+addr["catalog"],
		"RELAIS_SEARCH_SERVICE_TOKEN="+serviceToken, "RELAIS_SEARCH_INDEX_BACKEND=embedded")
	run("gateway", newBin, "gateway", gatewayEnv("gateway", "storage")...)
	newGW := &portal{t: t, base: "http://" + addr["gateway"], token: token}
	first := newGW.publish(t, "A (old catalog, new gateway)", "tourniquet")
	newGW.requirePublished(t, "A: the new gateway reads through the old catalog", first)
	newGW.requireSearchable(t, first)
	t.Log("A: the new search service indexed a dataset the old catalog created")

	// B. The new catalog takes the old one's place (same address, same
	// database, migrated forward); the old gateway runs beside the new.
	oldCatalog.stop()
	run("catalog", newBin, "catalog", "RELAIS_CATALOG_GRPC_ADDR="+addr["catalog"])
	oldGateway := run("old-gateway", oldBin, "gateway", gatewayEnv("old-gateway", "storage")...)
	oldGW := &portal{t: t, base: "http://" + addr["old-gateway"], token: token}
	oldGW.requirePublished(t, "B: the old gateway reads what A wrote, through the new catalog", first)
	second := oldGW.publish(t, "B (new catalog, old gateway)", "lampadaire")
	// The new gateway's connection to the catalog backs off while the
	// address is down (gRPC's reconnect): it answers 503 until it redials.
	require.True(t, waitUntil(30*time.Second, func() bool { return newGW.do("GET", "/api/1/datasets/"+second.id+"/", "", nil).Status == http.StatusOK }),
		"B: the new gateway reaches the new catalog again")
	newGW.requirePublished(t, "B: the new gateway reads what the old gateway wrote", second)
	oldGW.requireListed(t, second)
	newGW.requireSearchable(t, second)

	// C. The old storage serves the files on the storage database the new
	// one migrated, behind the old gateway.
	run("old-storage", oldBin, "storage", "RELAIS_STORAGE_GRPC_ADDR="+addr["old-storage"])
	oldGateway.stop()
	run("old-gateway-c", oldBin, "gateway", gatewayEnv("old-gateway", "old-storage")...)
	for _, w := range []published{first, second} {
		oldGW.requirePublished(t, "C: the old storage serves files the new storage stored", w)
	}
}

// published is a dataset written through one gateway, with its file.
type published struct {
	id, word, resource string
	file               []byte
}

// publish creates a dataset whose title holds word, uploads a file to it,
// and returns both.
func (p *portal) publish(t *testing.T, step, word string) published {
	t.Helper()
	r := p.do("POST", "/api/1/datasets/", p.token, map[string]any{"title": "Relevé " + word, "description": "Compteur " + word})
	require.Equal(t, http.StatusCreated, r.Status, "%s: create a dataset: %s", step, r.Raw)
	w := published{id: r.Object()["id"].(string), word: word, file: []byte("jour;" + word + "\n2026-11-27;42\n")}
	r = p.upload("/api/1/datasets/"+w.id+"/upload/", p.token, word+".csv", w.file)
	require.Equal(t, http.StatusCreated, r.Status, "%s: upload a file: %s", step, r.Raw)
	w.resource, _ = r.Object()["id"].(string)
	require.NotEmpty(t, w.resource, "%s: upload answers the resource: %s", step, r.Raw)
	return w
}

// requirePublished reads w back: the dataset, its resource, and the file's
// bytes through the resource's URL.
func (p *portal) requirePublished(t *testing.T, step string, w published) {
	t.Helper()
	r := p.do("GET", "/api/1/datasets/"+w.id+"/", "", nil)
	require.Equal(t, http.StatusOK, r.Status, "%s: GET the dataset: %s", step, r.Raw)
	ds := r.Object()
	require.Equal(t, "Relevé "+w.word, ds["title"], step)
	require.Equal(t, "Compteur "+w.word, ds["description"], step)
	resources, _ := ds["resources"].([]any)
	require.Len(t, resources, 1, "%s: the dataset's resources: %s", step, r.Raw)
	res := resources[0].(map[string]any)
	require.Equal(t, w.resource, res["id"], step)
	link, _ := res["url"].(string)
	u, err := url.Parse(link)
	require.NoError(t, err, "%s: resource url %q", step, link)
	// The URL names the gateway that wrote it; read it through this one.
	got := p.get(p.base+u.RequestURI(), nil)
	require.Equal(t, http.StatusOK, got.Status, "%s: download %s: %.300s", step, u.RequestURI(), got.Raw)
	require.True(t, bytes.Equal(w.file, got.Raw), "%s: the file's bytes: %q, want %q", step, got.Raw, w.file)
}

// requireListed finds w in /api/1/datasets/ (the newest first) and by its
// word (the catalog's own query, which the old gateway uses).
func (p *portal) requireListed(t *testing.T, w published) {
	t.Helper()
	for _, path := range []string{"/api/1/datasets/?sort=-created&page_size=5", "/api/1/datasets/?q=" + url.QueryEscape(w.word)} {
		r := p.do("GET", path, "", nil)
		require.Equal(t, http.StatusOK, r.Status, "GET %s: %s", path, r.Raw)
		require.Contains(t, string(r.Raw), `"id": "`+w.id+`"`, "GET %s lists %s", path, w.id)
	}
}

// requireSearchable waits until the search service finds w by its word
// (it indexes from the catalog's events).
func (p *portal) requireSearchable(t *testing.T, w published) {
	t.Helper()
	path := "/api/2/datasets/search/?q=" + url.QueryEscape(w.word)
	var last response
	found := waitUntil(30*time.Second, func() bool {
		last = p.do("GET", path, "", nil)
		return last.Status == http.StatusOK && strings.Contains(string(last.Raw), w.id)
	})
	require.True(t, found, "GET %s never found %s: %d %.300s", path, w.id, last.Status, last.Raw)
}

// repoRoot is the root of the git work tree the test runs in.
func repoRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	require.NoError(t, err, "git rev-parse --show-toplevel")
	return strings.TrimSpace(string(out))
}

// buildRelease builds the relais binary of commit in a temporary git
// worktree (with that tree's own go.work), cached under
// $GOCACHE/relais-upgrade/<commit>/relais so a warm machine skips it.
func buildRelease(t *testing.T, root, commit string) string {
	t.Helper()
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	require.NoError(t, err)
	bin := filepath.Join(strings.TrimSpace(string(gocache)), "relais-upgrade", commit, "relais")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	src := filepath.Join(t.TempDir(), "src")
	out, err := exec.Command("git", "-C", root, "worktree", "add", "--detach", src, commit).CombinedOutput()
	require.NoError(t, err, "git worktree add: %s", out)
	defer func() {
		if out, err := exec.Command("git", "-C", root, "worktree", "remove", "--force", src).CombinedOutput(); err != nil {
			t.Logf("git worktree remove %s: %v: %s", src, err, out)
		}
	}()
	require.NoError(t, os.MkdirAll(filepath.Dir(bin), 0o755))
	tmp := bin + fmt.Sprintf(".%d", os.Getpid())
	build := exec.Command("go", "build", "-o", tmp, "./services/relais/cmd/relais")
	build.Dir = src
	build.Env = append(os.Environ(), "GOWORK="+filepath.Join(src, "go.work"))
	out, err = build.CombinedOutput()
	require.NoError(t, err, "go build of %s: %s", commit, out)
	require.NoError(t, os.Rename(tmp, bin)) // atomic: a concurrent run never sees half a binary
	return bin
}
