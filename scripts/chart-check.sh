#!/usr/bin/env bash
# Checks charts/relais, the Dockerfile, the Tiltfile and deploy/ offline
# (part of the test command, scripts/test.sh):
#   1. go vet and go test of scripts/chartcheck (its own module, outside
#      go.work so that Helm's and Kubernetes' dependencies stay out of the
#      services' build): helm lint --strict and a render of every
#      charts/relais/ci scenario and deploy/*-values.yaml through the Helm
#      SDK, strict decoding into k8s.io/api types, kubeconform against
#      schemas generated from k8s.io/kubernetes' swagger.json (Go module
#      proxy; cached), `relais config` on every pod's configuration, the
#      chart's promises, the Dockerfile, the Tiltfile on Starlark stand-ins;
#   2. the same path a person takes with the pinned CLIs (scripts/tools.sh):
#      helm lint --strict, helm template | kubeconform -strict;
#   3. every scenario (and deploy/*-values.yaml) installed against a real API server: etcd and
#      kube-apiserver built from the Go module proxy (scripts/tools.sh),
#      started on loopback by scripts/kube-apiserver.sh; per scenario a
#      namespace, `helm install --dry-run=server` (rendered with the server's
#      capabilities, every kind mapped through its discovery, name conflicts
#      checked), then every manifest and hook created with a server-side dry
#      run and strict field validation (cmd/kube-submit), so the server's
#      own validation and admission judge them. Scenarios without a
#      ServiceMonitor run first, on a cluster without its CRD; then the CRD
#      (testdata/kube-fixtures) is created and the others run.
#      RELAIS_CHART_CHECK_KUBE=0 skips this pass.
# Extra arguments go to go test (-run, -v).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/scripts/chartcheck"
export GOWORK=off
export PATH="$(go env GOPATH)/bin:$PATH"

go vet ./...
go test -count=1 "$@" ./...

kube="$(sed -n 's/^const KubernetesVersion = "v\(.*\)"$/\1/p' internal/k8sschema/k8sschema.go)"
if command -v helm >/dev/null && command -v kubeconform >/dev/null; then
  loc="$(go run ./cmd/k8s-jsonschema)"
  for values in "$root"/charts/relais/ci/*.yaml; do
    helm lint --strict --quiet --kube-version "$kube" "$root/charts/relais" -f "$values" >/dev/null
    helm template relais "$root/charts/relais" --kube-version "$kube" \
        --api-versions monitoring.coreos.com/v1 -f "$values" |
      kubeconform -strict -summary -kubernetes-version "$kube" \
        -schema-location "$loc" -skip ServiceMonitor -output text
  done
else
  echo "chart-check: helm or kubeconform missing (scripts/tools.sh installs them); CLI pass skipped" >&2
fi

if [[ "${RELAIS_CHART_CHECK_KUBE:-1}" == 0 ]]; then
  echo "chart-check: RELAIS_CHART_CHECK_KUBE=0: API server pass skipped" >&2
  exit 0
fi
kubedir="$(mktemp -d /tmp/relais-kube.XXXXXX)"
trap '"$root/scripts/kube-apiserver.sh" stop "$kubedir" >/dev/null 2>&1 || true; rm -rf "$kubedir"' EXIT
go build -o "$kubedir/kube-submit" ./cmd/kube-submit
started=$SECONDS
KUBECONFIG="$("$root/scripts/kube-apiserver.sh" start "$kubedir")"
export KUBECONFIG HELM_CACHE_HOME="$kubedir/helm/cache" HELM_CONFIG_HOME="$kubedir/helm/config" HELM_DATA_HOME="$kubedir/helm/data"
echo "chart-check: kube-apiserver ready in $((SECONDS - started)) s"

# namespace NAME creates it, asking for Pod Security warnings at the
# restricted level, which kube-submit turns into failures: every pod
# template, the bundled NATS and PostgreSQL's included, must meet the
# restricted profile.
namespace() {
  printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels: {pod-security.kubernetes.io/warn: restricted}\n' "$1" |
    "$kubedir/kube-submit" -create >/dev/null
}

# install_scenario FILE: a namespace named after the scenario, then helm's
# server dry run, then every object it rendered through the server's.
install_scenario() {
  local ns
  ns="$(basename "$1" .yaml)"
  namespace "$ns"
  helm install r "$root/charts/relais" -n "$ns" -f "$1" --dry-run=server -o json >"$kubedir/$ns.json" ||
    { echo "chart-check: helm install --dry-run=server failed for $1" >&2; return 1; }
  echo -n "$ns: "
  "$kubedir/kube-submit" -helm-release -n "$ns" <"$kubedir/$ns.json"
}

later=()
for values in "$root"/charts/relais/ci/*.yaml "$root"/deploy/*-values.yaml; do
  manifest="$(helm template r "$root/charts/relais" --kube-version "$kube" --api-versions monitoring.coreos.com/v1 -f "$values")"
  if grep -q '^kind: ServiceMonitor$' <<<"$manifest"; then
    later+=("$values")
  else
    install_scenario "$values"
  fi
done
echo -n "ServiceMonitor CRD (testdata/kube-fixtures): "
"$kubedir/kube-submit" -create <testdata/kube-fixtures/servicemonitor-crd.yaml
for values in "${later[@]}"; do
  install_scenario "$values"
done

# The pass can fail: each object of testdata/kube-fixtures/refused.yaml
# (an unknown field, a pod template below the restricted profile, a
# ServiceMonitor interval the CRD's pattern rejects) must be refused.
namespace refused
if out="$("$kubedir/kube-submit" -n refused <testdata/kube-fixtures/refused.yaml 2>&1)" ||
  ! grep -q '3 of 3 objects refused' <<<"$out" ||
  ! grep -q 'ConfigMap unknown-field: .*unknown field "dta"' <<<"$out" ||
  ! grep -q 'Deployment runs-as-root: server warnings: would violate PodSecurity "restricted' <<<"$out" ||
  ! grep -q 'ServiceMonitor bad-interval: .*spec.endpoints\[0\].interval' <<<"$out"; then
  echo "chart-check: the API server pass did not refuse testdata/kube-fixtures/refused.yaml:" >&2
  echo "$out" >&2
  exit 1
fi
echo "refused.yaml: 3 of 3 objects refused, as they must be"
