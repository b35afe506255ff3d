#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SMTP load on minimail, next to Postfix's smtp-sink in the same run.
#
# What it measures (issue 7, "Load"), all on 127.0.0.1:
#
#  1. Throughput. Postfix's smtp-source drives a server with SESSIONS
#     concurrent SMTP sessions until MESSAGES messages of about LENGTH
#     bytes each went through (one connection per message: connect, HELO,
#     MAIL, RCPT, DATA, QUIT, as an MTA delivering a queue does), against
#       - smtp-sink (Postfix's test server: accepts and forgets; with -c it
#         only counts), the baseline;
#       - minimail --no-fsync: every message is still written into the
#         Maildir (tmp/, then renamed into new/), but not forced to disk;
#         the fair comparison with smtp-sink, which writes nothing;
#       - minimail as shipped: each message forced to disk, and its rename
#         into new/ too, before the 250 (RFC 5321 §6.1: a 250 is a
#         promise); the messages that end in the same round of its loop
#         are forced to disk together (group commit).
#     The three take turns, ROUNDS times; the table shows the median and
#     the range of the messages per second, the server's CPU time per
#     message (user+system, from /proc/PID/stat) and its peak resident
#     memory (VmHWM from /proc/PID/status) after all rounds. Every message
#     must arrive: smtp-sink's counter and the files in minimail's Maildir
#     are checked against MESSAGES per round.
#  2. Idle sessions. A fresh minimail gets IDLE connections that each read
#     the greeting and send EHLO, then stay silent (smtp_idle.py, at most
#     100 connects in flight at a time); with all of them open, the
#     table shows minimail's resident memory (VmRSS), the same before the
#     first connection, and the difference per session. Goal: under 64 MB
#     for 10,000. smtp-sink (with -m IDLE+10) gets the same for
#     comparison; if it holds fewer, the table says so.
#
# minimail is built with CMAKE_BUILD_TYPE=Release in BUILD (configured
# here when BUILD has no CMake cache yet; an existing BUILD must be a
# Release build). The open file limit is raised to the hard limit (IDLE
# sessions need IDLE+100 descriptors in minimail and in the client).
# Nothing here is a test: the figures are printed for people to read
# (timing on a shared machine is noise, so nothing is asserted about it);
# the script fails only when something does not work (a message lost, a
# program missing or dying, a session refused).
#
# Usage: tests/bench/load_smtp.sh [-b BUILD] [-s SESSIONS] [-m MESSAGES]
#                                 [-M FSYNC_MESSAGES] [-l LENGTH]
#                                 [-r ROUNDS] [-n IDLE] [-o FILE]
#   -b BUILD     build folder (default: build-load in the source root)
#   -s SESSIONS  concurrent sessions of smtp-source (default 100)
#   -m MESSAGES  messages per run (default 20000)
#   -M N         messages per run of minimail with fsync (default: MESSAGES)
#   -l LENGTH    message payload in bytes (default 1000)
#   -r ROUNDS    runs of each server (default 3; 0 skips the throughput part)
#   -n IDLE      idle sessions (default 10000; 0 skips the idle part)
#   -o FILE      also write the tables, with the date and the machine, to
#                FILE (tests/bench/LOAD.md keeps two such runs, on disk and
#                on tmpfs, with notes)
# The temporary folder (minimail's Maildirs) goes under $TMPDIR (default
# /tmp): TMPDIR=/dev/shm puts them on tmpfs, which takes the disk out of
# the figures (and makes fsync free).
# Needs: smtp-sink and smtp-source (Debian package postfix), python3,
# cmake and a C compiler. Exit status: 0, 1 when something failed, 2 for a
# usage error or a missing program.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD="$ROOT/build-load"
SESSIONS=100
MESSAGES=20000
FSYNC_MESSAGES=""
LENGTH=1000
ROUNDS=3
IDLE=10000
OUT=""
while getopts "b:s:m:M:l:r:n:o:h" opt; do
  case $opt in
    b) BUILD=$OPTARG ;;
    s) SESSIONS=$OPTARG ;;
    m) MESSAGES=$OPTARG ;;
    M) FSYNC_MESSAGES=$OPTARG ;;
    l) LENGTH=$OPTARG ;;
    r) ROUNDS=$OPTARG ;;
    n) IDLE=$OPTARG ;;
    o) OUT=$OPTARG ;;
    *) sed -n '3,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
