#!/usr/bin/env bash
# Benchmark (not part of make test): UpdateItem (SET and ADD) on random keys
# and a conditional PutItem, against the heap baseline (README, "Benchmarks")
# making the same change in plain SQL (UPDATE ... SET item = jsonb_set(...)
# with the condition in WHERE).  pgbench -M prepared, 2 clients, same run.
#
# Uses the database of tests/bench/item_ops.sh (run that first: it loads
# 1,000,000 items into table bench and the heap baseline heapbase).
set -euo pipefail
items=${BENCH_ITEMS:-1000000}
parts=${BENCH_PARTITIONS:-10000}
secs=${BENCH_SECONDS:-30}
clients=${BENCH_CLIENTS:-2}
db=dynpg_bench_ops
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_db_exists || { echo "run tests/bench/item_ops.sh first (it loads database $db)" >&2; exit 1; }

# pgbench turns every ':name' in a command into a parameter, even inside a
# string literal, so the expressions' placeholders are spelled with chr(58).
key="'pk', jsonb_build_object('S', 'user' || ((:i)::bigint % $parts)), 'sk', jsonb_build_object('S', 'item' || (:i)::bigint)"
cat > "$work/update_dynpg.sql" <<SQL
\set i random(1, $items)
\set v random(1, 1000000000)
SELECT dynpg.update_item(jsonb_build_object('TableName', 'bench', 'Key', jsonb_build_object($key),
  'UpdateExpression', 'SET n = ' || chr(58) || 'newn ADD cnt ' || chr(58) || 'inc',
  'ExpressionAttributeValues', jsonb_build_object(chr(58) || 'newn', jsonb_build_object('N', (:v)::bigint::text),
                                                  chr(58) || 'inc', jsonb_build_object('N', '1'))));
SQL
cat > "$work/update_heap.sql" <<SQL
\set i random(1, $items)
\set v random(1, 1000000000)
UPDATE heapbase SET item = jsonb_set(jsonb_set(item, '{n}', to_jsonb((:v)::bigint)), '{cnt}',
                                     to_jsonb(coalesce((item ->> 'cnt')::bigint, 0) + 1))
 WHERE pk = 'user' || ((:i)::bigint % $parts) AND sk = 'item' || (:i)::bigint;
SQL
cat > "$work/cput_dynpg.sql" <<SQL
\set i random(1, $items)
\set v random(1, 1000000000)
SELECT dynpg.put_item(jsonb_build_object('TableName', 'bench', 'Item', jsonb_build_object($key,
  'a', jsonb_build_object('S', md5((:v)::bigint::text) || md5(((:v)::bigint + 1)::text) || md5(((:v)::bigint + 2)::text)),
  'n', jsonb_build_object('N', (:v)::bigint::text), 'flag', jsonb_build_object('BOOL', (:v)::bigint % 2 = 0)),
  'ConditionExpression', 'attribute_exists(pk) AND n < ' || chr(58) || 'big',
  'ExpressionAttributeValues', jsonb_build_object(chr(58) || 'big', jsonb_build_object('N', '10000000000'))));
SQL
cat > "$work/cput_heap.sql" <<SQL
\set i random(1, $items)
\set v random(1, 1000000000)
UPDATE heapbase SET item = jsonb_build_object('pk', pk, 'sk', sk,
   'a', md5((:v)::bigint::text) || md5(((:v)::bigint + 1)::text) || md5(((:v)::bigint + 2)::text),
   'n', (:v)::bigint, 'flag', (:v)::bigint % 2 = 0)
 WHERE pk = 'user' || ((:i)::bigint % $parts) AND sk = 'item' || (:i)::bigint
   AND (item ->> 'n')::bigint < 10000000000;
SQL

declare -A tps walper
run() {
	local name=$1 out lsn0 lsn1 n
	q "CHECKPOINT" >/dev/null
	lsn0=$(q "SELECT pg_current_wal_lsn()")
	out=$(as_pg "$bindir/pgbench" -n -M prepared -c "$clients" -j "$clients" -T "$secs" \
		-f "$work/$name.sql" "$db" 2>&1) || { echo "$out" >&2; exit 1; }
	lsn1=$(q "SELECT pg_current_wal_lsn()")
	tps[$name]=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
	n=$(echo "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
	walper[$name]=$(q "SELECT round(pg_wal_lsn_diff('$lsn1', '$lsn0') / greatest($n, 1))")
}
for name in update_heap update_dynpg cput_heap cput_dynpg; do
	echo "running $name for ${secs}s..."
	run "$name"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b == 0) print "n/a"; else printf "%.2f", a / b}'; }
cat <<REPORT
dynpg UpdateItem / conditional PutItem benchmark: $items items, $clients clients, ${secs}s each, pgbench -M prepared
                      tps (heap)   tps (dynpg)  ratio             WAL B/xact heap/dynpg
  UpdateItem SET/ADD  ${tps[update_heap]}  ${tps[update_dynpg]}  $(ratio "${tps[update_dynpg]}" "${tps[update_heap]}") (goal >= 0.8)   ${walper[update_heap]} / ${walper[update_dynpg]}
  conditional PutItem ${tps[cput_heap]}  ${tps[cput_dynpg]}  $(ratio "${tps[cput_dynpg]}" "${tps[cput_heap]}") (goal >= 0.8)   ${walper[cput_heap]} / ${walper[cput_dynpg]}
dynpg.verify after the runs: ok = $(q "SELECT dynpg.verify('bench') ->> 'ok'")
REPORT
