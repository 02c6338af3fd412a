#!/usr/bin/env bash
# Runs every dynpg suite against private throwaway clusters and counts the tests:
#   pg_regress        sql/<name>.sql, expected/<name>.out     (REGRESS in the Makefile)
#   isolation         tests/specs/<name>.spec, tests/expected/<name>.out  (ISOLATION)
#   TAP               tests/t/*.pl, one test per file
#   pgTAP             tests/pgtap/*.sql, one test per file
# Prints what broke (regression.diffs, TAP and server logs) after each failing
# suite, and ends with the line "N passed, N failed"; exits 1 when N failed > 0.
#
# Needs dynpg built and installed ('make install') and an unprivileged user:
# 'make test' does both and then runs this as 'postgres'.  By hand: 'make test-suites'.
# DYNPG_SUITES="regress isolation tap pgtap" picks suites; the Makefile's lists pick
# tests (REGRESS=item_io, PROVE_TESTS=tests/t/<file>.pl, PGTAP_TESTS=...).
# DYNPG_SUITE_TIMEOUT (seconds, default 1800) bounds each suite.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

if dynpg_is_root; then
	dynpg_die "initdb refuses to run as root: use 'make test' (it runs the suites as the postgres user)"
fi

export PATH="$DYNPG_PG_BINDIR:$PATH"
# the Makefile's own default is the system pg_config: a private copy's must win
export PG_CONFIG="$DYNPG_PG_CONFIG"
# A locale that always exists, so initdb works and output does not depend on the host.
export LANG=C.UTF-8 LC_ALL=C.UTF-8
# Nothing may reach a server the caller happens to point at.
unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGPASSWORD PGPASSFILE PGSERVICE \
	PGSERVICEFILE PGOPTIONS PGDATA PGSSLMODE PGCONNECT_TIMEOUT PGAPPNAME

timeout_s=${DYNPG_SUITE_TIMEOUT:-1800}
diff_lines=${DYNPG_DIFF_LINES:-3000}
logdir="$top/tmp_check_suites"
rm -rf "$logdir"
mkdir -p "$logdir"

mapfile -t all_tests < <(dynpg_test_list)
[ "${#all_tests[@]}" -gt 0 ] || dynpg_die "no tests to run ('make test-list' listed none)"
passed=0
failed=0
failed_names=()

# run_logged <log> <command...>: runs the command with a time limit, showing its
# output as it comes and keeping it in <log>; returns its exit status.  Ctrl-C
# stops the whole command (timeout(1) gives it a process group of its own).
child=
run_logged() {
	local log=$1 rc=0 tailpid
	shift
	: >"$log"
	timeout -k 30 "$timeout_s" "$@" >"$log" 2>&1 </dev/null &
	child=$!
	tail -n +1 -f --pid="$child" "$log" &
	tailpid=$!
	wait "$child" || rc=$?
	wait "$tailpid" || true
	child=
	[ "$rc" -eq 124 ] && echo "!! timed out after ${timeout_s}s (DYNPG_SUITE_TIMEOUT)" | tee -a "$log"
	return "$rc"
}
trap '[ -n "$child" ] && kill -TERM -- "-$child" 2>/dev/null; exit 130' INT TERM

# show <file> [max lines]: prints a file under a header, shortened if long.
show() {
	local file=$1 max=${2:-$diff_lines} n
	[ -s "$file" ] || return 0
	n=$(wc -l <"$file")
	printf '\n----- %s (%s lines) -----\n' "${file#"$top"/}" "$n"
	if [ "$n" -gt "$max" ]; then
		head -n "$max" "$file"
		printf -- '----- (first %s of %s lines; the rest is in the file) -----\n' "$max" "$n"
	else
		cat "$file"
		printf -- '----- end of %s -----\n' "${file#"$top"/}"
	fi
}
# show_tail <file> <lines>: the end of a (server) log.
show_tail() {
	[ -f "$1" ] || return 0
	printf '\n----- last %s lines of %s -----\n' "$2" "${1#"$top"/}"
	tail -n "$2" "$1"
}

re_quote() { printf '%s' "$1" | sed 's/[][\.*^$(){}+?|/]/\\&/g'; }

