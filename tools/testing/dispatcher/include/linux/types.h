/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel types on top of the UAPI <linux/types.h> (which system headers
 * include too, so this one must stay compatible with it).
 */
#ifndef _DT_SHIM_LINUX_TYPES_H
#define _DT_SHIM_LINUX_TYPES_H

#include_next <linux/types.h>

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/limits.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;
typedef unsigned int __bitwise gfp_t;

/* x86 is little-endian: the byte order helpers are identities. */
#define cpu_to_le16(x)	((__le16)(u16)(x))
#define cpu_to_le32(x)	((__le32)(u32)(x))
#define cpu_to_le64(x)	((__le64)(u64)(x))
#define le16_to_cpu(x)	((u16)(__le16)(x))
#define le32_to_cpu(x)	((u32)(__le32)(x))
#define le64_to_cpu(x)	((u64)(__le64)(x))

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

/* As in the kernel's <linux/types.h>; the operations are <linux/atomic.h>'s. */
typedef struct {
	int counter;
} atomic_t;

typedef struct {
	s64 counter;
} atomic64_t;

/* What DECLARE_BITMAP() needs; the rest is <linux/bitmap.h>. */
#define BITS_PER_LONG		64
#define BITS_TO_LONGS(nr)	(((nr) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits)	unsigned long name[BITS_TO_LONGS(bits)]

#endif /* __ASSEMBLY__ */
#endif /* _DT_SHIM_LINUX_TYPES_H */
