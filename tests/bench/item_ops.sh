#!/usr/bin/env bash
# Benchmark (not part of make test): GetItem and PutItem (GetItem's json form
# dynpg.get_item_json too, and the SQL layer's dynpg.get and dynpg.put) on
# random keys of a
# table of 1,000,000 items of about 200 bytes, against the heap baseline
# (README, "Benchmarks"): a heap table (pk, sk, item jsonb) with a COLLATE "C"
# primary key, filled in the same interleaved order (item i in partition
# i mod P), doing the same work in plain SQL (SELECT by key; INSERT ... ON
# CONFLICT DO UPDATE).  pgbench -M prepared, 2 clients, both sides in the
# same run.  Reports throughput ratios, WAL bytes per write and on-disk
# sizes as ratios.
#
# Start the cluster first (scripts/dynpg-run.sh).  BENCH_ITEMS, BENCH_PARTITIONS,
# BENCH_SECONDS, BENCH_CLIENTS and the usual PG* variables override the defaults.
set -euo pipefail
items=${BENCH_ITEMS:-1000000}
parts=${BENCH_PARTITIONS:-10000}
secs=${BENCH_SECONDS:-30}
clients=${BENCH_CLIENTS:-2}
db=dynpg_bench_ops
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_load "'item' || i" 1

bench_get_item_script 'bench' "$work/get_dynpg.sql"
cat > "$work/get_heap.sql" <<SQL
\set i random(1, $items)
SELECT item FROM heapbase WHERE pk = 'user' || ((:i)::bigint % $parts) AND sk = 'item' || (:i)::bigint;
SQL
cat > "$work/put_dynpg.sql" <<SQL
\set i random(1, $items)
\set v random(1, 1000000000)
SELECT dynpg.put_item(jsonb_build_object('TableName', 'bench', 'Item', jsonb_build_object(
  'pk', jsonb_build_object('S', 'user' || ((:i)::bigint % $parts)), 'sk', jsonb_build_object('S', 'item' || (:i)::bigint),
  'a', jsonb_build_object('S', md5((:v)::bigint::text) || md5(((:v)::bigint + 1)::text) || md5(((:v)::bigint + 2)::text)),
  'n', jsonb_build_object('N', (:v)::bigint::text), 'flag', jsonb_build_object('BOOL', (:v)::bigint % 2 = 0))));
SQL
cat > "$work/put_heap.sql" <<SQL
\set i random(1, $items)
\set v random(1, 1000000000)
INSERT INTO heapbase VALUES ('user' || ((:i)::bigint % $parts), 'item' || (:i)::bigint,
  jsonb_build_object('pk', 'user' || ((:i)::bigint % $parts), 'sk', 'item' || (:i)::bigint,
   'a', md5((:v)::bigint::text) || md5(((:v)::bigint + 1)::text) || md5(((:v)::bigint + 2)::text), 'n', (:v)::bigint, 'flag', (:v)::bigint % 2 = 0))
ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item;
SQL

# GetItem's json form, its request text built as a client sends it (a string)
cat > "$work/get_json.sql" <<SQL
\set i random(1, $items)
SELECT dynpg.get_item_json(('{"TableName":"bench","Key":{"pk":{"S":"user' || ((:i)::bigint % $parts)
  || '"},"sk":{"S":"item' || (:i)::bigint || '"}}}')::json);
SQL

# the SQL layer's forms: plain JSON in, dynpg.item out (dynpg.get / dynpg.put)
cat > "$work/get_sql.sql" <<SQL
\set i random(1, $items)
SELECT dynpg.get('bench', jsonb_build_object('pk', 'user' || ((:i)::bigint % $parts), 'sk', 'item' || (:i)::bigint));
SQL
cat > "$work/put_sql.sql" <<SQL
\set i random(1, $items)
\set v random(1, 1000000000)
SELECT dynpg.put('bench', jsonb_build_object(
  'pk', 'user' || ((:i)::bigint % $parts), 'sk', 'item' || (:i)::bigint,
  'a', md5((:v)::bigint::text) || md5(((:v)::bigint + 1)::text) || md5(((:v)::bigint + 2)::text),
  'n', (:v)::bigint, 'flag', (:v)::bigint % 2 = 0));
