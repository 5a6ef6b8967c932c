#!/usr/bin/env bash
# kube-apiserver.sh — a throwaway Kubernetes control plane for the chart
# checks: a real etcd and a real kube-apiserver (both built from the Go
# module proxy by scripts/tools.sh, from scripts/tools/{etcd,kubeapiserver}),
# separate processes on loopback, no controller-manager, scheduler or nodes.
#
#   scripts/kube-apiserver.sh start DIR   start both with their state in DIR;
#                                         prints ONE line on stdout: the path
#                                         of a kubeconfig (an admin user)
#   scripts/kube-apiserver.sh stop DIR    stop both (no-op when not running)
#
# Typical use (scripts/chart-check.sh):
#
#   kubeconfig=$(scripts/kube-apiserver.sh start /tmp/kube)
#   KUBECONFIG=$kubeconfig helm install --dry-run=server …
#   scripts/kube-apiserver.sh stop /tmp/kube
#
# The API server makes its own self-signed serving certificate (--cert-dir),
# signs service-account tokens with a fresh ECDSA key, authenticates one
# admin (a token in group system:masters) with RBAC on, and runs with
# --endpoint-reconciler-type=none (no "kubernetes" Service endpoints to keep
# on a machine without a routable address). Admission plugins are the
# defaults: the ServiceAccount plugin only admits Pods, and the chart makes
# none itself (Deployments and Jobs carry pod templates), so the default
# ServiceAccount no controller-manager creates is never looked up.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

log() { echo "kube-apiserver.sh: $*" >&2; }
die() { log "$*"; exit 1; }

usage() {
	sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
	local port
	while :; do
		port=$((20000 + RANDOM % 40000))
		port_in_use "$port" || { echo "$port"; return; }
	done
}

random_hex() {
	od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'
}

# running NAME succeeds when DIR/NAME.pid names a live process.
running() {
	local pid
	[[ -f $DIR/$1.pid ]] || return 1
	pid=$(cat "$DIR/$1.pid")
	[[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$1"
}

# stop_one NAME sends TERM, then KILL after 10 s.
stop_one() {
	running "$1" || { rm -f "$DIR/$1.pid"; return 0; }
	local pid i
	pid=$(cat "$DIR/$1.pid")
	kill -TERM "$pid"
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	rm -f "$DIR/$1.pid"
}

start_etcd() {
	local attempt client peer pid i
	for attempt in 1 2 3 4 5; do
		client=$(free_port)
		peer=$(free_port)
		rm -rf "$DIR/etcd"
		# --unsafe-no-fsync: a throwaway store, fsyncs only slow the checks.
		nohup "$bin/etcd" --name relais-kube --data-dir "$DIR/etcd" \
			--listen-client-urls "http://127.0.0.1:$client" \
			--advertise-client-urls "http://127.0.0.1:$client" \
			--listen-peer-urls "http://127.0.0.1:$peer" \
			--initial-advertise-peer-urls "http://127.0.0.1:$peer" \
			--initial-cluster "relais-kube=http://127.0.0.1:$peer" \
			--unsafe-no-fsync --log-level warn \
			>"$DIR/etcd.log" 2>&1 </dev/null &
		pid=$!
		echo "$pid" >"$DIR/etcd.pid"
		for i in $(seq 1 300); do
			if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$client/health" 2>/dev/null; then
				echo "http://127.0.0.1:$client" >"$DIR/etcd.url"
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		stop_one etcd
		log "etcd on port $client failed (attempt $attempt), see $DIR/etcd.log"
	done
	die "could not start etcd, see $DIR/etcd.log"
}

start_apiserver() {
	local attempt port pid i
	for attempt in 1 2 3; do
		port=$(free_port)
		nohup "$bin/kube-apiserver" \
			--etcd-servers "$(cat "$DIR/etcd.url")" \
			--bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$port" \
			--cert-dir "$DIR/certs" \
			--service-account-issuer https://kubernetes.default.svc.cluster.local \
			--service-account-key-file "$DIR/sa.key" \
			--service-account-signing-key-file "$DIR/sa.key" \
			--service-cluster-ip-range 10.96.0.0/16 \
			--endpoint-reconciler-type none \
			--token-auth-file "$DIR/tokens.csv" \
			--authorization-mode RBAC \
			--anonymous-auth=false --profiling=false \
			>"$DIR/kube-apiserver.log" 2>&1 </dev/null &
		pid=$!
		echo "$pid" >"$DIR/kube-apiserver.pid"
		# Ready once every post-start hook (RBAC bootstrap, CRD and
		# aggregation controllers) has run: a few seconds warm, more on a
		# busy machine.
		for i in $(seq 1 1200); do
			if curl -ksS -o /dev/null -f --max-time 2 -H "Authorization: Bearer $token" \
				"https://127.0.0.1:$port/readyz" 2>/dev/null; then
				write_kubeconfig "$port"
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		stop_one kube-apiserver
		log "kube-apiserver on port $port failed (attempt $attempt), see $DIR/kube-apiserver.log"
	done
	stop_one etcd
	die "could not start kube-apiserver, see $DIR/kube-apiserver.log"
}

# write_kubeconfig PORT: the admin's kubeconfig, trusting the API server's
# self-signed certificate (its CA file in --cert-dir).
write_kubeconfig() {
	local ca
	ca=$(base64 -w0 <"$DIR/certs/apiserver.crt")
	cat >"$DIR/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: relais-kube
    cluster:
      server: https://127.0.0.1:$1
      certificate-authority-data: $ca
users:
  - name: admin
    user:
      token: $token
contexts:
  - name: relais-kube
    context: {cluster: relais-kube, user: admin}
current-context: relais-kube
EOF
	chmod 600 "$DIR/kubeconfig"
}

start() {
	mkdir -p "$DIR/certs"
	if running kube-apiserver && [[ -f $DIR/kubeconfig ]]; then
		echo "$DIR/kubeconfig"
		return 0
	fi
	stop
	"$root/scripts/tools.sh" >&2
	bin="$(go env GOPATH)/bin"
	command -v openssl >/dev/null || die "openssl is missing (apt-get install -y openssl)"
	openssl ecparam -name prime256v1 -genkey -noout -out "$DIR/sa.key" 2>/dev/null
	token=$(random_hex 24)
	echo "$token,admin,admin,system:masters" >"$DIR/tokens.csv"
	chmod 600 "$DIR/sa.key" "$DIR/tokens.csv"
	start_etcd
	start_apiserver
	echo "$DIR/kubeconfig"
}

stop() {
	stop_one kube-apiserver
	stop_one etcd
	rm -f "$DIR/kubeconfig" "$DIR/etcd.url"
}

[[ $# -eq 2 ]] || usage
DIR=$(realpath -m "$2")

case $1 in
start) start ;;
stop) stop ;;
*) usage ;;
esac
