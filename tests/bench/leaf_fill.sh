#!/usr/bin/env bash
# Benchmark (not part of make test): tables written item by item, with and
# without shifts (src/storage/README, "Fuller leaves: shifts"), against the
# heap baseline.  The data set of item_ops.sh -- BENCH_ITEMS items of about
# 200 bytes, item i in partition 'user' || (i mod BENCH_PARTITIONS), sort key
# 'item' || i (BENCH_SORT_KEY overrides, an SQL expression of i) -- is
# inserted in that interleaved order by INSERT ... SELECT with
# dynpg.bulk_load = off (one B-tree insert per item, as PutItem does) into:
#   shifts   a dynpg table with dynpg.leaf_shifts = on (the default)
#   splits   a dynpg table with dynpg.leaf_shifts = off
#   heapbase the heap baseline (pk, sk, item jsonb, PRIMARY KEY (pk, sk))
# and the script reports load times, on-disk sizes and leaf counts, then
# BENCH_ROUNDS rounds of, interleaved, pgbench runs (-M prepared,
# BENCH_CLIENTS clients, BENCH_SECONDS each) on each of the three:
#   get  GetItem (dynpg.get_item; the heap's SELECT by key) of random keys
#   put  PutItem of new random keys (the heap's INSERT), growing the tables
#   query  Query of a random partition (its ~100 items; the heap's SELECT
#        ... WHERE pk = $1 ORDER BY sk)
# with the median and range of each ratio, and the WAL bytes per put.
#
# Start the cluster first (scripts/dynpg-run.sh).
set -euo pipefail
items=${BENCH_ITEMS:-1000000}
parts=${BENCH_PARTITIONS:-10000}
secs=${BENCH_SECONDS:-10}
clients=${BENCH_CLIENTS:-2}
rounds=${BENCH_ROUNDS:-3}
sk=${BENCH_SORT_KEY:-"'item' || i"}
db=dynpg_bench_fill
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

item_json="jsonb_build_object('pk', 'user' || (i % $parts), 'sk', $sk,
        'a', md5(i::text) || md5((i + 1)::text) || md5((i + 2)::text), 'n', i, 'flag', i % 2 = 0)"
mk() {
	echo "SELECT dynpg.create_table('{\"TableName\":\"$1\",\"BillingMode\":\"PAY_PER_REQUEST\",
  \"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],
  \"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"S\"}]}');"
}
ms() { date +%s%3N; }

echo "loading $items items item by item into two dynpg tables and a heap baseline..."
psql_db postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql_db "$db" >/dev/null <<SQL
CREATE EXTENSION dynpg;
$(mk shifts)
$(mk splits)
CREATE TABLE heapbase (pk text COLLATE "C", sk text COLLATE "C", item jsonb, PRIMARY KEY (pk, sk));
SQL
declare -A load
t0=$(ms)
q "SET dynpg.bulk_load = off; INSERT INTO dynamodb.shifts SELECT dynpg.from_plain_json($item_json) FROM generate_series(1, $items) i" >/dev/null
load[shifts]=$(( $(ms) - t0 )); t0=$(ms)
q "SET dynpg.bulk_load = off; SET dynpg.leaf_shifts = off; INSERT INTO dynamodb.splits SELECT dynpg.from_plain_json($item_json) FROM generate_series(1, $items) i" >/dev/null
load[splits]=$(( $(ms) - t0 )); t0=$(ms)
q "INSERT INTO heapbase SELECT $item_json ->> 'pk', $item_json ->> 'sk', $item_json FROM generate_series(1, $items) i" >/dev/null
load[heap]=$(( $(ms) - t0 ))
q "VACUUM ANALYZE dynamodb.shifts" >/dev/null
q "VACUUM ANALYZE dynamodb.splits" >/dev/null
q "VACUUM ANALYZE heapbase" >/dev/null

# sizes: the dynpg relation holds everything; the heap's table and its index
sizes() {
	q "SELECT pg_relation_size('dynamodb.shifts'), pg_relation_size('dynamodb.splits'),
	          pg_total_relation_size('heapbase'),
	          dynpg.verify('shifts') ->> 'leaf_pages', dynpg.verify('splits') ->> 'leaf_pages',
	          (dynpg.verify('shifts') ->> 'ok')::boolean AND (dynpg.verify('splits') ->> 'ok')::boolean"
}
IFS='|' read -r s_shifts s_splits s_heap l_shifts l_splits ok0 <<<"$(sizes)"

# the workloads; puts insert keys beyond the loaded ones, at random
for t in shifts splits; do
	bench_get_item_script "$t" "$work/get_$t.sql"
	# (no ':name' in a script's SQL text but pgbench variables: chr(58) is ':')
	cat > "$work/query_$t.sql" <<SQL
\set k random(0, $((parts - 1)))
SELECT dynpg.query(jsonb_build_object('TableName', '$t', 'KeyConditionExpression', 'pk = ' || chr(58) || 'p',
  'ExpressionAttributeValues', jsonb_build_object(chr(58) || 'p', jsonb_build_object('S', 'user' || (:k)::text))));
SQL
	cat > "$work/put_$t.sql" <<SQL
\set i random($((items + 1)), $((items * 1000)))
SELECT dynpg.put_item(jsonb_build_object('TableName', '$t', 'Item', jsonb_build_object(
  'pk', jsonb_build_object('S', 'user' || ((:i)::bigint % $parts)), 'sk', jsonb_build_object('S', 'item' || (:i)::bigint),
  'a', jsonb_build_object('S', md5((:i)::bigint::text) || md5(((:i)::bigint + 1)::text) || md5(((:i)::bigint + 2)::text)),
  'n', jsonb_build_object('N', (:i)::bigint::text), 'flag', jsonb_build_object('BOOL', (:i)::bigint % 2 = 0))));
