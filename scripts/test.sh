#!/usr/bin/env bash
# The test command (README): installs and starts what the tests need, then
# runs unit, conformance (SQLite and PostgreSQL) and end-to-end tests.
#   scripts/test.sh            everything
#   scripts/test.sh -short     skip the slow tests (full-catalog import)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$(go env GOPATH)/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

step "tools"
scripts/tools.sh

step "proto: buf lint and regenerate-and-diff"
scripts/proto-check.sh

step "gofmt and go vet"
unformatted="$(gofmt -l pkg proto services scripts 2>/dev/null | grep -v '\.pb\.go$' || true)"
if [[ -n "$unformatted" ]]; then
  echo "not gofmt-formatted:"; echo "$unformatted"; exit 1
fi
go vet ./pkg/... ./services/...

step "PostgreSQL (throwaway cluster)"
pgdir="$(mktemp -d /tmp/relais-pg.XXXXXX)"
trap 'scripts/pg.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
export RELAIS_TEST_POSTGRES_URL="$(scripts/pg.sh start "$pgdir")"
export RELAIS_TEST_REQUIRE_POSTGRES=1
echo "postgres at $RELAIS_TEST_POSTGRES_URL"

step "go test"
go test -count=1 -timeout 20m "$@" ./pkg/... ./services/...
