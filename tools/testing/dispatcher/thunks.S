/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's indirect branch thunks (arch/x86/lib/retpoline.S), for
 * userspace: real retpolines, one per register in machine order, 32 bytes
 * apart, so that __x86_indirect_thunk_array[reg] is what the JIT expects
 * and "gcc -mindirect-branch=thunk-extern" finds __x86_indirect_thunk_<reg>.
 * The jump-thunk array is what the kernel uses with call depth tracking
 * (without the accounting, which userspace does not need), the ITS array
 * holds "jmp *%reg" in the upper half of a cache line.
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

	.globl	__x86_indirect_jump_thunk_array
__x86_indirect_jump_thunk_array:
	.irp reg, rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15
	THUNK	__x86_indirect_jump_thunk_, \reg
	.endr
	.balign	32, 0xcc

	.globl	__x86_indirect_call_thunk_array
__x86_indirect_call_thunk_array:
	.irp reg, rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15
	THUNK	__x86_indirect_call_thunk_, \reg
	.endr
	.balign	32, 0xcc

	.balign	64, 0xcc
	.skip	32, 0xcc
	.globl	__x86_indirect_its_thunk_array
__x86_indirect_its_thunk_array:
	.irp reg, rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15
	.globl	__x86_indirect_its_thunk_\reg
__x86_indirect_its_thunk_\reg:
	jmp	*%\reg
	int3
	.balign	32, 0xcc
	.skip	32, 0xcc
	.endr

	.section .note.GNU-stack, "", @progbits
