#!/usr/bin/env bash
# Benchmark (not part of make test): partitioned dynpg through a PL/Proxy
# router (README, "Partitioned dynpg"; src/api/README).  On one machine
# absolute scaling cannot show, so it measures what can be measured here:
#
#  1. GetItem and PutItem through a router in front of 4 nodes against the
#     same calls on one database holding every item (pgbench -M prepared,
#     BENCH_CLIENTS clients, BENCH_SECONDS each): the routing overhead;
#  2. a full Scan, every page (Limit 1000), of BENCH_ITEMS items spread over
#     the 4 nodes through the router against the same Scan of one database;
#  3. the per-node cost of a routed call on the node itself (the node's
#     side, dynpg.cluster_node_execute, called directly), from which the
#     README's model of N nodes on separate machines is computed;
#  4. a Query of a GSI (10 items a key) through the router, which asks
#     every node in turn (a GSI is not partitioned by its own key yet),
#     against the same Query on one database: the fan-out's cost;
#  5. dynpg.expand_cluster from 4 to 8 nodes: how long the cluster pauses
#     while half of every node's items move to a new one.
#
# It makes a throwaway PostgreSQL cluster of its own (initdb in a scratch
# directory, Unix socket only), with the installed dynpg (make install) and
# postgresql-15-plproxy; the router and the nodes are databases of that one
# cluster, so they share its 2 cores.  BENCH_ITEMS (default 1000000),
# BENCH_SECONDS (15), BENCH_CLIENTS (2) override the defaults.
set -euo pipefail
items=${BENCH_ITEMS:-1000000}
secs=${BENCH_SECONDS:-15}
clients=${BENCH_CLIENTS:-2}
nodes=4
bindir=${DYNPG_PG_BINDIR:-/usr/lib/postgresql/15/bin}
if [ "$(id -u)" = 0 ]; then as_pg() { runuser -u postgres -- "$@"; }; else as_pg() { "$@"; }; fi

work=$(mktemp -d /tmp/dynpg-scale.XXXXXX)
chmod 777 "$work"
port=$((20000 + RANDOM % 20000))
cleanup() {
	as_pg "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

as_pg "$bindir/initdb" -D "$work/data" -A trust -N >/dev/null
cat >> "$work/data/postgresql.conf" <<CONF
port = $port
listen_addresses = ''
unix_socket_directories = '$work'
shared_preload_libraries = 'dynpg'
max_prepared_transactions = 10
shared_buffers = 512MB
max_wal_size = 4GB
CONF
as_pg "$bindir/pg_ctl" -D "$work/data" -l "$work/log" -w start >/dev/null
export PGHOST=$work PGPORT=$port
psql_db() { as_pg "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$1" "${@:2}"; }
q() { psql_db "$1" -At -c "$2"; }

table='{"TableName":"bench","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],"GlobalSecondaryIndexes":[{"IndexName":"by_g","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]}'
# g: the GSI's key, 10 items a value
gkeys=$((items / 10))
item_sql="dynpg.from_plain_json(jsonb_build_object('pk', 'user' || i,
	'a', md5(i::text) || md5((i + 1)::text) || md5((i + 2)::text), 'n', i, 'flag', i % 2 = 0,
	'g', 'g' || (i % $gkeys)))"

echo "== $items items of about 200 bytes: one database, and $nodes nodes behind a router"
conns=()
for k in $(seq 0 $((nodes - 1))); do
	psql_db postgres -c "CREATE DATABASE node$k"
	q "node$k" 'CREATE EXTENSION dynpg' >/dev/null
	conns+=("'host=$work port=$port dbname=node$k'")
done
psql_db postgres -c 'CREATE DATABASE single' -c 'CREATE DATABASE router'
q single 'CREATE EXTENSION dynpg' >/dev/null
q router 'CREATE EXTENSION dynpg' >/dev/null
q router "SELECT dynpg.create_cluster('bench', ARRAY[$(IFS=,; echo "${conns[*]}")])" >/dev/null
q router "SELECT dynpg.create_table('$table')" >/dev/null
q single "SELECT dynpg.create_table('$table')" >/dev/null
# loaded on each node directly (a bulk load), each node only its hash range
q single "INSERT INTO dynamodb.bench SELECT $item_sql FROM generate_series(1, $items) i" >/dev/null
for k in $(seq 0 $((nodes - 1))); do
	q "node$k" "INSERT INTO dynamodb.bench SELECT $item_sql FROM generate_series(1, $items) i
		WHERE dynpg.cluster_node_of(dynpg.partition_hash(jsonb_build_object('S', 'user' || i)), $nodes) = $k" >/dev/null
	echo "node $k: $(q "node$k" 'SELECT count(*) FROM dynamodb.bench') items"
done
for db in single node0 node1 node2 node3; do q "$db" 'VACUUM ANALYZE dynamodb.bench' >/dev/null; done
# the GSI's entries are written by each database's index worker: wait for them
for db in single node0 node1 node2 node3; do
	for _ in $(seq 1 600); do
		[ "$(q "$db" "SELECT coalesce(dynpg.index_backlog('bench'), 0)")" = 0 ] && break
		sleep 1
	done
done
q postgres CHECKPOINT >/dev/null

