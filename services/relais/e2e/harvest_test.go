package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/relais"
)

// harvestCLI runs `relais harvest …` against addr and decodes its JSON.
func harvestCLI(t *testing.T, addr, token string, args ...string) map[string]any {
	t.Helper()
	var out bytes.Buffer
	args = append(append([]string{"harvest"}, args...), "-addr", addr, "-token", token)
	require.NoError(t, relais.Main(context.Background(), args, &out, io.Discard), out.String())
	var v map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &v), out.String())
	return v
}

// TestHarvestAnotherRelais: Relais A, a process of its own (the built
// binary, `relais -demo.load`), runs with the demo data; Relais B, a
// second portal, harvests A's DCAT catalog with `relais harvest`, and B
// then holds A's datasets, each tied to its original.
func TestHarvestAnotherRelais(t *testing.T) {
	a := startRelaisProcess(t, buildRelais(t), t.TempDir())

	dirB := t.TempDir()
	tokenB := splitAdminToken(t, dirB)
	port := freePort(t)
	cfg := relais.DefaultConfig()
	cfg.DataDir = dirB
	cfg.AdminAddr, cfg.Catalog.GRPCAddr, cfg.Gateway.GRPCAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.Storage.GRPCAddr, cfg.Preview.GRPCAddr, cfg.Search.GRPCAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.Analytics.GRPCAddr, cfg.Harvest.GRPCAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.Gateway.Addr = "127.0.0.1:" + strconv.Itoa(port)
	cfg.Gateway.PublicURL = "http://127.0.0.1:" + strconv.Itoa(port)
	cfg.Harvest.Fetch.Allow = []string{"127.0.0.1"} // A is on loopback
	cfg.Log.Level = "warn"
	rb, _ := runTarget(t, cfg)
	b := &portal{t: t, base: cfg.Gateway.PublicURL, token: tokenB}
	addr := rb.HarvestGRPCAddr().String()

	org := b.do("POST", "/api/1/organizations/", tokenB, map[string]any{"name": "Open Data Sud (A)", "description": "Harvested from A."})
	require.Equal(t, 201, org.Status, string(org.Raw))
	orgID := org.Object()["id"].(string)

	total := a.do("GET", "/api/1/datasets/?page_size=1", "", nil).Object()["total"].(float64)
	require.Greater(t, total, 10.0)
	harvestCLI(t, addr, tokenB, "add", "-id", "relais-a", "-kind", "dcat", "-url", a.base+"/api/1/site/catalog.ttl?page_size=100",
		"-organization", orgID, "-auto")
	run := harvestCLI(t, addr, tokenB, "run", "relais-a")["run"].(map[string]any)
	var status map[string]any
	require.Eventually(t, func() bool {
		status = harvestCLI(t, addr, tokenB, "status", run["id"].(string))["run"].(map[string]any)
		return status["status"] == "done" || status["status"] == "failed"
	}, 2*time.Minute, 200*time.Millisecond)
	require.Equal(t, "done", status["status"], fmt.Sprint(status))
	counts := status["counts"].(map[string]any)
	assert.Equal(t, total, counts["create/applied"], fmt.Sprint(counts))

	got := b.do("GET", "/api/1/organizations/"+orgID+"/datasets/?page_size=50", "", nil).Object()
	assert.Equal(t, total, got["total"])
	for _, d := range got["data"].([]any) {
		ds := d.(map[string]any)
		h := ds["harvest"].(map[string]any)
		assert.Equal(t, "DCAT", h["backend"])
		orig := a.do("GET", "/api/1/datasets/"+h["remote_id"].(string)+"/", "", nil)
		require.Equal(t, 200, orig.Status, "B's %s comes from A's %s", ds["id"], h["remote_id"])
		assert.Equal(t, orig.Object()["title"], ds["title"])
		assert.Equal(t, orig.Object()["license"], ds["license"])
		assert.Equal(t, len(orig.Object()["resources"].([]any)), len(ds["resources"].([]any)))
	}
}

// startRelaisProcess runs `relais -demo.load` as its own OS process on
// dataDir, every listener on a free loopback port, until the test ends,
// and waits until its API serves the demo datasets.
func startRelaisProcess(t *testing.T, bin, dataDir string) *portal {
	t.Helper()
	base := "http://127.0.0.1:" + strconv.Itoa(freePort(t))
	args := []string{"-demo.load", "-data_dir=" + dataDir, "-log.level=warn", "-admin_addr=127.0.0.1:0",
		"-gateway.addr=" + strings.TrimPrefix(base, "http://"), "-gateway.public_url=" + base}
	for _, grpcAddr := range []string{"catalog", "storage", "preview", "search", "analytics", "harvest", "gateway"} {
		args = append(args, "-"+grpcAddr+".grpc_addr=127.0.0.1:0")
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _, _ = cmd.Process.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	p := &portal{t: t, base: base}
	// The demo data is loaded once the count of datasets stops growing.
	last, steady := -1, 0
	require.Eventually(t, func() bool {
		res, err := http.Get(base + "/api/1/datasets/?page_size=1")
		if err != nil {
			return false
		}
		defer res.Body.Close()
		var page struct {
			Total int `json:"total"`
		}
		if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&page) != nil || page.Total <= 10 {
			return false
		}
		if page.Total == last {
			steady++
		} else {
			last, steady = page.Total, 0
		}
		return steady >= 3
	}, 3*time.Minute, time.Second, "relais -demo.load serves all its datasets")
	return p
}
