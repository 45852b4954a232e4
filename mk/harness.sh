#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The userspace harness, tools/testing/dispatcher: lib/dispatcher and the
# x86-64 JIT compiled unchanged against userspace shims, with ASan and
# UBSan, as a PIE and as a non-PIE program; semantics tests, a model-based
# random test of a million operations (its seed is printed), a threaded
# churn test, and the build-time cases.  Needs only this repository and a
# compiler: no kernel tree.  Prints one "ok|FAIL|skip <case>" line per test
# case (the details of a failure after it); writes the log to
# build/logs/harness.log and "<passed> <failed> <skipped>" to
# build/logs/harness.count.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

log=$logs/harness.log
count=$logs/harness.count
obj=$build/harness
dir=$top/tools/testing/dispatcher
echo "0 1 0" > "$count"

# gcc brings libasan and libubsan; objdump (binutils) decodes images.
need_packages apt-harness gcc make libc6-dev binutils

if ! make -C "$dir" O="$obj" -j"$jobs" all > "$log" 2>&1; then
	echo "FAIL harness build (log: build/logs/harness.log)"
	grep -E 'error|warning' "$log" | head -n 20 | sed 's/^/     /'
	exit 1
fi

# Result lines go to the terminal; a failure also shows what its case
# printed (the lines since the previous result), up to 40 of them.
make -C "$dir" O="$obj" --no-print-directory check 2>&1 | tee -a "$log" |
	awk '/^(ok   |skip )/ { print; n = 0; next }
	     /^FAIL / { print; for (i = 0; i < n && i < 40; i++) print "     " buf[i]; n = 0; next }
	     / passed, .* failed, .* skipped$/ { next }
	     { buf[n++] = $0 }'
rc=${PIPESTATUS[0]}

line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n 1)
if [ -n "$line" ]; then
	read -r p _ f _ s _ <<< "$line"
	# A failed run with nothing failed still fails.
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	echo "$p $f $s" > "$count"
fi
read -r p f s < "$count"
echo "harness: $p passed, $f failed, $s skipped (log: build/logs/harness.log)"
exit "$rc"
