// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of learned layouts (lib/dispatcher/learn.c): the profile a
 * window records, the layout chosen from it, read back from the image's
 * plan (never from timing), the cap, the tunables, windows that close and
 * open by themselves, and calls that stay right through all of it.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/dispatcher.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#include "../dispatcher_internal.h"
#include "dispatcher_kunit.h"

DEFINE_DISPATCHER(kunit_learn, int, int, a, int, b);
DEFINE_DISPATCHER_FLAGS(kunit_fixed, DISPATCHER_F_NO_LEARN, int, int, a,
			int, b);

static const char *const learn_tunables[] = {
	"learn", "learn_calls", "learn_period_ms", "max_targets",
};

static unsigned int learn_saved[ARRAY_SIZE(learn_tunables)];
static enum dispatcher_mode learn_saved_mode;

static void learn_set(struct kunit *test, const char *name, const char *val)
{
	KUNIT_ASSERT_EQ_MSG(test, dispatcher_tunable(name, val, NULL), 0,
			    "%s=%s", name, val);
}

/*
 * Learning on, a window closes only when a case says so (or after 2^24
 * calls), no periodic window, the default cap; images built whatever the
 * CPU.
 */
static int learn_suite_init(struct kunit_suite *suite)
{
	static const char *const vals[] = { "1", "16777216", "3600000", "64" };
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(learn_tunables); i++) {
		ret = dispatcher_tunable(learn_tunables[i], vals[i],
					 &learn_saved[i]);
		if (ret)
			return ret;
	}
	learn_saved_mode = dispatcher_mode;
	dispatcher_mode = DISPATCHER_MODE_ON;
	return 0;
}

static void learn_suite_exit(struct kunit_suite *suite)
{
	char val[16];
	unsigned int i;

	dispatcher_mode = learn_saved_mode;
	for (i = 0; i < ARRAY_SIZE(learn_tunables); i++) {
		snprintf(val, sizeof(val), "%u", learn_saved[i]);
		dispatcher_tunable(learn_tunables[i], val, NULL);
	}
}

static int learn_init(struct kunit *test)
{
	if (!IS_ENABLED(CONFIG_DISPATCHER_JIT))
		kunit_skip(test, "learning lays out images: needs a JIT");
	dispatcher_barrier();
	return 0;
}

/* Is @fn placed in @img, on the hot chain or in the tree? */
static bool learn_placed(struct dispatcher_image *img, void *fn)
{
	unsigned int i;

	for (i = 0; img && i < img->plan.nr_hot; i++)
		if (img->plan.hot[i] == (unsigned long)fn)
			return true;
	for (i = 0; img && i < img->plan.nr_tree; i++)
		if (img->plan.tree[i].addr == (unsigned long)fn)
			return true;
	return false;
}

static unsigned int learn_nr_placed(struct dispatcher_image *img)
{
	return img ? img->plan.nr_hot + img->plan.nr_tree : 0;
}

/* Call @fn through kunit_learn; false if the result is wrong. */
static bool learn_call(DISPATCHER_FN_T(kunit_learn) fn, int a, int b)
{
	return dispatcher_call(kunit_learn, fn, a, b) == fn(a, b);
}

static void learn_register(struct kunit *test, DISPATCHER_FN_T(kunit_learn) fn)
{
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_learn, fn), 0);
}

static void learn_unregister(struct kunit *test, DISPATCHER_FN_T(kunit_learn) fn)
{
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_learn, fn), 0);
}

/* Every one of @nr test targets, and one never registered, is called right. */
static void learn_expect_right(struct kunit *test, unsigned int nr)
{
	unsigned int k, wrong = 0;

	for (k = 0; k < nr; k++)
		wrong += !learn_call(k < DK_NR_TGTS ? dk_tgts[k] :
				     dk_more[k - DK_NR_TGTS], k, 7);
	wrong += !learn_call(dk_tgts[DK_NR_TGTS], 1, 2);
	KUNIT_EXPECT_EQ(test, wrong, 0);
}

/*
 * A skewed workload: after the window the hottest target is first on the
 * hot chain, targets never called are left to the default function, and
 * the static_call enters the image.
 */
