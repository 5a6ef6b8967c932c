package chartcheck

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// podTemplate is one pod spec of a workload, with where it came from.
type podTemplate struct {
	Owner  string
	Spec   corev1.PodTemplateSpec
	Relais bool // runs the relais image (not a bundled dependency)
}

func podTemplates(ms []manifest) []podTemplate {
	var out []podTemplate
	add := func(owner string, tpl corev1.PodTemplateSpec) {
		relais := tpl.Labels["app.kubernetes.io/name"] == "relais"
		out = append(out, podTemplate{Owner: owner, Spec: tpl, Relais: relais})
	}
	for _, m := range ms {
		switch o := m.Obj.(type) {
		case *appsv1.Deployment:
			add(m.String(), o.Spec.Template)
		case *appsv1.StatefulSet:
			add(m.String(), o.Spec.Template)
		case *batchv1.Job:
			add(m.String(), o.Spec.Template)
		}
	}
	return out
}

// checkPods asserts what every pod of the chart promises: not root, no
// privilege escalation, read-only root file system, every capability
// dropped, no service links, no API token; and for relais' Deployments
// and StatefulSets, liveness and readiness probes on /healthz and
// /readyz, resources, and environment variables named once.
func checkPods(t *testing.T, ms []manifest) {
	t.Helper()
	pods := podTemplates(ms)
	if len(pods) == 0 {
		t.Fatal("no workload rendered")
	}
	for _, p := range pods {
		spec := p.Spec.Spec
		psc := spec.SecurityContext
		if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
			t.Errorf("%s: pod must run as a non-root numeric user: %+v", p.Owner, psc)
		}
		if psc != nil && (psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault) {
			t.Errorf("%s: pod must use the RuntimeDefault seccomp profile", p.Owner)
		}
		if spec.EnableServiceLinks == nil || *spec.EnableServiceLinks {
			t.Errorf("%s: enableServiceLinks must be false (service links inject RELAIS_* variables)", p.Owner)
		}
		if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
			t.Errorf("%s: automountServiceAccountToken must be false", p.Owner)
		}
		for _, c := range spec.Containers {
			where := p.Owner + " container " + c.Name
			sc := c.SecurityContext
			switch {
			case sc == nil:
				t.Errorf("%s: no securityContext", where)
				continue
			case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
				t.Errorf("%s: allowPrivilegeEscalation must be false", where)
			case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
				t.Errorf("%s: readOnlyRootFilesystem must be true", where)
			case sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL"):
				t.Errorf("%s: capabilities must drop ALL", where)
			case sc.Privileged != nil && *sc.Privileged:
				t.Errorf("%s: privileged", where)
			}
			if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
				t.Errorf("%s: memory request and limit must be set", where)
			}
			seen := map[string]bool{}
			for _, e := range c.Env {
				if seen[e.Name] {
					t.Errorf("%s: env %s set twice (the later silently wins)", where, e.Name)
				}
				seen[e.Name] = true
			}
			if !p.Relais || !strings.HasPrefix(p.Owner, "Deployment") && !strings.HasPrefix(p.Owner, "StatefulSet") {
				continue
			}
			checkProbe(t, where+" liveness", c.LivenessProbe, "/healthz")
			checkProbe(t, where+" readiness", c.ReadinessProbe, "/readyz")
			if !slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool { return p.Name == "admin" && p.ContainerPort == 9090 }) {
				t.Errorf("%s: no admin port 9090", where)
			}
		}
	}
}

func checkProbe(t *testing.T, where string, p *corev1.Probe, path string) {
	t.Helper()
	if p == nil || p.HTTPGet == nil {
		t.Errorf("%s: want an HTTP probe on %s", where, path)
		return
	}
	if p.HTTPGet.Path != path || p.HTTPGet.Port.String() != "admin" {
		t.Errorf("%s: probe %s on port %s, want %s on admin", where, p.HTTPGet.Path, p.HTTPGet.Port.String(), path)
	}
}

