#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Install the Debian packages the build and the tests need, if missing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs="gcc make flex bison bc libelf-dev libssl-dev sparse python3 perl
      rsync patch xz-utils git cpio kmod qemu-system-x86 qemu-system-data"
[ -n "${KDIR:-}" ] || pkgs="$pkgs linux-source-6.12"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "installing:$missing"
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing > "$logs/apt.log" 2>&1 ||
	{ tail -n 20 "$logs/apt.log"; die "apt-get install$missing failed"; }
