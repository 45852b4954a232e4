// SPDX-License-Identifier: GPL-2.0
/*
 * DESIGN §3.4, 3.5, 3.10 in userspace, with the real JIT: retired images
 * are freed only after the grace periods, never while a reader may still
 * run them (the December 2022 BPF dispatcher crash); at most
 * DISPATCHER_MAX_RETIRING wait; no mapping is ever writable and executable;
 * every allocation, and the copy into text, can fail without changing
 * anything or leaking; images are kernel text, named for kallsyms and
 * perf, until they are freed.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "common.h"

DEFINE_DISPATCHER(t_img, long, long, a, long, b);

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

static void check_calls(void)
{
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(img_fns); k++)
		EXPECT_EQ(dispatcher_call(t_img, img_fns[k], 100 + k, 7),
			  img_fns[k](100 + k, 7));
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
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
		sleep_ms(1);
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
		sleep_ms(1);
	return true;
}

static void holder_release(struct holder *h)
{
	__atomic_store_n(&h->step, 2, __ATOMIC_SEQ_CST);
	pthread_join(h->thread, NULL);
}

/* §3.4: an old image is freed after a grace period, and not before. */
DT_TEST(image_retire)
{
	struct dispatcher *d = &DISPATCHER(t_img);
	void *i1, *i2, *i3;
	struct holder h;

	ASSERT_EQ(dispatcher_register(t_img, img_a), 0);
	i1 = dt_image_text(d);
	ASSERT_EQ(dispatcher_register(t_img, img_b), 0);
	i2 = dt_image_text(d);
	ASSERT(i1 && i2 && i1 != i2);
	dispatcher_barrier();
	EXPECT(!dt_text_accessible(i1));
	EXPECT(dt_text_executable(i2));
	EXPECT_EQ(dt_execmem_live, 1);

	ASSERT(holder_start(&h));
	ASSERT_EQ(dispatcher_register(t_img, img_c), 0);
	i3 = dt_image_text(d);
	check_calls();
	sleep_ms(100);
	/* The reader has not passed a quiescent state: i2 must stay. */
	EXPECT(dt_text_executable(i2));
	EXPECT_EQ(dt_execmem_live, 2);
	holder_release(&h);
	dispatcher_barrier();
	EXPECT(!dt_text_accessible(i2));
	EXPECT(dt_text_executable(i3));
	EXPECT_EQ(dt_execmem_live, 1);
	check_calls();

	EXPECT_EQ(dispatcher_unregister(t_img, img_a), 0);
	EXPECT_EQ(dispatcher_unregister(t_img, img_b), 0);
	EXPECT_EQ(dispatcher_unregister(t_img, img_c), 0);
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, 0);
	EXPECT(!dt_text_accessible(i3));
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
	void *before;

	ASSERT_EQ(dispatcher_register(t_img, img_a), 0);
	before = dt_image_text(d);
	ASSERT(before);
	/* Nothing may be waiting: the held reader blocks every grace period. */
	dispatcher_barrier();
	ASSERT_EQ(pthread_create(&h.thread, NULL, held_caller, &h), 0);
	while (__atomic_load_n(&h.step, __ATOMIC_SEQ_CST) != 1)
		cpu_relax();
	if (!dispatcher_register(t_img, img_b) &&
	    !dispatcher_register(t_img, img_c)) {
		/* Time for a grace period to end, if one wrongly could. */
		sleep_ms(100);
		EXPECT(dt_text_executable(before));
		__atomic_store_n(&h.step, 2, __ATOMIC_SEQ_CST);
	} else {
		__atomic_store_n(&h.step, 3, __ATOMIC_SEQ_CST);
	}
	pthread_join(h.thread, NULL);

	EXPECT_EQ(h.step, 2);
	EXPECT(h.ok);
	EXPECT_PTR_NE(dt_image_text(d), before);
	dispatcher_barrier();
	EXPECT(!dt_text_accessible(before));
	check_calls();
	EXPECT_EQ(dispatcher_unregister(t_img, img_a), 0);
	EXPECT_EQ(dispatcher_unregister(t_img, img_b), 0);
	EXPECT_EQ(dispatcher_unregister(t_img, img_c), 0);
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

/*
 * At most DISPATCHER_MAX_RETIRING images wait for their grace periods;
 * the update that would retire one more waits until one is freed.
 */
DT_TEST(image_retiring_bound)
{
	struct dispatcher *d = &DISPATCHER(t_img);
	struct updater u = {};
	struct holder h;
	unsigned int i;

	ASSERT_EQ(dispatcher_register(t_img, img_a), 0);
	dispatcher_barrier();
	ASSERT(holder_start(&h));
	for (i = 0; i < DISPATCHER_MAX_RETIRING; i++) {
		if (i % 2)
			ASSERT_EQ(dispatcher_unregister(t_img, img_b), 0);
		else
			ASSERT_EQ(dispatcher_register(t_img, img_b), 0);
	}
	EXPECT_EQ(dt_execmem_live, DISPATCHER_MAX_RETIRING + 1);
	ASSERT_EQ(pthread_create(&u.thread, NULL, updater_main, &u), 0);
	sleep_ms(300);
	EXPECT(!__atomic_load_n(&u.done, __ATOMIC_SEQ_CST));
	EXPECT_EQ(d->nr_targets, 1);
	check_calls();
	holder_release(&h);
	pthread_join(u.thread, NULL);
	EXPECT_EQ(u.ret, 0);
	EXPECT_EQ(d->nr_targets, 2);
	EXPECT(dt_check_image(d, "after the wait"));
	EXPECT_EQ(dispatcher_unregister(t_img, img_a), 0);
	EXPECT_EQ(dispatcher_unregister(t_img, img_d), 0);
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, 0);
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
		EXPECT(dt_text_executable(dt_image_text(d)));
	}
	EXPECT(dt_check_image(d, "64 stubs"));
	for (i = 0; i < ARRAY_SIZE(stubs); i++)
		EXPECT_EQ(__dispatcher_unregister(d, stubs[i]), 0);
	EXPECT_EQ(dt_count_wx_mappings(first, sizeof(first)), 0);
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, 0);
}

/*
 * §3.5: each allocation an update makes can fail.  A failed register or
 * replace returns -ENOMEM and changes nothing; unregister never fails (the
 * dispatcher may run without an image until the next update).  A copy
 * into text that fails is -EFAULT, and changes nothing either.  Calls stay
 * right, nothing leaks (LeakSanitizer checks at exit).
 */
DT_TEST(image_fail)
{
	struct dispatcher *d = &DISPATCHER(t_img);
	unsigned long failed;
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
	EXPECT_GE(points, 5);
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
	dt_fail_text_poke = true;
	EXPECT_EQ(EXPECT_WARNS(dispatcher_register(t_img, img_d)), -EFAULT);
	EXPECT(!dt_fail_text_poke);
	EXPECT(dt_snap_same(d, &s));
	EXPECT_EQ(d->jit_err, -EFAULT);
	EXPECT_EQ(dt_execmem_live, 1);	/* the failed image went at once */
	EXPECT(dt_check_image(d, "failed copy"));
	check_calls();
	dt_snap_free(&s);

	EXPECT_EQ(dispatcher_unregister(t_img, img_a), 0);
	EXPECT_EQ(d->nr_targets, 0);
	dt_barrier();
	EXPECT_EQ(dt_execmem_live, 0);
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
	sleep_ms(50);
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
	EXPECT(!dt_text_accessible(img1.text));
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
