#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Cortex-M4 sizes of mailwire, module by module, and the embedded budget.
#
# For the core alone, each module or role alone (HDR, SMTP_SERVER,
# SMTP_CLIENT, SMTP_SENDER, POP3_SERVER, POP3_CLIENT, IMAP_SERVER,
# IMAP_CLIENT) and all of them together, plus a "minimal" profile of the
# SMTP client alone, the SMTP sender alone, a device client (header
# parser, SMTP sender and POP3 client) and all modules (every feature
# switch of features.h off: error texts, CRAM-MD5/APOP, OAuth, CHUNKING,
# fast paths; SMTP_CLIENT_MIN, SMTP_SENDER_MIN, DEVICE_MIN and ALL_MIN),
# this builds
# the static library with arm-none-eabi-gcc
# (tests/embedded/arm-none-eabi.cmake: -mcpu=cortex-m4 -mthumb -Os, one
# section per function, newlib-nano, -Werror) and prints Markdown tables:
#
#  - text/data/bss of the archive (arm-none-eabi-size, summed over its
#    objects), split into lib/core and the module's own objects;
#  - the sizeof of every public context on this target. Contexts are found
#    in the public headers, not listed here: every
#    "MW_API size_t mw_X_sizeof(void)" names one (mw_X), so a new module's
#    contexts (IMAP) are picked up as soon as its header declares them.
#    Their sizes come from a small C file compiled with the cross compiler,
#    "char sz_mw_X[sizeof(mw_X)];" for each (guarded by the MW_ENABLE_*
#    macro of the module it belongs to), read back with nm --size: nothing
#    has to run on the target;
#  - what each build imports from the C library: the archive's undefined
#    symbols minus those it defines itself;
#  - the size of every public enum on this target (found the same way,
#    from "typedef enum mw_x {"), for information: the bare-metal AAPCS
#    makes them as small as their values allow;
#  - the firmware example (examples/firmware: smtp_send.c with the stub
#    transport, on the SMTP sender) linked against the SMTP sender alone,
#    full and minimal, with --gc-sections and nosys.specs, next to an
#    empty main() linked the same way: the difference is what a firmware
#    actually pays; and, from the link map, the share of it that came from
#    libmailwire.a.
#
# It exits 1 when a budget is broken (the tables are printed first):
#  - a build imports anything beyond memcpy, memmove, memset, memcmp,
#    memchr, strlen and the compiler's helpers (__aeabi_*, libgcc's
#    __<op><mode>i<n>); MW_CROSS_ALLOW="sym ..." allows more;
#  - the firmware example takes more library code (from libmailwire.a)
#    than MW_CROSS_MAX_SENDER (default 8192: the 8 KB goal of an SMTP
#    client on a device, met by the sender), or MW_CROSS_MAX_SENDER_MIN
#    with the minimal library (default 8192); the example (minimal
#    library, its own code and newlib's included) adds more text to an
#    empty main() than MW_CROSS_MAX_FIRMWARE (default 10240);
#  - the full SMTP client alone is over MW_CROSS_MAX_SMTP_CLIENT bytes of
#    archive text (default 46080), MW_CROSS_MAX_SMTP_CLIENT_MIN in the
#    minimal profile (default 27648); all modules over MW_CROSS_MAX_ALL
#    (default 65536, the goal; not met) or MW_CROSS_MAX_ALL_MIN (default
#    65536); the device client build (DEVICE_MIN: the header parser, the
#    SMTP sender and the POP3 client, minimal: a device that reads and
#    sends mail) over MW_CROSS_MAX_DEVICE_MIN (default 65536);
#  - a context is over MW_CROSS_MAX_CONTEXT bytes (default 4096);
#  - the archive defines a global symbol without the mw_ prefix (on a
#    device everything is linked statically: such a name could clash);
#  - a build or the example fails to compile.
# Exit 2: a usage error, or the toolchain is missing.
#
# Usage: tests/embedded/size_table.sh [-o FILE] [-b BUILD_ROOT] [-j JOBS]
#   -o FILE        also write the tables, dated, to FILE
#                  (tests/embedded/SIZES.md is the copy kept in the tree)
#   -b BUILD_ROOT  where the builds go (default: build-cross in the root)
# Environment: MW_ARM_PREFIX (default arm-none-eabi-), MW_ARM_CPU_FLAGS
# (default "-mcpu=cortex-m4 -mthumb -mfloat-abi=soft"), and the limits above.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=""
BUILD_ROOT="$ROOT/build-cross"
JOBS=$(nproc 2>/dev/null || echo 2)
while getopts "o:b:j:h" opt; do
  case $opt in
    o) OUT=$OPTARG ;;
    b) BUILD_ROOT=$OPTARG ;;
    j) JOBS=$OPTARG ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done

