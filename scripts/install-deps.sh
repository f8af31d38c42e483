#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine: the real peers the probe layer
# is tested against (QEMU, OpenOCD, socat, gdb-multiarch as the DWARF oracle, tmux for the TUI) and
# the npm packages. The cross compilers are NOT needed: prebuilt ELFs are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(qemu-system-arm openocd socat gdb-multiarch tmux binutils)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
npm ci --no-audit --no-fund