// checkReferences asserts that the objects of a rendering fit together:
// every Service, PodDisruptionBudget and NetworkPolicy selects pods of the
// release, every HPA scales a rendered Deployment, the Ingress routes to a
// rendered Service port, every ConfigMap and Secret a pod reads is rendered
// or named in values as existing.
func checkReferences(t *testing.T, ms []manifest, vals map[string]any) {
	t.Helper()
	pods := podTemplates(ms)
	selects := func(sel map[string]string) bool {
		for _, p := range pods {
			if labels.SelectorFromSet(sel).Matches(labels.Set(p.Spec.Labels)) {
				return true
			}
		}
		return false
	}
	selectsLS := func(ls *metav1.LabelSelector) bool {
		s, err := metav1.LabelSelectorAsSelector(ls)
		if err != nil {
			return false
		}
		for _, p := range pods {
			if s.Matches(labels.Set(p.Spec.Labels)) {
				return true
			}
		}
		return false
	}
	rendered := map[string]bool{} // Kind/name
	services := map[string]*corev1.Service{}
	for _, m := range ms {
		rendered[m.GVK.Kind+"/"+m.Name] = true
		if s, ok := m.Obj.(*corev1.Service); ok {
			services[s.Name] = s
		}
	}
	for _, m := range ms {
		switch o := m.Obj.(type) {
		case *corev1.Service:
			if !selects(o.Spec.Selector) {
				t.Errorf("%s selects no pod", m)
			}
		case *policyv1.PodDisruptionBudget:
			if !selectsLS(o.Spec.Selector) {
				t.Errorf("%s selects no pod", m)
			}
		case *networkingv1.NetworkPolicy:
			if !selectsLS(&o.Spec.PodSelector) {
				t.Errorf("%s selects no pod", m)
			}
		case *autoscalingv2.HorizontalPodAutoscaler:
			if !rendered["Deployment/"+o.Spec.ScaleTargetRef.Name] {
				t.Errorf("%s scales %s, which is not rendered", m, o.Spec.ScaleTargetRef.Name)
			}
		case *networkingv1.Ingress:
			for _, r := range o.Spec.Rules {
				for _, p := range r.HTTP.Paths {
					svc := services[p.Backend.Service.Name]
					if svc == nil || !slices.ContainsFunc(svc.Spec.Ports, func(sp corev1.ServicePort) bool { return sp.Name == p.Backend.Service.Port.Name }) {
						t.Errorf("%s routes to %s port %s, which is not rendered", m, p.Backend.Service.Name, p.Backend.Service.Port.Name)
					}
				}
			}
		}
	}
	external := map[string]bool{}
	for _, path := range [][]string{
		{"database", "existingSecret"}, {"tokenSecret", "existingSecret"}, {"storageDatabase", "existingSecret"},
		{"storageToken", "existingSecret"}, {"sessionKey", "existingSecret"}, {"objectStorage", "existingSecret"},
		{"serviceUser", "existingSecret"}, {"meilisearch", "existingSecret"},
	} {
		if name, _ := dig(vals, path...).(string); name != "" {
			external[name] = true
		}
	}
	for _, p := range pods {
		for _, v := range p.Spec.Spec.Volumes {
			if v.ConfigMap != nil && !rendered["ConfigMap/"+v.ConfigMap.Name] {
				t.Errorf("%s mounts ConfigMap %s, which is not rendered", p.Owner, v.ConfigMap.Name)
			}
			if v.PersistentVolumeClaim != nil && !rendered["PersistentVolumeClaim/"+v.PersistentVolumeClaim.ClaimName] {
				t.Errorf("%s mounts PVC %s, which is not rendered", p.Owner, v.PersistentVolumeClaim.ClaimName)
			}
		}
		for _, c := range p.Spec.Spec.Containers {
			for _, e := range c.Env {
				// The gateway requires a storage address even without the
				// storage target (it then serves no files): a name with no
				// Service behind it, as the chart's NOTES say.
				noStorage := e.Name == "RELAIS_GATEWAY_STORAGE_ADDR" && dig(vals, "targets", "storage", "enabled") != true
				if addr, ok := strings.CutPrefix(e.Value, "dns:///"); ok && !noStorage {
					checkHeadlessAddr(t, p.Owner, e.Name, addr, services)
				}
				if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
					continue
				}
				name := e.ValueFrom.SecretKeyRef.Name
				if !rendered["Secret/"+name] && !external[name] {
					t.Errorf("%s: env %s reads Secret %s, neither rendered nor named in values", p.Owner, e.Name, name)
				}
			}
		}
	}
}

// checkHeadlessAddr asserts that a dns:///host:port address a pod is given
// names a rendered headless Service with that port: the gRPC clients'
// round robin needs one DNS record per pod, which a ClusterIP Service (one
// virtual address) would not give.
func checkHeadlessAddr(t *testing.T, owner, env, addr string, services map[string]*corev1.Service) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Errorf("%s: env %s = dns:///%s: %v", owner, env, addr, err)
		return
	}
	svc := services[host]
	if svc == nil {
		t.Errorf("%s: env %s names Service %s, which is not rendered", owner, env, host)
		return
	}
	if svc.Spec.ClusterIP != corev1.ClusterIPNone {
		t.Errorf("%s: env %s names Service %s, which is not headless", owner, env, host)
	}
	if !slices.ContainsFunc(svc.Spec.Ports, func(sp corev1.ServicePort) bool { return strconv.Itoa(int(sp.Port)) == port }) {
		t.Errorf("%s: env %s names port %s, which Service %s lacks", owner, env, port, host)
	}
}

func dig(v map[string]any, path ...string) any {
	var cur any = v
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func mustFind[T interface{ GetName() string }](t testing.TB, objs []T, name string) T {
	t.Helper()
	for _, o := range objs {
		if o.GetName() == name {
			return o
		}
	}
	var zero T
	t.Fatalf("no %T named %s among %v", zero, name, names(objs))
	return zero
}

func envOf(c corev1.Container) map[string]string {
	out := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			out[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			out[e.Name] = fmt.Sprintf("secret:%s/%s", e.ValueFrom.SecretKeyRef.Name, e.ValueFrom.SecretKeyRef.Key)
		default:
			out[e.Name] = "ref"
		}
	}
	return out
}
