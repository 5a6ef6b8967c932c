#!/usr/bin/env bash
# minio.sh — a throwaway MinIO server for tests, always a separate process.
#
#   scripts/minio.sh start DIR   start a server with its data in DIR; prints
#                                ONE line on stdout: ENDPOINT ACCESS_KEY SECRET_KEY
#                                (http://127.0.0.1:PORT and random root credentials)
#   scripts/minio.sh stop DIR    stop it (no-op when it is not running)
#   scripts/minio.sh env DIR     print the line of the running server again
#
# The server listens on 127.0.0.1 only, on a free port, with the web console
# and update checks off. Typical use:
#
#   line=$(scripts/minio.sh start /tmp/minio)   # an assignment keeps set -e working
#   read -r RELAIS_TEST_S3_ENDPOINT RELAIS_TEST_S3_ACCESS_KEY RELAIS_TEST_S3_SECRET_KEY <<<"$line"
#   export RELAIS_TEST_S3_ENDPOINT RELAIS_TEST_S3_ACCESS_KEY RELAIS_TEST_S3_SECRET_KEY
#   (cd pkg && go test ./blob/...)
#   scripts/minio.sh stop /tmp/minio
#
# The binary is $(go env GOPATH)/bin/minio. When it is missing, it is built
# with `go install github.com/minio/minio@$RELAIS_MINIO_VERSION` (default
# latest; about 3+ minutes cold, run under nice). When RELAIS_MINIO_VERSION
# names an exact version and the binary there was built from another one, it
# is rebuilt. MinIO is AGPL-licensed: Relais only runs it as a separate
# program, never links it.
set -euo pipefail

MODULE=github.com/minio/minio
VERSION=${RELAIS_MINIO_VERSION:-latest}

log() { echo "minio.sh: $*" >&2; }
die() { log "$*"; exit 1; }

usage() {
	sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# built_version prints the module version the binary was built from.
built_version() {
	go version -m "$1" 2>/dev/null | awk -v m="$MODULE" '$1 == "mod" && $2 == m { print $3 }'
}

ensure_binary() {
	local bin have
	bin="$(go env GOPATH)/bin/minio"
	if [[ -x $bin ]]; then
		have=$(built_version "$bin")
		if [[ $VERSION == latest || $VERSION == "$have" ]]; then
			MINIO=$bin
			return 0
		fi
		log "installed minio is ${have:-of unknown version}, want $VERSION: rebuilding"
	fi
	log "building $MODULE@$VERSION into $(dirname "$bin") (about 3+ minutes the first time)"
	# Outside any workspace, so that the repo's go.work has no say.
	(cd / && GOWORK=off GOFLAGS=-mod=mod nice -n 10 go install "$MODULE@$VERSION") >&2 ||
		die "go install $MODULE@$VERSION failed"
	MINIO=$bin
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

# running succeeds when the pid file names a live minio process.
running() {
	local pid
	[[ -f $DIR/minio.pid ]] || return 1
	pid=$(cat "$DIR/minio.pid")
	[[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "minio server"
}

ready() {
	curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$1/minio/health/ready" 2>/dev/null
}

start() {
	mkdir -p "$DIR/data"
	if running; then
		cat "$DIR/endpoint"
		return 0
	fi
	ensure_binary
	local access secret port console pid attempt i
	access="relais$(random_hex 6)"
	secret=$(random_hex 20)
	for attempt in 1 2 3 4 5; do
		port=$(free_port)
		console=$(free_port)
		MINIO_ROOT_USER=$access MINIO_ROOT_PASSWORD=$secret \
			MINIO_BROWSER=off MINIO_UPDATE=off MINIO_CI_CD=1 \
			nohup "$MINIO" server "$DIR/data" --quiet \
			--address "127.0.0.1:$port" --console-address "127.0.0.1:$console" \
			>"$DIR/minio.log" 2>&1 </dev/null &
		pid=$!
		echo "$pid" >"$DIR/minio.pid"
		for i in $(seq 1 300); do
			if ready "$port"; then
				echo "http://127.0.0.1:$port $access $secret" | tee "$DIR/endpoint"
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		# Port taken between the check and the bind, or too slow: try again.
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		rm -f "$DIR/minio.pid"
		log "start on port $port failed (attempt $attempt), see $DIR/minio.log"
	done
	die "could not start MinIO, see $DIR/minio.log"
}

stop() {
	running || { rm -f "$DIR/minio.pid"; return 0; }
	local pid i
	pid=$(cat "$DIR/minio.pid")
	kill -TERM "$pid"
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	rm -f "$DIR/minio.pid" "$DIR/endpoint"
}

[[ $# -eq 2 ]] || usage
CMD=$1
DIR=$(realpath -m "$2")

case $CMD in
start) start ;;
stop) stop ;;
env)
	running || die "no server running in $DIR"
	cat "$DIR/endpoint"
	;;
*) usage ;;
esac
