#!/usr/bin/env bash
# Installs the npm packages a test or benchmark names, from a directory holding
# package.json and package-lock.json (exact versions), into a cache outside the
# tree, and prints the node_modules directory to put on NODE_PATH.
#
#   scripts/npm-deps.sh <dir with package.json>
#
# The cache is ${DYNPG_NPM_CACHE:-/var/cache/dynpg/npm} as root, else
# ~/.cache/dynpg/npm; one subdirectory per lock file's SHA-256, so a changed
# lock installs afresh and an unchanged one costs nothing.  'npm ci' installs
# exactly the lock's versions, with no install scripts run.
set -euo pipefail
src=$(cd "${1:?usage: scripts/npm-deps.sh <dir with package.json>}" && pwd)
[ -f "$src/package-lock.json" ] || { echo "error: no package-lock.json in $src" >&2; exit 2; }
command -v npm >/dev/null 2>&1 || { echo "error: npm not found (scripts/install-deps.sh installs Debian's)" >&2; exit 2; }
if [ "$(id -u)" -eq 0 ]; then
	cache=${DYNPG_NPM_CACHE:-/var/cache/dynpg/npm}
else
	cache=${DYNPG_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dynpg/npm}
fi
sha=$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -c1-16)
dest="$cache/$(basename "$src")-$sha"
if [ ! -f "$dest/.installed" ]; then
	mkdir -p "$dest"
	cp "$src/package.json" "$src/package-lock.json" "$dest/"
	log="$dest/npm.log"
	if ! (cd "$dest" && npm ci --no-audit --no-fund --ignore-scripts --cache "$cache/.npm" >"$log" 2>&1); then
		echo "error: npm ci failed in $dest; the end of its log:" >&2
		tail -n 20 "$log" >&2
		exit 1
	fi
	touch "$dest/.installed"
	chmod -R a+rX "$cache"
fi
echo "$dest/node_modules"
