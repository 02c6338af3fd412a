#!/usr/bin/env bash
# Coverage-guided fuzzing of dynpg's parsers with libFuzzer (Debian's clang,
# -fsanitize=fuzzer,address,undefined), dynpg's own code linked outside the
# server through tests/fuzz/pg_shim.c.  tests/fuzz/README describes each
# target and the properties its harness checks.
#
#   scripts/fuzz.sh [target...]          (default: every target)
#
# Targets:
#   item_json    the item's DynamoDB JSON text parser and writer
#   item_binary  arbitrary bytes read as a stored dynpg.item
#   number       numbers: parser, canonical text, sortable encoding, addition
#   base64       the B type's strict base64
#   key          key encoding, storage keys, composite keys (order kept)
#   expr         condition, projection, update and key condition expressions
#   partiql      PartiQL statements
#   request      reading a request: members, constraints, legacy parameters
#   json         the request JSON parser and writer
#   sigv4        SigV4 header parsing and verification
#   http         HTTP framing as handed to libmicrohttpd
#   http_request the endpoint's processing of a framed request, up to the
#                operation (src/http/http_request.c)
#
# Environment:
#   FUZZ_RUNS     executions per target (default 10000000: the long run,
#                 unless only FUZZ_SECONDS is set)
#   FUZZ_SECONDS  seconds per target at most (both limits apply when both
#                 are set: the first reached ends the target)
#   DYNPG_FUZZ_CORPUS  directory of kept corpora (<dir>/<target>), so that a
#                 later run resumes where this one stopped; default: a
#                 scratch directory, removed after a clean run
#   DYNPG_FUZZ_BUILD   directory for the build (reused: objects and binaries
#                 are rebuilt when a source is newer); default: the scratch
#                 directory
#   DYNPG_FUZZ_LOG     file to append one line per target to (the figures)
#   DYNPG_FUZZ_KEEP=1  keep the scratch directory
#
# Every crash found so far (tests/fuzz/crashes/<target>) is replayed first;
# seeds come from tests/fuzz/corpus/<target>, dictionaries from
# tests/fuzz/<target>.dict.  Prints per target the executions, the
# coverage (libFuzzer's cov: edges and ft: features) and the crashes, and
# exits 1 if any target crashed (the crashing input is kept and named);
# 2 if a build failed.
set -euo pipefail
top=${DYNPG_FUZZ_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
all_targets=(item_json item_binary number base64 key expr partiql request json sigv4 http http_request)
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=("${all_targets[@]}")
cc=${CLANG:-clang}
command -v "$cc" >/dev/null || { echo "error: clang not found (scripts/install-deps.sh installs it)" >&2; exit 2; }
pgconfig=${DYNPG_PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
work=$(mktemp -d "${TMPDIR:-/tmp}/dynpg-fuzz.XXXXXX")
build=${DYNPG_FUZZ_BUILD:-$work/build}
corpora=${DYNPG_FUZZ_CORPUS:-$work/corpus}
mkdir -p "$build/obj" "$corpora"

san=(-g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
inc=(-I"$top/src" -I"$top/tests/fuzz")
pginc=(-I"$($pgconfig --includedir-server)" -D_GNU_SOURCE -Wno-ignored-attributes)
pglibs=(-L"$($pgconfig --pkglibdir)" -lpgcommon -lpgport -lcrypto)
# dynpg's code the harnesses link: base, types, expr, partiql
lib_sources=(
	src/base/dynpg_error.c src/base/dynpg_json.c src/base/dynpg_request.c
	src/types/base64.c src/types/hash.c src/types/item.c src/types/item_build.c
	src/types/item_json_read.c src/types/item_json_text.c src/types/key.c src/types/number.c
	src/expr/expr_parse.c src/expr/expr_eval.c src/expr/expr_key.c src/expr/expr_legacy.c
	src/expr/expr_reserved.c src/partiql/partiql_parse.c tests/fuzz/pg_shim.c
	src/http/http_request.c src/api/execute.c src/http/sigv4.c
)
# linked only into http_request: they call the server beyond what the shim has
http_objects=(src_http_http_request.c.o src_api_execute.c.o src_http_sigv4.c.o)

# the largest input each target is given
max_len() {
	case "$1" in
	item_json | item_binary) echo 65536 ;;
	json | request | http | http_request) echo 65536 ;;
	expr | partiql) echo 8192 ;;
	*) echo 4096 ;;
	esac
}

