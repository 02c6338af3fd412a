#!/usr/bin/env bash
# Installs the Debian packages dynpg needs to build, run and test (as root; only
# the missing ones, with one 'apt-get update').  'make test' and
# scripts/dynpg-run.sh do this themselves; this is for a machine without 'make'.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
dynpg_ensure_packages
