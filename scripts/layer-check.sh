#!/usr/bin/env bash
# The layering of src/ (src/README, "Floors"): for every folder of src/,
# the folders its files include ("#include \"folder/...\""), and whether
# those uses form a cycle.  Prints "folder -> folders it uses", one line a
# folder, then "folder cycles: 0", or the cycle and exit status 1.
#   scripts/layer-check.sh [src-dir]      (make layer-check)
set -euo pipefail
src=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../src" && pwd)}
cd "$src"
folders=$(find . -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
# src/dynpg.c, the top, counts as a folder of its own
uses() {	# FOLDER FILES...: the folders those files include
	{ grep -ho '^#include "[a-z_]*/dynpg_' "${@:2}" 2>/dev/null || true; } |
		sed 's/^#include "\([a-z_]*\)\/dynpg_$/\1/' | sort -u |
		while read -r used; do
			if [ "$used" != "$1" ] && [ -d "$used" ]; then echo "$1 $used"; fi
		done
}
edges=$(
	for f in $folders; do uses "$f" "$f"/*.[ch]; done
	uses dynpg.c dynpg.c
)
folders="dynpg.c $folders"
for f in $folders; do
	printf '%s -> %s\n' "$f" "$(echo "$edges" | awk -v f="$f" '$1 == f {printf "%s ", $2}')"
done
# tsort reports a loop in its input (and fails) when the uses have a cycle
if out=$( { echo "$edges"; for f in $folders; do echo "$f $f"; done; } | tsort 2>&1 >/dev/null ); then
	echo "folder cycles: 0"
else
	echo "folder cycles found:"
	echo "$out" | grep -v '^tsort: -: input contains a loop:$' | sed 's/^tsort: /  /'
	exit 1
fi
