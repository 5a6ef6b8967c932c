package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relais-data/relais/pkg/sqldb"
	"github.com/relais-data/relais/pkg/sqldb/sqldbtest"
)

// A cluster of processes on loopback for the distributed mode: three
// nats-server nodes clustered with JetStream, and every relais target as a
// process of the built binary, each of which a test may stop or SIGKILL
// and start again with the same configuration.

// proc is one process of the cluster.
type proc struct {
	name  string
	bin   string
	args  []string
	env   []string
	ready string // URL answering 200 once the process is ready
	logs  string
	cmd   *exec.Cmd
	// exited is closed when cmd ends.
	exited chan struct{}
}

// start runs the process and waits until it is ready; it returns how long
// that took.
func (p *proc) start(t testing.TB) time.Duration {
	t.Helper()
	d, err := p.launch()
	require.NoError(t, err)
	return d
}

// launch is start reporting an error instead of failing a test.
func (p *proc) launch() (time.Duration, error) { return p.launchUntil(nil) }

// launchUntil is launch given up, the process killed, when abort closes
// (the NATS nodes that start together: one failed, the others wait for it
// in vain).
func (p *proc) launchUntil(abort <-chan struct{}) (time.Duration, error) {
	if p.running() {
		return 0, fmt.Errorf("%s is already running", p.name)
	}
	began := time.Now()
	logf, err := os.OpenFile(p.logs, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(logf, "\n==== start %s\n", began.Format(time.RFC3339Nano))
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group, and SIGKILL when the test binary dies (a
	// panic, -timeout): no process outlives the test run.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return 0, fmt.Errorf("start %s: %w", p.name, err)
	}
	p.cmd, p.exited = cmd, make(chan struct{})
	exited := p.exited
	go func() { _ = cmd.Wait(); logf.Close(); close(exited) }()
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-exited:
			return 0, fmt.Errorf("%s exited before it was ready:\n%s", p.name, tail(p.logs, 30))
		case <-abort:
			p.signal(syscall.SIGKILL)
			<-exited
			return 0, fmt.Errorf("%s: start given up", p.name)
		default:
		}
		if res, err := client.Get(p.ready); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return time.Since(began), nil
			}
		}
		if time.Since(began) > 2*time.Minute {
			p.signal(syscall.SIGKILL)
			<-exited
			return 0, fmt.Errorf("%s not ready after 2 minutes:\n%s", p.name, tail(p.logs, 30))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// running says whether the process was started and has not ended.
func (p *proc) running() bool {
	if p.cmd == nil {
		return false
	}
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// signal sends sig to the process's group.
func (p *proc) signal(sig syscall.Signal) {
	_ = syscall.Kill(-p.cmd.Process.Pid, sig)
}

// kill ends the process with SIGKILL, as a node failure or the OOM killer
// would: no shutdown code runs.
func (p *proc) kill(t testing.TB) {
	t.Helper()
	require.True(t, p.running(), "%s is not running", p.name)
	p.signal(syscall.SIGKILL)
	<-p.exited
}

// stop ends the process with SIGTERM (a graceful stop), or SIGKILL after
// 20 seconds. It does nothing when the process is not running.
func (p *proc) stop() {
	if !p.running() {
		return
	}
	p.signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		p.signal(syscall.SIGKILL)
		<-p.exited
	}
}

// restart starts the process again after stop (a portal's search target).
func (p *proc) restart(t testing.TB) { p.start(t) }

// tail returns the last n lines of a log file.
func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// natsServerBinary is nats-server from PATH (scripts/tools.sh installs
// v2.15.2), else built from the version this module depends on into dir.
func natsServerBinary(t testing.TB, dir string) string {
	t.Helper()
	if p, err := exec.LookPath("nats-server"); err == nil {
		return p
	}
	bin := filepath.Join(dir, "nats-server")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/nats-io/nats-server/v2").CombinedOutput()
	require.NoError(t, err, "nats-server is not on PATH (scripts/tools.sh installs it) and go build failed: %s", out)
	return bin
}

// natsCluster writes the configuration of three clustered JetStream nodes
// on loopback and returns their processes (not started) and the client
// URL listing all three.
func natsCluster(t testing.TB, bin, dir string) ([]*proc, string) {
	t.Helper()
	const n = 3
	ports := freePorts(t, 3*n)
	client, route, monitor := ports[:n], ports[n:2*n], ports[2*n:]
	var routes, urls []string
	for i := range n {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", route[i]))
		urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", client[i]))
	}
	var nodes []*proc
	for i := range n {
		name := fmt.Sprintf("nats-%d", i+1)
		conf := filepath.Join(dir, name+".conf")
		require.NoError(t, os.WriteFile(conf, []byte(fmt.Sprintf(`server_name: %s
listen: 127.0.0.1:%d
http: 127.0.0.1:%d
jetstream {
  store_dir: %q
  max_memory_store: 256MB
  max_file_store: 2GB
}
cluster {
  name: relais
  listen: 127.0.0.1:%d
  routes: [%s]
}
`, name, client[i], monitor[i], filepath.Join(dir, name), route[i], strings.Join(routes, ", "))), 0o644))
		nodes = append(nodes, &proc{
			name: name, bin: bin, args: []string{"-c", conf},
			// Ready: JetStream up and the node caught up with the meta group.
			ready: fmt.Sprintf("http://127.0.0.1:%d/healthz", monitor[i]),
			logs:  filepath.Join(dir, name+".log"),
		})
	}
	return nodes, strings.Join(urls, ",")
}

// startNATS starts the nodes together (each waits for the others to form
// the cluster) and waits until every one is healthy.
func startNATS(t testing.TB, nodes []*proc) {
	t.Helper()
	require.NoError(t, tryStartNATS(nodes))
}

// tryStartNATS is startNATS reporting an error; when a node fails, the
// others are stopped at once.
func tryStartNATS(nodes []*proc) error {
	errs := make([]error, len(nodes))
	abort := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, errs[i] = n.launchUntil(abort); errs[i] != nil {
				once.Do(func() { close(abort) })
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// startNATSCluster starts three clustered nodes (natsCluster) and returns
// them and their client URL. A port chosen free may be taken by another
// process before a node binds it: then it starts again on other ports, up
// to three times.
func startNATSCluster(t testing.TB, bin, dir string) ([]*proc, string) {
	t.Helper()
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		nodes, url := natsCluster(t, bin, dir)
		if err = tryStartNATS(nodes); err == nil {
			return nodes, url
		}
		for _, n := range nodes {
			n.stop()
			require.NoError(t, os.RemoveAll(filepath.Join(dir, n.name)))
		}
		t.Logf("NATS cluster, attempt %d of 3: %v", attempt, err)
	}
	require.NoError(t, err)
	return nil, ""
}

// createUser runs `relais admin create-user --sysadmin` with env (the
// catalog's database and token secret) and returns the API token.
func createUser(t testing.TB, bin string, env []string, email string) string {
	t.Helper()
	cmd := exec.Command(bin, "admin", "create-user", "--email", email, "--sysadmin", "--first-name", "Admin", "--last-name", "Relais")
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	require.NoError(t, cmd.Run(), "relais admin create-user: %s", errb.String())
	m := regexp.MustCompile(`(?m)^API token.*: (udata_\S+)$`).FindStringSubmatch(out.String())
	require.NotNil(t, m, "create-user prints the token: %s", out.String())
	return m[1]
}

// createDatabase creates a database on the PostgreSQL server of
// RELAIS_TEST_POSTGRES_URL and returns its URL; drop removes it. (sqldbtest
// ties a database to one test; the distributed mode's outlives its tests.)
func createDatabase(t testing.TB, prefix string) (dsn string, drop func()) {
	t.Helper()
	server := os.Getenv(sqldbtest.EnvPostgresURL)
	ctx := context.Background()
	admin, err := sqldb.Open(ctx, sqldb.Config{Driver: string(sqldb.Postgres), DSN: server, MaxOpenConns: 1})
	require.NoError(t, err)
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := prefix + "_" + hex.EncodeToString(b)
	_, err = admin.ExecContext(ctx, "CREATE DATABASE "+name)
	require.NoError(t, err)
	u, err := url.Parse(server)
	require.NoError(t, err)
	u.Path = "/" + name
	return u.String(), func() {
		admin, err := sqldb.Open(ctx, sqldb.Config{Driver: string(sqldb.Postgres), DSN: server, MaxOpenConns: 1})
		if err != nil {
			fmt.Fprintf(os.Stderr, "drop database %s: %v\n", name, err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "drop database %s: %v\n", name, err)
		}
	}
}

// freePorts returns n distinct free ports of 127.0.0.1 for processes that
// listen on the same port again after a restart. They are taken below the
// kernel's ephemeral range (32768–60999 here), where outgoing connections
// get their local ports: a port from that range, free when chosen, was
// once taken by a connection while its target was down (CI: "bind:
// address already in use"). Each is held until all are chosen.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	for tries := 0; len(ports) < n; tries++ {
		require.Less(t, tries, lowPortSpan, "no free port below the ephemeral range")
		port := lowPortBase + int(nextLowPort.Add(1))%lowPortSpan
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue
		}
		defer ln.Close()
		ports = append(ports, port)
	}
	return ports
}

// Ports of freePorts: from lowPortBase on, starting at a random offset so
// that two test binaries rarely walk the same ports.
const lowPortBase, lowPortSpan = 20000, 12000

var nextLowPort = func() *atomic.Int64 {
	var n atomic.Int64
	n.Store(mrand.Int64N(lowPortSpan))
	return &n
}()

// loopback is 127.0.0.1 and a free port.
func loopback(t testing.TB) string { return "127.0.0.1:" + strconv.Itoa(freePort(t)) }

// waitUntil polls cond every 100 ms until it holds or timeout passes, and
// says whether it held.
func waitUntil(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// healthy says whether u answers 200.
func healthy(u string) bool {
	client := &http.Client{Timeout: time.Second}
	res, err := client.Get(u)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}
