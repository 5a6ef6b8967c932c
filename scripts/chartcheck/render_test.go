package chartcheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/cli"
	helmvalues "helm.sh/helm/v3/pkg/cli/values"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/releaseutil"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"

	"github.com/relais-data/relais/scripts/chartcheck/internal/k8sschema"
)

// Paths from this module (scripts/chartcheck) to the repository's files.
var (
	repoRoot = filepath.Join("..", "..")
	chartDir = filepath.Join(repoRoot, "charts", "relais")
)

const (
	releaseName = "r"
	namespace   = "relais"
)

// scenarios are the named values files of charts/relais/ci.
func scenarios(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(chartDir, "ci", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenario under %s/ci: %v", chartDir, err)
	}
	sort.Strings(files)
	return files
}

// values merges values files and --set style assignments as helm does.
func values(t testing.TB, files []string, set ...string) map[string]any {
	t.Helper()
	opts := helmvalues.Options{ValueFiles: files, Values: set}
	vals, err := opts.MergeValues(getter.All(cli.New()))
	if err != nil {
		t.Fatalf("values %v %v: %v", files, set, err)
	}
	return vals
}

func loadChart(t testing.TB) *chart.Chart {
	t.Helper()
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("load chart: %v", err)
	}
	return ch
}

func kubeVersion(t testing.TB) *chartutil.KubeVersion {
	t.Helper()
	kv, err := chartutil.ParseKubeVersion(k8sschema.KubernetesVersion)
	if err != nil {
		t.Fatal(err)
	}
	return kv
}

// manifest is one rendered Kubernetes object.
type manifest struct {
	Source string // the template it came from
	Hook   string // its helm.sh/hook annotation, for hooks
	Raw    []byte
	GVK    schema.GroupVersionKind
	Name   string
	Obj    runtime.Object // strictly decoded
}

func (m manifest) String() string { return fmt.Sprintf("%s %s (%s)", m.GVK.Kind, m.Name, m.Source) }

// render is `helm template r charts/relais -n relais -f files… --set set…
// --kube-version KubernetesVersion --api-versions monitoring.coreos.com/v1`,
// through the SDK: the release's manifests and its hooks, split into
// objects (not decoded yet).
func render(t testing.TB, files []string, set ...string) ([]manifest, error) {
	return renderRelease(t, releaseName, namespace, files, set...)
}

func renderRelease(t testing.TB, release, ns string, files []string, set ...string) ([]manifest, error) {
	t.Helper()
	client := action.NewInstall(&action.Configuration{Log: func(string, ...any) {}})
	client.DryRun = true
	client.DryRunOption = "true"
	client.ReleaseName = release
	client.Namespace = ns
	client.Replace = true
	client.ClientOnly = true
	client.IncludeCRDs = true
	client.KubeVersion = kubeVersion(t)
	client.APIVersions = chartutil.VersionSet{"monitoring.coreos.com/v1", "monitoring.coreos.com/v1/ServiceMonitor"}
	ch := loadChart(t)
	if err := action.CheckDependencies(ch, ch.Metadata.Dependencies); err != nil {
		t.Fatalf("helm template would refuse the chart: %v", err)
	}
	rel, err := client.RunWithContext(context.Background(), ch, values(t, files, set...))
	if err != nil {
		return nil, err
	}
	var out []manifest
	add := func(doc, hook string) {
		for _, m := range releaseutil.SplitManifests(doc) {
			src := ""
			if i := strings.Index(m, "# Source: "); i >= 0 {
				src = strings.TrimSpace(strings.SplitN(m[i+len("# Source: "):], "\n", 2)[0])
			}
			body := strings.TrimSpace(m)
			if body == "" || strings.TrimSpace(strings.ReplaceAll(body, "# Source: "+src, "")) == "" {
				continue
			}
			out = append(out, manifest{Source: src, Hook: hook, Raw: []byte(m)})
		}
	}
	add(rel.Manifest, "")
	for _, h := range rel.Hooks {
		add(h.Manifest, h.Path)
	}
	return out, nil
}

// The scheme objects are decoded with: every built-in API group of
// client-go, and the Prometheus Operator's monitoring.coreos.com/v1.
var decodeScheme = sync.OnceValue(func() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := scheme.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := monitoringv1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
})

// decodeStrict decodes m into its typed Kubernetes object; an unknown or
// duplicate field, a wrong type or an unknown kind is an error.
func decodeStrict(m *manifest) error {
	s := decodeScheme()
	ser := json.NewSerializerWithOptions(json.DefaultMetaFactory, s, s, json.SerializerOptions{Yaml: true, Strict: true})
	obj, gvk, err := ser.Decode(m.Raw, nil, nil)
	if err != nil {
		return err
	}
	m.Obj, m.GVK = obj, *gvk
	if o, ok := obj.(interface{ GetName() string }); ok {
		m.Name = o.GetName()
	}
	return nil
}

// renderStrict renders and strictly decodes, failing the test on any error.
func renderStrict(t testing.TB, files []string, set ...string) []manifest {
	t.Helper()
	ms, err := render(t, files, set...)
	return mustDecode(t, files, set, ms, err)
}

// mustDecode strictly decodes a rendering, failing the test on any error.
func mustDecode(t testing.TB, files, set []string, ms []manifest, err error) []manifest {
	t.Helper()
	if err != nil {
		t.Fatalf("render %v %v: %v", files, set, err)
	}
	for i := range ms {
		if err := decodeStrict(&ms[i]); err != nil {
			t.Fatalf("%v: %s: not a valid Kubernetes object: %v\n%s", files, ms[i].Source, err, ms[i].Raw)
		}
	}
	return ms
}

func ofKind[T runtime.Object](ms []manifest) []T {
	var out []T
	for _, m := range ms {
		if o, ok := m.Obj.(T); ok {
			out = append(out, o)
		}
	}
	return out
}

func scenarioFile(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(chartDir, "ci", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func names[T interface{ GetName() string }](objs []T) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.GetName())
	}
	slices.Sort(out)
	return out
}

func toYAML(v any) string {
	b, _ := yaml.Marshal(v)
	return string(b)
}
