// SPDX-License-Identifier: GPL-2.0
/*
 * The loops built without retpolines: the direct call and the plain
 * indirect call, as a kernel without CONFIG_MITIGATION_RETPOLINE (or with
 * eIBRS) would make them.
 */
#include "bench.h"

unsigned long bench_direct(const bench_fn *seq, unsigned long n,
			   unsigned long mask, unsigned long acc)
{
	unsigned long i;

	/* The same arguments as the others, to the same target always. */
	for (i = 0; i < n; i++)
		acc = bt_0000(acc, i);
	return acc;
}

unsigned long bench_indirect(const bench_fn *seq, unsigned long n,
			     unsigned long mask, unsigned long acc)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		acc = seq[i & mask](acc, i);
	return acc;
}

/* The direct call of bench_direct() through 1 to 3 more jumps (jumps.S). */
#define BENCH_JMP(k)							\
unsigned long bench_direct_jmp##k(const bench_fn *seq, unsigned long n,	\
				  unsigned long mask, unsigned long acc) \
{									\
	unsigned long i;						\
									\
	for (i = 0; i < n; i++)						\
		acc = bench_jmp##k(acc, i);				\
	return acc;							\
}

BENCH_JMP(1)
BENCH_JMP(2)
BENCH_JMP(3)
