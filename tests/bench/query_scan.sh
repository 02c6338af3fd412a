#!/usr/bin/env bash
# Benchmark (not part of make test): Query and Scan on a table of 1,000,000
# items of about 200 bytes in 10,000 partitions of 100, loaded interleaved
# (item i into partition i mod 10,000), against the heap baseline
# (README, "Benchmarks"): (pk text COLLATE "C", sk text COLLATE "C", item jsonb,
# PRIMARY KEY (pk, sk)) filled in the same order.  Sort keys are
# 'item' || i zero-padded, so string order is load order within a partition.
#
#   Query of a random whole partition (100 items) and of a random 10-item
#   sort-key range, through the wire layer (dynpg.query, one response
#   jsonb; dynpg.query_json, one response as json text) and the SQL layer
#   (dynpg.query_items, rows), against
#   SELECT item FROM heapbase WHERE pk = $1 [AND sk BETWEEN $2 AND $3] ORDER BY sk.
#   pgbench -M prepared, BENCH_CLIENTS (2) clients, BENCH_SECONDS each.
#
#   Whole-table Scan: SELECT item FROM dynamodb.bench against SELECT item
#   FROM heapbase (every row sent to pgbench); the SQL layer's
#   dynpg.scan_items('bench'); and the wire layer: a plpgsql loop calling
#   dynpg.scan page by page (1 MB pages, ExclusiveStartKey from each
#   LastEvaluatedKey), turning each response into text, as a client would
#   receive it, and discarding it; the same with dynpg.scan_json.  pgbench -M prepared, BENCH_SCAN_CLIENTS
#   (1) client, BENCH_SCAN_SECONDS each.  Then, server side, where a full
#   scan's time goes: the scan alone (EXPLAIN ANALYZE) and the scan with
#   each item's text output function (count(item::text)), best of 3.
#
#   Buffers per Query: EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) of the same
#   statements with literal keys, shared hit + read of the top plan node
#   (executor only, planning excluded), averaged over BENCH_SAMPLES random
#   keys in one warmed-up session.  Cross-checked for each statement
#   against the blocks the relations themselves counted
#   (pg_stat_get_xact_blocks_fetched on the table and, for the heap, its
#   primary key index) and, on the dynpg side, dynpg.page_reads().
#
# Uses its own database, dynpg_bench_query (BENCH_REUSE=1 keeps a loaded
# one).  Before the measured runs it waits (up to BENCH_WAIT seconds,
# polling every 30 s) for a 1-minute load average below BENCH_MAX_LOAD (0.7;
# empty to skip), since other work on the machine skews the ratios, and
# reports how much CPU other work used during each run; it checkpoints
# before each run.  Start the cluster first
# (scripts/dynpg-run.sh).  BENCH_ITEMS, BENCH_PARTITIONS and the usual PG*
# variables override the defaults.
set -euo pipefail
items=${BENCH_ITEMS:-1000000}
parts=${BENCH_PARTITIONS:-10000}
secs=${BENCH_SECONDS:-30}
clients=${BENCH_CLIENTS:-2}
scan_secs=${BENCH_SCAN_SECONDS:-30}
scan_clients=${BENCH_SCAN_CLIENTS:-1}
samples=${BENCH_SAMPLES:-200}
max_load=${BENCH_MAX_LOAD-0.7}
max_wait=${BENCH_WAIT:-1200}
per=$((items / parts))
if [ $((per * parts)) -ne "$items" ] || [ "$per" -lt 10 ]; then
	echo "BENCH_ITEMS must be a multiple of BENCH_PARTITIONS, with at least 10 items a partition" >&2
	exit 1
