package e2e

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/grpcx"
	searchv1 "github.com/relais-data/relais/proto/relais/search/v1"
	"github.com/relais-data/relais/services/relais"
	"github.com/relais-data/relais/services/search"
)

// TestScalingReplicas measures what a second replica of the gateway and
// of the search target brings, in distributed mode: a 3-node NATS
// JetStream cluster and `relais -target=catalog|storage|search|gateway`
// as processes on loopback (SQLite and the embedded index in each
// target's data directory), loaded with the demo data (3 211 real
// datasets). A fixed closed-loop load (RELAIS_BENCH_SCALING_CLIENTS
// clients, each sending its next request when the last one is answered)
// runs for RELAIS_BENCH_SCALING_DURATION per setup:
//
//   - search (GET /api/2/datasets/search/?q=… with queries made of the
//     loaded titles' words) through 1 gateway and 2 gateways, with 1
//     search replica and with 2 (the gateway's search.addr lists both:
//     grpcx.Dial balances calls over them round robin);
//   - GET /api/1/datasets/{slug}/ through 1 and 2 gateways.
//
// With 2 gateways each client keeps to one of them, as a Service spreads
// connections. Each setup prints requests/s, p50 and p99, and the CPU
// each kind of process used (from /proc), since on a machine of N cores
// a second replica adds throughput only while the first one leaves cores
// idle. The load generator is this test process and shares the cores.
//
// Each search replica reads the events with its own durable consumer
// (search.durable = search-index-<name>, as the chart's StatefulSet
// names them) and keeps its own ledger and index, so the second one,
// started once the first has indexed the demo data, indexes it from the
// stream and is ready (/readyz) once caught up; the test then shows that
// both index every dataset created while they run.
//
// It runs with RELAIS_BENCH_SCALING=1 (scripts/bench-scaling.sh).
func TestScalingReplicas(t *testing.T) {
	if os.Getenv("RELAIS_BENCH_SCALING") != "1" {
		t.Skip("RELAIS_BENCH_SCALING=1 runs it (scripts/bench-scaling.sh): a NATS cluster and 9 relais processes under load, a few minutes")
	}
	clients := envInt(t, "RELAIS_BENCH_SCALING_CLIENTS", 32)
	duration := envDuration(t, "RELAIS_BENCH_SCALING_DURATION", 10*time.Second)
	rounds := envInt(t, "RELAIS_BENCH_SCALING_ROUNDS", 2)

	began := time.Now()
	s := startScaling(t)
	t.Logf("cluster ready and loaded in %v", time.Since(began).Round(time.Millisecond))
	queries, slugs := s.corpus(t)
	s.checkReplicas(t)
	s.showOwnDurables(t)

	search := func(r *rand.Rand) call {
		return call{path: "/api/2/datasets/search/?q=" + url.QueryEscape(queries[r.IntN(len(queries))])}
	}
	get := func(r *rand.Rand) call {
		return call{path: "/api/1/datasets/" + url.PathEscape(slugs[r.IntN(len(slugs))]) + "/"}
	}
	var created atomic.Int64
	create := func(r *rand.Rand) call {
		n := created.Add(1)
		body := fmt.Sprintf(`{"title":"Jeu de données de charge %d","description":"Créé par le banc de mesure des réplicas (%d).","license":"lov2","frequency":"monthly","tags":["charge"]}`, n, r.IntN(1000))
		return call{method: "POST", path: "/api/1/datasets/", body: body, key: s.token}
	}
	runs := []struct {
		name     string
		gateways []string
		call     func(*rand.Rand) call
	}{
		{"search, 1 gateway, 1 search", []string{"gateway-a"}, search},
		{"search, 2 gateways, 1 search", []string{"gateway-a", "gateway-b"}, search},
		{"search, 1 gateway, 2 search", []string{"gateway-c"}, search},
		{"search, 2 gateways, 2 search", []string{"gateway-c", "gateway-d"}, search},
		{"get by slug, 1 gateway", []string{"gateway-a"}, get},
		{"get by slug, 2 gateways", []string{"gateway-a", "gateway-b"}, get},
		// Writes: every gateway hands them to the one catalog.
		{"create dataset, 1 gateway", []string{"gateway-a"}, create},
		{"create dataset, 2 gateways", []string{"gateway-a", "gateway-b"}, create},
	}
	var table strings.Builder
	fmt.Fprintf(&table, "%d CPUs (GOMAXPROCS %d of the load generator), %d clients, %v per run after 2s of warm-up, %d queries, %d slugs\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), clients, duration, len(queries), len(slugs))
	fmt.Fprintf(&table, "%-5s %-30s %8s %8s %8s %6s %13s   %s\n", "round", "setup", "req/s", "p50 ms", "p99 ms", "errors",
		"search-1/2 %", "CPU cores used: gateways / search / catalog / nats / load generator; whole machine")
	for round := 1; round <= rounds; round++ {
		for _, run := range runs {
			var bases []string
			for _, g := range run.gateways {
				bases = append(bases, s.base[g])
			}
			closedLoop(bases, run.call, clients, 2*time.Second) // warm-up: connections, caches
			cpu, calls := s.cpuTime(), s.searchCalls(t)
			res := closedLoop(bases, run.call, clients, duration)
			used, share := s.cpuTime().since(cpu, res.elapsed), s.searchCalls(t).share(calls)
			fmt.Fprintf(&table, "%-5d %-30s %8.0f %8.2f %8.2f %6d %13s   %s\n", round, run.name, res.rps(), ms(res.p50), ms(res.p99), res.errors, share, used)
			if res.errors > 0 {
				t.Errorf("%s: %d requests failed, the last: %s", run.name, res.errors, res.lastError)
			}
		}
	}
	t.Logf("load average before and after: %s\n%s", s.loadBefore+" / "+loadAverage(), table.String())
}

// scaling is the running cluster of TestScalingReplicas.
type scaling struct {
	procs map[string]*proc
	// base is each gateway's URL, by process name.
	base       map[string]string
	searchAddr map[string]string // by process name
	token      string            // a sysadmin's API token
	loadBefore string
}

const scalingServiceToken = "scaling-service-token"

func startScaling(t *testing.T) *scaling {
	t.Helper()
	bin := buildRelais(t)
	dir := t.TempDir()
	s := &scaling{procs: map[string]*proc{}, base: map[string]string{}, searchAddr: map[string]string{}, loadBefore: loadAverage()}
	order := []string{"gateway-a", "gateway-b", "gateway-c", "gateway-d", "search-2", "search-1", "storage", "catalog", "nats-1", "nats-2", "nats-3"}
	t.Cleanup(func() {
		for _, name := range order {
			if p := s.procs[name]; p != nil {
				p.stop()
			}
		}
		if t.Failed() {
			for name, p := range s.procs {
				t.Logf("---- %s log (tail)\n%s", name, tail(p.logs, 15))
			}
		}
	})

	nodes, natsURL := natsCluster(t, natsServerBinary(t, dir), dir)
	for _, n := range nodes {
		s.procs[n.name] = n
	}
	startNATS(t, nodes)

	common := func(name, target string) []string {
		return []string{"RELAIS_TARGET=" + target, "RELAIS_DATA_DIR=" + filepath.Join(dir, name),
			"RELAIS_EVENTS_URL=" + natsURL, "RELAIS_EVENTS_REPLICAS=3", "RELAIS_LOG_LEVEL=warn", "RELAIS_LOG_FORMAT=text"}
	}
	add := func(name, target string, env ...string) *proc {
		p := &proc{name: name, bin: bin, logs: filepath.Join(dir, name+".log"),
			env: append(append(common(name, target), env...), "RELAIS_ADMIN_ADDR="+loopback(t))}
		p.ready = "http://" + adminOf(p.env) + "/readyz"
		s.procs[name] = p
		return p
	}
	catalogAddr, storageAddr := loopback(t), loopback(t)
	catalogEnv := []string{"RELAIS_CATALOG_GRPC_ADDR=" + catalogAddr, "RELAIS_CATALOG_TOKEN_SECRET=scaling-token-secret"}
	add("catalog", "catalog", catalogEnv...).start(t)
	s.token = createUser(t, bin, append(common("catalog", "catalog"), catalogEnv...), "admin@relais.localhost")
	add("storage", "storage", "RELAIS_STORAGE_GRPC_ADDR="+storageAddr, "RELAIS_STORAGE_SERVICE_TOKEN="+scalingServiceToken).start(t)
	searchTarget := func(name string) *proc {
		s.searchAddr[name] = loopback(t)
		return add(name, "search", "RELAIS_SEARCH_GRPC_ADDR="+s.searchAddr[name], "RELAIS_SEARCH_CATALOG_ADDR="+catalogAddr,
			"RELAIS_SEARCH_SERVICE_TOKEN="+scalingServiceToken, "RELAIS_SEARCH_INDEX_BACKEND=embedded", "RELAIS_SEARCH_DURABLE=search-index-"+name)
	}
	searchTarget("search-1").start(t)
	// Gateways a and b reach search-1 only, c and d both replicas (a
	// list of addresses, balanced round robin).
	gateway := func(name, searchAddr string) {
		addr := loopback(t)
		s.base[name] = "http://" + addr
		add(name, "gateway", "RELAIS_GATEWAY_ADDR="+addr, "RELAIS_GATEWAY_PUBLIC_URL="+s.base[name], "RELAIS_GATEWAY_GRPC_ADDR=127.0.0.1:0",
			"RELAIS_GATEWAY_CATALOG_ADDR="+catalogAddr, "RELAIS_GATEWAY_STORAGE_ADDR="+storageAddr, "RELAIS_SEARCH_ADDR="+searchAddr,
			"RELAIS_STORAGE_SERVICE_TOKEN="+scalingServiceToken, "RELAIS_GATEWAY_MAX_VIEWS_PER_CLIENT_PER_MINUTE=1000000").start(t)
	}
	gateway("gateway-a", s.searchAddr["search-1"])

	stats, err := relais.ImportDemo(context.Background(), catalogAddr, s.token)
	require.NoError(t, err)
	t.Logf("imported the demo data: %d datasets, %d organizations", stats.DatasetsCreated, stats.OrganizationsCreated)
	listed := s.total(t, "gateway-a", "/api/1/datasets/?page_size=1")
	require.True(t, waitUntil(5*time.Minute, func() bool {
		return s.total(t, "gateway-a", "/api/2/datasets/search/?page_size=1") == listed
	}), "search-1 indexes the %v listed datasets", listed)

	// The second replica starts once the first has every event: on its
	// own durable it reads them all from the stream, and is ready once
	// caught up.
	t.Logf("search-2 indexed the stream and was ready in %v", searchTarget("search-2").start(t).Round(time.Millisecond))

	gateway("gateway-b", s.searchAddr["search-1"])
	both := s.searchAddr["search-1"] + "," + s.searchAddr["search-2"]
	gateway("gateway-c", both)
	gateway("gateway-d", both)
	return s
}

// total is the "total" of a list answered by a gateway.
func (s *scaling) total(t *testing.T, gateway, path string) float64 {
	t.Helper()
	n, _ := s.portal(t, gateway).do("GET", path, "", nil).Object()["total"].(float64)
	return n
}

// portal is an HTTP client of one gateway.
func (s *scaling) portal(t *testing.T, gateway string) *portal {
	return &portal{t: t, base: s.base[gateway], token: s.token}
}

func (s *scaling) adminContext() context.Context {
	return search.WithServiceToken(context.Background(), scalingServiceToken)
}

func (s *scaling) searchClient(t *testing.T, name string) searchv1.SearchServiceClient {
	t.Helper()
	conn, err := grpcx.Dial(s.searchAddr[name])
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return searchv1.NewSearchServiceClient(conn)
}

// verify asks a search replica to compare its index with the catalog.
func (s *scaling) verify(t *testing.T, name string) *searchv1.VerifyResponse {
	t.Helper()
	rep, err := s.searchClient(t, name).Verify(s.adminContext(), &searchv1.VerifyRequest{})
	require.NoError(t, err, "verify %s", name)
	return rep
}

// checkReplicas requires both search replicas to hold every searchable
// record of the catalog before anything is measured.
func (s *scaling) checkReplicas(t *testing.T) {
	t.Helper()
	for _, name := range []string{"search-1", "search-2"} {
		rep := s.verify(t, name)
		require.Positive(t, rep.GetChecked(), name)
		require.Empty(t, rep.GetMissing(), "%s misses records", name)
		require.Empty(t, rep.GetStale(), "%s has stale records", name)
		require.Empty(t, rep.GetExtra(), "%s has extra records", name)
		t.Logf("%s: %d records of the catalog checked, all indexed", name, rep.GetChecked())
	}
}

// corpus reads the loaded datasets through the gateway: their slugs, and
// search queries of one or two words of their titles.
func (s *scaling) corpus(t *testing.T) (queries, slugs []string) {
	t.Helper()
	p := s.portal(t, "gateway-a")
	seen := map[string]bool{}
	for page := 1; page <= 10; page++ {
		res := p.do("GET", fmt.Sprintf("/api/1/datasets/?page_size=100&page=%d", page), "", nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Raw))
		data, _ := res.Object()["data"].([]any)
		for i, d := range data {
			d := d.(map[string]any)
			slugs = append(slugs, d["slug"].(string))
			var words []string
			for _, w := range strings.FieldsFunc(strings.ToLower(d["title"].(string)), func(r rune) bool { return !unicode.IsLetter(r) }) {
				if len([]rune(w)) >= 4 {
					words = append(words, w)
				}
			}
			if len(words) > 2 {
				words = words[:1+i%2]
			}
			if q := strings.Join(words, " "); q != "" && !seen[q] {
				seen[q] = true
				queries = append(queries, q)
			}
		}
	}
	require.NotEmpty(t, queries)
	require.NotEmpty(t, slugs)
	return queries, slugs
}