PREFIX=${MW_ARM_PREFIX:-arm-none-eabi-}
CPU_FLAGS=${MW_ARM_CPU_FLAGS:--mcpu=cortex-m4 -mthumb -mfloat-abi=soft}
MAX_SMTPC=${MW_CROSS_MAX_SMTP_CLIENT:-46080}
MAX_ALL=${MW_CROSS_MAX_ALL:-65536}
MAX_SMTPC_MIN=${MW_CROSS_MAX_SMTP_CLIENT_MIN:-27648}
MAX_ALL_MIN=${MW_CROSS_MAX_ALL_MIN:-65536}
MAX_SENDER=${MW_CROSS_MAX_SENDER:-8192}
MAX_SENDER_MIN=${MW_CROSS_MAX_SENDER_MIN:-8192}
MAX_FW=${MW_CROSS_MAX_FIRMWARE:-10240}
MAX_DEVICE_MIN=${MW_CROSS_MAX_DEVICE_MIN:-65536}
MAX_CTX=${MW_CROSS_MAX_CONTEXT:-4096}
ALLOW_EXTRA=${MW_CROSS_ALLOW:-}
CC="${PREFIX}gcc"
for t in gcc size nm; do
  if ! command -v "${PREFIX}$t" >/dev/null 2>&1; then
    echo "size_table.sh: ${PREFIX}$t not found (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)" >&2
    exit 2
  fi
done
command -v cmake >/dev/null || { echo "size_table.sh: cmake not found" >&2; exit 2; }

MODULES="HDR SMTP_SERVER SMTP_CLIENT SMTP_SENDER POP3_SERVER POP3_CLIENT IMAP_SERVER IMAP_CLIENT"
BUILDS="NONE $MODULES ALL SMTP_CLIENT_MIN SMTP_SENDER_MIN DEVICE_MIN ALL_MIN"
# A mail client on a device: read mail by POP3, parse its header fields,
# send with the sender (the DEVICE_MIN build, minimal profile).
DEVICE_MODULES="HDR SMTP_SENDER POP3_CLIENT"
# The feature switches inside the modules (features.h); the minimal
# profile (builds named *_MIN) has every one of them off.
SWITCHES="ERROR_TEXT SASL_CRAM_MD5 SASL_OAUTH SMTP_CHUNKING FAST_PATHS"
WARN="-Wall -Wextra -Wpedantic -Wconversion -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror"
mkdir -p "$BUILD_ROOT"
WORK="$BUILD_ROOT/work"
mkdir -p "$WORK"

FAILURES=()
fail() { FAILURES+=("$*"); }

# ---- contexts: discovered from the public headers ------------------------
# "header.h mw_X" for each MW_API size_t mw_X_sizeof(void) declaration
# (declarations may span lines, so each header is read as one line).
discover_contexts() {
  local h
  # shellcheck disable=SC2094 # the header is only read
  for h in "$ROOT"/include/mailwire/*.h; do
    tr '\n' ' ' < "$h" | { grep -oE 'MW_API[[:space:]]+size_t[[:space:]]+mw_[a-z0-9_]+_sizeof[[:space:]]*\([[:space:]]*void[[:space:]]*\)' || true; } |
      sed -E 's/.*(mw_[a-z0-9_]+)_sizeof.*/\1/' |
      while read -r name; do echo "$(basename "$h") $name"; done || true
  done | sort -u -k2
}
# The module macros features.h knows (HDR, SMTP_SERVER, ...): its first
# block, before the feature switches.
FEATURES=$(sed -nE '/^\/\* ---- features inside the modules/q; s/^#cmakedefine01 MW_ENABLE_([A-Z0-9_]+).*/\1/p' \
             "$ROOT/include/mailwire/features.h.in")