fi
width=${#items}			# sort keys 'item' || lpad(i, width, '0')
db=dynpg_bench_query
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_load "'item' || lpad(i::text, $width, '0')" 0

# The wire-layer Scan of the whole table, and buffers per statement.
psql_db "$db" >/dev/null <<'SQL'
CREATE OR REPLACE FUNCTION bench_wire_scan(OUT pages integer, OUT items bigint, OUT response_bytes bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
	req jsonb := '{"TableName": "bench"}';
	resp jsonb;
BEGIN
	pages := 0; items := 0; response_bytes := 0;
	LOOP
		resp := dynpg.scan(req);
		pages := pages + 1;
		items := items + (resp ->> 'Count')::bigint;
		response_bytes := response_bytes + octet_length(resp::text);
		EXIT WHEN NOT resp ? 'LastEvaluatedKey';
		req := jsonb_build_object('TableName', 'bench', 'ExclusiveStartKey', resp -> 'LastEvaluatedKey');
	END LOOP;
END
$fn$;
CREATE OR REPLACE FUNCTION bench_wire_scan_json(OUT pages integer, OUT items bigint, OUT response_bytes bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
	req json := '{"TableName": "bench"}';
	t text;
	tail bytea;
	lek text;
BEGIN
	-- The response is text, as a client receives it; the loop takes only the
	-- Count from its start and the LastEvaluatedKey from its end (dynpg
	-- writes them there): parsing the whole page with json's operators would
	-- measure PL/pgSQL as the client.  So would right(t, n) and a regular
	-- expression over t, which count or convert every character of the 1 MB
	-- page (they took two thirds of the loop's time): the tail is cut by
	-- bytes, after the start of a character.
	pages := 0; items := 0; response_bytes := 0;
	LOOP
		t := dynpg.scan_json(req)::text;
		pages := pages + 1;
		items := items + substring(left(t, 40) from '^\{"Count":([0-9]+)')::bigint;
		response_bytes := response_bytes + octet_length(t);
		tail := convert_to(t, 'UTF8');
		tail := substring(tail from greatest(octet_length(tail) - 4000, 1));
		WHILE octet_length(tail) > 0 AND get_byte(tail, 0) & 192 = 128 LOOP
			tail := substring(tail from 2);
		END LOOP;
		lek := substring(convert_from(tail, 'UTF8') from ',"LastEvaluatedKey":(\{.*\})\}$');
		EXIT WHEN lek IS NULL;
		req := json_build_object('TableName', 'bench', 'ExclusiveStartKey', lek::json);
	END LOOP;
END
$fn$;
-- One statement's shared buffers (hit + read) from EXPLAIN (ANALYZE, BUFFERS)
-- of its top plan node, and the same statement's blocks as the relations
-- counted them, and dynpg's own page reads.
CREATE OR REPLACE FUNCTION bench_buffers(stmt text, rels regclass[],
	OUT explain_buffers bigint, OUT rel_blocks bigint, OUT dynpg_pages bigint, OUT nrows bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
	plan json;
	f0 bigint; f1 bigint;
	p0 jsonb; p1 jsonb;
BEGIN
	SELECT sum(pg_stat_get_xact_blocks_fetched(r)) INTO f0 FROM unnest(rels) r;
	p0 := dynpg.page_reads();
	EXECUTE 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ' || stmt INTO plan;
	p1 := dynpg.page_reads();
	SELECT sum(pg_stat_get_xact_blocks_fetched(r)) INTO f1 FROM unnest(rels) r;
	explain_buffers := (plan -> 0 -> 'Plan' ->> 'Shared Hit Blocks')::bigint +
		(plan -> 0 -> 'Plan' ->> 'Shared Read Blocks')::bigint;
	rel_blocks := f1 - f0;
	dynpg_pages := ((p1 ->> 'meta')::bigint + (p1 ->> 'internal')::bigint + (p1 ->> 'leaf')::bigint) -
		((p0 ->> 'meta')::bigint + (p0 ->> 'internal')::bigint + (p0 ->> 'leaf')::bigint);
	nrows := (plan -> 0 -> 'Plan' ->> 'Actual Rows')::bigint;
END
$fn$;
SQL

# pgbench turns every ':name' in a command into a parameter, even inside a
# string literal, so the expressions' placeholders are spelled with chr(58).
c=" || chr(58) || "
pkey="'user' || (:p)::bigint"
lo="'item' || lpad((:lo)::bigint::text, $width, '0')"
hi="'item' || lpad((:hi)::bigint::text, $width, '0')"
vars="\\set p random(0, $((parts - 1)))
\\set k random(0, $((per - 10)))
\\set lo :p + $parts * :k
\\set hi :lo + $((9 * parts))"
cat > "$work/part_heap.sql" <<SQL
$vars
SELECT item FROM heapbase WHERE pk = $pkey ORDER BY sk;
SQL
cat > "$work/part_wire.sql" <<SQL
$vars
SELECT dynpg.query(jsonb_build_object('TableName', 'bench', 'KeyConditionExpression', 'pk = '${c}'p',
  'ExpressionAttributeValues', jsonb_build_object(chr(58) || 'p', jsonb_build_object('S', $pkey))));
SQL
cat > "$work/part_json.sql" <<SQL
$vars
SELECT dynpg.query_json(json_build_object('TableName', 'bench', 'KeyConditionExpression', 'pk = '${c}'p',
  'ExpressionAttributeValues', json_build_object(chr(58) || 'p', json_build_object('S', $pkey))));
SQL
cat > "$work/part_sql.sql" <<SQL
$vars
SELECT * FROM dynpg.query_items('bench', 'pk = '${c}'p', jsonb_build_object(chr(58) || 'p', $pkey));
SQL
cat > "$work/range_heap.sql" <<SQL
$vars
SELECT item FROM heapbase WHERE pk = $pkey AND sk BETWEEN $lo AND $hi ORDER BY sk;
SQL
cat > "$work/range_wire.sql" <<SQL
$vars
SELECT dynpg.query(jsonb_build_object('TableName', 'bench',
  'KeyConditionExpression', 'pk = '${c}'p AND sk BETWEEN '${c}'lo AND '${c}'hi',
  'ExpressionAttributeValues', jsonb_build_object(chr(58) || 'p', jsonb_build_object('S', $pkey),
    chr(58) || 'lo', jsonb_build_object('S', $lo), chr(58) || 'hi', jsonb_build_object('S', $hi))));
SQL
cat > "$work/range_json.sql" <<SQL
$vars
SELECT dynpg.query_json(json_build_object('TableName', 'bench',
  'KeyConditionExpression', 'pk = '${c}'p AND sk BETWEEN '${c}'lo AND '${c}'hi',
  'ExpressionAttributeValues', json_build_object(chr(58) || 'p', json_build_object('S', $pkey),
    chr(58) || 'lo', json_build_object('S', $lo), chr(58) || 'hi', json_build_object('S', $hi))));
SQL
cat > "$work/range_sql.sql" <<SQL
$vars
SELECT * FROM dynpg.query_items('bench', 'pk = '${c}'p AND sk BETWEEN '${c}'lo AND '${c}'hi',
  jsonb_build_object(chr(58) || 'p', $pkey, chr(58) || 'lo', $lo, chr(58) || 'hi', $hi));
SQL
echo "SELECT item FROM heapbase;" > "$work/scan_heap.sql"
echo "SELECT item FROM dynamodb.bench;" > "$work/scan_dynpg.sql"
echo "SELECT * FROM dynpg.scan_items('bench');" > "$work/scan_sql.sql"
echo "SELECT * FROM bench_wire_scan();" > "$work/scan_wire.sql"
echo "SELECT * FROM bench_wire_scan_json();" > "$work/scan_json.sql"

# Every statement returns what it should.
check=$(q "SELECT
  (SELECT count(*) FROM heapbase WHERE pk = 'user7'),
  (SELECT (dynpg.query(jsonb_build_object('TableName', 'bench', 'KeyConditionExpression', 'pk = :p',
     'ExpressionAttributeValues', '{\":p\": {\"S\": \"user7\"}}'::jsonb)) ->> 'Count')::int),
  (SELECT count(*) FROM dynpg.query_items('bench', 'pk = :p', '{\":p\": \"user7\"}'::jsonb)),
  (SELECT count(*) FROM heapbase WHERE pk = 'user7' AND sk BETWEEN 'item' || lpad((7 + $parts)::text, $width, '0')
     AND 'item' || lpad((7 + $((10 * parts)))::text, $width, '0')),
  (SELECT count(*) FROM dynpg.query_items('bench', 'pk = :p AND sk BETWEEN :lo AND :hi',
     jsonb_build_object(':p', 'user7', ':lo', 'item' || lpad((7 + $parts)::text, $width, '0'),
                        ':hi', 'item' || lpad((7 + $((10 * parts)))::text, $width, '0'))))")
[ "$check" = "$per|$per|$per|10|10" ] || { echo "unexpected query results: $check" >&2; exit 1; }

# Buffers per Query: the same statements with literal keys, after a warm-up.
echo "measuring buffers per Query ($samples random keys)..."
psql_db "$db" -At -F ' ' > "$work/buffers" <<SQL
SELECT setseed(0.5);
CREATE TEMP TABLE keys AS
SELECT 'user' || p AS pk, 'item' || lpad((p + $parts * k)::text, $width, '0') AS lo,
       'item' || lpad((p + $parts * (k + 9))::text, $width, '0') AS hi
  FROM (SELECT (random() * $((parts - 1)))::int AS p, (random() * $((per - 10)))::int AS k
          FROM generate_series(0, $samples) g) s;
CREATE TEMP TABLE stmts (name text, rels regclass[], sql text);
INSERT INTO stmts VALUES
 ('part_heap', '{heapbase,heapbase_pkey}', \$\$SELECT item FROM heapbase WHERE pk = %L ORDER BY sk\$\$),
 ('part_wire', '{dynamodb.bench}', \$\$SELECT dynpg.query(jsonb_build_object('TableName', 'bench', 'KeyConditionExpression', 'pk = :p', 'ExpressionAttributeValues', jsonb_build_object(':p', jsonb_build_object('S', %L::text))))\$\$),
 ('part_sql', '{dynamodb.bench}', \$\$SELECT * FROM dynpg.query_items('bench', 'pk = :p', jsonb_build_object(':p', %L::text))\$\$),
 ('range_heap', '{heapbase,heapbase_pkey}', \$\$SELECT item FROM heapbase WHERE pk = %L AND sk BETWEEN %L AND %L ORDER BY sk\$\$),
 ('range_wire', '{dynamodb.bench}', \$\$SELECT dynpg.query(jsonb_build_object('TableName', 'bench', 'KeyConditionExpression', 'pk = :p AND sk BETWEEN :lo AND :hi', 'ExpressionAttributeValues', jsonb_build_object(':p', jsonb_build_object('S', %L::text), ':lo', jsonb_build_object('S', %L::text), ':hi', jsonb_build_object('S', %L::text))))\$\$),
 ('range_sql', '{dynamodb.bench}', \$\$SELECT * FROM dynpg.query_items('bench', 'pk = :p AND sk BETWEEN :lo AND :hi', jsonb_build_object(':p', %L::text, ':lo', %L::text, ':hi', %L::text))\$\$);
-- warm-up: caches and the first-call work of every statement
SELECT count(b.*) FROM stmts, keys k, bench_buffers(format(sql, k.pk, k.lo, k.hi), rels) b WHERE k.ctid = '(0,1)';
SELECT name, round(avg(b.explain_buffers), 1), min(b.explain_buffers), max(b.explain_buffers),
       round(avg(b.rel_blocks), 1), round(avg(b.dynpg_pages), 1), round(avg(b.nrows), 1),
       count(*) FILTER (WHERE b.explain_buffers <> b.rel_blocks OR
                              (name NOT LIKE '%heap' AND b.explain_buffers <> b.dynpg_pages))
  FROM stmts, (SELECT * FROM keys OFFSET 1) k, bench_buffers(format(sql, k.pk, k.lo, k.hi), rels) b
 GROUP BY name ORDER BY name;
SQL
declare -A buf bufmin bufmax relb dpages nrows differ
while read -r name avg mn mx rb dp nr df; do
	[ -n "$name" ] || continue
	case "$name" in part_* | range_*) ;; *) continue ;; esac
	buf[$name]=$avg bufmin[$name]=$mn bufmax[$name]=$mx relb[$name]=$rb dpages[$name]=$dp nrows[$name]=$nr differ[$name]=$df
done < "$work/buffers"
# One plan of each kind, for the record (after a first run of each, as above).
explains=$(psql_db "$db" -At <<SQL
SELECT count(*) FROM heapbase WHERE pk = 'user4242' \\g /dev/null
SELECT count(*) FROM dynpg.query_items('bench', 'pk = :p', '{":p": "user4242"}'::jsonb) \\g /dev/null
SELECT length(dynpg.query('{"TableName": "bench", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "user4242"}}}')::text) \\g /dev/null
SELECT 'heap partition:';
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) SELECT item FROM heapbase WHERE pk = 'user4242' ORDER BY sk;
SELECT 'dynpg partition, SQL layer:';
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) SELECT * FROM dynpg.query_items('bench', 'pk = :p', '{":p": "user4242"}'::jsonb);
SELECT 'dynpg partition, wire layer:';
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) SELECT dynpg.query('{"TableName": "bench", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "user4242"}}}');
SELECT 'heap scan:';
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) SELECT item FROM heapbase;
SELECT 'dynpg scan:';
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) SELECT item FROM dynamodb.bench;
SQL
)

