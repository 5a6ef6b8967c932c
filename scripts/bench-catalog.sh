#!/usr/bin/env bash
# Catalog benchmark (issue: foundation): imports the 24 189 real datasets of
# ../shared/data/catalog, then drives single-dataset GETs and list pages
# (page_size=20, with and without organization and tag filters) at 32
# concurrent clients, on SQLite and on PostgreSQL. Prints the import time
# and, per scenario, requests/s and latency percentiles, then the same
# scenarios against relais-ceiling, the simplest program serving stored
# JSON from SQLite (this machine's ceiling, as in ../shared/LIMITS.md). The
# load generator (wrk) shares the machine's cores with the server.
#   scripts/bench-catalog.sh [sqlite|postgres|ceiling]...   (default: all three)
#   BENCH_DURATION=10s BENCH_CLIENTS=32
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export_file="${BENCH_EXPORT:-$root/../shared/data/catalog/datagouv-export-dataset-20260116-sample-1in5.csv.gz}"
duration="${BENCH_DURATION:-10s}"
clients="${BENCH_CLIENTS:-32}"
drivers=("$@")
[[ ${#drivers[@]} -gt 0 ]] || drivers=(sqlite postgres ceiling)

work="$(mktemp -d /tmp/relais-bench.XXXXXX)"
chmod 755 "$work" # the PostgreSQL cluster runs as the postgres user
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [[ -d "$work/pg" ]] && scripts/pg.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
echo "building relais, relais-load and relais-ceiling…"
go build -o "$work/relais" ./services/relais/cmd/relais
go build -o "$work/relais-load" ./services/relais/cmd/relais-load
go build -o "$work/relais-ceiling" ./services/relais/cmd/relais-ceiling

for driver in "${drivers[@]}"; do
  echo
  echo "=== $driver ==="
  if [[ "$driver" == ceiling ]]; then
    "$work/relais-ceiling" -export "$export_file" -addr 127.0.0.1:18081 2>"$work/ceiling.log" &
    pids+=($!)
    for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:18081/api/1/datasets/?page=1" && break; sleep 0.2; done
    "$work/relais-load" -base http://127.0.0.1:18081 -export "$export_file" -c "$clients" -d "$duration" -only "get dataset by slug,list page 1-10,list by organization,list by tag"
    kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
    unset 'pids[-1]'
    continue
  fi
  data="$work/data-$driver"
  args=(-data_dir="$data" -gateway.addr=127.0.0.1:18080 -gateway.public_url=http://127.0.0.1:18080
        -catalog.grpc_addr=127.0.0.1:19091 -admin_addr=127.0.0.1:19090 -log.level=warn)
  if [[ "$driver" == postgres ]]; then
    url="$(scripts/pg.sh start "$work/pg")"
    args+=(-catalog.db.driver=postgres "-catalog.db.dsn=$url" -catalog.token_secret=bench-secret
           -storage.db.driver=postgres "-storage.db.dsn=$url" -storage.service_token=bench-token)
  fi
  token="$("$work/relais" admin create-user --email bench@relais.localhost --sysadmin "${args[@]}" | sed -n 's/^API token.*: //p')"
  "$work/relais" "${args[@]}" >"$work/relais-$driver.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18080/readyz >/dev/null && break; sleep 0.2; done
  "$work/relais" import --file "$export_file" --token "$token" --catalog 127.0.0.1:19091 | tr '\r' '\n' | tail -1
  "$work/relais-load" -base http://127.0.0.1:18080 -export "$export_file" -c "$clients" -d "$duration"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  unset 'pids[-1]'
  if [[ "$driver" == postgres ]]; then scripts/pg.sh stop "$work/pg" >/dev/null; rm -rf "$work/pg"; fi
done
