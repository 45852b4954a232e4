/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_LINUX_COMPILER_H
#define _DT_SHIM_LINUX_COMPILER_H

#include <linux/compiler_types.h>

#define barrier()		__asm__ __volatile__("" : : : "memory")

/* Make the compiler forget what it knows about @var, as in the kernel. */
#define OPTIMIZER_HIDE_VAR(var)	__asm__ ("" : "=r" (var) : "0" (var))

/* Single, untorn accesses of scalars, as the kernel's; relaxed atomics. */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)

#define ARRAY_SIZE(arr)		(sizeof(arr) / sizeof((arr)[0]))

#endif /* _DT_SHIM_LINUX_COMPILER_H */