wait_quiet() {
	local waited=0 load
	[ -n "$max_load" ] || return 0
	for (( ; ; )); do
		load=$(cut -d' ' -f1 /proc/loadavg)
		if awk -v l="$load" -v m="$max_load" 'BEGIN{exit !(l < m)}'; then
			echo "1-minute load $load < $max_load after ${waited}s: starting the measured runs"
			return 0
		fi
		if [ "$waited" -ge "$max_wait" ]; then
			echo "WARNING: 1-minute load still $load after ${waited}s; running anyway (figures may be skewed)"
			return 0
		fi
		sleep 30
		waited=$((waited + 30))
	done
}

# CPU that other work on the machine used during a run: all busy CPU time
# (/proc/stat) less this script's (with its children: psql, pgbench) and the
# cluster's (the postmaster with its exited children, and its live ones).
postmaster=$(awk '{print $4}' "/proc/$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")/stat")
busy_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
own_ticks() {
	local p t=0
	for p in $(pgrep -P "$postmaster"); do
		t=$((t + $(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0)))
	done
	echo $((t + $(sed 's/^.*) //' "/proc/$postmaster/stat" "/proc/$$/stat" | awk '{s += $12 + $13 + $14 + $15} END {print s}')))
}
hz=$(getconf CLK_TCK)

