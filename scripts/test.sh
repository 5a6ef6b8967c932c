#!/usr/bin/env bash
# The test command (README): installs and starts what the tests need, then
# runs unit, conformance (SQLite and PostgreSQL, fs and MinIO) and
# end-to-end tests, and the chart checks (scripts/chart-check.sh).
#   scripts/test.sh            everything
#   scripts/test.sh -short     skip the slow tests (full-catalog import)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$(go env GOPATH)/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

step "tools"
scripts/tools.sh

step "chromium (Debian's package, for the portal's browser tests)"
if ! command -v chromium >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is missing: install it as root (apt-get install -y chromium)"
  fi
fi
export RELAIS_TEST_REQUIRE_BROWSER=1
export RELAIS_TEST_ARTIFACTS="${RELAIS_TEST_ARTIFACTS:-$(mktemp -d /tmp/relais-artifacts.XXXXXX)}"
echo "test artifacts (browser screenshots) in $RELAIS_TEST_ARTIFACTS"

step "proto: buf lint and regenerate-and-diff"
scripts/proto-check.sh

# Every module of go.work, as package patterns ("./services/..." alone does
# not cross module boundaries).
mapfile -t pkgs < <(go list -m -f '{{.Dir}}/...' | sed "s|^$root/|./|")

step "gofmt and go vet"
unformatted="$(gofmt -l pkg proto services scripts 2>/dev/null | grep -v '\.pb\.go$' || true)"
if [[ -n "$unformatted" ]]; then
  echo "not gofmt-formatted:"; echo "$unformatted"; exit 1
fi
go vet "${pkgs[@]}"

step "chart, image and Tiltfile checks (Helm SDK, k8s.io/api, kubeconform; helm install --dry-run=server on a loopback kube-apiserver)"
scripts/chart-check.sh

pgdir="$(mktemp -d /tmp/relais-pg.XXXXXX)"
miniodir="$(mktemp -d /tmp/relais-minio.XXXXXX)"
cleanup() {
  scripts/pg.sh stop "$pgdir" >/dev/null 2>&1 || true
  scripts/minio.sh stop "$miniodir" >/dev/null 2>&1 || true
  rm -rf "$pgdir" "$miniodir"
}
trap cleanup EXIT

step "PostgreSQL (throwaway cluster)"
export RELAIS_TEST_POSTGRES_URL="$(scripts/pg.sh start "$pgdir")"
export RELAIS_TEST_REQUIRE_POSTGRES=1
echo "postgres at $RELAIS_TEST_POSTGRES_URL"

step "MinIO (real server, separate process; built once with go install)"
read -r RELAIS_TEST_S3_ENDPOINT RELAIS_TEST_S3_ACCESS_KEY RELAIS_TEST_S3_SECRET_KEY <<<"$(scripts/minio.sh start "$miniodir")"
export RELAIS_TEST_S3_ENDPOINT RELAIS_TEST_S3_ACCESS_KEY RELAIS_TEST_S3_SECRET_KEY RELAIS_TEST_REQUIRE_S3=1
echo "minio at $RELAIS_TEST_S3_ENDPOINT"

# The distributed end-to-end tests (every target a process, a 3-node NATS
# cluster): services/relais/e2e's suite in its third mode, "distributed"
# (about 1 min), and the kills, TestDistributedKills (about 1.5 min).
export RELAIS_TEST_DISTRIBUTED=1
# The rolling-upgrade test (the previous release beside this one):
# services/relais/e2e TestRollingUpgrade, about 15 s once the old binary is cached.
export RELAIS_TEST_UPGRADE=1

step "go test"
go test -count=1 -timeout 20m "$@" "${pkgs[@]}"
