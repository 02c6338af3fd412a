#!/usr/bin/env bash
# make valgrind-check: every suite (pg_regress, isolation, TAP, pgTAP; the
# same selection variables as 'make test': DYNPG_SUITES, REGRESS, ISOLATION,
# PROVE_TESTS, PGTAP_TESTS) with every server process under valgrind memcheck.
# Reports the errors whose stack passes through dynpg.so (PostgreSQL's own,
# e.g. uninitialised WAL padding written by design, are not dynpg's) and fails
# if there are any.  VALGRIND_TESTS="a b" is short for DYNPG_SUITES=regress
# REGRESS="a b".
#
# PostgreSQL is Debian's, unchanged, in a private relocated copy in the
# scratch directory (lib.sh, dynpg_private_pg) whose bin/postgres is a wrapper
# running the real binary under valgrind: the postmaster and everything it
# forks (backends, dynpg's workers, PostgreSQL's own processes).  initdb's
# bootstrap and single-user runs, and version and configuration queries, run
# without valgrind (they never load dynpg).  dynpg is built in a scratch copy of
# the tree and installed into the private copy only, so the system-wide
# installation is left alone and the long run needs no build lock
# (DYNPG_BUILD_LOCK=<file>: the build alone holds that flock(1) lock).  Every
# wait of the harnesses is stretched (PGCTLTIMEOUT, PG_TEST_TIMEOUT_DEFAULT,
# DYNPG_SUITE_TIMEOUT).  Slow: run it niced (nice -n 10 make valgrind-check).
#
# Run from the source tree, as root (the suites run as the 'postgres' OS user,
# as in 'make test') or as an unprivileged user.  Ends with "N passed, N
# failed": the suites, plus one test for the reports.  The scratch directory
# is kept when something failed (DYNPG_KEEP_TMP=1 keeps it anyway).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

if [ -n "${VALGRIND_TESTS:-}" ]; then
	# (the suites' makes take REGRESS from MAKEFLAGS, as from 'make REGRESS=...')
	export DYNPG_SUITES=regress
	MAKEFLAGS="${MAKEFLAGS:-} REGRESS=$(printf '%s' "$VALGRIND_TESTS" | sed 's/ /\\ /g')"
	export MAKEFLAGS
fi
command -v valgrind >/dev/null || { dynpg_is_root && apt-get install -y -qq valgrind >/dev/null; }
command -v valgrind >/dev/null || dynpg_die "valgrind is not installed (apt-get install valgrind)"
started=$(date +%s)
dynpg_private_run_setup valgrind

dynpg_say "== building dynpg into $scratch/pg"
build_install() { dynpg_make -s -j"$(nproc 2>/dev/null || echo 2)" DYNPG_VALGRIND=1 && dynpg_make -s install DYNPG_VALGRIND=1; }
dynpg_private_build "the build"

# bin/postgres: the real binary (postgres.real, beside it, so that it finds the
# copy's lib and share directories) under valgrind for a server.
mv "$DYNPG_PG_BINDIR/postgres" "$DYNPG_PG_BINDIR/postgres.real"
cat >"$DYNPG_PG_BINDIR/postgres" <<WRAP
#!/bin/sh
case "\$1" in
--boot | --single | -V | --version | -C | --describe-config | --check)
	exec "$DYNPG_PG_BINDIR/postgres.real" "\$@" ;;
esac
exec valgrind --quiet --trace-children=no --track-origins=yes --read-var-info=no \\
	--leak-check=no --num-callers=30 --error-limit=no ${DYNPG_VALGRIND_OPTS:-} \\
	--log-file="$logs/vg.%p.log" "$DYNPG_PG_BINDIR/postgres.real" "\$@"
WRAP
chmod 755 "$DYNPG_PG_BINDIR/postgres"

export PGCTLTIMEOUT=${PGCTLTIMEOUT:-900} PG_TEST_TIMEOUT_DEFAULT=${PG_TEST_TIMEOUT_DEFAULT:-1800}
export DYNPG_SUITE_TIMEOUT=${DYNPG_SUITE_TIMEOUT:-14400}
dynpg_private_run_suites ", the server under valgrind"

# An error block is the lines of one report between blank lines.  A WAL
# write (pwrite64 when the WAL is flushed) of uninitialised bytes is set
# apart: WAL records carry uninitialised struct padding by design, which
# PostgreSQL's own src/tools/valgrind.supp suppresses for XLogWrite
# (padding_XLogRecData_write), and valgrind names as its origin whatever
# frame last painted that stack memory; the bytes dynpg itself gives a page
# or a WAL record are checked where it gives them (the DYNPG_VALGRIND build,
# DYN_BT_CHECK_DEFINED), so a real one is reported there, with dynpg's stack.
cat "$logs"/vg.*.log 2>/dev/null | grep -v '^--' | sed -E 's/^==[0-9]+== ?//' |
	awk -v walfile="$scratch/wal-padding" 'BEGIN{RS=""}
		/dynpg\.so/ && /^Syscall param pwrite64\(buf\)/ && /XLogFlush|XLogBackgroundFlush|AdvanceXLInsertBuffer/ {
			w++; print > walfile; print "----" > walfile; next }
		/dynpg\.so/ {n++; print; print "----"}
		END{print n+0, w+0 > "/dev/stderr"}' \
	2>"$scratch/count" >"$scratch/dynpg-errors" || true
read -r count walpad <"$scratch/count"
all=$(cat "$logs"/vg.*.log 2>/dev/null | grep -c '^==[0-9]*== [A-Z]' || true)
procs=$(find "$logs" -name 'vg.*.log' | wc -l)
echo
echo "valgrind: $count error report(s) with dynpg.so on the stack ($all report lines in all, $procs processes)"
if [ "$walpad" != 0 ]; then
	echo "  and $walpad WAL write(s) of uninitialised padding whose origin valgrind puts in dynpg.so's stack"
	echo "  (PostgreSQL's valgrind.supp padding_XLogRecData_write; not counted: $scratch/wal-padding)"
fi
if [ "$count" != 0 ]; then
	head -n 300 "$scratch/dynpg-errors"
	failed=$((failed + 1))
	rc=1
else
	passed=$((passed + 1))
fi
dynpg_private_run_finish "make valgrind-check"
