package e2e

import (
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/relais"
)

// exportFile is data.gouv.fr's catalogue export: 24 189 real datasets.
var exportFile = filepath.Join("..", "..", "..", "..", "shared", "data", "catalog", "datagouv-export-dataset-20260116-sample-1in5.csv.gz")

// TestImportWholeExport imports every dataset of the real export through
// `relais import`'s code path, then again: the second run creates nothing.
func TestImportWholeExport(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 24 189 datasets")
	}
	dataDir := t.TempDir()
	token := splitAdminToken(t, dataDir)
	cfg := relais.DefaultConfig()
	cfg.DataDir = dataDir
	cfg.AdminAddr = "127.0.0.1:0"
	cfg.Catalog.GRPCAddr = "127.0.0.1:0"
	cfg.Gateway.GRPCAddr = "127.0.0.1:0"
	cfg.Storage.GRPCAddr = "127.0.0.1:0"
	port := freePort(t)
	cfg.Gateway.Addr = "127.0.0.1:" + strconv.Itoa(port)
	cfg.Gateway.PublicURL = "http://127.0.0.1:" + strconv.Itoa(port)
	r, stop := runTarget(t, cfg)
	t.Cleanup(stop) // before TempDir's cleanup: NATS may still be writing
	addr := r.GRPCAddr().String()

	stats, took, err := relais.ImportFile(context.Background(), addr, token, exportFile, nil)
	require.NoError(t, err)
	t.Logf("imported %d datasets (%d organizations) in %s", stats.DatasetsCreated, stats.OrganizationsCreated, took)
	require.Equal(t, 24189, stats.Read)
	require.EqualValues(t, 24189, stats.DatasetsCreated)

	again, _, err := relais.ImportFile(context.Background(), addr, token, exportFile, nil)
	require.NoError(t, err)
	require.Zero(t, again.DatasetsCreated)
	require.EqualValues(t, 24189, again.DatasetsSkipped)

	p := &portal{t: t, base: cfg.Gateway.PublicURL}
	res := p.do("GET", "/api/1/datasets/?page_size=1", "", nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Raw))
	// udata's lists leave out archived datasets: 10 124 of the export are.
	require.EqualValues(t, 24189-10124, res.Object()["total"])
}
