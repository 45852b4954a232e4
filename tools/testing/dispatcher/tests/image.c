// SPDX-License-Identifier: GPL-2.0
/*
 * DESIGN §3.4, 3.5, 3.10 in userspace, with the real JIT: retired images
 * are freed only after the grace periods, never while a reader may still
 * run them (the December 2022 BPF dispatcher crash), after an RCU-tasks
 * and an RCU grace period, or an RCU one alone for a dispatch point whose
 * callers are all in RCU read-side critical sections
 * (DEFINE_DISPATCHER_RCU()); at most DISPATCHER_MAX_RETIRING wait, and an
 * update beyond that never waits: it runs on the default function until
 * a work item builds its image; images are carved from packs of
 * executable memory, a freed slot filled with int3 and reused; no mapping
 * is ever writable and executable; every allocation, and the copy into
 * text, can fail without changing anything or leaking; images are kernel
 * text, named for kallsyms and perf, until they are freed.
 */
#include <pthread.h>
#include <string.h>

#include "common.h"

DEFINE_DISPATCHER(t_img, long, long, a, long, b);
DEFINE_DISPATCHER(t_img2, long, long, a, long, b);
DEFINE_DISPATCHER_RCU(t_rcu, long, long, a, long, b);

noinline long img_a(long a, long b);
noinline long img_b(long a, long b);
noinline long img_c(long a, long b);
noinline long img_d(long a, long b);

noinline long img_a(long a, long b) { return a + b + 1; }
noinline long img_b(long a, long b) { return a - b + 2; }
noinline long img_c(long a, long b) { return (a ^ b) + 3; }
noinline long img_d(long a, long b) { return (a | b) + 4; }

static long (*const img_fns[])(long, long) = { img_a, img_b, img_c, img_d };

/* The shape of the dispatch function, and so of an image: args, then fn. */
typedef long (*img_entry_t)(long a, long b, long (*fn)(long, long));

/* Every target, registered or not, through @name: the direct call's value. */
#define CHECK_CALLS(name)						\
	do {								\
		unsigned int __k;					\
									\
		for (__k = 0; __k < ARRAY_SIZE(img_fns); __k++)		\
			EXPECT_EQ(dispatcher_call(name, img_fns[__k],	\
						  100 + __k, 7),	\
				  img_fns[__k](100 + __k, 7));		\
	} while (0)

static void check_calls(void)
{
	CHECK_CALLS(t_img);
}

/* t_rcu's callers are in RCU read-side critical sections. */
static void check_rcu_calls(void)
{
	rcu_read_lock();
	CHECK_CALLS(t_rcu);
	rcu_read_unlock();
}

/* Is the image whose entry is @entry still named kernel text? */
static bool image_named(unsigned long entry)
{
	return is_dispatcher_text_address(entry);
}

/* A reader that stays between two quiescent states until released. */
struct holder {
	pthread_t thread;
	int step;	/* 1: holding, 2: release */
};

static void *holder_main(void *arg)
{
	struct holder *h = arg;

	dt_rcu_register_thread();
	__atomic_store_n(&h->step, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&h->step, __ATOMIC_SEQ_CST) != 2)
		dt_sleep_ms(1);
	dt_rcu_quiescent_state();
	dt_rcu_unregister_thread();
	return NULL;
}

static bool holder_start(struct holder *h)
{
	h->step = 0;
	if (pthread_create(&h->thread, NULL, holder_main, h))
		return false;
	while (!__atomic_load_n(&h->step, __ATOMIC_SEQ_CST))
		dt_sleep_ms(1);
	return true;
}

static void holder_release(struct holder *h)
{
	__atomic_store_n(&h->step, 2, __ATOMIC_SEQ_CST);
	pthread_join(h->thread, NULL);
}

/*
 * §3.4: an old image is freed after the grace periods, and not before:
 * until then it stays, byte for byte, named kernel text; freed, its slot
 * of the pack is filled with int3 (arch_dispatcher_invalidate()), so that
 * a CPU still running it would trap, until the slot is reused.  The pack
 * itself stays.
 */