declare -A tps lat other
run() {
	local name=$1 n=$2 t=$3 out b0 o0
	q "CHECKPOINT" >/dev/null
	b0=$(busy_ticks) o0=$(own_ticks)
	out=$(as_pg "$bindir/pgbench" -n -M prepared -c "$n" -j "$n" -T "$t" \
		-f "$work/$name.sql" "$db" 2>&1) || { echo "$out" >&2; exit 1; }
	other[$name]=$(awk -v b=$(($(busy_ticks) - b0)) -v o=$(($(own_ticks) - o0)) -v hz="$hz" -v t="$t" \
		'BEGIN{v = (b - o) / hz / t * 100; printf "%.0f", v < 0 ? 0 : v}')
	tps[$name]=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
	lat[$name]=$(echo "$out" | sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p')
}
wait_quiet
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for name in part_heap part_wire part_json part_sql range_heap range_wire range_json range_sql; do
	echo "running $name for ${secs}s..."
	run "$name" "$clients" "$secs"
done
for name in scan_heap scan_dynpg scan_sql scan_wire scan_json; do
	echo "running $name for ${scan_secs}s..."
	run "$name" "$scan_clients" "$scan_secs"
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
# Where a full scan's time goes, server side: the scan alone (EXPLAIN
# ANALYZE, nothing sent), and the scan with each item's text output function
# (what SELECT item sends); best of 3, no parallel workers.
psql_db "$db" -At -F ' ' > "$work/scanparts" <<'SQL'
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE scanparts (name text, ms numeric, hit bigint, rd bigint);
DO $do$
DECLARE
	s record;
	plan json;
BEGIN
	FOR s IN SELECT * FROM (VALUES
		('scan_heap', 'SELECT item FROM heapbase'), ('scan_dynpg', 'SELECT item FROM dynamodb.bench'),
		('text_heap', 'SELECT count(item::text) FROM heapbase'),
		('text_dynpg', 'SELECT count(item::text) FROM dynamodb.bench')) v(name, sql), generate_series(1, 3)
	LOOP
		EXECUTE 'EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) ' || s.sql INTO plan;
		INSERT INTO scanparts VALUES (s.name, (plan -> 0 ->> 'Execution Time')::numeric,
			(plan -> 0 -> 'Plan' ->> 'Shared Hit Blocks')::bigint, (plan -> 0 -> 'Plan' ->> 'Shared Read Blocks')::bigint);
	END LOOP;
END
$do$;
SELECT DISTINCT ON (name) name, round(ms), hit, rd FROM scanparts ORDER BY name, ms;
SELECT 'bytes', (SELECT round(avg(octet_length(item::text))) FROM heapbase),
       (SELECT round(avg(octet_length(item::text))) FROM dynamodb.bench), 0;
SQL
declare -A sms shit srd
while read -r name ms hit rd; do
	[ -n "$name" ] || continue
	sms[$name]=$ms shit[$name]=$hit srd[$name]=$rd
done < "$work/scanparts"
wire=$(q "SELECT pages || ' pages, ' || items || ' items, ' || response_bytes || ' response bytes' FROM bench_wire_scan()")

sizes=$(q "SELECT pg_relation_size('dynamodb.bench'), pg_total_relation_size('heapbase'),
                  pg_relation_size('heapbase'), pg_indexes_size('heapbase')")
IFS='|' read -r dsize htotal hmain hidx <<<"$sizes"
verify=$(q "SELECT dynpg.verify('bench') ->> 'ok'")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b == 0) print "n/a"; else printf "%.2f", a / b}'; }
mb() { awk -v a="$1" 'BEGIN{printf "%.0f MB", a / 1048576}'; }
line() { # name heap-name label goal
	printf '  %-28s %10s %10s  %5s %-10s  %6s / %6s ms   %5s / %5s (%s)\n' "$3" "${tps[$2]}" "${tps[$1]}" \
		"$(ratio "${tps[$1]}" "${tps[$2]}")" "$4" "${lat[$2]}" "${lat[$1]}" \
		"${buf[$2]:-}" "${buf[$1]:-}" "$(ratio "${buf[$1]:-0}" "${buf[$2]:-0}")"
}
sline() {
	printf '  %-28s %10s %10s  %5s %-10s  %6s / %6s ms\n' "$3" "${tps[$2]}" "${tps[$1]}" \
		"$(ratio "${tps[$1]}" "${tps[$2]}")" "$4" "${lat[$2]}" "${lat[$1]}"
}
cat <<REPORT
dynpg Query/Scan benchmark: $items items (~200 B), $parts partitions of $per, loaded interleaved
Query: $clients clients, ${secs}s each; Scan: $scan_clients client(s), ${scan_secs}s each; pgbench -M prepared
load average before/after the runs: $load0 / $load1
CPU used by other work during each run, % of one core (of 200): $(for n in part_heap part_wire part_json part_sql range_heap range_wire range_json range_sql scan_heap scan_dynpg scan_sql scan_wire scan_json; do printf '%s %s  ' "$n" "${other[$n]}"; done)
                               tps heap  tps dynpg  ratio (goal)      latency heap/dynpg   buffers/Query heap/dynpg (ratio)
