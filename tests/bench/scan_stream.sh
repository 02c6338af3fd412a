#!/usr/bin/env bash
# Benchmark (not part of make test): the SQL layer's dynpg.scan_items as a
# stream (src/api/README, "The SQL layer's rows"), against the heap baseline
# (README, "Benchmarks"), on a table of BENCH_ITEMS (200,000) items of about
# 200 bytes in BENCH_PARTITIONS (2,000) partitions, loaded as
# tests/bench/query_scan.sh loads its table (tests/bench/lib.sh's bench_load).
#
# For each statement, each in a connection of its own:
#
#   count   SELECT count(*) FROM dynpg.scan_items('bench')
#           against SELECT count(*) FROM heapbase
#   limit   SELECT * FROM dynpg.scan_items('bench') LIMIT 10
#           against SELECT item FROM heapbase LIMIT 10
#   all     SELECT * FROM dynpg.scan_items('bench'), every row to psql
#           against SELECT item FROM heapbase
#
# it reports the statement's time (psql's \timing, rows sent to /dev/null),
# the time to its first row (FETCH 1 from a cursor over it), the temporary
# file blocks it wrote (EXPLAIN (ANALYZE, BUFFERS): a tuplestore spilled to
# disk), and the backend's peak resident memory after it (VmHWM of
# /proc/PID/status: this counts the shared buffers the backend touched as
# well as its own memory, so compare it between builds, not with work_mem).
# One line per statement and measure, "name measure value", for a caller to
# collect: to compare two builds, run it alternately against two clusters
# (PGHOST, PGPORT), each loaded once (BENCH_REUSE=1 keeps a loaded database),
# several times, and take medians.  Uses its own database,
# dynpg_bench_scanstream.  Start the cluster first (scripts/dynpg-run.sh).
set -euo pipefail
items=${BENCH_ITEMS:-200000}
parts=${BENCH_PARTITIONS:-2000}
width=${#items}
db=dynpg_bench_scanstream
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_load "'item' || lpad(i::text, $width, '0')" 0

declare -A stmt=(
	[count_sql]="SELECT count(*) FROM dynpg.scan_items('bench')"
	[count_heap]="SELECT count(*) FROM heapbase"
	[limit_sql]="SELECT * FROM dynpg.scan_items('bench') LIMIT 10"
	[limit_heap]="SELECT item FROM heapbase LIMIT 10"
	[all_sql]="SELECT * FROM dynpg.scan_items('bench')"
	[all_heap]="SELECT item FROM heapbase"
)
# psql's \timing of the last statement of a script, in ms
timed() {
	psql_db "$db" -o /dev/null 2>&1 <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
$1
\\timing on
$2
SQL
}
for name in count_sql count_heap limit_sql limit_heap all_sql all_heap; do
	s=${stmt[$name]}
	echo "$name ms $(timed '' "$s;")"
	echo "$name first_row_ms $(timed "BEGIN; DECLARE c NO SCROLL CURSOR FOR $s;" 'FETCH 1 FROM c;')"
	psql_db "$db" -At <<SQL | sed "s/^/$name /"
CREATE TEMP TABLE plan AS SELECT 1;
DO \$\$
DECLARE
	p json;
BEGIN
	EXECUTE 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) $(printf '%s' "$s" | sed "s/'/''/g")' INTO p;
	DROP TABLE plan;
	CREATE TEMP TABLE plan AS SELECT p -> 0 -> 'Plan' AS plan;
END \$\$;
SELECT 'temp_written_kB ' || ((plan ->> 'Temp Written Blocks')::bigint * 8) FROM plan;
SELECT 'peak_rss_kB ' || (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmHWM:\s*(\d+)'))[1];
SQL
done
echo "load $(uptime | sed 's/.*load average: //')"
