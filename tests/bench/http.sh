#!/usr/bin/env bash
# Benchmark (not part of make test): GetItem and PutItem over dynpg's HTTP
# endpoint on random keys of a table of 1,000,000 items of about 200 bytes,
# driven by wrk (keep-alive connections, pre-signed requests), in the same run
# as (a) the same operations through SQL (pgbench -M prepared of
# dynpg.get_item / dynpg.put_item, the same number of clients) and (b)
# dynalite (npm, in memory, on its own port, the same requests and items).
# Every client gets a thread of its own on every side (wrk -t N -c N, pgbench
# -c N -j N): a single wrk thread driving both connections halves GetItem's
# requests/s on this 2-core machine (one client thread is the bottleneck), and
# comparing it with a 2-thread pgbench measured the clients, not the servers.
# HTTP runs twice per operation: dynpg.http_auth = sigv4 (every request's
# signature verified) and trust (no verification), which is SigV4's cost.
# BENCH_ROUNDS rounds (default 3), each running every side once, interleaved;
# reports each round, then the median and spread (min..max) of each figure
# and of the ratios, with the machine's load average.
#
# Uses the cluster of scripts/dynpg-run.sh: its database dynpg_bench_http,
# served over HTTP for the run (dynpg.http_database/port/auth are changed
# with ALTER SYSTEM and put back when it ends).  Needs wrk (Debian) and npm
# (dynalite, installed by scripts/npm-deps.sh).
# The reads (issue 22): Query of a whole 100-item partition ("query"), the
# first 10 items of a partition ("query10", Limit 10) and one 1 MB Scan page
# from a random ExclusiveStartKey ("scan"), over HTTP (sigv4), through SQL as
# dynpg.query/dynpg.scan (jsonb) and dynpg.query_json/scan_json (json), and
# against the heap baseline's SELECT of the same rows (item, as text) through
# pgbench over the Unix socket and over TCP, and dynalite.  The heap's Scan
# page is the next rows in primary-key order, as many as dynpg's 1 MB page
# holds (counted first).  wrk waits up to 60 s for a response (its default
# of 2 s counted dynalite's slower 1 MB Scan pages as socket errors).
# BENCH_ITEMS, BENCH_PARTITIONS, BENCH_SECONDS (default 10), BENCH_CLIENTS
# (default 2), BENCH_ROUNDS, BENCH_HTTP_PORT (8000), BENCH_DYNALITE_PORT
# (8001), BENCH_REQUESTS (distinct pre-signed requests, 20000), BENCH_OPS
# (default "get put query query10 scan") override.
set -euo pipefail
items=${BENCH_ITEMS:-1000000}
parts=${BENCH_PARTITIONS:-10000}
secs=${BENCH_SECONDS:-10}
clients=${BENCH_CLIENTS:-2}
rounds=${BENCH_ROUNDS:-3}
hport=${BENCH_HTTP_PORT:-8000}
dport=${BENCH_DYNALITE_PORT:-8001}
nreq=${BENCH_REQUESTS:-20000}
ops=${BENCH_OPS:-get put query query10 scan}
db=dynpg_bench_http
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 2; }
py=/usr/bin/python3

# a run stopped by force may have left the endpoint serving $db, which then cannot be dropped
if [ "$(psql_db postgres -At -c "SHOW dynpg.http_database")" = "$db" ]; then
	psql_db postgres -c "ALTER SYSTEM RESET dynpg.http_database" -c "SELECT pg_reload_conf()" >/dev/null
	sleep 2
fi
bench_load "'item' || i" 1
q "DO \$\$ BEGIN CREATE ROLE bench_http; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >/dev/null
q "GRANT SELECT, INSERT, UPDATE, DELETE ON dynamodb.bench TO bench_http" >/dev/null
# the SQL path over TCP too (HTTP clients use TCP; pgbench's default is the Unix socket)
q "DO \$\$ BEGIN CREATE ROLE bench_sql LOGIN PASSWORD 'bench_sql'; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >/dev/null
q "ALTER ROLE bench_sql LOGIN PASSWORD 'bench_sql'" >/dev/null
q "GRANT SELECT, INSERT, UPDATE, DELETE ON dynamodb.bench TO bench_sql" >/dev/null
IFS='|' read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY <<<"$(q "SELECT access_key_id || '|' || secret_access_key FROM dynpg.create_access_key('bench_http')")"
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

