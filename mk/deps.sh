#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Install the Debian packages the build and the tests need, if missing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs="gcc make flex bison bc libelf-dev libssl-dev sparse python3 perl
      rsync patch xz-utils git cpio kmod qemu-system-x86 qemu-system-data
      busybox-static iproute2 clang linux-libc-dev libbpf-dev"
[ -n "${KDIR:-}" ] || pkgs="$pkgs linux-source-6.12"

# shellcheck disable=SC2086
need_packages apt $pkgs
