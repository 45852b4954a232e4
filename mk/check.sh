#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: install what is missing, assemble build/src, run the KUnit
# suites on UML (with and without CONFIG_NET) and on x86_64 in QEMU (the
# JIT suite twice: the second boot with call depth tracking; the
# concurrency cases again under single-threaded TCG, on live call sites), the
# make run scenario in that x86_64 kernel, the userspace harness, the
# build-time tests, the generated patch series (mk/series.sh --check) and
# the static checks, and end with one line "N passed, N failed, N skipped"
# summing every test case and check.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

"$top/mk/deps.sh" || exit 1
"$top/mk/assemble.sh" || exit 1

echo "== KUnit on UML (lib/dispatcher/kunit/.kunitconfig)"
"$top/mk/kunit.sh"
read -r kp kf ks < "$logs/kunit-um.count"
echo "kunit-um: $kp passed, $kf failed, $ks skipped (log: build/logs/kunit-um.log)"

echo "== KUnit on UML without networking (lib/dispatcher/kunit/nonet.kunitconfig)"
"$top/mk/kunit.sh" um-nonet
read -r np nf ns < "$logs/kunit-um-nonet.count"
echo "kunit-um-nonet: $np passed, $nf failed, $ns skipped (log: build/logs/kunit-um-nonet.log)"

echo "== KUnit on x86_64 in QEMU (TCG, -smp 2; + lib/dispatcher/kunit/x86_64.kunitconfig)"
"$top/mk/kunit.sh" x86_64
read -r xp xf xs < "$logs/kunit-x86_64.count"
echo "kunit-x86_64: $xp passed, $xf failed, $xs skipped (log: build/logs/kunit-x86_64.log)"

echo "== KUnit JIT suite on x86_64 again, call depth tracking on (Skylake, retbleed=stuff)"
"$top/mk/kunit.sh" x86_64-calldepth
read -r dp df ds < "$logs/kunit-x86_64-calldepth.count"
echo "kunit-x86_64-calldepth: $dp passed, $df failed, $ds skipped (log: build/logs/kunit-x86_64-calldepth.log)"

echo "== KUnit concurrency cases on x86_64 again, live call sites patched (single-threaded TCG)"
"$top/mk/kunit.sh" x86_64-live
read -r lvp lvf lvs < "$logs/kunit-x86_64-live.count"
echo "kunit-x86_64-live: $lvp passed, $lvf failed, $lvs skipped (log: build/logs/kunit-x86_64-live.log)"

echo "== make run: ip and tc in the x86_64 kernel in QEMU (tools/testing/dispatcher/vm)"
"$top/mk/run.sh" --check
read -r rp rf < "$logs/run.count"
echo "run: $rp passed, $rf failed (log: build/logs/run.log)"

echo "== userspace harness (tools/testing/dispatcher, ASan + UBSan)"
"$top/mk/harness.sh"
read -r hp hf hs < "$logs/harness.count"

echo "== build-time tests (lib/dispatcher/kunit/dispatcher_build_test.c)"
"$top/mk/build-tests.sh"
read -r bp bf < "$logs/build-tests.count"

echo "== make patches: the series generated, git am onto the base, equal to build/src, checkpatch per patch"
rm -f "$logs/series.count"
"$top/mk/series.sh" --check
read -r sp sf < "$logs/series.count" || { sp=0; sf=1; }

echo "== checkpatch --strict, kernel-doc, sparse C=2 + W=1"
"$top/mk/lint.sh"
read -r lp lf < "$logs/lint.count"

passed=$((kp + np + xp + dp + lvp + rp + hp + bp + sp + lp))
failed=$((kf + nf + xf + df + lvf + rf + hf + bf + sf + lf))
echo "$passed passed, $failed failed, $((ks + ns + xs + ds + lvs + hs)) skipped"
[ "$failed" = 0 ]
