#!/usr/bin/env bash
# Benchmark (not part of make test): BatchWriteItem of 25 items against the
# heap baseline (README, "Benchmarks") writing the same 25 rows in one SQL
# statement (INSERT ... SELECT ... ON CONFLICT DO UPDATE, one transaction).
# Each transaction writes 25 consecutive items from a random start into a
# table of BENCH_ITEMS items of about 200 bytes (replacing existing ones).
# Two pairs of runs: "prebuilt" -- each side takes its input ready-made from
# a table of BENCH_BATCHES batches (dynpg the BatchWriteItem request jsonb,
# as a gateway would pass it; the heap its 25 rows), so only the write is
# measured -- and "built per call", where each call also builds its items
# in SQL (the same contents on both sides; dynpg builds the larger, typed
# request).  pgbench -M prepared, all in the same run; reports item
# throughput (25 x tps) and the ratios.
#
# Start a cluster first (scripts/dynpg-run.sh, or any cluster preloading dynpg:
# PGHOST/PGPORT and DYNPG_PG_BINDIR point at it).  BENCH_ITEMS,
# BENCH_PARTITIONS, BENCH_SECONDS and BENCH_CLIENTS override the defaults.
set -euo pipefail
items=${BENCH_ITEMS:-200000}
parts=${BENCH_PARTITIONS:-10000}
secs=${BENCH_SECONDS:-30}
clients=${BENCH_CLIENTS:-2}
batch=25
nbatches=${BENCH_BATCHES:-5000}
db=dynpg_bench_batch
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_load "'item' || i" 1

# the prebuilt inputs: batch b starts at item (b * 7919) mod (items - 24) + 1
echo "building $nbatches batches of $batch items for each side..."
q "DROP TABLE IF EXISTS bw_requests, bw_rows" >/dev/null
q "CREATE TABLE bw_rows AS
   SELECT b AS id, 'user' || (j % $parts) AS pk, 'item' || j AS sk,
          jsonb_build_object('pk', 'user' || (j % $parts), 'sk', 'item' || j,
            'a', md5((b + j)::text) || md5((b + j + 1)::text) || md5((b + j + 2)::text),
            'n', b + j, 'flag', (b + j) % 2 = 0) AS item
     FROM generate_series(1, $nbatches) b,
          generate_series((b::bigint * 7919) % ($items - $batch + 1) + 1, (b::bigint * 7919) % ($items - $batch + 1) + $batch) j" >/dev/null
q "CREATE INDEX ON bw_rows (id)" >/dev/null
q "CREATE TABLE bw_requests AS
   SELECT id, jsonb_build_object('RequestItems', jsonb_build_object('bench',
            jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item', dynpg.from_plain_json(item)::jsonb)) ORDER BY sk))) AS r
     FROM bw_rows GROUP BY id" >/dev/null
q "ALTER TABLE bw_requests ADD PRIMARY KEY (id)" >/dev/null
q "VACUUM ANALYZE bw_rows" >/dev/null
q "VACUUM ANALYZE bw_requests" >/dev/null
cat > "$work/pre_dynpg.sql" <<SQL
\set b random(1, $nbatches)
SELECT dynpg.batch_write_item(r) FROM bw_requests WHERE id = :b;
SQL
cat > "$work/pre_heap.sql" <<SQL
\set b random(1, $nbatches)
INSERT INTO heapbase SELECT pk, sk, item FROM bw_rows WHERE id = :b
ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item;
SQL

# built per call: the same item contents on both sides: pk, sk, a (96 chars), n, flag
cat > "$work/batch_dynpg.sql" <<SQL
\set i random(1, $items - $batch + 1)
\set v random(1, 1000000000)
SELECT dynpg.batch_write_item(jsonb_build_object('RequestItems', jsonb_build_object('bench',
  (SELECT jsonb_agg(jsonb_build_object('PutRequest', jsonb_build_object('Item', jsonb_build_object(
     'pk', jsonb_build_object('S', 'user' || (j % $parts)), 'sk', jsonb_build_object('S', 'item' || j),
     'a', jsonb_build_object('S', md5(((:v)::bigint + j)::text) || md5(((:v)::bigint + j + 1)::text) || md5(((:v)::bigint + j + 2)::text)),
     'n', jsonb_build_object('N', ((:v)::bigint + j)::text), 'flag', jsonb_build_object('BOOL', ((:v)::bigint + j) % 2 = 0)))))
     FROM generate_series((:i)::bigint, (:i)::bigint + $batch - 1) j))));
SQL
cat > "$work/batch_heap.sql" <<SQL
\set i random(1, $items - $batch + 1)
\set v random(1, 1000000000)
INSERT INTO heapbase
SELECT 'user' || (j % $parts), 'item' || j,
       jsonb_build_object('pk', 'user' || (j % $parts), 'sk', 'item' || j,
         'a', md5(((:v)::bigint + j)::text) || md5(((:v)::bigint + j + 1)::text) || md5(((:v)::bigint + j + 2)::text),
         'n', (:v)::bigint + j, 'flag', ((:v)::bigint + j) % 2 = 0)
  FROM generate_series((:i)::bigint, (:i)::bigint + $batch - 1) j
ON CONFLICT (pk, sk) DO UPDATE SET item = EXCLUDED.item;
SQL

declare -A tps lat walper
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
	walper[$name]=$(q "SELECT round(pg_wal_lsn_diff('$lsn1', '$lsn0') / greatest($n, 1) / $batch)")
}
for name in pre_heap pre_dynpg batch_heap batch_dynpg; do
	echo "running $name for ${secs}s..."
	run "$name"
done
verify=$(q "SELECT dynpg.verify('bench') ->> 'ok'")
count=$(q "SELECT count(*) FROM dynamodb.bench")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b == 0) print "n/a"; else printf "%.2f", a / b}'; }
items_s() { awk -v t="$1" -v b="$batch" 'BEGIN{ printf "%.0f", t * b }'; }
cat <<REPORT
dynpg BatchWriteItem benchmark: $batch items (~200 B) per call into $items items, $parts partitions, $clients clients, ${secs}s each, pgbench -M prepared
                      xact/s      items/s     latency ms   WAL B/item
prebuilt input
  heap (1 statement)  ${tps[pre_heap]}  $(items_s "${tps[pre_heap]}")  ${lat[pre_heap]}  ${walper[pre_heap]}
  dynpg BatchWriteItem ${tps[pre_dynpg]}  $(items_s "${tps[pre_dynpg]}")  ${lat[pre_dynpg]}  ${walper[pre_dynpg]}
  item throughput ratio dynpg/heap: $(ratio "${tps[pre_dynpg]}" "${tps[pre_heap]}") (goal >= 0.8)
input built per call
  heap (1 statement)  ${tps[batch_heap]}  $(items_s "${tps[batch_heap]}")  ${lat[batch_heap]}  ${walper[batch_heap]}
  dynpg BatchWriteItem ${tps[batch_dynpg]}  $(items_s "${tps[batch_dynpg]}")  ${lat[batch_dynpg]}  ${walper[batch_dynpg]}
  item throughput ratio dynpg/heap: $(ratio "${tps[batch_dynpg]}" "${tps[batch_heap]}")
dynpg.verify after the runs: ok = $verify, items = $count
REPORT
