#!/usr/bin/env bash
# Benchmark (not part of make test): PutItem on a table with two GSIs and
# one LSI -- the founding chat example: chat (chat_id S, message_id N), GSI
# by_user (user_id S, message_id N), GSI by_day (day S, message_id N), LSI
# by_attachments (chat_id, num_attachments N) -- against a heap baseline
# doing the same work in plain SQL: a table (chat_id, message_id, item
# jsonb, PRIMARY KEY) with two expression indexes (user_id, message_id) and
# (day, message_id) and a third, composite index (chat_id, num_attachments),
# written with INSERT ... ON CONFLICT DO UPDATE.  pgbench -M prepared, both
# sides in the same run, on tables preloaded with the same items.
#
# Then GSI lag: writers run at half the measured dynpg maximum
# (pgbench --rate) while a probe session writes an item with a fresh
# user_id, commits, and polls a Query on GSI by_user until the item is
# there: commit to visible, p50 and p99 over the probes.
#
# Start the cluster first (scripts/dynpg-run.sh).  BENCH_ITEMS, BENCH_SECONDS,
# BENCH_CLIENTS, BENCH_PROBES and the usual PG* variables override the defaults.
set -euo pipefail
items=${BENCH_ITEMS:-200000}
secs=${BENCH_SECONDS:-30}
clients=${BENCH_CLIENTS:-2}
probes=${BENCH_PROBES:-300}
chats=10000
users=50000
db=dynpg_bench_idx
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