# The endpoint's settings as they were, put back on exit: a setting that came
# from postgresql.auto.conf gets its value back, any other is RESET.
settings="dynpg.http_port dynpg.http_database dynpg.http_auth dynpg.http_trust_role dynpg.http_workers"
mapfile -t restore < <(psql_db postgres -At -c "SELECT CASE WHEN sourcefile LIKE '%postgresql.auto.conf'
     THEN format('ALTER SYSTEM SET %s = %L', name, setting) ELSE format('ALTER SYSTEM RESET %s', name) END
  FROM pg_settings WHERE name IN ($(printf "'%s'," $settings | sed 's/,$//'))")
dynalite_pid=
cleanup() {
	[ -n "$dynalite_pid" ] && kill "$dynalite_pid" 2>/dev/null || true
	local stmt
	# one statement per call: ALTER SYSTEM cannot run in a transaction block
	for stmt in "${restore[@]}"; do psql_db postgres -c "$stmt" >/dev/null 2>&1 || true; done
	psql_db postgres -c "SELECT pg_reload_conf()" >/dev/null 2>&1 || true
	q "SELECT dynpg.drop_access_key('$AWS_ACCESS_KEY_ID')" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# set_auth sigv4|trust: serve $db on $hport with that authentication, and wait
# until the workers answer
set_auth() {
	psql_db postgres -c "ALTER SYSTEM SET dynpg.http_port = $hport" \
		-c "ALTER SYSTEM SET dynpg.http_database = '$db'" \
		-c "ALTER SYSTEM SET dynpg.http_workers = $clients" \
		-c "ALTER SYSTEM SET dynpg.http_auth = '$1'" \
		-c "ALTER SYSTEM SET dynpg.http_trust_role = 'bench_http'" \
		-c "SELECT pg_reload_conf()" >/dev/null
	local n=0
	until [ "$(q "SELECT count(*) FROM dynpg.http_status")" = "$clients" ] &&
		curl -sf "http://127.0.0.1:$hport/" >/dev/null; do
		n=$((n + 1))
		[ "$n" -lt 100 ] || { echo "the HTTP endpoint did not come up on port $hport" >&2; exit 1; }
		sleep 0.2
	done
	sleep 1
}

# dynalite, in memory, with the same table and items
nm=$("$top/scripts/npm-deps.sh" "$here/dynalite")
node "$nm/dynalite/cli.js" --port "$dport" --createTableMs 0 --deleteTableMs 0 >"$work/dynalite.log" 2>&1 &
dynalite_pid=$!
sleep 1
echo "loading $items items into dynalite..."
"$py" - "$dport" "$items" "$parts" <<'PY'
import sys, hashlib, concurrent.futures, boto3, botocore.config
port, items, parts = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def client():
    return boto3.client("dynamodb", endpoint_url="http://127.0.0.1:%d" % port, region_name="us-east-1",
                        config=botocore.config.Config(retries={"max_attempts": 10}))
c = client()
c.create_table(TableName="bench", BillingMode="PAY_PER_REQUEST",
               KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
               AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}])
c.get_waiter("table_exists").wait(TableName="bench", WaiterConfig={"Delay": 1})
def load(start):
    cl = client()
    for b in range(start, min(start + 10000, items + 1), 25):
        reqs = []
        for i in range(b, min(b + 25, start + 10000, items + 1)):
            a = "".join(hashlib.md5(str(i + k).encode()).hexdigest() for k in range(3))
            reqs.append({"PutRequest": {"Item": {"pk": {"S": "user%d" % (i % parts)}, "sk": {"S": "item%d" % i},
                         "a": {"S": a}, "n": {"N": str(i)}, "flag": {"BOOL": i % 2 == 0}}}})
        todo = {"bench": reqs}
        while todo:
            todo = cl.batch_write_item(RequestItems=todo).get("UnprocessedItems") or None
