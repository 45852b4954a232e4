/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark's dispatcher loops, with the call site an inline static
 * call would leave: dispatcher_call() reduced to one "call rel32" from the
 * loop, rewritten by the shim to call what the static_call key says (the
 * image's entry, the learning function, the default function) at every
 * __static_call_update(), as the kernel rewrites the sites objtool
 * recorded in .static_call_sites.  So a call enters the image directly,
 * with nothing in between: no dispatch function, no trampoline.
 *
 * Each loop is the one gcc -O2 makes of
 *
 *	for (i = 0; i < n; i++)
 *		acc = dispatcher_call(bench, seq[i & mask], acc, i);
 *
 * (bench_dispatcher() in loops_retpoline.c), instruction for instruction,
 * with the call of the dispatch function replaced by the patched call.
 * The arguments are those of the static_call: (acc, i, fn), fn in %rdx.
 *
 * Also here: a hot target at the head of a chain as the JIT emits it,
 * "cmp; je target", against "cmp; jne next; jmp target".
 */
	.section dt_static_call_text, "ax"
	/* Pages of their own: the shim remaps them to patch the sites. */
	.balign	4096

/*
 * unsigned long name(const bench_fn *seq, unsigned long n, unsigned long mask,
 *		      unsigned long acc): LOOP_HEAD, one call with the
 * arguments (acc, i, fn) in %rdi, %rsi, %rdx, LOOP_TAIL.
 */
.macro	LOOP_HEAD name
	.balign	64
	.globl	\name
	.type	\name, @function
\name:
	push	%r13
	push	%r12
	mov	%rdi, %r12
	mov	%rcx, %rdi
	push	%rbp
	push	%rbx
	sub	$8, %rsp
	test	%rsi, %rsi
	je	2f
	mov	%rsi, %rbp
	mov	%rdx, %r13
	xor	%ebx, %ebx
	.balign	64
1:	mov	%r13, %rax
	mov	%rbx, %rsi
	and	%rbx, %rax
	add	$1, %rbx
.endm

.macro	LOOP_TAIL name
	mov	%rax, %rdi
	cmp	%rbx, %rbp
	jne	1b
2:	add	$8, %rsp
	mov	%rdi, %rax
	pop	%rbx
	pop	%rbp
	pop	%r12
	pop	%r13
	ret
	int3
	.size	\name, . - \name
.endm

/* The loop with fn = seq[i & mask], called through @key's inline site. */
.macro	SITE_LOOP name, key
	LOOP_HEAD \name
	mov	(%r12,%rax,8), %rdx
3:	call	__SCT__\key		/* patched: calls key->func */
	.pushsection dt_static_call_sites, "a"
	.balign	4
	.long	3b - ., __SCK__\key - .
	.popsection
	LOOP_TAIL \name
.endm

	SITE_LOOP bench_sc_learned, dispatcher_sc_bench
	SITE_LOOP bench_sc_tree, dispatcher_sc_bench_tree

	.balign	4096

	.text
/*
 * The same loop, calling @stub directly (fn = seq[i & mask] in %rdx): for
 * the head-of-chain stubs below.
 */
.macro	STUB_LOOP name, stub
	LOOP_HEAD \name
	mov	(%r12,%rax,8), %rdx
	call	\stub
	LOOP_TAIL \name
.endm

/*
 * A hot target at the head of a chain, both ways, with rel32 branches as
 * the JIT emits them; a miss leaves through the retpoline, as the default
 * function's call would.
 */
	.balign	64
	.globl	bench_head_je
	.type	bench_head_je, @function
bench_head_je:
	cmp	$bt_0000, %rdx
	.byte	0x0f, 0x84		/* je rel32 */
	.long	bt_0000 - (. + 4)
	jmp	__x86_indirect_thunk_rdx
	int3
	.size	bench_head_je, . - bench_head_je

	.balign	64
	.globl	bench_head_jne
	.type	bench_head_jne, @function
bench_head_jne:
	cmp	$bt_0000, %rdx
	.byte	0x0f, 0x85		/* jne rel32 */
	.long	1f - (. + 4)
	jmp	bt_0000
1:	jmp	__x86_indirect_thunk_rdx
	int3
	.size	bench_head_jne, . - bench_head_jne

	STUB_LOOP bench_loop_je, bench_head_je
	STUB_LOOP bench_loop_jne, bench_head_jne
	STUB_LOOP bench_loop_jmp0, bt_0000

/*
 * Cold: each call through a different copy of a stub, copies 64 bytes
 * apart (the benchmark writes them, see time_jcc()), so that their
 * branches are new to the predictor; (stubs, n, mask, acc), %rdx =
 * bt_0000, a plain indirect call of stubs[i & mask].
 */
	LOOP_HEAD bench_loop_stubs
	mov	$bt_0000, %edx
	call	*(%r12,%rax,8)
	LOOP_TAIL bench_loop_stubs

	.section .note.GNU-stack, "", @progbits
