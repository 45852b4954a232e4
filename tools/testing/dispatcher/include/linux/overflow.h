/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_LINUX_OVERFLOW_H
#define _DT_SHIM_LINUX_OVERFLOW_H

#include <stddef.h>
#include <stdint.h>

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d)	__builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)

/* a * b, or SIZE_MAX if that overflows, so that the allocation fails. */
static inline size_t size_mul(size_t a, size_t b)
{
	size_t bytes;

	if (check_mul_overflow(a, b, &bytes))
		return SIZE_MAX;
	return bytes;
}

#define array_size(a, b)	size_mul(a, b)

#endif /* _DT_SHIM_LINUX_OVERFLOW_H */
