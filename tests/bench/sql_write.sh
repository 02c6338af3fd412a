#!/usr/bin/env bash
# Benchmark (not part of make test): SQL UPDATE and DELETE of one item by
# its key on a dynpg table, against the heap baseline (README, "Benchmarks":
# a heap table with PRIMARY KEY (pk, sk)) making the same change.
#   update: UPDATE ... SET item = <item with a new n> WHERE <key>
#   delete: DELETE ... WHERE <key>, then INSERT the item back (one
#           transaction: the table keeps its size; each client has keys of
#           its own, else a DELETE that waited for another client's DELETE
#           and INSERT would find the key taken when it inserts)
# The key predicate on the dynpg table is item->>'pk' = ... AND
# item->>'sk' = ..., which the planner's key scan (src/am/dynpg_keyscan.c)
# reads as one item; the script checks the plan uses it.  BENCH_ITEMS
# (100,000) items in BENCH_PARTITIONS (1,000) partitions.
# pgbench -M prepared, the four runs interleaved BENCH_ROUNDS times (3),
# medians and spread (min-max) reported with the load average.
#
# Start the cluster first (scripts/dynpg-run.sh).  BENCH_ITEMS,
# BENCH_PARTITIONS, BENCH_SECONDS, BENCH_CLIENTS, BENCH_ROUNDS and the usual
# PG* variables override the defaults.
set -euo pipefail
items=${BENCH_ITEMS:-100000}
parts=${BENCH_PARTITIONS:-1000}
secs=${BENCH_SECONDS:-10}
clients=${BENCH_CLIENTS:-2}
rounds=${BENCH_ROUNDS:-3}
db=dynpg_bench_sqlwrite
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_load "'item' || i" 1

pk="'user' || ((:i)::bigint % $parts)"
sk="'item' || (:i)::bigint"
cat > "$work/update_dynpg.sql" <<SQL
\set i random(1, $items)
\set v random(1, 1000000000)
UPDATE dynamodb.bench SET item = dynpg.from_plain_json(dynpg.to_plain_json(item) || jsonb_build_object('n', (:v)::bigint))
 WHERE item ->> 'pk' = $pk AND item ->> 'sk' = $sk;
SQL
cat > "$work/update_heap.sql" <<SQL
\set i random(1, $items)
\set v random(1, 1000000000)
UPDATE heapbase SET item = item || jsonb_build_object('n', (:v)::bigint)
 WHERE pk = $pk AND sk = $sk;
SQL
cat > "$work/delete_dynpg.sql" <<SQL
\set i 1 + :client_id + $clients * random(0, $items / $clients - 1)
BEGIN;
DELETE FROM dynamodb.bench WHERE item ->> 'pk' = $pk AND item ->> 'sk' = $sk;
INSERT INTO dynamodb.bench VALUES (dynpg.from_plain_json(jsonb_build_object('pk', $pk, 'sk', $sk,
  'a', md5((:i)::text) || md5(((:i) + 1)::text) || md5(((:i) + 2)::text), 'n', (:i)::bigint, 'flag', (:i) % 2 = 0)));
COMMIT;
SQL
cat > "$work/delete_heap.sql" <<SQL
\set i 1 + :client_id + $clients * random(0, $items / $clients - 1)
BEGIN;
DELETE FROM heapbase WHERE pk = $pk AND sk = $sk;
INSERT INTO heapbase VALUES ($pk, $sk, jsonb_build_object('pk', $pk, 'sk', $sk,
  'a', md5((:i)::text) || md5(((:i) + 1)::text) || md5(((:i) + 2)::text), 'n', (:i)::bigint, 'flag', (:i) % 2 = 0));
COMMIT;
SQL

# the key predicate must be read by key, not by a scan of the whole table
q "EXPLAIN DELETE FROM dynamodb.bench WHERE item ->> 'pk' = 'user1' AND item ->> 'sk' = 'item1'" | grep -q 'DynpgKeyScan' ||
	{ echo "the key predicate is not read by the key scan" >&2; exit 1; }

declare -A runs
run() {
	local name=$1 out t
	out=$(as_pg "$bindir/pgbench" -n -M prepared -c "$clients" -j "$clients" -T "$secs" \
		-f "$work/$name.sql" "$db" 2>&1) || { echo "$out" >&2; exit 1; }
	t=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
	runs[$name]="${runs[$name]:-} $t"
}
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq 1 "$rounds"); do
	for name in update_heap update_dynpg delete_heap delete_dynpg; do
		echo "round $r: $name for ${secs}s..."
		run "$name"
	done
	q "VACUUM dynamodb.bench" >/dev/null
	q "VACUUM heapbase" >/dev/null
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
med() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END{ if (NR % 2) printf "%.0f", a[(NR+1)/2]; else printf "%.0f", (a[NR/2]+a[NR/2+1])/2}'; }
spread() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk 'NR==1{lo=$1} {hi=$1} END{printf "%.0f-%.0f", lo, hi}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b == 0) print "n/a"; else printf "%.2f", a / b}'; }
line() { # label dynpg-name heap-name
	printf '  %-22s %8s (%s) %8s (%s)  %5s (goal >= 0.8)\n' "$1" "$(med "${runs[$3]}")" "$(spread "${runs[$3]}")" \
		"$(med "${runs[$2]}")" "$(spread "${runs[$2]}")" "$(ratio "$(med "${runs[$2]}")" "$(med "${runs[$3]}")")"
}
cat <<REPORT
dynpg SQL UPDATE/DELETE benchmark: $items items (~200 B), $parts partitions, $clients clients,
${secs}s per run, $rounds interleaved rounds, pgbench -M prepared; load average before/after: $load0 / $load1
                          tps heap (min-max)   tps dynpg (min-max)  ratio
$(line "UPDATE by key" update_dynpg update_heap)
$(line "DELETE + INSERT by key" delete_dynpg delete_heap)
(the dynpg key predicate is read by the planner's key scan: one item)
dynpg.verify after the runs: ok = $(q "SELECT dynpg.verify('bench') ->> 'ok'")
REPORT
