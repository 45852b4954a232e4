/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86's out-of-line static calls: static_call(name)(...) is a direct call
 * to the trampoline "__SCT__name", a "jmp rel32" in the section
 * dt_static_call, and __static_call_update() rewrites that jump while other
 * threads may be executing it, with the int3 protocol of the kernel's
 * text_poke_bp() (see text.c).  The kernel may patch call sites inline
 * as well; here every call goes through the trampoline, one direct jump
 * more than the kernel's best case.
 */
#ifndef _DT_SHIM_LINUX_STATIC_CALL_H
#define _DT_SHIM_LINUX_STATIC_CALL_H

#include <linux/compiler.h>
#include <linux/stringify.h>

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

#define static_call_update(name, func)					\
	__static_call_update(&STATIC_CALL_KEY(name),			\
			     STATIC_CALL_TRAMP_ADDR(name), func)

#endif /* _DT_SHIM_LINUX_STATIC_CALL_H */
