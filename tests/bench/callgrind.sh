#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Instructions per header byte of each benchmark pass, counted by callgrind
# (repeatable, unlike time on a shared machine). Usage: callgrind.sh BUILD_DIR
set -euo pipefail
bin=${1:?usage: callgrind.sh BUILD_DIR}/tests/bench/bench_hdr
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-8s %14s %12s %10s\n' pass instructions bytes "instr/byte"
for pass in memchr memcpy split full; do
  valgrind --tool=callgrind --callgrind-out-file="$out/cg.$pass" \
    --toggle-collect="bench_pass_$pass" \
    "$bin" --mb 2 --reps 1 --only "$pass" --no-growth >"$out/log.$pass" 2>"$out/err.$pass"
  bytes=$(sed -n 's/^header_bytes=//p' "$out/log.$pass")
  ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out/cg.$pass")
  [ -n "$ir" ] || ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out/cg.$pass")
  awk -v p="$pass" -v ir="$ir" -v b="$bytes" \
    'BEGIN { printf "%-8s %14d %12d %10.2f\n", p, ir, b, ir / b }'
done
