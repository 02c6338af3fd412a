#!/usr/bin/env bash
# Fuzzes the HTTP endpoint's request parsing paths with libFuzzer (Debian's
# clang, with AddressSanitizer and UndefinedBehaviorSanitizer):
#   sigv4   SigV4 header parsing and verification  (src/http/sigv4.c)
#   json    the request JSON parser and writer     (src/base/dynpg_json.c, with tests/fuzz/pg_shim.c)
#   http    HTTP framing as handed to libmicrohttpd (the workers' options and callbacks' shape)
#
#   scripts/fuzz-http.sh [seconds per harness, default 600] [harness...]
#
# Seeds come from tests/fuzz/corpus/<harness>; what a run finds new is kept in
# a scratch corpus (DYNPG_FUZZ_KEEP=1 keeps it).  Prints, per harness, the
# inputs run and the crashes found, and exits 1 if any harness crashed (the
# crashing input is kept and named).  tests/t/024_fuzz_http.pl runs it for a
# few seconds each in 'make test'; the long run is this script by hand.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
secs=${1:-600}
shift || true
harnesses=("$@")
[ "${#harnesses[@]}" -gt 0 ] || harnesses=(sigv4 json http)
cc=${CLANG:-clang}
command -v "$cc" >/dev/null || { echo "error: clang not found (scripts/install-deps.sh installs it)" >&2; exit 2; }
pgconfig=${DYNPG_PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
work=$(mktemp -d "${TMPDIR:-/tmp}/dynpg-fuzz-http.XXXXXX")
san=(-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
inc=(-I"$top/src" -I"$top/tests/fuzz")
pginc=(-I"$($pgconfig --includedir-server)" -D_GNU_SOURCE)

build() {
	case "$1" in
	sigv4) "$cc" "${san[@]}" "${inc[@]}" -o "$work/fuzz_sigv4" \
		"$top/tests/fuzz/fuzz_sigv4.c" "$top/src/http/sigv4.c" -lcrypto ;;
	json) "$cc" "${san[@]}" "${inc[@]}" "${pginc[@]}" -Wno-ignored-attributes -o "$work/fuzz_json" \
		"$top/tests/fuzz/fuzz_json.c" "$top/tests/fuzz/pg_shim.c" "$top/src/base/dynpg_json.c" ;;
	http) "$cc" "${san[@]}" -o "$work/fuzz_http" "$top/tests/fuzz/fuzz_http.c" -lmicrohttpd ;;
	*) echo "error: no harness '$1' (sigv4, json, http)" >&2; exit 2 ;;
	esac
}

failed=0
for h in "${harnesses[@]}"; do
	build "$h" 2>"$work/$h.build" || { cat "$work/$h.build" >&2; echo "error: building fuzz_$h failed" >&2; exit 2; }
	mkdir -p "$work/corpus-$h"
	seeds=()
	[ -d "$top/tests/fuzz/corpus/$h" ] && seeds=("$top/tests/fuzz/corpus/$h")
	rc=0
	(cd "$work" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
		UBSAN_OPTIONS=print_stacktrace=1 \
		"./fuzz_$h" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$work/crash-$h-" -print_final_stats=1 \
		"$work/corpus-$h" "${seeds[@]}" >"$work/$h.log" 2>&1) || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$h.log" | tail -1)
	crashes=$(find "$work" -maxdepth 1 -name "crash-$h-*" | wc -l)
	echo "fuzz $h: ${runs:-0} inputs in ${secs}s, $crashes crashes (exit status $rc)"
	if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ] || [ -z "$runs" ]; then
		failed=1
		grep -E "ERROR: |SUMMARY: |runtime error|^    #[0-9]" "$work/$h.log" | head -30 >&2 || true
		find "$work" -maxdepth 1 -name "crash-$h-*" -printf 'crashing input: %p\n' >&2
	fi
done
if [ "$failed" -eq 0 ] && [ -z "${DYNPG_FUZZ_KEEP:-}" ]; then
	rm -rf "$work"
else
	echo "kept: $work"
fi
exit "$failed"
