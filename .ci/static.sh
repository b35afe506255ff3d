#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Static analysis gate for lib/ (issue 8). Installs what a fresh Debian
# machine lacks, then runs, failing on any finding:
#   1. cppcheck (warning, portability, performance) over lib/, every
#      preprocessor configuration, with the generated features.h;
#   2. clang's static analyzer through scan-build over a cmake build of the
#      library alone (one translation unit at a time);
#   3. the same analyzer across translation units (analyze-build --ctu),
#      which follows calls into other files (e.g. an mw_error a callee
#      must fill on every failure), when clang-extdef-mapping is installed.
# Every module that exists is analysed (lib/imap too, when present). False
# positives are suppressed only inline, next to the code, with a comment
# saying why ("cppcheck-suppress <id>" for cppcheck); there is no global
# suppression list.
#   .ci/static.sh                # from anywhere; build dir build-static
#   MW_STATIC_BUILD=dir .ci/static.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=$(nproc 2>/dev/null || echo 2)
BUILD=${MW_STATIC_BUILD:-$ROOT/build-static}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

step() { printf '\n==== %s ====\n' "$*"; }

step "static analysis: dependencies"
PKGS="cmake make clang clang-tools cppcheck"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq $missing >/dev/null
fi
# clang's own tools (clang-extdef-mapping) live next to the real binary.
CLANG_BIN=$(dirname "$(readlink -f "$(command -v clang)")")
export PATH="$PATH:$CLANG_BIN"
SCAN_BUILD=$(command -v scan-build || ls /usr/bin/scan-build-* 2>/dev/null | head -n 1 || true)
ANALYZE_BUILD=$(command -v analyze-build || ls /usr/bin/analyze-build-* 2>/dev/null | head -n 1 || true)
[ -n "$SCAN_BUILD" ] || { echo "scan-build not found"; exit 1; }

# Only the library: what lib/ holds is what is analysed. Configured through
# scan-build so that its compiler wrapper builds every object.
rm -rf "$BUILD"
"$SCAN_BUILD" --use-cc=clang cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug \
  -DMW_BUILD_TESTS=OFF -DMW_BUILD_EXAMPLES=OFF -DMW_BUILD_SHARED=OFF \
  -DMW_INSTALL=OFF -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null

status=0
findings=""
note() { findings="$findings$1\n"; }

step "cppcheck $(cppcheck --version | sed 's/^Cppcheck //')"
# -I lib: sources include "core/internal.h"; the build's include dir has
# the generated mailwire/features.h (every module on).
if cppcheck --enable=warning,portability,performance --error-exitcode=1 \
     --inline-suppr --std=c99 --quiet -j "$JOBS" \
     -I include -I "$BUILD/include" -I lib lib/ 2>"$WORK/cppcheck.log"; then
  echo "cppcheck: no findings"
else
  status=1
  cat "$WORK/cppcheck.log"
  while IFS= read -r l; do note "cppcheck: $l"; done \
    < <(grep -E '^[^ ]+:[0-9]+:[0-9]+: (error|warning|portability|performance)' "$WORK/cppcheck.log" || true)
fi

step "clang static analyzer (scan-build, per file)"
if "$SCAN_BUILD" --use-cc=clang --status-bugs -o "$WORK/scan" \
     cmake --build "$BUILD" -j"$JOBS" >"$WORK/scan.log" 2>&1; then
  echo "scan-build: no findings"
else
  status=1
  grep -E 'warning:|error:|bugs? found' "$WORK/scan.log" || tail -n 40 "$WORK/scan.log"
  while IFS= read -r l; do note "scan-build: $l"; done \
    < <(grep -E '^/[^ ]+:[0-9]+:[0-9]+: warning: .*\[[a-zA-Z.]+\]$' "$WORK/scan.log" | sort -u || true)
  grep -q 'bugs\? found' "$WORK/scan.log" && ! grep -q 'No bugs found' "$WORK/scan.log" ||
    note "scan-build: the library did not build (errors above)"
fi

step "clang static analyzer (across files, CTU)"
if [ -n "$ANALYZE_BUILD" ] && command -v clang-extdef-mapping >/dev/null; then
  if "$ANALYZE_BUILD" --cdb "$BUILD/compile_commands.json" --ctu \
       --status-bugs -v -o "$WORK/ctu" >"$WORK/ctu.log" 2>&1; then
    echo "analyze-build --ctu: no findings"
  else
    status=1
    grep -E 'warning:|error:' "$WORK/ctu.log" | sed 's/^analyze-build[^:]*: [A-Z]*: //' | sort -u || tail -n 40 "$WORK/ctu.log"
    while IFS= read -r l; do note "ctu: $l"; done \
      < <(sed -n 's/^analyze-build[^:]*: INFO: \(\/[^ ]*:[0-9]*:[0-9]*: warning: .*\)$/\1/p' "$WORK/ctu.log" | sort -u || true)
  fi
else
  echo "skipped: analyze-build or clang-extdef-mapping not found"
fi

step "static analysis: summary"
if [ "$status" -ne 0 ]; then
  printf '%b' "$findings" | sed "s|$ROOT/||"
  if printf '%b' "$findings" | grep -q 'lib/imap/'; then
    echo "(findings under lib/imap/ belong to the IMAP module)"
  fi
  echo "static analysis: FAILED (fix the code, or suppress a false positive inline with a reason)"
  exit 1
fi
echo "static analysis: clean"
