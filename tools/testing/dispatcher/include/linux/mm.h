/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_LINUX_MM_H
#define _DT_SHIM_LINUX_MM_H

#include <linux/align.h>
#include <linux/bits.h>
#include <linux/gfp.h>
#include <linux/log2.h>
/* Among the much else the kernel's brings in. */
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/types.h>

#define PAGE_SHIFT		12
#define PAGE_SIZE		BIT(PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(addr)	ALIGN(addr, PAGE_SIZE)
#define PAGE_ALIGNED(addr)	IS_ALIGNED((unsigned long)(addr), PAGE_SIZE)
#define offset_in_page(p)	((unsigned long)(p) & ~PAGE_MASK)

#endif /* _DT_SHIM_LINUX_MM_H */
