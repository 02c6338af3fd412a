#!/usr/bin/env bash
# make fuzz-expr: the parser robustness test of sql/expr_fuzz.sql at scale --
# FUZZ_CASES (default 350,000) random token sequences of each kind (condition,
# projection, update, Query key condition, Scan filter) plus 15,000 mutated
# valid expressions, about 1.77 million in all, through the real SQL functions
# on a throwaway preloaded cluster.
# Fails unless every outcome is success, ConditionalCheckFailed (YD010) or a
# ValidationException (YD001).  Run as root after 'make install' (the cluster
# runs as the postgres OS user), or as a user that can run initdb.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cases=${FUZZ_CASES:-350000}
bindir=/usr/lib/postgresql/15/bin
scratch=$(mktemp -d /tmp/dynpg-fuzz.XXXXXX)
if [ "$(id -u)" = 0 ]; then
	chown postgres: "$scratch"
	as_pg() { (cd / && runuser -u postgres -- "$@"); }
else
	as_pg() { "$@"; }
fi
trap 'as_pg "$bindir/pg_ctl" -D "$scratch/data" stop -m immediate >/dev/null 2>&1 || true' EXIT
as_pg "$bindir/initdb" -D "$scratch/data" -E UTF8 --locale=C.UTF-8 >/dev/null
cat >> "$scratch/data/postgresql.conf" <<CONF
shared_preload_libraries = 'dynpg'
port = 54329
listen_addresses = ''
unix_socket_directories = '$scratch'
CONF
as_pg "$bindir/pg_ctl" -D "$scratch/data" -l "$scratch/log" -w start >/dev/null
sed -e "s/generate_series(1, 3000) AS i/generate_series(1, $cases) AS i/" \
	"$top/sql/expr_fuzz.sql" > "$scratch/fuzz.sql"
chmod 644 "$scratch/fuzz.sql"
start=$(date +%s)
out=$(as_pg "$bindir/psql" -X -h "$scratch" -p 54329 -d postgres -At -v ON_ERROR_STOP=1 \
	-c 'CREATE EXTENSION dynpg' -f "$scratch/fuzz.sql" 2>&1)
total=$((cases * 5 + 15000))
unexpected=$(echo "$out" | awk 'NR > 0 && /^[0-9]+$/ {last = $0} END {print last}')
echo "$out" | grep '|' || true
echo "expression fuzz: $total cases in $(( $(date +%s) - start )) s; unexpected outcomes: $unexpected"
if ! as_pg "$bindir/pg_ctl" -D "$scratch/data" status >/dev/null; then
	echo "the server died" >&2
	exit 1
fi
[ "$unexpected" = 0 ] || exit 1
rm -rf "$scratch" 2>/dev/null || true
