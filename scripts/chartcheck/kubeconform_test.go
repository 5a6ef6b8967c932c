package chartcheck

import (
	"testing"

	"github.com/yannh/kubeconform/pkg/resource"
	"github.com/yannh/kubeconform/pkg/validator"

	"github.com/relais-data/relais/scripts/chartcheck/internal/k8sschema"
)

type kubeconform struct{ v validator.Validator }

// newKubeconform is `kubeconform -strict -schema-location <generated>`:
// schemas generated from Kubernetes' own OpenAPI document (see k8sschema),
// so nothing is downloaded but the k8s.io/kubernetes module. Kinds that are
// not built in (the Prometheus Operator's ServiceMonitor) are skipped here;
// decodeStrict checks them against their Go types.
func newKubeconform(t testing.TB) kubeconform {
	t.Helper()
	dir, err := k8sschema.Ensure()
	if err != nil {
		t.Fatalf("kubeconform schemas: %v", err)
	}
	v, err := validator.New([]string{k8sschema.Location(dir)}, validator.Opts{
		Strict:            true,
		KubernetesVersion: k8sschema.KubernetesVersion[1:],
		SkipKinds:         map[string]struct{}{"monitoring.coreos.com/v1/ServiceMonitor": {}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return kubeconform{v}
}

func (k kubeconform) validate(t testing.TB, m manifest) {
	t.Helper()
	res := k.v.ValidateResource(resource.Resource{Path: m.Source, Bytes: m.Raw})
	switch res.Status {
	case validator.Valid, validator.Skipped:
	default:
		msg := ""
		if res.Err != nil {
			msg = res.Err.Error()
		}
		for _, e := range res.ValidationErrors {
			msg += "\n  " + e.Path + ": " + e.Msg
		}
		t.Errorf("kubeconform: %s: %s", m, msg)
	}
}

func toResource(m manifest) resource.Resource { return resource.Resource{Path: m.Source, Bytes: m.Raw} }
