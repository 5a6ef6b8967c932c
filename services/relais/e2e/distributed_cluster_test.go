package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/relais-data/relais/pkg/blob/blobtest"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
	"github.com/relais-data/relais/services/relais"
)

// cluster is Relais distributed as on Kubernetes, every part a process of
// its own on loopback: a 3-node NATS JetStream cluster (stream replicas
// 3), PostgreSQL (a database per service), a MinIO bucket, and `relais
// -target=…` for every target. The data (NATS, databases, bucket, data
// directories) lives as long as the cluster; the targets may be stopped,
// killed and started again, with the configuration of the test at hand.
type cluster struct {
	bin, dir string
	// procs are the NATS nodes and the targets, by name.
	procs map[string]*proc
	// addr is every target's gRPC address; base the gateway's URL.
	addr map[string]string
	base string
	// token is a sysadmin's API token, created on the first start.
	token string
	// dsn is every service's database.
	dsn map[string]string
	// config is the YAML file every target reads (RELAIS_CONFIG_FILE).
	config string
}

// clusterTargets are the targets in their start order: the catalog
// first (the others call it), the gateway last (it calls the others).
var clusterTargets = []string{"catalog", "storage", "search", "preview", "analytics", "harvest", "gateway"}

// The secrets the targets share.
const clusterTokenSecret, clusterServiceToken = "distributed-token-secret", "distributed-service-token"

// cleaner registers what to undo when the cluster's life ends: a test (the
// kill test's own cluster) or the test run (the suite's, see suite).
type cleaner interface{ Cleanup(func()) }

// newCluster starts the NATS cluster and creates the databases; the
// targets start with startTargets. life ends them.
func newCluster(t testing.TB, life cleaner) *cluster {
	t.Helper()
	if os.Getenv(sqldbtest.EnvPostgresURL) == "" || os.Getenv(blobtest.EnvS3Endpoint) == "" {
		t.Fatalf("RELAIS_TEST_DISTRIBUTED=1 needs %s (scripts/pg.sh) and %s (scripts/minio.sh)", sqldbtest.EnvPostgresURL, blobtest.EnvS3Endpoint)
	}
	bin := buildRelais(t)
	dir, err := os.MkdirTemp("", "relais-distributed-")
	require.NoError(t, err)
	life.Cleanup(func() { _ = os.RemoveAll(dir) })
	c := &cluster{bin: bin, dir: dir, procs: map[string]*proc{}, addr: map[string]string{}, dsn: map[string]string{},
		config: filepath.Join(dir, "relais.yaml")}
	var drops []func()
	life.Cleanup(func() {
		// Targets first, then NATS, then the databases.
		c.stopTargets()
		for _, name := range []string{"nats-1", "nats-2", "nats-3"} {
			if p := c.procs[name]; p != nil {
				p.stop()
			}
		}
		for _, drop := range drops {
			drop()
		}
	})

	nodes, natsURL := startNATSCluster(t, natsServerBinary(t, dir), dir)
	for _, n := range nodes {
		c.procs[n.name] = n
	}

	// Distinct ports: a target's gRPC and admin addresses, the gateway's
	// HTTP one.
	ports := freePorts(t, 2*len(clusterTargets)+1)
	port := func() string { p := ports[0]; ports = ports[1:]; return "127.0.0.1:" + strconv.Itoa(p) }
	for _, name := range clusterTargets {
		c.addr[name] = port()
		if name != "gateway" {
			dsn, drop := createDatabase(t, "relais_distributed_"+name)
			drops = append(drops, drop)
			c.dsn[name] = dsn
		}
	}
	gatewayHTTP := port()
	c.base = "http://" + gatewayHTTP
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	bucket := "relais-distributed-" + hex.EncodeToString(b)

	for _, name := range clusterTargets {
		admin := port()
		c.procs[name] = &proc{name: name, bin: bin, logs: filepath.Join(dir, name+".log"), ready: "http://" + admin + "/readyz",
			env: []string{"RELAIS_TARGET=" + name, "RELAIS_DATA_DIR=" + filepath.Join(dir, name), "RELAIS_ADMIN_ADDR=" + admin,
				"RELAIS_CONFIG_FILE=" + c.config, "RELAIS_EVENTS_URL=" + natsURL, "RELAIS_EVENTS_REPLICAS=3",
				"RELAIS_LOG_LEVEL=warn", "RELAIS_LOG_FORMAT=text",
				// Spans, when a test has them exported, leave every 100 ms
				// (the OpenTelemetry SDK's default is 5 s).
				"OTEL_BSP_SCHEDULE_DELAY=100"}}
		if dsn := c.dsn[name]; dsn != "" {
			key := "RELAIS_" + strings.ToUpper(name) + "_DB_"
			c.procs[name].env = append(c.procs[name].env, key+"DRIVER=postgres", key+"DSN="+dsn, key+"MAX_OPEN_CONNS=4")
		}
	}
	s3 := func(k, v string) string { return "RELAIS_STORAGE_BLOB_S3_" + k + "=" + v }
	c.with("catalog", "RELAIS_CATALOG_GRPC_ADDR="+c.addr["catalog"], "RELAIS_CATALOG_TOKEN_SECRET="+clusterTokenSecret)
	c.with("storage", "RELAIS_STORAGE_GRPC_ADDR="+c.addr["storage"], "RELAIS_STORAGE_SERVICE_TOKEN="+clusterServiceToken,
		"RELAIS_STORAGE_BLOB_BACKEND=s3", s3("ENDPOINT", os.Getenv(blobtest.EnvS3Endpoint)), s3("BUCKET", bucket),
		s3("ACCESS_KEY", os.Getenv(blobtest.EnvS3AccessKey)), s3("SECRET_KEY", os.Getenv(blobtest.EnvS3SecretKey)), s3("CREATE_BUCKET", "true"))
	c.with("search", "RELAIS_SEARCH_GRPC_ADDR="+c.addr["search"], "RELAIS_SEARCH_CATALOG_ADDR="+c.addr["catalog"],
		"RELAIS_SEARCH_SERVICE_TOKEN="+clusterServiceToken, "RELAIS_SEARCH_INDEX_BACKEND=embedded")
	c.with("preview", "RELAIS_PREVIEW_GRPC_ADDR="+c.addr["preview"], "RELAIS_PREVIEW_CATALOG_ADDR="+c.addr["catalog"],
		"RELAIS_PREVIEW_STORAGE_ADDR="+c.addr["storage"], "RELAIS_STORAGE_SERVICE_TOKEN="+clusterServiceToken, "RELAIS_PREVIEW_PUBLIC_URL="+c.base)
	c.with("analytics", "RELAIS_ANALYTICS_GRPC_ADDR="+c.addr["analytics"], "RELAIS_ANALYTICS_CATALOG_ADDR="+c.addr["catalog"])
	c.with("harvest", "RELAIS_HARVEST_GRPC_ADDR="+c.addr["harvest"], "RELAIS_HARVEST_CATALOG_ADDR="+c.addr["catalog"])
	c.with("gateway", "RELAIS_GATEWAY_ADDR="+gatewayHTTP, "RELAIS_GATEWAY_PUBLIC_URL="+c.base, "RELAIS_GATEWAY_GRPC_ADDR="+c.addr["gateway"],
		"RELAIS_GATEWAY_CATALOG_ADDR="+c.addr["catalog"], "RELAIS_GATEWAY_STORAGE_ADDR="+c.addr["storage"], "RELAIS_SEARCH_ADDR="+c.addr["search"],
		"RELAIS_GATEWAY_PREVIEW_ADDR="+c.addr["preview"], "RELAIS_GATEWAY_ANALYTICS_ADDR="+c.addr["analytics"],
		"RELAIS_STORAGE_SERVICE_TOKEN="+clusterServiceToken,
		// Files are read through the gateway, as in the other modes (not
		// redirected to MinIO).
		"RELAIS_GATEWAY_S3_DOWNLOADS=proxy")
	return c
}

