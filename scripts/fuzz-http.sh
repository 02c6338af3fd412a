#!/usr/bin/env bash
# The HTTP endpoint's parsing paths under libFuzzer: scripts/fuzz.sh's
# targets sigv4 (SigV4 header parsing and verification, src/http/sigv4.c),
# json (the request JSON parser and writer, src/base/dynpg_json.c), http
# (HTTP framing as handed to libmicrohttpd) and http_request (the
# processing of a framed request up to the operation, src/http/http_request.c).  Kept for 'make fuzz-http' and
# tests/t/024_fuzz_http.pl; 'make fuzz' runs every target.
#
#   scripts/fuzz-http.sh [seconds per harness, default 600] [harness...]
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
secs=${1:-600}
shift || true
harnesses=("$@")
[ "${#harnesses[@]}" -gt 0 ] || harnesses=(sigv4 json http http_request)
FUZZ_SECONDS=$secs exec bash "$top/scripts/fuzz.sh" "${harnesses[@]}"
