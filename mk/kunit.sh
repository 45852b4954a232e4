#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the dispatcher's KUnit suites: "mk/kunit.sh" on UML, "mk/kunit.sh
# x86_64" in QEMU (TCG, two CPUs) with lib/dispatcher/kunit/x86_64.kunitconfig
# on top, "mk/kunit.sh um-nonet" on UML without CONFIG_NET
# (lib/dispatcher/kunit/nonet.kunitconfig).  FILTER picks suites/cases (kunit.py's filter_glob, e.g.
# FILTER='dispatcher_api.*').  Writes the log to build/logs/kunit-<arch>.log
# and "<passed> <failed> <skipped>" to build/logs/kunit-<arch>.count.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

arch=${1:-um}
log=$logs/kunit-$arch.log
count=$logs/kunit-$arch.count
echo "0 1 0" > "$count"

case $arch in
um)		args=("${kunitconfigs_um[@]}") ;;
um-nonet)	args=("${kunitconfigs_um_nonet[@]}") ;;
x86_64)		args=(--arch=x86_64 "${kunitconfigs_x86_64[@]}"
		      --qemu_args="-smp 2" --timeout=1800) ;;
*)		die "unknown tier $arch (um, um-nonet or x86_64)" ;;
esac

cd "$src" || die "no $src: run make tree"
python3 tools/testing/kunit/kunit.py run "${args[@]}" \
	--build_dir="$build/kunit-$arch" \
	--jobs="$jobs" \
	${FILTER:+"$FILTER"} 2>&1 | tee "$log" |
	grep -E '^\[..:..:..\] (\[|=|Testing|#|Ran|Elapsed|ERROR|Building|Configuring|Starting)|error:|Error'
rc=${PIPESTATUS[0]}

# "Testing complete. Ran 27 tests: passed: 25, failed: 1, skipped: 1"
line=$(grep -E 'Testing complete\. Ran [0-9]+ tests' "$log" | tail -n 1)
if [ -n "$line" ]; then
	p=$(echo "$line" | sed -n 's/.*passed: \([0-9]*\).*/\1/p')
	f=$(echo "$line" | sed -n 's/.*failed: \([0-9]*\).*/\1/p')
	c=$(echo "$line" | sed -n 's/.*crashed: \([0-9]*\).*/\1/p')
	s=$(echo "$line" | sed -n 's/.*skipped: \([0-9]*\).*/\1/p')
	f=$(( ${f:-0} + ${c:-0} ))
	# A crash or a failed run with nothing failed still fails.
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	# So does a KASAN, lockdep or RCU report, or an oops, that no case
	# caught (the bad-input cases' expected WARNs are not counted).
	if grep -qE "$kernel_reports" "$build/kunit-$arch/test.log" 2>/dev/null; then
		echo "kernel report in build/kunit-$arch/test.log:"
		grep -E "$kernel_reports" "$build/kunit-$arch/test.log" | head -n 5
		f=$((f + 1))
		rc=1
	fi
	echo "${p:-0} $f ${s:-0}" > "$count"
fi
exit "$rc"
