/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86's out-of-line static calls: static_call(name)(...) is a direct call
 * to the trampoline "__SCT__name", a "jmp rel32" in the section
 * dt_static_call, and __static_call_update() rewrites that jump while other
 * threads may be executing it, with the int3 protocol of the kernel's
 * text_poke_bp() (see text.c).  The kernel may patch call sites inline
 * as well; here a C call goes through the trampoline, one direct jump more
 * than the kernel's best case.  Code that wants the inline case (the
 * benchmark) writes the call site itself, in assembly, with
 * DT_STATIC_CALL_SITE below: __static_call_update() then rewrites that
 * "call rel32" to call the new function directly, as the kernel rewrites
 * the call sites objtool recorded in .static_call_sites.
 */
#ifndef _DT_SHIM_LINUX_STATIC_CALL_H
#define _DT_SHIM_LINUX_STATIC_CALL_H

#include <linux/compiler.h>
#include <linux/stringify.h>
#include <linux/types.h>

struct static_call_key {
	void *func;
};

#define STATIC_CALL_KEY(name)		__PASTE(__SCK__, name)
#define STATIC_CALL_TRAMP(name)		__PASTE(__SCT__, name)
#define STATIC_CALL_TRAMP_STR(name)	__stringify(STATIC_CALL_TRAMP(name))
#define STATIC_CALL_TRAMP_ADDR(name)	((void *)&STATIC_CALL_TRAMP(name))

/* Trampolines are 8 bytes apart: dt_static_call_init() relies on it. */
#define DT_STATIC_CALL_TRAMP_SIZE	8

#define DECLARE_STATIC_CALL(name, func)					\
	extern struct static_call_key STATIC_CALL_KEY(name);		\
	extern typeof(func) STATIC_CALL_TRAMP(name)

/* jmp func; ud1 %esp, %ecx (as the kernel's trampolines end) */
#define __DT_STATIC_CALL_TRAMP(name, func)				\
	asm(".pushsection dt_static_call, \"ax\"\n"			\
	    ".balign 8\n"						\
	    ".globl " STATIC_CALL_TRAMP_STR(name) "\n"			\
	    ".type " STATIC_CALL_TRAMP_STR(name) ", @function\n"	\
	    STATIC_CALL_TRAMP_STR(name) ":\n"				\
	    ".byte 0xe9\n"						\
	    ".long " #func " - (. + 4)\n"				\
	    ".byte 0x0f, 0xb9, 0xcc\n"					\
	    ".size " STATIC_CALL_TRAMP_STR(name) ", 8\n"		\
	    ".popsection\n")

#define DEFINE_STATIC_CALL(name, _func)					\
	DECLARE_STATIC_CALL(name, _func);				\
	struct static_call_key STATIC_CALL_KEY(name) = {		\
		.func = _func,						\
	};								\
	__DT_STATIC_CALL_TRAMP(name, _func)

/* A direct call of the trampoline. */
#define static_call(sc)		STATIC_CALL_TRAMP(sc)

void __static_call_update(struct static_call_key *key, void *tramp,
			  void *func);

/*
 * An inline call site, as the kernel's struct static_call_site: the
 * "call rel32" at @addr calls what @key says.  Recorded, from assembly, by
 *
 *	.pushsection dt_static_call_text, "ax"	// text the shim can patch
 *	...
 *	1: call __SCT__<name>			// 5 bytes, e8 rel32
 *	.pushsection dt_static_call_sites, "a"
 *	.long 1b - ., __SCK__<name> - .
 *	.popsection
 *
 * The shim remaps dt_static_call_text onto a memfd at start-up, points
 * every site at its key's function, and rewrites the sites of a key at each
 * __static_call_update() with the text_poke_bp() protocol, in one batch
 * with the trampoline.  A site must not share a page with other text the
 * shim remaps: start and end its part of the section on a page boundary.
 */
struct dt_static_call_site {
	s32 addr;	/* of the call instruction, relative to this field */
	s32 key;	/* of the static_call_key, relative to this field */
};

#define static_call_update(name, func)					\
	__static_call_update(&STATIC_CALL_KEY(name),			\
			     STATIC_CALL_TRAMP_ADDR(name), func)

#endif /* _DT_SHIM_LINUX_STATIC_CALL_H */