FSYNC_MESSAGES=${FSYNC_MESSAGES:-$MESSAGES}
for v in "$SESSIONS" "$MESSAGES" "$FSYNC_MESSAGES" "$LENGTH" "$ROUNDS" "$IDLE"; do
  case $v in
    '' | *[!0-9]*) echo "load_smtp.sh: not a number: '$v'" >&2; exit 2 ;;
  esac
done
if [ "$MESSAGES" -lt 1 ] || [ "$SESSIONS" -lt 1 ]; then
  echo "load_smtp.sh: -m and -s want at least 1" >&2
  exit 2
fi

die() { echo "load_smtp.sh: $*" >&2; exit 1; }
need() {
  local p
  p=$(command -v "$1" 2>/dev/null || true)
  if [ -z "$p" ]; then
    for d in /usr/sbin /usr/lib/postfix/sbin /sbin; do
      if [ -x "$d/$1" ]; then p="$d/$1"; break; fi
    done
  fi
  if [ -z "$p" ]; then
    echo "load_smtp.sh: $1 not found ($2)" >&2
    exit 2
  fi
  echo "$p"
}
SINK=$(need smtp-sink "apt-get install postfix")
SOURCE=$(need smtp-source "apt-get install postfix")
PY=$(need python3 "apt-get install python3")
need cmake "apt-get install cmake" >/dev/null

# ---- build minimail (Release) -------------------------------------------
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
        -DMW_BUILD_TESTS=OFF >/dev/null
fi
if ! grep -q '^CMAKE_BUILD_TYPE:[A-Z]*=Release$' "$BUILD/CMakeCache.txt"; then
  echo "load_smtp.sh: $BUILD is not a Release build (CMAKE_BUILD_TYPE)" >&2
  exit 2
fi
cmake --build "$BUILD" --target minimail -j "$(nproc 2>/dev/null || echo 2)" \
      >/dev/null
MINIMAIL="$BUILD/examples/minimail/minimail"
[ -x "$MINIMAIL" ] || die "no $MINIMAIL after the build"

# ---- the open file limit --------------------------------------------------
HARD=$(ulimit -Hn)
if [ "$HARD" != unlimited ] && [ "$IDLE" -gt 0 ] && [ "$HARD" -lt $((IDLE + 100)) ]; then
  die "the hard open file limit is $HARD; $IDLE idle sessions need $((IDLE + 100)) (raise it, or -n less)"
fi
ulimit -n "$HARD"

# ---- bookkeeping: a temporary folder, the programs we started --------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mwload.XXXXXX")
chmod 755 "$TMP" # smtp-sink runs as nobody when we are root
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] || continue
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] || continue
    wait "$p" 2>/dev/null || true
  done
  if [ -n "${MW_KEEP_TMP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Stop a program we started (SIGTERM, bounded wait, SIGKILL), forget it.
stop_pid() {
  local p=$1 i
  kill -TERM "$p" 2>/dev/null || true
  for i in $(seq 1 100); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  forget "$p"
}

forget() { # pid: no longer ours to stop
  local q keep=()
  for q in "${PIDS[@]:-}"; do
    [ -n "$q" ] && [ "$q" != "$1" ] && keep+=("$q")
  done
  PIDS=("${keep[@]:-}")
}

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() { # port pid
  local i
  for i in $(seq 1 300); do
    kill -0 "$2" 2>/dev/null || die "the server (pid $2) exited at start"
    if "$PY" -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1).close()' "$1" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  die "nothing listens on port $1 after 30 s"
}

