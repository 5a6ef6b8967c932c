package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/services/relais"
)

// TestDistributedKills runs Relais distributed as on Kubernetes, every
// part a process of its own on loopback: a 3-node NATS JetStream cluster
// (stream replicas 3), PostgreSQL (a database per service), MinIO, and
// `relais -target=catalog|storage|search|preview|analytics|harvest|gateway`. A
// write load goes through the gateway (dataset creations, uploads,
// updates, views) while the test kills with SIGKILL, one at a time, each
// target and one NATS node, and starts it again. Then: every acknowledged
// write is there, every event was processed (search finds every dataset
// once, with its last description; every uploaded CSV is queryable with
// its rows; the audience counts equal the views sent) and nothing was
// applied twice.
//
// It runs with RELAIS_TEST_DISTRIBUTED=1 (scripts/test.sh sets it), on the
// PostgreSQL and MinIO of RELAIS_TEST_POSTGRES_URL and RELAIS_TEST_S3_*.
func TestDistributedKills(t *testing.T) {
	if os.Getenv("RELAIS_TEST_DISTRIBUTED") != "1" {
		t.Skip("RELAIS_TEST_DISTRIBUTED=1 runs it (scripts/test.sh): a NATS cluster, PostgreSQL, MinIO and every target as processes, about a minute")
	}
	began := time.Now()
	c := startDistributed(t)
	t.Logf("cluster ready in %v (3 NATS nodes, %d targets)", time.Since(began).Round(time.Millisecond), len(clusterTargets))

	load := newWriteLoad(c)
	load.run(2)
	victims := []string{"catalog", "storage", "search", "analytics", "preview", "gateway", "nats-2"}
	ready := map[string]time.Duration{}
	for _, name := range victims {
		time.Sleep(4 * time.Second)
		p := c.procs[name]
		// The gateway publishes views from memory a batch every 100 ms
		// without waiting (a response never waits on the bus): a killed
		// gateway loses the batch in hand, by design. The views pause
		// around its death so that their count stays exact.
		pauseViews := name == "gateway"
		if pauseViews {
			load.views.Store(false)
			time.Sleep(time.Second)
		}
		p.kill(t)
		time.Sleep(time.Second) // down, under load
		ready[name] = p.start(t)
		load.views.Store(true)
		t.Logf("killed %s (SIGKILL), ready again %v after its start", name, ready[name].Round(time.Millisecond))
	}
	time.Sleep(3 * time.Second)
	load.stop()
	t.Logf("load: %s", load.summary())

	lost, dup := c.check(t, load)
	c.checkMetrics(t)
	t.Logf("distributed kill test: wall time %v; events lost %d, duplicated %d; ready again after SIGKILL: %s",
		time.Since(began).Round(time.Second), lost, dup, readyTimes(victims, ready))
	require.Zero(t, lost, "events lost")
	require.Zero(t, dup, "events applied twice")
}

func readyTimes(order []string, ready map[string]time.Duration) string {
	var parts []string
	for _, n := range order {
		parts = append(parts, fmt.Sprintf("%s %v", n, ready[n].Round(time.Millisecond)))
	}
	return strings.Join(parts, ", ")
}

// distributed is the kill test's cluster.
type distributed struct {
	*cluster
	t *testing.T
}

// startDistributed starts a cluster of the test's own, tuned for kills: a
// killed process's events come back after a few seconds (not the
// default minutes), the audience figures reach the catalog every second,
// and one client may send every view of the load.
func startDistributed(t *testing.T) *distributed {
	t.Helper()
	c := newCluster(t, t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(c.logs(15))
		}
	})
	cfg := relais.DefaultConfig()
	// An analysis in flight in a killed process is redelivered after
	// ack_wait (default 1 minute, kept longer by heartbeats while it runs).
	cfg.Preview.AckWait = 10 * time.Second
	cfg.Analytics.AckWait = 3 * time.Second
	cfg.Analytics.PushInterval = time.Second
	cfg.Gateway.MaxViewsPerClientPerMinute = 1_000_000
	c.startTargets(t, cfg)
	return &distributed{cluster: c, t: t}
}

// adminOf finds RELAIS_ADMIN_ADDR in env.
func adminOf(env []string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "RELAIS_ADMIN_ADDR="); ok {
			return v
		}
	}
	return ""
}

// A human's user agent: the audience counts it (robots apart).
const humanUA = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"

// robotUA reads without adding to the audience.
const robotUA = "Mozilla/5.0 (compatible; Googlebot/2.1)"

