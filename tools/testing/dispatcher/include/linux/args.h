/* SPDX-License-Identifier: GPL-2.0 */
/* As the kernel's include/linux/args.h. */
#ifndef _DT_SHIM_LINUX_ARGS_H
#define _DT_SHIM_LINUX_ARGS_H

#define __COUNT_ARGS(_0, _1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, \
		     _13, _14, _15, _n, X...) _n
#define COUNT_ARGS(X...) __COUNT_ARGS(, ##X, 15, 14, 13, 12, 11, 10, 9, 8, \
				      7, 6, 5, 4, 3, 2, 1, 0)

/* Spelt as in glibc's <sys/cdefs.h>, so that both may define it. */
#define __CONCAT(x, y) x ## y
#define CONCATENATE(a, b) __CONCAT(a, b)

#endif /* _DT_SHIM_LINUX_ARGS_H */
