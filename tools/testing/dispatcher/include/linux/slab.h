/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Allocations go to malloc() (and so through ASan), and any of them can be
 * made to fail on purpose: see dt_fail_alloc() in dt_shim.h.
 */
#ifndef _DT_SHIM_LINUX_SLAB_H
#define _DT_SHIM_LINUX_SLAB_H

#include <linux/cleanup.h>
#include <linux/gfp.h>
#include <linux/overflow.h>
#include <linux/types.h>

void *dt_alloc(size_t size, gfp_t flags, const char *what);
void dt_free(const void *p);

#define kmalloc(size, flags)	dt_alloc(size, flags, "kmalloc")
#define kzalloc(size, flags)	dt_alloc(size, (flags) | __GFP_ZERO, "kzalloc")
#define kvmalloc(size, flags)	dt_alloc(size, flags, "kvmalloc")
#define kvzalloc(size, flags)	dt_alloc(size, (flags) | __GFP_ZERO, "kvzalloc")
#define kmalloc_array(n, size, flags)					\
	dt_alloc(size_mul(n, size), flags, "kmalloc_array")
#define kcalloc(n, size, flags)						\
	dt_alloc(size_mul(n, size), (flags) | __GFP_ZERO, "kcalloc")
#define kvmalloc_array(n, size, flags)					\
	dt_alloc(size_mul(n, size), flags, "kvmalloc_array")
#define kvcalloc(n, size, flags)					\
	dt_alloc(size_mul(n, size), (flags) | __GFP_ZERO, "kvcalloc")

static inline void kfree(const void *p)
{
	dt_free(p);
}

static inline void kvfree(const void *p)
{
	dt_free(p);
}

#endif /* _DT_SHIM_LINUX_SLAB_H */
