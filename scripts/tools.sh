#!/usr/bin/env bash
# Installs the pinned code generators of scripts/tools/go.mod into
# $(go env GOPATH)/bin, skipping the build when the pinned version is there.
set -euo pipefail
cd "$(dirname "$0")/tools"
bin="$(go env GOPATH)/bin"
stamp="$bin/.relais-tools-$(sha256sum go.sum | cut -c1-16)"
if [[ -f "$stamp" && -x "$bin/buf" && -x "$bin/protoc-gen-go" && -x "$bin/protoc-gen-go-grpc" ]]; then
  exit 0
fi
echo "tools: building buf, protoc-gen-go, protoc-gen-go-grpc (pinned in scripts/tools/go.mod)…" >&2
GOWORK=off go install \
  github.com/bufbuild/buf/cmd/buf \
  google.golang.org/protobuf/cmd/protoc-gen-go \
  google.golang.org/grpc/cmd/protoc-gen-go-grpc
touch "$stamp"
