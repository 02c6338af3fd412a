#!/usr/bin/env bash
# Benchmark (not part of make test): SQL SELECTs by key on a dynpg table,
# read by the planner's key scan (src/am/dynpg_keyscan.c), against GetItem
# and Query through SQL and against the heap baseline (README,
# "Benchmarks"), on the data set of tests/bench/lib.sh: 1,000,000 items of
# about 200 bytes in 10,000 partitions of 100.
#
#   get_item       SELECT dynpg.get_item(<GetItem request>)
#   get_keyscan    SELECT item FROM dynamodb.bench WHERE item ->> 'pk' = .. AND item ->> 'sk' = ..
#   get_heap       SELECT item FROM heapbase WHERE pk = .. AND sk = ..
#   query_api      SELECT dynpg.query(<Query of one partition>)   (100 items)
#   part_keyscan   SELECT item FROM dynamodb.bench WHERE item ->> 'pk' = ..
#   part_heap      SELECT item FROM heapbase WHERE pk = ..
#
# pgbench -M prepared, BENCH_CLIENTS (2) clients, BENCH_SECONDS (15) per run;
# the workloads run interleaved for BENCH_ROUNDS (3) rounds, and each ratio
# is reported as the median of the rounds with its range and the machine's
# load averages.  Goal: get_keyscan >= 0.9 x get_item.
#
# Start the cluster first (scripts/dynpg-run.sh); BENCH_REUSE=1 keeps the
# database of a previous run.
set -euo pipefail
items=${BENCH_ITEMS:-1000000}
parts=${BENCH_PARTITIONS:-10000}
secs=${BENCH_SECONDS:-15}
clients=${BENCH_CLIENTS:-2}
rounds=${BENCH_ROUNDS:-3}
db=dynpg_bench_keyscan
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_load "'item' || i" 1

pk="'user' || ((:i)::bigint % $parts)"
sk="'item' || (:i)::bigint"
cat > "$work/get_item.sql" <<SQL
\set i random(1, $items)
SELECT dynpg.get_item(jsonb_build_object('TableName', 'bench', 'Key', jsonb_build_object(
  'pk', jsonb_build_object('S', $pk), 'sk', jsonb_build_object('S', $sk))));
SQL
cat > "$work/get_keyscan.sql" <<SQL
\set i random(1, $items)
SELECT item FROM dynamodb.bench WHERE item ->> 'pk' = $pk AND item ->> 'sk' = $sk;
SQL
cat > "$work/get_heap.sql" <<SQL
\set i random(1, $items)
SELECT item FROM heapbase WHERE pk = $pk AND sk = $sk;
SQL
cat > "$work/query_api.sql" <<SQL
\set i random(1, $items)
SELECT dynpg.query(jsonb_build_object('TableName', 'bench', 'KeyConditionExpression', 'pk = ' || chr(58) || 'p',
  'ExpressionAttributeValues', jsonb_build_object(chr(58) || 'p', jsonb_build_object('S', $pk))));
SQL
cat > "$work/part_keyscan.sql" <<SQL
\set i random(1, $items)
SELECT item FROM dynamodb.bench WHERE item ->> 'pk' = $pk;
SQL
cat > "$work/part_heap.sql" <<SQL
\set i random(1, $items)
SELECT item FROM heapbase WHERE pk = $pk;
SQL

# the plans: the key scan must be what the SELECTs use
q "EXPLAIN SELECT item FROM dynamodb.bench WHERE item ->> 'pk' = 'user1' AND item ->> 'sk' = 'item1'" | grep -q DynpgKeyScan ||
	{ echo "the point SELECT does not use the key scan" >&2; exit 1; }
q "EXPLAIN SELECT item FROM dynamodb.bench WHERE item ->> 'pk' = 'user1'" | grep -q DynpgKeyScan ||
	{ echo "the partition SELECT does not use the key scan" >&2; exit 1; }
[ "$(q "SELECT count(*) FROM dynamodb.bench WHERE item ->> 'pk' = 'user1'")" = "$(q "SELECT count(*) FROM heapbase WHERE pk = 'user1'")" ] ||
	{ echo "the key scan and the heap disagree on a partition's size" >&2; exit 1; }

run() {	# SCRIPT -> tps; a failed run stops the benchmark with pgbench's output
	local out t
	out=$(cd "$work" && as_pg "$bindir/pgbench" -n -M prepared -c "$clients" -j "$clients" -T "$secs" \
		-f "$work/$1.sql" "$db" 2>&1) || true
	t=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
	if [ -z "$t" ] || echo "$out" | grep -q 'aborted'; then
		echo "pgbench $1 failed:" >&2; echo "$out" | tail -n 5 >&2; exit 1
	fi
	echo "$t"
}
workloads=(get_item get_keyscan get_heap query_api part_keyscan part_heap)
declare -A tps
loads=()
for r in $(seq 1 "$rounds"); do
	loads+=("$(cut -d' ' -f1 /proc/loadavg)")
	for w in "${workloads[@]}"; do
		tps[$w,$r]=$(run "$w")
		printf 'round %d %-13s %10.1f tps\n' "$r" "$w" "${tps[$w,$r]}"
	done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "%.2f (%.2f..%.2f)", a[int((NR+1)/2)], a[1], a[NR]}'; }
ratio_of() {	# A B -> the median (range) of tps[A]/tps[B] over the rounds
	local rs=() r
	for r in $(seq 1 "$rounds"); do
		rs+=("$(echo "${tps[$1,$r]} / ${tps[$2,$r]}" | bc -l)")
	done
	median "${rs[@]}"
}
tps_of() { local ts=() r; for r in $(seq 1 "$rounds"); do ts+=("${tps[$1,$r]}"); done; median "${ts[@]}"; }
echo
echo "key scan benchmark: $items items, $parts partitions, $clients clients, ${secs}s runs, $rounds rounds interleaved, load averages ${loads[*]}"
for w in "${workloads[@]}"; do printf '  %-13s median tps %s\n' "$w" "$(tps_of "$w")"; done
echo "  point SELECT by key / GetItem:      $(ratio_of get_keyscan get_item)  (goal >= 0.9)"
echo "  point SELECT by key / heap SELECT:  $(ratio_of get_keyscan get_heap)"
echo "  GetItem / heap SELECT:              $(ratio_of get_item get_heap)"
echo "  partition SELECT / dynpg.query:     $(ratio_of part_keyscan query_api)"
echo "  partition SELECT / heap SELECT:     $(ratio_of part_keyscan part_heap)"
echo "  dynpg.query / heap SELECT:          $(ratio_of query_api part_heap)"
