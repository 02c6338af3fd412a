#!/usr/bin/env bash
# Benchmark (not part of make test): TransactWriteItems of 4 items against
# the heap baseline (README, "Benchmarks") doing the same 4 rows in one SQL
# transaction, on random keys of a table of BENCH_ITEMS (200,000) items of
# about 200 bytes, both sides in the same run, pgbench -M prepared,
# BENCH_CLIENTS (2) clients, BENCH_SECONDS (30) each:
#
#   put4:    4 Puts (whole items) in one TransactWriteItems, against
#            BEGIN; 4 x INSERT ... ON CONFLICT DO UPDATE; COMMIT;
#   (and both against the same 4 rows in one heap statement: one round
#   trip, as the dynpg call is)
#   update4: 4 Updates with a ConditionExpression (SET n = n + 1 if n >= 0;
#            each runs in a subtransaction), against BEGIN; 4 x UPDATE ...
#            SET item = jsonb_set(...) WHERE key AND (item->>'n') >= 0; COMMIT;
#
# Reports item throughput (4 items per transaction) and the ratio (goal >=
# 0.8), and WAL bytes per transaction.  Uses its own database,
# dynpg_bench_transact (BENCH_REUSE=1 keeps a loaded one).  Start the
# cluster first (scripts/dynpg-run.sh), or point PGHOST/PGPORT and
# DYNPG_PG_BINDIR at another one.
set -euo pipefail
items=${BENCH_ITEMS:-200000}
parts=${BENCH_PARTITIONS:-2000}
secs=${BENCH_SECONDS:-30}
clients=${BENCH_CLIENTS:-2}
db=dynpg_bench_transact
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_load "'item' || i" 1

# Four distinct random items: i, i + 1, i + 2, i + 3 (different partitions).
# pgbench turns every ':name' into a parameter, even inside a string
# literal, so the expressions' placeholders are spelled with chr(58).
c=" || chr(58) || "
key() { echo "'pk', jsonb_build_object('S', 'user' || (((:i)::bigint + $1) % $parts)), 'sk', jsonb_build_object('S', 'item' || ((:i)::bigint + $1))"; }
hkey() { echo "'user' || (((:i)::bigint + $1) % $parts), 'item' || ((:i)::bigint + $1)"; }
put() {
	echo "jsonb_build_object('Put', jsonb_build_object('TableName', 'bench', 'Item', jsonb_build_object($(key "$1"),
  'a', jsonb_build_object('S', md5((:v)::bigint::text) || md5(((:v)::bigint + 1)::text) || md5(((:v)::bigint + 2)::text)),
  'n', jsonb_build_object('N', (:v)::bigint::text), 'flag', jsonb_build_object('BOOL', (:v)::bigint % 2 = 0))))"
}
upd() {
	echo "jsonb_build_object('Update', jsonb_build_object('TableName', 'bench', 'Key', jsonb_build_object($(key "$1")),
  'UpdateExpression', 'SET n = n + '$c'one', 'ConditionExpression', 'n >= '$c'zero',
  'ExpressionAttributeValues', jsonb_build_object(''$c'one', jsonb_build_object('N', '1'), ''$c'zero', jsonb_build_object('N', '0'))))"
}
hput() {
	echo "INSERT INTO heapbase VALUES ($(hkey "$1"),
  jsonb_build_object('pk', 'user' || (((:i)::bigint + $1) % $parts), 'sk', 'item' || ((:i)::bigint + $1),
   'a', md5((:v)::bigint::text) || md5(((:v)::bigint + 1)::text) || md5(((:v)::bigint + 2)::text), 'n', (:v)::bigint, 'flag', (:v)::bigint % 2 = 0))
ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item;"
}
hupd() {
	echo "UPDATE heapbase SET item = jsonb_set(item, '{n}', to_jsonb((item->>'n')::bigint + 1))
 WHERE pk = 'user' || (((:i)::bigint + $1) % $parts) AND sk = 'item' || ((:i)::bigint + $1) AND (item->>'n')::bigint >= 0;"
}
vars="\\set i random(1, $((items - 3)))
\\set v random(1, 1000000000)"
cat > "$work/put4_dynpg.sql" <<SQL
$vars
SELECT dynpg.transact_write_items(jsonb_build_object('TransactItems', jsonb_build_array($(put 0), $(put 1), $(put 2), $(put 3))));
SQL
cat > "$work/put4_heap.sql" <<SQL
$vars
BEGIN;
$(hput 0)
$(hput 1)
$(hput 2)
$(hput 3)
COMMIT;
SQL
# the same 4 rows in one statement (one round trip, as the dynpg call is)
cat > "$work/put4_heap1.sql" <<SQL
$vars
INSERT INTO heapbase VALUES $(for k in 0 1 2 3; do [ $k -gt 0 ] && echo ","; echo "($(hkey $k),
  jsonb_build_object('pk', 'user' || (((:i)::bigint + $k) % $parts), 'sk', 'item' || ((:i)::bigint + $k),
   'a', md5((:v)::bigint::text) || md5(((:v)::bigint + 1)::text) || md5(((:v)::bigint + 2)::text), 'n', (:v)::bigint, 'flag', (:v)::bigint % 2 = 0))"; done)
ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item;
SQL
cat > "$work/update4_heap1.sql" <<SQL
$vars
UPDATE heapbase SET item = jsonb_set(item, '{n}', to_jsonb((item->>'n')::bigint + 1))
 WHERE (pk, sk) IN ($(for k in 0 1 2 3; do [ $k -gt 0 ] && echo ","; echo "($(hkey $k))"; done)) AND (item->>'n')::bigint >= 0;