static void learn_test_skewed(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_learn);
	struct dispatcher_image *img;
	unsigned int i, k, r, wrong = 0;
	struct rnd_state rnd;

	for (k = 0; k < 16; k++)
		learn_register(test, dk_tgts[k]);
	/* The update opened a window: no image, the learning function. */
	KUNIT_EXPECT_NULL(test, d->image);
	KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(d->sc_key->func), d->learn_func);

	prandom_seed_state(&rnd, 1);
	for (i = 0; i < 10000; i++) {
		r = prandom_u32_state(&rnd) % 1000;
		k = r < 900 ? 3 : r < 990 ? 5 : r % 10;
		wrong += !learn_call(dk_tgts[k], i, k);
	}
	KUNIT_EXPECT_EQ(test, wrong, 0);
	dispatcher_relayout(d);

	scoped_guard(mutex, &d->mutex) {
		img = d->image;
		KUNIT_ASSERT_NOT_NULL(test, img);
		kunit_info(test, "layout: %u hot, %u in the tree; unpredictable %u permille",
			   img->plan.nr_hot, img->plan.nr_tree,
			   d->learn->unpredictable);
		KUNIT_ASSERT_GE(test, img->plan.nr_hot, 1);
		KUNIT_EXPECT_EQ(test, img->plan.hot[0], (unsigned long)dk_tgts[3]);
		KUNIT_EXPECT_TRUE(test, learn_placed(img, dk_tgts[5]));
		for (k = 10; k < 16; k++)
			KUNIT_EXPECT_FALSE_MSG(test, learn_placed(img, dk_tgts[k]),
					       "never called, yet target %u is placed", k);
		KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(d->sc_key->func), img->entry);
		KUNIT_EXPECT_EQ(test, d->learn->nr_windows, 1);
		KUNIT_EXPECT_GE(test, d->learn->calls, 10000);
	}
	learn_expect_right(test, 16);

	if (IS_ENABLED(CONFIG_DEBUG_FS)) {
		struct seq_file m = { .size = PAGE_SIZE, .private = d };
		char line[64];

		m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, m.buf);
		KUNIT_ASSERT_EQ(test, dispatcher_debugfs_show(&m, NULL), 0);
		m.buf[min(m.count, m.size - 1)] = '\0';
		snprintf(line, sizeof(line), "  hot %ps\n", dk_tgts[3]);
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(m.buf, line), "%s", m.buf);
		snprintf(line, sizeof(line), "  %ps calls ", dk_tgts[3]);
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(m.buf, line), "%s", m.buf);
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(m.buf, "profile: "), "%s", m.buf);
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(m.buf, "learn: on, steady"),
					  "%s", m.buf);
	}

	for (k = 0; k < 16; k++)
		learn_unregister(test, dk_tgts[k]);
	KUNIT_EXPECT_NULL(test, d->image);
}

/*
 * Fill a window with @calls calls to the first @nr targets, Zipf s=1:
 * target i is called 1/(i + 1) as often as target 0.
 */
static void learn_zipf(struct kunit *test, unsigned int nr, unsigned int calls)
{
	unsigned int i, k, wrong = 0;
	struct rnd_state rnd;
	u32 *cdf, r;

	cdf = kunit_kcalloc(test, nr, sizeof(*cdf), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cdf);
	for (k = 0; k < nr; k++)
		cdf[k] = (k ? cdf[k - 1] : 0) + 1000000 / (k + 1);
	prandom_seed_state(&rnd, 2);
	for (i = 0; i < calls; i++) {
		r = prandom_u32_state(&rnd) % cdf[nr - 1];
		for (k = 0; r >= cdf[k]; k++)
			;
		wrong += !learn_call(k < DK_NR_TGTS ? dk_tgts[k] : dk_more[k - DK_NR_TGTS],
				     i, k);
	}
	KUNIT_EXPECT_EQ(test, wrong, 0);
}

/*
 * With learning off, the image is the balanced tree over the registered
 * targets, byte for byte what the JIT makes of them, as before learning
 * existed; over the cap, over the cap's hottest.
 */
