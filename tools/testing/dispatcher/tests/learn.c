// SPDX-License-Identifier: GPL-2.0
/*
 * Learned layouts (lib/dispatcher/learn.c): with dispatcher.learn on, an
 * update builds no image but opens a learning window (the static call at
 * the learning function, which records each target); the window closes
 * after learn_calls calls on one CPU, or at dispatcher_relayout(), and the
 * image is laid out for the calls it saw: the hottest target first on the
 * hot chain, targets never called left to the default function.  With
 * learning off (or a dispatch point that opts out) the image is the
 * balanced tree over the registered targets, up to dispatcher.max_targets,
 * byte for byte what the generator makes of the plain layout.  Windows
 * close by themselves under concurrent callers, every call right; the
 * period reopens them; an idle dispatch point keeps its window open and
 * arms no timer; the tunables refuse bad values; a dispatcher released
 * with its module takes its learning state along.
 *
 * The harness boots with dispatcher.learn=0 (tests/runner.c): each case
 * here turns it on.
 */
#include <pthread.h>
#include <string.h>

#include "common.h"

DEFINE_DISPATCHER(t_learn, long, long, a, long, b);
DEFINE_DISPATCHER(t_learn_plain, long, long, a, long, b);
DEFINE_DISPATCHER_FLAGS(t_learn_opt, DISPATCHER_F_NO_LEARN, long, long, a,
			long, b);
DEFINE_DISPATCHER(t_learn_thr, long, long, a, long, b);
DEFINE_DISPATCHER(t_learn_idle, long, long, a, long, b);
DEFINE_DISPATCHER(t_learn_rel, long, long, a, long, b);

typedef long (*target_t)(long a, long b);

/* Stub i of a set made with dt_make_stubs(..., id, true, ...): id + i + a. */
#define STUB_VALUE(id, i, a)	((long)(id) + (i) + (a))

#define TUNE(name, val)	ASSERT_EQ(dispatcher_tunable(name, val, NULL), 0)

static bool in_plan(const struct dispatcher_image *img, void *fn)
{
	unsigned long addr = (unsigned long)fn;
	unsigned int i;

	for (i = 0; i < img->plan.nr_hot; i++)
		if (img->plan.hot[i] == addr)
			return true;
	for (i = 0; i < img->plan.nr_tree; i++)
		if (img->plan.tree[i].addr == addr)
			return true;
	return false;
}

/*
 * Is @d's image byte for byte what the generator makes of @layout at the
 * same address?  @layout->target_arg and ->fallback are filled in here.
 */
static bool image_is(struct dispatcher *d, struct dispatcher_layout *layout)
{
	struct dispatcher_image *img = d->image;
	unsigned int size, entry = 0;
	bool same;
	u8 *buf;
	int len;

	if (!img)
		return false;
	layout->target_arg = d->nr_args;
	layout->fallback = d->default_func;
	size = arch_dispatcher_image_size(layout->nr_hot + layout->nr_targets);
	buf = malloc(size);
	if (!buf)
		return false;
	len = arch_dispatcher_generate(buf, img->text, size, layout, &entry);
	same = len > 0 && (unsigned int)len == img->len &&
	       img->entry == img->text + entry && !memcmp(buf, img->text, len);
	free(buf);
	return same;
}

/* The plain layout: the balanced tree over @d's registered targets. */
static bool image_is_tree(struct dispatcher *d)
{
	struct dispatcher_layout layout = {
		.targets	= d->targets,
		.nr_targets	= d->nr_targets,
	};

	return image_is(d, &layout);
}

/* The next of a skewed sequence: @hot 80 %, @warm 10 %, @cool 6 %, @cold 4 %. */
static unsigned int skewed(u64 *rnd, unsigned int hot, unsigned int warm,
			   unsigned int cool, unsigned int cold)
{
	unsigned int r = dt_rand_below(rnd, 100);

	return r < 80 ? hot : r < 90 ? warm : r < 96 ? cool : cold;
}

#define SKEW_NR		12	/* registered; stub SKEW_NR never is */
#define SKEW_ID		100000
#define SKEW_CALLS	10000