// writeLoad writes through the gateway and keeps what was acknowledged.
type writeLoad struct {
	c     *distributed
	http  *http.Client
	views atomic.Bool // views are sent while true
	quit  chan struct{}
	wg    sync.WaitGroup
	next  atomic.Int64

	mu       sync.Mutex
	datasets map[string]*written // by id, acknowledged creations
	viewed   []string            // the datasets views go to
	sent     map[string]int      // views answered 200, by dataset
	failed   map[string]int      // unacknowledged writes, by kind
	ops      map[string]int      // acknowledged writes, by kind
	// lastError is the last unacknowledged answer, for failure messages.
	lastError string
}

// written is what was acknowledged of one dataset.
type written struct {
	word string
	// description is the last acknowledged one; tried, one whose request
	// failed (it may or may not have been applied).
	description, tried string
	resources          map[string]int // resource id → rows of its CSV
	uploads            int            // acknowledged uploads
}

func newWriteLoad(c *distributed) *writeLoad {
	l := &writeLoad{c: c, http: &http.Client{Timeout: 15 * time.Second}, quit: make(chan struct{}),
		datasets: map[string]*written{}, sent: map[string]int{}, failed: map[string]int{}, ops: map[string]int{}}
	l.views.Store(true)
	// The datasets the views go to, made before the kills.
	for range 5 {
		id, _ := l.create()
		require.NotEmpty(c.t, id, "create a dataset through the gateway: %s", l.lastError)
		l.viewed = append(l.viewed, id)
	}
	return l
}

func (l *writeLoad) run(workers int) {
	for range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for {
				select {
				case <-l.quit:
					return
				default:
				}
				l.step()
			}
		}()
	}
}

func (l *writeLoad) stop() { close(l.quit); l.wg.Wait() }

// step creates a dataset, uploads a CSV to it, updates its description
// and views one of the viewed datasets twice.
func (l *writeLoad) step() {
	id, w := l.create()
	if id != "" {
		rows := 2 + int(l.next.Load()%5)
		if rid := l.upload(id, rows); rid != "" {
			l.mu.Lock()
			w.resources[rid] = rows
			w.uploads++
			l.mu.Unlock()
		}
		desc := "Deuxième version " + w.word
		ok := l.write("update", "PUT", "/api/1/datasets/"+id+"/", map[string]any{"description": desc}, http.StatusOK) != nil
		l.mu.Lock()
		if ok {
			w.description = desc
		} else {
			w.tried = desc
		}
		l.mu.Unlock()
	}
	if l.views.Load() {
		target := l.viewed[int(l.next.Load())%len(l.viewed)]
		for range 2 {
			if !l.views.Load() {
				break
			}
			if l.view(target) {
				l.mu.Lock()
				l.sent[target]++
				l.mu.Unlock()
			}
		}
	}
}

// word is a word found in one dataset only: eight letters from a hash of
// i, far from every other word (the search forgives a typo or two).
func word(i int64) string {
	const letters = "bcdfghjklmnpqrstvwxz"
	h := sha256.Sum256([]byte(strconv.FormatInt(i, 10)))
	b := make([]byte, 8)
	for j := range b {
		b[j] = letters[int(h[j])%len(letters)]
	}
	return string(b)
}

func (l *writeLoad) create() (string, *written) {
	w := &written{word: word(l.next.Add(1)), resources: map[string]int{}}
	w.description = "Première version " + w.word
	obj := l.write("create", "POST", "/api/1/datasets/", map[string]any{"title": "Relevé " + w.word, "description": w.description}, http.StatusCreated)
	id, _ := obj["id"].(string)
	if id == "" {
		return "", nil
	}
	l.mu.Lock()
	l.datasets[id] = w
	l.mu.Unlock()
	return id, w
}