static void learn_test_off(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_learn);
	struct dispatcher_layout layout = { .target_arg = 2 };
	static const unsigned int counts[] = { 40, 100 };
	struct dispatcher_image *img;
	unsigned int c, k, n, entry;
	u8 *buf;

	for (c = 0; c < ARRAY_SIZE(counts); c++) {
		n = counts[c];
		for (k = 0; k < n; k++)
			learn_register(test, dk_tgts[k]);
		learn_zipf(test, n, 20000);
		dispatcher_relayout(d);
		KUNIT_EXPECT_NOT_NULL(test, d->image);

		learn_set(test, "learn", "0");
		scoped_guard(mutex, &d->mutex) {
			img = d->image;
			KUNIT_ASSERT_NOT_NULL(test, img);
			KUNIT_EXPECT_EQ(test, img->plan.nr_hot, 0);
			KUNIT_EXPECT_EQ(test, img->plan.nr_tree, min(n, 64U));
			KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(d->sc_key->func),
					    img->entry);
			/* Over the cap, the hottest: target 0 is. */
			KUNIT_EXPECT_TRUE(test, learn_placed(img, dk_tgts[0]));
			layout.targets = img->plan.tree;
			layout.nr_targets = img->plan.nr_tree;
			layout.fallback = d->default_func;
			if (n <= 64)
				KUNIT_EXPECT_EQ(test, memcmp(img->plan.tree, d->targets,
							     n * sizeof(*d->targets)), 0);
			buf = kunit_kzalloc(test, img->size, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, buf);
			KUNIT_ASSERT_EQ(test, arch_dispatcher_generate(buf, img->text,
								       img->size, &layout,
								       &entry),
					img->len);
			KUNIT_EXPECT_PTR_EQ(test, img->text + entry, img->entry);
			KUNIT_EXPECT_EQ(test, memcmp(buf, img->text, img->len), 0);
		}
		learn_expect_right(test, n);
		learn_set(test, "learn", "1");
		for (k = 0; k < n; k++)
			learn_unregister(test, dk_tgts[k]);
		dispatcher_barrier();
	}
}

/*
 * 1500 targets registered, a hundred of them called: the image holds at
 * most the cap, the hottest first, and every call is right.
 */
static void learn_test_cap(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_learn);
	struct dispatcher_image *img;
	unsigned int k;

	for (k = 0; k < 1500; k++)
		learn_register(test, k < DK_NR_TGTS ? dk_tgts[k] : dk_more[k - DK_NR_TGTS]);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 1500);
	learn_zipf(test, 100, 50000);
	dispatcher_relayout(d);
	scoped_guard(mutex, &d->mutex) {
		img = d->image;
		KUNIT_ASSERT_NOT_NULL(test, img);
		kunit_info(test, "layout: %u hot, %u in the tree of 1500",
			   img->plan.nr_hot, img->plan.nr_tree);
		KUNIT_EXPECT_LE(test, learn_nr_placed(img), 64);
		KUNIT_EXPECT_EQ(test, img->plan.hot[0], (unsigned long)dk_tgts[0]);
		for (k = 100; k < 1500; k++)
			if (learn_placed(img, k < DK_NR_TGTS ? dk_tgts[k] :
					 dk_more[k - DK_NR_TGTS]))
				break;
		KUNIT_EXPECT_EQ_MSG(test, k, 1500, "target %u placed but never called", k);
	}
	learn_expect_right(test, 1500);

	/* Learning off: the cap's worth exactly. */
	learn_set(test, "learn", "0");
	scoped_guard(mutex, &d->mutex) {
		KUNIT_ASSERT_NOT_NULL(test, d->image);
		KUNIT_EXPECT_EQ(test, learn_nr_placed(d->image), 64);
	}
	learn_expect_right(test, 1500);
	learn_set(test, "learn", "1");

	for (k = 0; k < 1500; k++)
		learn_unregister(test, k < DK_NR_TGTS ? dk_tgts[k] : dk_more[k - DK_NR_TGTS]);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 0);
}