echo "loading $items items into the indexed dynpg table and the heap baseline..."
psql_db postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql_db "$db" >/dev/null <<SQL
CREATE EXTENSION dynpg;
SELECT dynpg.create_table('{"TableName": "chat", "BillingMode": "PAY_PER_REQUEST",
  "AttributeDefinitions": [{"AttributeName": "chat_id", "AttributeType": "S"}, {"AttributeName": "message_id", "AttributeType": "N"},
    {"AttributeName": "user_id", "AttributeType": "S"}, {"AttributeName": "day", "AttributeType": "S"},
    {"AttributeName": "num_attachments", "AttributeType": "N"}],
  "KeySchema": [{"AttributeName": "chat_id", "KeyType": "HASH"}, {"AttributeName": "message_id", "KeyType": "RANGE"}],
  "LocalSecondaryIndexes": [{"IndexName": "by_attachments", "KeySchema": [{"AttributeName": "chat_id", "KeyType": "HASH"},
    {"AttributeName": "num_attachments", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}],
  "GlobalSecondaryIndexes": [
    {"IndexName": "by_user", "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}, {"AttributeName": "message_id", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "KEYS_ONLY"}},
    {"IndexName": "by_day", "KeySchema": [{"AttributeName": "day", "KeyType": "HASH"}, {"AttributeName": "message_id", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "KEYS_ONLY"}}]}');
INSERT INTO dynamodb.chat
SELECT dynpg.from_plain_json(jsonb_build_object('chat_id', 'chat' || (i % $chats), 'message_id', i,
        'user_id', 'user' || (i % $users), 'day', 'day' || (i % 365), 'num_attachments', i % 5,
        'text', md5(i::text) || md5((i + 1)::text)))
  FROM generate_series(1, $items) i;
CREATE TABLE heapbase (chat_id text COLLATE "C", message_id numeric, item jsonb, PRIMARY KEY (chat_id, message_id));
CREATE INDEX heapbase_by_user ON heapbase ((item ->> 'user_id') COLLATE "C", ((item ->> 'message_id')::numeric));
CREATE INDEX heapbase_by_day ON heapbase ((item ->> 'day') COLLATE "C", ((item ->> 'message_id')::numeric));
CREATE INDEX heapbase_by_attachments ON heapbase (chat_id, ((item ->> 'num_attachments')::numeric));
INSERT INTO heapbase
SELECT 'chat' || (i % $chats), i,
       jsonb_build_object('chat_id', 'chat' || (i % $chats), 'message_id', i,
        'user_id', 'user' || (i % $users), 'day', 'day' || (i % 365), 'num_attachments', i % 5,
        'text', md5(i::text) || md5((i + 1)::text))
  FROM generate_series(1, $items) i;
SQL
echo "waiting for the GSI backlog of the load..."
t0=$(date +%s.%N)
[ "$(q "SELECT dynpg.wait_for_indexes('chat', 600)")" = t ] || { echo "the load's GSI changes were not applied in 600 s" >&2; exit 1; }
t1=$(date +%s.%N)
load_drain=$(echo "$t1 - $t0" | bc)
q "VACUUM ANALYZE dynamodb.chat" >/dev/null
q "VACUUM ANALYZE heapbase" >/dev/null
q "VACUUM dynpg.index_changes" >/dev/null
q "CHECKPOINT" >/dev/null

# new messages: random chat, user, day; message ids past the loaded ones
cat > "$work/put_dynpg.sql" <<SQL
\set m random($items + 1, 1000000000000)
\set c random(0, $chats - 1)
\set u random(0, $users - 1)
\set d random(0, 364)
\set a random(0, 4)
SELECT dynpg.put_item(jsonb_build_object('TableName', 'chat', 'Item', jsonb_build_object(
  'chat_id', jsonb_build_object('S', 'chat' || (:c)::int), 'message_id', jsonb_build_object('N', (:m)::bigint::text),
  'user_id', jsonb_build_object('S', 'user' || (:u)::int), 'day', jsonb_build_object('S', 'day' || (:d)::int),
  'num_attachments', jsonb_build_object('N', (:a)::int::text),
  'text', jsonb_build_object('S', md5((:m)::bigint::text) || md5(((:m)::bigint + 1)::text)))));
SQL
cat > "$work/put_heap.sql" <<SQL
\set m random($items + 1, 1000000000000)
\set c random(0, $chats - 1)
\set u random(0, $users - 1)
\set d random(0, 364)
\set a random(0, 4)
INSERT INTO heapbase VALUES ('chat' || (:c)::int, (:m)::bigint,
  jsonb_build_object('chat_id', 'chat' || (:c)::int, 'message_id', (:m)::bigint, 'user_id', 'user' || (:u)::int,
   'day', 'day' || (:d)::int, 'num_attachments', (:a)::int, 'text', md5((:m)::bigint::text) || md5(((:m)::bigint + 1)::text)))
ON CONFLICT (chat_id, message_id) DO UPDATE SET item = EXCLUDED.item;
SQL

declare -A tps lat
run() {
	local name=$1 out
	out=$(as_pg "$bindir/pgbench" -n -M prepared -c "$clients" -j "$clients" -T "$secs" \
		${2:-} -f "$work/$name.sql" "$db" 2>&1)
	tps[$name]=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
	lat[$name]=$(echo "$out" | sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p')
}
ratio() { echo "scale=2; $1 / $2" | bc; }

echo "PutItem throughput ($clients clients, ${secs} s each)..."
run put_heap
run put_dynpg
t0=$(date +%s.%N)
q "SELECT dynpg.wait_for_indexes('chat', 600)" >/dev/null
t1=$(date +%s.%N)
drain=$(echo "$t1 - $t0" | bc)

# GSI lag at half the dynpg maximum
rate=$(echo "${tps[put_dynpg]} / 2" | bc)
echo "GSI lag: writers at $rate tps, $probes probes..."
q "CREATE TABLE lag_probe (i int, lag_ms float8)" >/dev/null
as_pg "$bindir/pgbench" -n -M prepared -c "$clients" -j "$clients" -T $((secs + 60)) --rate="$rate" \
	-f "$work/put_dynpg.sql" "$db" > "$work/rate.out" 2>&1 &
bgpid=$!
sleep 3
psql_db "$db" >/dev/null <<SQL
DO \$\$
DECLARE
	t0 timestamptz;
	n int;
BEGIN
	FOR i IN 1..$probes LOOP
		PERFORM dynpg.put_item(jsonb_build_object('TableName', 'chat', 'Item', jsonb_build_object(
			'chat_id', jsonb_build_object('S', 'probe'), 'message_id', jsonb_build_object('N', i::text),
			'user_id', jsonb_build_object('S', 'probe-user-' || i), 'day', jsonb_build_object('S', 'probe'))));
		COMMIT;
		t0 := clock_timestamp();
		LOOP
			SELECT (dynpg.query(jsonb_build_object('TableName', 'chat', 'IndexName', 'by_user',
				'KeyConditionExpression', 'user_id = :u',
				'ExpressionAttributeValues', jsonb_build_object(':u', jsonb_build_object('S', 'probe-user-' || i)))) ->> 'Count')::int
			  INTO n;
			COMMIT;
			EXIT WHEN n > 0;
			IF clock_timestamp() - t0 > interval '30 seconds' THEN
				RAISE EXCEPTION 'probe % not visible in GSI by_user after 30 s', i;
			END IF;
			PERFORM pg_sleep(0.0005);
		END LOOP;
		INSERT INTO lag_probe VALUES (i, extract(epoch FROM clock_timestamp() - t0) * 1000);
		COMMIT;
		PERFORM pg_sleep(0.02);
	END LOOP;
END \$\$;
SQL
kill "$bgpid" 2>/dev/null || true
wait "$bgpid" 2>/dev/null || true
lag=$(q "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY lag_ms)::numeric, 1) || ' ' ||
              round(percentile_cont(0.99) WITHIN GROUP (ORDER BY lag_ms)::numeric, 1) || ' ' ||
              round(max(lag_ms)::numeric, 1) FROM lag_probe")
read -r p50 p99 pmax <<< "$lag"
ok=$(q "SELECT dynpg.wait_for_indexes('chat', 600)")
verify=$(q "SELECT dynpg.verify('chat') ->> 'ok'")

echo
echo "== PutItem with 2 GSIs + 1 LSI vs heap with 3 indexes ($items preloaded items, $clients clients)"
printf "%-22s %10s %10s\n" "" "tps" "lat ms"
printf "%-22s %10s %10s\n" "heap (3 indexes)" "${tps[put_heap]}" "${lat[put_heap]}"
printf "%-22s %10s %10s\n" "dynpg put_item" "${tps[put_dynpg]}" "${lat[put_dynpg]}"
echo "throughput ratio dynpg/heap: $(ratio "${tps[put_dynpg]}" "${tps[put_heap]}") (goal >= 0.7)"
echo "GSI backlog after the run drained in ${drain} s (the load's: ${load_drain} s)"
echo "== GSI lag, commit to visible in by_user, writers at $rate tps (half the maximum)"
echo "p50 ${p50} ms, p99 ${p99} ms, max ${pmax} ms over $probes probes (goal p99 < 1000 ms)"
echo "wait_for_indexes afterwards: $ok; verify: $verify"