// showOwnDurables creates datasets one at a time while both search
// replicas run, and requires each replica to index every one: each reads
// the events with its own durable consumer.
func (s *scaling) showOwnDurables(t *testing.T) {
	t.Helper()
	p := s.portal(t, "gateway-a")
	const n = 10
	for i := range n {
		res := p.do("POST", "/api/1/datasets/", s.token, map[string]any{"title": fmt.Sprintf("Relevé de mesure %d", i), "description": "Créé avec deux réplicas de search."})
		require.Equal(t, http.StatusCreated, res.Status, string(res.Raw))
		time.Sleep(300 * time.Millisecond)
	}
	var missing [2]int
	require.True(t, waitUntil(time.Minute, func() bool {
		missing[0], missing[1] = len(s.verify(t, "search-1").GetMissing()), len(s.verify(t, "search-2").GetMissing())
		return missing[0]+missing[1] == 0
	}), "missing after a minute: search-1 %d, search-2 %d", missing[0], missing[1])
	t.Logf("own durable consumers (search-index-search-1, search-index-search-2): both replicas indexed the %d datasets created while they ran", n)
}

// searchCalls is how many searches of datasets each replica has
// answered, from its /metrics.
type searchCalls [2]float64

const searchCallsSeries = `relais_grpc_server_handled_total{code="OK",method="/relais.search.v1.SearchService/SearchDatasets"} `

