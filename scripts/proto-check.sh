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

# Additive changes only: a rolling upgrade runs the previous release's
# targets beside the new ones (issue 9). buf needs the full commit hash, and
# a clone depth reaching it (its default is 50 commits).
previous=01fff2b
if commit="$(git -C "$root" rev-parse --verify --quiet "$previous^{commit}")"; then
  buf breaking --against "$root/.git#ref=$commit,depth=$(git -C "$root" rev-list --count HEAD),subdir=proto"
  echo "proto: no breaking change since the previous release $previous"
else
  echo "proto: buf breaking skipped: the previous release $previous is not in this clone's history (shallow clone?)"
fi
echo "proto: lint clean, generated code up to date"
