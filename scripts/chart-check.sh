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
#      helm lint --strict, helm template | kubeconform -strict.
# Extra arguments go to go test (-run, -v).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/scripts/chartcheck"
export GOWORK=off
export PATH="$(go env GOPATH)/bin:$PATH"

go vet ./...
go test -count=1 "$@" ./...

if command -v helm >/dev/null && command -v kubeconform >/dev/null; then
  loc="$(go run ./cmd/k8s-jsonschema)"
  kube="$(sed -n 's/^const KubernetesVersion = "v\(.*\)"$/\1/p' internal/k8sschema/k8sschema.go)"
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
