#!/usr/bin/env bash
# make valgrind-http: the HTTP endpoint under valgrind memcheck while real
# clients drive it -- tests/http/boto3_api.py (every operation through boto3,
# U+0000, deep nesting, GRANTs, SigV4 failures) and tests/http/raw_http.py
# (garbage, truncated and oversized bodies, split packets, pipelining, gzip,
# chunked, 100-continue, auth failures) -- on a throwaway cluster whose every
# process (postmaster, launcher, HTTP workers) runs under valgrind.  Reports the
# error reports whose stack passes through dynpg.so and fails if there are any.
#
# Run as root after 'make install' (the cluster runs as the postgres OS user).
# Slow: valgrind runs the server some 30 times slower; about ten minutes.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bindir=/usr/lib/postgresql/15/bin
command -v valgrind >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq valgrind >/dev/null; }
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
scratch=$(mktemp -d /tmp/dynpg-valgrind-http.XXXXXX)
mkdir -p "$scratch/logs"
if [ "$(id -u)" = 0 ]; then
	chown -R postgres: "$scratch"
	as_pg() { (cd / && runuser -u postgres -- "$@"); }
else
	as_pg() { "$@"; }
fi
pgport=54391
hport=${VALGRIND_HTTP_PORT:-18391}
pidfile="$scratch/pg.pid"
stop() {
	as_pg "$bindir/pg_ctl" -D "$scratch/data" stop -m fast -t 300 >/dev/null 2>&1 || true
}
trap stop EXIT
as_pg "$bindir/initdb" -D "$scratch/data" -E UTF8 --locale=C.UTF-8 >/dev/null
cat >> "$scratch/data/postgresql.conf" <<CONF
shared_preload_libraries = 'dynpg'
port = $pgport
listen_addresses = ''
unix_socket_directories = '$scratch'
dynpg.http_port = $hport
dynpg.http_workers = 2
dynpg.http_database = 'postgres'
dynpg.http_max_connections = 1000
max_worker_processes = 16
CONF
# postgres itself under valgrind, its children followed
as_pg sh -c "valgrind --quiet --trace-children=yes --track-origins=yes --read-var-info=no \
	--leak-check=no --num-callers=30 --log-file=$scratch/logs/vg.%p.log \
	$bindir/postgres -D $scratch/data >$scratch/server.log 2>&1 & echo \$! > $pidfile"
psql() { as_pg "$bindir/psql" -X -q -h "$scratch" -p "$pgport" -d postgres -v ON_ERROR_STOP=1 "$@"; }
for _ in $(seq 1 300); do psql -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
psql -c 'CREATE EXTENSION dynpg' -c 'CREATE ROLE app' -c 'CREATE ROLE nobody' \
	-c 'GRANT CREATE ON SCHEMA dynamodb TO app'
IFS='|' read -r key secret <<<"$(psql -At -c "SELECT access_key_id || '|' || secret_access_key FROM dynpg.create_access_key('app')")"
IFS='|' read -r lkey lsecret <<<"$(psql -At -c "SELECT access_key_id || '|' || secret_access_key FROM dynpg.create_access_key('nobody')")"
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$hport/" && break; sleep 1; done

export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
rc=0
echo "== boto3_api.py"
DYNPG_ENDPOINT="http://127.0.0.1:$hport" AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret \
	DYNPG_LIMITED_KEY=$lkey DYNPG_LIMITED_SECRET=$lsecret DYNPG_SLOW=1 \
	/usr/bin/python3 "$top/tests/http/boto3_api.py" >"$scratch/boto3.out" 2>&1 || rc=1
grep -c '^ok' "$scratch/boto3.out" | sed 's/$/ checks passed/'
grep '^not ok' "$scratch/boto3.out" || true
echo "== raw_http.py"
DYNPG_HOST=127.0.0.1 DYNPG_PORT=$hport AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret DYNPG_SLOW=1 \
	/usr/bin/python3 "$top/tests/http/raw_http.py" >"$scratch/raw.out" 2>&1 || rc=1
grep -c '^ok' "$scratch/raw.out" | sed 's/$/ checks passed/'
grep '^not ok' "$scratch/raw.out" || true
stop
trap - EXIT

count=$(cat "$scratch"/logs/vg.*.log 2>/dev/null | sed -E 's/^==[0-9]+== ?//' |
	awk 'BEGIN{RS=""} /dynpg\.so/ {n++} END{print n+0}')
echo "valgrind: $count error report(s) with dynpg.so on the stack, $(ls "$scratch"/logs | wc -l) processes"
if [ "$count" != 0 ]; then
	cat "$scratch"/logs/vg.*.log | sed -E 's/^==[0-9]+== ?//' | awk 'BEGIN{RS=""} /dynpg\.so/ {print; print "----"}' | head -150
	rc=1
fi
if grep -E "TRAP:|PANIC|terminated by signal" "$scratch/server.log"; then rc=1; fi
if [ "$rc" = 0 ]; then
	echo "1 passed, 0 failed"
	rm -rf "$scratch"
else
	echo "kept: $scratch"
	echo "0 passed, 1 failed"
fi
exit "$rc"
