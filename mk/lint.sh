#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Static checks of every file we own: checkpatch --strict and kernel-doc
# -Wall on sources (the patches: mk/series.sh --check), and sparse (C=2)
# with W=1 on our objects in the UML build (C=2 checks them whether
# rebuilt or not; W=1 changes their flags, so they are recompiled with
# it).  Any warning fails.  Prints one
# "ok|FAIL <check> <file>" line per check; writes "<passed> <failed>" to
# build/logs/lint.count.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

cd "$src" || die "no $src: run make tree"
out=$logs/lint.out

# The API header's DEFINE_/DECLARE_DISPATCHER() expand to a typedef, an
# extern declaration and function definitions, and pass the dispatch
# point's name and return type to several inner macros, as
# DEFINE_STATIC_CALL() and DEFINE_EVENT() do.  checkpatch reads such a
# macro as code and reports these types, which are the only ones allowed
# there: MACRO_ARG_REUSE (meant for expressions with side effects),
# NEW_TYPEDEFS (the target type is the API), AVOID_EXTERNS,
# FUNCTION_ARGUMENTS and MACRO_WITH_FLOW_CONTROL (the "return" is inside
# the generated function), and MULTISTATEMENT_MACRO_USE_DO_WHILE (file
# scope declarations and definitions cannot be wrapped in do-while).
#
# UNDOCUMENTED_SETUP looks for the parameter in kernel-parameters.txt lines
# added by the same patch, which a file check never has: dispatcher= is
# documented by patches/0001.
#
# The patches are checked as the series a maintainer receives, by
# mk/series.sh --check; each patch's message explains what checkpatch
# still reports on it.
#
# tools/testing/dispatcher/include/ holds userspace stand-ins for kernel
# headers (as tools/testing/vma and tools/include do): their macros and
# types mirror the kernel's (scoped_guard()'s flow control, atomic_t's
# typedefs), which trip the same checks there, and linux/cfi.h includes
# asm/cfi.h as the kernel's does (INCLUDE_LINUX).
#
# EXPORT_DISPATCHER_GPL() and EXPORT_DISPATCHER() export what the
# DEFINE_DISPATCHER() they follow defines, which checkpatch cannot see
# (EXPORT_SYMBOL).
ignore_for() {
	case "$1" in
	include/linux/dispatcher.h)
		echo "--ignore MACRO_ARG_REUSE,NEW_TYPEDEFS,AVOID_EXTERNS,FUNCTION_ARGUMENTS,MACRO_WITH_FLOW_CONTROL,MULTISTATEMENT_MACRO_USE_DO_WHILE,EXPORT_SYMBOL"
		;;
	lib/dispatcher/core.c)
		echo "--ignore UNDOCUMENTED_SETUP"
		;;
	tools/testing/dispatcher/bench/bench.c)
		# The rows of results.md's tables, each kept on one line so
		# that it can be found with grep.
		echo "--ignore LONG_LINE_STRING"
		;;
	tools/testing/dispatcher/include/*)
		echo "--ignore MACRO_ARG_REUSE,MACRO_ARG_UNUSED,MACRO_ARG_PRECEDENCE,COMPLEX_MACRO,PREFER_DEFINED_ATTRIBUTE_MACRO,PREFER_PR_LEVEL,PRINTK_WITHOUT_KERN_LEVEL,LOGGING_CONTINUATION,EXPORT_SYMBOL,IS_ENABLED_CONFIG,AVOID_BUG,AVOID_EXTERNS,CAMELCASE,INCLUDE_LINUX,NEW_TYPEDEFS,MACRO_WITH_FLOW_CONTROL,UNNECESSARY_ELSE,BRACES"
		;;
	esac
}

for f in $(overlay_files | grep -E '\.[ch]$'); do
	# shellcheck disable=SC2046
	perl scripts/checkpatch.pl --strict --no-summary --show-types -q \
		$(ignore_for "$f") -f "$f" > "$out" 2>&1
	[ -s "$out" ]; result $((! $?)) "checkpatch $f" "$out"

	perl scripts/kernel-doc -none -Wall "$f" > "$out" 2>&1
	[ -s "$out" ]; result $((! $?)) "kernel-doc $f" "$out"
done

# sparse and W=1: force a rebuild of our objects with both switched on.
if [ -f "$build/kunit-um/.config" ]; then
	# arch/x86/um/ builds arch/x86/lib/dispatcher_jit.c for UML,
	# kernel/bpf/dispatcher.o is the BPF adapter; only messages about
	# our files count.
	make -s ARCH=um O="$build/kunit-um" C=2 W=1 -j"$jobs" \
		lib/dispatcher/ arch/x86/um/ kernel/bpf/dispatcher.o \
		> "$logs/sparse.log" 2>&1
	rc=$?
	grep -E '(warning|error):' "$logs/sparse.log" | grep dispatcher > "$out"
	[ "$rc" = 0 ] && [ ! -s "$out" ]; result $? "sparse+W=1 lib/dispatcher/ arch/x86/lib/dispatcher_jit.c kernel/bpf/dispatcher.c (UML)" "$out"
else
	echo "no UML build: sparse skipped" > "$out"
	result 1 "sparse+W=1 lib/dispatcher/ (UML)" "$out"
fi

echo "$pass $fail" > "$logs/lint.count"
[ "$fail" = 0 ]
