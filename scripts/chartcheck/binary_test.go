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
// (no unknown file key, no bad value, a complete configuration for its
// target), and every RELAIS_* variable the chart sets must name a key the
// binary knows — it silently ignores the others.
func checkBinaryAcceptsConfig(t *testing.T, ms []manifest) {
	t.Helper()
	bin, err := relaisBinary()
	if err != nil {
		t.Fatal(err)
	}
	configMaps := map[string]*corev1.ConfigMap{}
	for _, m := range ms {
		if cm, ok := m.Obj.(*corev1.ConfigMap); ok {
			configMaps[cm.Name] = cm
		}
	}
	for _, m := range ms {
		var spec corev1.PodSpec
		switch o := m.Obj.(type) {
		case *appsv1.Deployment:
			spec = o.Spec.Template.Spec
		case *batchv1.Job:
			spec = o.Spec.Template.Spec
		default:
			continue
		}
		for _, c := range spec.Containers {
			if !strings.Contains(c.Image, "relais") {
				continue
			}
			t.Run("relais config of "+m.Name, func(t *testing.T) {
				runConfig(t, bin, spec, c, configMaps)
			})
		}
	}
}

var varRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

func runConfig(t *testing.T, bin string, spec corev1.PodSpec, c corev1.Container, configMaps map[string]*corev1.ConfigMap) {
	tmp := t.TempDir()
	env := map[string]string{}
	var order []string
	for _, e := range c.Env {
		v := e.Value
		if e.ValueFrom != nil {
			v = "placeholder-" + strings.ToLower(e.Name)
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
	args := slices.Clone(c.Args)
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		args = args[1:] // a subcommand (migrate): check its configuration
	}
	cmd := exec.Command(bin, append([]string{"config"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + tmp}
	for _, k := range order {
		cmd.Env = append(cmd.Env, k+"="+env[k])
	}
	cmd.Dir = tmp
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("relais %s refuses the chart's configuration: %v\n%s\nenv: %v", strings.Join(cmd.Args[1:], " "), err, stderr.String(), cmd.Env)
	}
	var printed map[string]any
	if err := yaml.Unmarshal(stdout.Bytes(), &printed); err != nil {
		t.Fatalf("relais config output: %v\n%s", err, stdout.String())
	}
	known := map[string]bool{"RELAIS_CONFIG_FILE": true}
	for _, p := range leafPaths(printed, "") {
		known["RELAIS_"+strings.ToUpper(strings.ReplaceAll(p, ".", "_"))] = true
	}
	for _, k := range order {
		if strings.HasPrefix(k, "RELAIS_") && !known[k] {
			t.Errorf("env %s names no configuration key of relais (it would be ignored); known: %v", k, sortedKeys(known))
		}
	}
	if want, ok := env["RELAIS_TARGET"]; ok && printed["target"] != want {
		t.Errorf("relais config says target %v, want %s", printed["target"], want)
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
