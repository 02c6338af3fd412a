#!/usr/bin/env bash
# make sanitize-check: dynpg built with AddressSanitizer and
# UndefinedBehaviorSanitizer (gcc, -fsanitize=address,undefined) and every
# suite (pg_regress, isolation, TAP, pgTAP; the same selection variables as
# 'make test': DYNPG_SUITES, REGRESS, ISOLATION, PROVE_TESTS, PGTAP_TESTS) run
# against it; then the sanitizers' reports are counted and shown.
#
# PostgreSQL itself is Debian's, unchanged, but a private relocated copy of it
# in the scratch directory (lib.sh, dynpg_private_pg): the instrumented dynpg
# is installed there only, so the system-wide installation -- and any other
# test run using it meanwhile -- is left alone, and the long run needs no
# build lock.  DYNPG_BUILD_LOCK=<file>: the build alone holds that flock(1)
# lock.  Run it niced on a shared machine (nice -n 10 make sanitize-check).
#
# The ASan runtime (gcc's libasan.so, linked into the instrumented dynpg.so)
# is loaded with dynpg.so by the postmaster (shared_preload_libraries), and
# every backend and worker it forks inherits it.  It is not preloaded
# (LD_PRELOAD): Debian's postgres binary hangs at its start with either gcc's
# or clang's ASan runtime preloaded (a futex wait on glibc's gettext lock in
# bindtextdomain, before main's first line of PostgreSQL's own code), so
# its options (tests/sanitize/asan_options.c, linked into the instrumented
# dynpg.so) have verify_asan_link_order=0, and tests/sanitize/asan_longjmp.c
# is preloaded instead: it clears the stack's poison before PostgreSQL's error
# longjmps, as ASan's own interceptor would (without it, every ERROR raised
# through dynpg's frames left poison behind that later read as overflows: six
# false reports in a first run).  What that costs: malloc and free
# stay glibc's (PostgreSQL bound them first), so heap redzones cover nothing --
# dynpg allocates with palloc anyway, which ASan would not subdivide either.
# What it checks: every access of dynpg's code against the stack and global
# redzones (overflows, use after return or scope), and UBSan's checks (signed
# overflow, shifts, bounds of arrays of known size, misaligned and null
# pointers, invalid enum and bool values...).  A canary library with a stack
# overflow and a signed overflow, loaded into a server started this way, was
# reported by both.  Reports go to the servers' logs (stderr), where they are
# counted afterwards: UBSan's "<file>:<line>:<col>: runtime error: ..." lines
# (it goes on after each) and ASan's "ERROR: AddressSanitizer" (it stops the
# process at its first, which the suite then sees as a crashed backend).
# Leak detection is off: PostgreSQL frees by memory context, not by free().
# An overrun inside a palloc chunk is valgrind's to find ('make valgrind-check').
#
# Run from the source tree, as root (the suites then run as the 'postgres' OS
# user, as in 'make test') or as an unprivileged user.  Ends with
# "N passed, N failed" (the suites, plus one test for the reports: it fails
# on any report).  The scratch directory with the
# reports is kept when something failed (DYNPG_KEEP_TMP=1 keeps it anyway).
# SANITIZE_FLAGS overrides the flags.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

flags=${SANITIZE_FLAGS:-"-fsanitize=address,undefined -fno-omit-frame-pointer"}
started=$(date +%s)
dynpg_private_run_setup sanitize

dynpg_say "== building dynpg with $flags into $scratch/pg"
# (tests/sanitize/asan_options.c: the options, built into dynpg.so)
gcc -O2 -fPIC -c -o "$scratch/asan_options.o" tests/sanitize/asan_options.c ||
	dynpg_die "tests/sanitize/asan_options.c did not build"
build_install() {
	dynpg_make -s -j"$(nproc 2>/dev/null || echo 2)" COPT="$flags" LDFLAGS_SL="$scratch/asan_options.o" &&
		dynpg_make -s install COPT="$flags" LDFLAGS_SL="$scratch/asan_options.o"
}
dynpg_private_build "the sanitizer build"
so="$("$DYNPG_PG_CONFIG" --pkglibdir)/dynpg.so"
case "$(ldd "$so")" in *libasan*) ;; *) dynpg_die "the installed dynpg.so is not linked with libasan" ;; esac
case "$(nm -D "$so")" in
*" T __asan_default_options"*) ;;
*) dynpg_die "the installed dynpg.so does not carry tests/sanitize/asan_options.c" ;;
esac
gcc -O2 -fPIC -shared -o "$scratch/asan_longjmp.so" tests/sanitize/asan_longjmp.c -ldl ||
	dynpg_die "tests/sanitize/asan_longjmp.c did not build"

dynpg_private_run_suites "" LD_PRELOAD="$scratch/asan_longjmp.so"

# The reports, from every server log the suites left (pg_regress's
# log/postmaster.log, isolation's output_iso/log/, TAP's tmp_check/log/,
# pgTAP's tmp_check_pgtap/; not the runner's own copies in tmp_check_suites/).
find "$tree" -path "$tree/tmp_check_suites" -prune -o -type f -name '*.log' -print0 |
	xargs -0 -r grep -h -A 40 -E 'runtime error:|ERROR: AddressSanitizer' >"$logs/reports" 2>/dev/null || true
# (only dynpg is instrumented: every report is about its code)
asan_all=$(grep -c 'ERROR: AddressSanitizer' "$logs/reports" || true)
ubsan_all=$(grep -c 'runtime error:' "$logs/reports" || true)
echo
echo "sanitizers: $asan_all AddressSanitizer report(s), $ubsan_all UndefinedBehaviorSanitizer report(s)"
grep -E 'runtime error:' "$logs/reports" | sed -E 's/^.*(src\/[^ :]+:[0-9]+):[0-9]+:/\1:/' |
	sort | uniq -c | sort -rn | head -40 || true
grep -A 30 'ERROR: AddressSanitizer' "$logs/reports" | head -120 || true
if [ "$asan_all" -eq 0 ] && [ "$ubsan_all" -eq 0 ]; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	rc=1
fi
dynpg_private_run_finish "make sanitize-check"
