package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/services/relais"
	"github.com/relais-data/relais/services/relais/internal/demo"
)

// The end-to-end suite's third mode, "distributed": Relais as on
// Kubernetes (see cluster), which RELAIS_TEST_DISTRIBUTED=1 turns on
// (scripts/test.sh sets it, with PostgreSQL and MinIO).

// suiteModes are the modes every end-to-end test runs in.
func suiteModes() []string {
	if os.Getenv("RELAIS_TEST_DISTRIBUTED") == "1" {
		return []string{"all-in-one", "split", "distributed"}
	}
	return []string{"all-in-one", "split"}
}

// restartable is a target a test stops and starts again: the split mode's
// search target (in this process) or the distributed mode's (a process).
type restartable interface {
	stop()
	restart(t testing.TB)
}

// sharedCluster is the distributed mode's cluster, which the suite's tests
// share: its startup (three NATS nodes, six databases, the targets' first
// start with their migrations, the demo import) takes 10 to 20 s, which a
// run pays once. Each test starts the targets with its own configuration
// and stops them when it ends (a start takes 1 to 3 s); the datasets it
// created are deleted then, so that the next test finds the demo's
// figures.
type sharedCluster struct {
	mu sync.Mutex
	c  *cluster
	// failed says why the cluster could not start (the later tests fail
	// at once with it).
	failed string
	// demo is what the demo import did, imported when it ended.
	demo     demo.Stats
	imported time.Time
	// installs are the data directories a portal started on: a second
	// start on one is a restart, which loads the demo again.
	installs map[string]bool
	cleanups []func()
}

var suite sharedCluster

// Cleanup registers f to run at the end of the test run.
func (s *sharedCluster) Cleanup(f func()) { s.cleanups = append(s.cleanups, f) }

// end stops the cluster and removes its data (TestMain).
func (s *sharedCluster) end() {
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i]()
	}
	s.cleanups = nil
}

// cluster starts the shared cluster the first time.
func (s *sharedCluster) cluster(t testing.TB) *cluster {
	t.Helper()
	if s.failed != "" {
		t.Fatalf("the distributed cluster could not start in an earlier test: %s", s.failed)
	}
	if s.c == nil {
		s.failed = "see " + t.Name()
		began := time.Now()
		s.c = newCluster(t, s)
		s.installs = map[string]bool{}
		s.failed = ""
		t.Logf("distributed: 3 NATS nodes and %d databases ready in %v", len(s.c.dsn), time.Since(began).Round(time.Millisecond))
	}
	return s.c
}

// startDistributedPortal starts every target of the shared cluster with
// the configuration of the other modes (the site's title, then
// configure); the demo data is loaded on the first start, and again when
// a portal starts a second time on dataDir (a restart: it finds it all).
// stop stops the targets.
func startDistributedPortal(t testing.TB, dataDir string, configure func(*relais.Config)) (*portal, func()) {
	t.Helper()
	suite.mu.Lock()
	defer suite.mu.Unlock()
	c := suite.cluster(t)
	cfg := relais.DefaultConfig()
	cfg.Gateway.SiteTitle = siteTitle
	if configure != nil {
		configure(&cfg)
	}
	p := &portal{t: t, base: c.base, catalogGRPC: c.addr["catalog"],
		searchGRPC: c.addr["search"], searchToken: clusterServiceToken, search: c.procs["search"],
		searchDB: sqldb.Config{Driver: string(sqldb.Postgres), DSN: c.dsn["search"]}}
	for _, name := range clusterTargets {
		p.grpcAddrs = append(p.grpcAddrs, c.addr[name])
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		if t.Failed() {
			t.Log(c.logs(20))
		}
		if !suite.imported.IsZero() && c.procs["gateway"].running() && c.procs["catalog"].running() {
			deleteCreatedSince(p, "datasets", suite.imported)
		}
		c.stopTargets()
	}
	t.Cleanup(stop) // before the start: a target that fails to start stops the others
	began := time.Now()
	c.startTargets(t, cfg)
	p.token = c.token
	t.Logf("distributed: %d targets ready in %v", len(clusterTargets), time.Since(began).Round(time.Millisecond))

	switch {
	case suite.imported.IsZero():
		began := time.Now()
		stats, err := relais.ImportDemo(context.Background(), c.addr["catalog"], c.token)
		require.NoError(t, err)
		suite.demo, suite.imported = stats, time.Now()
		p.demo = stats
		t.Logf("distributed: demo imported in %v (%d datasets)", time.Since(began).Round(time.Millisecond), stats.DatasetsCreated)
	case suite.installs[dataDir]:
		stats, err := relais.ImportDemo(context.Background(), c.addr["catalog"], c.token)
		require.NoError(t, err)
		p.demo = stats
	default:
		p.demo = suite.demo
	}
	suite.installs[dataDir] = true
	return p, stop
}

// deleteCreatedSince deletes through the API, newest first, the objects
// of kind ("datasets", "reuses", "organizations") created after since
// (soft deletes, as a user's).
func deleteCreatedSince(p *portal, kind string, since time.Time) {
	p.t.Helper()
	for {
		page := p.do("GET", "/api/1/"+kind+"/?sort=-created&page_size=50", p.token, nil)
		require.Equal(p.t, http.StatusOK, page.Status, string(page.Raw))
		data, _ := page.Object()["data"].([]any)
		deleted := 0
		for _, d := range data {
			d := d.(map[string]any)
			created, err := time.Parse(time.RFC3339, fmt.Sprint(d["created_at"]))
			require.NoError(p.t, err)
			if !created.After(since) {
				break
			}
			res := p.do("DELETE", "/api/1/"+kind+"/"+d["id"].(string)+"/", p.token, nil)
			require.Equal(p.t, http.StatusNoContent, res.Status, string(res.Raw))
			deleted++
		}
		if deleted < len(data) || deleted == 0 {
			return
		}
	}
}