/* Bad values are refused with -EINVAL and change nothing. */
static void learn_test_tunables(struct kunit *test)
{
	static const struct {
		const char *name;
		const char *val;
	} bad[] = {
		{ "learn", "maybe" }, { "learn", "" },
		{ "learn_calls", "0" }, { "learn_calls", "15" },
		{ "learn_calls", "16777217" }, { "learn_calls", "-1" },
		{ "learn_calls", "many" },
		{ "learn_period_ms", "0" }, { "learn_period_ms", "3600001" },
		{ "max_targets", "0" }, { "max_targets", "65537" },
		{ "max_targets", "64k" }, { "no_such_tunable", "1" },
	};
	unsigned int i, before = 0, after = 0;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		dispatcher_tunable(bad[i].name, NULL, &before);
		KUNIT_EXPECT_EQ_MSG(test, dispatcher_tunable(bad[i].name, bad[i].val,
							     NULL), -EINVAL,
				    "%s=%s", bad[i].name, bad[i].val);
		dispatcher_tunable(bad[i].name, NULL, &after);
		KUNIT_EXPECT_EQ_MSG(test, before, after, "%s=%s changed it",
				    bad[i].name, bad[i].val);
	}
	/* Good values are taken. */
	learn_set(test, "learn_calls", "16");
	learn_set(test, "learn_calls", "0x1000000");
	learn_set(test, "learn_period_ms", "1");
	learn_set(test, "max_targets", "65536");
	dispatcher_tunable("max_targets", NULL, &after);
	KUNIT_EXPECT_EQ(test, after, 65536);
	learn_set(test, "max_targets", "64");
	learn_set(test, "learn_calls", "16777216");
	learn_set(test, "learn_period_ms", "3600000");
}

/* Wait up to 10 s for @d's learning state to become @state. */
static bool learn_wait_state(struct dispatcher *d, int state)
{
	unsigned int i;

	for (i = 0; i < 500; i++) {
		if (READ_ONCE(d->learn->state) == state)
			return true;
		msleep(20);
	}
	return false;
}

/*
 * Windows close by themselves after dispatcher.learn_calls calls on a
 * CPU, and open again a period later; an idle dispatch point leaves its
 * window open and arms no timer.  An unchanged layout doubles the period.
 */
static void learn_test_windows(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_learn);
	struct dispatcher_learn *l;
	unsigned int i, wrong = 0, relayouts;

	learn_set(test, "learn_calls", "64");
	learn_set(test, "learn_period_ms", "20");
	for (i = 0; i < 4; i++)
		learn_register(test, dk_tgts[i]);
	l = d->learn;
	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_EXPECT_EQ(test, READ_ONCE(l->state), DISPATCHER_LEARN_WINDOW);
	relayouts = l->nr_relayouts;

	for (i = 0; i < 200; i++)
		wrong += !learn_call(dk_tgts[1], i, 1);
	KUNIT_EXPECT_TRUE(test, learn_wait_state(d, DISPATCHER_LEARN_STEADY));
	scoped_guard(mutex, &d->mutex) {
		KUNIT_EXPECT_TRUE(test, learn_placed(d->image, dk_tgts[1]));
		KUNIT_EXPECT_FALSE(test, learn_placed(d->image, dk_tgts[2]));
	}

	/* The period reopens the window; nobody calls: it stays open. */
	KUNIT_EXPECT_TRUE(test, learn_wait_state(d, DISPATCHER_LEARN_WINDOW));
	msleep(100);
	KUNIT_EXPECT_EQ(test, READ_ONCE(l->state), DISPATCHER_LEARN_WINDOW);
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&l->period));
	KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(d->sc_key->func), d->learn_func);

	/* The same calls, the same layout: the period doubles. */
	for (i = 0; i < 200; i++)
		wrong += !learn_call(dk_tgts[1], i, 1);
	KUNIT_EXPECT_TRUE(test, learn_wait_state(d, DISPATCHER_LEARN_STEADY));
	scoped_guard(mutex, &d->mutex) {
		KUNIT_EXPECT_GE(test, l->nr_windows, 2);
		KUNIT_EXPECT_GE(test, l->shift, 1);
		KUNIT_EXPECT_EQ(test, l->nr_relayouts - relayouts, 1);
	}
	KUNIT_EXPECT_EQ(test, wrong, 0);

	learn_set(test, "learn_calls", "16777216");
	learn_set(test, "learn_period_ms", "3600000");
	for (i = 0; i < 4; i++)
		learn_unregister(test, dk_tgts[i]);
	/* No target: nothing to learn, and no timer. */
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&l->period));
	KUNIT_EXPECT_NE(test, READ_ONCE(l->state), DISPATCHER_LEARN_WINDOW);
}