SQL
cat > "$work/update4_dynpg.sql" <<SQL
$vars
SELECT dynpg.transact_write_items(jsonb_build_object('TransactItems', jsonb_build_array($(upd 0), $(upd 1), $(upd 2), $(upd 3))));
SQL
cat > "$work/update4_heap.sql" <<SQL
$vars
BEGIN;
$(hupd 0)
$(hupd 1)
$(hupd 2)
$(hupd 3)
COMMIT;
SQL

# run NAME: tps of one pgbench run; WAL bytes per transaction
declare -A tps lat walper
run() {
	local name=$1 out lsn0 lsn1 n
	q "CHECKPOINT" >/dev/null
	lsn0=$(q "SELECT pg_current_wal_lsn()")
	out=$(as_pg "$bindir/pgbench" -n -M prepared -c "$clients" -j "$clients" -T "$secs" \
		-f "$work/$name.sql" "$db" 2>&1) || { echo "$out" >&2; exit 1; }
	lsn1=$(q "SELECT pg_current_wal_lsn()")
	tps[$name]=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
	lat[$name]=$(echo "$out" | sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p')
	n=$(echo "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
	walper[$name]=$(q "SELECT round(pg_wal_lsn_diff('$lsn1', '$lsn0') / greatest($n, 1))")
}
for name in put4_heap put4_heap1 put4_dynpg update4_heap update4_heap1 update4_dynpg; do
	echo "running $name for ${secs}s..."
	run "$name"
done
verify=$(q "SELECT dynpg.verify('bench') ->> 'ok'")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b == 0) print "n/a"; else printf "%.2f", a / b}'; }
items4() { awk -v t="$1" 'BEGIN{ printf "%.0f", 4 * t }'; }
cat <<REPORT
dynpg TransactWriteItems benchmark: $items items (~200 B), $parts partitions, 4 items a transaction, $clients clients, ${secs}s each, pgbench -M prepared
heap: BEGIN, 4 statements, COMMIT; heap1: the 4 rows in one statement
                         items/s heap / heap1 / dynpg    ratio dynpg/heap (goal >= 0.8), dynpg/heap1   latency ms heap / heap1 / dynpg   WAL B/xact heap / heap1 / dynpg
  4 Puts                 $(items4 "${tps[put4_heap]}") / $(items4 "${tps[put4_heap1]}") / $(items4 "${tps[put4_dynpg]}")    $(ratio "${tps[put4_dynpg]}" "${tps[put4_heap]}"), $(ratio "${tps[put4_dynpg]}" "${tps[put4_heap1]}")   ${lat[put4_heap]} / ${lat[put4_heap1]} / ${lat[put4_dynpg]}   ${walper[put4_heap]} / ${walper[put4_heap1]} / ${walper[put4_dynpg]}
  4 conditional Updates  $(items4 "${tps[update4_heap]}") / $(items4 "${tps[update4_heap1]}") / $(items4 "${tps[update4_dynpg]}")    $(ratio "${tps[update4_dynpg]}" "${tps[update4_heap]}"), $(ratio "${tps[update4_dynpg]}" "${tps[update4_heap1]}")   ${lat[update4_heap]} / ${lat[update4_heap1]} / ${lat[update4_dynpg]}   ${walper[update4_heap]} / ${walper[update4_heap1]} / ${walper[update4_dynpg]}
dynpg.verify after the runs: ok = $verify
REPORT
