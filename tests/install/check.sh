#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds tests/install/consumer against an installed mailwire twice: with
# find_package(mailwire) and with pkg-config. Usage: check.sh PREFIX
set -euo pipefail
prefix=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake -S "$here/consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/cmake" >/dev/null
LD_LIBRARY_PATH="$prefix/lib:$prefix/lib64:$prefix/lib/x86_64-linux-gnu" "$work/cmake/consumer"

pcdir=$(dirname "$(find "$prefix" -name mailwire.pc | head -n 1)")
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs mailwire)
cc -std=c99 "$here/consumer/main.c" $flags -o "$work/pc-consumer"
LD_LIBRARY_PATH="$prefix/lib:$prefix/lib64:$prefix/lib/x86_64-linux-gnu" "$work/pc-consumer"
echo "install check: find_package and pkg-config consumers built and ran"

# Vendored: add_subdirectory() of the source tree; no tests or install rules
# of mailwire's may leak into the parent project.
cmake -S "$here/vendored" -B "$work/vendored" -DMW_SOURCE_DIR="$here/../.." >/dev/null
cmake --build "$work/vendored" >/dev/null
"$work/vendored/consumer"
echo "install check: vendored add_subdirectory consumer built and ran"
