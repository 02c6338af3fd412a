#!/usr/bin/env bash
# make test: install what is missing, build, install, then run every suite
# (pg_regress, isolation, TAP, pgTAP) against private throwaway clusters.
#
# As root: installs missing Debian packages, then runs the suites as the
# unprivileged 'postgres' user (initdb refuses root; DYNPG_TEST_USER overrides)
# in a scratch copy of the tree under /tmp.  As another user: works when the
# packages are installed and PostgreSQL's install directories are writable (or
# dynpg is already installed and up to date), and says what to do otherwise.
#
# Ends with the line "N passed, N failed"; exits non-zero when anything failed.
# DYNPG_KEEP_TMP=1 keeps the scratch copy (kept anyway when something failed).
# DYNPG_VERBOSE=1 shows apt's log as it installs packages (otherwise only when apt fails).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
# shellcheck source=scripts/lib.sh
. "$top/scripts/lib.sh"

# run-suites.sh reports the time since then just before its summary line,
# which stays the last line of output.
DYNPG_TEST_STARTED=$(date +%s)
export DYNPG_TEST_STARTED
dynpg_ensure_packages

dynpg_say "== building dynpg"
# the layering of src/ first (src/README, "Floors"): a folder cycle fails the run
if ! layers=$(bash scripts/layer-check.sh); then
	echo "$layers" >&2
	dynpg_say "== src/ has a folder cycle: no suite ran; every test counts as failed"
	printf '%s passed, %s failed\n' 0 "$(dynpg_test_list | wc -l)"
	exit 1
fi
if ! dynpg_build; then
	total=$(dynpg_test_list | wc -l)
	dynpg_say "== build failed: no suite ran; every test counts as failed"
	printf '%s passed, %s failed\n' 0 "$total"
	exit 1
fi
dynpg_install

# The AWS SDK for JavaScript for the HTTP endpoint's tests (npm, pinned by
# tests/http/js/package-lock.json).  Without it (no network) its test fails
# and says why; everything else runs.
if DYNPG_NODE_PATH=$(scripts/npm-deps.sh tests/http/js); then
	export DYNPG_NODE_PATH
else
	dynpg_say "   (the JavaScript SDK could not be installed: tests/t/023_http_js_sdk.pl will fail)"
	export DYNPG_NODE_PATH=
fi
# dynamodb-admin, the GUI tests/t/026_http_dynamodb_admin.pl drives (npm, pinned by
# tests/http/admin/package-lock.json).
if DYNPG_ADMIN_PATH=$(scripts/npm-deps.sh tests/http/admin); then
	export DYNPG_ADMIN_PATH
else
	dynpg_say "   (dynamodb-admin could not be installed: tests/t/026_http_dynamodb_admin.pl will fail)"
	export DYNPG_ADMIN_PATH=
fi

# The scratch copy: the working tree (untracked test files included) without
# git metadata or build and test leftovers.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/dynpg-test.XXXXXX")
tree="$scratch/dynpg"
mkdir "$tree"
tar -C "$top" -cf - \
	--exclude=./.git --exclude=./.dynpg --exclude='./tmp_check*' \
	--exclude=./results --exclude=./output_iso --exclude=./log \
	--exclude=./regression.diffs --exclude=./regression.out \
	--exclude='*.o' --exclude='*.so' --exclude='*.bc' . |
	tar -C "$tree" -xf -

if dynpg_is_root; then
	runner=${DYNPG_TEST_USER:-postgres}
	id -u "$runner" >/dev/null 2>&1 ||
		dynpg_die "user '$runner' does not exist (postgresql-common creates 'postgres'; DYNPG_TEST_USER picks another)"
	chown -R "$runner": "$scratch"
	as_runner() { runuser -u "$runner" -- "$@"; }
else
	runner=$(id -un)
	as_runner() { "$@"; }
fi

# Stops any server a crashed or killed suite left running in the scratch copy.
cleanup() {
	local pidfile
	while IFS= read -r pidfile; do
		as_runner "$DYNPG_PG_BINDIR/pg_ctl" -D "$(dirname "$pidfile")" stop -m immediate >/dev/null 2>&1 || true
	done < <(find "$scratch" -name postmaster.pid 2>/dev/null)
}
trap cleanup EXIT

# The suites get this make's command-line variables (PROVE_FLAGS=..., say), not
# its jobserver, which does not survive the change of user.
MAKEFLAGS=$(printf '%s' "${MAKEFLAGS:-}" | sed -E 's/ ?--jobserver-(auth|fds)=[^ ]*//g; s/(^| )-j[0-9]*//g')
export MAKEFLAGS
unset MAKELEVEL MFLAGS

dynpg_say "== running the suites as $runner in $tree (removed afterwards if all pass)"
rc=0
(cd "$tree" && as_runner bash scripts/run-suites.sh) || rc=$?

cleanup
if [ "$rc" -eq 0 ] && [ -z "${DYNPG_KEEP_TMP:-}" ]; then
	rm -rf "$scratch"
fi
exit "$rc"
