#!/usr/bin/env bash
# make torture: crash torture (tests/torture/README), TORTURE_CYCLES cycles
# (default 100) of concurrent writers and a crash at a random moment, run
# like 'make test' (build, install, then the TAP script as an unprivileged
# user in a scratch copy).  TORTURE_SEED repeats a run's random choices;
# the per-cycle table goes to TORTURE_REPORT (default /tmp/dynpg-torture-<time>.txt).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
export TORTURE_CYCLES=${TORTURE_CYCLES:-100}
export TORTURE_REPORT=${TORTURE_REPORT:-/tmp/dynpg-torture-$(date -u +%Y%m%dT%H%M%S).txt}
# a cycle takes about 5 s; the suite's time limit leaves room for slow machines
export DYNPG_SUITE_TIMEOUT=${DYNPG_SUITE_TIMEOUT:-$((TORTURE_CYCLES * 30 + 600))}
rc=0
make -s test DYNPG_SUITES=tap PROVE_TESTS=tests/torture/torture.pl || rc=$?
[ -s "$TORTURE_REPORT" ] && printf '\n== torture report (%s)\n' "$TORTURE_REPORT" && tail -n 3 "$TORTURE_REPORT"
exit "$rc"
