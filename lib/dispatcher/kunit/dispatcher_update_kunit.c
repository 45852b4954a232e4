// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for how lib/dispatcher updates its dispatch points: an
 * update never waits for a grace period (with too many images retiring it
 * switches to the default function and the image is built later); a
 * retired image is freed only once every task has left it, also one
 * preempted inside it; a dispatch point called under RCU waits for RCU
 * alone; the architecture's images come from packs that 100k updates do
 * not grow; a failed update leaves no trace; and calls from a context a
 * dispatch point does not allow are caught.
 *
 * The "spin" back end makes images of C functions that report a task
 * inside them and hold it there while told to, so that a test can retire
 * an image with a task inside it and watch when it is freed.
 */

#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/dispatcher.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../dispatcher_internal.h"
#include "dispatcher_kunit.h"

DEFINE_DISPATCHER(dk_spin, int, int, a);
DEFINE_DISPATCHER_RCU(dk_spin_rcu, int, int, a);
DEFINE_DISPATCHER(dk_def, int, int, a);
DEFINE_DISPATCHER(dk_trace, int, int, a);

static noinline int dk_upd_a(int a)
{
	return a + 1;
}

static noinline int dk_upd_b(int a)
{
	return a + 2;
}

static noinline int dk_upd_c(int a)
{
	return a + 3;
}

/* The spin back end: four images, each a C function of the targets' type. */
#define SPIN_IMAGES	4

static struct {
	spinlock_t lock;	/* protects allocated[] and frees[] */
	bool allocated[SPIN_IMAGES];
	unsigned int frees[SPIN_IMAGES];
	bool hold;
	int inside;		/* the image a task is held in, or -1 */
	unsigned long nivcsw;	/* its involuntary switches on entry */
} spin = {
	.lock = __SPIN_LOCK_UNLOCKED(spin.lock),
	.inside = -1,
};

static int spin_enter(unsigned int k, int a, int (*fn)(int))
{
	if (READ_ONCE(spin.hold)) {
		spin.nivcsw = current->nivcsw;
		WRITE_ONCE(spin.inside, k);
		while (READ_ONCE(spin.hold))
			cpu_relax();
		WRITE_ONCE(spin.inside, -1);
	}
	return fn(a);
}

static noinline int spin_image0(int a, int (*fn)(int))
{
	return spin_enter(0, a, fn);
}

static noinline int spin_image1(int a, int (*fn)(int))
{
	return spin_enter(1, a, fn);
}

static noinline int spin_image2(int a, int (*fn)(int))
{
	return spin_enter(2, a, fn);
}

static noinline int spin_image3(int a, int (*fn)(int))
{
	return spin_enter(3, a, fn);
}

static int (* const spin_images[SPIN_IMAGES])(int, int (*)(int)) = {
	spin_image0, spin_image1, spin_image2, spin_image3,
};

static int spin_index(const void *image)
{
	int k;

	for (k = 0; k < SPIN_IMAGES; k++)
		if (image == spin_images[k])
			return k;
	return -1;
}

static unsigned int spin_image_size(unsigned int nr_targets)
{
	return 1;
}

static int spin_generate(void *buf, void *image, unsigned int size,
			 const struct dispatcher_layout *layout,
			 unsigned int *entry)
{
	*entry = 0;
	return 1;
}

static void *spin_alloc(unsigned int size)
{
	void *image = NULL;
	int k;

	spin_lock(&spin.lock);
	for (k = 0; k < SPIN_IMAGES && !image; k++) {
		if (!spin.allocated[k]) {
			spin.allocated[k] = true;
			image = spin_images[k];
		}
	}
	spin_unlock(&spin.lock);
	return image;
}

static void spin_free(void *image, unsigned int size)
{
	int k = spin_index(image);

	if (k < 0)
		return;
	spin_lock(&spin.lock);
	spin.allocated[k] = false;
	spin.frees[k]++;
	spin_unlock(&spin.lock);
}

static int spin_copy(void *dst, const void *src, unsigned int len)
{
	return 0;
}

