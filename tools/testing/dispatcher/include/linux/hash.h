/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's multiplicative hashes (<linux/hash.h>), 64-bit longs. */
#ifndef _DT_SHIM_LINUX_HASH_H
#define _DT_SHIM_LINUX_HASH_H

#include <linux/types.h>

#define GOLDEN_RATIO_64		0x61C8864680B583EBull

/* The high @bits bits of @val times the golden ratio. */
static inline u32 hash_64(u64 val, unsigned int bits)
{
	return val * GOLDEN_RATIO_64 >> (64 - bits);
}

#define hash_long(val, bits)	hash_64(val, bits)

#endif /* _DT_SHIM_LINUX_HASH_H */
