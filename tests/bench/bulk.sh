#!/usr/bin/env bash
# Benchmark (not part of make test): bulk loads, exports and full scans of
# a table of BENCH_ITEMS (1,000,000) items of about 200 bytes, against the
# heap baseline (README, "Benchmarks") in the same run:
#   load    COPY into an empty dynpg table (the bulk path: sort, then build
#           the B-tree leaves first) vs COPY of the same rows into the heap
#           table and building its primary key (COPY, then ALTER TABLE ...
#           ADD PRIMARY KEY: heap's fastest way to a keyed table);
#           ImportTable (dynpg.import_table) of a DYNAMODB_JSON gzip export
#           of the same items, against the same heap figure
#   export  dynpg.export_table (DYNAMODB_JSON, gzip) in items/s and MB/s of
#           output vs COPY (SELECT ...) TO a file on the heap (uncompressed
#           text; and piped through gzip, which is the fairer comparison)
#   scan    full scans: SELECT item, dynpg.scan_items, vs SELECT item on
#           the heap, each item's text sent to the client (psql -At, 10,000
#           rows per fetch, to /dev/null): the server's and the wire's work.
#           Then the same SELECT item pair through psql's aligned display
#           (no -At), which lays every row out in a table: psql's own work
#           per character of text then dominates, and a DynamoDB JSON item
#           ({"a":{"S":"..."}}) is longer than the heap's jsonb text, so
#           that row compares the clients' formatting more than the tables.
#   size    on-disk size after the load: the dynpg table vs heap + its
#           primary key
# Each pair runs interleaved BENCH_ROUNDS (3) times; the report gives
# medians, the spread (min-max) of each ratio, and the load average.
#
# Start the cluster first (scripts/dynpg-run.sh).  BENCH_ITEMS,
# BENCH_PARTITIONS, BENCH_ROUNDS and the usual PG* variables override the
# defaults.
set -euo pipefail
items=${BENCH_ITEMS:-1000000}
parts=${BENCH_PARTITIONS:-10000}
rounds=${BENCH_ROUNDS:-3}
db=dynpg_bench_bulk
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# the server writes and reads the COPY files in the scratch directory
[ "$(id -u)" = 0 ] && chown postgres "$work"

psql_db postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
psql_db "$db" -c "CREATE EXTENSION dynpg" >/dev/null
expdir=$(q "SHOW dynpg.export_directory")
if [ -z "$expdir" ]; then
	echo "dynpg.export_directory is not set: the import and export parts need it" >&2
	exit 1
fi

# the input files: DynamoDB JSON items for dynpg's COPY, (pk, sk, jsonb) rows for heap's
echo "writing $items items to COPY files..."
q "COPY (SELECT format('{\"pk\":{\"S\":\"user%s\"},\"sk\":{\"S\":\"item%s\"},\"a\":{\"S\":\"%s\"},\"n\":{\"N\":\"%s\"},\"flag\":{\"BOOL\":%s}}',
      i % $parts, i, md5(i::text) || md5((i + 1)::text) || md5((i + 2)::text), i, CASE WHEN i % 2 = 0 THEN 'true' ELSE 'false' END)
    FROM generate_series(1, $items) i) TO '$work/dynpg.copy'"
q "COPY (SELECT 'user' || (i % $parts), 'item' || i, jsonb_build_object('pk', 'user' || (i % $parts), 'sk', 'item' || i,
      'a', md5(i::text) || md5((i + 1)::text) || md5((i + 2)::text), 'n', i, 'flag', i % 2 = 0)
    FROM generate_series(1, $items) i) TO '$work/heap.copy'"
input_mb=$(du -m "$work/dynpg.copy" | cut -f1)

ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null || exit 1; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
create_dynpg() {
	q "SELECT dynpg.delete_table('{\"TableName\":\"$1\"}')" >/dev/null 2>&1 || true
	q "SELECT dynpg.create_table('{\"TableName\":\"$1\",\"BillingMode\":\"PAY_PER_REQUEST\",
	  \"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],
	  \"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"S\"}]}')" >/dev/null
}
load_dynpg() { create_dynpg bench; q "CHECKPOINT" >/dev/null; ms q "COPY dynamodb.bench FROM '$work/dynpg.copy'"; }
load_heap() {
	q "DROP TABLE IF EXISTS heapbase; CREATE TABLE heapbase (pk text COLLATE \"C\", sk text COLLATE \"C\", item jsonb)" >/dev/null
	q "CHECKPOINT" >/dev/null
	ms psql_db "$db" -c "COPY heapbase FROM '$work/heap.copy'" -c "ALTER TABLE heapbase ADD PRIMARY KEY (pk, sk)"
}

declare -A t
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
ratios() { # ratios of baseline/dynpg times, per round: "median (min-max)"
	local -n base=$1 mine=$2
	local r=() i
	for i in "${!base[@]}"; do r+=("$(awk -v a="${base[$i]}" -v b="${mine[$i]}" 'BEGIN{printf "%.2f", a / b}')"); done
	printf '%s (%s-%s)' "$(median "${r[@]}")" "$(printf '%s\n' "${r[@]}" | sort -n | head -1)" "$(printf '%s\n' "${r[@]}" | sort -n | tail -1)"
}

