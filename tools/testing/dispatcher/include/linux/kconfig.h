/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The harness's ".config": an x86-64 kernel with modules, debugfs,
 * static_call and the dispatcher JIT, retpolines and call depth tracking
 * built in (each takes effect with its X86_FEATURE_*, see
 * <linux/cpufeature.h>), call padding; no CFI_CLANG (gcc) and no
 * X86_KERNEL_IBT, but the tests set cfi_mode (<asm/cfi.h>); PROVE_RCU
 * in the tests, not in the benchmark; KUNIT, for what lib/dispatcher
 * makes visible to its tests (VISIBLE_IF_KUNIT, dispatcher_tunable()).
 * Included first (-include), as kbuild includes the kernel's kconfig.h.
 */
#ifndef _DT_SHIM_LINUX_KCONFIG_H
#define _DT_SHIM_LINUX_KCONFIG_H

#define CONFIG_64BIT			1
#define CONFIG_X86			1
#define CONFIG_X86_64			1
#define CONFIG_MMU			1
#define CONFIG_SMP			1
#define CONFIG_MODULES			1
#define CONFIG_DEBUG_FS			1
#define CONFIG_KALLSYMS			1
#define CONFIG_HAVE_STATIC_CALL		1
#define CONFIG_DISPATCHER		1
#define CONFIG_HAVE_DISPATCHER_JIT	1
#define CONFIG_DISPATCHER_JIT		1
#define CONFIG_DISPATCHER_IMAGES	1
#define CONFIG_MITIGATION_RETPOLINE	1
#define CONFIG_MITIGATION_CALL_DEPTH_TRACKING	1
#define CONFIG_CALL_THUNKS		1
#define CONFIG_CALL_PADDING		1
#define CONFIG_TASKS_RCU		1

/*
 * As in a kernel built with its KUnit tests: the functions core.c and
 * learn.c keep for them (dispatcher_relayout(), dispatcher_learn_reopen(),
 * dispatcher_tunable()) are what the learning tests drive.
 */
#define CONFIG_KUNIT			1

/*
 * A debug kernel's RCU checks (lockdep's), for the tests: a dispatch point
 * reports a call from a context it does not allow.  Not in the benchmark
 * (-DDT_BENCH), which measures a production kernel's dispatch path.
 */
#ifndef DT_BENCH
#define CONFIG_PROVE_RCU		1
#endif

/* IS_ENABLED() and friends, as in the kernel's include/linux/kconfig.h. */
#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x)			___is_defined(x)
#define ___is_defined(val)		____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk)	__take_second_arg(arg1_or_junk 1, 0)
#define __or(x, y)			___or(x, y)
#define ___or(x, y)			____or(__ARG_PLACEHOLDER_##x, y)
#define ____or(arg1_or_junk, y)		__take_second_arg(arg1_or_junk 1, y)

#define IS_BUILTIN(option)	__is_defined(option)
#define IS_MODULE(option)	__is_defined(option##_MODULE)
#define IS_ENABLED(option)	__or(IS_BUILTIN(option), IS_MODULE(option))
#define IS_REACHABLE(option)	IS_ENABLED(option)

#endif /* _DT_SHIM_LINUX_KCONFIG_H */