SQL

# run NAME: tps and latencies of one pgbench run; WAL bytes per transaction
declare -A tps lat p99 walper
run() {
	local name=$1 out lsn0 lsn1 n
	q "CHECKPOINT" >/dev/null
	lsn0=$(q "SELECT pg_current_wal_lsn()")
	out=$(as_pg "$bindir/pgbench" -n -M prepared -c "$clients" -j "$clients" -T "$secs" \
		-f "$work/$name.sql" "$db" 2>&1)
	lsn1=$(q "SELECT pg_current_wal_lsn()")
	tps[$name]=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
	lat[$name]=$(echo "$out" | sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p')
	n=$(echo "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
	walper[$name]=$(q "SELECT round(pg_wal_lsn_diff('$lsn1', '$lsn0') / greatest($n, 1))")
}
for name in get_heap get_dynpg get_json get_sql put_heap put_dynpg put_sql; do
	echo "running $name for ${secs}s..."
	run "$name"
done

sizes=$(q "SELECT pg_relation_size('dynamodb.bench'), pg_indexes_size('dynamodb.bench'),
                  coalesce(pg_total_relation_size(reltoastrelid), 0)
             FROM pg_class WHERE oid = 'dynamodb.bench'::regclass")
hsizes=$(q "SELECT pg_relation_size('heapbase'), pg_indexes_size('heapbase'),
                   coalesce(pg_total_relation_size(reltoastrelid), 0)
              FROM pg_class WHERE oid = 'heapbase'::regclass")
IFS='|' read -r dmain didx dtoast <<<"$sizes"
IFS='|' read -r hmain hidx htoast <<<"$hsizes"
verify=$(q "SELECT dynpg.verify('bench') ->> 'ok'")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b == 0) print "n/a"; else printf "%.2f", a / b}'; }
cat <<REPORT
dynpg GetItem/PutItem benchmark: $items items (~200 B), $parts partitions, $clients clients, ${secs}s each, pgbench -M prepared
                 tps (heap)   tps (dynpg)  ratio   latency ms heap/dynpg   WAL B/xact heap/dynpg
  GetItem        ${tps[get_heap]}  ${tps[get_dynpg]}  $(ratio "${tps[get_dynpg]}" "${tps[get_heap]}") (goal >= 1.0)   ${lat[get_heap]} / ${lat[get_dynpg]}
  get_item_json  ${tps[get_heap]}  ${tps[get_json]}  $(ratio "${tps[get_json]}" "${tps[get_heap]}") (goal >= 1.1)   ${lat[get_heap]} / ${lat[get_json]}
  dynpg.get      ${tps[get_heap]}  ${tps[get_sql]}  $(ratio "${tps[get_sql]}" "${tps[get_heap]}") (goal >= 1.0)   ${lat[get_heap]} / ${lat[get_sql]}
  PutItem        ${tps[put_heap]}  ${tps[put_dynpg]}  $(ratio "${tps[put_dynpg]}" "${tps[put_heap]}") (goal >= 0.8)   ${lat[put_heap]} / ${lat[put_dynpg]}   ${walper[put_heap]} / ${walper[put_dynpg]} ($(ratio "${walper[put_dynpg]}" "${walper[put_heap]}"))
  dynpg.put      ${tps[put_heap]}  ${tps[put_sql]}  $(ratio "${tps[put_sql]}" "${tps[put_heap]}") (goal >= 0.8)   ${lat[put_heap]} / ${lat[put_sql]}   ${walper[put_heap]} / ${walper[put_sql]} ($(ratio "${walper[put_sql]}" "${walper[put_heap]}"))
size after the runs (bytes)      heap         dynpg        ratio
  table                          $hmain  $dmain  $(ratio "$dmain" "$hmain")
  indexes                        $hidx  $didx
  TOAST                          $htoast  $dtoast
  total                          $((hmain + hidx + htoast))  $((dmain + didx + dtoast))  $(ratio $((dmain + didx + dtoast)) $((hmain + hidx + htoast))) (goal <= 1.0)
dynpg.verify after the runs: ok = $verify
REPORT