static const struct dispatcher_ops spin_ops = {
	.image_size	= spin_image_size,
	.generate	= spin_generate,
	.alloc		= spin_alloc,
	.free		= spin_free,
	.copy		= spin_copy,
};

static unsigned int spin_frees(int k)
{
	unsigned int n;

	spin_lock(&spin.lock);
	n = spin.frees[k];
	spin_unlock(&spin.lock);
	return n;
}

/* The spin image @d runs now. */
static int spin_current(struct dispatcher *d)
{
	guard(mutex)(&d->mutex);
	return d->image ? spin_index(d->image->entry) : -1;
}

/* A task that makes one call, through @rcu's dispatch point or dk_spin's. */
struct spin_caller {
	bool rcu;
	int ret;
};

static int spin_caller_fn(void *data)
{
	struct spin_caller *c = data;

	if (c->rcu) {
		guard(rcu)();
		c->ret = dispatcher_call(dk_spin_rcu, dk_upd_a, 10);
	} else {
		c->ret = dispatcher_call(dk_spin, dk_upd_a, 10);
	}
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/*
 * Start a task that calls through @rcu's dispatch point or dk_spin's and is
 * held inside its image; on @cpu if it is not negative.  Returns the task,
 * or NULL if it did not get inside within ten seconds.
 */
static struct task_struct *spin_start(struct kunit *test,
				      struct spin_caller *c, int cpu)
{
	unsigned long timeout = jiffies + 10 * HZ;
	struct task_struct *t;

	WRITE_ONCE(spin.hold, true);
	t = kthread_create(spin_caller_fn, c, "dk_spin");
	if (IS_ERR(t)) {
		WRITE_ONCE(spin.hold, false);
		return NULL;
	}
	get_task_struct(t);
	if (cpu >= 0)
		kthread_bind(t, cpu);
	wake_up_process(t);
	while (READ_ONCE(spin.inside) < 0 && time_before(jiffies, timeout))
		usleep_range(1000, 2000);
	if (READ_ONCE(spin.inside) >= 0)
		return t;
	WRITE_ONCE(spin.hold, false);
	kthread_stop(t);
	put_task_struct(t);
	return NULL;
}

static void spin_stop(struct task_struct *t)
{
	WRITE_ONCE(spin.hold, false);
	kthread_stop(t);
	put_task_struct(t);
}

/* Wait up to @secs seconds for image @k to be freed @n times in all. */
static bool spin_wait_freed(int k, unsigned int n, unsigned int secs)
{
	unsigned long timeout = jiffies + secs * HZ;

	while (spin_frees(k) < n && time_before(jiffies, timeout))
		usleep_range(10000, 20000);
	return spin_frees(k) >= n;
}

static int dk_update_init(struct kunit *test)
{
	DISPATCHER(dk_spin).ops = &spin_ops;
	DISPATCHER(dk_spin_rcu).ops = &spin_ops;
	/* Each case starts with no image retiring, so updates build theirs. */
	dispatcher_barrier();
	return 0;
}

static void dk_update_unregister_all(struct dispatcher *d)
{
	while (d->nr_targets)
		__dispatcher_unregister(d, (void *)d->targets[0].addr);
}

static void dk_update_exit(struct kunit *test)
{
	/* A case that failed half-way may have left a task held. */
	WRITE_ONCE(spin.hold, false);
	dk_update_unregister_all(&DISPATCHER(dk_spin));
	dk_update_unregister_all(&DISPATCHER(dk_spin_rcu));
	dk_update_unregister_all(&DISPATCHER(dk_def));
	dk_update_unregister_all(&DISPATCHER(dk_trace));
	dispatcher_barrier();
	DISPATCHER(dk_spin).ops = NULL;
	DISPATCHER(dk_spin_rcu).ops = NULL;
	DISPATCHER(dk_trace).ops = NULL;
}

/*
 * A task preempted inside an image holds the image until it has left:
 * the update that retires it returns at once, but the image is not freed
 * for as long as the task is inside, and is freed after.  The task and the
 * test run on one CPU, so each time the test runs, the task is preempted
 * inside the image.
 */
static void dispatcher_update_test_preempted(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(dk_spin);
	struct spin_caller c = { .rcu = false };
	struct task_struct *t;
	unsigned int frees;
	int cpu, old;

	if (!preempt_model_preemptible())
		kunit_skip(test, "needs a preemptible kernel (preempt=full)");

	KUNIT_ASSERT_EQ(test, dispatcher_register(dk_spin, dk_upd_a), 0);
	old = spin_current(d);
	KUNIT_ASSERT_GE(test, old, 0);
	frees = spin_frees(old);

	cpu = get_cpu();
	put_cpu();
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	t = spin_start(test, &c, cpu);
	if (!t) {
		set_cpus_allowed_ptr(current, cpu_possible_mask);
		KUNIT_FAIL(test, "the caller never entered the image");
		return;
	}
	KUNIT_EXPECT_EQ(test, READ_ONCE(spin.inside), old);

	/* Retire the image the task is in; the update does not wait. */
	KUNIT_EXPECT_EQ(test, dispatcher_register(dk_spin, dk_upd_b), 0);
	KUNIT_EXPECT_NE(test, spin_current(d), old);
	KUNIT_EXPECT_FALSE(test, spin_wait_freed(old, frees + 1, 3));
	KUNIT_EXPECT_EQ(test, READ_ONCE(spin.inside), old);
	/* The test ran on the task's CPU meanwhile: it was preempted. */
	KUNIT_EXPECT_GT(test, READ_ONCE(t->nivcsw), spin.nivcsw);

	spin_stop(t);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	KUNIT_EXPECT_EQ(test, c.ret, dk_upd_a(10));
	KUNIT_EXPECT_TRUE(test, spin_wait_freed(old, frees + 1, 60));
}

/*
 * A dispatch point defined with DEFINE_DISPATCHER_RCU(): a retired image
 * is held by a task inside it in an RCU read-side critical section, but
 * not by a task that holds up RCU-tasks grace periods elsewhere.
 */
static void dispatcher_update_test_rcu_only(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(dk_spin_rcu);
	struct spin_caller c = { .rcu = true };
	struct spin_caller h = { .rcu = false };
	struct task_struct *t;
	unsigned int frees;
	int old;

	if (!preempt_model_preemptible())
		kunit_skip(test, "needs a preemptible kernel (preempt=full)");

	KUNIT_ASSERT_EQ(test, dispatcher_register(dk_spin_rcu, dk_upd_a), 0);
	old = spin_current(d);
	KUNIT_ASSERT_GE(test, old, 0);
	frees = spin_frees(old);

	/* A reader inside the image keeps it. */
	t = spin_start(test, &c, -1);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_EXPECT_EQ(test, dispatcher_register(dk_spin_rcu, dk_upd_b), 0);
	KUNIT_EXPECT_FALSE(test, spin_wait_freed(old, frees + 1, 2));
	spin_stop(t);
	KUNIT_EXPECT_EQ(test, c.ret, dk_upd_a(10));
	KUNIT_EXPECT_TRUE(test, spin_wait_freed(old, frees + 1, 60));

	/*
	 * A task held inside dk_spin's image, outside any RCU read-side
	 * critical section, holds up RCU-tasks grace periods; dk_spin_rcu's
	 * retired image is freed all the same.
	 */
	KUNIT_ASSERT_EQ(test, dispatcher_register(dk_spin, dk_upd_a), 0);
	t = spin_start(test, &h, -1);
	KUNIT_ASSERT_NOT_NULL(test, t);
	old = spin_current(d);
	KUNIT_ASSERT_GE(test, old, 0);
	frees = spin_frees(old);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(dk_spin_rcu, dk_upd_b), 0);
	KUNIT_EXPECT_TRUE(test, spin_wait_freed(old, frees + 1, 30));
	KUNIT_EXPECT_GE(test, READ_ONCE(spin.inside), 0);
	spin_stop(t);
	KUNIT_EXPECT_EQ(test, h.ret, dk_upd_a(10));
}