/* @calls skewed calls through t_learn; the number of wrong results. */
static unsigned int skewed_calls(target_t *t, u64 seed, unsigned int hot,
				 unsigned int warm, unsigned int cool)
{
	unsigned int i, k, wrong = 0;
	u64 rnd = seed;

	for (i = 0; i < SKEW_CALLS; i++) {
		k = skewed(&rnd, hot, warm, cool, SKEW_NR);
		wrong += dispatcher_call(t_learn, t[k], i, 1) !=
			 STUB_VALUE(SKEW_ID, k, i);
	}
	return wrong;
}

/*
 * A skewed workload: the hottest target ends first on the hot chain,
 * registered targets never called are not in the image, and calls are
 * right all along.  The same calls again keep the image; other calls
 * change it; an update opens a window without an image.
 */
DT_TEST(learn_skewed)
{
	struct dispatcher *d = &DISPATCHER(t_learn);
	struct dispatcher_image *img;
	target_t t[SKEW_NR + 1];
	char text[4096], buf[128], want[128];
	unsigned long updates;
	unsigned int k;

	ASSERT(dt_make_stubs(SKEW_NR + 1, SKEW_ID, true, DT_TEXT_NEAR,
			     (void **)t));
	/* Windows close when the test says, and stay closed. */
	TUNE("learn_calls", "16777216");
	TUNE("learn_period_ms", "3600000");
	TUNE("learn", "1");

	for (k = 0; k < SKEW_NR; k++)
		ASSERT_EQ(__dispatcher_register(d, t[k]), 0);
	/* No image: the learning function records the calls. */
	EXPECT(!d->image);
	EXPECT(dispatcher_learn_window(d));
	EXPECT_PTR_EQ(d->sc_key->func, d->learn_func);
	ASSERT(d->learn);
	EXPECT(!delayed_work_pending(&d->learn->period));
	EXPECT(dt_check_image(d, "window open"));

	EXPECT_EQ(skewed_calls(t, 1, 3, 7, 1), 0);
	updates = d->nr_updates;
	dispatcher_relayout(d);
	img = d->image;
	ASSERT(img);
	EXPECT(!dispatcher_learn_window(d));
	EXPECT_EQ(d->nr_updates, updates);	/* not an update */
	ASSERT_GT(img->plan.nr_hot, 0);
	EXPECT_EQ(img->plan.hot[0], (unsigned long)t[3]);
	for (k = 0; k < SKEW_NR; k++)
		if (k != 1 && k != 3 && k != 7)
			EXPECT(!in_plan(img, t[k]));
	EXPECT(!in_plan(img, t[SKEW_NR]));
	EXPECT(dt_check_image(d, "learned"));
	EXPECT_EQ(d->learn->nr_windows, 1);
	EXPECT_EQ(d->learn->nr_relayouts, 1);
	EXPECT_EQ(d->learn->calls, SKEW_CALLS);
	EXPECT_EQ(d->learn->prof[0].addr, (unsigned long)t[3]);
	/* The next window is armed. */
	EXPECT(delayed_work_pending(&d->learn->period));
	for (k = 0; k <= SKEW_NR; k++)
		EXPECT_EQ(dispatcher_call(t_learn, t[k], 5, 6), STUB_VALUE(SKEW_ID, k, 5));

	ASSERT_GT(dt_debugfs_read("dispatcher/t_learn", text, sizeof(text)), 0);
	EXPECT_EQ(strcmp(dt_field(text, "learn: ", buf, sizeof(buf)),
			 "on, steady, windows 1, relayouts 1"), 0);
	snprintf(want, sizeof(want), "hot %u, tree %u, fallback %u (cap 64)",
		 img->plan.nr_hot, img->plan.nr_tree,
		 SKEW_NR - img->plan.nr_hot - img->plan.nr_tree);
	EXPECT_EQ(strcmp(dt_field(text, "layout: ", buf, sizeof(buf)), want), 0);

	/* The period's next window, with the same calls: the image stays. */
	dispatcher_learn_reopen(d);
	EXPECT(dispatcher_learn_window(d));
	EXPECT_PTR_EQ(d->image, img);
	EXPECT_PTR_EQ(d->sc_key->func, d->learn_func);
	EXPECT(!delayed_work_pending(&d->learn->period));
	EXPECT_EQ(skewed_calls(t, 1, 3, 7, 1), 0);
	dispatcher_relayout(d);
	EXPECT_PTR_EQ(d->image, img);
	EXPECT_PTR_EQ(d->sc_key->func, img->entry);
	EXPECT_EQ(d->learn->nr_windows, 2);
	EXPECT_EQ(d->learn->nr_relayouts, 1);
	EXPECT_EQ(d->learn->shift, 1);	/* the period doubled */

	/* Another target hottest: another image. */
	dispatcher_learn_reopen(d);
	EXPECT_EQ(skewed_calls(t, 2, 7, 3, 1), 0);
	dispatcher_relayout(d);
	ASSERT(d->image);
	EXPECT_PTR_NE(d->image, img);
	EXPECT_EQ(d->image->plan.hot[0], (unsigned long)t[7]);
	EXPECT_EQ(d->learn->nr_relayouts, 2);
	EXPECT_EQ(d->learn->shift, 0);
	EXPECT(dt_check_image(d, "relearned"));

	/* An update: a new window, the image retired. */
	ASSERT_EQ(__dispatcher_unregister(d, t[0]), 0);
	EXPECT(!d->image);
	EXPECT(dispatcher_learn_window(d));
	EXPECT(!delayed_work_pending(&d->learn->period));
	EXPECT(dt_check_image(d, "update while learning"));
	/* A window closed with no call: the balanced tree over them all. */
	dispatcher_relayout(d);
	ASSERT(d->image);
	EXPECT_EQ(d->image->plan.nr_hot, 0);
	EXPECT_EQ(d->image->plan.nr_tree, SKEW_NR - 1);
	EXPECT(dt_check_image(d, "no call in the window"));

	/* No targets: no window, no period. */
	for (k = 1; k < SKEW_NR; k++)
		ASSERT_EQ(__dispatcher_unregister(d, t[k]), 0);
	EXPECT(!dispatcher_learn_window(d));
	EXPECT(!delayed_work_pending(&d->learn->period));
	EXPECT(!d->image);
	EXPECT_PTR_EQ(d->sc_key->func, d->default_func);
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
}

