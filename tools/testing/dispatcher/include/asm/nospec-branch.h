/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's indirect branch thunks, in machine register order, 32 bytes
 * apart; thunks.S has real retpolines behind these names.
 */
#ifndef _DT_SHIM_ASM_NOSPEC_BRANCH_H
#define _DT_SHIM_ASM_NOSPEC_BRANCH_H

#include <asm/alternative.h>
#include <asm/cpufeatures.h>
#include <linux/types.h>

#define RETPOLINE_THUNK_SIZE	32

typedef u8 retpoline_thunk_t[RETPOLINE_THUNK_SIZE];

extern retpoline_thunk_t __x86_indirect_thunk_array[];
extern retpoline_thunk_t __x86_indirect_call_thunk_array[];
extern retpoline_thunk_t __x86_indirect_jump_thunk_array[];

#endif /* _DT_SHIM_ASM_NOSPEC_BRANCH_H */
