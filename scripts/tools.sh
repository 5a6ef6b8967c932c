#!/usr/bin/env bash
# Installs the pinned tools into $(go env GOPATH)/bin, skipping each build
# when its pinned versions are there (a stamp per go.sum):
#   scripts/tools/go.mod        buf, protoc-gen-go, protoc-gen-go-grpc (code generators)
#   scripts/chartcheck/go.mod   helm, kubeconform (the same versions the chart checks use)
#   nats-server v2.15.2         the NATS cluster of the distributed end-to-end test
#   scripts/tools/etcd, scripts/tools/kubeapiserver
#                               etcd and kube-apiserver (scripts/kube-apiserver.sh,
#                               for the chart checks' helm install --dry-run=server)
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

# etcd and kube-apiserver, each from its own wrapper module (their
# dependency graphs differ), built as $bin/etcd and $bin/kube-apiserver;
# rebuilt when the module's go.mod, go.sum or main.go, or the flags below,
# change. Cold, on 2 idle cores: etcd about 1 min, kube-apiserver about 4
# (7 min of CPU). kube-apiserver gets its release version stamped in, as
# Kubernetes' own build does: unstamped it reports v0.0.0 and Helm refuses
# the chart's kubeVersion.
build_wrapper() { # MODULE NAME LDFLAGS
  local stamp
  stamp="$bin/.relais-$2-$( (cat "$root/tools/$1"/{go.mod,go.sum,main.go}; echo "$3") | sha256sum | cut -c1-16)"
  if [[ ! -f "$stamp" || ! -x "$bin/$2" ]]; then
    echo "tools: building $2 (pinned in scripts/tools/$1/go.mod)…" >&2
    (cd "$root/tools/$1" && GOWORK=off nice -n 10 go build -ldflags "$3" -o "$bin/$2" .)
    rm -f "$bin/.relais-$2-"*
    touch "$stamp"
  fi
}
build_wrapper etcd etcd ""
kube="$(sed -n 's/^[[:space:]]*k8s.io\/kubernetes \(v[^ ]*\)$/\1/p' "$root/tools/kubeapiserver/go.mod")"
[[ "$kube" =~ ^v([0-9]+)\.([0-9]+)\. ]] || { echo "tools: no k8s.io/kubernetes version in scripts/tools/kubeapiserver/go.mod" >&2; exit 1; }
v=k8s.io/component-base/version
build_wrapper kubeapiserver kube-apiserver \
  "-X $v.gitVersion=$kube -X $v.gitMajor=${BASH_REMATCH[1]} -X $v.gitMinor=${BASH_REMATCH[2]} -X $v.gitTreeState=clean"