#define PLAIN_NR	20
#define PLAIN_ID	200000

/*
 * Learning off reproduces the balanced tree byte for byte: at every update,
 * after learning is turned off again, and for a dispatch point that opts
 * out while learning is on.  Beyond max_targets the tree holds the
 * hottest targets of the last profile; changing the cap lays every
 * dispatcher out again without counting an update.
 */
DT_TEST(learn_off_identical)
{
	struct dispatcher *d = &DISPATCHER(t_learn_plain);
	struct dispatcher *o = &DISPATCHER(t_learn_opt);
	struct dispatcher_target capped[8];
	struct dispatcher_layout layout = { .targets = capped, .nr_targets = 8 };
	target_t t[PLAIN_NR];
	unsigned long updates;
	unsigned int k, i, wrong = 0;
	char text[4096], buf[64];
	unsigned int old;

	ASSERT(dt_make_stubs(PLAIN_NR, PLAIN_ID, true, DT_TEXT_NEAR, (void **)t));
	ASSERT_EQ(dispatcher_tunable("learn", NULL, &old), 0);
	EXPECT_EQ(old, 0);	/* the harness's command line */
	TUNE("learn_period_ms", "3600000");

	for (k = 0; k < PLAIN_NR; k++) {
		ASSERT_EQ(__dispatcher_register(d, t[k]), 0);
		/* Updates in a row may have deferred the image: build it. */
		dispatcher_barrier();
		ASSERT(d->image);
		EXPECT_EQ(d->image->plan.nr_hot, 0);
		EXPECT_EQ(d->image->plan.nr_tree, k + 1);
		EXPECT(image_is_tree(d));
	}
	EXPECT(!d->learn);	/* nothing learned, nothing allocated */
	EXPECT(dt_check_image(d, "learning off"));

	/* On: every dispatcher learns, from now, without an update. */
	updates = d->nr_updates;
	TUNE("learn", "1");
	EXPECT_EQ(d->nr_updates, updates);
	EXPECT(!d->image);
	EXPECT(dispatcher_learn_window(d));
	/* The 8 highest addresses called most. */
	for (i = 0; i < 4000; i++) {
		k = i % 2 ? PLAIN_NR - 1 - i / 2 % 8 : i / 2 % PLAIN_NR;
		wrong += dispatcher_call(t_learn_plain, t[k], i, 0) !=
			 STUB_VALUE(PLAIN_ID, k, i);
	}
	EXPECT_EQ(wrong, 0);
	dispatcher_barrier();
	dispatcher_relayout(d);
	EXPECT(d->image);

	/* A dispatch point that opts out builds its tree at every update. */
	for (k = 0; k < 3; k++) {
		ASSERT_EQ(__dispatcher_register(o, t[k]), 0);
		dispatcher_barrier();
		EXPECT(!dispatcher_learn_window(o));
		EXPECT(image_is_tree(o));
	}
	EXPECT(!o->learn);
	ASSERT_GT(dt_debugfs_read("dispatcher/t_learn_opt", text, sizeof(text)), 0);
	EXPECT_EQ(strcmp(dt_field(text, "learn: ", buf, sizeof(buf)), "opted out"), 0);
	EXPECT(dt_check_image(o, "opted out"));

	/* Off again: the tree, byte for byte, and no period left armed. */
	TUNE("learn", "0");
	dispatcher_barrier();	/* a rebuild beyond the retiring bound */
	EXPECT_EQ(d->nr_updates, updates);
	EXPECT(!dispatcher_learn_window(d));
	EXPECT(!delayed_work_pending(&d->learn->period));
	EXPECT(image_is_tree(d));
	EXPECT(dt_check_image(d, "learning off again"));
	ASSERT_GT(dt_debugfs_read("dispatcher/t_learn_plain", text, sizeof(text)), 0);
	EXPECT_EQ(strcmp(dt_field(text, "learn: ", buf, sizeof(buf)), "off"), 0);

	/* A cap of 8: the hottest 8 of the last profile, by address. */
	TUNE("max_targets", "8");
	dispatcher_barrier();
	EXPECT_EQ(d->nr_updates, updates);
	for (k = 0; k < 8; k++)
		capped[k] = (struct dispatcher_target){ (unsigned long)t[PLAIN_NR - 8 + k], 1 };
	EXPECT(image_is(d, &layout));
	EXPECT(dt_check_image(d, "capped"));
	EXPECT(image_is_tree(o));	/* 3 targets, within the cap */
	for (k = 0; k < PLAIN_NR; k++)
		EXPECT_EQ(dispatcher_call(t_learn_plain, t[k], 9, 0),
			  STUB_VALUE(PLAIN_ID, k, 9));
	TUNE("max_targets", "64");
	dispatcher_barrier();
	EXPECT(image_is_tree(d));
	EXPECT(image_is_tree(o));
	EXPECT_EQ(d->nr_updates, updates);

	for (k = 0; k < PLAIN_NR; k++)
		ASSERT_EQ(__dispatcher_unregister(d, t[k]), 0);
	for (k = 0; k < 3; k++)
		ASSERT_EQ(__dispatcher_unregister(o, t[k]), 0);
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
}

