// SPDX-License-Identifier: GPL-2.0
/*
 * DESIGN §3.4 with threads: caller threads call every target, registered
 * or not, continuously, while the test thread registers, unregisters and
 * replaces targets (each capped at two users, so that most operations
 * rebuild the image), flips dispatcher=on|off and the CPU's mitigation now
 * and then.  Updates in a row outrun the grace periods, and beyond
 * DISPATCHER_MAX_RETIRING retiring images they build none (deferred: the
 * default function until a work item builds the image); in every other
 * block of 8192 operations a barrier every 8 lets each update build its
 * image.  Each caller reports a quiescent state after each round of
 * calls, as a kernel thread in such a loop must
 * (cond_resched_tasks_rcu_qs()).  0 wrong results; the reference counts
 * agree with a model at the end; nothing is left allocated but the one
 * empty pack kept.
 */
#include <pthread.h>
#include <time.h>

#include "common.h"

DEFINE_DISPATCHER(t_churn, long, long, a, long, b);

/* Target k returns a * 3 + b + its number * 1000. */
static noinline long churn_10(long a, long b) { return a * 3 + b + 10000; }
static noinline long churn_11(long a, long b) { return a * 3 + b + 11000; }
static noinline long churn_12(long a, long b) { return a * 3 + b + 12000; }
static noinline long churn_13(long a, long b) { return a * 3 + b + 13000; }
static noinline long churn_14(long a, long b) { return a * 3 + b + 14000; }
static noinline long churn_15(long a, long b) { return a * 3 + b + 15000; }
static noinline long churn_16(long a, long b) { return a * 3 + b + 16000; }
static noinline long churn_17(long a, long b) { return a * 3 + b + 17000; }
static noinline long churn_20(long a, long b) { return a * 3 + b + 20000; }
static noinline long churn_21(long a, long b) { return a * 3 + b + 21000; }
static noinline long churn_22(long a, long b) { return a * 3 + b + 22000; }
static noinline long churn_23(long a, long b) { return a * 3 + b + 23000; }
static noinline long churn_24(long a, long b) { return a * 3 + b + 24000; }
static noinline long churn_25(long a, long b) { return a * 3 + b + 25000; }
static noinline long churn_26(long a, long b) { return a * 3 + b + 26000; }
static noinline long churn_27(long a, long b) { return a * 3 + b + 27000; }
static noinline long churn_30(long a, long b) { return a * 3 + b + 30000; }
static noinline long churn_31(long a, long b) { return a * 3 + b + 31000; }
static noinline long churn_32(long a, long b) { return a * 3 + b + 32000; }
static noinline long churn_33(long a, long b) { return a * 3 + b + 33000; }
static noinline long churn_34(long a, long b) { return a * 3 + b + 34000; }
static noinline long churn_35(long a, long b) { return a * 3 + b + 35000; }
static noinline long churn_36(long a, long b) { return a * 3 + b + 36000; }
static noinline long churn_37(long a, long b) { return a * 3 + b + 37000; }

/* The first 16 are registered at times, the other 8 never. */
static long (*const ctgts[])(long, long) = {
	churn_10, churn_11, churn_12, churn_13, churn_14, churn_15, churn_16,
	churn_17, churn_20, churn_21, churn_22, churn_23, churn_24, churn_25,
	churn_26, churn_27, churn_30, churn_31, churn_32, churn_33, churn_34,
	churn_35, churn_36, churn_37
};

#define NR_REG		16
#define NR_CALLERS	2

struct churn {
	int stop;
	unsigned long wrong;
	unsigned long calls;
};

static void *caller_main(void *arg)
{
	struct churn *c = arg;
	unsigned long calls = 0, wrong = 0;
	long a = (long)pthread_self();
	unsigned int k;

	dt_rcu_register_thread();
	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED)) {
		for (k = 0; k < ARRAY_SIZE(ctgts); k++, a++)
			wrong += dispatcher_call(t_churn, ctgts[k], a, k) !=
				 a * 3 + k + ((k / 8 + 1) * 10 + k % 8) * 1000;
		calls += ARRAY_SIZE(ctgts);
		/* Between rounds, no image of ours is on this stack. */
		dt_rcu_quiescent_state();
	}
	dt_rcu_unregister_thread();
	__atomic_add_fetch(&c->wrong, wrong, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->calls, calls, __ATOMIC_RELAXED);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

