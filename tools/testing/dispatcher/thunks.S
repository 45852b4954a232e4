/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's retpoline thunks (arch/x86/lib/retpoline.S), for userspace:
 * real retpolines, one per register in machine order, 32 bytes apart, so
 * that code built with "gcc -mindirect-branch=thunk-extern" (the
 * benchmark's, and with it the default function of its dispatch point,
 * which makes every call an image does not jump to directly) finds
 * __x86_indirect_thunk_<reg> where the kernel has it.  Images themselves
 * hold no indirect branch and use no thunk.
 */

	.section .text.__x86.indirect_thunk, "ax"

/* call; capture speculation in int3; replace the return address; ret */
.macro POLINE reg
	call	.Ldo_rop_\@
	int3
.Ldo_rop_\@:
	mov	%\reg, (%rsp)
.endm

.macro THUNK prefix, reg
	.balign	32, 0xcc
	.globl	\prefix\reg
	.type	\prefix\reg, @function
\prefix\reg:
	POLINE	\reg
	ret
	int3
	.size	\prefix\reg, . - \prefix\reg
.endm

	.balign	32, 0xcc
	.globl	__x86_indirect_thunk_array
__x86_indirect_thunk_array:
	.irp reg, rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15
	THUNK	__x86_indirect_thunk_, \reg
	.endr
	.balign	32, 0xcc

	.section .note.GNU-stack, "", @progbits
