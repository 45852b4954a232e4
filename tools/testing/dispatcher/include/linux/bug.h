/* SPDX-License-Identifier: GPL-2.0 */
/*
 * WARN*() print like the kernel's (a *_ONCE() only the first time at its
 * site) and count every time their condition is true, in dt_warnings, so
 * that a test can require a WARN where the API promises one and fail on
 * any other.  BUG() aborts.
 */
#ifndef _DT_SHIM_LINUX_BUG_H
#define _DT_SHIM_LINUX_BUG_H

#include <linux/compiler.h>
#include <linux/printk.h>
#include <linux/types.h>

extern unsigned long dt_warnings;
__printf(4, 5) void dt_warn(const char *file, int line, bool print,
			    const char *fmt, ...);
__noreturn void dt_bug(const char *file, int line, const char *what);

#define __DT_WARN(once, cond, fmt...)					\
	({								\
		static bool __warned;					\
		bool __ret_warn = !!(cond);				\
									\
		if (unlikely(__ret_warn)) {				\
			dt_warn(__FILE__, __LINE__, !((once) && __warned), fmt); \
			__warned = true;				\
		}							\
		unlikely(__ret_warn);					\
	})

#define WARN(cond, fmt...)		__DT_WARN(false, cond, fmt)
#define WARN_ONCE(cond, fmt...)		__DT_WARN(true, cond, fmt)
#define WARN_ON(cond)			__DT_WARN(false, cond, "%s", #cond)
#define WARN_ON_ONCE(cond)		__DT_WARN(true, cond, "%s", #cond)

#define BUG()		dt_bug(__FILE__, __LINE__, "BUG()")
#define BUG_ON(cond)							\
	do {								\
		if (unlikely(cond))					\
			dt_bug(__FILE__, __LINE__, #cond);		\
	} while (0)

#endif /* _DT_SHIM_LINUX_BUG_H */
