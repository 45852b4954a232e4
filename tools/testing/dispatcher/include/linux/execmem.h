/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Executable memory comes from a pool within rel32 reach of the harness's
 * text, as the kernel's execmem is within reach of kernel text.  It is
 * writable (not executable) when allocated, like EXECMEM_DEFAULT memory,
 * until set_memory_rox(); after that only text_poke_copy() writes it,
 * through a writable, not executable, alias mapping.  Freed memory is made
 * inaccessible and is not reused until the allocator has gone round the
 * whole pool, so that a CPU still executing it faults.  lib/dispatcher
 * carves its images out of packs of this memory (pack.c) and fills a
 * freed image with int3 instead, reusable at once.
 */
#ifndef _DT_SHIM_LINUX_EXECMEM_H
#define _DT_SHIM_LINUX_EXECMEM_H

#include <linux/types.h>

enum execmem_type {
	EXECMEM_DEFAULT,
	EXECMEM_MODULE_TEXT = EXECMEM_DEFAULT,
	EXECMEM_KPROBES,
	EXECMEM_FTRACE,
	EXECMEM_BPF,
	EXECMEM_MODULE_DATA,
	EXECMEM_TYPE_MAX,
};

void *execmem_alloc(enum execmem_type type, size_t size);
void execmem_free(void *ptr);

#endif /* _DT_SHIM_LINUX_EXECMEM_H */