DT_TEST(image_retire)
{
	struct dispatcher *d = &DISPATCHER(t_img);
	unsigned int held1, held2, held3;
	unsigned long e2;
	void *i1, *i2, *i3, *code2;
	struct holder h;

	ASSERT_EQ(dispatcher_register(t_img, img_a), 0);
	i1 = dt_image_text(d);
	ASSERT(i1);
	held1 = d->image->held;
	ASSERT_EQ(dispatcher_register(t_img, img_b), 0);
	i2 = dt_image_text(d);
	ASSERT(i2 && i1 != i2);
	held2 = d->image->held;
	e2 = (unsigned long)d->image->entry;
	dispatcher_barrier();
	EXPECT(dt_image_trapped(i1, held1));
	EXPECT(dt_text_executable(i2));
	EXPECT(dt_check_image(d, "b"));
	EXPECT_EQ(dt_execmem_live, 1);		/* one pack */

	code2 = dt_image_save(d->image);
	ASSERT(code2);
	ASSERT(holder_start(&h));
	ASSERT_EQ(dispatcher_register(t_img, img_c), 0);
	i3 = dt_image_text(d);
	ASSERT(i3);
	held3 = d->image->held;
	check_calls();
	dt_sleep_ms(100);
	/* The reader has not passed a quiescent state: i2 must stay. */
	EXPECT(!memcmp(i2, code2, held2));
	EXPECT(dt_text_executable(i2));
	EXPECT(image_named(e2));
	EXPECT_EQ(dt_execmem_live, 1);		/* both in the one pack */
	holder_release(&h);
	dispatcher_barrier();
	EXPECT(dt_image_trapped(i2, held2));
	EXPECT(!image_named(e2));
	EXPECT(dt_text_executable(i3));
	EXPECT_EQ(dt_execmem_live, 1);
	check_calls();

	EXPECT_EQ(dispatcher_unregister(t_img, img_a), 0);
	EXPECT_EQ(dispatcher_unregister(t_img, img_b), 0);
	EXPECT_EQ(dispatcher_unregister(t_img, img_c), 0);
	dispatcher_barrier();
	EXPECT(dt_image_trapped(i3, held3));
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
	free(code2);
}

struct held {
	pthread_t thread;
	int step;	/* 1: caller holds the image, 2: updated, 3: failed */
	bool ok;
};

/* Take the image and hold it, without a quiescent state, across updates. */
static void *held_caller(void *arg)
{
	struct held *h = arg;
	img_entry_t image;
	unsigned int k;

	dt_rcu_register_thread();
	image = READ_ONCE(DISPATCHER(t_img).sc_key->func);
	__atomic_store_n(&h->step, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&h->step, __ATOMIC_SEQ_CST) == 1)
		cpu_relax();
	h->ok = __atomic_load_n(&h->step, __ATOMIC_SEQ_CST) == 2;
	for (k = 0; h->ok && k < ARRAY_SIZE(img_fns); k++)
		h->ok = image(k, 1, img_fns[k]) == img_fns[k](k, 1);
	dt_rcu_quiescent_state();
	dt_rcu_unregister_thread();
	return NULL;
}

/*
 * The December 2022 BPF dispatcher crash: a CPU still executing an image
 * while two updates in a row replaced it.  A caller takes the image the
 * static call points at and, without a quiescent state, waits for two
 * updates by another thread, then runs that image: it must still be there
 * and right.
 */
DT_TEST(image_held)
{
	struct dispatcher *d = &DISPATCHER(t_img);
	struct held h = {};
	void *before, *code;
	unsigned int held;

	ASSERT_EQ(dispatcher_register(t_img, img_a), 0);
	before = dt_image_text(d);
	ASSERT(before);
	held = d->image->held;
	code = dt_image_save(d->image);
	ASSERT(code);
	/* Nothing may be waiting: the held reader blocks every grace period. */
	dispatcher_barrier();
	ASSERT_EQ(pthread_create(&h.thread, NULL, held_caller, &h), 0);
	while (__atomic_load_n(&h.step, __ATOMIC_SEQ_CST) != 1)
		cpu_relax();
	if (!dispatcher_register(t_img, img_b) &&
	    !dispatcher_register(t_img, img_c)) {
		/* Time for a grace period to end, if one wrongly could. */
		dt_sleep_ms(100);
		EXPECT(dt_text_executable(before));
		EXPECT(!memcmp(before, code, held));
		__atomic_store_n(&h.step, 2, __ATOMIC_SEQ_CST);
	} else {
		__atomic_store_n(&h.step, 3, __ATOMIC_SEQ_CST);
	}
	pthread_join(h.thread, NULL);

	EXPECT_EQ(h.step, 2);
	EXPECT(h.ok);
	EXPECT_PTR_NE(dt_image_text(d), before);
	dispatcher_barrier();
	EXPECT(dt_image_trapped(before, held));
	check_calls();
	EXPECT_EQ(dispatcher_unregister(t_img, img_a), 0);
	EXPECT_EQ(dispatcher_unregister(t_img, img_b), 0);
	EXPECT_EQ(dispatcher_unregister(t_img, img_c), 0);
	free(code);
}

