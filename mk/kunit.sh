#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the dispatcher's KUnit suites, one tier per call:
#
#   mk/kunit.sh                   UML
#   mk/kunit.sh um-nonet          UML without CONFIG_NET (nonet.kunitconfig)
#   mk/kunit.sh x86_64            x86_64 in QEMU (TCG, two CPUs), with
#                                 x86_64.kunitconfig on top
#   mk/kunit.sh x86_64-calldepth  the x86_64 kernel booted again, JIT suite
#                                 only, as a Skylake with retbleed=stuff:
#                                 call depth tracking on
#   mk/kunit.sh x86_64-live       the x86_64 kernel booted again under
#                                 single-threaded TCG, concurrency cases
#                                 only, patching live static_call sites
#   mk/kunit.sh x86_64-cfi        x86_64 built with clang's kCFI
#                                 (cfi.kunitconfig; make check-cfi)
#
# FILTER picks suites/cases (kunit.py's filter_glob, e.g.
# FILTER='dispatcher_api.*').  Writes the log to build/logs/kunit-<tier>.log
# and "<passed> <failed> <skipped>" to build/logs/kunit-<tier>.count.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

arch=${1:-um}
log=$logs/kunit-$arch.log
count=$logs/kunit-$arch.count
echo "0 1 0" > "$count"
cmd=run
dir=$build/kunit-$arch
filter=${FILTER:-}
# CFI failure reports the tier expects: the two dispatcher_jit_test_cfi
# provokes, and no other (registered targets and XDP programs make none).
cfi_reports=

case $arch in
um)		args=("${kunitconfigs_um[@]}") ;;
um-nonet)	args=("${kunitconfigs_um_nonet[@]}") ;;
x86_64)		args=(--arch=x86_64 "${kunitconfigs_x86_64[@]}"
		      --qemu_args="-smp 2" --timeout=1800) ;;
x86_64-calldepth)
		# The x86_64 tier's kernel: QEMU's Skylake model has
		# X86_BUG_RETBLEED, and retbleed=stuff (with retpolines) turns
		# on call depth tracking, which no default QEMU CPU does.
		# Only the JIT's own cases: with a CPU model that is not
		# "QEMU Virtual CPU" the churn cases would patch live
		# static_call sites, which TCG cannot (dispatcher_kunit.h).
		cmd=exec
		dir=$build/kunit-x86_64
		filter=${FILTER:-dispatcher_jit.dispatcher_jit_test_*}
		args=(--arch=x86_64 "${kunitconfigs_x86_64[@]}"
		      --qemu_args="-smp 2 -cpu Skylake-Client"
		      --kernel_args="spectre_v2=retpoline retbleed=stuff"
		      --timeout=1800) ;;
x86_64-live)
		# The x86_64 tier's kernel again, where QEMU emulates
		# cross-modifying code right: one host thread for both
		# vCPUs.  The churn cases then call through the static_call
		# sites that every update patches with text_poke_bp(),
		# which multi-threaded TCG cannot (dispatcher_kunit.h).
		cmd=exec
		dir=$build/kunit-x86_64
		filter=${FILTER:-dispatcher_*.*churn*}
		args=(--arch=x86_64 "${kunitconfigs_x86_64[@]}"
		      --qemu_args="-smp 2 -accel tcg,thread=single"
		      --kernel_args="dispatcher_kunit.live_sites=1"
		      --timeout=1800) ;;
x86_64-cfi)
		need_packages cfi $cfi_packages
		cfi_reports=2
		args=(--arch=x86_64 "${kunitconfigs_x86_64_cfi[@]}"
		      --make_options="LLVM=$cfi_llvm"
		      --qemu_args="-smp 2" --timeout=1800) ;;
*)		die "unknown tier $arch (um, um-nonet, x86_64, x86_64-calldepth, x86_64-live or x86_64-cfi)" ;;
esac

cd "$src" || die "no $src: run make tree"
[ "$cmd" = run ] || [ -f "$dir/.config" ] || die "no $dir: run mk/kunit.sh x86_64 first"
python3 tools/testing/kunit/kunit.py $cmd "${args[@]}" \
	--build_dir="$dir" \
	$([ "$cmd" = run ] && echo "--jobs=$jobs") \
	${filter:+"$filter"} 2>&1 | tee "$log" |
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
	if grep -qE "$kernel_reports" "$dir/test.log" 2>/dev/null; then
		echo "kernel report in $dir/test.log:"
		grep -E "$kernel_reports" "$dir/test.log" | head -n 5
		f=$((f + 1))
		rc=1
	fi
	# The second boot is worth nothing if it did not turn tracking on.
	if [ "$arch" = x86_64-calldepth ] &&
	   ! grep -q 'call depth tracking on' "$dir/test.log"; then
		echo "call depth tracking is not on in this boot (see $dir/test.log)"
		f=$((f + 1))
		rc=1
	fi
	# Nor if the churn cases skipped their live call sites after all.
	if [ "$arch" = x86_64-live ] && [ -z "${FILTER:-}" ] &&
	   grep -q 'SKIP.*multi-threaded TCG' "$dir/test.log"; then
		echo "live call site churn skipped in the single-threaded boot"
		f=$((f + 1))
		rc=1
	fi
	n=$(grep -c 'CFI failure at' "$dir/test.log" 2>/dev/null)
	if [ "${n:-0}" != "${cfi_reports:-0}" ] && [ -z "$filter" ]; then
		echo "$n CFI failure reports in $dir/test.log, expected ${cfi_reports:-0}:"
		grep 'CFI failure at' "$dir/test.log" | head -n 5
		f=$((f + 1))
		rc=1
	fi
	echo "${p:-0} $f ${s:-0}" > "$count"
fi
exit "$rc"
