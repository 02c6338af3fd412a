#!/usr/bin/env bash
# Runs dynpg on a local PostgreSQL 15 cluster of its own.
#
#   scripts/dynpg-run.sh [-v] [start]   install missing Debian packages, build and install
#                                  dynpg (only what changed), initialise the cluster
#                                  once, start it if it is not running (restart it if
#                                  dynpg.so changed), create database dynpg with the
#                                  extension (or update the extension to the installed
#                                  version), serve it over DynamoDB's HTTP protocol on
#                                  localhost:8000, run scripts/demo.sql, print how to
#                                  connect with psql and the AWS CLI
#   scripts/dynpg-run.sh stop      stop the cluster
#   scripts/dynpg-run.sh restart   stop, then start as above
#   scripts/dynpg-run.sh status    is it running, where, how to connect
#   scripts/dynpg-run.sh psql [args]   psql into database dynpg
#   scripts/dynpg-run.sh reset     stop and DELETE the cluster, then start afresh
#
#   -v, --verbose   show each step's output: apt's log, the compiler's command lines,
#                   initdb, and the demo's queries.  Without it each step prints one
#                   line, and a step that fails prints the end of its output (and
#                   where the rest of it is) before the script stops.
#
# As root (the normal case) the cluster belongs to the 'postgres' OS user, lives in
# /var/lib/dynpg/data and listens on port 5499 (localhost and the Unix socket in
# /var/run/postgresql).  As another user it lives in <repo>/.dynpg/data, with its
# socket in /tmp.  DYNPG_DATA and DYNPG_PORT override both; the port is written
# into postgresql.conf when the cluster is created.
#
# The HTTP endpoint (README, "The HTTP endpoint") listens on localhost only, port
# DYNPG_HTTP_PORT (default 8000), with dynpg.http_auth = 'trust': like DynamoDB
# Local, any access key works, and requests run as the role dynpg_local (which may
# create tables, and use the tables the cluster's owner creates).  Trust is for a
# developer's machine: never serve a reachable address with it.  The script sets
# these with ALTER SYSTEM unless dynpg.http_port was set by hand (0 turns it off).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

port=${DYNPG_PORT:-5499}
http_port=${DYNPG_HTTP_PORT:-8000}
if dynpg_is_root; then
	owner=postgres
	data=${DYNPG_DATA:-/var/lib/dynpg/data}
	sockdir=/var/run/postgresql
	# From /: the owner may not be allowed into the repository's directory.
	as_owner() { (cd / && runuser -u "$owner" -- "$@"); }
else
	owner=$(id -un)
	data=${DYNPG_DATA:-$top/.dynpg/data}
	sockdir=/tmp
	as_owner() { "$@"; }
fi
log="$data/postgres.log"
pg_ctl() { as_owner "$DYNPG_PG_BINDIR/pg_ctl" -D "$data" "$@"; }

# True when the last dynpg_install changed an installed file ending in $1.
changed() {
	local f
	for f in "${DYNPG_CHANGED[@]}"; do
		case "$f" in *"$1") return 0 ;; esac
	done
	return 1
}

running() { [ -f "$data/PG_VERSION" ] && pg_ctl status >/dev/null 2>&1; }

# psql into the cluster as its owner; the port and socket directory come from the
# running server (postmaster.pid), so they are right even if DYNPG_PORT changed.
dynpg_psql() {
	local p s
	p=$(sed -n 4p "$data/postmaster.pid")
	s=$(sed -n 5p "$data/postmaster.pid")
	as_owner "$DYNPG_PG_BINDIR/psql" -X -h "$s" -p "$p" "$@"
}

connect_hint() {
	local p
	p=$(sed -n 4p "$data/postmaster.pid" 2>/dev/null || echo "$port")
	# runuser (util-linux) is on every Debian; sudo is not
	if dynpg_is_root; then
		echo "runuser -u $owner -- psql -p $p dynpg"
	else
		echo "psql -h $sockdir -p $p dynpg"
	fi
}

do_stop() {
	if running; then
		pg_ctl stop -m fast >/dev/null
		echo "dynpg: stopped the cluster in $data"
	else
		echo "dynpg: not running ($data)"
	fi
}

do_init() {
	[ -f "$data/PG_VERSION" ] && return 0
	echo "== creating a cluster in $data (port $port)"
	if dynpg_is_root; then
		install -d -o "$owner" -g "$owner" -m 700 "$data"
	else
		mkdir -p "$data"
		chmod 700 "$data"
	fi
	dynpg_step "initdb" as_owner "$DYNPG_PG_BINDIR/initdb" -D "$data" -E UTF8 --locale=C.UTF-8 \
		--auth-local=peer --auth-host=scram-sha-256 || exit 1
	as_owner tee -a "$data/postgresql.conf" >/dev/null <<-CONF

		# Added by scripts/dynpg-run.sh
		port = $port
		listen_addresses = 'localhost'
		unix_socket_directories = '$sockdir'
		shared_preload_libraries = 'dynpg'
	CONF
}

