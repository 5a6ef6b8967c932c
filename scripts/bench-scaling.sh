#!/usr/bin/env bash
# Scaling benchmark (issue 9): what a second replica of the gateway and of
# the search target brings in distributed mode. Runs services/relais/e2e
# TestScalingReplicas: a 3-node NATS JetStream cluster and relais
# -target=catalog|storage|search|gateway as processes on loopback, the
# demo data (3 211 real datasets) loaded, then a fixed closed-loop load of
# searches (varied queries from the titles) and dataset GETs through 1 and
# 2 gateways, with 1 and 2 search replicas. Prints, per setup, requests/s,
# p50 and p99, each search replica's share of the calls and the CPU cores
# each kind of process kept busy. The load generator shares the machine's
# cores with the cluster: on N cores, a second replica adds throughput only
# while the first leaves cores idle.
#   scripts/bench-scaling.sh
#   BENCH_CLIENTS=32 BENCH_DURATION=10s BENCH_ROUNDS=2
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$(go env GOPATH)/bin:$PATH" # nats-server (scripts/tools.sh)
echo "CPUs: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
RELAIS_BENCH_SCALING=1 \
RELAIS_BENCH_SCALING_CLIENTS="${BENCH_CLIENTS:-32}" \
RELAIS_BENCH_SCALING_DURATION="${BENCH_DURATION:-10s}" \
RELAIS_BENCH_SCALING_ROUNDS="${BENCH_ROUNDS:-2}" \
  go test -count=1 -timeout 30m -run '^TestScalingReplicas$' -v ./services/relais/e2e/ 2>&1 |
  grep -v -e '^=== RUN' -e '^--- SKIP'