func (s *scaling) searchCalls(t *testing.T) searchCalls {
	t.Helper()
	var c searchCalls
	for i, name := range []string{"search-1", "search-2"} {
		res, err := http.Get("http://" + adminOf(s.procs[name].env) + "/metrics")
		require.NoError(t, err)
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		require.NoError(t, err)
		for _, line := range strings.Split(string(body), "\n") {
			if v, ok := strings.CutPrefix(line, searchCallsSeries); ok {
				c[i], _ = strconv.ParseFloat(v, 64)
			}
		}
	}
	return c
}

// share says which part of the searches since before each replica
// answered, in percent ("-" when none was asked).
func (c searchCalls) share(before searchCalls) string {
	d1, d2 := c[0]-before[0], c[1]-before[1]
	if d1+d2 == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f/%.0f", 100*d1/(d1+d2), 100*d2/(d1+d2))
}

// loadResult is what a closed-loop load measured.
type loadResult struct {
	latencies []time.Duration // sorted
	errors    int
	lastError string
	elapsed   time.Duration
	p50, p99  time.Duration
}

func (r loadResult) rps() float64 { return float64(len(r.latencies)) / r.elapsed.Seconds() }

// call is one request of a load: GET path unless method says otherwise,
// with a JSON body and an API key when set.
type call struct{ method, path, body, key string }

