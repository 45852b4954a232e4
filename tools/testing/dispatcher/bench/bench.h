/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_BENCH_H
#define _DT_BENCH_H

#include <linux/dispatcher.h>

typedef unsigned long (*bench_fn)(unsigned long a, unsigned long b);

/* bench_targets[0..1023] get registered; [1024] never is (gen-targets.sh). */
#define BENCH_TARGETS	1024
extern const bench_fn bench_targets[BENCH_TARGETS + 1];

unsigned long bt_0000(unsigned long a, unsigned long b);
unsigned long bt_0001(unsigned long a, unsigned long b);
unsigned long bt_0002(unsigned long a, unsigned long b);
unsigned long bt_0003(unsigned long a, unsigned long b);

/* bt_0000 behind 1, 2, 3 jumps (jumps.S). */
unsigned long bench_jmp1(unsigned long a, unsigned long b);
unsigned long bench_jmp2(unsigned long a, unsigned long b);
unsigned long bench_jmp3(unsigned long a, unsigned long b);

/*
 * Two dispatch points of the same prototype: "bench" learns its layout,
 * "bench_tree" (DISPATCHER_F_NO_LEARN) always has the balanced tree over
 * its registered targets.
 */
DECLARE_DISPATCHER(bench, unsigned long, unsigned long, a, unsigned long, b);
DECLARE_DISPATCHER(bench_tree, unsigned long, unsigned long, a, unsigned long, b);

/*
 * One loop per method: @n calls, the i-th to @seq[i & @mask] (or, for
 * "direct", always to bt_0000), each taking the previous result, so that
 * the calls run one after the other.  Returns the last result.
 */
unsigned long bench_direct(const bench_fn *seq, unsigned long n,
			   unsigned long mask, unsigned long acc);
unsigned long bench_indirect(const bench_fn *seq, unsigned long n,
			     unsigned long mask, unsigned long acc);
unsigned long bench_retpoline(const bench_fn *seq, unsigned long n,
			      unsigned long mask, unsigned long acc);
unsigned long bench_icall4(const bench_fn *seq, unsigned long n,
			   unsigned long mask, unsigned long acc);
unsigned long bench_dispatcher(const bench_fn *seq, unsigned long n,
			       unsigned long mask, unsigned long acc);
unsigned long bench_direct_jmp1(const bench_fn *seq, unsigned long n,
				unsigned long mask, unsigned long acc);
unsigned long bench_direct_jmp2(const bench_fn *seq, unsigned long n,
				unsigned long mask, unsigned long acc);
unsigned long bench_direct_jmp3(const bench_fn *seq, unsigned long n,
				unsigned long mask, unsigned long acc);

/*
 * sites.S: the dispatcher loops with the call site an inline static call
 * leaves, a "call rel32" the shim points at the static_call's function:
 * of "bench" (learned layouts) and of "bench_tree" (the balanced tree).
 */
unsigned long bench_sc_learned(const bench_fn *seq, unsigned long n,
			       unsigned long mask, unsigned long acc);
unsigned long bench_sc_tree(const bench_fn *seq, unsigned long n,
			    unsigned long mask, unsigned long acc);
/*
 * sites.S: a hot target at the head of a chain, "cmp; je target" and
 * "cmp; jne next; jmp target", called from the same loop as bt_0000
 * itself (jmp0); and a loop of plain indirect calls through a table of
 * stubs, for copies of those written at run time.
 */
unsigned long bench_loop_je(const bench_fn *seq, unsigned long n,
			    unsigned long mask, unsigned long acc);
unsigned long bench_loop_jne(const bench_fn *seq, unsigned long n,
			     unsigned long mask, unsigned long acc);
unsigned long bench_loop_jmp0(const bench_fn *seq, unsigned long n,
			      unsigned long mask, unsigned long acc);
unsigned long bench_loop_stubs(const bench_fn *stubs, unsigned long n,
			       unsigned long mask, unsigned long acc);
void __x86_indirect_thunk_rdx(void);

#endif /* _DT_BENCH_H */
