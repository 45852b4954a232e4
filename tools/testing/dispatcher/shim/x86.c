// SPDX-License-Identifier: GPL-2.0
/*
 * What the x86 JIT asks of the rest of x86 besides memory: the CFI mode
 * and a function's type hash (arch/x86/kernel/alternative.c), and the
 * accounting template of a call thunk (arch/x86/kernel/callthunks.c).
 *
 * The template is the kernel's on x86-64 SMP, byte for byte:
 *
 *	sarq	$5, %gs:pcpu_hot + X86_call_depth(%rip)	; 65 48 c1 3d <rel32> 05
 *
 * %rip-relative, so it is relocated for the address it will run at, as
 * text_poke_apply_relocation() does.  Its operand is dt_call_depth.depth:
 * a userspace thread's %gs base is 0, so run here the template shifts that
 * word, and the words around it show a displacement that is off.
 */
#include <string.h>

#include <asm/alternative.h>
#include <linux/cfi.h>
#include <linux/cpufeature.h>
#include <linux/kernel.h>

#include "dt_shim.h"
#include "shim.h"

enum cfi_mode cfi_mode = CFI_OFF;
u32 dt_cfi_seed = 0x5eed1e55;
struct dt_call_depth dt_call_depth;

/* Where a type hash is in a preamble: movl $hash / subl $hash, %r10d. */
static int dt_cfi_hash_offset(void)
{
	switch (cfi_mode) {
	case CFI_FINEIBT:
		return 7;
	case CFI_KCFI:
		return 1;
	default:
		return -1;
	}
}

/*
 * As the kernel's: read the hash from the preamble before @func.  The
 * harness's own functions have no preamble (gcc), so for them the hash is
 * made up, one per function and never 0, from dt_cfi_seed: a test that
 * finds it in an image knows which function's hash the JIT took.
 */
u32 cfi_get_func_hash(void *func)
{
	u8 *p = (u8 *)func - cfi_get_offset() + dt_cfi_hash_offset();
	u64 x = (unsigned long)func ^ dt_cfi_seed;
	u32 hash;

	if (dt_cfi_hash_offset() < 0)
		return 0;
	if (dt_in_execmem(func)) {
		if (!dt_execmem_readable(p, sizeof(hash)))
			return 0;	/* get_kernel_nofault() failed */
		memcpy(&hash, p, sizeof(hash));
		return hash;
	}
	x *= 0x9e3779b97f4a7c15ULL;
	return (u32)(x >> 32) | 1;
}

#define DT_CALL_THUNK_REL	4	/* offset of the rel32 */

static void dt_call_thunk_gen(u8 *buf, unsigned long ip)
{
	static const u8 tmpl[DT_CALL_THUNK_SIZE] = {
		0x65, 0x48, 0xc1, 0x3d, 0, 0, 0, 0, 0x05,
	};
	long rel = (unsigned long)&dt_call_depth.depth - (ip + DT_CALL_THUNK_SIZE);
	s32 rel32 = rel;

	if (rel != rel32)
		dt_bug(__FILE__, __LINE__, "call thunk out of reach of the call depth");
	memcpy(buf, tmpl, sizeof(tmpl));
	memcpy(buf + DT_CALL_THUNK_REL, &rel32, sizeof(rel32));
}

/* Is the template, relocated, right before @func (callthunks.c)? */
static bool dt_is_callthunk(void *func)
{
	u8 *pad = (u8 *)func - DT_CALL_THUNK_SIZE, buf[DT_CALL_THUNK_SIZE];

	if (dt_in_execmem(func) && !dt_execmem_readable(pad, sizeof(buf)))
		return false;
	dt_call_thunk_gen(buf, (unsigned long)pad);
	return !memcmp(pad, buf, sizeof(buf));
}

int x86_call_depth_emit_accounting(u8 **pprog, void *func, void *ip)
{
	/* thunks_initialized: callthunks_init() runs with the feature only. */
	if (!cpu_feature_enabled(X86_FEATURE_CALL_DEPTH))
		return 0;
	if (func && dt_is_callthunk(func))
		return 0;
	dt_call_thunk_gen(*pprog, (unsigned long)ip);
	*pprog += DT_CALL_THUNK_SIZE;
	return DT_CALL_THUNK_SIZE;
}
