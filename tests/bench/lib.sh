# Shared by the benchmarks in tests/bench (sourced, after 'db' and, for
# bench_load, 'items' and 'parts' are set): the cluster of
# scripts/dynpg-run.sh, psql as the postgres user, a scratch directory, and
# the common data set -- a dynpg table 'bench' and its heap baseline
# 'heapbase' (the README's heap baseline: pk and sk text COLLATE "C", item jsonb,
# PRIMARY KEY (pk, sk)) holding the same items of about 200 bytes, item i in
# partition 'user' || (i mod parts).
bindir=${DYNPG_PG_BINDIR:-/usr/lib/postgresql/15/bin}
export PGHOST=${PGHOST:-/var/run/postgresql} PGPORT=${PGPORT:-5499}
if [ "$(id -u)" = 0 ]; then as_pg() { runuser -u postgres -- "$@"; }; else as_pg() { "$@"; }; fi
psql_db() { as_pg "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$1" "${@:2}"; }
q() { psql_db "$db" -At -c "$1"; }
bench_db_exists() {
	[ "$(psql_db postgres -At -c "SELECT count(*) FROM pg_database WHERE datname = '$db'")" = 1 ]
}
# a scratch directory the postgres user can read, removed on exit
work=$(mktemp -d /tmp/dynpg-bench.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

# bench_load SORT_KEY FIRST: (re)create database $db with $items items
# numbered FIRST.. in both tables, loaded in that (interleaved) order;
# SORT_KEY is the sort key as an SQL expression of i.  With BENCH_REUSE set
# and the database there, it is kept as it is.
bench_load() {
	local sk=$1 first=$2
	if [ -n "${BENCH_REUSE:-}" ] && bench_db_exists; then
		echo "reusing database $db (BENCH_REUSE)"
		return
	fi
	echo "loading $items items into a dynpg table and a heap baseline..."
	psql_db postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
	psql_db "$db" >/dev/null <<SQL
CREATE EXTENSION dynpg;
SELECT dynpg.create_table('{"TableName":"bench","BillingMode":"PAY_PER_REQUEST",
  "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"}]}');
INSERT INTO dynamodb.bench
SELECT dynpg.from_plain_json(jsonb_build_object('pk', 'user' || (i % $parts), 'sk', $sk,
        'a', md5(i::text) || md5((i + 1)::text) || md5((i + 2)::text), 'n', i, 'flag', i % 2 = 0))
  FROM generate_series($first, $first + $items - 1) i;
CREATE TABLE heapbase (pk text COLLATE "C", sk text COLLATE "C", item jsonb, PRIMARY KEY (pk, sk));
INSERT INTO heapbase
SELECT 'user' || (i % $parts), $sk,
       jsonb_build_object('pk', 'user' || (i % $parts), 'sk', $sk,
        'a', md5(i::text) || md5((i + 1)::text) || md5((i + 2)::text), 'n', i, 'flag', i % 2 = 0)
  FROM generate_series($first, $first + $items - 1) i;
VACUUM ANALYZE dynamodb.bench;
VACUUM ANALYZE heapbase;
CHECKPOINT;
SQL
}

# bench_get_item_script TABLE FILE: write to FILE a pgbench script doing
# GetItem (dynpg.get_item, request JSON built per call) of a random key of
# the common data set ($items items, item i in partition 'user' || (i mod
# $parts), sort key 'item' || i) in dynpg table TABLE.
bench_get_item_script() {
	cat > "$2" <<SQL
\set i random(1, $items)
SELECT dynpg.get_item(jsonb_build_object('TableName', '$1', 'Key', jsonb_build_object(
  'pk', jsonb_build_object('S', 'user' || ((:i)::bigint % $parts)), 'sk', jsonb_build_object('S', 'item' || (:i)::bigint))));
SQL
}