/* Is dk_def right for each of its targets and for one it does not have? */
static bool dk_def_calls_ok(int a)
{
	return dispatcher_call(dk_def, dk_upd_a, a) == dk_upd_a(a) &&
	       dispatcher_call(dk_def, dk_upd_b, a) == dk_upd_b(a) &&
	       dispatcher_call(dk_def, dk_upd_c, a) == dk_upd_c(a);
}

/*
 * With DISPATCHER_MAX_RETIRING images retiring, an update returns at once
 * without an image: the dispatch point calls through its default
 * function, and its image is built once the retirements have drained.
 * Where the kernel is preemptible, a task held in dk_spin's image stops
 * RCU-tasks grace periods, so the retirements cannot drain meanwhile; on
 * one CPU without preemption, nothing else runs while the test does not
 * sleep.
 */
static void dispatcher_update_test_deferred(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(dk_def);
	struct spin_caller h = { .rcu = false };
	struct task_struct *t = NULL;
	unsigned long deferred = d->nr_deferred;
	enum dispatcher_mode mode = dispatcher_mode;
	unsigned int i;
	bool ok = true;

	if (!IS_ENABLED(CONFIG_DISPATCHER_JIT))
		kunit_skip(test, "no JIT");
	if (!preempt_model_preemptible() && num_online_cpus() > 1)
		kunit_skip(test, "needs preemption or a single CPU");

	if (preempt_model_preemptible()) {
		KUNIT_ASSERT_EQ(test, dispatcher_register(dk_spin, dk_upd_a), 0);
		t = spin_start(test, &h, -1);
		KUNIT_ASSERT_NOT_NULL(test, t);
	}
	dispatcher_mode = DISPATCHER_MODE_ON;
	KUNIT_EXPECT_EQ(test, dispatcher_register(dk_def, dk_upd_a), 0);
	for (i = 0; i < 4 * DISPATCHER_MAX_RETIRING; i++) {
		void *fn = i % 2 ? dk_upd_c : dk_upd_b;

		if (__dispatcher_replace(d, i ? (i % 2 ? dk_upd_b : dk_upd_c) : NULL,
					 fn))
			ok = false;
		ok &= dk_def_calls_ok(i);
		if (d->nr_deferred != deferred)
			break;
	}
	KUNIT_EXPECT_TRUE(test, ok);
	KUNIT_EXPECT_GT(test, d->nr_deferred, deferred);
	KUNIT_EXPECT_NULL(test, d->image);
	KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(d->sc_key->func), d->default_func);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 2);
	KUNIT_EXPECT_TRUE(test, dk_def_calls_ok(1));

	if (t) {
		spin_stop(t);
		KUNIT_EXPECT_EQ(test, h.ret, dk_upd_a(10));
	}
	/* The retirements drain, and the deferred image is built. */
	dispatcher_barrier();
	dispatcher_mode = mode;
	KUNIT_EXPECT_NOT_NULL(test, d->image);
	if (d->image)
		KUNIT_EXPECT_PTR_EQ(test, READ_ONCE(d->sc_key->func),
				    d->image->entry);
	KUNIT_EXPECT_TRUE(test, dk_def_calls_ok(2));
}

