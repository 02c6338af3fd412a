#!/usr/bin/env bash
# Runs dynpg on a local PostgreSQL 15 cluster of its own.
#
#   scripts/dynpg-run.sh [start]   install missing Debian packages, build and install
#                                  dynpg (only what changed), initialise the cluster
#                                  once, start it if it is not running (restart it if
#                                  dynpg.so changed), create database dynpg with the
#                                  extension, run scripts/demo.sql, print how to connect
#   scripts/dynpg-run.sh stop      stop the cluster
#   scripts/dynpg-run.sh restart   stop, then start as above
#   scripts/dynpg-run.sh status    is it running, where, how to connect
#   scripts/dynpg-run.sh psql [args]   psql into database dynpg
#   scripts/dynpg-run.sh reset     stop and DELETE the cluster, then start afresh
#
# As root (the normal case) the cluster belongs to the 'postgres' OS user, lives in
# /var/lib/dynpg/data and listens on port 5499 (localhost and the Unix socket in
# /var/run/postgresql).  As another user it lives in <repo>/.dynpg/data, with its
# socket in /tmp.  DYNPG_DATA and DYNPG_PORT override both; the port is written
# into postgresql.conf when the cluster is created.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

port=${DYNPG_PORT:-5499}
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
	if ! dynpg_is_root; then
		echo "psql -h $sockdir -p $p dynpg"
	elif command -v sudo >/dev/null 2>&1; then
		echo "sudo -u $owner psql -p $p dynpg"
	else
		echo "runuser -u $owner -- psql -p $p dynpg"
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
	echo "== initialising a cluster in $data (port $port)"
	if dynpg_is_root; then
		install -d -o "$owner" -g "$owner" -m 700 "$data"
	else
		mkdir -p "$data"
		chmod 700 "$data"
	fi
	as_owner "$DYNPG_PG_BINDIR/initdb" -D "$data" -E UTF8 --locale=C.UTF-8 \
		--auth-local=peer --auth-host=scram-sha-256 >/dev/null
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

do_start() {
	dynpg_ensure_packages
	echo "== building dynpg"
	dynpg_build
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
	if changed .sql; then
		echo "note: dynpg's SQL script changed; database dynpg keeps the objects it was"
		echo "      created with ('scripts/dynpg-run.sh reset' recreates everything)"
	fi
	if [ -z "$(dynpg_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'dynpg'")" ]; then
		dynpg_psql -d postgres -q -c 'CREATE DATABASE dynpg'
	fi
	dynpg_psql -d dynpg -q -v ON_ERROR_STOP=1 -c 'SET client_min_messages = warning' \
		-c 'CREATE EXTENSION IF NOT EXISTS dynpg'
	echo "== running scripts/demo.sql"
	# On stdin: the owner may not be able to read the repository.
	dynpg_psql -d dynpg -v ON_ERROR_STOP=1 --echo-queries <"$top/scripts/demo.sql"
	echo
	echo "dynpg is running: data $data, port $(sed -n 4p "$data/postmaster.pid"), log $log"
	echo "connect with:  $(connect_hint)"
	echo "stop with:     scripts/dynpg-run.sh stop"
}

do_status() {
	if running; then
		echo "dynpg: running, data $data, port $(sed -n 4p "$data/postmaster.pid"), log $log"
		echo "connect with:  $(connect_hint)"
	elif [ -f "$data/PG_VERSION" ]; then
		echo "dynpg: stopped ($data); start it with scripts/dynpg-run.sh"
		return 3
	else
		echo "dynpg: no cluster in $data; create and start it with scripts/dynpg-run.sh"
		return 3
	fi
}

cmd=${1:-start}
[ "$#" -gt 0 ] && shift
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