func (l *writeLoad) upload(id string, rows int) string {
	var csv bytes.Buffer
	csv.WriteString("jour;valeur\n")
	for i := range rows {
		fmt.Fprintf(&csv, "2026-11-%02d;%d\n", i+1, i*10)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "releve.csv")
	fw.Write(csv.Bytes())
	mw.Close()
	req, _ := http.NewRequest("POST", l.c.base+"/api/1/datasets/"+id+"/upload/", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-API-KEY", l.c.token)
	obj := l.send("upload", req, http.StatusCreated)
	rid, _ := obj["id"].(string)
	return rid
}

func (l *writeLoad) view(id string) bool {
	req, _ := http.NewRequest("GET", l.c.base+"/api/1/datasets/"+id+"/", nil)
	req.Header.Set("User-Agent", humanUA)
	return l.send("view", req, http.StatusOK) != nil
}

func (l *writeLoad) write(kind, method, path string, body any, want int) map[string]any {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, l.c.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-KEY", l.c.token)
	return l.send(kind, req, want)
}

// send does one request: its JSON object when it answers want, else nil
// (counted as unacknowledged).
func (l *writeLoad) send(kind string, req *http.Request, want int) map[string]any {
	res, err := l.http.Do(req)
	answer := fmt.Sprint(err)
	if err == nil {
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var obj map[string]any
		if res.StatusCode == want && json.Unmarshal(raw, &obj) == nil {
			l.mu.Lock()
			l.ops[kind]++
			l.mu.Unlock()
			return obj
		}
		answer = fmt.Sprintf("%s %s: %d %.300s", req.Method, req.URL.Path, res.StatusCode, raw)
	}
	l.mu.Lock()
	l.failed[kind]++
	l.lastError = answer
	l.mu.Unlock()
	time.Sleep(50 * time.Millisecond) // a target is down: do not spin
	return nil
}

func (l *writeLoad) summary() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var parts []string
	for _, k := range []string{"create", "upload", "update", "view"} {
		parts = append(parts, fmt.Sprintf("%s %d acknowledged, %d failed", k, l.ops[k], l.failed[k]))
	}
	return strings.Join(parts, "; ")
}

// check waits for the events to be processed and counts what is missing
// (lost) and what is there more than once (duplicated).
func (c *distributed) check(t *testing.T, l *writeLoad) (lost, dup int) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	ids := make([]string, 0, len(l.datasets))
	for id := range l.datasets {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	report := func(format string, args ...any) { t.Errorf(format, args...) }

	// 1. Every acknowledged write is in the catalog, once.
	for _, id := range ids {
		w := l.datasets[id]
		d := c.get(t, "/api/1/datasets/"+id+"/", robotUA)
		if d == nil {
			lost++
			report("dataset %s (%s): acknowledged, not in the catalog", id, w.word)
			continue
		}
		if got := d["description"]; got != w.description && (w.tried == "" || got != w.tried) {
			lost++
			report("dataset %s: description %q, want the acknowledged %q", id, got, w.description)
		}
		res, _ := d["resources"].([]any)
		found := map[string]int{}
		for _, r := range res {
			found[r.(map[string]any)["id"].(string)]++
		}
		for rid := range w.resources {
			switch found[rid] {
			case 0:
				lost++
				report("dataset %s: acknowledged upload %s missing", id, rid)
			case 1:
			default:
				dup++
				report("dataset %s: resource %s listed %d times", id, rid, found[rid])
			}
		}
		if len(res) > 1 {
			dup++
			report("dataset %s: one upload, %d resources", id, len(res))
		}
	}

	// 2. Search: every dataset of the catalog indexed once, with the
	// catalog's last description (the creations and updates processed).
	total := func(path string) float64 {
		obj := c.get(t, path, robotUA)
		n, _ := obj["total"].(float64)
		return n
	}
	catalogTotal := total("/api/1/datasets/?page_size=1")
	if catalogTotal < float64(len(ids)) {
		report("catalog lists %v datasets, %d acknowledged", catalogTotal, len(ids))
	}
	if !waitUntil(2*time.Minute, func() bool { return total("/api/2/datasets/search/?page_size=1") == catalogTotal }) {
		n := total("/api/2/datasets/search/?page_size=1")
		if n < catalogTotal {
			lost += int(catalogTotal - n)
		} else {
			dup += int(n - catalogTotal)
		}
		report("search counts %v datasets, the catalog %v", n, catalogTotal)
	}
	for _, id := range ids {
		w := l.datasets[id]
		var hits []any
		var found int
		ok := waitUntil(30*time.Second, func() bool {
			obj := c.get(t, "/api/2/datasets/search/?q="+url.QueryEscape(w.word), robotUA)
			hits, _ = obj["data"].([]any)
			var mine []map[string]any
			for _, h := range hits {
				if h := h.(map[string]any); h["id"] == id {
					mine = append(mine, h)
				}
			}
			found = len(mine)
			return found == 1 && (mine[0]["description"] == w.description || (w.tried != "" && mine[0]["description"] == w.tried))
		})
		if !ok {
			if found > 1 {
				dup++
			} else {
				lost++
			}
			report("search %q: dataset %s found %d times in %d hits, want once with %q", w.word, id, found, len(hits), w.description)
		}
	}

	// 3. Preview: every uploaded CSV analyzed and queryable, its rows once.
	// A killed preview's analysis in flight comes back after ack_wait.
	pending := map[string]int{}
	for _, id := range ids {
		for rid, rows := range l.datasets[id].resources {
			pending[rid] = rows
		}
	}
	got := map[string]float64{}
	last := map[string]string{}
	waitUntil(90*time.Second, func() bool {
		for rid, rows := range pending {
			obj := c.get(t, "/api/resources/"+rid+"/data/?page_size=1", robotUA)
			meta, _ := obj["meta"].(map[string]any)
			got[rid], _ = meta["total"].(float64)
			if got[rid] == float64(rows) {
				delete(pending, rid)
			} else {
				res, _ := c.get(t, "/api/2/datasets/resources/"+rid+"/", robotUA)["resource"].(map[string]any)
				last[rid] = fmt.Sprint(res["extras"])
			}
		}
		return len(pending) == 0
	})
	for rid, rows := range pending {
		if got[rid] > float64(rows) {
			dup++
		} else {
			lost++
		}
		report("resource %s: %v rows in the tabular API, want %d (extras %.400s)", rid, got[rid], rows, last[rid])
	}

	// 4. Analytics: the views counted equal the views sent, and stay so
	// once the redeliveries of the killed process's events are past.
	month := time.Now().UTC().Format("2006-01")
	counted := func(id string) float64 {
		obj := c.get(t, fmt.Sprintf("/metric-api/api/datasets/data/?dataset_id__exact=%s&metric_month__exact=%s", id, month), robotUA)
		data, _ := obj["data"].([]any)
		if len(data) != 1 {
			return 0
		}
		n, _ := data[0].(map[string]any)["monthly_visit_api"].(float64)
		return n
	}
	waitUntil(time.Minute, func() bool {
		for _, id := range l.viewed {
			if counted(id) < float64(l.sent[id]) {
				return false
			}
		}
		return true
	})
	time.Sleep(5 * time.Second)
	for _, id := range l.viewed {
		want, got := float64(l.sent[id]), counted(id)
		switch {
		case got < want:
			lost += int(want - got)
			report("dataset %s: %v views counted, %v sent", id, got, want)
		case got > want:
			dup += int(got - want)
			report("dataset %s: %v views counted, %v sent", id, got, want)
		}
	}
	return lost, dup
}