# Compile the library objects that are older than their source or than any
# header they may include.
build_lib() {
	local newest_header src obj stale=()
	newest_header=$(find "$top/src" "$top/tests/fuzz" -name '*.h' -newer "$build/obj/.stamp" 2>/dev/null | head -1 || true)
	[ -e "$build/obj/.stamp" ] || newest_header=yes
	for src in "${lib_sources[@]}"; do
		obj="$build/obj/$(echo "$src" | tr / _).o"
		if [ -n "$newest_header" ] || [ ! -e "$obj" ] || [ "$top/$src" -nt "$obj" ]; then
			stale+=("$src")
		fi
	done
	# two compilers at a time (the machine has two cores)
	if [ "${#stale[@]}" -gt 0 ]; then
		printf '%s\n' "${stale[@]}" | FZ_BUILD=$build FZ_TOP=$top xargs -P 2 -I{} env FZ_SRC={} sh -c \
			'"$@" -c -o "$FZ_BUILD/obj/$(echo "$FZ_SRC" | tr / _).o" "$FZ_TOP/$FZ_SRC"' sh \
			"$cc" "${san[@]}" -fsanitize=fuzzer-no-link,address,undefined -Wall -Werror \
			"${inc[@]}" "${pginc[@]}" || return 1
		touch "$build/obj/.stamp"
	fi
}