/* A dispatch point that opted out gets the balanced tree at once. */
static void learn_test_opt_out(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_fixed);
	unsigned int k;

	for (k = 0; k < 3; k++)
		KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_fixed, dk_tgts[k]), 0);
	KUNIT_EXPECT_NULL(test, d->learn);
	scoped_guard(mutex, &d->mutex) {
		KUNIT_ASSERT_NOT_NULL(test, d->image);
		KUNIT_EXPECT_EQ(test, d->image->plan.nr_hot, 0);
		KUNIT_EXPECT_EQ(test, d->image->plan.nr_tree, 3);
	}
	dk_expect_entry(test, d);
	for (k = 0; k < 4; k++)
		KUNIT_EXPECT_EQ(test, dispatcher_call(kunit_fixed, dk_tgts[k], k, 1),
				dk_tgts[k](k, 1));
	for (k = 0; k < 3; k++)
		KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_fixed, dk_tgts[k]), 0);
}

/*
 * A chain called in the same order for every "packet" is predictable:
 * every target it calls is worth its place.  Independent random calls
 * over many targets are not: most of them are left to the default
 * function, which costs one retpoline, not a walk of mispredicted
 * branches.
 */
static void learn_test_predictability(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_learn);
	unsigned int i, k, wrong = 0;
	struct rnd_state rnd;

	for (k = 0; k < 64; k++)
		learn_register(test, dk_tgts[k]);
	for (i = 0; i < 5000; i++)
		for (k = 10; k < 13; k++)
			wrong += !learn_call(dk_tgts[k], i, k);
	dispatcher_relayout(d);
	scoped_guard(mutex, &d->mutex) {
		kunit_info(test, "chain of 3: unpredictable %u permille, %u hot, %u in the tree",
			   d->learn->unpredictable, learn_nr_placed(d->image) ?
			   d->image->plan.nr_hot : 0,
			   learn_nr_placed(d->image) ? d->image->plan.nr_tree : 0);
		KUNIT_EXPECT_LT(test, d->learn->unpredictable, 100);
		for (k = 10; k < 13; k++)
			KUNIT_EXPECT_TRUE(test, learn_placed(d->image, dk_tgts[k]));
		KUNIT_EXPECT_EQ(test, learn_nr_placed(d->image), 3);
	}

	/* The next window, uniform random over all 64. */
	dispatcher_learn_reopen(d);
	KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(d->sc_key->func), d->learn_func);
	prandom_seed_state(&rnd, 3);
	for (i = 0; i < 64 * 500; i++) {
		k = prandom_u32_state(&rnd) % 64;
		wrong += !learn_call(dk_tgts[k], i, k);
	}
	dispatcher_relayout(d);
	scoped_guard(mutex, &d->mutex) {
		kunit_info(test, "uniform over 64: unpredictable %u permille, %u placed",
			   d->learn->unpredictable, learn_nr_placed(d->image));
		KUNIT_EXPECT_GT(test, d->learn->unpredictable, 800);
		KUNIT_EXPECT_LT(test, learn_nr_placed(d->image), 64);
	}
	KUNIT_EXPECT_EQ(test, wrong, 0);
	learn_expect_right(test, 64);
	for (k = 0; k < 64; k++)
		learn_unregister(test, dk_tgts[k]);
}

/* ---- Calls through windows, layouts and updates on every CPU ---- */

struct learn_churn {
	atomic_t wrong;
	atomic_long_t calls;
	bool key;
};

typedef int (*learn_entry_t)(int a, int b, DISPATCHER_FN_T(kunit_learn) fn);

