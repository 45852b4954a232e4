/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_LINUX_CACHE_H
#define _DT_SHIM_LINUX_CACHE_H

#define L1_CACHE_BYTES		64
#define SMP_CACHE_BYTES		L1_CACHE_BYTES

#define ____cacheline_aligned	__attribute__((__aligned__(SMP_CACHE_BYTES)))
#define __cacheline_aligned	____cacheline_aligned

#endif /* _DT_SHIM_LINUX_CACHE_H */