with concurrent.futures.ThreadPoolExecutor(4) as ex:
    list(ex.map(load, range(1, items + 1, 10000)))
PY

bench_get_item_script 'bench' "$work/get_sql.sql"
cat > "$work/put_sql.sql" <<SQL
\set i random(1, $items)
\set v random(1, 1000000000)
SELECT dynpg.put_item(jsonb_build_object('TableName', 'bench', 'Item', jsonb_build_object(
  'pk', jsonb_build_object('S', 'user' || ((:i)::bigint % $parts)), 'sk', jsonb_build_object('S', 'item' || (:i)::bigint),
  'a', jsonb_build_object('S', md5((:v)::bigint::text) || md5(((:v)::bigint + 1)::text) || md5(((:v)::bigint + 2)::text)),
  'n', jsonb_build_object('N', (:v)::bigint::text), 'flag', jsonb_build_object('BOOL', (:v)::bigint % 2 = 0))));
SQL

# the reads through SQL: dynpg's jsonb and json forms, the heap baseline
key_sql="(:i)::bigint % $parts"
for form in jsonb json; do
	b=jsonb_build_object fn=dynpg.query sfx=""
	[ $form = json ] && b=json_build_object fn=dynpg.query_json sfx=_json
	cat > "$work/query_sql$sfx.sql" <<SQL
\set i random(1, $items)
SELECT $fn($b('TableName', 'bench', 'KeyConditionExpression', 'pk = ' || chr(58) || 'p',
  'ExpressionAttributeValues', $b(chr(58) || 'p', $b('S', 'user' || ($key_sql)))));
SQL
	cat > "$work/query10_sql$sfx.sql" <<SQL
\set i random(1, $items)
SELECT $fn($b('TableName', 'bench', 'KeyConditionExpression', 'pk = ' || chr(58) || 'p', 'Limit', 10,
  'ExpressionAttributeValues', $b(chr(58) || 'p', $b('S', 'user' || ($key_sql)))));
SQL
	fn=dynpg.scan; [ $form = json ] && fn=dynpg.scan_json
	cat > "$work/scan_sql$sfx.sql" <<SQL
\set i random(1, $items)
SELECT $fn($b('TableName', 'bench', 'ExclusiveStartKey', $b(
  'pk', $b('S', 'user' || ($key_sql)), 'sk', $b('S', 'item' || (:i)::bigint))));
SQL
done
scan_rows=$(q "SELECT jsonb_array_length(dynpg.scan('{\"TableName\": \"bench\"}') -> 'Items')")
cat > "$work/query_heap.sql" <<SQL
\set i random(1, $items)
SELECT item FROM heapbase WHERE pk = 'user' || ($key_sql) ORDER BY sk;
SQL
cat > "$work/query10_heap.sql" <<SQL
\set i random(1, $items)
SELECT item FROM heapbase WHERE pk = 'user' || ($key_sql) ORDER BY sk LIMIT 10;
SQL
cat > "$work/scan_heap.sql" <<SQL
\set i random(1, $items)
SELECT item FROM heapbase WHERE (pk, sk) > ('user' || ($key_sql), 'item' || (:i)::bigint)
  ORDER BY pk, sk LIMIT $scan_rows;
SQL
q "GRANT SELECT ON heapbase TO bench_sql" >/dev/null

