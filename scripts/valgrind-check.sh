#!/usr/bin/env bash
# make valgrind-check: the item-type regression suites with every backend of
# the throwaway server running under valgrind memcheck.  Reports the errors
# whose stack passes through dynpg.so (PostgreSQL's own, e.g. uninitialised
# WAL padding written by design, are not dynpg's) and fails if there are any.
#
# Run as root from the source tree (after 'make install'); the suites run as the
# 'postgres' OS user in a scratch copy, as in 'make test'.  Takes a few minutes.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bindir=$(/usr/lib/postgresql/15/bin/pg_config --bindir)
pgxs=$(dirname "$(dirname "$(dirname "$(/usr/lib/postgresql/15/bin/pg_config --pgxs)")")")
tests=${VALGRIND_TESTS:-"item_io number_normalization item_validation item_functions item_compare keys errors property"}

command -v valgrind >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq valgrind >/dev/null; }
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }

scratch=$(mktemp -d /tmp/dynpg-valgrind.XXXXXX)
mkdir -p "$scratch/bin" "$scratch/logs" "$scratch/tree/expected"
# every server binary as itself, but postgres through valgrind
for f in "$bindir"/*; do ln -s "$f" "$scratch/bin/$(basename "$f")"; done
rm "$scratch/bin/postgres"
cat > "$scratch/bin/postgres" <<WRAP
#!/bin/sh
exec valgrind --quiet --trace-children=yes --track-origins=yes --read-var-info=no \
  --leak-check=no --num-callers=30 --log-file=$scratch/logs/vg.%p.log \
  $bindir/postgres "\$@"
WRAP
chmod +x "$scratch/bin/postgres"
cp -r "$top/sql" "$top/expected" "$top/tests" "$scratch/tree/"
runner=postgres
[ "$(id -u)" = 0 ] || runner=$(id -un)
[ "$(id -u)" = 0 ] && chown -R "$runner": "$scratch"

cd "$scratch/tree"
rc=0
runuser -u "$runner" -- "$pgxs/src/test/regress/pg_regress" \
	--temp-instance=./tmp_check --temp-config=./tests/dynpg.conf \
	--load-extension=dynpg --inputdir=. --bindir="$scratch/bin" \
	$tests || rc=$?

# an error block is the lines of one report between blank lines
dynpg_errors=$(cat "$scratch"/logs/vg.*.log 2>/dev/null | sed -E 's/^==[0-9]+== ?//' |
	awk 'BEGIN{RS=""} /dynpg\.so/ {n++; print; print "----"} END{print n+0 > "/dev/stderr"}' 2>"$scratch/count" | head -200)
count=$(cat "$scratch/count")
all=$(grep -c '^==[0-9]*== [A-Z]' "$scratch"/logs/vg.*.log 2>/dev/null | awk -F: '{s+=$2} END{print s+0}')
echo "valgrind: $count error report(s) with dynpg.so on the stack ($all report lines in all, $(ls "$scratch"/logs | wc -l) processes)"
if [ "$count" != 0 ]; then
	echo "$dynpg_errors"
	rc=1
fi
if [ "$rc" = 0 ]; then
	echo "1 passed, 0 failed"
	rm -rf "$scratch"
else
	echo "logs kept in $scratch/logs"
	echo "0 passed, 1 failed"
fi
exit "$rc"