# the library's objects but those only http_request links
lib_objects() {
	local o
	for o in "$build"/obj/*.o; do
		case " ${http_objects[*]} " in *" $(basename "$o") "*) continue ;; esac
		echo "$o"
	done
}

build_target() {
	local t=$1 out="$build/fuzz_$1" dep
	# up to date: newer than its harness, the library and sigv4.c
	if [ -e "$out" ]; then
		for dep in "$top/tests/fuzz/fuzz_$t.c" "$build/obj/.stamp" "$top/src/http/sigv4.c"; do
			[ "$out" -nt "$dep" ] || break
			[ "$dep" = "$top/src/http/sigv4.c" ] && return 0
		done
	fi
	case "$t" in
	sigv4) "$cc" "${san[@]}" -fsanitize=fuzzer,address,undefined "${inc[@]}" -o "$out" \
		"$top/tests/fuzz/fuzz_sigv4.c" "$top/src/http/sigv4.c" -lcrypto ;;
	http) "$cc" "${san[@]}" -fsanitize=fuzzer,address,undefined -o "$out" \
		"$top/tests/fuzz/fuzz_http.c" -lmicrohttpd ;;
	item_json | item_binary | number | base64 | key | expr | partiql | request | json)
		"$cc" "${san[@]}" -fsanitize=fuzzer,address,undefined -Wall -Werror "${inc[@]}" "${pginc[@]}" \
			-o "$out" "$top/tests/fuzz/fuzz_$t.c" $(lib_objects) "${pglibs[@]}" ;;
	# The server functions that only the part past the harness's stop (a
	# transaction, authentication, the operations) calls stay unresolved: a
	# call would jump to address 0 and crash (position-dependent, so that
	# the loader accepts the unresolved references).
	http_request)
		"$cc" "${san[@]}" -fsanitize=fuzzer,address,undefined -Wall -Werror "${inc[@]}" "${pginc[@]}" \
			-no-pie -o "$out" "$top/tests/fuzz/fuzz_$t.c" $(lib_objects) \
			"${http_objects[@]/#/$build/obj/}" "${pglibs[@]}" -lz -Wl,--unresolved-symbols=ignore-all ;;
	*) echo "error: no target '$t' (${all_targets[*]})" >&2; return 2 ;;
	esac
}

build_lib 2>"$work/lib.build" || { cat "$work/lib.build" >&2; echo "error: building the fuzz library failed" >&2; exit 2; }

limit=()
[ -n "${FUZZ_RUNS:-}" ] || [ -z "${FUZZ_SECONDS:-}" ] && limit+=(-runs="${FUZZ_RUNS:-10000000}")
[ -n "${FUZZ_SECONDS:-}" ] && limit+=(-max_total_time="$FUZZ_SECONDS")
failed=0
for t in "${targets[@]}"; do
	build_target "$t" 2>"$work/$t.build" || { cat "$work/$t.build" >&2; echo "error: building fuzz_$t failed" >&2; exit 2; }
	mkdir -p "$corpora/$t"
	seeds=()
	[ -d "$top/tests/fuzz/corpus/$t" ] && seeds=("$top/tests/fuzz/corpus/$t")
	dict=()
	[ -f "$top/tests/fuzz/$t.dict" ] && dict=(-dict="$top/tests/fuzz/$t.dict")
	rc=0
	start=$(date +%s)
	# every crash found so far, replayed first, one run each: tests/fuzz/crashes/<target>
	if [ -d "$top/tests/fuzz/crashes/$t" ]; then
		find "$top/tests/fuzz/crashes/$t" -type f -print0 | xargs -0 -r env \
			ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
			"$build/fuzz_$t" -timeout=10 -rss_limit_mb=2048 >"$work/$t.replay" 2>&1 || {
			echo "fuzz $t: a regression input of tests/fuzz/crashes/$t crashes again"
			grep -E "ERROR: |SUMMARY: |runtime error|dynpg fuzz|^Running|^    #[0-9]" "$work/$t.replay" | head -30 >&2 || true
			failed=1
			continue
		}
	fi
	(cd "$work" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
		UBSAN_OPTIONS=print_stacktrace=1 \
		"$build/fuzz_$t" "${limit[@]}" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$work/crash-$t-" -print_final_stats=1 "${dict[@]}" \
		"$corpora/$t" "${seeds[@]}" >"$work/$t.log" 2>&1) || rc=$?
	secs=$(($(date +%s) - start))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log" | tail -1)
	covline=$(grep -E '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+' "$work/$t.log" | tail -1 || true)
	cov=$(echo "$covline" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$covline" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	ncorp=$(find "$corpora/$t" -type f | wc -l)
	crashes=$(find "$work" -maxdepth 1 -name "crash-$t-*" -o -maxdepth 1 -name "timeout-$t-*" \
		-o -maxdepth 1 -name "oom-$t-*" -o -maxdepth 1 -name "leak-$t-*" | wc -l)
	echo "fuzz $t: ${runs:-0} inputs in ${secs}s, $crashes crashes (exit status $rc); cov ${cov:-0} ft ${ft:-0} corpus $ncorp"
	[ -n "${DYNPG_FUZZ_LOG:-}" ] && echo "$(date -u +%FT%TZ) $t runs=${runs:-0} secs=$secs cov=${cov:-0} ft=${ft:-0} corpus=$ncorp crashes=$crashes rc=$rc" >>"$DYNPG_FUZZ_LOG"
	if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ] || [ -z "$runs" ]; then
		failed=1
		grep -E "ERROR: |SUMMARY: |runtime error|dynpg fuzz|^    #[0-9]" "$work/$t.log" | head -30 >&2 || true
		find "$work" -maxdepth 1 \( -name "crash-$t-*" -o -name "timeout-$t-*" -o -name "oom-$t-*" -o -name "leak-$t-*" \) \
			-printf 'crashing input: %p\n' >&2
	fi
done
if [ "$failed" -eq 0 ] && [ -z "${DYNPG_FUZZ_KEEP:-}" ]; then
	rm -rf "$work"
else
	echo "kept: $work"
fi
exit "$failed"