# tally <suite> <rc> <log> <ok-regex-prefix> <ok-regex-suffix>: counts the suite's
# tests; one passes when its line in <log> matches prefix+name+suffix, so a test
# that never ran counts as failed.  A runner that failed with every test passing
# counts as one more failure.  Returns 1 when anything failed.
tally() {
	local suite=$1 rc=$2 log=$3 pre=$4 post=$5 line name bad=0
	for line in "${all_tests[@]}"; do
		[ "${line%% *}" = "$suite" ] || continue
		name=${line#* }
		if grep -Eq "${pre}$(re_quote "$name")${post}" "$log"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			failed_names+=("$suite $name")
			bad=1
		fi
	done
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		failed=$((failed + 1))
		failed_names+=("$suite (runner exited with status $rc)")
		bad=1
	fi
	return "$bad"
}

# show_unexpected <suite> <expected dir> <results dir>: for the suite's failed
# tests that have no expected file yet, what they printed.
show_unexpected() {
	local t name
	for t in "${failed_names[@]}"; do
		[ "${t%% *}" = "$1" ] || continue
		name=${t#* }
		if [ ! -f "$2/$name.out" ] && [ -f "$3/$name.out" ]; then
			printf '
(no %s/%s.out yet)' "$2" "$name"
			show "$3/$name.out"
		fi
	done
}

has_tests() {
	local line
	for line in "${all_tests[@]}"; do [ "${line%% *}" = "$1" ] && return 0; done
	return 1
}

# pg_regress prints "test <name> ... ok" (or "     <name> ... ok" in a group).
ok_pre='^(test )? *'
ok_post=' +\.\.\. ok( |$)'

if has_tests regress; then
	printf '\n=== pg_regress (sql/, expected/)\n'
	rm -f regression.diffs regression.out
	rc=0; run_logged "$logdir/regress.log" make -s installcheck-regress || rc=$?
	if ! tally regress "$rc" "$logdir/regress.log" "$ok_pre" "$ok_post"; then
		show regression.diffs
		show_unexpected regress expected results
		show_tail log/postmaster.log 60
	fi
fi

if has_tests isolation; then
	printf '\n=== isolation (tests/specs/, tests/expected/)\n'
	rm -rf output_iso
	rc=0; run_logged "$logdir/isolation.log" make -s installcheck-isolation || rc=$?
	if ! tally isolation "$rc" "$logdir/isolation.log" "$ok_pre" "$ok_post"; then
		show output_iso/regression.diffs
		show_unexpected isolation tests/expected output_iso/results
		show_tail output_iso/log/postmaster.log 60
	fi
fi

if has_tests tap; then
	printf '\n=== TAP (tests/t/)\n'
	rc=0; run_logged "$logdir/tap.log" make -s installcheck-tap || rc=$?
	# prove prints "tests/t/<file>.pl ..... ok".
	if ! tally tap "$rc" "$logdir/tap.log" '^' ' \.+ ok( |$)'; then
		for t in "${failed_names[@]}"; do
			case "$t" in tap\ tests/t/*) ;; *) continue ;; esac
			base=$(basename "${t#tap }" .pl)
			show "tmp_check/log/regress_log_$base" 400
			for f in tmp_check/log/"${base}"_*.log; do show_tail "$f" 60; done
		done
	fi
fi

if has_tests pgtap; then
	printf '\n=== pgTAP (tests/pgtap/)\n'
	rc=0; run_logged "$logdir/pgtap.log" make -s installcheck-pgtap || rc=$?
	# pgtap-check.sh prints "pgtap <file> ... ok" and shows failing output itself.
	if ! tally pgtap "$rc" "$logdir/pgtap.log" '^pgtap ' ' \.\.\. ok$'; then
		show_tail tmp_check_pgtap/postmaster.log 60
	fi
fi

printf '\n=== summary\n'
if [ "${#failed_names[@]}" -gt 0 ]; then
	printf 'FAILED: %s\n' "${failed_names[@]}"
fi
if [ -n "${DYNPG_TEST_STARTED:-}" ]; then
	printf '(make test took %s s)\n' "$(($(date +%s) - DYNPG_TEST_STARTED))"
fi
printf '%s passed, %s failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