// get reads a JSON object through the gateway (nil unless 200).
func (c *distributed) get(t *testing.T, path, ua string) map[string]any {
	t.Helper()
	req, err := http.NewRequest("GET", c.base+path, nil)
	require.NoError(t, err)
	req.Header.Set("User-Agent", ua)
	res, err := (&http.Client{Timeout: 15 * time.Second}).Do(req)
	if err != nil {
		return nil
	}
	defer res.Body.Close()
	var obj map[string]any
	if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&obj) != nil {
		return nil
	}
	return obj
}

// checkMetrics reads each target's /metrics (the admin port, as Prometheus
// does) and finds what an operator watches: request rate and latency,
// consumer lag, outbox backlog, upload bytes.
func (c *distributed) checkMetrics(t *testing.T) {
	t.Helper()
	want := map[string][]string{
		"gateway":   {`relais_http_requests_total{code="201",method="POST",route=`, "relais_http_request_duration_seconds_bucket{"},
		"catalog":   {`relais_grpc_server_handled_total{code="OK",method="/relais.catalog.v1.CatalogService/CreateDataset"}`, "relais_grpc_server_handling_seconds_bucket{", "relais_events_outbox_relayed_total ", "relais_events_outbox_oldest_age_seconds "},
		"storage":   {"relais_storage_upload_bytes_total ", "relais_storage_uploads_total ", "relais_events_outbox_relayed_total "},
		"search":    {`relais_events_consumer_pending{durable="search-index"}`, `relais_events_consumer_processed_total{durable="search-index",outcome="ok"}`},
		"analytics": {"relais_events_consumer_pending{", "relais_grpc_server_handled_total{"},
		"preview":   {"relais_events_consumer_pending{", "relais_events_consumer_processed_total{"},
	}
	for name, series := range want {
		res, err := http.Get("http://" + adminOf(c.procs[name].env) + "/metrics")
		require.NoError(t, err)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		for _, s := range series {
			if !bytes.Contains(body, []byte(s)) {
				t.Errorf("%s /metrics has no %s", name, s)
			}
		}
	}
}
