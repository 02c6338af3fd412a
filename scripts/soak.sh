#!/usr/bin/env bash
# make soak: the soak (tests/torture/README), SOAK_SECONDS (default 1800) of
# mixed SQL and HTTP load, run like 'make test' (build, install, then the TAP
# script as an unprivileged user in a scratch copy).  SOAK_INTERVAL (60 s)
# sets the sampling interval; the table goes to SOAK_REPORT (default
# /tmp/dynpg-soak-<time>.txt).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
export SOAK_SECONDS=${SOAK_SECONDS:-1800}
export SOAK_REPORT=${SOAK_REPORT:-/tmp/dynpg-soak-$(date -u +%Y%m%dT%H%M%S).txt}
export DYNPG_SUITE_TIMEOUT=${DYNPG_SUITE_TIMEOUT:-$((SOAK_SECONDS + 900))}
rc=0
make -s test DYNPG_SUITES=tap PROVE_TESTS=tests/soak/soak.pl || rc=$?
[ -s "$SOAK_REPORT" ] && printf '\n== soak report (%s)\n' "$SOAK_REPORT" && cat "$SOAK_REPORT"
exit "$rc"
