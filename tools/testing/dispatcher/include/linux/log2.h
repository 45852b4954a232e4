/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_LINUX_LOG2_H
#define _DT_SHIM_LINUX_LOG2_H

#include <linux/types.h>

/* Floor of log2(@n); @n must not be 0. */
static inline int ilog2(u64 n)
{
	return 63 - __builtin_clzll(n);
}

static inline bool is_power_of_2(unsigned long n)
{
	return n && !(n & (n - 1));
}

/* Ceiling of log2(@n); 0 for @n of 0 or 1, as in the kernel. */
static inline int order_base_2(unsigned long n)
{
	return n > 1 ? ilog2(n - 1) + 1 : 0;
}

static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return 1UL << order_base_2(n);
}

static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return 1UL << ilog2(n);
}

#endif /* _DT_SHIM_LINUX_LOG2_H */
