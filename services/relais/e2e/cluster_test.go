package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A cluster of processes on loopback for the distributed test: three
// nats-server nodes clustered with JetStream, and every relais target as a
// process of the built binary, each of which the test may SIGKILL and
// start again with the same configuration.

// proc is one process of the cluster.
type proc struct {
	t     testing.TB
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
func (p *proc) start() time.Duration {
	p.t.Helper()
	began := time.Now()
	logf, err := os.OpenFile(p.logs, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(p.t, err)
	fmt.Fprintf(logf, "\n==== start %s\n", began.Format(time.RFC3339Nano))
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	require.NoError(p.t, cmd.Start(), "start %s", p.name)
	p.cmd, p.exited = cmd, make(chan struct{})
	exited := p.exited
	go func() { _ = cmd.Wait(); logf.Close(); close(exited) }()
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-exited:
			p.t.Fatalf("%s exited before it was ready:\n%s", p.name, tail(p.logs, 30))
		default:
		}
		if res, err := client.Get(p.ready); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return time.Since(began)
			}
		}
		if time.Since(began) > 2*time.Minute {
			p.t.Fatalf("%s not ready after 2 minutes:\n%s", p.name, tail(p.logs, 30))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL, as a node failure or the OOM killer
// would: no shutdown code runs.
func (p *proc) kill() {
	p.t.Helper()
	require.NoError(p.t, p.cmd.Process.Signal(syscall.SIGKILL))
	<-p.exited
}

// stop ends the process with SIGTERM (a graceful stop), or SIGKILL after
// 20 seconds.
func (p *proc) stop() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

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
// v2.15.2), else built from the version this module depends on.
func natsServerBinary(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("nats-server"); err == nil {
		return p
	}
	bin := filepath.Join(t.TempDir(), "nats-server")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/nats-io/nats-server/v2").CombinedOutput()
	require.NoError(t, err, "nats-server is not on PATH (scripts/tools.sh installs it) and go build failed: %s", out)
	return bin
}

// natsCluster writes the configuration of three clustered JetStream nodes
// on loopback and returns their processes (not started) and the client
// URL listing all three.
func natsCluster(t *testing.T, bin, dir string) ([]*proc, string) {
	t.Helper()
	const n = 3
	client, route, monitor := make([]int, n), make([]int, n), make([]int, n)
	for i := range n {
		client[i], route[i], monitor[i] = freePort(t), freePort(t), freePort(t)
	}
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
			t: t, name: name, bin: bin, args: []string{"-c", conf},
			// Ready: JetStream up and the node caught up with the meta group.
			ready: fmt.Sprintf("http://127.0.0.1:%d/healthz", monitor[i]),
			logs:  filepath.Join(dir, name+".log"),
		})
	}
	return nodes, strings.Join(urls, ",")
}

// createUser runs `relais admin create-user --sysadmin` with env (the
// catalog's database and token secret) and returns the API token.
func createUser(t *testing.T, bin string, env []string, email string) string {
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

// loopback is 127.0.0.1 and a free port.
func loopback(t *testing.T) string { return "127.0.0.1:" + strconv.Itoa(freePort(t)) }

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