loads=() ; loadh=() ; imports=() ; exps=() ; hexps=() ; hexpz=() ; sdyn=() ; ssql=() ; sheap=() ; aheap=() ; adyn=()
load_avg=()
for r in $(seq 1 "$rounds"); do
	echo "round $r: loads..."
	load_avg+=("$(cut -d' ' -f1 /proc/loadavg)")
	loadh+=("$(load_heap)")
	loads+=("$(load_dynpg)")
	# export the loaded table (the import's input, and the export figure)
	rm -rf "${expdir:?}/bulkbench"
	mkdir -p "$expdir/bulkbench"; chown postgres "$expdir/bulkbench" 2>/dev/null || true
	exps+=("$(ms q "SELECT dynpg.export_table('bench', 'bulkbench', 'DYNAMODB_JSON')")")
	hexps+=("$(ms q "COPY (SELECT item FROM heapbase) TO '$work/heap_out.copy'")")
	hexpz+=("$(ms q "COPY (SELECT item FROM heapbase) TO PROGRAM 'gzip -6 > $work/heap_out.copy.gz'")")
	echo "round $r: import..."
	q "SELECT dynpg.delete_table('{\"TableName\":\"imported\"}')" >/dev/null 2>&1 || true
	q "CHECKPOINT" >/dev/null
	imports+=("$(ms q "SELECT dynpg.import_table('$expdir/bulkbench', '{\"TableName\":\"imported\",\"BillingMode\":\"PAY_PER_REQUEST\",
	  \"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],
	  \"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"S\"}]}')")")
	echo "round $r: scans..."
	q "VACUUM ANALYZE heapbase" >/dev/null; q "VACUUM ANALYZE dynamodb.bench" >/dev/null
	sheap+=("$(ms psql_db "$db" -At -v FETCH_COUNT=10000 -o /dev/null -c "SELECT item FROM heapbase")")
	sdyn+=("$(ms psql_db "$db" -At -v FETCH_COUNT=10000 -o /dev/null -c "SELECT item FROM dynamodb.bench")")
	ssql+=("$(ms psql_db "$db" -At -v FETCH_COUNT=10000 -o /dev/null -c "SELECT * FROM dynpg.scan_items('bench')")")
	aheap+=("$(ms psql_db "$db" -v FETCH_COUNT=10000 -o /dev/null -c "SELECT item FROM heapbase")")
	adyn+=("$(ms psql_db "$db" -v FETCH_COUNT=10000 -o /dev/null -c "SELECT item FROM dynamodb.bench")")
done
loadh2=("${loadh[@]}")
count=$(q "SELECT count(*) FROM dynamodb.bench")
icount=$(q "SELECT count(*) FROM dynamodb.imported")
verify=$(q "SELECT dynpg.verify('bench') ->> 'ok'")
exp_mb=$(du -sm "$expdir/bulkbench" | cut -f1)
hexp_mb=$(du -m "$work/heap_out.copy" | cut -f1)
hbytes=$(q "SELECT round(avg(octet_length(item::text))) FROM heapbase")
dbytes=$(q "SELECT round(avg(octet_length(item::text))) FROM dynamodb.bench")
dsize=$(q "SELECT pg_total_relation_size('dynamodb.bench')")
hsize=$(q "SELECT pg_total_relation_size('heapbase')")
isize=$(q "SELECT pg_total_relation_size('dynamodb.imported')")
rm -rf "${expdir:?}/bulkbench"

rate() { awk -v n="$1" -v ms="$2" 'BEGIN{printf "%.0f", n / (ms / 1000)}'; }
cat <<REPORT
dynpg bulk benchmark: $items items (~200 B; COPY input $input_mb MB), $parts partitions, $rounds interleaved rounds
load average at each round's start: ${load_avg[*]}
times in ms per round (heap / dynpg); ratio = heap time / dynpg time (> 1: dynpg faster), median (min-max)
  load: COPY + primary key (heap) vs COPY (dynpg)   ${loadh[*]} / ${loads[*]}   $(ratios loadh loads) (goal >= 1.0)
  load: vs ImportTable of a gzip DYNAMODB_JSON export ${loadh2[*]} / ${imports[*]}   $(ratios loadh2 imports) (goal >= 1.0)
  export: COPY TO text (heap) vs export_table        ${hexps[*]} / ${exps[*]}   $(ratios hexps exps)
  export: COPY TO gzip (heap) vs export_table        ${hexpz[*]} / ${exps[*]}   $(ratios hexpz exps)
          export median $(rate "$items" "$(median "${exps[@]}")") items/s, $(awk -v mb="$exp_mb" -v ms="$(median "${exps[@]}")" 'BEGIN{printf "%.1f", mb / (ms / 1000)}') MB/s of gzip output ($exp_mb MB);
          heap COPY TO $(rate "$items" "$(median "${hexps[@]}")") items/s ($hexp_mb MB of text)
  scan: SELECT item                                 ${sheap[*]} / ${sdyn[*]}   $(ratios sheap sdyn) (goal >= 1.0)
  scan: dynpg.scan_items                            ${sheap[*]} / ${ssql[*]}   $(ratios sheap ssql) (goal >= 1.0)
  scan: SELECT item, psql's aligned display         ${aheap[*]} / ${adyn[*]}   $(ratios aheap adyn) (client-bound; text bytes per item: heap $hbytes, dynpg $dbytes)
size (bytes): heap + primary key $hsize, dynpg (COPY) $dsize ($(awk -v a="$dsize" -v b="$hsize" 'BEGIN{printf "%.2f", a / b}')x, goal <= 1.0), dynpg (ImportTable) $isize ($(awk -v a="$isize" -v b="$hsize" 'BEGIN{printf "%.2f", a / b}')x)
items: $count loaded, $icount imported; dynpg.verify ok = $verify
REPORT
