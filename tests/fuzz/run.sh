#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run every libFuzzer target in DIR for SECONDS each, from its seed corpus
# (tests/fuzz/corpus/<name>) with its dictionary (tests/fuzz/<name>.dict).
# New inputs go to a scratch corpus, so the repository is not modified.
# A crash fails the run and prints the reproducer's path and bytes.
#   tests/fuzz/run.sh build-fuzz/tests/fuzz 20     # CI
#   tests/fuzz/run.sh build-fuzz/tests/fuzz 3600   # on demand, longer
set -uo pipefail
dir=${1:?usage: run.sh BUILD_FUZZ_DIR SECONDS}
secs=${2:-20}
src=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
status=0
summary=""
for bin in "$dir"/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  seeds="$src/corpus/${name#fuzz_}"
  mkdir -p "$work/$name"
  args=(-max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
        -artifact_prefix="$work/$name-")
  [ -f "$src/${name#fuzz_}.dict" ] && args+=(-dict="$src/${name#fuzz_}.dict")
  corpora=("$work/$name")
  [ -d "$seeds" ] && corpora+=("$seeds")
  echo "--- $name (${secs}s)"
  if ! "$bin" "${args[@]}" "${corpora[@]}" >"$work/$name.log" 2>&1; then
    status=1
    tail -n 40 "$work/$name.log"
    for a in "$work/$name"-*; do
      [ -f "$a" ] || continue
      echo "reproducer: $a"
      od -An -c "$a" | head -n 20
    done
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$name.log" | grep -o '[0-9]*$')
  summary="$summary$name: ${runs:-?} executions\n"
done
printf '\n%b' "$summary"
[ "$status" -eq 0 ] && rm -rf "$work" || echo "artifacts kept in $work"
exit $status
