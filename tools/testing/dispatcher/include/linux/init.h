/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Initcalls and boot parameters.  Each registers itself from a constructor;
 * the test runner calls them in level order (dt_do_initcalls()), and
 * dt_boot_param("name=value") feeds a __setup() handler as the kernel's
 * command line parser would.
 */
#ifndef _DT_SHIM_LINUX_INIT_H
#define _DT_SHIM_LINUX_INIT_H

#include <linux/build_bug.h>
#include <linux/compiler.h>

typedef int (*initcall_t)(void);

enum dt_initcall_level {
	DT_INITCALL_EARLY,
	DT_INITCALL_CORE,
	DT_INITCALL_POSTCORE,
	DT_INITCALL_ARCH,
	DT_INITCALL_SUBSYS,
	DT_INITCALL_FS,
	DT_INITCALL_DEVICE,
	DT_INITCALL_LATE,
	DT_INITCALL_LEVELS,
};

void dt_register_initcall(int level, initcall_t fn, const char *name);
void dt_register_setup(const char *str, int (*fn)(char *));

#define __dt_initcall(fn, level)					\
	static void __used __attribute__((__constructor__))		\
	__PASTE(__dt_initcall_, fn)(void)				\
	{								\
		dt_register_initcall(level, fn, #fn);			\
	}								\
	static_assert(1, #fn)

#define early_initcall(fn)	__dt_initcall(fn, DT_INITCALL_EARLY)
#define core_initcall(fn)	__dt_initcall(fn, DT_INITCALL_CORE)
#define postcore_initcall(fn)	__dt_initcall(fn, DT_INITCALL_POSTCORE)
#define arch_initcall(fn)	__dt_initcall(fn, DT_INITCALL_ARCH)
#define subsys_initcall(fn)	__dt_initcall(fn, DT_INITCALL_SUBSYS)
#define fs_initcall(fn)		__dt_initcall(fn, DT_INITCALL_FS)
#define device_initcall(fn)	__dt_initcall(fn, DT_INITCALL_DEVICE)
#define late_initcall(fn)	__dt_initcall(fn, DT_INITCALL_LATE)
#define module_init(fn)		__dt_initcall(fn, DT_INITCALL_DEVICE)
#define module_exit(fn)		static_assert(1, #fn)

#define __setup(str, fn)						\
	static void __used __attribute__((__constructor__))		\
	__PASTE(__dt_setup_, fn)(void)					\
	{								\
		dt_register_setup(str, fn);				\
	}								\
	static_assert(1, #fn)

#define early_param(str, fn)	__setup(str "=", fn)

#endif /* _DT_SHIM_LINUX_INIT_H */