declare -A rps p50 p99
# ms <wrk latency>: 123.45us / 1.23ms / 1.02s in milliseconds
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }
# wrk_run NAME PORT REQUESTS.lua
wrk_run() {
	local out bad
	out=$(wrk -t "$clients" -c "$clients" -d "${secs}s" --timeout 60s --latency -s "$here/http.lua" "http://127.0.0.1:$2/" -- "$3") ||
		{ echo "$out" >&2; exit 1; }
	rps[$1]=$(echo "$out" | sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p')
	p50[$1]=$(ms "$(echo "$out" | awk '$1 == "50%" {print $2}')")
	p99[$1]=$(ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")
	bad=$(echo "$out" | sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\)/\1/p')
	if [ -n "$bad" ] || echo "$out" | grep -q "Socket errors"; then
		echo "$1: errors: $(echo "$out" | grep -E 'Non-2xx|Socket errors')" >&2
		exit 1
	fi
}
# sql_run NAME SCRIPT [tcp]: pgbench, the same clients, over the Unix socket or
# (tcp) 127.0.0.1; p50/p99 from its per-transaction log
sql_run() {
	local out conn=()
	[ "${3:-}" = tcp ] && conn=(-h 127.0.0.1 -U bench_sql)
	# per-transaction logs, in a directory the postgres user may write
	rm -rf "$work/pgb"
	mkdir "$work/pgb"
	[ "$(id -u)" = 0 ] && chown postgres "$work/pgb"
	out=$(cd "$work/pgb" && PGPASSWORD=bench_sql as_pg "$bindir/pgbench" -n -M prepared -c "$clients" \
		-j "$clients" -T "$secs" "${conn[@]}" -l --log-prefix="$work/pgb/log" -f "$work/$2.sql" "$db" 2>&1) ||
		{ echo "$out" >&2; exit 1; }
	rps[$1]=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
	read -r p50[$1] p99[$1] < <(cat "$work"/pgb/log.* | awk '{print $3}' | sort -n |
		awk '{a[NR] = $1} END {printf "%.3f %.3f\n", a[int(NR * 0.5) + 1] / 1000, a[int(NR * 0.99) + 1] / 1000}')
}

declare -A all
opname() { case $1 in get) echo GetItem ;; put) echo PutItem ;; query) echo Query ;; query10) echo Query10 ;; scan) echo Scan ;; esac; }
readkeys() { echo "http_$1 ${1}_sql ${1}_sql_json ${1}_heap ${1}_heap_tcp dynalite_$1"; }
keep() { all[$1,$r]=$2; }
for r in $(seq 1 "$rounds"); do
	echo "round $r of $rounds: load $(cut -d' ' -f1-3 /proc/loadavg)"
	load[$r]=$(cut -d' ' -f1 /proc/loadavg)
	for op in $ops; do
		OP=$(opname $op)
		"$py" "$here/http_requests.py" $OP "127.0.0.1:$hport" "$nreq" "$items" "$parts" "$work/dynpg_$OP.lua"
		"$py" "$here/http_requests.py" $OP "127.0.0.1:$dport" "$nreq" "$items" "$parts" "$work/dynalite_$OP.lua"
	done
	for op in $ops; do
		OP=$(opname $op)
		case $op in get | put) ;; *)
			set_auth sigv4
			wrk_run "http_$op" "$hport" "$work/dynpg_$OP.lua"
			sql_run "${op}_sql" "${op}_sql"
			sql_run "${op}_sql_json" "${op}_sql_json"
			sql_run "${op}_heap" "${op}_heap"
			sql_run "${op}_heap_tcp" "${op}_heap" tcp
			wrk_run "dynalite_$op" "$dport" "$work/dynalite_$OP.lua"
			for k in $(readkeys $op); do
				keep "rps_$k" "${rps[$k]}"
				keep "p50_$k" "${p50[$k]}"
				keep "p99_$k" "${p99[$k]}"
				printf '  %-18s %10.0f /s   p50 %6.3f ms   p99 %6.3f ms\n' "$k" "${rps[$k]}" "${p50[$k]}" "${p99[$k]}"
			done
			for k in "http_$op" "${op}_sql" "${op}_sql_json"; do
				keep "x_${k}_heap" "$(awk -v a="${rps[$k]}" -v b="${rps[${op}_heap]}" 'BEGIN{printf "%.2f", a / b}')"
			done
			keep "x_http_${op}_heap_tcp" "$(awk -v a="${rps[http_$op]}" -v b="${rps[${op}_heap_tcp]}" 'BEGIN{printf "%.2f", a / b}')"
			keep "x_http_${op}_dynalite" "$(awk -v a="${rps[http_$op]}" -v b="${rps[dynalite_$op]}" 'BEGIN{printf "%.2f", a / b}')"
			continue ;;
		esac
		set_auth sigv4
		wrk_run "http_${op}_sigv4" "$hport" "$work/dynpg_$OP.lua"
		set_auth trust
		wrk_run "http_${op}_trust" "$hport" "$work/dynpg_$OP.lua"
		sql_run "${op}_sql" "${op}_sql"
		sql_run "${op}_sql_tcp" "${op}_sql" tcp
		wrk_run "dynalite_$op" "$dport" "$work/dynalite_$OP.lua"
		for k in "http_${op}_sigv4" "http_${op}_trust" "${op}_sql" "${op}_sql_tcp" "dynalite_$op"; do
			keep "rps_$k" "${rps[$k]}"
			keep "p50_$k" "${p50[$k]}"
			keep "p99_$k" "${p99[$k]}"
			printf '  %-18s %10.0f /s   p50 %6.3f ms   p99 %6.3f ms\n' "$k" "${rps[$k]}" "${p50[$k]}" "${p99[$k]}"
		done
		keep "x_${op}_dynalite" "$(awk -v a="${rps[http_${op}_sigv4]}" -v b="${rps[dynalite_$op]}" 'BEGIN{printf "%.2f", a / b}')"
		keep "x_${op}_sql" "$(awk -v a="${rps[http_${op}_sigv4]}" -v b="${rps[${op}_sql]}" 'BEGIN{printf "%.2f", a / b}')"
		keep "x_${op}_sql_tcp" "$(awk -v a="${rps[http_${op}_sigv4]}" -v b="${rps[${op}_sql_tcp]}" 'BEGIN{printf "%.2f", a / b}')"
		keep "x_${op}_sigv4" "$(awk -v a="${rps[http_${op}_sigv4]}" -v b="${rps[http_${op}_trust]}" 'BEGIN{printf "%.2f", a / b}')"
	done