// closedLoop runs clients that each send a request (drawn at random) to
// their base (client i to bases[i%len(bases)]) as soon as the previous
// one is answered, for d. A 2xx answer counts; anything else is an error.
func closedLoop(bases []string, next func(*rand.Rand) call, clients int, d time.Duration) loadResult {
	transport := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 15 * time.Second}
	var res loadResult
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 42))
			base := bases[i%len(bases)]
			var lat []time.Duration
			bad, last := 0, ""
			for time.Now().Before(deadline) {
				t0 := time.Now()
				c := next(r)
				var body io.Reader
				if c.body != "" {
					body = strings.NewReader(c.body)
				}
				req, _ := http.NewRequest(cmp.Or(c.method, "GET"), base+c.path, body)
				req.Header.Set("User-Agent", humanUA)
				if c.body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				if c.key != "" {
					req.Header.Set("X-API-KEY", c.key)
				}
				resp, err := client.Do(req)
				if err != nil {
					bad, last = bad+1, err.Error()
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					bad, last = bad+1, req.URL.String()+": "+resp.Status
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			res.errors += bad
			if last != "" {
				res.lastError = last
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.latencies)
	if n := len(res.latencies); n > 0 {
		res.p50, res.p99 = res.latencies[n/2], res.latencies[min(n-1, n*99/100)]
	}
	return res
}

// cpuTimes is the CPU time (user and system) used so far by each group of
// processes of the cluster and by this process, the load generator.
type cpuTimes map[string]time.Duration

var cpuGroups = []string{"gateway", "search", "catalog", "nats", "load"}

func (s *scaling) cpuTime() cpuTimes {
	c := cpuTimes{"load": processCPU("self"), "machine": machineCPU()}
	for name, p := range s.procs {
		group, _, _ := strings.Cut(name, "-")
		if p.cmd != nil {
			c[group] += processCPU(strconv.Itoa(p.cmd.Process.Pid))
		}
	}
	return c
}

// since says how many cores each group kept busy on average over elapsed,
// and how many the whole machine did (other work included).
func (c cpuTimes) since(before cpuTimes, elapsed time.Duration) string {
	var parts []string
	for _, g := range cpuGroups {
		parts = append(parts, fmt.Sprintf("%.2f", (c[g]-before[g]).Seconds()/elapsed.Seconds()))
	}
	return strings.Join(parts, " / ") + fmt.Sprintf("; machine %.2f", (c["machine"]-before["machine"]).Seconds()/elapsed.Seconds())
}

// machineCPU reads the busy time of every core from /proc/stat (all but
// idle and iowait); 0 where /proc is not there.
func machineCPU() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal …
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var busy int64
	for i, v := range f[1:9] {
		if i == 3 || i == 4 {
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		busy += n
	}
	return time.Duration(busy) * 10 * time.Millisecond
}

// processCPU reads utime and stime of /proc/<pid>/stat (clock ticks of
// 1/100 s on Linux); 0 where /proc is not there.
func processCPU(pid string) time.Duration {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold
	// spaces: state is field 3, utime 14 and stime 15.
	rest := string(b[strings.LastIndexByte(string(b), ')')+2:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// loadAverage is the first three fields of /proc/loadavg: what else kept
// the machine busy.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func envInt(t *testing.T, key string, def int) int {
	t.Helper()
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, key)
	require.Positive(t, n, key)
	return n
}

func envDuration(t *testing.T, key string, def time.Duration) time.Duration {
	t.Helper()
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	require.NoError(t, err, key)
	require.Positive(t, d, key)
	return d
}
