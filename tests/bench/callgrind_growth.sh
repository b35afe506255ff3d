#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Instructions per item of each growth case of bench_growth at N, 2N, 4N
# and 8N, counted by callgrind (repeatable, unlike time on a shared
# machine). Linear code shows a flat instr/item column and a ratio near 1;
# quadratic code a ratio near 8. Cases of modules not built are skipped.
#   tests/bench/callgrind_growth.sh BUILD_DIR [N] [CASE...]
set -euo pipefail
bin=${1:?usage: callgrind_growth.sh BUILD_DIR [N] [CASE...]}/tests/bench/bench_growth
n=${2:-20000}
shift $(( $# >= 2 ? 2 : 1 ))
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(addresses nesting semicolons fields smtp_noop smtp_rset
  smtp_bad smtp_authcancel pop3_noop pop3_rset pop3_bad pop3_authcancel
  imap_noop imap_bad imap_authcancel imapc_literal imapc_search)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-16s %9s %14s %12s %7s\n' case items instructions "instr/item" ratio
for c in "${cases[@]}"; do
  first=""
  for m in 1 2 4 8; do
    if ! valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
         --toggle-collect=bench_pass_growth \
         "$bin" --n "$n" --only "$c" --mult "$m" --once >"$out/log" 2>"$out/err"; then
      grep -q 'no case' "$out/err" && { echo "$c: not in this build"; break; }
      cat "$out/err"; exit 1
    fi
    ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out/cg")
    [ -n "$ir" ] || ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out/cg")
    items=$(sed -n 's/.*items=\([0-9]*\).*/\1/p' "$out/log")
    per=$(awk -v ir="$ir" -v i="$items" 'BEGIN { printf "%.2f", ir / i }')
    [ -n "$first" ] || first=$per
    ratio=""
    [ "$m" = 8 ] && ratio=$(awk -v a="$per" -v b="$first" 'BEGIN { printf "%.3f", a / b }')
    printf '%-16s %9d %14d %12s %7s\n' "$([ "$m" = 1 ] && echo "$c")" "$items" "$ir" "$per" "$ratio"
  done
done
