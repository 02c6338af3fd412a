#!/usr/bin/env bash
# Benchmark (not part of make test): PartiQL's ExecuteStatement against the
# operations it translates to, through SQL, in the same run:
#   - a SELECT of one item by its full key (dynpg.execute_statement with
#     Parameters) against GetItem (dynpg.get_item);
#   - an UPDATE by the full key, SET n = n + 1, against UpdateItem
#     (dynpg.update_item, UpdateExpression SET n = n + :one).
# pgbench -M prepared on random keys of a table of BENCH_ITEMS items of
# about 200 bytes (tests/bench/lib.sh's data set), each pair interleaved
# BENCH_ROUNDS times (PartiQL and native alternately); prints each round's
# ratio PartiQL/native, their median and spread (min..max), and the machine
# load (uptime) before and after.  Goal: ratio >= 0.8.
#
# Start the cluster first (scripts/dynpg-run.sh).  BENCH_ITEMS, BENCH_PARTITIONS,
# BENCH_SECONDS, BENCH_ROUNDS, BENCH_CLIENTS and the usual PG* variables
# override the defaults.
set -euo pipefail
items=${BENCH_ITEMS:-200000}
parts=${BENCH_PARTITIONS:-2000}
secs=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-3}
clients=${BENCH_CLIENTS:-2}
db=dynpg_bench_partiql
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_load "'item' || i" 1

bench_get_item_script 'bench' "$work/get_native.sql"
cat > "$work/get_partiql.sql" <<SQL
\set i random(1, $items)
SELECT dynpg.execute_statement(jsonb_build_object('Statement', 'SELECT * FROM bench WHERE pk = ? AND sk = ?',
  'Parameters', jsonb_build_array(jsonb_build_object('S', 'user' || ((:i)::bigint % $parts)),
                                  jsonb_build_object('S', 'item' || (:i)::bigint))));
SQL
# (the placeholder :one is spelled chr(58) || 'one': pgbench would take :one for its own variable)
cat > "$work/update_native.sql" <<SQL
\set i random(1, $items)
SELECT dynpg.update_item(jsonb_build_object('TableName', 'bench', 'Key', jsonb_build_object(
  'pk', jsonb_build_object('S', 'user' || ((:i)::bigint % $parts)), 'sk', jsonb_build_object('S', 'item' || (:i)::bigint)),
  'UpdateExpression', 'SET n = n + ' || chr(58) || 'one',
  'ExpressionAttributeValues', jsonb_build_object(chr(58) || 'one', '{"N": "1"}'::jsonb)));
SQL
cat > "$work/update_partiql.sql" <<SQL
\set i random(1, $items)
SELECT dynpg.execute_statement(jsonb_build_object('Statement', 'UPDATE bench SET n = n + 1 WHERE pk = ? AND sk = ?',
  'Parameters', jsonb_build_array(jsonb_build_object('S', 'user' || ((:i)::bigint % $parts)),
                                  jsonb_build_object('S', 'item' || (:i)::bigint))));
SQL

# run NAME: the tps of one pgbench run
run() {
	as_pg "$bindir/pgbench" -n -M prepared -c "$clients" -j "$clients" -T "$secs" \
		-f "$work/$1.sql" "$db" 2>&1 | sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}

load_before=$(uptime)
declare -a get_ratios update_ratios
report=""
for r in $(seq 1 "$rounds"); do
	for op in get update; do
		# alternate which side goes first, so that neither always runs warmer
		if [ $((r % 2)) = 1 ]; then
			n=$(run "${op}_native"); p=$(run "${op}_partiql")
		else
			p=$(run "${op}_partiql"); n=$(run "${op}_native")
		fi
		ratio=$(awk -v a="$p" -v b="$n" 'BEGIN{ printf "%.3f", (b > 0 ? a / b : 0) }')
		if [ "$op" = get ]; then get_ratios+=("$ratio"); else update_ratios+=("$ratio"); fi
		report+=$(printf '  round %d  %-6s  native %10.1f tps  PartiQL %10.1f tps  ratio %s\n' "$r" "$op" "$n" "$p" "$ratio")
		report+=$'\n'
	done
done
load_after=$(uptime)

# median and spread of a list of ratios
stats() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		printf "median %.3f, spread %.3f..%.3f", m, v[1], v[NR] }'
}
cat <<REPORT
dynpg PartiQL benchmark: $items items (~200 B), $parts partitions, $clients clients, ${secs}s a run, $rounds rounds, pgbench -M prepared
${report%$'\n'}
  SELECT by the full key / GetItem:        $(stats "${get_ratios[@]}")   (goal >= 0.8)
  UPDATE SET n = n + 1 / UpdateItem:       $(stats "${update_ratios[@]}")   (goal >= 0.8)
load before: $load_before
load after:  $load_after
REPORT
psql_db postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null
