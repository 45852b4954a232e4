/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Indirect Branch Tracking.  The harness's configuration has no
 * CONFIG_X86_KERNEL_IBT (the machine this project measures on has no
 * IBT), so, as in such a kernel, gen_endbr() and gen_endbr_poison() do not
 * exist and images have no ENDBR at their entry.
 */
#ifndef _DT_SHIM_ASM_IBT_H
#define _DT_SHIM_ASM_IBT_H

#include <linux/types.h>

#ifdef CONFIG_X86_KERNEL_IBT

#define HAS_KERNEL_IBT	1
#define ENDBR_INSN_SIZE	4

/* endbr64 */
static inline u32 gen_endbr(void)
{
	return 0xfa1e0ff3;
}

/* osp nopl (%rax): a 4-byte nop where FineIBT poisons an ENDBR */
static inline u32 gen_endbr_poison(void)
{
	return 0x001f0f66;
}

#else

#define HAS_KERNEL_IBT	0
#define ENDBR_INSN_SIZE	0

#endif /* CONFIG_X86_KERNEL_IBT */

#endif /* _DT_SHIM_ASM_IBT_H */