# The preprocessor condition under which a context's module is built:
# mw_smtp_server -> MW_ENABLE_SMTP_SERVER (the longest module name that
# prefixes it), mw_hdr_parser -> MW_ENABLE_HDR, mw_imap_x ->
# (MW_ENABLE_IMAP_SERVER || MW_ENABLE_IMAP_CLIENT) when it belongs to a
# protocol but no role, 1 for the core.
guard_of() {
  local up best="" f proto alts=""
  up=$(echo "${1#mw_}" | tr '[:lower:]' '[:upper:]')
  for f in $FEATURES; do
    if [ "$up" = "$f" ] || [ "${up#"${f}"_}" != "$up" ]; then
      [ ${#f} -gt ${#best} ] && best=$f
    fi
  done
  if [ -n "$best" ]; then echo "MW_ENABLE_$best"; return; fi
  proto=${up%%_*}
  for f in $FEATURES; do
    if [ "${f#"${proto}"_}" != "$f" ]; then
      alts="${alts:+$alts || }MW_ENABLE_$f"
    fi
  done
  if [ -n "$alts" ]; then echo "($alts)"; else echo "1"; fi
}
module_of() { # for the tables: the macro without MW_ENABLE_
  local g; g=$(guard_of "$1")
  case $g in
    1) echo "core" ;;
    \(*) g=${g//MW_ENABLE_/}; g=${g//(/}; g=${g//)/}; echo "${g// || /|}" ;;
    *) echo "${g#MW_ENABLE_}" ;;
  esac
}

# "header.h mw_x" for each public "typedef enum mw_x {": their sizes are
# shown (AAPCS lets a bare-metal compiler give an enum fewer than 4 bytes,
# which changes the layout of every struct holding one).
discover_enums() {
  local h
  for h in "$ROOT"/include/mailwire/*.h; do
    { grep -oE 'typedef[[:space:]]+enum[[:space:]]+mw_[a-z0-9_]+' "$h" || true; } |
      sed -E 's/.*(mw_[a-z0-9_]+)$/\1/' |
      while read -r name; do echo "$(basename "$h") $name"; done || true
  done | sort -u -k2
}

CONTEXTS=$(discover_contexts)
ENUMS=$(discover_enums)
{
  echo "/* Generated by tests/embedded/size_table.sh: one array per public"
  echo " * context, sized by the context, so that nm --size reads sizeof"
  echo " * without running anything on the target. */"
  echo '#include "mailwire/features.h"'
  echo '#include "mailwire/config.h"'
  while read -r hdr name; do
    [ -n "$name" ] || continue
    g=$(guard_of "$name")
    echo "#if $g"
    echo "#include \"mailwire/$hdr\""
    echo "char sz_${name}[sizeof($name)];"
    echo "#endif"
  done <<< "$CONTEXTS"
  while read -r hdr name; do
    [ -n "$name" ] || continue
    g=$(guard_of "$name")
    echo "#if $g"
    echo "#include \"mailwire/$hdr\""
    echo "char en_${name}[sizeof($name)];"
    echo "#endif"
  done <<< "$ENUMS"
  echo "int mw_sizes_nonempty_unit;"
} > "$WORK/contexts.c"

# ---- one build ---------------------------------------------------------
ALLOWED_RE='^(memcpy|memmove|memset|memcmp|memchr|strlen)$|^__aeabi_|^__gnu_|^__[a-z]+[sdt]i[234]$'

declare -A T_TEXT T_DATA T_BSS T_CORE T_IMPORTS T_CTX CTX_SIZE CTX_MODULE ENUM_SIZE

sum_size() { # text data bss summed over the given files (0 0 0 if none)
  if [ $# -eq 0 ]; then echo "0 0 0"; return; fi
  "${PREFIX}size" "$@" | awk 'NR>1 {t+=$1; d+=$2; b+=$3} END {printf "%d %d %d\n", t, d, b}'
}

build_one() {
  local b=$1 dir="$BUILD_ROOT/$1" opts="" m on base=${1%_MIN}
  for m in $MODULES; do
    on=OFF
    if [ "$base" = ALL ] || [ "$base" = "$m" ]; then on=ON; fi
    if [ "$base" = DEVICE ] && [[ " $DEVICE_MODULES " == *" $m "* ]]; then on=ON; fi
    opts="$opts -DMW_WITH_$m=$on"
  done
  for m in $SWITCHES; do
    on=ON
    if [ "$base" != "$b" ]; then on=OFF; fi
    opts="$opts -DMW_WITH_$m=$on"
  done
  # shellcheck disable=SC2086
  if ! cmake -S "$ROOT" -B "$dir" \
        -DCMAKE_TOOLCHAIN_FILE="$ROOT/tests/embedded/arm-none-eabi.cmake" \
        -DMW_ARM_PREFIX="$PREFIX" -DMW_ARM_CPU_FLAGS="$CPU_FLAGS" \
        -DCMAKE_BUILD_TYPE=MinSizeRel -DMW_WERROR=ON \
        -DMW_BUILD_TESTS=OFF -DMW_BUILD_EXAMPLES=OFF -DMW_BUILD_SHARED=OFF \
        -DMW_BUILD_STATIC=ON -DMW_INSTALL=OFF $opts >"$dir.log" 2>&1 ||
     ! cmake --build "$dir" --target mailwire_static -j"$JOBS" >>"$dir.log" 2>&1; then
    tail -n 30 "$dir.log" >&2
    fail "$b: the build failed (log: $dir.log)"
    return 1
  fi
  local lib="$dir/libmailwire.a" objdir="$dir/CMakeFiles/mailwire_objects.dir"
  local all core
  read -r "T_TEXT[$b]" "T_DATA[$b]" "T_BSS[$b]" <<< "$(sum_size "$lib")"
  mapfile -t core < <(find "$objdir/lib/core" \( -name '*.o' -o -name '*.obj' \) 2>/dev/null | sort)
  read -r all _ _ <<< "$(sum_size "${core[@]}")"
  T_CORE[$b]=$all

  # Imports: undefined anywhere in the archive, defined nowhere in it.
  "${PREFIX}nm" -u "$lib" | awk 'NF==2 {print $2}' | sort -u > "$WORK/$b.undef"
  "${PREFIX}nm" -g --defined-only "$lib" | awk 'NF==3 {print $3}' | sort -u > "$WORK/$b.def"
  comm -23 "$WORK/$b.undef" "$WORK/$b.def" > "$WORK/$b.imports"
  T_IMPORTS[$b]=$(tr '\n' ' ' < "$WORK/$b.imports" | sed 's/ $//')
  local bad="" s a
  while read -r s; do
    [ -n "$s" ] || continue
    if echo "$s" | grep -qE "$ALLOWED_RE"; then continue; fi
    for a in $ALLOW_EXTRA; do [ "$s" = "$a" ] && continue 2; done
    bad="$bad $s"
  done < "$WORK/$b.imports"
  [ -z "$bad" ] || fail "$b imports more than string.h basics:$bad"
  local foreign
  foreign=$(grep -v '^mw_' "$WORK/$b.def" | tr '\n' ' ' || true)
  [ -z "$foreign" ] || fail "$b defines globals without the mw_ prefix: $foreign"

  # Contexts of this build.
  # shellcheck disable=SC2086
  if ! "$CC" $CPU_FLAGS -Os -std=c99 -fno-common $WARN \
        -I "$ROOT/include" -I "$dir/include" -c "$WORK/contexts.c" \
        -o "$WORK/$b.ctx.o" 2>"$WORK/$b.ctx.log"; then
    cat "$WORK/$b.ctx.log" >&2
    fail "$b: the context sizes did not compile"
    return 1
  fi
  local line=""
  while read -r _ size _ sym; do
    local name=${sym#sz_} n=$((16#$size))
    CTX_SIZE[$name]=$n
    CTX_MODULE[$name]=$(module_of "$name")
    line="$line${line:+, }$name $n"
    [ "$n" -le "$MAX_CTX" ] || fail "$b: $name is $n bytes (limit $MAX_CTX)"
  done < <("${PREFIX}nm" -S --defined-only "$WORK/$b.ctx.o" | awk '$4 ~ /^sz_/' | sort -k4)
  T_CTX[$b]=${line:--}
  while read -r _ size _ sym; do
    ENUM_SIZE[${sym#en_}]=$((16#$size))
  done < <("${PREFIX}nm" -S --defined-only "$WORK/$b.ctx.o" | awk '$4 ~ /^en_/')
}

for b in $BUILDS; do
  echo "size_table.sh: building $b" >&2
  build_one "$b" || true
done

# ---- the firmware example, linked for the device -----------------------
# Against the SMTP sender alone, full (FW_*) and minimal (FWM_*). FW_LIB
# and FWM_LIB: the bytes of code and constants the link took from
# libmailwire.a (read from the link map), the library's own share.
FW_TEXT="" FW_DATA="" FW_BSS="" FWM_TEXT="" FWM_DATA="" FWM_BSS=""
FW_LIB="" FWM_LIB=""
E_TEXT="" E_DATA="" E_BSS=""
LINK="--specs=nano.specs --specs=nosys.specs -Wl,--gc-sections"
echo 'int main(void) { return 0; }' > "$WORK/empty.c"
# shellcheck disable=SC2086
if "$CC" $CPU_FLAGS -Os -std=c99 "$WORK/empty.c" $LINK -o "$WORK/empty.elf" 2>"$WORK/fw.log"; then
  read -r E_TEXT E_DATA E_BSS <<< "$(sum_size "$WORK/empty.elf")"
else
  cat "$WORK/fw.log" >&2
  fail "an empty main() did not link for the Cortex-M"
fi
link_fw() { # build name, variable prefix: sets PREFIX_TEXT/_DATA/_BSS
  local b=$1 dir="$BUILD_ROOT/$1"
  if [ -z "${T_TEXT[$b]:-}" ] || [ ! -f "$dir/libmailwire.a" ]; then
    fail "no $b library to link the firmware example with"
    return 1
  fi
  # shellcheck disable=SC2086
  if ! "$CC" $CPU_FLAGS -Os -ffunction-sections -fdata-sections -std=c99 $WARN \
        -I "$ROOT/include" -I "$dir/include" \
        "$ROOT/examples/firmware/smtp_send.c" "$ROOT/examples/firmware/transport_stub.c" \
        "$dir/libmailwire.a" $LINK -Wl,-Map="$WORK/smtp_send.$b.map" \
        -o "$WORK/smtp_send.$b.elf" 2>"$WORK/fw.$b.log"; then
    cat "$WORK/fw.$b.log" >&2
    fail "the firmware example did not build for the Cortex-M ($b)"
    return 1
  fi
  read -r "${2}_TEXT" "${2}_DATA" "${2}_BSS" <<< "$(sum_size "$WORK/smtp_send.$b.elf")"
  printf -v "${2}_LIB" '%s' "$(lib_share "$WORK/smtp_send.$b.map")"
}
# Sum of the .text* and .rodata* input sections that came from
# libmailwire.a, from a GNU ld map (a section name longer than the column
# puts its address and size on the next line).
lib_share() {
  awk '
    function hex(h,   i, v) {   # mawk has no strtonum
      v = 0; h = tolower(substr(h, 3))
      for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
      return v
    }
    /^Linker script and memory map/ { on = 1; next }
    !on { next }
    /^ \.(text|rodata)[^ ]*$/ { pend = 1; next }
    /^ \.(text|rodata)[^ ]* +0x/ { if ($4 ~ /libmailwire\.a/) sum += hex($3); pend = 0; next }
    pend && /^ +0x[0-9a-f]+ +0x[0-9a-f]+ / { if ($3 ~ /libmailwire\.a/) sum += hex($2); pend = 0; next }
    { pend = 0 }
    END { print sum + 0 }' "$1"
}
link_fw SMTP_SENDER FW || true
link_fw SMTP_SENDER_MIN FWM || true

# ---- the tables --------------------------------------------------------
label() {
  case $1 in
    NONE) echo "core only" ;;
    ALL) echo "all modules" ;;
    ALL_MIN) echo "all modules, minimal" ;;
    DEVICE_MIN) echo "device client (${DEVICE_MODULES// / + }), minimal" ;;
    *_MIN) echo "${1%_MIN} alone, minimal" ;;
    *) echo "$1 alone" ;;
  esac
}
num() { echo "${1:-n/a}"; }