#define THR_NR		8	/* registered; THR_NR and THR_NR + 1 never are */
#define THR_ID		300000
#define THR_CALLERS	3

struct thr {
	target_t t[THR_NR + 2];
	int stop;
	unsigned long calls, wrong;
};

/* Skewed random calls, each checked, with a quiescent state now and then. */
static void *thr_main(void *arg)
{
	struct thr *s = arg;
	unsigned long calls = 0, wrong = 0;
	u64 rnd = (unsigned long)pthread_self() | 1;
	unsigned int k;
	long a;

	dt_rcu_register_thread();
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		k = skewed(&rnd, 2, 5, dt_rand_below(&rnd, THR_NR), THR_NR + 1);
		a = (long)dt_rand(&rnd) >> 8;
		wrong += dispatcher_call(t_learn_thr, s->t[k], a, 3) !=
			 STUB_VALUE(THR_ID, k, a);
		if (!(++calls % 64))
			dt_rcu_quiescent_state();
	}
	dt_rcu_unregister_thread();
	__atomic_add_fetch(&s->calls, calls, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->wrong, wrong, __ATOMIC_RELAXED);
	return NULL;
}

/*
 * Windows close by themselves: after learn_calls calls on one CPU the
 * irq_work queues the work that lays the image out; the period (20 ms)
 * opens the next window, and so on, while threads call concurrently and
 * the test thread keeps updating: 0 wrong results.
 */
