/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bt_0000 behind 1, 2 and 3 direct jumps: what each taken jump on the
 * dispatcher's way to a target costs (the dispatch function's tail jump,
 * the static call trampoline, the image's je).
 */
	.text
	.balign	64
	.globl	bench_jmp1, bench_jmp2, bench_jmp3
	.type	bench_jmp1, @function
bench_jmp1:
	jmp	bt_0000
	.balign	64
	.type	bench_jmp2, @function
bench_jmp2:
	jmp	bench_jmp1
	.balign	64
	.type	bench_jmp3, @function
bench_jmp3:
	jmp	bench_jmp2

	.section .note.GNU-stack, "", @progbits
