/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lib/sort.c's interface: an in-place heapsort, not stable, with an
 * optional swap function (NULL: swap the bytes).
 */
#ifndef _DT_SHIM_LINUX_SORT_H
#define _DT_SHIM_LINUX_SORT_H

#include <linux/types.h>

typedef int (*cmp_func_t)(const void *a, const void *b);
typedef void (*swap_func_t)(void *a, void *b, int size);

void sort(void *base, size_t num, size_t size, cmp_func_t cmp_func,
	  swap_func_t swap_func);

#endif /* _DT_SHIM_LINUX_SORT_H */
