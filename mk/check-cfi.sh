#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check-cfi: the KUnit suites on an x86_64 kernel built with clang's
# kCFI (lib/dispatcher/kunit/cfi.kunitconfig), in QEMU.  Not part of make
# check: a second x86_64 kernel, built with clang, does not fit its time.
# Ends with "N passed, N failed, N skipped".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

"$top/mk/deps.sh" || exit 1
"$top/mk/assemble.sh" || exit 1

echo "== KUnit on x86_64 built with clang kCFI (+ lib/dispatcher/kunit/cfi.kunitconfig)"
"$top/mk/kunit.sh" x86_64-cfi
read -r p f s < "$logs/kunit-x86_64-cfi.count"
echo "$p passed, $f failed, $s skipped"
[ "$f" = 0 ]