done

# stat KEY: median (min..max) over the rounds
stat() {
	local v=() i
	for i in $(seq 1 "$rounds"); do v+=("${all[$1,$i]}"); done
	printf '%s\n' "${v[@]}" | sort -g | awk '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2;
		printf "%.3f (%.3f..%.3f)", m, a[1], a[NR]}'
}
echo
echo "dynpg HTTP benchmark: $items items (~200 B), $clients connections/clients, ${secs}s per run, $rounds rounds, load averages ${load[*]}"
echo "medians (min..max) over the rounds"
for op in $ops; do
	case $op in get | put) ;; *)
		for k in $(readkeys $op); do
			printf '  %-18s req/s %s   p50 ms %s   p99 ms %s\n' "$k" "$(stat "rps_$k")" "$(stat "p50_$k")" "$(stat "p99_$k")"
		done
		printf '  %s: / heap (Unix socket): HTTP %s, SQL jsonb %s, SQL json %s; HTTP / heap over TCP %s; HTTP / dynalite %s\n' \
			"$op" "$(stat "x_http_${op}_heap")" "$(stat "x_${op}_sql_heap")" "$(stat "x_${op}_sql_json_heap")" \
			"$(stat "x_http_${op}_heap_tcp")" "$(stat "x_http_${op}_dynalite")"
		continue ;;
	esac
	for k in "http_${op}_sigv4" "http_${op}_trust" "${op}_sql" "${op}_sql_tcp" "dynalite_$op"; do
		printf '  %-18s req/s %s   p50 ms %s   p99 ms %s\n' "$k" "$(stat "rps_$k")" "$(stat "p50_$k")" "$(stat "p99_$k")"
	done
	printf '  %s: HTTP (sigv4) / dynalite %s (goal >= 2 for get); HTTP / SQL %s, over TCP %s (goal >= 0.8 for get); sigv4 / trust %s\n' \
		"$op" "$(stat "x_${op}_dynalite")" "$(stat "x_${op}_sql")" "$(stat "x_${op}_sql_tcp")" "$(stat "x_${op}_sigv4")"
done
