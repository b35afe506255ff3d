#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run the example programs under valgrind (memcheck) and fail on any error
# or leak of any kind (issue 8). Each entry of COMMANDS below is one run:
#
#   "STATUS PROGRAM ARG..."
#
#   STATUS   the exit status the program itself must return: a number, or
#            several separated by "|" ("0|1"), or "any"
#   PROGRAM  an example program, looked up as BUILD/examples/PROGRAM,
#            BUILD/examples/PROGRAM/PROGRAM and BUILD/examples/*/PROGRAM;
#            entries whose program was not built (module switched off) are
#            skipped
#   ARG      passed as is, except: @MSG@ (also inside an argument, as in
#            <@MSG@) runs the entry once per examples/messages/*.eml with
#            that file; @MSGS@ expands to all of them at once; @SRC@ is the
#            source directory; @TMP@ a scratch folder of this run; @CLOSED@
#            a loopback port nothing listens on; <FILE feeds FILE on
#            standard input
#
# The networked examples talk to peers on 127.0.0.1 that
# tests/interop/valgrind_peers.py starts (not under valgrind) for the whole
# run; their ports are these placeholders:
#
#   @SINK@        an SMTP sink (smtp_sink.py) offering PIPELINING, CHUNKING
#                 and 8BITMIME
#   @SINK_PIPE@   the same offering PIPELINING and 8BITMIME (DATA)
#   @SINK_PLAIN@  the same offering no extension (lock-step DATA)
#   @SMTP@ @POP3@ @IMAP@
#                 minimail (users demo:demo and ann:s3cret): mailsend
#                 delivers to it, mailfetch fetches from it
#   @TLS_SMTP@    a second minimail offering STARTTLS (minimail built with
#                 OpenSSL and the openssl command there), @CAFILE@ the path
#                 of its self-signed certificate
#
# An entry with a placeholder whose peer is not there (no python3, minimail
# or one of its protocols not built, mailfetch without IMAP) is skipped and
# listed at the end. Entries run in order: the mailfetch runs fetch what the
# mailsend runs before them delivered. Every run is bounded (timeout(1)).
#
# To cover another example, add a line (minimail itself runs under
# valgrind in its own test: minimail_valgrind).
#
#   tests/interop/valgrind_examples.sh BUILD_DIR [SOURCE_DIR]
# Exit status: 0 all clean, 1 a valgrind error, a leak or a wrong exit
# status, 77 skipped (no valgrind, or a sanitizer build, which valgrind
# cannot run).
SAMPLE=@SRC@/examples/messages/sample.eml
FROM="--from sender@example.org"
# mailfetch --apop against a minimail without APOP: login refused (4); in
# a build without APOP (features.h: MW_ENABLE_SASL_CRAM_MD5 0) mailfetch
# refuses the option itself (usage, 2).
APOP_ST=4
if grep -q '^#define MW_ENABLE_SASL_CRAM_MD5 0' \
     "${1:-.}/include/mailwire/features.h" 2>/dev/null; then
  APOP_ST=2
