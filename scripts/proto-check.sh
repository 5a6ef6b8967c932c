#!/usr/bin/env bash
# buf lint, then regenerate the Go code of proto/ into a scratch copy and
# fail if it differs from what is committed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$(go env GOPATH)/bin:$PATH"
cd "$root/proto"
buf lint
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cp -r "$root/proto/." "$scratch/"
find "$scratch" -name '*.pb.go' -delete
(cd "$scratch" && buf generate)
if ! diff -r -q --exclude='*.proto' --exclude='*.yaml' --exclude='go.*' "$root/proto/relais" "$scratch/relais"; then
  echo "proto: generated code is stale: run 'cd proto && buf generate' and commit" >&2
  exit 1
fi
echo "proto: lint clean, generated code up to date"