SQL
done
cat > "$work/get_heap.sql" <<SQL
\set i random(1, $items)
SELECT item FROM heapbase WHERE pk = 'user' || ((:i)::bigint % $parts) AND sk = 'item' || (:i)::bigint;
SQL
cat > "$work/query_heap.sql" <<SQL
\set k random(0, $((parts - 1)))
SELECT item FROM heapbase WHERE pk = 'user' || (:k)::text ORDER BY sk;
SQL
cat > "$work/put_heap.sql" <<SQL
\set i random($((items + 1)), $((items * 1000)))
INSERT INTO heapbase VALUES ('user' || ((:i)::bigint % $parts), 'item' || (:i)::bigint,
  jsonb_build_object('pk', 'user' || ((:i)::bigint % $parts), 'sk', 'item' || (:i)::bigint,
   'a', md5((:i)::bigint::text) || md5(((:i)::bigint + 1)::text) || md5(((:i)::bigint + 2)::text), 'n', (:i)::bigint, 'flag', (:i)::bigint % 2 = 0))
ON CONFLICT (pk, sk) DO NOTHING;
SQL

# run NAME: tps of one pgbench run, and WAL bytes per transaction
run() {
	local name=$1 out lsn0 lsn1 n
	q "CHECKPOINT" >/dev/null
	lsn0=$(q "SELECT pg_current_wal_lsn()")
	# dynpg.leaf_shifts is per session: off for the table written without
	local shifts=on
	[ "${name#*_}" = splits ] && shifts=off
	out=$(as_pg env PGOPTIONS="-c dynpg.leaf_shifts=$shifts" \
		"$bindir/pgbench" -n -M prepared -c "$clients" -j "$clients" -T "$secs" -f "$work/$name.sql" "$db" 2>&1)
	lsn1=$(q "SELECT pg_current_wal_lsn()")
	n=$(echo "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
	echo "$(echo "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p') $(q "SELECT round(pg_wal_lsn_diff('$lsn1', '$lsn0') / greatest($n, 1))")"
}
declare -A res
for r in $(seq 1 "$rounds"); do
	for w in get query put; do
		for t in heap shifts splits; do
			echo "round $r: $w $t (${secs}s, load $(cut -d' ' -f1 /proc/loadavg))..."
			res[$w,$t,$r]=$(run "${w}_$t")
		done
	done
done
IFS='|' read -r e_shifts e_splits e_heap el_shifts el_splits ok1 <<<"$(sizes)"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b == 0) print "n/a"; else printf "%.2f", a / b}'; }
# median and range of a ratio over the rounds: field F of w,a over w,b
stat() {
	local w=$1 a=$2 b=$3 f=$4 r list=""
	for r in $(seq 1 "$rounds"); do
		list+="$(ratio "$(echo "${res[$w,$a,$r]}" | cut -d' ' -f"$f")" "$(echo "${res[$w,$b,$r]}" | cut -d' ' -f"$f")") "
	done
	echo "$list" | tr ' ' '\n' | grep -v '^$' | sort -n |
		awk '{v[NR]=$1} END {printf "%.2f (%.2f-%.2f)", (NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2), v[1], v[NR]}'
}
tpslist() { local w=$1 t=$2 r; for r in $(seq 1 "$rounds"); do printf '%s ' "$(echo "${res[$w,$t,$r]}" | cut -d' ' -f1)"; done; }
cat <<REPORT
dynpg leaf fill benchmark: $items items (~200 B) written item by item, $parts partitions, sort key $sk
load (ms)                  heap ${load[heap]}   shifts ${load[shifts]} ($(ratio "${load[heap]}" "${load[shifts]}")x the heap's speed)   splits ${load[splits]} ($(ratio "${load[heap]}" "${load[splits]}")x)
size after the load        heap $s_heap   shifts $s_shifts ($(ratio "$s_shifts" "$s_heap"))   splits $s_splits ($(ratio "$s_splits" "$s_heap"))   leaves shifts/splits $l_shifts/$l_splits ($(ratio "$l_shifts" "$l_splits"))   verify ok: $ok0
size after the runs        heap $e_heap   shifts $e_shifts ($(ratio "$e_shifts" "$e_heap"))   splits $e_splits ($(ratio "$e_splits" "$e_heap"))   leaves $el_shifts/$el_splits   verify ok: $ok1
$rounds rounds, ${secs}s each, $clients clients, medians (range) of the per-round ratios:
  GetItem tps  heap: $(tpslist get heap)  shifts: $(tpslist get shifts)  splits: $(tpslist get splits)
    shifts/heap $(stat get shifts heap 1)   splits/heap $(stat get splits heap 1)   shifts/splits $(stat get shifts splits 1)
  Query (a partition) tps  heap: $(tpslist query heap)  shifts: $(tpslist query shifts)  splits: $(tpslist query splits)
    shifts/heap $(stat query shifts heap 1)   splits/heap $(stat query splits heap 1)   shifts/splits $(stat query shifts splits 1)
  PutItem (new keys) tps  heap: $(tpslist put heap)  shifts: $(tpslist put shifts)  splits: $(tpslist put splits)
    shifts/heap $(stat put shifts heap 1)   splits/heap $(stat put splits heap 1)   shifts/splits $(stat put shifts splits 1)
    WAL bytes per put, shifts/splits $(stat put shifts splits 2)
REPORT
