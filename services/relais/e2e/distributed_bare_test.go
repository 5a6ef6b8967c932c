package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/relais"
)

// bare is a second distributed cluster, without the demo data, for the
// browser journeys: they count what they created (exactly 2 datasets found
// for "budget", their organization among the search's facets, 1 reuse),
// which the shared cluster's demo (hundreds of datasets about budgets,
// forty organizations) would bury. It is started once per run, by the
// first journey (10 to 20 s), and ends with the shared one (TestMain).
var bare sharedCluster

// startBareDistributedPortal starts every target of the bare cluster; the
// catalog is as empty as the all-in-one startBarePortal's. When the test
// ends, the datasets and reuses it created are deleted, so that the next
// journey finds none, and the targets stop. Organizations stay: a user's
// organizations still list a deleted one (first, in the agent's new
// dataset form), and every journey names its own where it matters.
func startBareDistributedPortal(t *testing.T) (*portal, *cluster) {
	t.Helper()
	bare.mu.Lock()
	defer bare.mu.Unlock()
	if bare.c == nil && bare.failed == "" {
		suite.Cleanup(bare.end)
	}
	c := bare.cluster(t)
	cfg := relais.DefaultConfig()
	cfg.Gateway.SiteTitle = siteTitle
	p := &portal{t: t, base: c.base, catalogGRPC: c.addr["catalog"]}
	for _, name := range clusterTargets {
		p.grpcAddrs = append(p.grpcAddrs, c.addr[name])
	}
	began := time.Now()
	t.Cleanup(func() { // before the start: a target that fails to start stops the others
		if t.Failed() {
			t.Log(c.logs(20))
		}
		if c.procs["gateway"].running() && c.procs["catalog"].running() {
			for _, kind := range []string{"reuses", "datasets"} {
				deleteCreatedSince(p, kind, began)
			}
		}
		c.stopTargets()
	})
	c.startTargets(t, cfg)
	p.token = c.token
	t.Logf("distributed (bare): %d targets ready in %v", len(clusterTargets), time.Since(began).Round(time.Millisecond))
	return p, c
}

// admin runs `relais admin …` with the catalog's configuration, as an
// operator would in its container, stdin on its standard input, and
// returns what it printed.
func (c *cluster) admin(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(c.bin, append([]string{"admin"}, args...)...)
	cmd.Env = append(os.Environ(), c.procs["catalog"].env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	require.NoError(t, cmd.Run(), "relais admin %s: %s", strings.Join(args, " "), errb.String())
	return out.String()
}