DT_TEST(churn_threads)
{
	unsigned long ops = dt_env("DT_CHURN_OPS", 50000), i;
	unsigned long saved_caps = dt_cpu_caps, updates, int3 = dt_sct_int3_hits;
	unsigned long deferred, allocs = dt_execmem_allocs, events = dt_ksym_events;
	long named = dt_ksym_registered;
	unsigned long gps = dt_rcu_gp_completed;
	struct dispatcher *d = &DISPATCHER(t_churn);
	unsigned int users[NR_REG] = {}, k, x, y;
	pthread_t callers[NR_CALLERS];
	struct churn c = {};
	u64 rnd = dt_env("DT_SEED", 42) | 1;
	double start = now(), limit = dt_env("DT_CHURN_SECONDS", 20);
	char first[256];
	int ret = 0;

	updates = d->nr_updates;
	deferred = d->nr_deferred;
	for (k = 0; k < NR_CALLERS; k++)
		ASSERT_EQ(pthread_create(&callers[k], NULL, caller_main, &c), 0);

	for (i = 0; i < ops && !ret; i++) {
		x = dt_rand_below(&rnd, NR_REG);
		y = dt_rand_below(&rnd, NR_REG);
		switch (users[x] ? dt_rand_below(&rnd, 3) : 0) {
		case 0:
			if (users[x] < 2) {
				ret = dispatcher_register(t_churn, ctgts[x]);
				users[x]++;
				break;
			}
			fallthrough;
		case 1:
			ret = dispatcher_unregister(t_churn, ctgts[x]);
			users[x]--;
			break;
		default:
			if (users[y] == 2)
				y = x;	/* replace with itself: a no-op */
			ret = dispatcher_replace(t_churn, ctgts[x], ctgts[y]);
			users[x]--;
			users[y]++;
			break;
		}
		/* Now and then no image at all, or another mitigation. */
		if (i % 4096 == 4095) {
			dt_cpu_caps = DT_CAP(X86_FEATURE_ALWAYS) |
				DT_CAP(X86_FEATURE_RETPOLINE) |
				(i & 4096 ? DT_CAP(X86_FEATURE_RETPOLINE_LFENCE) :
					    DT_CAP(X86_FEATURE_CALL_DEPTH));
			dt_boot_param(i % 3 ? "dispatcher=auto" : "dispatcher=off");
		}
		if ((i & 8192) && i % 8 == 7)
			dispatcher_barrier();
		if (!(i % 1024) && now() - start > limit)
			break;
	}
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELAXED);
	for (k = 0; k < NR_CALLERS; k++)
		pthread_join(callers[k], NULL);
	dt_info("%lu operations, %lu rebuilds in %.1f s; %lu calls on %u threads, %lu wrong;",
		i, d->nr_updates - updates, now() - start, c.calls, NR_CALLERS,
		c.wrong);
	dt_info("%lu RCU grace periods; %lu calls met the int3 of a static call update;",
		dt_rcu_gp_completed - gps, dt_sct_int3_hits - int3);
	dt_info("%lu images built, %lu updates deferred (too many images retiring); %lu packs allocated",
		/* each image is an "add" event, and a "del" once freed */
		(dt_ksym_events - events + dt_ksym_registered - named) / 2,
		d->nr_deferred - deferred,
		dt_execmem_allocs - allocs);
	EXPECT_EQ(ret, 0);
	EXPECT_EQ(c.wrong, 0);
	EXPECT_GT(c.calls, 0);
	EXPECT_GT(i, 1000);
	EXPECT_EQ(dt_count_wx_mappings(first, sizeof(first)), 0);

	/* The dispatcher agrees with the model, then is emptied. */
	for (k = 0; k < NR_REG; k++) {
		EXPECT_EQ(dt_users(d, ctgts[k]), users[k]);
		while (users[k]--)
			EXPECT_EQ(dispatcher_unregister(t_churn, ctgts[k]), 0);
	}
	EXPECT_EQ(d->nr_targets, 0);
	dt_cpu_caps = saved_caps;
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
}
