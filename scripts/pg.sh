#!/usr/bin/env bash
# pg.sh — a throwaway PostgreSQL cluster for tests.
#
#   scripts/pg.sh start DIR   init (first time) and start a cluster in DIR;
#                             prints ONE line on stdout: its postgres:// URL
#   scripts/pg.sh stop DIR    stop it (no-op when it is not running)
#   scripts/pg.sh url DIR     print the URL of the running cluster
#
# The cluster listens on 127.0.0.1 only, on a free port, with its unix socket
# inside DIR, trust authentication and fsync off: it is for tests, never data.
# Typical use:
#
#   export RELAIS_TEST_POSTGRES_URL=$(scripts/pg.sh start /tmp/pgtest)
#   (cd pkg && go test ./sqldb/...)
#   scripts/pg.sh stop /tmp/pgtest
#
# Binaries come from /usr/lib/postgresql/*/bin (15 preferred); when none is
# found, `apt-get install -y postgresql` installs them. As root, the cluster
# runs as the `postgres` system user (initdb refuses to run as root).
set -euo pipefail

PREFERRED_MAJOR=15

log() { echo "pg.sh: $*" >&2; }
die() { log "$*"; exit 1; }

usage() {
	sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

find_bindir() {
	local d
	if [[ -x /usr/lib/postgresql/$PREFERRED_MAJOR/bin/pg_ctl ]]; then
		echo "/usr/lib/postgresql/$PREFERRED_MAJOR/bin"
		return 0
	fi
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
	[[ -n $d && -x $d/pg_ctl ]] || return 1
	echo "$d"
}

install_postgres() {
	[[ $(id -u) -eq 0 ]] || die "PostgreSQL is not installed and installing it needs root"
	log "installing postgresql with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -qq postgresql >&2; then
		apt-get update -qq >&2
		apt-get install -y -qq postgresql >&2
	fi
}

# as_owner runs a command as the user who owns the cluster.
as_owner() {
	if [[ $(id -u) -eq 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

url_for() {
	echo "postgres://postgres@127.0.0.1:$1/postgres?sslmode=disable"
}

is_running() {
	as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

init_cluster() {
	mkdir -p "$DIR"
	if [[ $(id -u) -eq 0 ]]; then
		id postgres >/dev/null 2>&1 || die "running as root but there is no postgres system user"
		chown -R postgres: "$DIR"
	fi
	as_owner test -w "$DIR" || die "$DIR is not writable by the cluster owner (its parents must be traversable)"
	as_owner "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$DIR/initdb.log" 2>&1 ||
		die "initdb failed, see $DIR/initdb.log"
	as_owner tee "$DATA/pg_hba.conf" >/dev/null <<-EOF
		local all all trust
		host  all all 127.0.0.1/32 trust
	EOF
	as_owner tee -a "$DATA/postgresql.conf" >/dev/null <<-EOF
		include_if_exists = 'relais.conf'
	EOF
}

# write_conf sets the port and the test-friendly settings.
write_conf() {
	as_owner tee "$DATA/relais.conf" >/dev/null <<-EOF
		listen_addresses = '127.0.0.1'
		port = $1
		unix_socket_directories = '$DIR'
		max_connections = 300
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		logging_collector = off
	EOF
}

start() {
	if [[ ! -f $DATA/PG_VERSION ]]; then
		init_cluster
	fi
	if is_running; then
		url_for "$(cat "$DIR/port")"
		return 0
	fi
	local port attempt
	for attempt in 1 2 3 4 5 6 7 8; do
		# Reuse the previous port on restart when it is still free.
		if [[ $attempt -eq 1 && -f $DIR/port ]]; then
			port=$(cat "$DIR/port")
		else
			port=$((20000 + RANDOM % 40000))
		fi
		port_in_use "$port" && continue
		write_conf "$port"
		if as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DIR/postgres.log" -w -t 30 start >/dev/null 2>&1; then
			echo "$port" | as_owner tee "$DIR/port" >/dev/null
			url_for "$port"
			return 0
		fi
		# Another process may have taken the port between the check and the bind.
		log "start on port $port failed, retrying"
	done
	die "could not start PostgreSQL, see $DIR/postgres.log"
}

stop() {
	[[ -f $DATA/PG_VERSION ]] || return 0
	is_running || return 0
	as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null
}

[[ $# -eq 2 ]] || usage
CMD=$1
DIR=$(realpath -m "$2")
DATA=$DIR/data

BIN=$(find_bindir) || { install_postgres; BIN=$(find_bindir) || die "no PostgreSQL binaries after install"; }

case $CMD in
start) start ;;
stop) stop ;;
url)
	is_running || die "no cluster running in $DIR"
	url_for "$(cat "$DIR/port")"
	;;
*) usage ;;
esac