# True when the installed dynpg.so is newer than the running server, which
# preloaded the old one (e.g. 'make install' or 'make test' installed it).
library_newer_than_server() {
	local lib started
	lib="$("$DYNPG_PG_BINDIR/pg_config" --pkglibdir)/dynpg.so"
	started=$(sed -n 3p "$data/postmaster.pid" 2>/dev/null)
	[ -f "$lib" ] && [ -n "$started" ] && [ "$(stat -c %Y "$lib")" -gt "$started" ]
}

# Database dynpg's extension at the installed default version: when the
# installed dynpg is newer than the version the database has (a new build was
# installed), ALTER EXTENSION dynpg UPDATE runs the update scripts from that
# version on (README, "Versions and upgrades").  An older default than the
# database's (an older build installed) is left alone, with a note.
update_extension() {
	local versions installed available
	versions=$(dynpg_psql -d dynpg -tAF ' ' -c "SELECT e.extversion, a.default_version
		FROM pg_extension e JOIN pg_available_extensions a ON a.name = e.extname WHERE e.extname = 'dynpg'")
	installed=${versions%% *}
	available=${versions#* }
	[ -n "$versions" ] && [ "$installed" != "$available" ] || return 0
	if [ "$(dynpg_psql -d dynpg -tAc "SELECT string_to_array('$available', '.')::int[] > string_to_array('$installed', '.')::int[]")" = t ]; then
		echo "== updating extension dynpg in database dynpg from $installed to $available"
		dynpg_psql -d dynpg -q -v ON_ERROR_STOP=1 -c 'SET client_min_messages = warning' \
			-c 'ALTER EXTENSION dynpg UPDATE' || exit 1
	else
		echo "note: database dynpg has dynpg $installed, newer than the installed $available; left as it is"
	fi
}

# S3 for ExportTableToPointInTime and ImportTable: unless dynpg.export_directory
# was set by hand, the directory "exports" beside the data directory.
ensure_exports() {
	local source dir
	source=$(dynpg_psql -d postgres -tAc "SELECT source FROM pg_settings WHERE name = 'dynpg.export_directory'")
	[ "$source" = default ] || return 0
	dir="$(dirname "$data")/exports"
	if dynpg_is_root; then
		install -d -o "$owner" -g "$owner" -m 700 "$dir"
	else
		mkdir -p "$dir"
	fi
	echo "== exports and imports (S3) in $dir"
	dynpg_psql -d postgres -q -v ON_ERROR_STOP=1 \
		-c "ALTER SYSTEM SET dynpg.export_directory = '$dir'" \
		-c "SELECT pg_reload_conf()" >/dev/null
}

# The HTTP endpoint: unless dynpg.http_port was set by hand, serve database dynpg
# on localhost:$http_port in trust mode as role dynpg_local; then wait until the
# endpoint answers.
ensure_http() {
	local source n=0
	source=$(dynpg_psql -d postgres -tAc "SELECT source FROM pg_settings WHERE name = 'dynpg.http_port'")
	if [ "$source" = default ]; then
		echo "== serving database dynpg over HTTP on localhost:$http_port (trust: any access key works)"
		dynpg_psql -d postgres -q -v ON_ERROR_STOP=1 \
			-c "ALTER SYSTEM SET dynpg.http_port = $http_port" \
			-c "ALTER SYSTEM SET dynpg.http_listen_addresses = 'localhost'" \
			-c "ALTER SYSTEM SET dynpg.http_database = 'dynpg'" \
			-c "ALTER SYSTEM SET dynpg.http_auth = 'trust'" \
			-c "ALTER SYSTEM SET dynpg.http_trust_role = 'dynpg_local'" \
			-c "SELECT pg_reload_conf()" >/dev/null
	fi
	# the role trusted requests run as: creates tables, and uses the owner's
	dynpg_psql -d dynpg -q -v ON_ERROR_STOP=1 <<-'SQL'
		SET client_min_messages = warning;
		DO $$ BEGIN CREATE ROLE dynpg_local; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
		GRANT CREATE ON SCHEMA dynamodb TO dynpg_local;
		GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA dynamodb TO dynpg_local;
		ALTER DEFAULT PRIVILEGES IN SCHEMA dynamodb GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO dynpg_local;
	SQL
	http_port=$(dynpg_psql -d postgres -tAc "SHOW dynpg.http_port")
	[ "$http_port" != 0 ] || return 0
	until curl -sf -o /dev/null "http://localhost:$http_port/"; do
		n=$((n + 1))
		if [ "$n" -ge 50 ]; then
			echo "warning: the HTTP endpoint does not answer on localhost:$http_port (see $log)" >&2
			return 0
		fi
		sleep 0.2
	done
}

http_hint() {
	local p auth
	p=$(dynpg_psql -d postgres -tAc "SHOW dynpg.http_port" 2>/dev/null || echo 0)
	[ "$p" != 0 ] || { echo "HTTP endpoint:  off (dynpg.http_port = 0)"; return; }
	auth=$(dynpg_psql -d postgres -tAc "SHOW dynpg.http_auth")
	echo "HTTP endpoint:  http://localhost:$p (dynpg.http_auth = $auth)"
	if [ "$auth" = trust ]; then
		echo "AWS CLI:        AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws dynamodb list-tables \\"
		echo "                    --endpoint-url http://localhost:$p --region us-east-1"
	else
		echo "AWS CLI:        keys from SELECT * FROM dynpg.create_access_key('<role>'), then"
		echo "                aws dynamodb list-tables --endpoint-url http://localhost:$p --region us-east-1"
	fi
}

do_start() {
	local db_existed ext
	dynpg_ensure_packages
	echo "== building dynpg"
	dynpg_step "building dynpg" dynpg_build || exit 1
	dynpg_install
	do_init
	if dynpg_is_root; then
		install -d -o "$owner" -g "$owner" -m 2775 "$sockdir"
	fi
	if ! running; then
		echo "== starting the cluster"
		pg_ctl -l "$log" -w start >/dev/null || { tail -n 30 "$log" >&2; exit 1; }
	elif changed .so || library_newer_than_server; then
		echo "== restarting the cluster to load the new dynpg library"
		pg_ctl -l "$log" -w restart -m fast >/dev/null || { tail -n 30 "$log" >&2; exit 1; }
	fi
	db_existed=$(dynpg_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'dynpg'")
	if [ -z "$db_existed" ]; then
		echo "== creating database dynpg with the extension"
		dynpg_psql -d postgres -q -c 'CREATE DATABASE dynpg'
	fi
	ext=$(dynpg_psql -d dynpg -tAc "SELECT extversion FROM pg_extension WHERE extname = 'dynpg'")
	if [ -z "$ext" ]; then
		dynpg_psql -d dynpg -q -v ON_ERROR_STOP=1 -c 'SET client_min_messages = warning' \
			-c 'CREATE EXTENSION dynpg'
	else
		update_extension
	fi
	ensure_exports
	ensure_http
	echo "== running scripts/demo.sql"
	# On stdin: the owner may not be able to read the repository.  Quiet: the
	# demo's results without its queries or psql's command tags.
	local demo_opts=(-q)
	[ "$DYNPG_VERBOSE" = 1 ] && demo_opts=(--echo-queries)
	dynpg_psql -d dynpg -v ON_ERROR_STOP=1 "${demo_opts[@]}" <"$top/scripts/demo.sql"
	echo
	echo "dynpg is running: data $data, port $(sed -n 4p "$data/postmaster.pid"), log $log"
	echo "connect with:  $(connect_hint)"
	http_hint
	echo "stop with:     scripts/dynpg-run.sh stop"
}

do_status() {
	if running; then
		echo "dynpg: running, data $data, port $(sed -n 4p "$data/postmaster.pid"), log $log"
		echo "connect with:  $(connect_hint)"
		http_hint
	elif [ -f "$data/PG_VERSION" ]; then
		echo "dynpg: stopped ($data); start it with scripts/dynpg-run.sh"
		return 3
	else
		echo "dynpg: no cluster in $data; create and start it with scripts/dynpg-run.sh"
		return 3
	fi
}

# Options come before the command (after 'psql', everything is psql's).
while [ "$#" -gt 0 ]; do
	case "$1" in
	-v | --verbose) DYNPG_VERBOSE=1; shift ;;
	*) break ;;
	esac
done
export DYNPG_VERBOSE
cmd=${1:-start}
[ "$#" -gt 0 ] && shift
if [ "$cmd" != psql ]; then
	for arg in "$@"; do
		case "$arg" in
		-v | --verbose) DYNPG_VERBOSE=1 ;;
		*) dynpg_die "'$cmd' takes no argument '$arg' (options: -v)" ;;
		esac
	done
fi
case "$cmd" in
start) do_start ;;
stop) do_stop ;;
restart) do_stop; do_start ;;
status) do_status ;;
psql)
	running || dynpg_die "not running: start it with scripts/dynpg-run.sh"
	dynpg_psql -d dynpg "$@"
	;;
reset)
	do_stop
	if [ -f "$data/PG_VERSION" ]; then
		echo "== deleting $data"
		rm -rf "$data"
	elif [ -e "$data" ]; then
		dynpg_die "$data is not a PostgreSQL data directory; not deleting it"
	fi
	do_start
	;;
-h | --help | help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
*) dynpg_die "unknown command '$cmd' (start, stop, restart, status, psql, reset)" ;;
esac
