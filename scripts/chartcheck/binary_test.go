package chartcheck

import (
	"bytes"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// relaisBinary builds the relais binary of this checkout once per test run
// (in the go.work workspace, like the test command builds it).
// $RELAIS_CHARTCHECK_BIN names a binary built beforehand instead.
var relaisBinary = sync.OnceValues(func() (string, error) {
	if bin := os.Getenv("RELAIS_CHARTCHECK_BIN"); bin != "" {
		return bin, nil
	}
	dir, err := os.MkdirTemp("", "relais-chartcheck-")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "relais")
	cmd := exec.Command("go", "build", "-ldflags", "-X "+versionVar+"="+checkVersion, "-o", bin, "./services/relais/cmd/relais")
	cmd.Dir = repoRoot
	cmd.Env = append(slices.DeleteFunc(os.Environ(), func(e string) bool { return strings.HasPrefix(e, "GOWORK=") }), "GOWORK=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", &buildError{err, out.String()}
	}
	return bin, nil
})

// The version variable the image's build sets, and the version the checks
// link into their binary (TestDockerfile reads it back).
const (
	versionVar   = "github.com/relais-data/relais/services/relais.Version"
	checkVersion = "v0.0.0-chartcheck"
)

// binDir is removed when the tests end.
var binDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "go build relais: " + e.err.Error() + "\n" + e.out }

// checkBinaryAcceptsConfig runs `relais config` with the environment,
// configuration file and arguments of every relais container the chart
// renders (Secrets replaced by placeholders): the binary must accept them
// — no unknown file key, no bad value, and every setting the pod's target
// needs (the checks New makes before any I/O: tokens, events URL, database,
// object store…) — the target must be the one the pod is labelled with,
// and every RELAIS_* variable the chart sets must name a key the binary
// knows (it silently ignores the others). A Job running a subcommand
// (`relais migrate`) is checked with `relais config migrate`.
func checkBinaryAcceptsConfig(t *testing.T, ms []manifest) {
	t.Helper()
	bin, err := relaisBinary()
	if err != nil {
		t.Fatal(err)
	}
	configMaps := configMapsOf(ms)
	for _, m := range ms {
		var tpl corev1.PodTemplateSpec
		switch o := m.Obj.(type) {
		case *appsv1.Deployment:
			tpl = o.Spec.Template
		case *batchv1.Job:
			tpl = o.Spec.Template
		default:
			continue
		}
		for _, c := range tpl.Spec.Containers {
			if !strings.Contains(c.Image, "relais") {
				continue
			}
			t.Run("relais config of "+m.Name, func(t *testing.T) {
				res := runConfig(t, bin, tpl.Spec, c, configMaps)
				if res.err != nil {
					t.Fatalf("relais %s refuses the chart's configuration: %v\n%s\nenv: %v", strings.Join(res.args, " "), res.err, res.stderr, res.env)
				}
				checkPrintedConfig(t, res)
				_, isJob := m.Obj.(*batchv1.Job)
				if want := tpl.Labels["app.kubernetes.io/component"]; !isJob && res.printed["target"] != want {
					t.Errorf("%s (component %s) runs target %v", m, want, res.printed["target"])
				}
			})
		}
	}
}

func configMapsOf(ms []manifest) map[string]*corev1.ConfigMap {
	configMaps := map[string]*corev1.ConfigMap{}
	for _, m := range ms {
		if cm, ok := m.Obj.(*corev1.ConfigMap); ok {
			configMaps[cm.Name] = cm
		}
	}
	return configMaps
}

var varRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// configRun is one `relais config` of a container.
type configRun struct {
	args    []string
	env     []string
	order   []string // the container's variables, in order
	stderr  string
	printed map[string]any
	err     error
}