fi
COMMANDS=(
  # ---- mailhdr: header parsing, every message, options, errors
  "0|1 mailhdr @MSG@"
  "0|1 mailhdr --pretty --lenient @MSG@"
  "0|1 mailhdr --mbox @MSG@"
  "1   mailhdr @MSGS@"
  "1   mailhdr <@SRC@/examples/messages/broken.eml"
  "0   mailhdr - <$SAMPLE"
  "2   mailhdr @SRC@/examples/messages/no-such-file.eml"
  "2   mailhdr --no-such-option"
  "0   mailhdr --help"

  # ---- mailsend (SMTP client): BDAT, pipelined DATA, lock-step DATA
  "0   mailsend --server 127.0.0.1:@SINK@ $FROM --to a@example.net <@MSG@"
  "0   mailsend --server 127.0.0.1:@SINK_PIPE@ $FROM --to a@example.net --to b@example.net <@MSG@"
  "0   mailsend -v --server 127.0.0.1:@SINK_PLAIN@ $FROM --to a@example.net <$SAMPLE"
  "0   mailsend --no-pipelining --server 127.0.0.1:@SINK@ $FROM --to a@example.net <$SAMPLE"
  "0   mailsend --no-chunking --server 127.0.0.1:@SINK@ $FROM --to a@example.net <$SAMPLE"
  # to minimail: every message for demo (fetched below), AUTH, refusals
  "0   mailsend --server 127.0.0.1:@SMTP@ $FROM --to demo@example.org <@MSG@"
  "0   mailsend -v --user demo --password demo --server 127.0.0.1:@SMTP@ $FROM --to demo@example.org <$SAMPLE"
  "1   mailsend --server 127.0.0.1:@SMTP@ $FROM --to demo@example.org --to nobody@example.org <$SAMPLE"
  "4   mailsend --server 127.0.0.1:@SMTP@ $FROM --to nobody@example.org <$SAMPLE"
  "4   mailsend --user demo --password wrong --server 127.0.0.1:@SMTP@ $FROM --to demo@example.org <$SAMPLE"
  "4   mailsend --starttls --server 127.0.0.1:@SINK@ $FROM --to a@example.net <$SAMPLE"
  # STARTTLS (OpenSSL) to the TLS minimail, and its certificate not trusted
  "0   mailsend -v --starttls --cafile @CAFILE@ --user demo --password demo --server 127.0.0.1:@TLS_SMTP@ $FROM --to demo@example.org <$SAMPLE"
  "3   mailsend --starttls --server 127.0.0.1:@TLS_SMTP@ $FROM --to demo@example.org <$SAMPLE"
  "3   mailsend --server 127.0.0.1:@CLOSED@ $FROM --to a@example.net <$SAMPLE"
  "2   mailsend --server 127.0.0.1:@CLOSED@ $FROM --to @@bad <$SAMPLE"
  "2   mailsend $FROM"
  "0   mailsend --help"

  # ---- mailfetch (POP3 and IMAP clients) from minimail: keep, then delete
  "0   mailfetch -v --keep --maildir @TMP@/imap-keep imap://demo:demo@127.0.0.1:@IMAP@/INBOX"
  "0   mailfetch -v --keep --maildir @TMP@/pop3-keep pop3://demo:demo@127.0.0.1:@POP3@"
  # minimail's POP3 has no AUTH: the refusal path of --sasl-plain
  "4   mailfetch --sasl-plain --keep --maildir @TMP@/pop3-sasl pop3://demo:demo@127.0.0.1:@POP3@"
  "0   mailfetch --maildir @TMP@/imap imap://demo:demo@127.0.0.1:@IMAP@"
  "0   mailsend --server 127.0.0.1:@SMTP@ $FROM --to demo@example.org <@MSG@"
  "0   mailfetch --maildir @TMP@/pop3 pop3://demo:demo@127.0.0.1:@POP3@"
  "0   mailfetch --maildir @TMP@/pop3-empty pop3://demo:demo@127.0.0.1:@POP3@"
  "4   mailfetch --maildir @TMP@/x pop3://ann:wrong@127.0.0.1:@POP3@"
  "$APOP_ST   mailfetch --apop --maildir @TMP@/x pop3://demo:demo@127.0.0.1:@POP3@"
  "4   mailfetch --maildir @TMP@/x imap://ann:wrong@127.0.0.1:@IMAP@"
  "4   mailfetch --maildir @TMP@/x imap://demo:demo@127.0.0.1:@IMAP@/Nope"
  "3   mailfetch --maildir @TMP@/x pop3://demo:demo@127.0.0.1:@CLOSED@"
  "3   mailfetch --maildir @TMP@/x imap://demo:demo@127.0.0.1:@CLOSED@"
  "2   mailfetch --maildir @TMP@/x ftp://demo:demo@127.0.0.1"
  "2   mailfetch"
  "0   mailfetch --help"

  # ---- the firmware example: the scripted core, and the host build
  "0   smtp_send_stub"
  "0   smtp_send 127.0.0.1 @SINK@ sensor@example.com ops@example.net <@MSG@"
  "0   smtp_send 127.0.0.1 @SINK_PLAIN@ sensor@example.com ops@example.net <$SAMPLE"
  "0   smtp_send 127.0.0.1 @SINK_PIPE@ sensor@example.com ops@example.net <$SAMPLE"
  "2   smtp_send 127.0.0.1 @CLOSED@ sensor@example.com ops@example.net <$SAMPLE"
  "2   smtp_send"
)

set -uo pipefail
build=${1:?usage: valgrind_examples.sh BUILD_DIR [SOURCE_DIR]}
src=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
build=$(cd "$build" && pwd)
RUN_TIMEOUT=300   # seconds one program may run under valgrind
PEERS_TIMEOUT=120 # seconds the peers may take to come up

if ! command -v valgrind >/dev/null; then
  echo "valgrind not found: skipped"
  exit 77
fi

