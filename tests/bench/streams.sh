#!/usr/bin/env bash
# Benchmark (not part of make test): what a stream costs writers, and how
# fast a consumer drains one.
#
# 1. PutItem (replacing an item) and UpdateItem (SET and ADD) on random keys
#    of two dynpg tables holding the same BENCH_ITEMS items of about 200
#    bytes, 'plain' without a stream and 'streamed' with a
#    NEW_AND_OLD_IMAGES stream: pgbench -M prepared, BENCH_CLIENTS clients
#    (a thread each), BENCH_SECONDS per run, BENCH_ROUNDS rounds with the two
#    tables interleaved; the ratio streamed/plain per round, then the median
#    and spread (min..max) with the machine's load.
# 2. GetRecords: a consumer draining the stream of BENCH_BACKLOG inserted
#    items (one INSERT ... SELECT), every shard from TRIM_HORIZON with Limit
#    1000 through dynpg.get_records, in records/s.
#
# Uses the cluster of scripts/dynpg-run.sh (database dynpg_bench_streams,
# made afresh unless BENCH_REUSE is set and it exists; dropped at the end
# unless BENCH_REUSE is set: each database with dynpg keeps a worker).
set -euo pipefail
items=${BENCH_ITEMS:-200000}
backlog=${BENCH_BACKLOG:-1000000}
secs=${BENCH_SECONDS:-10}
clients=${BENCH_CLIENTS:-2}
rounds=${BENCH_ROUNDS:-3}
db=dynpg_bench_streams
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

table_json() {
	local stream=""
	[ "$2" = yes ] && stream=', "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}'
	echo "{\"TableName\":\"$1\",\"BillingMode\":\"PAY_PER_REQUEST\",
  \"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],
  \"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"S\"}]$stream}"
}
load_table() {	# NAME STREAM(yes|no) COUNT
	q "SELECT dynpg.create_table('$(table_json "$1" "$2")')" >/dev/null
	q "INSERT INTO dynamodb.$1 SELECT dynpg.from_plain_json(jsonb_build_object('pk', 'user' || (i % 10000),
	     'sk', 'item' || i, 'a', md5(i::text) || md5((i + 1)::text) || md5((i + 2)::text), 'n', i))
	   FROM generate_series(1, $3) i" >/dev/null
}
if [ -n "${BENCH_REUSE:-}" ] && bench_db_exists; then
	echo "reusing database $db (BENCH_REUSE)"
else
	echo "loading $items items into 'plain' and 'streamed', $backlog into 'backlog'..."
	psql_db postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
	q "CREATE EXTENSION dynpg" >/dev/null
	load_table plain no "$items"
	load_table streamed yes "$items"
	load_table backlog yes "$backlog"
	q "VACUUM ANALYZE" >/dev/null
	q "CHECKPOINT" >/dev/null
fi

# pgbench turns every ':name' into a parameter, even in a string: chr(58) spells ':'
for t in plain streamed; do
	key="'pk', jsonb_build_object('S', 'user' || ((:i)::bigint % 10000)), 'sk', jsonb_build_object('S', 'item' || (:i)::bigint)"
	cat > "$work/put_$t.sql" <<SQL
\set i random(1, $items)
\set v random(1, 1000000000)
SELECT dynpg.put_item(jsonb_build_object('TableName', '$t', 'Item', jsonb_build_object($key,
  'a', jsonb_build_object('S', md5((:v)::bigint::text) || md5(((:v)::bigint + 1)::text) || md5(((:v)::bigint + 2)::text)),
  'n', jsonb_build_object('N', (:v)::bigint::text))));
SQL
	cat > "$work/update_$t.sql" <<SQL
\set i random(1, $items)
\set v random(1, 1000000000)
SELECT dynpg.update_item(jsonb_build_object('TableName', '$t', 'Key', jsonb_build_object($key),
  'UpdateExpression', 'SET n = ' || chr(58) || 'newn ADD cnt ' || chr(58) || 'inc',
  'ExpressionAttributeValues', jsonb_build_object(chr(58) || 'newn', jsonb_build_object('N', (:v)::bigint::text),
                                                  chr(58) || 'inc', jsonb_build_object('N', '1'))));
SQL
done
run() {	# SCRIPT -> tps
	(cd "$work" && as_pg "$bindir/pgbench" -n -M prepared -c "$clients" -j "$clients" -T "$secs" \
		-f "$work/$1.sql" "$db" 2>&1) | sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}
declare -A tps
loads=()
for r in $(seq 1 "$rounds"); do
	loads+=("$(cut -d' ' -f1 /proc/loadavg)")
	for op in put update; do
		for t in plain streamed; do
			tps[$op,$t,$r]=$(run "${op}_$t")
		done
		printf 'round %d %-6s plain %9.1f tps  streamed %9.1f tps  ratio %.3f\n' "$r" "$op" \
			"${tps[$op,plain,$r]}" "${tps[$op,streamed,$r]}" \
			"$(echo "${tps[$op,streamed,$r]} / ${tps[$op,plain,$r]}" | bc -l)"
	done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "%.3f (%.3f..%.3f)", a[int((NR+1)/2)], a[1], a[NR]}'; }
echo
echo "streams benchmark: $items items, $clients clients, ${secs}s runs, $rounds rounds, load averages ${loads[*]}"
for op in put update; do
	ratios=()
	for r in $(seq 1 "$rounds"); do
		ratios+=("$(echo "${tps[$op,streamed,$r]} / ${tps[$op,plain,$r]}" | bc -l)")
	done
	echo "  $op: streamed/plain median (min..max) $(median "${ratios[@]}")  (goal >= 0.8)"
done

# GetRecords: drain the backlog table's stream
cat > "$work/drain.sql" <<'SQL'
CREATE OR REPLACE FUNCTION pg_temp.drain(arn text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE sh jsonb; it text; r jsonb; n bigint := 0; k int;
BEGIN
	FOR sh IN SELECT jsonb_array_elements(dynpg.describe_stream(jsonb_build_object('StreamArn', arn))
			#> '{StreamDescription,Shards}') LOOP
		it := dynpg.get_shard_iterator(jsonb_build_object('StreamArn', arn, 'ShardId', sh ->> 'ShardId',
			'ShardIteratorType', 'TRIM_HORIZON')) ->> 'ShardIterator';
		LOOP
			r := dynpg.get_records(jsonb_build_object('ShardIterator', it, 'Limit', 1000));
			k := jsonb_array_length(r -> 'Records');
			n := n + k;
			it := r ->> 'NextShardIterator';
			EXIT WHEN k = 0 OR it IS NULL;
		END LOOP;
	END LOOP;
	RETURN n;
END $$;
\timing on
SELECT pg_temp.drain(dynpg.describe_table('{"TableName":"backlog"}') #>> '{Table,LatestStreamArn}') AS records;
SQL
for r in $(seq 1 "$rounds"); do
	out=$(psql_db "$db" -f "$work/drain.sql" 2>&1)
	n=$(echo "$out" | awk '/^ *[0-9]+$/ {print $1; exit}')
	ms=$(echo "$out" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
	echo "GetRecords drain round $r: $n records in $ms ms: $(echo "$n * 1000 / $ms" | bc) records/s (load $(cut -d' ' -f1 /proc/loadavg))"
done
[ -n "${BENCH_REUSE:-}" ] || psql_db postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null