struct updater {
	pthread_t thread;
	int done;
	int ret;
};

static void *updater_main(void *arg)
{
	struct updater *u = arg;

	u->ret = dispatcher_register(t_img, img_d);
	__atomic_store_n(&u->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static bool debugfs_says(const char *path, const char *key, const char *want)
{
	char text[2048], buf[64];

	if (dt_debugfs_read(path, text, sizeof(text)) <= 0)
		return false;
	if (!strcmp(dt_field(text, key, buf, sizeof(buf)), want))
		return true;
	dt_info("%s: \"%s%s\", not \"%s%s\"", path, key, buf, key, want);
	return false;
}

/*
 * At most DISPATCHER_MAX_RETIRING images wait for their grace periods.
 * An update made while that many are retiring does not wait: it returns
 * at once, having switched the dispatch point to its default function
 * (and retired the image it had), counts a deferral, and calls stay
 * right; so does another dispatch point's.  Once the grace periods end,
 * the deferred images are built, by dispatcher_barrier() at the latest.
 * Named images (live or retiring) never exceed the bound plus one per
 * dispatch point.
 */
DT_TEST(image_retiring_bound)
{
	struct dispatcher *d = &DISPATCHER(t_img), *d2 = &DISPATCHER(t_img2);
	struct updater u = {};
	unsigned long deferred;
	struct holder h;
	unsigned int i;

	ASSERT_EQ(dispatcher_register(t_img, img_a), 0);
	dispatcher_barrier();
	deferred = d->nr_deferred;
	ASSERT(holder_start(&h));
	for (i = 0; i < DISPATCHER_MAX_RETIRING; i++) {
		if (i % 2)
			ASSERT_EQ(dispatcher_unregister(t_img, img_b), 0);
		else
			ASSERT_EQ(dispatcher_register(t_img, img_b), 0);
		ASSERT(d->image);
	}
	EXPECT_EQ(d->nr_deferred, deferred);
	EXPECT_EQ(dt_ksym_registered, DISPATCHER_MAX_RETIRING + 1);

	/* The bound is full: the next update returns without waiting. */
	ASSERT_EQ(pthread_create(&u.thread, NULL, updater_main, &u), 0);
	if (!dt_wait_for(__atomic_load_n(&u.done, __ATOMIC_SEQ_CST), 5000)) {
		dt_fail(__FILE__, __LINE__,
			"an update waits for the retiring images' grace periods");
		holder_release(&h);
		pthread_join(u.thread, NULL);
		return;
	}
	pthread_join(u.thread, NULL);
	EXPECT_EQ(u.ret, 0);
	EXPECT_EQ(d->nr_targets, 2);
	EXPECT_EQ(dt_users(d, img_d), 1);
	EXPECT(!d->image);
	EXPECT_PTR_EQ(READ_ONCE(d->sc_key->func), d->default_func);
	EXPECT(dt_check_image(d, "deferred"));	/* the trampoline too */
	EXPECT_EQ(d->jit_err, 0);
	EXPECT_EQ(d->nr_deferred, deferred + 1);
	EXPECT(debugfs_says("dispatcher/t_img", "jit: ", "inactive"));
	EXPECT(debugfs_says("dispatcher/t_img", "deferred: ", "1"));
	EXPECT(debugfs_says("dispatcher/t_img", "memory: ", "0 bytes"));
	check_calls();
	/* Its image retired, none built: still the bound plus one. */
	EXPECT_EQ(dt_ksym_registered, DISPATCHER_MAX_RETIRING + 1);

	/* More updates, and another dispatch point's first: all deferred. */
	ASSERT_EQ(dispatcher_register(t_img, img_c), 0);
	EXPECT(!d->image);
	ASSERT_EQ(dispatcher_unregister(t_img, img_c), 0);
	EXPECT(!d->image);
	EXPECT_EQ(d->nr_deferred, deferred + 3);
	ASSERT_EQ(dispatcher_register(t_img2, img_b), 0);
	EXPECT(!d2->image);
	EXPECT_EQ(d2->nr_deferred, 1);
	EXPECT(dt_debugfs_exists("dispatcher/t_img2"));
	EXPECT(dt_check_image(d2, "deferred first image"));
	EXPECT_EQ(dt_ksym_registered, DISPATCHER_MAX_RETIRING + 1);
	check_calls();
	CHECK_CALLS(t_img2);

	/* The grace periods end: the deferred images are built. */
	holder_release(&h);
	dispatcher_barrier();
	EXPECT(d->image);
	EXPECT(d2->image);
	EXPECT(dt_check_image(d, "built after the grace periods"));
	EXPECT(dt_check_image(d2, "built after the grace periods"));
	EXPECT_EQ(d->nr_deferred, deferred + 3);
	EXPECT_EQ(d2->nr_deferred, 1);
	EXPECT_EQ(d->jit_err, 0);
	EXPECT_EQ(dt_ksym_registered, 2);
	EXPECT(debugfs_says("dispatcher/t_img", "jit: ", "active"));
	check_calls();
	CHECK_CALLS(t_img2);

	EXPECT_EQ(dispatcher_unregister(t_img, img_a), 0);
	EXPECT_EQ(dispatcher_unregister(t_img, img_d), 0);
	EXPECT_EQ(dispatcher_unregister(t_img2, img_b), 0);
	dispatcher_barrier();
	EXPECT_EQ(dt_ksym_registered, 0);
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
}

/* A thread inside rcu_read_lock() holding t_rcu's image across updates. */
struct rcu_reader {
	pthread_t thread;
	int step;	/* 1: holds the image, 2: go on */
	bool ok;
};

static void *rcu_reader_main(void *arg)
{
	struct rcu_reader *r = arg;
	img_entry_t image;
	unsigned int k;

	rcu_read_lock();
	image = READ_ONCE(DISPATCHER(t_rcu).sc_key->func);
	__atomic_store_n(&r->step, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&r->step, __ATOMIC_SEQ_CST) != 2)
		dt_sleep_ms(1);
	r->ok = true;
	for (k = 0; r->ok && k < ARRAY_SIZE(img_fns); k++)
		r->ok = image(k, 1, img_fns[k]) == img_fns[k](k, 1);
	rcu_read_unlock();
	return NULL;
}

/*
 * A dispatch point defined with DEFINE_DISPATCHER_RCU(): its retired
 * images wait for an RCU grace period only.  A reader that holds up RCU
 * tasks (registered, between two quiescent states, not in a read-side
 * critical section) does not keep them: they are freed while an ordinary
 * dispatch point's retired image still waits for that reader.  A reader
 * inside rcu_read_lock() does keep them, byte for byte, and runs them
 * right after two updates.
 */
DT_TEST(image_rcu_only)
{
	struct dispatcher *r = &DISPATCHER(t_rcu), *d = &DISPATCHER(t_img);
	unsigned long tasks_gps, re1, de1;
	unsigned int rheld1, dheld1;
	struct rcu_reader rr = {};
	void *r1, *d1, *code;
	struct holder h;

	EXPECT(r->rcu);
	EXPECT(!d->rcu);
	ASSERT_EQ(dispatcher_register(t_rcu, img_a), 0);
	ASSERT_EQ(dispatcher_register(t_img, img_a), 0);
	ASSERT(r->image && d->image);
	r1 = r->image->text;
	rheld1 = r->image->held;
	re1 = (unsigned long)r->image->entry;
	d1 = d->image->text;
	dheld1 = d->image->held;
	de1 = (unsigned long)d->image->entry;
	code = dt_image_save(d->image);
	ASSERT(code);
	dispatcher_barrier();

	/* RCU tasks held up: only the ordinary image waits. */
	ASSERT(holder_start(&h));
	tasks_gps = dt_rcu_tasks_gp_completed;
	ASSERT_EQ(dispatcher_register(t_rcu, img_b), 0);
	ASSERT_EQ(dispatcher_register(t_img, img_b), 0);
	check_rcu_calls();
	check_calls();
	EXPECT(dt_wait_for(!image_named(re1), 5000));
	EXPECT(dt_wait_for(dt_image_trapped(r1, rheld1), 1000));
	dt_sleep_ms(50);
	EXPECT(image_named(de1));
	EXPECT(dt_text_executable(d1));
	EXPECT(!memcmp(d1, code, dheld1));
	/* No RCU-tasks grace period could end, and none was needed. */
	EXPECT_EQ(dt_rcu_tasks_gp_completed, tasks_gps);
	holder_release(&h);
	dispatcher_barrier();
	EXPECT(!image_named(de1));
	EXPECT(dt_image_trapped(d1, dheld1));
	EXPECT_GT(dt_rcu_tasks_gp_completed, tasks_gps);
	free(code);

	/* A reader inside rcu_read_lock() keeps t_rcu's image. */
	r1 = r->image->text;
	rheld1 = r->image->held;
	re1 = (unsigned long)r->image->entry;
	code = dt_image_save(r->image);
	ASSERT(code);
	ASSERT_EQ(pthread_create(&rr.thread, NULL, rcu_reader_main, &rr), 0);
	while (!__atomic_load_n(&rr.step, __ATOMIC_SEQ_CST))
		dt_sleep_ms(1);
	ASSERT_EQ(dispatcher_register(t_rcu, img_c), 0);
	ASSERT_EQ(dispatcher_register(t_rcu, img_d), 0);
	dt_sleep_ms(100);
	EXPECT(image_named(re1));
	EXPECT(!memcmp(r1, code, rheld1));
	__atomic_store_n(&rr.step, 2, __ATOMIC_SEQ_CST);
	pthread_join(rr.thread, NULL);
	EXPECT(rr.ok);
	dispatcher_barrier();
	EXPECT(!image_named(re1));
	EXPECT(dt_image_trapped(r1, rheld1));
	EXPECT(dt_check_image(r, "rcu only"));
	check_rcu_calls();
	free(code);

	EXPECT_EQ(dispatcher_unregister(t_rcu, img_a), 0);
	EXPECT_EQ(dispatcher_unregister(t_rcu, img_b), 0);
	EXPECT_EQ(dispatcher_unregister(t_rcu, img_c), 0);
	EXPECT_EQ(dispatcher_unregister(t_rcu, img_d), 0);
	EXPECT_EQ(dispatcher_unregister(t_img, img_a), 0);
	EXPECT_EQ(dispatcher_unregister(t_img, img_b), 0);
	dispatcher_barrier();
	EXPECT_EQ(dt_ksym_registered, 0);
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
}

/*
 * Packs: images are carved from packs of DISPATCHER_PACK_SIZE bytes in
 * units of DISPATCHER_PACK_UNIT; a freed slot is filled with int3 by
 * arch_dispatcher_invalidate() (text_poke_set()) and reused at once, so
 * 10,000 updates, each building an image and retiring one, allocate at
 * most two packs; one empty pack is kept.
 */
DT_TEST(image_pack)
{
	struct dispatcher *d = &DISPATCHER(t_img);
	unsigned long allocs = dt_execmem_allocs, sets, set_bytes, updates;
	unsigned long deferred;
	void *i1, *i3;
	unsigned int i, held1;

	ASSERT_EQ(dispatcher_register(t_img, img_a), 0);
	ASSERT(d->image);
	EXPECT_EQ(dt_execmem_allocs - allocs, 1);
	EXPECT_EQ(d->image->held, ALIGN(d->image->size, DISPATCHER_PACK_UNIT));
	EXPECT_LE(d->image->held, 4 * DISPATCHER_PACK_UNIT);
	EXPECT(IS_ALIGNED((unsigned long)d->image->text, DISPATCHER_PACK_UNIT));
	i1 = d->image->text;
	held1 = d->image->held;

	/* A freed slot: int3, through text_poke_set(), then reused. */
	sets = dt_text_poke_sets;
	set_bytes = dt_text_poke_set_bytes;
	ASSERT_EQ(dispatcher_register(t_img, img_b), 0);
	dispatcher_barrier();
	EXPECT_EQ(dt_text_poke_sets - sets, 1);
	EXPECT_EQ(dt_text_poke_set_bytes - set_bytes, held1);
	EXPECT(dt_image_trapped(i1, held1));
	ASSERT_EQ(dispatcher_unregister(t_img, img_b), 0);
	i3 = dt_image_text(d);
	EXPECT_PTR_EQ(i3, i1);		/* the first free slot */
	EXPECT(dt_check_image(d, "in a reused slot"));
	check_calls();

	/* 10,000 updates, each building its image. */
	dispatcher_barrier();
	allocs = dt_execmem_allocs;
	sets = dt_text_poke_sets;
	updates = d->nr_updates;
	deferred = d->nr_deferred;
	for (i = 0; i < 10000; i++) {
		if (i % 2)
			ASSERT_EQ(dispatcher_unregister(t_img, img_b), 0);
		else
			ASSERT_EQ(dispatcher_register(t_img, img_b), 0);
		/* Keep below the bound, so that none is deferred. */
		if (i % 8 == 7)
			dispatcher_barrier();
	}
	dispatcher_barrier();
	EXPECT_EQ(d->nr_updates - updates, 10000);
	EXPECT_EQ(d->nr_deferred, deferred);
	EXPECT_EQ(dt_text_poke_sets - sets, 10000);
	dt_info("10000 updates: %lu packs allocated, %ld live",
		dt_execmem_allocs - allocs, dt_execmem_live);
	EXPECT_LE(dt_execmem_allocs - allocs, 2);
	EXPECT_LE(dt_execmem_live, 2);
	EXPECT(dt_check_image(d, "after 10000 updates"));
	check_calls();

	EXPECT_EQ(dispatcher_unregister(t_img, img_a), 0);
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
	/* The kept pack serves the next image. */
	allocs = dt_execmem_allocs;
	ASSERT_EQ(dispatcher_register(t_img, img_c), 0);
	EXPECT(d->image);
	EXPECT_EQ(dt_execmem_allocs, allocs);
	EXPECT_EQ(dispatcher_unregister(t_img, img_c), 0);
}

/*
 * The first image of the process allocates its pack: each allocation of
 * that first registration made to fail in turn gives -ENOMEM, leaves no
 * pack but the one empty pack kept, no trace of the dispatcher (not on
 * the list, no debugfs file), and counts a failed registration.
 */
DT_TEST(image_pack_fail)
{
	struct dispatcher *d = &DISPATCHER(t_img);
	unsigned long failed;
	int nth, ret, points = 0;

	for (nth = 0; nth < 32; nth++) {
		failed = dt_alloc_failed;
		dt_fail_alloc(nth, 0, 0);
		ret = dispatcher_register(t_img, img_a);
		dt_fail_alloc_off();
		if (dt_alloc_failed == failed) {
			EXPECT_EQ(ret, 0);
			break;
		}
		points++;
		EXPECT_EQ(ret, -ENOMEM);
		EXPECT(!d->image);
		EXPECT_EQ(d->nr_targets, 0);
		/* No pack, or the one empty pack that is kept. */
		EXPECT_LE(dt_execmem_live, DT_PACKS_KEPT);
		EXPECT(list_empty(&d->list));
		EXPECT(!dt_debugfs_exists("dispatcher/t_img"));
		check_calls();
	}
	dt_info("first register: %d allocations, each made to fail", points);
	/*
	 * The targets, the image, its buffer, the pack and its memory, the
	 * generator's.
	 */
	EXPECT_GE(points, 6);
	EXPECT_EQ(atomic_read(&d->nr_failed), points);
	ASSERT(d->image);
	EXPECT_EQ(dt_execmem_live, 1);
	EXPECT(!list_empty(&d->list));
	EXPECT(dt_debugfs_exists("dispatcher/t_img"));
	EXPECT(dt_check_image(d, "after the failures"));
	EXPECT_EQ(dispatcher_unregister(t_img, img_a), 0);
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
}

/* §3.10: no mapping is writable and executable at once, ever. */
DT_TEST(image_wx)
{
	struct dispatcher *d = &DISPATCHER(t_img);
	void *stubs[64];
	char first[256];
	unsigned int i;
	void *text;

	text = dt_make_stubs(ARRAY_SIZE(stubs), 1000, true, DT_TEXT_NEAR, stubs);
	ASSERT(text);
	for (i = 0; i < ARRAY_SIZE(stubs); i++) {
		ASSERT_EQ(__dispatcher_register(d, stubs[i]), 0);
		if (dt_count_wx_mappings(first, sizeof(first))) {
			dt_fail(__FILE__, __LINE__, "W+X mapping: %s", first);
			break;
		}
		/* Unless deferred (too many retiring), an image. */
		if (d->image)
			EXPECT(dt_text_executable(dt_image_text(d)));
	}
	dispatcher_barrier();
	EXPECT(d->image);
	EXPECT(dt_check_image(d, "64 stubs"));
	for (i = 0; i < ARRAY_SIZE(stubs); i++)
		EXPECT_EQ(__dispatcher_unregister(d, stubs[i]), 0);
	EXPECT_EQ(dt_count_wx_mappings(first, sizeof(first)), 0);
	dispatcher_barrier();
	EXPECT_EQ(dt_count_wx_mappings(first, sizeof(first)), 0);
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
}

/*
 * §3.5: each allocation an update makes can fail.  A failed register or
 * replace returns -ENOMEM and changes nothing; unregister never fails (the
 * dispatcher may run without an image until the next update).  A copy
 * into text that fails is -EFAULT, and changes nothing either: the new
 * image's slot is filled with int3 again at once.  Calls stay right,
 * nothing leaks (LeakSanitizer checks at exit); the one pack stays.
 */
DT_TEST(image_fail)
{
	struct dispatcher *d = &DISPATCHER(t_img);
	unsigned long failed, sets;
	struct dt_snap s;
	int nth, ret, points = 0;
	long live;

	/*
	 * A dispatcher that has had targets keeps an empty target array
	 * (freed when it is released): count from there.
	 */
	ASSERT_EQ(dispatcher_register(t_img, img_a), 0);
	ASSERT_EQ(dispatcher_unregister(t_img, img_a), 0);
	dt_barrier();
	live = dt_alloc_live;
	ASSERT_EQ(dispatcher_register(t_img, img_a), 0);
	for (nth = 0; nth < 32; nth++) {
		dt_snap_take(d, &s);
		failed = dt_alloc_failed;
		dt_fail_alloc(nth, 0, 0);
		ret = dispatcher_register(t_img, img_b);
		dt_fail_alloc_off();
		if (dt_alloc_failed == failed) {
			EXPECT_EQ(ret, 0);
			dt_snap_free(&s);
			break;
		}
		points++;
		EXPECT_EQ(ret, -ENOMEM);
		EXPECT(dt_snap_same(d, &s));
		EXPECT(dt_check_image(d, "failed register"));
		check_calls();
		dt_snap_free(&s);
	}
	dt_info("register: %d allocations, each made to fail", points);
	/*
	 * The targets, the image, its buffer, the generator's; the pack is
	 * there already (image_pack_fail makes its allocations fail).
	 */
	EXPECT_GE(points, 4);
	EXPECT_EQ(dt_users(d, img_b), 1);

	for (nth = 0; nth < 32; nth++) {
		dt_snap_take(d, &s);
		failed = dt_alloc_failed;
		dt_fail_alloc(nth, 0, 0);
		ret = dispatcher_replace(t_img, img_b, img_c);
		dt_fail_alloc_off();
		if (dt_alloc_failed == failed) {
			EXPECT_EQ(ret, 0);
			dt_snap_free(&s);
			break;
		}
		EXPECT_EQ(ret, -ENOMEM);
		EXPECT(dt_snap_same(d, &s));
		check_calls();
		dt_snap_free(&s);
	}
	EXPECT_EQ(dt_users(d, img_c), 1);

	for (nth = 0; nth < 32; nth++) {
		failed = dt_alloc_failed;
		dt_fail_alloc(nth, 0, 0);
		ret = dispatcher_unregister(t_img, img_c);
		dt_fail_alloc_off();
		EXPECT_EQ(ret, 0);
		EXPECT_EQ(dt_users(d, img_c), 0);
		EXPECT_EQ(d->nr_targets, 1);
		EXPECT(dt_check_image(d, "unregister under failure"));
		check_calls();
		if (dt_alloc_failed == failed)
			break;
		if (!d->image)
			EXPECT_EQ(d->jit_err, -ENOMEM);
		ASSERT_EQ(dispatcher_register(t_img, img_c), 0);
		EXPECT(d->image);
		EXPECT_EQ(d->jit_err, 0);
	}

	/* The copy into text fails (text_poke_copy() returns NULL). */
	dispatcher_barrier();
	dt_snap_take(d, &s);
	sets = dt_text_poke_sets;
	dt_fail_text_poke = true;
	EXPECT_EQ(EXPECT_WARNS(dispatcher_register(t_img, img_d)), -EFAULT);
	EXPECT(!dt_fail_text_poke);
	EXPECT(dt_snap_same(d, &s));
	EXPECT_EQ(d->jit_err, -EFAULT);
	/* The failed image went at once: its slot is int3 again. */
	EXPECT_EQ(dt_text_poke_sets - sets, 1);
	EXPECT_EQ(dt_execmem_live, 1);
	EXPECT(dt_check_image(d, "failed copy"));
	check_calls();
	dt_snap_free(&s);

	EXPECT_EQ(dispatcher_unregister(t_img, img_a), 0);
	EXPECT_EQ(d->nr_targets, 0);
	dt_barrier();
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
	EXPECT_EQ(dt_alloc_live, live);
}

/* The perf event of the last dispatcher_ksym_add() or _del(). */
static bool ksym_event(const char *op, const struct dispatcher_image *img)
{
	char want[sizeof(dt_ksym_last)];

	snprintf(want, sizeof(want), "%s dispatcher_t_img %#lx+%u", op,
		 (unsigned long)img->entry,
		 (unsigned int)((u8 *)img->text + img->len - (u8 *)img->entry));
	if (!strcmp(dt_ksym_last, want))
		return true;
	dt_info("perf ksymbol event \"%s\", not \"%s\"", dt_ksym_last, want);
	return false;
}

/*
 * An image is kernel text, named "dispatcher_<name>" from its entry to its
 * end in kallsyms and perf, from just before the static call enters it
 * until it is freed: a retired image that a reader may still run stays
 * named and text; once freed it is neither.  perf ksymbol events balance.
 */
DT_TEST(image_kallsyms)
{
	struct dispatcher *d = &DISPATCHER(t_img);
	char sym[KSYM_NAME_LEN], type;
	unsigned long size, off, value, e1, end1, e2;
	struct dispatcher_image img1;
	unsigned long events = dt_ksym_events;
	struct holder h;

	ASSERT_EQ(dispatcher_register(t_img, img_a), 0);
	ASSERT(d->image);
	img1 = *d->image;
	e1 = (unsigned long)img1.entry;
	end1 = (unsigned long)img1.text + img1.len;
	EXPECT_EQ(dt_ksym_registered, 1);
	EXPECT(ksym_event("add", &img1));
	EXPECT_GT(dispatcher_address_lookup(e1 + 3, &size, &off, sym), 0);
	EXPECT_EQ(strcmp(sym, "dispatcher_t_img"), 0);
	EXPECT_EQ(off, 3);
	EXPECT_EQ(size, end1 - e1);
	EXPECT_EQ(dispatcher_address_lookup(e1 - 1, NULL, NULL, sym), 0);
	EXPECT_EQ(dispatcher_address_lookup(end1, NULL, NULL, sym), 0);
	EXPECT_GT(dispatcher_address_lookup(end1 - 1, NULL, NULL, sym), 0);
	dt_symbol(e1, sym, sizeof(sym));
	EXPECT_EQ(strcmp(sym, "dispatcher_t_img"), 0);
	EXPECT(is_dispatcher_text_address(e1));
	EXPECT(is_dispatcher_text_address(end1 - 1));
	EXPECT(!is_dispatcher_text_address(end1));
	EXPECT(!is_dispatcher_text_address((unsigned long)img_a));
	EXPECT(kernel_text_address(e1));
	EXPECT_EQ(dispatcher_get_kallsym(0, &value, &type, sym), 0);
	EXPECT_EQ(value, e1);
	EXPECT_EQ(type, 't');
	EXPECT_EQ(strcmp(sym, "dispatcher_t_img"), 0);
	EXPECT_EQ(dispatcher_get_kallsym(1, &value, &type, sym), -ERANGE);

	/* Retired, while a reader may still run it: still text, still named. */
	dispatcher_barrier();
	ASSERT(holder_start(&h));
	ASSERT_EQ(dispatcher_register(t_img, img_b), 0);
	ASSERT(d->image);
	e2 = (unsigned long)d->image->entry;
	EXPECT(ksym_event("add", d->image));
	dt_sleep_ms(50);
	EXPECT_EQ(dt_ksym_registered, 2);
	EXPECT(dt_text_executable(img1.text));
	EXPECT(is_dispatcher_text_address(e1));
	EXPECT(kernel_text_address(e1));
	EXPECT_GT(dispatcher_address_lookup(e1, NULL, NULL, sym), 0);
	EXPECT_EQ(strcmp(sym, "dispatcher_t_img"), 0);
	EXPECT(is_dispatcher_text_address(e2));
	EXPECT_EQ(dispatcher_get_kallsym(0, &value, &type, sym), 0);
	EXPECT_EQ(value, e1);
	EXPECT_EQ(dispatcher_get_kallsym(1, &value, &type, sym), 0);
	EXPECT_EQ(value, e2);
	EXPECT_EQ(dispatcher_get_kallsym(2, &value, &type, sym), -ERANGE);

	/* Freed: neither. */
	holder_release(&h);
	dispatcher_barrier();
	EXPECT_EQ(dt_ksym_registered, 1);
	EXPECT(ksym_event("del", &img1));
	EXPECT(dt_image_trapped(img1.text, img1.held));
	EXPECT(!is_dispatcher_text_address(e1));
	EXPECT(!kernel_text_address(e1));
	EXPECT_EQ(dispatcher_address_lookup(e1, NULL, NULL, sym), 0);
	EXPECT_EQ(dispatcher_get_kallsym(0, &value, &type, sym), 0);
	EXPECT_EQ(value, e2);
	EXPECT_EQ(dispatcher_get_kallsym(1, &value, &type, sym), -ERANGE);

	EXPECT_EQ(dispatcher_unregister(t_img, img_a), 0);
	EXPECT_EQ(dispatcher_unregister(t_img, img_b), 0);
	EXPECT(!d->image);
	dispatcher_barrier();
	EXPECT_EQ(dt_ksym_registered, 0);
	EXPECT(!is_dispatcher_text_address(e2));
	EXPECT_EQ(dispatcher_get_kallsym(0, &value, &type, sym), -ERANGE);
	/* One add and one del per image: three images, six events. */
	EXPECT_EQ(dt_ksym_events - events, 6);
}
