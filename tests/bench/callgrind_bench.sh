#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Instructions per input byte of any benchmark's passes, counted by callgrind
# (repeatable, unlike time on a shared machine).
#
#   callgrind_bench.sh BUILD_DIR BENCH PASS... [-- BENCH_ARGS...]
#
# Each pass runs alone (`BENCH --only PASS --reps 1 BENCH_ARGS...`) with
# collection limited to the function bench_pass_<PASS>; the pass's byte count
# is read from the line "<PASS>_bytes=N" (or "bytes <PASS>=N") the
# benchmark prints ("header_bytes=N" for bench_hdr, "stream_bytes=N" for
# bench_smtp_client, whose passes all read one stream). Example:
#   tests/bench/callgrind_bench.sh build bench_imap_client memchr fetch -- --mb 4
set -euo pipefail
build=${1:?usage: callgrind_bench.sh BUILD_DIR BENCH PASS... [-- ARGS]}
bench=${2:?usage: callgrind_bench.sh BUILD_DIR BENCH PASS... [-- ARGS]}
shift 2
passes=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do passes+=("$1"); shift; done
[ $# -gt 0 ] && shift
bin="$build/tests/bench/$bench"
[ -x "$bin" ] || { echo "no $bin (build with -DMW_BUILD_BENCH=ON)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind not installed" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-14s %14s %12s %10s\n' pass instructions bytes "instr/byte"
for pass in "${passes[@]}"; do
  valgrind --tool=callgrind --callgrind-out-file="$out/cg.$pass" \
    --toggle-collect="bench_pass_$pass" \
    "$bin" --only "$pass" --reps 1 "$@" >"$out/log.$pass" 2>"$out/err.$pass"
  bytes=$(sed -n "s/^${pass}_bytes=\([0-9]*\).*/\1/p" "$out/log.$pass" | head -n 1)
  [ -n "$bytes" ] || bytes=$(sed -n "s/^bytes ${pass}=\([0-9]*\).*/\1/p" "$out/log.$pass" | head -n 1)
  [ -n "$bytes" ] || bytes=$(sed -n 's/^header_bytes=\([0-9]*\).*/\1/p' "$out/log.$pass" | head -n 1)
  # one count for every pass (bench_smtp_client: every pass reads the
  # same message stream)
  [ -n "$bytes" ] || bytes=$(sed -n 's/^stream_bytes=\([0-9]*\).*/\1/p' "$out/log.$pass" | head -n 1)
  ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out/cg.$pass")
  [ -n "$ir" ] || ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out/cg.$pass")
  if [ -z "$bytes" ] || [ -z "$ir" ]; then
    echo "$pass: no byte count or no callgrind total (see $bench --only $pass)" >&2
    exit 1
  fi
  awk -v p="$pass" -v ir="$ir" -v b="$bytes" \
    'BEGIN { printf "%-14s %14.0f %12d %10.2f\n", p, ir, b, ir / b }'
done
