#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run the example programs under valgrind (memcheck) and fail on any error
# or leak of any kind (issue 8). Each entry of COMMANDS below is one run:
#
#   "STATUS PROGRAM ARG..."
#
#   STATUS   the exit status the program itself must return: a number, or
#            several separated by "|" ("0|1"), or "any"
#   PROGRAM  an example program, looked up as BUILD/examples/PROGRAM and
#            BUILD/examples/PROGRAM/PROGRAM; entries whose program was not
#            built (module switched off) are skipped
#   ARG      passed as is, except: @MSG@ runs the entry once per
#            examples/messages/*.eml with that file; @MSGS@ expands to all
#            of them at once; @SRC@ is the source directory; <FILE feeds
#            FILE on standard input
#
# To cover another example, add a line (programs that need a peer, such as
# minimail, have their own valgrind test: minimail_valgrind).
#
#   tests/interop/valgrind_examples.sh BUILD_DIR [SOURCE_DIR]
# Exit status: 0 all clean, 1 a valgrind error, a leak or a wrong exit
# status, 77 skipped (no valgrind, or a sanitizer build, which valgrind
# cannot run).
COMMANDS=(
  "0|1 mailhdr @MSG@"
  "0|1 mailhdr --pretty --lenient @MSG@"
  "0|1 mailhdr --mbox @MSG@"
  "1   mailhdr @MSGS@"
  "1   mailhdr <@SRC@/examples/messages/broken.eml"
  "0   mailhdr - <@SRC@/examples/messages/sample.eml"
  "2   mailhdr @SRC@/examples/messages/no-such-file.eml"
  "2   mailhdr --no-such-option"
  "0   mailhdr --help"
)

set -uo pipefail
build=${1:?usage: valgrind_examples.sh BUILD_DIR [SOURCE_DIR]}
src=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
build=$(cd "$build" && pwd)

if ! command -v valgrind >/dev/null; then
  echo "valgrind not found: skipped"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
msgs=("$src"/examples/messages/*.eml)
failed=0
runs=0
skipped=""

find_prog() {
  local p
  for p in "$build/examples/$1" "$build/examples/$1/$1"; do
    [ -x "$p" ] && [ -f "$p" ] && { echo "$p"; return 0; }
  done
  return 1
}

# One run: STATUS, program path, then the arguments (already expanded).
run_one() {
  local want=$1 prog=$2 log="$work/vg.$runs.log" out="$work/out.$runs" input=/dev/null
  shift 2
  local args=() a status errors
  for a in "$@"; do
    if [ "${a#<}" != "$a" ]; then input=${a#<}; else args+=("$a"); fi
  done
  runs=$((runs + 1))
  valgrind --error-exitcode=1 --leak-check=full --show-leak-kinds=all \
    --errors-for-leak-kinds=all --track-origins=yes --log-file="$log" \
    "$prog" "${args[@]}" <"$input" >"$out" 2>&1
  status=$?
  errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -n 1)
  local what="$(basename "$prog") ${args[*]}${input:+ <$input}"
  what=${what//$src\//}
  what=${what% </dev/null}
  if [ -z "$errors" ]; then
    echo "FAIL (valgrind did not finish): $what"
    tail -n 20 "$log"
    failed=1
  elif [ "$errors" != 0 ]; then
    echo "FAIL ($errors valgrind errors): $what"
    grep -v '^==[0-9]*== *$' "$log" | head -n 60
    failed=1
  elif [ "$want" != any ] && ! [[ "|$want|" == *"|$status|"* ]]; then
    echo "FAIL (exit status $status, want $want): $what"
    head -n 20 "$out"
    failed=1
  else
    echo "ok   $what"
  fi
}

for entry in "${COMMANDS[@]}"; do
  read -r -a f <<<"$entry"
  want=${f[0]}
  name=${f[1]}
  if ! prog=$(find_prog "$name"); then
    skipped="$skipped $name"
    continue
  fi
  if file -L "$prog" 2>/dev/null | grep -q 'ELF' &&
     nm -D "$prog" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle'; then
    echo "$name is built with sanitizers (valgrind cannot run it): skipped"
    exit 77
  fi
  rest=("${f[@]:2}")
  rest=("${rest[@]//@SRC@/$src}")
  per_msg=0
  for a in "${rest[@]}"; do [ "$a" = "@MSG@" ] && per_msg=1; done
  if [ "$per_msg" = 1 ]; then
    for m in "${msgs[@]}"; do
      run_one "$want" "$prog" "${rest[@]//@MSG@/$m}"
    done
  else
    expanded=()
    for a in "${rest[@]}"; do
      if [ "$a" = "@MSGS@" ]; then expanded+=("${msgs[@]}"); else expanded+=("$a"); fi
    done
    run_one "$want" "$prog" "${expanded[@]}"
  fi
done

[ -n "$skipped" ] && echo "not built, skipped:$skipped"
echo "$runs runs under valgrind, $([ "$failed" = 0 ] && echo "all clean" || echo "FAILED")"
exit "$failed"