DT_TEST(learn_window_threads)
{
	struct dispatcher *d = &DISPATCHER(t_learn_thr);
	pthread_t callers[THR_CALLERS];
	struct thr s = {};
	unsigned int k, windows, relayouts, i;

	ASSERT(dt_make_stubs(THR_NR + 2, THR_ID, true, DT_TEXT_NEAR,
			     (void **)s.t));
	TUNE("learn_calls", "1024");
	TUNE("learn_period_ms", "20");
	TUNE("learn", "1");
	for (k = 0; k < THR_NR; k++)
		ASSERT_EQ(__dispatcher_register(d, s.t[k]), 0);
	EXPECT(dispatcher_learn_window(d));
	for (k = 0; k < THR_CALLERS; k++)
		ASSERT_EQ(pthread_create(&callers[k], NULL, thr_main, &s), 0);

	/* A window closes without anyone asking. */
	EXPECT(dt_wait_for(READ_ONCE(d->image), 10000));
	/* More close and open, now and then after an update. */
	for (i = 0; i < 10000 && READ_ONCE(d->learn->nr_windows) < 8; i++) {
		dt_sleep_ms(1);
		if (i % 50 == 49) {
			ASSERT_EQ(__dispatcher_register(d, s.t[THR_NR]), 0);
			dt_sleep_ms(5);
			ASSERT_EQ(__dispatcher_unregister(d, s.t[THR_NR]), 0);
		}
	}
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELAXED);
	for (k = 0; k < THR_CALLERS; k++)
		pthread_join(callers[k], NULL);
	mutex_lock(&d->mutex);
	windows = d->learn->nr_windows;
	relayouts = d->learn->nr_relayouts;
	mutex_unlock(&d->mutex);
	dt_info("%lu calls on %u threads, %lu wrong; %u windows, %u relayouts",
		s.calls, THR_CALLERS, s.wrong, windows, relayouts);
	EXPECT_EQ(s.wrong, 0);
	EXPECT_GE(windows, 8);
	EXPECT_GE(relayouts, 1);
	/* Idle now: whatever the state, it is consistent. */
	dt_sleep_ms(50);
	EXPECT(dt_check_image(d, "after the callers"));

	for (k = 0; k < THR_NR; k++)
		ASSERT_EQ(__dispatcher_unregister(d, s.t[k]), 0);
	EXPECT(!dispatcher_learn_window(d));
	EXPECT(!delayed_work_pending(&d->learn->period));
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
}

#define IDLE_NR		4
#define IDLE_ID		400000

/*
 * A dispatch point nobody calls keeps its window open and arms no timer,
 * after an update and after the period reopened it.
 */
DT_TEST(learn_idle)
{
	struct dispatcher *d = &DISPATCHER(t_learn_idle);
	struct dispatcher_image *img;
	target_t t[IDLE_NR];
	unsigned int k;

	ASSERT(dt_make_stubs(IDLE_NR, IDLE_ID, true, DT_TEXT_NEAR, (void **)t));
	TUNE("learn_calls", "64");
	TUNE("learn_period_ms", "10");
	TUNE("learn", "1");
	for (k = 0; k < IDLE_NR; k++)
		ASSERT_EQ(__dispatcher_register(d, t[k]), 0);

	dt_sleep_ms(100);
	EXPECT(dispatcher_learn_window(d));
	EXPECT(!d->image);
	EXPECT_EQ(d->learn->nr_windows, 0);
	EXPECT(!delayed_work_pending(&d->learn->period));
	EXPECT(!irq_work_is_busy(&d->learn->irq_work));
	EXPECT(!work_pending(&d->learn->work));

	/* Enough calls on this CPU to close the window. */
	for (k = 0; k < 64; k++)
		EXPECT_EQ(dispatcher_call(t_learn_idle, t[k % 2], k, 0),
			  STUB_VALUE(IDLE_ID, k % 2, k));
	EXPECT(dt_wait_for(READ_ONCE(d->image), 5000));
	img = READ_ONCE(d->image);
	/* The period reopens the window (the image stays) ... */
	EXPECT(dt_wait_for(dispatcher_learn_window(d), 5000));
	EXPECT_PTR_EQ(d->image, img);
	/* ... which, with no call, stays open, no timer armed. */
	dt_sleep_ms(100);
	mutex_lock(&d->mutex);
	EXPECT(dispatcher_learn_window(d));
	EXPECT_EQ(d->learn->nr_windows, 1);
	EXPECT(!delayed_work_pending(&d->learn->period));
	EXPECT_PTR_EQ(d->image, img);
	mutex_unlock(&d->mutex);
	EXPECT(dt_check_image(d, "idle"));

	for (k = 0; k < IDLE_NR; k++)
		ASSERT_EQ(__dispatcher_unregister(d, t[k]), 0);
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
}

