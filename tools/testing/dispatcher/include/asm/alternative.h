/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_ASM_ALTERNATIVE_H
#define _DT_SHIM_ASM_ALTERNATIVE_H

#include <linux/types.h>

/*
 * arch/x86/kernel/callthunks.c: write the accounting of a call thunk (the
 * template callthunks.c puts in the padding before a function) at *@pprog
 * for code that will run at @ip, and advance *@pprog; its length, 0 when
 * call depth tracking is off or @func is a call thunk already.  See
 * shim/x86.c.
 */
int x86_call_depth_emit_accounting(u8 **pprog, void *func, void *ip);

#endif /* _DT_SHIM_ASM_ALTERNATIVE_H */
