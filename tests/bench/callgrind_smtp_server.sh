#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Instructions per input byte of each pass of bench_smtp_server, counted by
# callgrind (repeatable, unlike time on a shared machine); for rcpt also per
# RCPT line. Usage: callgrind_smtp_server.sh BUILD_DIR [MB]
set -euo pipefail
bin=${1:?usage: callgrind_smtp_server.sh BUILD_DIR [MB]}/tests/bench/bench_smtp_server
mb=${2:-4}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-12s %14s %12s %10s\n' pass instructions bytes "instr/byte"
for pass in memchr memcpy session data_memchr data rcpt_memchr rcpt; do
  valgrind --tool=callgrind --callgrind-out-file="$out/cg.$pass" \
    --toggle-collect="bench_pass_$pass" \
    "$bin" --mb "$mb" --reps 1 --only "$pass" >"$out/log.$pass" 2>"$out/err.$pass"
  bytes=$(sed -n "s/^${pass}_bytes=\([0-9]*\).*/\1/p" "$out/log.$pass")
  ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out/cg.$pass")
  [ -n "$ir" ] || ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out/cg.$pass")
  awk -v p="$pass" -v ir="$ir" -v b="$bytes" \
    'BEGIN { printf "%-12s %14d %12d %10.2f\n", p, ir, b, ir / b }'
  if [ "$pass" = rcpt ]; then
    lines=$(sed -n 's/.*rcpt_lines=\([0-9]*\).*/\1/p' "$out/log.$pass")
    awk -v ir="$ir" -v l="$lines" 'BEGIN { printf "%-12s %14s %12d %10.1f instr/line\n", "", "", l, ir / l }'
  fi
done