// with adds environment variables to a target's.
func (c *cluster) with(name string, env ...string) {
	c.procs[name].env = append(c.procs[name].env, env...)
}

// startTargets writes cfg (what differs from relais.DefaultConfig: the
// test's settings; the cluster's addresses, databases and secrets are
// variables, which win) to the targets' configuration file and starts
// every target. The first start creates the sysadmin, whose token the
// preview, analytics and harvest targets call the catalog with.
func (c *cluster) startTargets(t testing.TB, cfg relais.Config) {
	t.Helper()
	require.NoError(t, os.WriteFile(c.config, configDiff(t, relais.DefaultConfig(), cfg), 0o644))
	for _, name := range clusterTargets {
		if name == "preview" || name == "analytics" || name == "harvest" {
			c.procs[name].env = setEnv(c.procs[name].env, "RELAIS_"+strings.ToUpper(name)+"_CATALOG_API_KEY", c.token)
		}
		c.procs[name].start(t)
		if name == "catalog" && c.token == "" {
			c.token = createUser(t, c.bin, c.procs["catalog"].env, "admin@relais.localhost")
		}
	}
}

// stopTargets stops every running target, the gateway first.
func (c *cluster) stopTargets() {
	for i := len(clusterTargets) - 1; i >= 0; i-- {
		if p := c.procs[clusterTargets[i]]; p != nil {
			p.stop()
		}
	}
}

// logs returns the tail of every process's log, for a failed test.
func (c *cluster) logs(lines int) string {
	var b strings.Builder
	for _, name := range append([]string{"nats-1", "nats-2", "nats-3"}, clusterTargets...) {
		if p := c.procs[name]; p != nil {
			b.WriteString("---- " + name + " log (tail)\n" + tail(p.logs, lines) + "\n")
		}
	}
	return b.String()
}

// setEnv sets key=value in env, replacing an earlier value.
func setEnv(env []string, key, value string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	return append(out, key+"="+value)
}

// configDiff is the YAML of the settings of cfg that differ from base.
func configDiff(t testing.TB, base, cfg relais.Config) []byte {
	t.Helper()
	tree := func(c relais.Config) map[string]any {
		raw, err := yaml.Marshal(c)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, yaml.Unmarshal(raw, &m))
		return m
	}
	out, err := yaml.Marshal(diffTree(tree(base), tree(cfg)))
	require.NoError(t, err)
	return out
}

// diffTree keeps the leaves of b that are not in a or differ there.
func diffTree(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range b {
		am, aok := a[k].(map[string]any)
		if bm, ok := v.(map[string]any); ok && aok {
			if d := diffTree(am, bm); len(d) > 0 {
				out[k] = d
			}
			continue
		}
		if !reflect.DeepEqual(a[k], v) {
			out[k] = v
		}
	}
	return out
}
