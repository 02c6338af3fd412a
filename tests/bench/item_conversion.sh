#!/usr/bin/env bash
# Benchmark (not part of make test): converting 100,000 items of about 1 KB
# between jsonb and dynpg.item, both directions, against jsonb's own text
# input and output of the same documents; and the size of the binary item
# against the same item as plain (untyped) jsonb.
#
# Runs pgbench (-M prepared, 1 client) against the cluster of
# scripts/dynpg-run.sh (start it first), in a scratch database dynpg_bench.
# BENCH_ITEMS, BENCH_RUNS and the usual PG* variables override the defaults.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
items=${BENCH_ITEMS:-100000}
runs=${BENCH_RUNS:-5}
bindir=/usr/lib/postgresql/15/bin
export PGHOST=${PGHOST:-/var/run/postgresql} PGPORT=${PGPORT:-5499}
if [ "$(id -u)" = 0 ]; then as_pg() { runuser -u postgres -- "$@"; }; else as_pg() { "$@"; }; fi
work=$(mktemp -d /tmp/dynpg-bench.XXXXXX)
chmod 755 "$work"
psql_db() { as_pg "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$1" "${@:2}"; }

psql_db postgres -c "DROP DATABASE IF EXISTS dynpg_bench" -c "CREATE DATABASE dynpg_bench"
psql_db dynpg_bench <<SQL
CREATE EXTENSION dynpg;
SELECT setseed(0.4242);
-- ~1 KB DynamoDB items: strings, numbers, a set, a nested map and a list of maps
CREATE TABLE docs_text AS
SELECT format('{"pk":{"S":"user#%s"},"sk":{"N":"%s"},"name":{"S":"%s"},"email":{"S":"%s@example.com"},'
              '"age":{"N":"%s"},"score":{"N":"%s"},"active":{"BOOL":%s},"tags":{"SS":["%s","%s","%s"]},'
              '"address":{"M":{"street":{"S":"%s Main Street"},"city":{"S":"%s"},"zip":{"N":"%s"}}},'
              '"history":{"L":[%s]},"bio":{"S":"%s"}}',
              i, (random() * 1e6)::int, md5(i::text), md5((i + 1)::text),
              (random() * 90)::int, round((random() * 1000)::numeric, 3), CASE WHEN random() < 0.5 THEN 'true' ELSE 'false' END,
              'tag' || (random() * 50)::int, 'x' || (random() * 50)::int, 'y' || (random() * 50)::int,
              (random() * 999)::int, 'City ' || (random() * 100)::int, 10000 + (random() * 89999)::int,
              (SELECT string_agg(format('{"M":{"at":{"N":"%s"},"amount":{"N":"%s"},"note":{"S":"%s"}}}',
                                        1700000000 + j * 3600 + i, round((random() * 500)::numeric, 2),
                                        left(md5((i * j)::text), 12)), ',')
                 FROM generate_series(1, 6) j),
              repeat(md5((i * 7)::text), 9)) AS t
  FROM generate_series(1, $items) i;
CREATE TABLE docs_jsonb AS SELECT t::jsonb AS j FROM docs_text;
CREATE TABLE docs_item AS SELECT t::dynpg.item AS i FROM docs_text;
CREATE TABLE docs_plain AS SELECT dynpg.to_plain_json(i) AS p FROM docs_item;
VACUUM ANALYZE docs_text, docs_jsonb, docs_item, docs_plain;
SQL

declare -A q=(
	[jsonb_in]="SELECT count(t::jsonb) FROM docs_text;"
	[jsonb_out]="SELECT count(j::text) FROM docs_jsonb;"
	[item_from_jsonb]="SELECT count(j::dynpg.item) FROM docs_jsonb;"
	[item_to_jsonb]="SELECT count(i::jsonb) FROM docs_item;"
	[item_in]="SELECT count(t::dynpg.item) FROM docs_text;"
	[item_out]="SELECT count(i::text) FROM docs_item;"
	[scan_text]="SELECT count(t) FROM docs_text;"
	[scan_item]="SELECT count(i) FROM docs_item;"
)
declare -A ms
for name in "${!q[@]}"; do
	echo "${q[$name]}" > "$work/$name.sql"
	out=$(as_pg "$bindir/pgbench" -n -M prepared -c 1 -t "$runs" -f "$work/$name.sql" dynpg_bench 2>&1)
	ms[$name]=$(echo "$out" | sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p')
done

sizes=$(psql_db dynpg_bench -At -F ' ' -c "
SELECT round(avg(pg_column_size(i))), (SELECT round(avg(pg_column_size(p))) FROM docs_plain),
       (SELECT round(avg(pg_column_size(j))) FROM docs_jsonb), (SELECT round(avg(octet_length(t))) FROM docs_text),
       (SELECT round(avg(dynpg.item_size(i))) FROM docs_item),
       pg_total_relation_size('docs_item'), pg_total_relation_size('docs_plain'), pg_total_relation_size('docs_jsonb')
  FROM docs_item")
read -r item_b plain_b typed_b text_b ddb_b item_rel plain_rel typed_rel <<<"$sizes"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }
per() { awk -v a="$1" -v n="$items" 'BEGIN{printf "%.2f", a * 1000 / n}'; }
cat <<REPORT
dynpg.item conversion benchmark: $items items (DynamoDB size ~${ddb_b} B, DynamoDB JSON text ~${text_b} B), $runs runs each, pgbench -M prepared
whole-table times in ms (per item in us), each includes a scan of its table (text ${ms[scan_text]} ms, item ${ms[scan_item]} ms):
  jsonb text input     (text -> jsonb)   ${ms[jsonb_in]} ($(per "${ms[jsonb_in]}") us)
  item from jsonb      (jsonb -> item)   ${ms[item_from_jsonb]} ($(per "${ms[item_from_jsonb]}") us)   ratio to jsonb input  $(ratio "${ms[item_from_jsonb]}" "${ms[jsonb_in]}")  (goal <= 1.5)
  item text input      (text -> item)    ${ms[item_in]} ($(per "${ms[item_in]}") us)   ratio to jsonb input  $(ratio "${ms[item_in]}" "${ms[jsonb_in]}")
  jsonb text output    (jsonb -> text)   ${ms[jsonb_out]} ($(per "${ms[jsonb_out]}") us)
  item to jsonb        (item -> jsonb)   ${ms[item_to_jsonb]} ($(per "${ms[item_to_jsonb]}") us)   ratio to jsonb output $(ratio "${ms[item_to_jsonb]}" "${ms[jsonb_out]}")  (goal <= 1.5)
  item text output     (item -> text)    ${ms[item_out]} ($(per "${ms[item_out]}") us)   ratio to jsonb output $(ratio "${ms[item_out]}" "${ms[jsonb_out]}")
sizes (average datum bytes):
  dynpg.item ${item_b}, plain jsonb ${plain_b}, typed jsonb ${typed_b}
  item / plain jsonb $(ratio "$item_b" "$plain_b") (goal <= 1.0), item / typed jsonb $(ratio "$item_b" "$typed_b")
  tables: item $item_rel B, plain jsonb $plain_rel B, typed jsonb $typed_rel B (item / plain $(ratio "$item_rel" "$plain_rel"))
REPORT
rm -rf "$work"
