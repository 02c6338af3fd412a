#!/usr/bin/env bash
# Installs the Debian packages dynpg needs to build, run and test (as root; only
# the missing ones, with one 'apt-get update'; installed PostgreSQL packages stay
# at their versions where apt allows it: scripts/lib.sh, dynpg_apt_args).  'make
# test' and scripts/dynpg-run.sh do this themselves; this is for a machine
# without 'make'.  -v (or DYNPG_VERBOSE=1) shows apt's log as it runs.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
case "${1:-}" in
-v | --verbose) DYNPG_VERBOSE=1 ;;
"") ;;
*) dynpg_die "usage: scripts/install-deps.sh [-v]" ;;
esac
dynpg_ensure_packages
