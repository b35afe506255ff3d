#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# CI step: mailwire for a Cortex-M4. Installs the GNU Arm toolchain with
# apt when it is missing (Debian: gcc-arm-none-eabi and
# libnewlib-arm-none-eabi), then runs tests/embedded/size_table.sh in a
# fresh build-cross/ (or $MW_CROSS_BUILD_DIR): every module alone and all together built with
# arm-none-eabi-gcc -Os -Werror, the size tables printed, and the embedded
# budget enforced (libc imports, text per module, context sizes).
#
# Exit status: that of size_table.sh (0 ok, 1 budget broken or a build
# failed); 77 only when the toolchain is absent and cannot be installed
# (no apt, no root or sudo, or the packages are not in the archive), with
# a message saying so. Arguments are passed to size_table.sh (e.g.
# "-o tests/embedded/SIZES.md" to refresh the table kept in the tree).
set -euo pipefail
cd "$(dirname "$0")/.."

have_toolchain() {
  command -v arm-none-eabi-gcc >/dev/null 2>&1 &&
    command -v arm-none-eabi-size >/dev/null 2>&1 &&
    command -v arm-none-eabi-nm >/dev/null 2>&1 &&
    # -print-file-name prints a bare name when the file does not exist:
    # newlib-nano's specs tell whether libnewlib-arm-none-eabi is there.
    [ "$(arm-none-eabi-gcc -print-file-name=nano.specs)" != "nano.specs" ]
}

skip() {
  echo "SKIP: Cortex-M cross build: $*" >&2
  echo "SKIP: install gcc-arm-none-eabi and libnewlib-arm-none-eabi to run it" >&2
  exit 77
}

if ! have_toolchain; then
  command -v apt-get >/dev/null 2>&1 || skip "the toolchain is missing and there is no apt-get"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || skip "the toolchain is missing and this is not root (no sudo)"
    SUDO="sudo -n"
  fi
  echo "installing gcc-arm-none-eabi libnewlib-arm-none-eabi"
  export DEBIAN_FRONTEND=noninteractive
  if ! $SUDO apt-get install -y -qq gcc-arm-none-eabi libnewlib-arm-none-eabi >/dev/null; then
    $SUDO apt-get update -qq || true
    $SUDO apt-get install -y -qq gcc-arm-none-eabi libnewlib-arm-none-eabi >/dev/null ||
      skip "apt-get could not install gcc-arm-none-eabi libnewlib-arm-none-eabi"
  fi
  have_toolchain || skip "installed, but arm-none-eabi-gcc or newlib-nano is still missing"
fi

BUILD_DIR=${MW_CROSS_BUILD_DIR:-build-cross}
rm -rf "$BUILD_DIR"
exec tests/embedded/size_table.sh -b "$PWD/$BUILD_DIR" "$@"
