/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86's CFI modes, as with CONFIG_CFI_CLANG and CONFIG_CALL_PADDING: the
 * kCFI type hash sits in "movl $hash, %eax" 16 bytes before a function,
 * FineIBT's check in the 16 bytes before it.  gcc compiles no kCFI
 * checks, so cfi_mode starts CFI_OFF (as with cfi=off) and only the tests
 * change it, to see the JIT write the preamble of each mode; nothing here
 * ever runs a preamble.  cfi_get_func_hash() is in shim/x86.c.
 */
#ifndef _DT_SHIM_ASM_CFI_H
#define _DT_SHIM_ASM_CFI_H

#include <linux/kconfig.h>
#include <linux/types.h>

enum cfi_mode {
	CFI_AUTO,	/* FineIBT if hardware has IBT, otherwise kCFI */
	CFI_OFF,	/* Taditional / IBT depending on .config */
	CFI_KCFI,	/* Optionally CALL_PADDING, IBT, RETPOLINE */
	CFI_FINEIBT,	/* see arch/x86/kernel/alternative.c */
};

extern enum cfi_mode cfi_mode;

static inline int cfi_get_offset(void)
{
	switch (cfi_mode) {
	case CFI_FINEIBT:
		return 16;
	case CFI_KCFI:
		if (IS_ENABLED(CONFIG_CALL_PADDING))
			return 16;
		return 5;
	default:
		return 0;
	}
}

#define cfi_get_offset cfi_get_offset

u32 cfi_get_func_hash(void *func);

#endif /* _DT_SHIM_ASM_CFI_H */