/*
 * 100k updates of a dispatch point with the architecture's back end: the
 * executable memory it allocates (each allocation is a set_memory_rox()
 * on x86) stays bounded, because images are carved from packs and reused.
 */
static void dispatcher_update_test_pack(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(dk_def);
	long allocs = atomic_long_read(&dispatcher_pack_allocs);
	long frees = atomic_long_read(&dispatcher_pack_frees);
	enum dispatcher_mode mode = dispatcher_mode;
	unsigned int i, built = 0, wrong = 0;

	if (!IS_ENABLED(CONFIG_DISPATCHER_JIT))
		kunit_skip(test, "no JIT");

	dispatcher_mode = DISPATCHER_MODE_ON;
	KUNIT_ASSERT_EQ(test, dispatcher_register(dk_def, dk_upd_a), 0);
	for (i = 0; i < 100000; i++) {
		int ret = i % 2 ? dispatcher_unregister(dk_def, dk_upd_b) :
				  dispatcher_register(dk_def, dk_upd_b);

		if (ret || !dk_def_calls_ok(i))
			wrong++;
		built += !!d->image;
		/* Let retirements drain now and then, so images get built. */
		if (i % 1000 == 999)
			dispatcher_barrier();
		cond_resched();
	}
	dispatcher_barrier();
	dispatcher_mode = mode;
	KUNIT_EXPECT_EQ(test, wrong, 0);
	kunit_info(test, "100000 updates, %u with an image, %ld packs allocated, %ld freed\n",
		   built, atomic_long_read(&dispatcher_pack_allocs) - allocs,
		   atomic_long_read(&dispatcher_pack_frees) - frees);
	KUNIT_EXPECT_GE(test, built, 100);
	KUNIT_EXPECT_LE(test, atomic_long_read(&dispatcher_pack_allocs) - allocs, 2);
	KUNIT_EXPECT_LE(test, atomic_long_read(&dispatcher_pack_frees) - frees, 2);
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	KUNIT_EXPECT_LE(test, d->image->held, 4 * DISPATCHER_PACK_UNIT);
	KUNIT_EXPECT_EQ(test, d->image->held % DISPATCHER_PACK_UNIT, 0);
}

