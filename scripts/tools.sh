#!/usr/bin/env bash
# Installs the pinned tools into $(go env GOPATH)/bin, skipping each build
# when its pinned versions are there (a stamp per go.sum):
#   scripts/tools/go.mod        buf, protoc-gen-go, protoc-gen-go-grpc (code generators)
#   scripts/chartcheck/go.mod   helm, kubeconform (the same versions the chart checks use)
#   nats-server v2.15.2         the NATS cluster of the distributed end-to-end test
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
bin="$(go env GOPATH)/bin"

stamp="$bin/.relais-tools-$(sha256sum "$root/tools/go.sum" | cut -c1-16)"
if [[ ! -f "$stamp" || ! -x "$bin/buf" || ! -x "$bin/protoc-gen-go" || ! -x "$bin/protoc-gen-go-grpc" ]]; then
  echo "tools: building buf, protoc-gen-go, protoc-gen-go-grpc (pinned in scripts/tools/go.mod)…" >&2
  (cd "$root/tools" && GOWORK=off go install \
    github.com/bufbuild/buf/cmd/buf \
    google.golang.org/protobuf/cmd/protoc-gen-go \
    google.golang.org/grpc/cmd/protoc-gen-go-grpc)
  touch "$stamp"
fi

stamp="$bin/.relais-kube-tools-$(sha256sum "$root/chartcheck/go.sum" | cut -c1-16)"
if [[ ! -f "$stamp" || ! -x "$bin/helm" || ! -x "$bin/kubeconform" ]]; then
  echo "tools: building helm, kubeconform (pinned in scripts/chartcheck/go.mod)…" >&2
  (cd "$root/chartcheck" && GOWORK=off nice -n 10 go install \
    helm.sh/helm/v3/cmd/helm \
    github.com/yannh/kubeconform/cmd/kubeconform)
  touch "$stamp"
fi

# The distributed end-to-end test (services/relais/e2e) runs a 3-node NATS
# cluster of real nats-server processes; the version pkg/go.mod embeds.
nats_version=v2.15.2
if ! go version -m "$bin/nats-server" 2>/dev/null | grep -q "mod[[:space:]]*github.com/nats-io/nats-server/v2[[:space:]]*$nats_version"; then
  echo "tools: building nats-server $nats_version…" >&2
  GOWORK=off nice -n 10 go install "github.com/nats-io/nats-server/v2@$nats_version"
fi
