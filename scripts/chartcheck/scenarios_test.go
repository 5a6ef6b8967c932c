package chartcheck

import (
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/action"
)

// Every scenario of charts/relais/ci passes `helm lint --strict`, renders,
// and every object it renders decodes strictly into Kubernetes' typed
// objects and validates with kubeconform against the API's JSON schemas.
func TestScenarios(t *testing.T) {
	v := newKubeconform(t)
	for _, file := range scenarios(t) {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			lint(t, []string{file})
			ms := renderStrict(t, []string{file})
			if len(ms) == 0 {
				t.Fatal("renders nothing")
			}
			for _, m := range ms {
				v.validate(t, m)
			}
			checkPods(t, ms)
			checkReferences(t, ms, values(t, []string{file}))
			checkBinaryAcceptsConfig(t, ms)
		})
	}
}

// lint is `helm lint --strict --with-subcharts` with these values files.
func lint(t *testing.T, files []string, set ...string) {
	t.Helper()
	l := action.NewLint()
	l.Strict = true
	l.Namespace = namespace
	l.WithSubcharts = true
	l.KubeVersion = kubeVersion(t)
	res := l.Run([]string{chartDir}, values(t, files, set...))
	for _, m := range res.Messages {
		t.Logf("lint: %s", m)
	}
	for _, err := range res.Errors {
		t.Errorf("helm lint --strict: %v", err)
	}
}