/* A back end that cannot allocate: every registration fails. */
static unsigned int fail_image_size(unsigned int nr_targets)
{
	return 64;
}

static void *fail_alloc(unsigned int size)
{
	return NULL;
}

static const struct dispatcher_ops fail_ops = {
	.image_size	= fail_image_size,
	.generate	= spin_generate,
	.alloc		= fail_alloc,
	.free		= spin_free,
	.copy		= spin_copy,
};

/*
 * A failed update leaves no trace: a dispatch point whose first
 * registration fails is in no list and has no debugfs file, and a replace
 * of a target that is not registered does not link it either.  Failures
 * are counted.  The typed dispatcher_replace() refuses a NULL side.
 */
static void dispatcher_update_test_no_trace(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(dk_trace);
	typeof(dk_upd_a) *none = NULL;
	int failed = atomic_read(&d->nr_failed);

	d->ops = &fail_ops;
	KUNIT_EXPECT_EQ(test, dispatcher_register(dk_trace, dk_upd_a), -ENOMEM);
	KUNIT_EXPECT_TRUE(test, list_empty(&d->list));
	KUNIT_EXPECT_NULL(test, d->dentry);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->nr_failed), failed + 1);

	KUNIT_EXPECT_EQ(test, dispatcher_replace(dk_trace, dk_upd_a, dk_upd_b),
			-ENOENT);
	KUNIT_EXPECT_TRUE(test, list_empty(&d->list));
	KUNIT_EXPECT_NULL(test, d->dentry);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->nr_failed), failed + 2);

	KUNIT_EXPECT_EQ(test, dispatcher_replace(dk_trace, none, dk_upd_b),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, dispatcher_replace(dk_trace, dk_upd_a, none),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->nr_failed), failed + 4);
	KUNIT_EXPECT_EQ(test, users_of(d, dk_upd_b), 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&d->list));

	/* Without an image back end the registration works, and links it. */
	d->ops = NULL;
	dispatcher_mode = DISPATCHER_MODE_OFF;
	KUNIT_EXPECT_EQ(test, dispatcher_register(dk_trace, dk_upd_a), 0);
	dispatcher_mode = DISPATCHER_MODE_AUTO;
	KUNIT_EXPECT_FALSE(test, list_empty(&d->list));
	if (IS_ENABLED(CONFIG_DEBUG_FS))
		KUNIT_EXPECT_NOT_NULL(test, d->dentry);
	KUNIT_EXPECT_EQ(test, dispatcher_replace(dk_trace, dk_upd_a, none),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, users_of(d, dk_upd_a), 1);
	KUNIT_EXPECT_EQ(test, dispatcher_call(dk_trace, dk_upd_a, 1), 2);
}

/*
 * A target is kernel text: anything else is -EINVAL, not registered.
 */
static int dk_not_text;

static void dispatcher_update_test_not_text(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(dk_trace);
	int failed = atomic_read(&d->nr_failed);

	KUNIT_EXPECT_EQ(test, __dispatcher_register(d, &dk_not_text), -EINVAL);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->nr_failed), failed + 1);
}

