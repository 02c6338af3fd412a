#!/usr/bin/env bash
# pgTAP suite: starts a throwaway cluster preloading dynpg (tests/dynpg.conf) in
# tmp_check_pgtap/, makes a template database with the pgtap and dynpg
# extensions, and runs each test file with pg_prove in a fresh copy of it.
#   scripts/pgtap-check.sh [tests/pgtap/<file>.sql ...]    (default: all of them)
# Prints "pgtap <file> ... ok" or "... FAILED" (with pg_prove's verbose output)
# per file; exits 1 when any failed.  Needs dynpg installed and a non-root user.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

dynpg_is_root && dynpg_die "initdb refuses to run as root: run this as an unprivileged user"

if [ "$#" -gt 0 ]; then
	files=("$@")
else
	files=()
	for f in tests/pgtap/*.sql; do [ -e "$f" ] && files+=("$f"); done
fi
[ "${#files[@]}" -gt 0 ] || { echo "no pgTAP tests"; exit 0; }

export PATH="$DYNPG_PG_BINDIR:$PATH"
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGPASSWORD PGSERVICE PGOPTIONS PGDATA

work="$top/tmp_check_pgtap"
rm -rf "$work"
mkdir -p "$work"
# The server listens only on a Unix socket in a private directory (kept short:
# socket paths are limited to ~100 bytes), so the port cannot clash.
sock=$(mktemp -d /tmp/dynpg-pgtap.XXXXXX)
export PGHOST=$sock PGPORT=54321 PGDATABASE=postgres

stop() {
	pg_ctl -D "$work/data" stop -m immediate >/dev/null 2>&1 || true
	rm -rf "$sock"
}
trap stop EXIT

initdb -D "$work/data" --no-sync --auth=trust >"$work/initdb.log" 2>&1 ||
	{ cat "$work/initdb.log"; exit 1; }
{
	cat tests/dynpg.conf
	echo "listen_addresses = ''"
	echo "unix_socket_directories = '$sock'"
	echo "port = $PGPORT"
	echo "fsync = off"
} >>"$work/data/postgresql.conf"
pg_ctl -D "$work/data" -l "$work/postmaster.log" -w start >/dev/null ||
	{ tail -n 40 "$work/postmaster.log"; exit 1; }

if ! psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE pgtap_template' ||
	! psql -X -q -v ON_ERROR_STOP=1 -d pgtap_template \
		-c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION dynpg'; then
	echo "could not prepare the pgTAP template database"
	exit 1
fi

rc=0
i=0
for f in "${files[@]}"; do
	i=$((i + 1))
	db="pgtap_$i"
	out="$work/$(basename "$f" .sql).out"
	createdb -T pgtap_template "$db"
	if pg_prove --verbose -d "$db" "$f" >"$out" 2>&1; then
		echo "pgtap $f ... ok"
	else
		echo "pgtap $f ... FAILED"
		sed 's/^/    /' "$out"
		rc=1
	fi
	dropdb "$db"
done
exit "$rc"