$(line part_wire part_heap "partition, dynpg.query" "(>= 1.5)")
$(line part_json part_heap "partition, dynpg.query_json" "(>= 1.5)")
$(line part_sql part_heap "partition, query_items" "(>= 1.5)")
$(line range_wire range_heap "10-item range, dynpg.query" "")
$(line range_json range_heap "10-item range, query_json" "")
$(line range_sql range_heap "10-item range, query_items" "")
$(sline scan_dynpg scan_heap "full scan, SELECT item" "(>= 1.0)")
$(sline scan_sql scan_heap "full scan, scan_items" "")
$(sline scan_wire scan_heap "full scan, wire dynpg.scan" "")
$(sline scan_json scan_heap "full scan, wire scan_json" "")
  wire-layer Scan: $wire
full scan, server side (ms, best of 3)         heap     dynpg   ratio
  scan alone (EXPLAIN ANALYZE)               $(printf '%7s %9s' "${sms[scan_heap]}" "${sms[scan_dynpg]}")   $(ratio "${sms[scan_dynpg]}" "${sms[scan_heap]}")   buffers hit/read: heap ${shit[scan_heap]}/${srd[scan_heap]}, dynpg ${shit[scan_dynpg]}/${srd[scan_dynpg]}
  scan + item text output (count(item::text)) $(printf '%7s %9s' "${sms[text_heap]}" "${sms[text_dynpg]}")   $(ratio "${sms[text_dynpg]}" "${sms[text_heap]}")   text bytes per item: heap ${sms[bytes]}, dynpg ${shit[bytes]}
buffers per Query (EXPLAIN (ANALYZE, BUFFERS) top node, shared hit + read; $samples random keys;
goal for a partition: dynpg <= 1/5 of heap); cross-checks: blocks the relations counted, dynpg.page_reads()
  statement     avg    min    max   relation blocks   dynpg page reads   rows   samples where they differ
$(for n in part_heap part_wire part_sql range_heap range_wire range_sql; do
	printf '  %-11s %6s %6s %6s %17s %18s %6s   %s\n' "$n" "${buf[$n]}" "${bufmin[$n]}" "${bufmax[$n]}" "${relb[$n]}" "${dpages[$n]}" "${nrows[$n]}" "${differ[$n]}"
done)
sizes: dynpg table $(mb "$dsize"); heap $(mb "$htotal") (table $(mb "$hmain"), primary key $(mb "$hidx"))
dynpg.verify after the runs: ok = $verify
plans (EXPLAIN ANALYZE, BUFFERS):
$explains
REPORT