/*
 * With CONFIG_PROVE_RCU, a dispatch point defined with
 * DEFINE_DISPATCHER_RCU() reports a call outside an RCU read-side critical
 * section; calls inside one, and calls of other dispatch points, are not
 * reported.
 */
static void dispatcher_update_test_context(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(dk_spin_rcu);
	struct dispatcher *plain = &DISPATCHER(dk_def);
	int bad = atomic_read(&d->nr_bad_context);
	int ret[2];

	if (!IS_ENABLED(CONFIG_PROVE_RCU))
		kunit_skip(test, "needs CONFIG_PROVE_RCU");

	scoped_guard(rcu)
		ret[0] = dispatcher_call(dk_spin_rcu, dk_upd_a, 1);
	scoped_guard(preempt)
		ret[1] = dispatcher_call(dk_spin_rcu, dk_upd_a, 1);
	KUNIT_EXPECT_EQ(test, ret[0], 2);
	KUNIT_EXPECT_EQ(test, ret[1], 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->nr_bad_context), bad);
	KUNIT_EXPECT_EQ(test, dispatcher_call(dk_def, dk_upd_a, 1), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&plain->nr_bad_context), 0);

	/* The call still happens, and is right. */
	KUNIT_EXPECT_EQ(test, dispatcher_call(dk_spin_rcu, dk_upd_a, 1), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&d->nr_bad_context), bad + 1);
}

#ifdef CONFIG_MODULES
/*
 * A target evicted with its module is no longer registered: whoever
 * registered it and did not hold the module gets -ENOENT (and the WARN of
 * any unregistration of a target that is not registered) when it
 * unregisters afterwards; the other registrations are untouched.  The
 * module is simulated: a struct module whose text covers dk_upd_c.
 */
static void dispatcher_update_test_evicted(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(dk_trace);
	struct module *mod = kunit_kzalloc(test, sizeof(*mod), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mod);
	strscpy(mod->name, "dispatcher_fake", sizeof(mod->name));
	mod->mem[MOD_TEXT].base = (void *)dk_upd_c;
	mod->mem[MOD_TEXT].size = 1;

	KUNIT_ASSERT_EQ(test, dispatcher_register(dk_trace, dk_upd_a), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(dk_trace, dk_upd_c), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(dk_trace, dk_upd_c), 0);
	dispatcher_module_notify(NULL, MODULE_STATE_GOING, mod);
	KUNIT_EXPECT_EQ(test, users_of(d, dk_upd_c), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, dk_upd_a), 1);

	KUNIT_EXPECT_EQ(test, dispatcher_unregister(dk_trace, dk_upd_c), -ENOENT);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(dk_trace, dk_upd_c), -ENOENT);
	KUNIT_EXPECT_EQ(test, users_of(d, dk_upd_a), 1);
	KUNIT_EXPECT_EQ(test, dispatcher_call(dk_trace, dk_upd_c, 1), 4);
}
#else
static void dispatcher_update_test_evicted(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_MODULES");
}
#endif

static struct kunit_case dispatcher_update_cases[] = {
	KUNIT_CASE(dispatcher_update_test_preempted),
	KUNIT_CASE(dispatcher_update_test_rcu_only),
	KUNIT_CASE(dispatcher_update_test_deferred),
	KUNIT_CASE_SLOW(dispatcher_update_test_pack),
	KUNIT_CASE(dispatcher_update_test_no_trace),
	KUNIT_CASE(dispatcher_update_test_not_text),
	KUNIT_CASE(dispatcher_update_test_context),
	KUNIT_CASE(dispatcher_update_test_evicted),
	{}
};

static struct kunit_suite dispatcher_update_suite = {
	.name = "dispatcher_update",
	.suite_init = dk_learn_off,
	.suite_exit = dk_learn_restore,
	.init = dk_update_init,
	.exit = dk_update_exit,
	.test_cases = dispatcher_update_cases,
};

kunit_test_suite(dispatcher_update_suite);