// runConfig runs `relais config [subcommand] args…` as the container
// would run: its variables (Secrets replaced by placeholders, $(VAR)
// expanded), its configuration file.
func runConfig(t *testing.T, bin string, spec corev1.PodSpec, c corev1.Container, configMaps map[string]*corev1.ConfigMap) configRun {
	t.Helper()
	tmp := t.TempDir()
	env := map[string]string{}
	var order []string
	for _, e := range c.Env {
		v := e.Value
		if e.ValueFrom != nil {
			v = "placeholder-" + strings.ToLower(e.Name)
			if e.Name == "RELAIS_GATEWAY_SESSION_KEY" { // checked as base64 of 32 bytes
				v = "cGxhY2Vob2xkZXItc2Vzc2lvbi1rZXktb2YtMzJieXQ="
			}
		}
		// Kubernetes expands $(VAR) from the variables defined before.
		v = varRef.ReplaceAllStringFunc(v, func(ref string) string {
			if val, ok := env[ref[2:len(ref)-1]]; ok {
				return val
			}
			return ref
		})
		env[e.Name] = v
		order = append(order, e.Name)
	}
	if file, ok := env["RELAIS_CONFIG_FILE"]; ok {
		env["RELAIS_CONFIG_FILE"] = configFile(t, tmp, file, spec, c, configMaps)
	}
	// A subcommand (migrate) is checked by `relais config migrate`: the
	// checks `relais migrate` makes; else the checks of running the target.
	cmd := exec.Command(bin, append([]string{"config"}, c.Args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + tmp}
	for _, k := range order {
		cmd.Env = append(cmd.Env, k+"="+env[k])
	}
	cmd.Dir = tmp
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	res := configRun{args: cmd.Args[1:], env: cmd.Env, order: order}
	res.err = cmd.Run()
	res.stderr = stderr.String()
	if res.err != nil {
		return res
	}
	if err := yaml.Unmarshal(stdout.Bytes(), &res.printed); err != nil {
		t.Fatalf("relais config output: %v\n%s", err, stdout.String())
	}
	return res
}

// checkPrintedConfig asserts that every RELAIS_* variable of the container
// names a key `relais config` printed.
func checkPrintedConfig(t *testing.T, res configRun) {
	t.Helper()
	known := map[string]bool{"RELAIS_CONFIG_FILE": true}
	for _, p := range leafPaths(res.printed, "") {
		known["RELAIS_"+strings.ToUpper(strings.ReplaceAll(p, ".", "_"))] = true
	}
	for _, k := range res.order {
		if strings.HasPrefix(k, "RELAIS_") && !known[k] {
			t.Errorf("env %s names no configuration key of relais (it would be ignored); known: %v", k, sortedKeys(known))
		}
	}
}

// configFile writes the ConfigMap item mounted at path to a temporary file
// and returns its name.
func configFile(t *testing.T, tmp, file string, spec corev1.PodSpec, c corev1.Container, configMaps map[string]*corev1.ConfigMap) string {
	t.Helper()
	for _, vm := range c.VolumeMounts {
		if !strings.HasPrefix(file, vm.MountPath+"/") {
			continue
		}
		rel := strings.TrimPrefix(file, vm.MountPath+"/")
		for _, v := range spec.Volumes {
			if v.Name != vm.Name || v.ConfigMap == nil {
				continue
			}
			cm := configMaps[v.ConfigMap.Name]
			if cm == nil {
				t.Fatalf("ConfigMap %s is not rendered", v.ConfigMap.Name)
			}
			key := rel
			for _, it := range v.ConfigMap.Items {
				if it.Path == rel {
					key = it.Key
				}
			}
			data, ok := cm.Data[key]
			if !ok {
				t.Fatalf("ConfigMap %s has no key %s", cm.Name, key)
			}
			out := filepath.Join(tmp, path.Base(rel))
			if err := os.WriteFile(out, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			return out
		}
	}
	t.Fatalf("RELAIS_CONFIG_FILE=%s is on no ConfigMap volume", file)
	return ""
}

func leafPaths(v any, prefix string) []string {
	m, ok := v.(map[string]any)
	if !ok {
		return []string{prefix}
	}
	var out []string
	for k, c := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		out = append(out, leafPaths(c, p)...)
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The check of every pod's configuration catches a setting the chart
// forgets: each pod of a scenario, less one variable its target needs, is
// refused by `relais config` with the key and its variable — as the pod
// would be at start (the gateway the chart rendered before it knew the
// storage target refused to start for want of the storage token).
func TestBinaryRefusesIncompletePods(t *testing.T) {
	bin, err := relaisBinary()
	if err != nil {
		t.Fatal(err)
	}
	ms := renderStrict(t, []string{scenarioFile(t, "distributed.yaml")})
	configMaps := configMapsOf(ms)
	pods := map[string]corev1.PodSpec{}
	for _, p := range podTemplates(ms) {
		pods[p.Owner] = p.Spec.Spec
	}
	for _, tc := range []struct{ pod, drop, want string }{
		{"Deployment r-relais-gateway", "RELAIS_STORAGE_SERVICE_TOKEN", "storage.service_token (RELAIS_STORAGE_SERVICE_TOKEN) is required with -target=gateway"},
		{"Deployment r-relais-storage", "RELAIS_STORAGE_SERVICE_TOKEN", "storage.service_token (RELAIS_STORAGE_SERVICE_TOKEN) is required with -target=storage"},
		{"Deployment r-relais-storage", "RELAIS_STORAGE_BLOB_S3_ENDPOINT", "storage.blob.s3.endpoint (RELAIS_STORAGE_BLOB_S3_ENDPOINT) is required"},
		{"Deployment r-relais-storage", "RELAIS_EVENTS_URL", "events.url (RELAIS_EVENTS_URL) is required with -target=storage"},
		{"Deployment r-relais-storage", "RELAIS_STORAGE_DB_DSN", "storage.db.dsn (RELAIS_STORAGE_DB_DSN) is required"},
		{"Deployment r-relais-catalog", "RELAIS_CATALOG_TOKEN_SECRET", "catalog.token_secret (RELAIS_CATALOG_TOKEN_SECRET) is required with -target=catalog"},
		{"Job r-relais-migrate", "RELAIS_STORAGE_DB_DSN", "storage.db.dsn (RELAIS_STORAGE_DB_DSN) is required"},
		{"StatefulSet r-relais-search", "RELAIS_SEARCH_SERVICE_TOKEN", "search.service_token (RELAIS_SEARCH_SERVICE_TOKEN) is required with -target=search"},
		{"StatefulSet r-relais-search", "RELAIS_SEARCH_CATALOG_ADDR", "search.catalog_addr (RELAIS_SEARCH_CATALOG_ADDR) is required with -target=search"},
		{"Deployment r-relais-preview", "RELAIS_PREVIEW_CATALOG_API_KEY", "preview.catalog_api_key (RELAIS_PREVIEW_CATALOG_API_KEY) is required with -target=preview"},
		{"Deployment r-relais-preview", "RELAIS_PREVIEW_STORAGE_ADDR", "preview.storage_addr (RELAIS_PREVIEW_STORAGE_ADDR) is required with -target=preview"},
		{"Deployment r-relais-analytics", "RELAIS_ANALYTICS_CATALOG_API_KEY", "analytics.catalog_api_key (RELAIS_ANALYTICS_CATALOG_API_KEY) is required"},
		{"Deployment r-relais-analytics", "RELAIS_ANALYTICS_DB_DSN", "analytics.db.dsn (RELAIS_ANALYTICS_DB_DSN) is required"},
		{"Job r-relais-migrate", "RELAIS_SEARCH_DB_DSN", "search.db.dsn (RELAIS_SEARCH_DB_DSN) is required"},
		{"Deployment r-relais-harvest", "RELAIS_HARVEST_CATALOG_API_KEY", "harvest.catalog_api_key (RELAIS_HARVEST_CATALOG_API_KEY) are required with -target=harvest"},
		{"Deployment r-relais-harvest", "RELAIS_HARVEST_CATALOG_ADDR", "harvest.catalog_addr (RELAIS_HARVEST_CATALOG_ADDR) and"},
		{"Deployment r-relais-harvest", "RELAIS_HARVEST_DB_DSN", "harvest.db.dsn (RELAIS_HARVEST_DB_DSN) is required"},
		{"Job r-relais-migrate", "RELAIS_HARVEST_DB_DSN", "harvest.db.dsn (RELAIS_HARVEST_DB_DSN) is required"},
	} {
		t.Run(tc.pod+" without "+tc.drop, func(t *testing.T) {
			var spec corev1.PodSpec
			for owner, s := range pods {
				if strings.HasPrefix(owner, tc.pod+" ") {
					spec = *s.DeepCopy()
				}
			}
			if len(spec.Containers) == 0 {
				t.Fatalf("no pod %s", tc.pod)
			}
			c := spec.Containers[0]
			n := len(c.Env)
			c.Env = slices.DeleteFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == tc.drop })
			if len(c.Env) == n {
				t.Fatalf("%s sets no %s", tc.pod, tc.drop)
			}
			res := runConfig(t, bin, spec, c, configMaps)
			if res.err == nil {
				t.Fatalf("relais %s accepts %s without %s", strings.Join(res.args, " "), tc.pod, tc.drop)
			}
			if !strings.Contains(res.stderr, tc.want) {
				t.Errorf("relais %s:\n%s\nwant %q", strings.Join(res.args, " "), res.stderr, tc.want)
			}
		})
	}
}