tables() {
  local b
  echo "Target: Cortex-M4 (\`$CPU_FLAGS\`), \`-Os -ffunction-sections -fdata-sections\`,"
  echo "newlib-nano; $("$CC" --version | head -n 1)."
  echo
  echo "### Static library (\`libmailwire.a\`, every object)"
  echo
  echo "A firmware links only the functions it calls (\`--gc-sections\`), so"
  echo "this is an upper bound. \"core\" is \`lib/core\` (framing, dot-stuffing,"
  echo "base64, SASL, MD5, status texts), which every build contains."
  echo "\"minimal\" builds have every feature switch of \`features.h\` off"
  echo "(\`-DMW_WITH_ERROR_TEXT=OFF -DMW_WITH_SASL_CRAM_MD5=OFF"
  echo "-DMW_WITH_SASL_OAUTH=OFF -DMW_WITH_SMTP_CHUNKING=OFF"
  echo "-DMW_WITH_FAST_PATHS=OFF\`)."
  echo
  echo "| build | core text | module text | text | data | bss | imports from libc |"
  echo "|---|---:|---:|---:|---:|---:|---|"
  for b in $BUILDS; do
    local mod="n/a"
    if [ -n "${T_TEXT[$b]:-}" ]; then mod=$(( T_TEXT[$b] - T_CORE[$b] )); fi
    echo "| $(label "$b") | $(num "${T_CORE[$b]:-}") | $mod | $(num "${T_TEXT[$b]:-}") | $(num "${T_DATA[$b]:-}") | $(num "${T_BSS[$b]:-}") | ${T_IMPORTS[$b]:-n/a} |"
  done
  echo
  echo "### Contexts (\`sizeof\` on this target)"
  echo
  echo "Found in the public headers (every \`mw_X_sizeof()\` names a context"
  echo "\`mw_X\`). Buffers the caller passes (line buffers) are not included."
  echo
  echo "| context | module | bytes |"
  echo "|---|---|---:|"
  for name in $(printf '%s\n' "${!CTX_SIZE[@]}" | sort); do
    echo "| \`$name\` | ${CTX_MODULE[$name]} | ${CTX_SIZE[$name]} |"
  done
  echo
  echo "Per build:"
  echo
  echo "| build | contexts (bytes) |"
  echo "|---|---|"
  for b in $BUILDS; do echo "| $(label "$b") | ${T_CTX[$b]:-n/a} |"; done
  echo
  echo "### Enums (\`sizeof\` on this target)"
  echo
  echo "The AAPCS for bare metal (\`Tag_ABI_enum_size: small\`, GCC's default"
  echo "for arm-none-eabi) gives an enum the smallest integer that holds its"
  echo "values; a program or binding built with \`-fno-short-enums\` would then"
  echo "disagree with the library about every struct holding one."
  echo
  echo "| bytes | enums |"
  echo "|---:|---|"
  local e sz names
  for sz in $(printf '%s\n' "${ENUM_SIZE[@]}" | sort -un); do
    names=""
    for e in $(printf '%s\n' "${!ENUM_SIZE[@]}" | sort); do
      [ "${ENUM_SIZE[$e]}" = "$sz" ] && names="$names${names:+, }\`$e\`"
    done
    echo "| $sz | $names |"
  done
  echo
  echo "### Firmware example (\`examples/firmware\`, SMTP sender alone, full and minimal)"
  echo
  echo "\`smtp_send.c\` + \`transport_stub.c\` linked with \`--specs=nano.specs"
  echo "--specs=nosys.specs -Wl,--gc-sections\`, next to an empty \`main()\` linked"
  echo "the same way (newlib's startup code). The example uses the SMTP sender"
  echo "(\`smtp_sender.h\`), the send-only client for devices. bss holds the"
  echo "static sender context, its 514-byte buffer, the example's I/O buffers"
  echo "and the stub's 1 KB buffer that records what was sent. What the example"
  echo "adds includes its own code (the stub server, the expected bytes) and"
  echo "newlib's memcpy, memset, memcmp and strlen; \"library code linked\" is"
  echo "the part that came from \`libmailwire.a\` (.text and .rodata, from the"
  echo "link map)."
  echo
  echo "| image | text | data | bss |"
  echo "|---|---:|---:|---:|"
  echo "| empty \`main()\` | $(num "$E_TEXT") | $(num "$E_DATA") | $(num "$E_BSS") |"
  echo "| \`smtp_send\` with the stub transport | $(num "$FW_TEXT") | $(num "$FW_DATA") | $(num "$FW_BSS") |"
  if [ -n "$FW_TEXT" ] && [ -n "$E_TEXT" ]; then
    echo "| difference: what the example adds | $((FW_TEXT - E_TEXT)) | $((FW_DATA - E_DATA)) | $((FW_BSS - E_BSS)) |"
  fi
  echo "| \`smtp_send\`, minimal library | $(num "$FWM_TEXT") | $(num "$FWM_DATA") | $(num "$FWM_BSS") |"
  if [ -n "$FWM_TEXT" ] && [ -n "$E_TEXT" ]; then
    echo "| difference: what the example adds, minimal | $((FWM_TEXT - E_TEXT)) | $((FWM_DATA - E_DATA)) | $((FWM_BSS - E_BSS)) |"
  fi
  echo "| library code linked (from \`libmailwire.a\`) | $(num "$FW_LIB") | | |"
  echo "| library code linked, minimal | $(num "$FWM_LIB") | | |"
  echo
  echo "### Budgets"
  echo
  echo "| check | limit | measured | |"
  echo "|---|---:|---:|---|"
  budget_row "SMTP sender in a firmware: library code linked" "$MAX_SENDER" "$FW_LIB"
  budget_row "SMTP sender in a firmware, minimal: library code linked" "$MAX_SENDER_MIN" "$FWM_LIB"
  budget_row "firmware example, minimal: text over an empty main()" "$MAX_FW" "$(fw_added)"
  budget_row "SMTP client (full machine) alone: library text" "$MAX_SMTPC" "${T_TEXT[SMTP_CLIENT]:-}"
  budget_row "SMTP client (full machine) alone, minimal: library text" "$MAX_SMTPC_MIN" "${T_TEXT[SMTP_CLIENT_MIN]:-}"
  budget_row "all modules: library text" "$MAX_ALL" "${T_TEXT[ALL]:-}"
  budget_row "all modules, minimal: library text" "$MAX_ALL_MIN" "${T_TEXT[ALL_MIN]:-}"
  budget_row "device client (${DEVICE_MODULES// / + }), minimal: library text" "$MAX_DEVICE_MIN" "${T_TEXT[DEVICE_MIN]:-}"
  local maxc=0
  for name in "${!CTX_SIZE[@]}"; do
    [ "${CTX_SIZE[$name]}" -gt "$maxc" ] && maxc=${CTX_SIZE[$name]}
  done
  budget_row "largest context" "$MAX_CTX" "$maxc"
  local extra=""
  for b in $BUILDS; do
    for s in ${T_IMPORTS[$b]:-}; do
      echo "$s" | grep -qE "$ALLOWED_RE" && continue
      case " $ALLOW_EXTRA $extra " in *" $s "*) continue ;; esac
      extra="$extra $s"
    done
  done
  if [ -z "$extra" ]; then
    echo "| libc imports beyond mem*/strlen/compiler helpers | none | none | ok |"
  else
    echo "| libc imports beyond mem*/strlen/compiler helpers | none |${extra} | **over** |"
  fi
  echo
  if [ ${#FAILURES[@]} -eq 0 ]; then
    echo "Result: every budget met."
  else
    local na=""
    for b in $BUILDS; do [ -n "${T_TEXT[$b]:-}" ] || na=" (\"n/a\" marks a build that did not compile)"; done
    echo "Result: **failed**$na:"
    echo
    printf -- '- %s\n' "${FAILURES[@]//$BUILD_ROOT\//}"
  fi
}
budget_row() {
  if [ -z "$3" ]; then echo "| $1 | $2 | n/a | **not measured** |"; return; fi
  if [ "$3" -le "$2" ]; then echo "| $1 | $2 | $3 | ok |"; else echo "| $1 | $2 | $3 | **over** |"; fi
}

fw_added() { if [ -n "$FWM_TEXT" ] && [ -n "$E_TEXT" ]; then echo $((FWM_TEXT - E_TEXT)); fi; }
[ -z "${T_TEXT[SMTP_CLIENT_MIN]:-}" ] || [ "${T_TEXT[SMTP_CLIENT_MIN]}" -le "$MAX_SMTPC_MIN" ] ||
  fail "SMTP client alone, minimal: ${T_TEXT[SMTP_CLIENT_MIN]} bytes of text (limit $MAX_SMTPC_MIN)"
[ -z "${T_TEXT[ALL_MIN]:-}" ] || [ "${T_TEXT[ALL_MIN]}" -le "$MAX_ALL_MIN" ] ||
  fail "all modules, minimal: ${T_TEXT[ALL_MIN]} bytes of text (limit $MAX_ALL_MIN)"
[ -z "${T_TEXT[DEVICE_MIN]:-}" ] || [ "${T_TEXT[DEVICE_MIN]}" -le "$MAX_DEVICE_MIN" ] ||
  fail "device client, minimal: ${T_TEXT[DEVICE_MIN]} bytes of text (limit $MAX_DEVICE_MIN)"
[ -z "$(fw_added)" ] || [ "$(fw_added)" -le "$MAX_FW" ] ||
  fail "firmware example, minimal: adds $(fw_added) bytes of text (limit $MAX_FW)"
[ -z "$FW_LIB" ] || [ "$FW_LIB" -le "$MAX_SENDER" ] ||
  fail "SMTP sender in a firmware: $FW_LIB bytes of library code (limit $MAX_SENDER)"
[ -z "$FWM_LIB" ] || [ "$FWM_LIB" -le "$MAX_SENDER_MIN" ] ||
  fail "SMTP sender in a firmware, minimal: $FWM_LIB bytes of library code (limit $MAX_SENDER_MIN)"
[ -z "${T_TEXT[SMTP_CLIENT]:-}" ] || [ "${T_TEXT[SMTP_CLIENT]}" -le "$MAX_SMTPC" ] ||
  fail "SMTP client alone: ${T_TEXT[SMTP_CLIENT]} bytes of text (limit $MAX_SMTPC)"
[ -z "${T_TEXT[ALL]:-}" ] || [ "${T_TEXT[ALL]}" -le "$MAX_ALL" ] ||
  fail "all modules: ${T_TEXT[ALL]} bytes of text (limit $MAX_ALL)"

TABLES=$(tables)
echo "$TABLES"
if [ -n "$OUT" ]; then
  {
    echo "# mailwire on a Cortex-M4: sizes"
    echo
    echo "Measured $(date -u +%Y-%m-%d) by \`tests/embedded/size_table.sh\` (run it to"
    echo "refresh this file: \`tests/embedded/size_table.sh -o tests/embedded/SIZES.md\`)."
    echo
    echo "$TABLES"
  } > "$OUT"
fi

if [ ${#FAILURES[@]} -gt 0 ]; then
  echo >&2
  echo "size_table.sh: embedded budget broken:" >&2
  printf '  - %s\n' "${FAILURES[@]}" >&2
  exit 1
fi
echo "size_table.sh: every budget met" >&2