cat > "$work/get.sql" <<SQL
\set i random(1, $items)
SELECT dynpg.get_item(jsonb_build_object('TableName', 'bench', 'Key', jsonb_build_object('pk', jsonb_build_object('S', 'user' || :i))));
SQL
cat > "$work/put.sql" <<SQL
\set i random(1, $items)
\set v random(1, 1000000000)
SELECT dynpg.put_item(jsonb_build_object('TableName', 'bench', 'Item', jsonb_build_object(
  'pk', jsonb_build_object('S', 'user' || :i),
  'a', jsonb_build_object('S', md5((:v)::bigint::text) || md5(((:v)::bigint + 1)::text) || md5(((:v)::bigint + 2)::text)),
  'n', jsonb_build_object('N', (:v)::bigint::text), 'flag', jsonb_build_object('BOOL', (:v)::bigint % 2 = 0),
  'g', jsonb_build_object('S', 'g' || ((:i)::bigint % $gkeys)))));
SQL
# the node's side of a routed GetItem, called on the node itself
cat > "$work/node_get.sql" <<SQL
\set i random(1, $items)
SELECT dynpg.cluster_node_execute('GetItem', jsonb_build_object('TableName', 'bench', 'Key', jsonb_build_object('pk', jsonb_build_object('S', 'user' || :i)))::text);
SQL
# (chr(58) is ':', which pgbench would take for a variable of its own)
cat > "$work/gsi.sql" <<SQL
\set i random(0, $gkeys - 1)
SELECT dynpg.query(jsonb_build_object('TableName', 'bench', 'IndexName', 'by_g', 'KeyConditionExpression', 'g = ' || chr(58) || 'g',
  'ExpressionAttributeValues', jsonb_build_object(chr(58) || 'g', jsonb_build_object('S', 'g' || :i))));
SQL
chmod 644 "$work"/*.sql
tps() {
	as_pg "$bindir/pgbench" -n -M prepared -c "$clients" -j "$clients" -T "$secs" -f "$2" "$1" 2>&1 |
		sed -n 's/^tps = \([0-9.]*\) .*/\1/p' | cut -d. -f1
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "== GetItem / PutItem: $clients clients, $secs s each"
get_single=$(tps single "$work/get.sql")
get_router=$(tps router "$work/get.sql")
get_node=$(tps node0 "$work/node_get.sql")
put_single=$(tps single "$work/put.sql")
put_router=$(tps router "$work/put.sql")
echo "GetItem: one database $get_single/s, through the router $get_router/s ($(ratio "$get_router" "$get_single")x)"
echo "PutItem: one database $put_single/s, through the router $put_router/s ($(ratio "$put_router" "$put_single")x)"
echo "GetItem's node side alone (cluster_node_execute on a node): $get_node/s"
gsi_single=$(tps single "$work/gsi.sql")
gsi_router=$(tps router "$work/gsi.sql")
gq="SELECT dynpg.query('{\"TableName\":\"bench\",\"IndexName\":\"by_g\",\"KeyConditionExpression\":\"g = :g\",\"ExpressionAttributeValues\":{\":g\":{\"S\":\"g1\"}}}') ->> 'Count'"
gsi_count="$(q single "$gq") items a key on one database, $(q router "$gq") through the router"
echo "GSI Query ($gsi_count): one database $gsi_single/s, through the router ($nodes nodes asked) $gsi_router/s ($(ratio "$gsi_router" "$gsi_single")x)"

echo "== Scan of all $items items, pages of 1000"
cat > "$work/scan.sql" <<'SQL'
CREATE FUNCTION pg_temp.scan_all() RETURNS text LANGUAGE plpgsql AS $$
DECLARE req jsonb := '{"TableName":"bench","Limit":1000}'; r jsonb; n bigint := 0; pages int := 0;
	t0 timestamptz := clock_timestamp();
BEGIN
	LOOP
		r := dynpg.scan(req);
		n := n + (r->>'Count')::bigint;
		pages := pages + 1;
		EXIT WHEN NOT r ? 'LastEvaluatedKey';
		req := req || jsonb_build_object('ExclusiveStartKey', r->'LastEvaluatedKey');
	END LOOP;
	RETURN n || ' items, ' || pages || ' pages, '
		|| round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000) || ' ms';
END $$;
SELECT pg_temp.scan_all();
SQL
chmod 644 "$work/scan.sql"
echo "one database:    $(psql_db single -At -f "$work/scan.sql")"
echo "through the router ($nodes nodes): $(psql_db router -At -f "$work/scan.sql")"

# 5. going from 4 to 8 nodes (dynpg.expand_cluster): half of every node's
# items move to a new node; the router answers nothing meanwhile, so its
# duration is the cluster's pause.  (All 8 nodes share this machine's disk
# and 2 cores; on separate machines the 4 moves would run on 8 of them, but
# expand_cluster runs them one after another.)
echo "== expand_cluster: $nodes to $((2 * nodes)) nodes, $items items"
newconns=()
for k in $(seq "$nodes" $((2 * nodes - 1))); do
	psql_db postgres -c "CREATE DATABASE node$k"
	q "node$k" 'CREATE EXTENSION dynpg' >/dev/null
	newconns+=("'host=$work port=$port dbname=node$k'")
done
q postgres CHECKPOINT >/dev/null
t0=$(date +%s%N)
moved=$(q router "SELECT dynpg.expand_cluster(ARRAY[$(IFS=,; echo "${newconns[*]}")])")
ms=$((($(date +%s%N) - t0) / 1000000))
echo "moved $moved items in $ms ms ($(awk -v n="$moved" -v ms="$ms" 'BEGIN { printf "%.0f", n / (ms / 1000) }') items/s)"
echo "through the router ($((2 * nodes)) nodes): $(psql_db router -At -f "$work/scan.sql")"
