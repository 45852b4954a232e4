// SPDX-License-Identifier: GPL-2.0-only
/*
 * In-kernel benchmark of lib/dispatcher, for real hardware: the same call
 * made directly, through the kernel's own indirect call (its retpoline or
 * other thunk, its CFI check), through INDIRECT_CALL_4() and through a
 * dispatch point whose call site the kernel patches (an inline static
 * call on x86-64), for the patterns of tools/testing/dispatcher's
 * benchmark, with the layout learned first.  Load it and read the table
 * in the kernel log:
 *
 *	modprobe dispatcher_bench [calls=N]
 *
 * Each row is ns/call of one pass of N calls (default 2^22) per method,
 * and the dispatcher's ratio to the indirect call.  Under an emulator
 * (QEMU's TCG) the numbers mean nothing; the module says so when the CPU
 * model is QEMU's.  Loading fails with -EINVAL if any call returned the
 * wrong result, so it is a test as well.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/dispatcher.h>
#include <linux/indirect_call_wrapper.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/string.h>
#if defined(CONFIG_X86_64) && !defined(CONFIG_UML)
#include <linux/processor.h>
#endif

#include "../dispatcher_internal.h"

static unsigned int calls = 1 << 22;
module_param(calls, uint, 0444);
MODULE_PARM_DESC(calls, "Calls per method and row (default 4194304)");

DEFINE_DISPATCHER(dispatcher_bench, u64, u64, a);

/* 1024 targets, db_<5 base-4 digits>, returning a + the digits in octal. */
#define DB_DEF(p)	static noinline u64 db_##p(u64 a) { return a + 0##p; }
#define DB_DEF4(p)	__DISPATCHER_LIST(DB_DEF(p##0) DB_DEF(p##1)		\
					  DB_DEF(p##2) DB_DEF(p##3))
#define DB_DEF16(p)	__DISPATCHER_LIST(DB_DEF4(p##0) DB_DEF4(p##1)	\
					  DB_DEF4(p##2) DB_DEF4(p##3))
#define DB_DEF64(p)	__DISPATCHER_LIST(DB_DEF16(p##0) DB_DEF16(p##1)	\
					  DB_DEF16(p##2) DB_DEF16(p##3))
#define DB_DEF256(p)	__DISPATCHER_LIST(DB_DEF64(p##0) DB_DEF64(p##1)	\
					  DB_DEF64(p##2) DB_DEF64(p##3))
DB_DEF256(0) DB_DEF256(1) DB_DEF256(2) DB_DEF256(3)

#define DB_PTR4(p)	__DISPATCHER_LIST(db_##p##0, db_##p##1, db_##p##2, db_##p##3)
#define DB_PTR16(p)	__DISPATCHER_LIST(DB_PTR4(p##0), DB_PTR4(p##1),	\
					  DB_PTR4(p##2), DB_PTR4(p##3))
#define DB_PTR64(p)	__DISPATCHER_LIST(DB_PTR16(p##0), DB_PTR16(p##1),	\
					  DB_PTR16(p##2), DB_PTR16(p##3))
#define DB_PTR256(p)	__DISPATCHER_LIST(DB_PTR64(p##0), DB_PTR64(p##1),	\
					  DB_PTR64(p##2), DB_PTR64(p##3))

static noinline u64 db_never(u64 a)
{
	return a ^ 0x5a5a;
}

#define DB_NR		1024
#define DB_NEVER	DB_NR

static DISPATCHER_FN_T(dispatcher_bench) const db_tgts[DB_NR + 1] = {
	DB_PTR256(0), DB_PTR256(1), DB_PTR256(2), DB_PTR256(3), db_never
};

/* The call sequence: indices into db_tgts, longer than a predictor learns. */
#define DB_SEQ		65536

enum db_pattern { DB_HOT, DB_UNIFORM, DB_ZIPF, DB_CHAIN, DB_NEVER_REG };

static const char *const db_pattern_names[] = {
	[DB_HOT]	= "hot",
	[DB_UNIFORM]	= "uniform",
	[DB_ZIPF]	= "zipf",
	[DB_CHAIN]	= "tc-chain",
	[DB_NEVER_REG]	= "never",
};

/* The rows: a pattern over nr registered targets. */
static const struct {
	enum db_pattern pattern;
	unsigned int nr;
} db_rows[] = {
	{ DB_HOT, 1 }, { DB_HOT, 16 }, { DB_HOT, 256 }, { DB_HOT, 1024 },
	{ DB_UNIFORM, 4 }, { DB_UNIFORM, 16 }, { DB_UNIFORM, 64 },
	{ DB_UNIFORM, 1024 },
	{ DB_ZIPF, 16 }, { DB_ZIPF, 1024 },
	{ DB_CHAIN, 16 },
	{ DB_NEVER_REG, 16 },
};

static void db_fill(u16 *seq, enum db_pattern pattern, unsigned int nr)
{
	struct rnd_state rnd;
	u32 *cdf = NULL, r;
	unsigned int i, k;

	prandom_seed_state(&rnd, 42);
	if (pattern == DB_ZIPF) {
		cdf = kcalloc(nr, sizeof(*cdf), GFP_KERNEL);
		if (!cdf)
			pattern = DB_UNIFORM;
		for (k = 0; cdf && k < nr; k++)
			cdf[k] = (k ? cdf[k - 1] : 0) + 1000000 / (k + 1);
	}
	for (i = 0; i < DB_SEQ; i++) {
		switch (pattern) {
		case DB_HOT:
			seq[i] = 0;
			break;
		case DB_UNIFORM:
			seq[i] = prandom_u32_state(&rnd) % nr;
			break;
		case DB_ZIPF:
			r = prandom_u32_state(&rnd) % cdf[nr - 1];
			for (k = 0; r >= cdf[k]; k++)
				;
			seq[i] = k;
			break;
		case DB_CHAIN:
			/* Four classifiers, in the same order for every packet. */
			seq[i] = i % 4 * 3;
			break;
		case DB_NEVER_REG:
			seq[i] = DB_NEVER;
			break;
		}
	}
	kfree(cdf);
}

static noinline u64 db_run_direct(const u16 *seq, unsigned int n)
{
	unsigned int i;
	u64 sum = 0;

	for (i = 0; i < n; i++)
		sum += db_00000(i);
	return sum;
}

static noinline u64 db_run_indirect(const u16 *seq, unsigned int n)
{
	DISPATCHER_FN_T(dispatcher_bench) fn;
	unsigned int i;
	u64 sum = 0;

	for (i = 0; i < n; i++) {
		fn = db_tgts[seq[i % DB_SEQ]];
		OPTIMIZER_HIDE_VAR(fn);
		sum += fn(i);
	}
	return sum;
}

static noinline u64 db_run_icall4(const u16 *seq, unsigned int n)
{
	DISPATCHER_FN_T(dispatcher_bench) fn;
	unsigned int i;
	u64 sum = 0;

	for (i = 0; i < n; i++) {
		fn = db_tgts[seq[i % DB_SEQ]];
		OPTIMIZER_HIDE_VAR(fn);
		sum += INDIRECT_CALL_4(fn, db_00000, db_00001, db_00002,
				       db_00003, i);
	}
	return sum;
}

static noinline u64 db_run_dispatcher(const u16 *seq, unsigned int n)
{
	DISPATCHER_FN_T(dispatcher_bench) fn;
	unsigned int i;
	u64 sum = 0;

	for (i = 0; i < n; i++) {
		fn = db_tgts[seq[i % DB_SEQ]];
		OPTIMIZER_HIDE_VAR(fn);
		sum += dispatcher_call(dispatcher_bench, fn, i);
	}
	return sum;
}

/* ns per call of @run over @seq, in hundredths; @sum gets its result. */
static u64 db_time(u64 (*run)(const u16 *seq, unsigned int n),
		   const u16 *seq, u64 *sum)
{
	u64 t;

	preempt_disable();
	t = ktime_get_ns();
	*sum = run(seq, calls);
	t = ktime_get_ns() - t;
	preempt_enable();
	cond_resched();
	return div_u64(t * 100, calls);
}

/* Let the dispatch point learn @seq: a window's worth of calls, then wait. */
static bool db_settle(const u16 *seq)
{
	struct dispatcher *d = &DISPATCHER(dispatcher_bench);
	unsigned int i;

	for (i = 0; i < 200; i++) {
		db_run_dispatcher(seq, min(calls, 65536U));
		if (!d->learn || READ_ONCE(d->learn->state) != DISPATCHER_LEARN_WINDOW)
			return true;
		msleep(20);
	}
	return false;
}

/* @x hundredths as "nnnn.nn", in @buf of 24 bytes. */
static const char *db_ns(char *buf, u64 x)
{
	snprintf(buf, 24, "%4llu.%02llu", div_u64(x, 100), x % 100);
	return buf;
}

static int db_row(u16 *seq, enum db_pattern pattern, unsigned int nr)
{
	struct dispatcher *d = &DISPATCHER(dispatcher_bench);
	u64 t_dir = 0, t_ind, t_ic4, t_disp, s_dir = 0, s_ind, s_ic4, s_disp;
	unsigned int k, hot = 0, tree = 0;
	char b[5][24];
	bool settled;
	int ret = 0;

	for (k = 0; k < nr && !ret; k++)
		ret = dispatcher_register(dispatcher_bench, db_tgts[k]);
	if (ret) {
		pr_err("registering %u targets failed: %d\n", nr, ret);
		goto out;
	}
	db_fill(seq, pattern, nr);
	settled = db_settle(seq);
	scoped_guard(mutex, &d->mutex) {
		if (d->image) {
			hot = d->image->plan.nr_hot;
			tree = d->image->plan.nr_tree;
		}
	}

	if (pattern == DB_HOT)
		t_dir = db_time(db_run_direct, seq, &s_dir);
	t_ind = db_time(db_run_indirect, seq, &s_ind);
	t_ic4 = db_time(db_run_icall4, seq, &s_ic4);
	t_disp = db_time(db_run_dispatcher, seq, &s_disp);
	if (s_ind != s_ic4 || s_ind != s_disp ||
	    (pattern == DB_HOT && s_dir != s_ind)) {
		pr_err("%s over %u: wrong results\n", db_pattern_names[pattern], nr);
		ret = -EINVAL;
	}
	pr_info("%-8s %5u %s %s %s %s  %sx  %2u hot %4u tree%s\n",
		db_pattern_names[pattern], nr, db_ns(b[0], t_dir),
		db_ns(b[1], t_ind), db_ns(b[2], t_ic4), db_ns(b[3], t_disp),
		db_ns(b[4], div64_u64(t_disp * 100, t_ind ?: 1)), hot, tree,
		settled ? "" : " (still learning)");
out:
	while (k--)
		dispatcher_unregister(dispatcher_bench, db_tgts[k]);
	dispatcher_barrier();
	return ret;
}

static int __init dispatcher_bench_init(void)
{
	unsigned int i;
	u16 *seq;
	int ret = 0;

	if (!calls)
		return -EINVAL;
	seq = kvmalloc_array(DB_SEQ, sizeof(*seq), GFP_KERNEL);
	if (!seq)
		return -ENOMEM;
#if defined(CONFIG_X86_64) && !defined(CONFIG_UML)
	if (strstr(boot_cpu_data.x86_model_id, "QEMU"))
		pr_info("QEMU's CPU model: an emulator's timings mean nothing, this only shows the benchmark runs\n");
#endif
	pr_info("%u calls per method, ns/call; layout: targets in the image\n",
		calls);
	pr_info("pattern  targets  direct indirect  icall4 dispatcher  disp/ind  layout\n");
	for (i = 0; i < ARRAY_SIZE(db_rows) && !ret; i++)
		ret = db_row(seq, db_rows[i].pattern, db_rows[i].nr);
	kvfree(seq);
	return ret;
}

static void __exit dispatcher_bench_exit(void)
{
}

module_init(dispatcher_bench_init);
module_exit(dispatcher_bench_exit);

MODULE_DESCRIPTION("Benchmark of the generic dispatcher against indirect calls");
MODULE_LICENSE("GPL");