static int learn_churn_caller(void *data)
{
	struct learn_churn *c = data;
	unsigned int k, i = 0;
	learn_entry_t entry;
	int got;

	while (!kthread_should_stop()) {
		/* A skewed mix that changes every 2^16 calls. */
		k = (i >> 16) % 4 * 4 + (i % 7 ? 0 : i % 16 / 4);
		k %= 16;
		if (c->key) {
			entry = READ_ONCE(DISPATCHER(kunit_learn).sc_key->func);
			got = entry(i, k, dk_tgts[k]);
		} else {
			got = dispatcher_call(kunit_learn, dk_tgts[k], i, k);
		}
		if (got != dk_tgts[k](i, k))
			atomic_inc(&c->wrong);
		if (!(++i % 256)) {
			atomic_long_add(256, &c->calls);
			cond_resched_tasks_rcu_qs();
		}
	}
	return 0;
}

/*
 * Calls on every CPU stay right while windows open and close every few
 * milliseconds and another thread registers and unregisters targets.
 * Not named "churn", so not in mk/kunit.sh's x86_64-live boot, which
 * runs the churn cases through live call sites: that boot once hung in it
 * after dispatcher_test_churn, and since calls enter the image from the
 * call site it passes there but took 25 to 226 s in four boots, too close
 * to KUnit's 300 s timeout.  It runs through the static_call key under
 * multi-threaded TCG, and on UML.
 */
static void learn_test_concurrency(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_learn);
	unsigned int users[16] = {}, k, ops = 0, windows;
	struct learn_churn c = { .key = churn_site_unsafe() };
	struct task_struct **callers;
	unsigned long end;
	struct rnd_state rnd;
	int cpu;

	learn_set(test, "learn_calls", "64");
	learn_set(test, "learn_period_ms", "2");
	callers = kunit_kcalloc(test, nr_cpu_ids, sizeof(*callers), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, callers);
	for (k = 0; k < 8; k++) {
		learn_register(test, dk_tgts[k]);
		users[k]++;
	}
	windows = d->learn->nr_windows;
	for_each_online_cpu(cpu) {
		callers[cpu] = kthread_run_on_cpu(learn_churn_caller, &c, cpu,
						  "dispatcher_learn/%u");
		KUNIT_ASSERT_FALSE(test, IS_ERR(callers[cpu]));
	}

	prandom_seed_state(&rnd, 4);
	end = jiffies + (IS_ENABLED(CONFIG_UML) ? 5 : 20) * HZ;
	while (time_before(jiffies, end)) {
		k = prandom_u32_state(&rnd) % 16;
		if (users[k] && prandom_u32_state(&rnd) % 2) {
			KUNIT_ASSERT_EQ(test, dispatcher_unregister(kunit_learn,
								    dk_tgts[k]), 0);
			users[k]--;
		} else if (users[k] < 4) {
			KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_learn,
								  dk_tgts[k]), 0);
			users[k]++;
		}
		ops++;
		usleep_range(1000, 2000);
		if (!(ops % 64))
			dispatcher_barrier();
	}
	for_each_online_cpu(cpu)
		kthread_stop(callers[cpu]);
	kunit_info(test, "%u updates, %u windows, %ld calls on %u CPUs%s",
		   ops, d->learn->nr_windows - windows,
		   atomic_long_read(&c.calls), num_online_cpus(),
		   c.key ? " (through the key)" : "");
	KUNIT_EXPECT_EQ(test, atomic_read(&c.wrong), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&c.calls), 0);
	KUNIT_EXPECT_GT(test, d->learn->nr_windows - windows, 1);

	learn_set(test, "learn_calls", "16777216");
	learn_set(test, "learn_period_ms", "3600000");
	for (k = 0; k < 16; k++)
		while (users[k]--)
			learn_unregister(test, dk_tgts[k]);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 0);
}

static struct kunit_case dispatcher_learn_cases[] = {
	KUNIT_CASE(learn_test_skewed),
	KUNIT_CASE(learn_test_off),
	KUNIT_CASE(learn_test_cap),
	KUNIT_CASE(learn_test_tunables),
	KUNIT_CASE(learn_test_windows),
	KUNIT_CASE(learn_test_opt_out),
	KUNIT_CASE(learn_test_predictability),
	KUNIT_CASE_ATTR(learn_test_concurrency, { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite dispatcher_learn_suite = {
	.name = "dispatcher_learn",
	.suite_init = learn_suite_init,
	.suite_exit = learn_suite_exit,
	.init = learn_init,
	.test_cases = dispatcher_learn_cases,
};

kunit_test_suite(dispatcher_learn_suite);
