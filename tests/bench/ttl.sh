#!/usr/bin/env bash
# Benchmark (not part of make test): time to live's sweep.
#
# A dynpg table of BENCH_ITEMS items (about 200 bytes) with TTL enabled,
# BENCH_EXPIRED of them expired.  Per round (BENCH_ROUNDS, interleaved):
#  1. writers alone: pgbench PutItem on items that do not expire, with the
#     worker's sweep held back (dynpg.ttl_sweep_rate = 1);
#  2. the same writers while the database's worker sweeps at its default
#     rate (dynpg.ttl_sweep_rate = 10000 a second): their throughput as a
#     ratio of (1), and the items the worker deleted meanwhile;
#  3. the rest of the expired items swept at full speed with no writers
#     (dynpg._ttl_sweep, 10,000 a transaction): items deleted per second.
# Each of (2) and (3) first expires BENCH_EXPIRED items of their own
# (2 * BENCH_ROUNDS * BENCH_EXPIRED <= BENCH_ITEMS).  Also reports how
# long enabling TTL (building the expiry index) took.
#
# Uses the cluster of scripts/dynpg-run.sh (database dynpg_bench_ttl, made
# afresh; ALTER SYSTEM settings it changes are reset when it ends).
set -euo pipefail
items=${BENCH_ITEMS:-1000000}
expired=${BENCH_EXPIRED:-100000}
secs=${BENCH_SECONDS:-10}
clients=${BENCH_CLIENTS:-2}
rounds=${BENCH_ROUNDS:-3}
db=dynpg_bench_ttl
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

setting() {	# NAME VALUE|reset
	if [ "$2" = reset ]; then
		psql_db postgres -c "ALTER SYSTEM RESET $1" >/dev/null
	else
		psql_db postgres -c "ALTER SYSTEM SET $1 = $2" >/dev/null
	fi
	psql_db postgres -c "SELECT pg_reload_conf()" >/dev/null
}
# the database goes at the end (each database with dynpg keeps a worker busy)
cleanup() {
	setting dynpg.ttl_sweep_rate reset || true
	setting dynpg.ttl_sweep_interval reset || true
	psql_db postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "loading $items items..."
psql_db postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
q "CREATE EXTENSION dynpg" >/dev/null
q "SELECT dynpg.create_table('{\"TableName\":\"ttlbench\",\"BillingMode\":\"PAY_PER_REQUEST\",
  \"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],
  \"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"S\"}]}')" >/dev/null
q "INSERT INTO dynamodb.ttlbench SELECT dynpg.from_plain_json(jsonb_build_object('pk', 'user' || (i % 10000),
     'sk', 'item' || i, 'a', md5(i::text) || md5((i + 1)::text) || md5((i + 2)::text),
     'exp', floor(extract(epoch FROM now())) + 864000))
   FROM generate_series(1, $items) i" >/dev/null
setting dynpg.ttl_sweep_rate 1
setting dynpg.ttl_sweep_interval 1
build_ms=$( { psql_db "$db" -At <<'SQL'
\timing on
SELECT dynpg.update_time_to_live('{"TableName":"ttlbench","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}');
SQL
} | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
echo "enabling TTL (building the expiry index of $items items): $build_ms ms"
q "VACUUM ANALYZE" >/dev/null

cat > "$work/put.sql" <<SQL
\set i random(1, $items)
SELECT dynpg.put_item(jsonb_build_object('TableName', 'ttlbench', 'Item', jsonb_build_object(
  'pk', jsonb_build_object('S', 'w' || ((:i)::bigint % 10000)), 'sk', jsonb_build_object('S', 'w' || (:i)::bigint),
  'exp', jsonb_build_object('N', (floor(extract(epoch FROM now())) + 864000)::text))));
SQL
run() {
	(cd "$work" && as_pg "$bindir/pgbench" -n -M prepared -c "$clients" -j "$clients" -T "$secs" \
		-f "$work/put.sql" "$db" 2>&1) | sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}
# expire_batch FIRST: items FIRST..FIRST+BENCH_EXPIRED-1 get a TTL in the last day
expire_batch() {
	q "SELECT count(dynpg.update_item(jsonb_build_object('TableName', 'ttlbench', 'Key', jsonb_build_object(
	     'pk', jsonb_build_object('S', 'user' || (i % 10000)), 'sk', jsonb_build_object('S', 'item' || i)),
	     'UpdateExpression', 'SET #e = :e', 'ExpressionAttributeNames', '{\"#e\":\"exp\"}'::jsonb,
	     'ExpressionAttributeValues', jsonb_build_object(':e', jsonb_build_object('N',
	        (floor(extract(epoch FROM now())) - 1 - i % 86000)::text)))))
	   FROM generate_series($1, $1 + $expired - 1) i" >/dev/null
}
declare -a ratios rates
for r in $(seq 1 "$rounds"); do
	load=$(cut -d' ' -f1 /proc/loadavg)
	# expire BENCH_EXPIRED items again (a spread of the last day)
	expire_batch $(( (2 * r - 2) * expired + 1 ))
	setting dynpg.ttl_sweep_rate 1
	alone=$(run)
	before=$(q "SELECT dynpg.ttl_backlog('ttlbench')")
	setting dynpg.ttl_sweep_rate reset
	during=$(run)
	setting dynpg.ttl_sweep_rate 1
	after=$(q "SELECT dynpg.ttl_backlog('ttlbench')")
	q "SELECT dynpg._ttl_sweep('ttlbench')" >/dev/null
	expire_batch $(( (2 * r - 1) * expired + 1 ))
	t0=$(date +%s.%N)
	n=0
	while :; do
		k=$(q "SELECT dynpg._ttl_sweep('ttlbench', 10000)")
		n=$((n + k))
		[ "$k" -gt 0 ] || break
	done
	t1=$(date +%s.%N)
	ratio=$(echo "$during / $alone" | bc -l)
	rate=$(echo "$n / ($t1 - $t0)" | bc -l)
	ratios+=("$ratio")
	rates+=("$rate")
	printf 'round %d (load %s): writers alone %.1f tps, during the worker'"'"'s sweep %.1f tps (ratio %.3f), the worker deleted %d in %ss; full-speed sweep of the rest: %d items in %.2f s = %.0f items/s\n' \
		"$r" "$load" "$alone" "$during" "$ratio" $((before - after)) "$secs" "$n" "$(echo "$t1 - $t0" | bc -l)" "$rate"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "%.3f (%.3f..%.3f)", a[int((NR+1)/2)], a[1], a[NR]}'; }
echo
echo "ttl benchmark: $items items, $expired expired a round, $clients clients, ${secs}s runs, $rounds rounds"
echo "  writers during the worker's sweep / alone: $(median "${ratios[@]}") (goal >= 0.8)"
echo "  full-speed sweep, items/s: $(median "${rates[@]}")"