work=$(mktemp -d)
peers_pid=""
cleanup() {
  if [ -n "$peers_pid" ]; then
    kill -TERM "$peers_pid" 2>/dev/null
    wait "$peers_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
msgs=("$src"/examples/messages/*.eml)
failed=0
runs=0
skipped=""
no_peer=""
bound=()
command -v timeout >/dev/null && bound=(timeout -k 10 "$RUN_TIMEOUT")

find_prog() {
  local p
  for p in "$build/examples/$1" "$build/examples/$1/$1" "$build"/examples/*/"$1"; do
    [ -x "$p" ] && [ -f "$p" ] && { echo "$p"; return 0; }
  done
  return 1
}

# The peers' ports, PEER[NAME]=PORT, from valgrind_peers.py (only when an
# entry whose program was built needs one, and python3 is there).
declare -A PEER=()
start_peers() {
  local py mm i
  py=$(command -v python3) || { echo "python3 not found: networked runs skipped"; return; }
  mm=$(find_prog minimail) || mm=""
  "$py" "$src/tests/interop/valgrind_peers.py" "$work" $mm \
    >"$work/peers.log" 2>&1 &
  peers_pid=$!
  for ((i = 0; i < PEERS_TIMEOUT * 10; i++)); do
    [ -e "$work/peers.ready" ] && break
    if ! kill -0 "$peers_pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if ! [ -e "$work/peers.ready" ]; then
    echo "FAIL: the peers did not come up:"
    tail -n 30 "$work/peers.log"
    failed=1
    return
  fi
  local k v
  while IFS== read -r k v; do PEER[$k]=$v; done <"$work/peers.env"
  # a port nothing listens on: one the kernel just handed out and took back
  PEER[CLOSED]=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  # mailfetch may have been built without its IMAP part
  local mf
  if mf=$(find_prog mailfetch) &&
     "$mf" --maildir "$work/probe" "imap://u:p@127.0.0.1:${PEER[CLOSED]}/INBOX" 2>&1 |
       grep -q 'unknown scheme'; then
    unset 'PEER[IMAP]'
  fi
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
  "${bound[@]}" valgrind --error-exitcode=1 --leak-check=full --show-leak-kinds=all \
    --errors-for-leak-kinds=all --track-origins=yes --log-file="$log" \
    "$prog" "${args[@]}" <"$input" >"$out" 2>&1
  status=$?
  errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -n 1)
  local what="$(basename "$prog") ${args[*]}${input:+ <$input}"
  what=${what//$src\//}
  what=${what//$work\//}
  what=${what% </dev/null}
  if [ -z "$errors" ]; then
    echo "FAIL (valgrind did not finish, status $status): $what"
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

# The entries that can run: program built, not sanitized.
ready=()
need_peers=0
for entry in "${COMMANDS[@]}"; do
  read -r -a f <<<"$entry"
  if ! prog=$(find_prog "${f[1]}"); then
    [[ " $skipped " == *" ${f[1]} "* ]] || skipped="$skipped ${f[1]}"
    continue
  fi
  if file -L "$prog" 2>/dev/null | grep -q 'ELF' &&
     nm -D "$prog" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle'; then
    echo "${f[1]} is built with sanitizers (valgrind cannot run it): skipped"
    exit 77
  fi
  [[ "$entry" =~ @(SINK|SMTP|POP3|IMAP|CLOSED|TLS_SMTP|CAFILE) ]] && need_peers=1
  ready+=("$entry")
done
[ "$need_peers" = 1 ] && start_peers

for entry in "${ready[@]}"; do
  read -r -a f <<<"$entry"
  want=${f[0]}
  name=${f[1]}
  prog=$(find_prog "$name")
  rest=("${f[@]:2}")
  rest=("${rest[@]//@SRC@/$src}")
  rest=("${rest[@]//@TMP@/$work}")
  for k in "${!PEER[@]}"; do rest=("${rest[@]//@$k@/${PEER[$k]}}"); done
  if [[ "${rest[*]}" =~ @(SINK[A-Z_]*|SMTP|POP3|IMAP|CLOSED|TLS_SMTP|CAFILE)@ ]]; then
    no_peer="$no_peer
  $name ${rest[*]//$src\//}"
    continue
  fi
  per_msg=0
  for a in "${rest[@]}"; do [[ "$a" == *@MSG@* ]] && per_msg=1; done
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
[ -n "$no_peer" ] && echo "no peer for these, skipped:$no_peer"
if [ -n "$peers_pid" ] && ! kill -0 "$peers_pid" 2>/dev/null; then
  echo "FAIL: the peers stopped early:"
  tail -n 30 "$work/peers.log"
  failed=1
fi
echo "$runs runs under valgrind, $([ "$failed" = 0 ] && echo "all clean" || echo "FAILED")"
exit "$failed"