/*
 * The tunables, through dispatcher_tunable() and the parameter files: bad
 * values refused with -EINVAL and nothing changed, the ranges' ends taken,
 * values read back as sysfs shows them.
 */
DT_TEST(learn_tunables)
{
	static const struct {
		const char *name, *val;
		int ret;
		unsigned int now;
	} cases[] = {
		{ "learn", "1", 0, 1 },
		{ "learn", "maybe", -EINVAL, 1 },
		{ "learn", "off", 0, 0 },
		{ "learn", "on", 0, 1 },
		{ "learn", "N", 0, 0 },
		{ "learn_calls", "15", -EINVAL, 4096 },
		{ "learn_calls", "16", 0, 16 },
		{ "learn_calls", "16777217", -EINVAL, 16 },
		{ "learn_calls", "16777216", 0, 16777216 },
		{ "learn_calls", "0x100", 0, 256 },
		{ "learn_calls", "4096\n", 0, 4096 },
		{ "learn_calls", "-1", -EINVAL, 4096 },
		{ "learn_calls", "", -EINVAL, 4096 },
		{ "learn_period_ms", "0", -EINVAL, 1000 },
		{ "learn_period_ms", "3600001", -EINVAL, 1000 },
		{ "learn_period_ms", "3600000", 0, 3600000 },
		{ "learn_period_ms", "1", 0, 1 },
		{ "max_targets", "0", -EINVAL, 64 },
		{ "max_targets", "65537", -EINVAL, 64 },
		{ "max_targets", "65536", 0, 65536 },
		{ "max_targets", "1", 0, 1 },
		{ "max_targets", "99999999999999999999", -EINVAL, 1 },
	};
	char buf[32], want[32], path[64];
	unsigned int i, now;

	ASSERT_EQ(dt_param_get("dispatcher.learn", buf, sizeof(buf)), 2);
	EXPECT_EQ(strcmp(buf, "N\n"), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_EQ(dispatcher_tunable(cases[i].name, cases[i].val, NULL),
			  cases[i].ret);
		ASSERT_EQ(dispatcher_tunable(cases[i].name, NULL, &now), 0);
		if (now != cases[i].now)
			dt_fail(__FILE__, __LINE__, "%s=\"%s\": %u, not %u",
				cases[i].name, cases[i].val, now, cases[i].now);
		snprintf(path, sizeof(path), "dispatcher.%s", cases[i].name);
		/* A bool parameter reads back as Y or N. */
		snprintf(want, sizeof(want), "%u\n", now);
		if (!strcmp(cases[i].name, "learn"))
			want[0] = "NY"[now];
		EXPECT_GT(dt_param_get(path, buf, sizeof(buf)), 0);
		EXPECT_EQ(strcmp(buf, want), 0);
	}
	EXPECT_EQ(dispatcher_tunable("no_such", "1", NULL), -EINVAL);
	EXPECT_EQ(dt_param_set("dispatcher.max_targets", "12"), 0);
	ASSERT_EQ(dispatcher_tunable("max_targets", NULL, &now), 0);
	EXPECT_EQ(now, 12);
	EXPECT_EQ(dt_param_set("dispatcher.no_such", "1"), -ENOENT);
}

#define REL_NR		4
#define REL_ID		500000

/*
 * A dispatcher in a going module is released with its learning state:
 * while its window is open and a relayout is on its way (irq_work, work),
 * and while the period is armed.  Nothing is left behind (LeakSanitizer),
 * and nothing runs for it afterwards.
 */
