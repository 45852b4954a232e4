/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_LINUX_MINMAX_H
#define _DT_SHIM_LINUX_MINMAX_H

/* Each argument is evaluated once; both must have comparable types. */
#define min(x, y)							\
	({								\
		typeof(x) __x = (x);					\
		typeof(y) __y = (y);					\
		__x < __y ? __x : __y;					\
	})
#define max(x, y)							\
	({								\
		typeof(x) __x = (x);					\
		typeof(y) __y = (y);					\
		__x > __y ? __x : __y;					\
	})
#define min3(x, y, z)		min(min(x, y), z)
#define max3(x, y, z)		max(max(x, y), z)
#define min_t(type, x, y)	min((type)(x), (type)(y))
#define max_t(type, x, y)	max((type)(x), (type)(y))
#define clamp(val, lo, hi)	min(max(val, lo), hi)
#define swap(a, b)							\
	do {								\
		typeof(a) __tmp = (a);					\
		(a) = (b);						\
		(b) = __tmp;						\
	} while (0)

#endif /* _DT_SHIM_LINUX_MINMAX_H */
