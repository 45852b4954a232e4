// SPDX-License-Identifier: GPL-2.0
/*
 * The loops built with -mindirect-branch=thunk-extern, as the kernel is
 * with CONFIG_MITIGATION_RETPOLINE: every indirect call here goes through
 * __x86_indirect_thunk_<reg>, a real retpoline (thunks.S).  The dispatch
 * points are defined here too, so that their default functions, which
 * make the call when there is no image and where an image sends a target
 * it has no leaf for, call through a retpoline as well.
 */
#include <linux/indirect_call_wrapper.h>

#include "bench.h"

DEFINE_DISPATCHER(bench, unsigned long, unsigned long, a, unsigned long, b);
DEFINE_DISPATCHER_FLAGS(bench_tree, DISPATCHER_F_NO_LEARN, unsigned long,
			unsigned long, a, unsigned long, b);

unsigned long bench_retpoline(const bench_fn *seq, unsigned long n,
			      unsigned long mask, unsigned long acc)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		acc = seq[i & mask](acc, i);
	return acc;
}

/* include/net/tc_wrapper.h's way: compare with four known targets first. */
unsigned long bench_icall4(const bench_fn *seq, unsigned long n,
			   unsigned long mask, unsigned long acc)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		acc = INDIRECT_CALL_4(seq[i & mask], bt_0000, bt_0001, bt_0002,
				      bt_0003, acc, i);
	return acc;
}

unsigned long bench_dispatcher(const bench_fn *seq, unsigned long n,
			       unsigned long mask, unsigned long acc)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		acc = dispatcher_call(bench, seq[i & mask], acc, i);
	return acc;
}