DT_TEST(learn_release)
{
	struct dispatcher *d = &DISPATCHER(t_learn_rel);
	target_t t[REL_NR];
	struct module mod = { .state = MODULE_STATE_LIVE };
	unsigned int k, round;

	ASSERT(dt_make_stubs(REL_NR, REL_ID, true, DT_TEXT_NEAR, (void **)t));
	snprintf(mod.name, sizeof(mod.name), "dt_learn_rel");
	mod.mem[MOD_DATA].base = d;
	mod.mem[MOD_DATA].size = sizeof(*d);
	TUNE("learn_calls", "16");
	TUNE("learn", "1");

	for (round = 0; round < 2; round++) {
		/* Round 0: a long period, armed; round 1: a window closing. */
		TUNE("learn_period_ms", round ? "1" : "3600000");
		for (k = 0; k < REL_NR; k++)
			ASSERT_EQ(__dispatcher_register(d, t[k]), 0);
		ASSERT(d->learn);
		for (k = 0; k < 64; k++)
			EXPECT_EQ(dispatcher_call(t_learn_rel, t[k % REL_NR], k, 0),
				  STUB_VALUE(REL_ID, k % REL_NR, k));
		if (!round) {
			dispatcher_relayout(d);
			EXPECT(delayed_work_pending(&d->learn->period));
		}
		dt_module_going(&mod);
		EXPECT(!d->learn);
		EXPECT(!d->image);
		EXPECT_EQ(d->nr_targets, 0);
		EXPECT_PTR_EQ(d->sc_key->func, d->default_func);
		/* Whatever was on its way has been cancelled or has run. */
		dt_sleep_ms(20);
		EXPECT(!d->learn);
		EXPECT(!d->image);
		EXPECT_PTR_EQ(d->sc_key->func, d->default_func);
		/* "Loaded" again: the same structure, registered anew. */
		INIT_LIST_HEAD(&d->list);
		INIT_LIST_HEAD(&d->deferred);
	}
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
}

DEFINE_DISPATCHER(t_learn_stale, long, long, a, long, b);

static int stale_release;

/* Holds up the (one) worker until released. */
static void stale_blocker(struct work_struct *work)
{
	while (!__atomic_load_n(&stale_release, __ATOMIC_ACQUIRE))
		dt_sleep_ms(1);
}

/*
 * A relayout requested for one window (a CPU reached learn_calls) must not
 * close the next one, opened by an update before the work got to run:
 * that window learns for learn_calls calls like any other.  The stale
 * work used to close it at once, with the one call it had seen, and lay
 * the image out for that call alone.
 */
DT_TEST(learn_stale_close)
{
	struct dispatcher *d = &DISPATCHER(t_learn_stale);
	static DECLARE_WORK(blocker, stale_blocker);
	target_t t[5];
	unsigned int k;

	ASSERT(dt_make_stubs(5, 600000, true, DT_TEXT_NEAR, (void **)t));
	TUNE("learn_calls", "16");
	TUNE("learn_period_ms", "3600000");
	TUNE("learn", "1");
	for (k = 0; k < 4; k++)
		ASSERT_EQ(__dispatcher_register(d, t[k]), 0);
	/* The window fills while the worker is busy: its relayout waits. */
	queue_work(system_wq, &blocker);
	for (k = 0; k < 16; k++)
		EXPECT_EQ(dispatcher_call(t_learn_stale, t[0], k, 0),
			  STUB_VALUE(600000, 0, k));
	ASSERT(dt_wait_for(work_pending(&d->learn->work), 5000));
	/* An update opens a new window; one call; then the relayout runs. */
	ASSERT_EQ(__dispatcher_register(d, t[4]), 0);
	EXPECT(dispatcher_learn_window(d));
	EXPECT_EQ(dispatcher_call(t_learn_stale, t[1], 1, 0),
		  STUB_VALUE(600000, 1, 1));
	__atomic_store_n(&stale_release, 1, __ATOMIC_RELEASE);
	flush_work(&d->learn->work);
	EXPECT(dispatcher_learn_window(d));
	EXPECT(!d->image);
	EXPECT_EQ(d->learn->nr_windows, 0);

	for (k = 0; k < 5; k++)
		ASSERT_EQ(__dispatcher_unregister(d, t[k]), 0);
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, 0);	/* no image, ever */
}