status_kb() { # pid field -> kB
  awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

cpu_ticks() { # pid -> utime+stime in clock ticks
  # the command name (field 2) is in parentheses and may hold spaces
  sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
HZ=$(getconf CLK_TCK)

now() { date +%s.%N; }

# smtp-source against a port: prints "seconds msgs/s"
drive() { # port messages logfile
  local t0 t1
  t0=$(now)
  if ! timeout 1800 "$SOURCE" -s "$SESSIONS" -m "$2" -l "$LENGTH" \
        -f loader@example.org -t demo@example.org -M load.example \
        "127.0.0.1:$1" >>"$3" 2>&1; then
    die "smtp-source failed against port $1 (see $3):
$(tail -5 "$3")"
  fi
  t1=$(now)
  awk -v a="$t0" -v b="$t1" -v m="$2" 'BEGIN { printf "%.2f %.0f\n", b - a, m / (b - a) }'
}

# ---- the servers -----------------------------------------------------------
start_minimail() { # name extra-args... ; sets MM_PID MM_PORT MM_DIR
  local name=$1 i
  shift
  MM_DIR="$TMP/$name"
  mkdir -p "$MM_DIR"
  "$MINIMAIL" --maildir "$MM_DIR/mail" --smtp-port 0 --pop3-port off \
              --imap-port off --user demo:demo --hostname load.example \
              "$@" 2>"$MM_DIR/log" &
  MM_PID=$!
  PIDS+=("$MM_PID")
  MM_PORT=""
  # shellcheck disable=SC2034 # a bounded wait: i is not read
  for i in $(seq 1 300); do
    MM_PORT=$(sed -n 's/.*minimail: smtp listening on [^ ]* port \([0-9]*\)$/\1/p' "$MM_DIR/log")
    [ -n "$MM_PORT" ] && grep -q " ready: " "$MM_DIR/log" && break
    kill -0 "$MM_PID" 2>/dev/null || die "minimail exited at start: $(cat "$MM_DIR/log")"
    sleep 0.1
  done
  [ -n "$MM_PORT" ] || die "minimail did not say its port"
}

start_sink() { # name extra-args... ; sets SK_PID SK_PORT SK_OUT
  local name=$1
  shift
  local asuser=()
  [ "$(id -u)" -eq 0 ] && asuser=(-u nobody)
  SK_PORT=$(free_port)
  SK_OUT="$TMP/$name.out"
  # -c: count sessions and messages (read back to check nothing was
  # lost); nothing is written to disk.
  "$SINK" -c "${asuser[@]}" "$@" "127.0.0.1:$SK_PORT" 128 >"$SK_OUT" 2>&1 &
  SK_PID=$!
  PIDS+=("$SK_PID")
  wait_port "$SK_PORT" "$SK_PID"
}

sink_messages() { # -> the last mesg= counter
  tr '\r' '\n' <"$SK_OUT" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -1
}

# Before each run, the previous run's messages are moved out of new/ (a
# rename): deleting them would cost the next run dearly on ext4 without a
# journal, whose inode allocator skips recently deleted inodes one by one
# (the figures would measure the benchmark's own clean-up).
set_aside() { # dir round
  mv "$1/mail/demo/new" "$1/mail/demo/old-$2"
  mkdir "$1/mail/demo/new"
}

maildir_count() { # dir
  find "$1/mail/demo/new" -type f | wc -l
}

median() { # numbers... -> the median (the lower of the middle two)
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
range() {
  printf '%s\n' "$@" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'
}

MACHINE="$(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r)"
FS="$(df -PT "$TMP" | awk 'NR == 2 { print $2 }') ($(df -P "$TMP" | awk 'NR == 2 { print $1 }'))"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "load_smtp.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), $MACHINE"
echo "Maildirs on $FS; load average before: $LOAD0"
echo "minimail: $MINIMAIL; smtp-source -s $SESSIONS -m $MESSAGES -l $LENGTH, $ROUNDS rounds"

# ---- 1. throughput ----------------------------------------------------------
T1=""
if [ "$ROUNDS" -gt 0 ]; then
start_sink sink
start_minimail nofsync --no-fsync
NF_PID=$MM_PID NF_PORT=$MM_PORT NF_DIR=$MM_DIR
start_minimail fsync
FS_PID=$MM_PID FS_PORT=$MM_PORT FS_DIR=$MM_DIR

declare -a R_SINK R_NF R_FS
C_SINK=0 C_NF=0 C_FS=0
for r in $(seq 1 "$ROUNDS"); do
  # smtp-sink
  before=$(sink_messages); before=${before:-0}
  c0=$(cpu_ticks "$SK_PID")
  res=$(drive "$SK_PORT" "$MESSAGES" "$TMP/source.log")
  read -r secs rate <<<"$res"
  c1=$(cpu_ticks "$SK_PID")
  sleep 0.2
  after=$(sink_messages)
  [ $((after - before)) -eq "$MESSAGES" ] ||
    die "round $r: smtp-sink counted $((after - before)) messages, not $MESSAGES"
  R_SINK+=("$rate"); C_SINK=$((C_SINK + c1 - c0))
  echo "  round $r: smtp-sink             $secs s, $rate msg/s"

  # minimail --no-fsync
  set_aside "$NF_DIR" "$r"
  c0=$(cpu_ticks "$NF_PID")
  res=$(drive "$NF_PORT" "$MESSAGES" "$TMP/source.log")
  read -r secs rate <<<"$res"
  c1=$(cpu_ticks "$NF_PID")
  n=$(maildir_count "$NF_DIR")
  [ "$n" -eq "$MESSAGES" ] || die "round $r: minimail --no-fsync stored $n messages, not $MESSAGES"
  R_NF+=("$rate"); C_NF=$((C_NF + c1 - c0))
  echo "  round $r: minimail --no-fsync   $secs s, $rate msg/s"

  # minimail with fsync
  set_aside "$FS_DIR" "$r"
  c0=$(cpu_ticks "$FS_PID")
  res=$(drive "$FS_PORT" "$FSYNC_MESSAGES" "$TMP/source.log")
  read -r secs rate <<<"$res"
  c1=$(cpu_ticks "$FS_PID")
  n=$(maildir_count "$FS_DIR")
  [ "$n" -eq "$FSYNC_MESSAGES" ] || die "round $r: minimail stored $n messages, not $FSYNC_MESSAGES"
  R_FS+=("$rate"); C_FS=$((C_FS + c1 - c0))
  echo "  round $r: minimail (fsync)      $secs s, $rate msg/s"
done
HWM_SINK=$(status_kb "$SK_PID" VmHWM)
HWM_NF=$(status_kb "$NF_PID" VmHWM)
HWM_FS=$(status_kb "$FS_PID" VmHWM)
stop_pid "$SK_PID"
stop_pid "$NF_PID"
stop_pid "$FS_PID"

us_per_msg() { # ticks messages-per-round -> µs of CPU per message
  awk -v t="$1" -v hz="$HZ" -v m="$2" -v r="$ROUNDS" 'BEGIN { printf "%.0f", t / hz * 1e6 / (m * r) }'
}
SINK_MED=$(median "${R_SINK[@]}")
T1=$(cat <<EOF
| server | messages/s (median) | range over $ROUNDS runs | vs smtp-sink | server CPU per message | peak RSS (VmHWM) |
|--------|--------------------:|------------------------:|-------------:|-----------------------:|-----------------:|
| smtp-sink (baseline) | $SINK_MED | $(range "${R_SINK[@]}") | 1.00 | $(us_per_msg "$C_SINK" "$MESSAGES") µs | $((HWM_SINK)) kB |
| minimail --no-fsync | $(median "${R_NF[@]}") | $(range "${R_NF[@]}") | $(awk -v a="$(median "${R_NF[@]}")" -v b="$SINK_MED" 'BEGIN { printf "%.2f", a / b }') | $(us_per_msg "$C_NF" "$MESSAGES") µs | $((HWM_NF)) kB |
| minimail (fsync) | $(median "${R_FS[@]}") | $(range "${R_FS[@]}") | $(awk -v a="$(median "${R_FS[@]}")" -v b="$SINK_MED" 'BEGIN { printf "%.2f", a / b }') | $(us_per_msg "$C_FS" "$FSYNC_MESSAGES") µs | $((HWM_FS)) kB |
EOF
)
echo
echo "$T1"
fi

# ---- 2. idle sessions ---------------------------------------------------------
T2=""
if [ "$IDLE" -gt 0 ]; then
  # Sets ROW (a table row); returns 1 when the server did not hold them
  # all (ROW then says why).
  idle_run() { # name pid port [--partial]
    local name=$1 pid=$2 port=$3 rss0 rss1 hwm held
    local opts=(--ehlo)
    [ -z "${4:-}" ] || opts+=("$4")
    local fifo="$TMP/idle-$name.in"
    rss0=$(status_kb "$pid" VmRSS)
    mkfifo "$fifo"
    # The client holds its sessions until its standard input closes:
    # keep the fifo open for writing on fd 7 meanwhile.
    "$PY" "$ROOT/tests/bench/smtp_idle.py" 127.0.0.1 "$port" "$IDLE" \
          "${opts[@]}" <"$fifo" >"$TMP/idle-$name.out" 2>&1 &
    local cpid=$!
    PIDS+=("$cpid")
    exec 7>"$fifo"
    local ok=0 i
    # shellcheck disable=SC2034 # a bounded wait: i is not read
    for i in $(seq 1 1800); do
      if grep -q '^ready ' "$TMP/idle-$name.out"; then ok=1; break; fi
      kill -0 "$cpid" 2>/dev/null || break
      sleep 0.1
    done
    if [ "$ok" -ne 1 ]; then
      exec 7>&-
      kill -TERM "$cpid" 2>/dev/null || true
      wait "$cpid" 2>/dev/null || true
      forget "$cpid"
      rm -f "$fifo"
      ROW="| $name | $IDLE | $(awk -v a="$rss0" 'BEGIN { printf "%.1f MB", a / 1024 }') | failed: $(tail -1 "$TMP/idle-$name.out" | sed 's/^smtp_idle.py: //; s/|/:/g') | | |"
      return 1
    fi
    sleep 1 # let the server finish any work behind the last EHLO
    rss1=$(status_kb "$pid" VmRSS)
    hwm=$(status_kb "$pid" VmHWM)
    held=$(sed -n 's/^ready //p' "$TMP/idle-$name.out")
    exec 7>&-
    wait "$cpid" 2>/dev/null || true
    forget "$cpid"
    rm -f "$fifo"
    ROW=$(awk -v n="$name" -v a="$rss0" -v b="$rss1" -v h="$hwm" -v k="$held" \
              -v want="$IDLE" 'BEGIN {
          printf "| %s | %s | %.1f MB | %.1f MB | %.1f MB | %.0f bytes |\n",
                 n, k == want ? k : k " of " want " (the rest got no reply)",
                 a / 1024, b / 1024, h / 1024, (b - a) * 1024 / k }')
  }
  start_minimail idle
  idle_run minimail "$MM_PID" "$MM_PORT" || die "minimail: $ROW"
  ROW_MM=$ROW
  grep -q "accept: " "$MM_DIR/log" && echo "note: $(grep -m1 'accept: ' "$MM_DIR/log")"
  stop_pid "$MM_PID"
  # smtp-sink: -m raises its cap on simultaneous sessions (default 256)
  start_sink idle-sink -m $((IDLE + 10))
  # (the baseline: its failing to hold them all is reported, not fatal)
  idle_run smtp-sink "$SK_PID" "$SK_PORT" --partial || echo "smtp-sink: $ROW" >&2
  ROW_SK=$ROW
  stop_pid "$SK_PID"
  T2=$(cat <<EOF
| server | idle sessions (after EHLO) | RSS before | RSS with them open | peak RSS | per session |
|--------|------:|------:|------:|------:|------:|
$ROW_MM
$ROW_SK
EOF
)
  echo
  echo "$T2"
fi

LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "load average after: $LOAD1"
if [ -n "$OUT" ]; then
  {
    echo "# SMTP load: minimail next to Postfix's smtp-sink"
    echo
    echo "Measured by \`tests/bench/load_smtp.sh\` on $(date -u '+%Y-%m-%d'),"
    echo "$MACHINE."
    echo "smtp-source -s $SESSIONS -m $MESSAGES -l $LENGTH (one connection per"
    echo "message; $FSYNC_MESSAGES messages for minimail with fsync), $ROUNDS rounds"
    echo "each, the servers taking turns; all on 127.0.0.1. minimail's"
    echo "Maildirs on $FS. Load average (other work on the machine)"
    echo "before: $LOAD0, after: $LOAD1."
    echo
    [ -z "$T1" ] || echo "$T1"
    if [ -n "$T2" ]; then
      echo
      echo "$T2"
    fi
  } >"$OUT"
  echo
  echo "written to $OUT"
fi
