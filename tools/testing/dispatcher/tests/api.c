// SPDX-License-Identifier: GPL-2.0
/*
 * DESIGN §3.1, 3.3, 3.7, 3.8, 3.11 in userspace: calls equal the direct
 * calls for 0 to 5 arguments and several return types, with and without an
 * image; arguments are evaluated once; reference counting and replace;
 * bad input, failed registrations counted and leaving no trace; calls from
 * a context a dispatch point does not allow (CONFIG_PROVE_RCU);
 * dispatcher=on|off|auto; debugfs.
 */
#include <string.h>

#include "common.h"

DEFINE_DISPATCHER(t_args0, int);
DEFINE_DISPATCHER(t_args1, long, long, a);
DEFINE_DISPATCHER(t_args2, u8, u32, a, u64, b);
DEFINE_DISPATCHER(t_args3, void *, void *, p, unsigned long, off, int, neg);
DEFINE_DISPATCHER(t_args4, bool, int, a, int, b, int, c, int, d);
DEFINE_DISPATCHER(t_args5, u64, u64, a, u32, b, u16, c, u8, d, s64, e);
DEFINE_DISPATCHER(t_void, void, int *, out, int, v);
/* Never registered but in api_first_failure; RCU-only. */
DEFINE_DISPATCHER(t_fresh, long, long, a);
DEFINE_DISPATCHER_RCU(t_rcu_ctx, long, long, a);

/* Global, so that %ps names them (the harness links with -rdynamic). */
noinline int args0_a(void);
noinline int args0_b(void);
noinline long args1_a(long a);
noinline long args1_b(long a);
noinline u8 args2_a(u32 a, u64 b);
noinline u8 args2_b(u32 a, u64 b);
noinline u8 args2_c(u32 a, u64 b);
noinline void *args3_a(void *p, unsigned long off, int neg);
noinline void *args3_b(void *p, unsigned long off, int neg);
noinline bool args4_a(int a, int b, int c, int d);
noinline bool args4_b(int a, int b, int c, int d);
noinline u64 args5_a(u64 a, u32 b, u16 c, u8 d, s64 e);
noinline u64 args5_b(u64 a, u32 b, u16 c, u8 d, s64 e);
noinline void void_a(int *out, int v);
noinline void void_b(int *out, int v);

noinline int args0_a(void) { return 10; }
noinline int args0_b(void) { return -11; }
noinline long args1_a(long a) { return a * 3; }
noinline long args1_b(long a) { return a - 7; }
noinline u8 args2_a(u32 a, u64 b) { return a ^ b; }
noinline u8 args2_b(u32 a, u64 b) { return a + (b >> 32); }
noinline u8 args2_c(u32 a, u64 b) { return a * 5 - b; }

noinline void *args3_a(void *p, unsigned long off, int neg)
{
	return neg ? p - off : p + off;
}

noinline void *args3_b(void *p, unsigned long off, int neg)
{
	return neg ? NULL : p + 2 * off;
}

noinline bool args4_a(int a, int b, int c, int d)
{
	return (s64)a + b > (s64)c + d;
}

noinline bool args4_b(int a, int b, int c, int d)
{
	return (s64)a * b == (s64)c * d;
}

noinline u64 args5_a(u64 a, u32 b, u16 c, u8 d, s64 e)
{
	return a * 31 + b * 17 + c * 13 + d * 7 + e;
}

noinline u64 args5_b(u64 a, u32 b, u16 c, u8 d, s64 e)
{
	return a ^ b ^ ((u64)c << 48) ^ ((u64)d << 56) ^ e;
}

noinline void void_a(int *out, int v) { *out = (unsigned int)v + 1; }
noinline void void_b(int *out, int v) { *out = -(unsigned int)v; }

static const long dt_vals[] = { 0, 1, -1, 42, 0x7fffffff, -0x80000000L,
				0x123456789abcdefL, -0x123456789abcdefL };

/* A call through the dispatcher equals the direct call. */
#define EXPECT_CALLS(name, fn, ...)					\
	do {								\
		typeof(fn) *__fn = (fn);				\
									\
		EXPECT_EQ(dispatcher_call(name, __fn, ##__VA_ARGS__),	\
			  __fn(__VA_ARGS__));				\
	} while (0)

static void check_args_calls(void)
{
	char buf[16];
	unsigned int i;
	int out1, out2;

	EXPECT_CALLS(t_args0, args0_a);
	EXPECT_CALLS(t_args0, args0_b);
	for (i = 0; i < ARRAY_SIZE(dt_vals); i++) {
		long v = dt_vals[i], w = dt_vals[(i + 3) % ARRAY_SIZE(dt_vals)];

		EXPECT_CALLS(t_args1, args1_a, v);
		EXPECT_CALLS(t_args1, args1_b, v);
		EXPECT_CALLS(t_args2, args2_a, v, w);
		EXPECT_CALLS(t_args2, args2_b, v, w);
		EXPECT_CALLS(t_args3, args3_a, buf + 8, i, i & 1);
		EXPECT_CALLS(t_args3, args3_b, buf, i, i & 1);
		EXPECT_CALLS(t_args4, args4_a, v, w, i, -v);
		EXPECT_CALLS(t_args4, args4_b, v, w, w, v);
		EXPECT_CALLS(t_args5, args5_a, v, w, v >> 3, w >> 5, -v);
		EXPECT_CALLS(t_args5, args5_b, v, w, v >> 3, w >> 5, -v);
		dispatcher_call(t_void, void_a, &out1, v);
		void_a(&out2, v);
		EXPECT_EQ(out1, out2);
		dispatcher_call(t_void, void_b, &out1, v);
		void_b(&out2, v);
		EXPECT_EQ(out1, out2);
	}
}

/* Register (or not) the "a" target of every dispatch point. */
static void set_args_targets(bool reg)
{
	int (*op)(struct dispatcher *d, void *fn) =
		reg ? __dispatcher_register : __dispatcher_unregister;

	EXPECT_EQ(op(&DISPATCHER(t_args0), args0_a), 0);
	EXPECT_EQ(op(&DISPATCHER(t_args1), args1_a), 0);
	EXPECT_EQ(op(&DISPATCHER(t_args2), args2_a), 0);
	EXPECT_EQ(op(&DISPATCHER(t_args3), args3_a), 0);
	EXPECT_EQ(op(&DISPATCHER(t_args4), args4_a), 0);
	EXPECT_EQ(op(&DISPATCHER(t_args5), args5_a), 0);
	EXPECT_EQ(op(&DISPATCHER(t_void), void_a), 0);
}

static struct dispatcher *const dt_args_points[] = {
	&DISPATCHER(t_args0), &DISPATCHER(t_args1), &DISPATCHER(t_args2),
	&DISPATCHER(t_args3), &DISPATCHER(t_args4), &DISPATCHER(t_args5),
	&DISPATCHER(t_void),
};

/*
 * §3.1, 3.11: registered or not, with an image (dispatcher=on) or
 * without (dispatcher=off), every call equals the direct call.
 */
DT_TEST(api_args)
{
	static const char *const modes[] = { "dispatcher=on", "dispatcher=off" };
	unsigned int m, i;

	check_args_calls();
	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		ASSERT(dt_boot_param(modes[m]));
		set_args_targets(true);
		for (i = 0; i < ARRAY_SIZE(dt_args_points); i++) {
			struct dispatcher *d = dt_args_points[i];

			EXPECT_EQ(d->nr_targets, 1);
			EXPECT_EQ(!!d->image, m == 0);
			EXPECT(dt_check_image(d, modes[m]));
		}
		check_args_calls();
		set_args_targets(false);
		check_args_calls();
		for (i = 0; i < ARRAY_SIZE(dt_args_points); i++)
			EXPECT_EQ(dt_args_points[i]->nr_targets, 0);
	}
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
}

static int dt_evals;

static noinline u8 (*counted_fn(u8 (*fn)(u32, u64)))(u32, u64)
{
	dt_evals++;
	return fn;
}

static noinline long counted_val(long v)
{
	dt_evals += 10;
	return v;
}

/* dispatcher_call() evaluates the target and each argument once. */
DT_TEST(api_eval_once)
{
	int pass;

	for (pass = 0; pass < 2; pass++) {
		if (pass)
			ASSERT_EQ(dispatcher_register(t_args2, args2_a), 0);
		dt_evals = 0;
		EXPECT_EQ(dispatcher_call(t_args2, counted_fn(args2_a),
					  counted_val(7), counted_val(9)),
			  args2_a(7, 9));
		EXPECT_EQ(dt_evals, 21);
		dt_evals = 0;
		EXPECT_EQ(dispatcher_call(t_args2, counted_fn(args2_b),
					  counted_val(7), counted_val(1L << 40)),
			  args2_b(7, 1L << 40));
		EXPECT_EQ(dt_evals, 21);
	}
	EXPECT_EQ(dispatcher_unregister(t_args2, args2_a), 0);
}

/* §3.3: the same target twice is one slot with two references. */
DT_TEST(api_refcount)
{
	struct dispatcher *d = &DISPATCHER(t_args2);
	unsigned long updates = d->nr_updates;
	void *image;

	ASSERT_EQ(dispatcher_register(t_args2, args2_a), 0);
	image = dt_image_text(d);
	EXPECT(image);
	EXPECT_EQ(d->nr_updates, updates + 1);
	EXPECT_EQ(dispatcher_register(t_args2, args2_a), 0);
	EXPECT_EQ(d->nr_targets, 1);
	EXPECT_EQ(dt_users(d, args2_a), 2);
	EXPECT_EQ(d->nr_updates, updates + 1);	/* no rebuild */
	EXPECT_PTR_EQ(dt_image_text(d), image);
	EXPECT_CALLS(t_args2, args2_a, 3, 4);

	EXPECT_EQ(dispatcher_register(t_args2, args2_b), 0);
	EXPECT_EQ(d->nr_targets, 2);
	EXPECT_EQ(d->nr_updates, updates + 2);
	EXPECT(dt_check_image(d, "a twice, b"));

	EXPECT_EQ(dispatcher_unregister(t_args2, args2_a), 0);
	EXPECT_EQ(dt_users(d, args2_a), 1);
	EXPECT_EQ(d->nr_updates, updates + 2);	/* a still has a user */
	EXPECT_EQ(dispatcher_unregister(t_args2, args2_a), 0);
	EXPECT_EQ(dt_users(d, args2_a), 0);
	EXPECT_EQ(d->nr_targets, 1);
	EXPECT_EQ(d->nr_updates, updates + 3);
	EXPECT(dt_check_image(d, "b"));
	EXPECT_CALLS(t_args2, args2_a, 3, 4);
	EXPECT_CALLS(t_args2, args2_b, 3, 4);

	EXPECT_EQ(dispatcher_unregister(t_args2, args2_b), 0);
	EXPECT_EQ(d->nr_targets, 0);
	EXPECT(!d->image);
	EXPECT(dt_check_image(d, "none"));
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
}

/* §3.3: replace(old, new) swaps one reference with one rebuild. */
DT_TEST(api_replace)
{
	struct dispatcher *d = &DISPATCHER(t_args2);
	unsigned long updates;
	void *image;

	ASSERT_EQ(dispatcher_register(t_args2, args2_a), 0);
	updates = d->nr_updates;
	image = dt_image_text(d);

	/* Last reference of a for a new target: one rebuild. */
	EXPECT_EQ(dispatcher_replace(t_args2, args2_a, args2_b), 0);
	EXPECT_EQ(d->nr_updates, updates + 1);
	EXPECT_PTR_NE(dt_image_text(d), image);
	EXPECT_EQ(dt_users(d, args2_a), 0);
	EXPECT_EQ(dt_users(d, args2_b), 1);
	EXPECT(dt_check_image(d, "a -> b"));

	/* With itself: nothing at all. */
	image = dt_image_text(d);
	EXPECT_EQ(dispatcher_replace(t_args2, args2_b, args2_b), 0);
	EXPECT_EQ(d->nr_updates, updates + 1);
	EXPECT_PTR_EQ(dt_image_text(d), image);
	EXPECT_EQ(dt_users(d, args2_b), 1);

	/* Onto a registered target: references move, no rebuild needed. */
	EXPECT_EQ(dispatcher_register(t_args2, args2_c), 0);
	EXPECT_EQ(dispatcher_register(t_args2, args2_b), 0);
	updates = d->nr_updates;
	EXPECT_EQ(dispatcher_replace(t_args2, args2_b, args2_c), 0);
	EXPECT_EQ(dt_users(d, args2_b), 1);
	EXPECT_EQ(dt_users(d, args2_c), 2);
	EXPECT_EQ(d->nr_updates, updates);

	/* Both slots change (b goes, a comes): still one rebuild. */
	EXPECT_EQ(dispatcher_replace(t_args2, args2_b, args2_a), 0);
	EXPECT_EQ(d->nr_updates, updates + 1);
	EXPECT_EQ(d->nr_targets, 2);
	EXPECT(dt_check_image(d, "a, c"));

	/* Either side NULL: a plain register or unregister. */
	EXPECT_EQ(__dispatcher_replace(&DISPATCHER(t_args2), NULL, args2_b), 0);
	EXPECT_EQ(dt_users(d, args2_b), 1);
	EXPECT_EQ(__dispatcher_replace(&DISPATCHER(t_args2), args2_b, NULL), 0);
	EXPECT_EQ(dt_users(d, args2_b), 0);

	EXPECT_CALLS(t_args2, args2_a, 1, 2);
	EXPECT_CALLS(t_args2, args2_b, 1, 2);
	EXPECT_CALLS(t_args2, args2_c, 1, 2);
	EXPECT_EQ(dispatcher_unregister(t_args2, args2_a), 0);
	EXPECT_EQ(dispatcher_unregister(t_args2, args2_c), 0);
	EXPECT_EQ(dispatcher_unregister(t_args2, args2_c), 0);
	EXPECT_EQ(d->nr_targets, 0);
}

static int dt_data_word;

/*
 * §3.7: each bad input returns its error, WARNs, and changes nothing.  A
 * target that is not kernel text is -EINVAL, as NULL is, for
 * dispatcher_replace() (the typed one) on either side too.  Failed
 * registrations (any registration or replace with a new target, NULL
 * included, a replace whose old one is unknown among them) are counted
 * in debugfs and reported, ratelimited; the untyped replace of NULL by
 * NULL, and unregistering, are not.
 */
DT_TEST(api_bad_input)
{
	struct dispatcher *d = &DISPATCHER(t_args2);
	typeof(args2_a) *none = NULL;
	unsigned long printed = dt_ratelimited_printed;
	char text[2048], buf[32];
	void *heap = malloc(16);
	int stack_word = 0;
	struct dt_snap s;
	unsigned int i;

	ASSERT(heap);
	ASSERT_EQ(dispatcher_register(t_args2, args2_a), 0);
	dt_snap_take(d, &s);

	EXPECT_EQ(EXPECT_WARNS(__dispatcher_register(d, NULL)), -EINVAL);
	EXPECT_EQ(atomic_read(&d->nr_failed), 1);
	EXPECT_EQ(EXPECT_WARNS(__dispatcher_register(d, &dt_data_word)), -EINVAL);
	EXPECT_EQ(EXPECT_WARNS(__dispatcher_register(d, &stack_word)), -EINVAL);
	EXPECT_EQ(EXPECT_WARNS(__dispatcher_register(d, heap)), -EINVAL);
	EXPECT_EQ(atomic_read(&d->nr_failed), 4);
	EXPECT_EQ(EXPECT_WARNS(__dispatcher_unregister(d, NULL)), -EINVAL);
	EXPECT_EQ(EXPECT_WARNS(dispatcher_unregister(t_args2, args2_b)), -ENOENT);
	EXPECT_EQ(atomic_read(&d->nr_failed), 4);
	EXPECT_EQ(EXPECT_WARNS(dispatcher_replace(t_args2, args2_b, args2_c)),
		  -ENOENT);
	EXPECT_EQ(EXPECT_WARNS(__dispatcher_replace(d, args2_a, heap)), -EINVAL);
	EXPECT_EQ(EXPECT_WARNS(__dispatcher_replace(d, NULL, NULL)), -EINVAL);
	EXPECT_EQ(atomic_read(&d->nr_failed), 6);
	/* The typed replace wants both sides. */
	EXPECT_EQ(EXPECT_WARNS(dispatcher_replace(t_args2, args2_a, none)), -EINVAL);
	EXPECT_EQ(EXPECT_WARNS(dispatcher_replace(t_args2, none, args2_b)), -EINVAL);
	EXPECT_EQ(EXPECT_WARNS(dispatcher_replace(t_args2, none, none)), -EINVAL);
	EXPECT_EQ(atomic_read(&d->nr_failed), 9);
	EXPECT(dt_snap_same(d, &s));
	EXPECT_EQ(dt_users(d, args2_a), 1);
	EXPECT_EQ(dt_users(d, args2_b), 0);

	/* Unregistering twice: the second is unknown. */
	EXPECT_EQ(dispatcher_register(t_args2, args2_b), 0);
	EXPECT_EQ(dispatcher_unregister(t_args2, args2_b), 0);
	EXPECT_EQ(EXPECT_WARNS(dispatcher_unregister(t_args2, args2_b)), -ENOENT);

	/* A saturated reference count. */
	mutex_lock(&d->mutex);
	for (i = 0; i < d->nr_targets; i++)
		if (d->targets[i].addr == (unsigned long)args2_a)
			d->targets[i].users = DISPATCHER_MAX_USERS;
	mutex_unlock(&d->mutex);
	dt_snap_free(&s);
	dt_snap_take(d, &s);
	EXPECT_EQ(EXPECT_WARNS(dispatcher_register(t_args2, args2_a)), -EOVERFLOW);
	EXPECT_EQ(EXPECT_WARNS(dispatcher_replace(t_args2, args2_a, args2_a)),
		  -EOVERFLOW);
	EXPECT(dt_snap_same(d, &s));
	mutex_lock(&d->mutex);
	for (i = 0; i < d->nr_targets; i++)
		d->targets[i].users = 1;
	mutex_unlock(&d->mutex);

	/*
	 * Counted in debugfs; reported, ratelimited: the 11th message is
	 * over the burst of 10 that printk_ratelimited() allows in 5 s.
	 */
	EXPECT_EQ(atomic_read(&d->nr_failed), 11);
	ASSERT_GT(dt_debugfs_read("dispatcher/t_args2", text, sizeof(text)), 0);
	EXPECT_EQ(strcmp(dt_field(text, "failed: ", buf, sizeof(buf)), "11"), 0);
	EXPECT_EQ(dt_ratelimited_printed - printed, 10);

	EXPECT_CALLS(t_args2, args2_a, 5, 6);
	EXPECT_CALLS(t_args2, args2_b, 5, 6);
	EXPECT_EQ(dispatcher_unregister(t_args2, args2_a), 0);
	EXPECT_EQ(d->nr_targets, 0);
	dt_snap_free(&s);
	free(heap);
}

/*
 * A dispatcher is linked (the list of dispatchers with targets, debugfs)
 * only by its first successful update: a first registration that fails,
 * for a target that is not text or for lack of memory at any of its
 * allocations, leaves no trace but its count of failures.
 */
DT_TEST(api_first_failure)
{
	struct dispatcher *d = &DISPATCHER(t_fresh);
	unsigned long failed;
	char text[2048], buf[32], want[16];
	int nth, ret, points = 0;

	EXPECT_EQ(EXPECT_WARNS(__dispatcher_register(d, &dt_data_word)), -EINVAL);
	EXPECT(list_empty(&d->list));
	EXPECT(!dt_debugfs_exists("dispatcher/t_fresh"));
	for (nth = 0; nth < 32; nth++) {
		failed = dt_alloc_failed;
		dt_fail_alloc(nth, 0, 0);
		ret = dispatcher_register(t_fresh, args1_a);
		dt_fail_alloc_off();
		if (dt_alloc_failed == failed) {
			EXPECT_EQ(ret, 0);
			break;
		}
		points++;
		EXPECT_EQ(ret, -ENOMEM);
		EXPECT_EQ(d->nr_targets, 0);
		EXPECT(!d->image);
		EXPECT(list_empty(&d->list));
		EXPECT(!dt_debugfs_exists("dispatcher/t_fresh"));
		EXPECT_CALLS(t_fresh, args1_a, 3);
	}
	EXPECT_GE(points, 3);
	EXPECT_EQ(atomic_read(&d->nr_failed), points + 1);

	/* Linked by the first success, and stays so without targets. */
	EXPECT_EQ(d->nr_targets, 1);
	EXPECT(!list_empty(&d->list));
	ASSERT_GT(dt_debugfs_read("dispatcher/t_fresh", text, sizeof(text)), 0);
	snprintf(want, sizeof(want), "%d", points + 1);
	EXPECT_EQ(strcmp(dt_field(text, "failed: ", buf, sizeof(buf)), want), 0);
	EXPECT_EQ(dispatcher_unregister(t_fresh, args1_a), 0);
	EXPECT(!list_empty(&d->list));
	EXPECT(dt_debugfs_exists("dispatcher/t_fresh"));
}

noinline long ctx_a(long a);
noinline long ctx_a(long a) { return a + 77; }

/*
 * With CONFIG_PROVE_RCU a dispatch point defined with
 * DEFINE_DISPATCHER_RCU() reports a call outside an RCU read-side
 * critical section: counted in debugfs, a WARN; the call goes ahead.  An
 * ordinary dispatch point may be called anywhere RCU is watching.
 */
DT_TEST(api_bad_context)
{
	struct dispatcher *d = &DISPATCHER(t_rcu_ctx);
	char text[2048], buf[32];
	long ret;

	ASSERT(IS_ENABLED(CONFIG_PROVE_RCU));
	ASSERT_EQ(dispatcher_register(t_rcu_ctx, ctx_a), 0);
	rcu_read_lock();
	EXPECT_EQ(dispatcher_call(t_rcu_ctx, ctx_a, 1), 78);
	EXPECT_EQ(dispatcher_call(t_rcu_ctx, args1_a, 2), args1_a(2));
	rcu_read_unlock();
	EXPECT_EQ(atomic_read(&d->nr_bad_context), 0);

	ret = EXPECT_WARNS(dispatcher_call(t_rcu_ctx, ctx_a, 3));
	EXPECT_EQ(ret, 80);
	ret = EXPECT_WARNS(dispatcher_call(t_rcu_ctx, args1_a, 4));
	EXPECT_EQ(ret, args1_a(4));
	EXPECT_EQ(atomic_read(&d->nr_bad_context), 2);
	ASSERT_GT(dt_debugfs_read("dispatcher/t_rcu_ctx", text, sizeof(text)), 0);
	EXPECT_EQ(strcmp(dt_field(text, "bad_context: ", buf, sizeof(buf)), "2"), 0);

	/* Not an RCU-only one: no read-side critical section needed. */
	EXPECT_CALLS(t_args1, args1_a, 5);
	EXPECT_EQ(atomic_read(&DISPATCHER(t_args1).nr_bad_context), 0);
	EXPECT_EQ(dispatcher_unregister(t_rcu_ctx, ctx_a), 0);
}

/* /sys/kernel/debug/dispatcher/<name> says what is registered. */
DT_TEST(api_debugfs)
{
	char text[4096], buf[128], want[64];

	EXPECT(!dt_debugfs_exists("dispatcher/t_args2"));
	ASSERT_EQ(dispatcher_register(t_args2, args2_a), 0);
	ASSERT_EQ(dispatcher_register(t_args2, args2_b), 0);
	ASSERT_EQ(dispatcher_register(t_args2, args2_b), 0);
	ASSERT_GT(dt_debugfs_read("dispatcher/t_args2", text, sizeof(text)), 0);
	dt_info("%s", text);
	EXPECT_EQ(strcmp(dt_field(text, "name: ", buf, sizeof(buf)), "t_args2"), 0);
	EXPECT_EQ(strcmp(dt_field(text, "jit: ", buf, sizeof(buf)), "active"), 0);
	EXPECT_EQ(strcmp(dt_field(text, "mode: ", buf, sizeof(buf)), "auto"), 0);
	EXPECT_EQ(strcmp(dt_field(text, "targets: ", buf, sizeof(buf)), "2"), 0);
	EXPECT(strstr(text, "args2_a users 1\n"));
	EXPECT(strstr(text, "args2_b users 2\n"));
	/* Asked of the back end, and held in its pack: whole units. */
	snprintf(want, sizeof(want), " size %u used ", arch_dispatcher_image_size(2));
	EXPECT(strstr(dt_field(text, "image: ", buf, sizeof(buf)), want));
	snprintf(want, sizeof(want), "%u bytes",
		 ALIGN(arch_dispatcher_image_size(2), DISPATCHER_PACK_UNIT));
	EXPECT_EQ(strcmp(dt_field(text, "memory: ", buf, sizeof(buf)), want), 0);
	EXPECT_EQ(strcmp(dt_field(text, "updates: ", buf, sizeof(buf)), "2"), 0);
	EXPECT_EQ(strcmp(dt_field(text, "deferred: ", buf, sizeof(buf)), "0"), 0);
	EXPECT_EQ(strcmp(dt_field(text, "failed: ", buf, sizeof(buf)), "0"), 0);
	EXPECT_EQ(strcmp(dt_field(text, "bad_context: ", buf, sizeof(buf)), "0"), 0);
	EXPECT(!strstr(text, "jit_error"));

	EXPECT_EQ(dispatcher_unregister(t_args2, args2_a), 0);
	EXPECT_EQ(dispatcher_unregister(t_args2, args2_b), 0);
	EXPECT_EQ(dispatcher_unregister(t_args2, args2_b), 0);
	ASSERT_GT(dt_debugfs_read("dispatcher/t_args2", text, sizeof(text)), 0);
	EXPECT_EQ(strcmp(dt_field(text, "jit: ", buf, sizeof(buf)), "inactive"), 0);
	EXPECT_EQ(strcmp(dt_field(text, "targets: ", buf, sizeof(buf)), "0"), 0);
	EXPECT_EQ(strcmp(dt_field(text, "memory: ", buf, sizeof(buf)), "0 bytes"), 0);
	EXPECT(!strstr(text, "image: "));
}

/*
 * debugfs comes up at late_initcall (core.c creates the directory): a
 * dispatcher used before gets its file then, one used after at once.
 */
DT_TEST_FLAGS(api_debugfs_late, DT_NO_INITCALLS)
{
	char text[1024];

	dt_do_initcalls(DT_INITCALL_DEVICE);
	ASSERT_EQ(dispatcher_register(t_args1, args1_a), 0);
	EXPECT(!dt_debugfs_exists("dispatcher"));
	EXPECT(!dt_debugfs_exists("dispatcher/t_args1"));
	dt_do_initcalls(DT_INITCALL_LATE);
	EXPECT(dt_debugfs_exists("dispatcher"));
	EXPECT(dt_debugfs_exists("dispatcher/t_args1"));
	EXPECT_GT(dt_debugfs_read("dispatcher/t_args1", text, sizeof(text)), 0);
	EXPECT(strstr(text, "targets: 1\n"));
	ASSERT_EQ(dispatcher_register(t_args0, args0_a), 0);
	EXPECT(dt_debugfs_exists("dispatcher/t_args0"));
	EXPECT_EQ(dispatcher_unregister(t_args1, args1_a), 0);
	EXPECT_EQ(dispatcher_unregister(t_args0, args0_a), 0);
}

/*
 * §3.8: dispatcher=auto builds images only on CPUs whose indirect branches
 * go through a retpoline (X86_FEATURE_RETPOLINE, which the kernel sets
 * for the LFENCE variant too), not for the ITS thunk alone nor eIBRS; on
 * and off force it.  A change takes effect at the next update; calls are
 * right whatever the mode.
 */
DT_TEST(api_mode)
{
	static const struct {
		const char *param;
		unsigned long caps;
		bool image;
	} cases[] = {
		{ "dispatcher=auto", DT_CAP(X86_FEATURE_RETPOLINE), true },
		{ "dispatcher=auto", DT_CAP(X86_FEATURE_RETPOLINE) |
				     DT_CAP(X86_FEATURE_RETPOLINE_LFENCE), true },
		{ "dispatcher=auto", DT_CAP(X86_FEATURE_INDIRECT_THUNK_ITS), false },
		{ "dispatcher=auto", DT_CAP(X86_FEATURE_INDIRECT_THUNK_ITS) |
				     DT_CAP(X86_FEATURE_IBRS_ENHANCED), false },
		{ "dispatcher=auto", DT_CAP(X86_FEATURE_IBRS_ENHANCED), false },
		{ "dispatcher=auto", 0, false },
		{ "dispatcher=on", 0, true },
		{ "dispatcher=off", DT_CAP(X86_FEATURE_RETPOLINE), false },
		{ "dispatcher=bogus", DT_CAP(X86_FEATURE_RETPOLINE), false },
		{ "dispatcher=on", DT_CAP(X86_FEATURE_RETPOLINE), true },
	};
	struct dispatcher *d = &DISPATCHER(t_args1);
	unsigned long saved = dt_cpu_caps;
	char text[1024];
	unsigned int i;
	bool before;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		/* Few retiring images, so that no image is deferred. */
		dispatcher_barrier();
		ASSERT_EQ(dispatcher_register(t_args1, args1_b), 0);
		before = d->image;
		dt_cpu_caps = DT_CAP(X86_FEATURE_ALWAYS) | cases[i].caps;
		ASSERT(dt_boot_param(cases[i].param));
		/* Not before the next update. */
		EXPECT_EQ(!!d->image, before);
		ASSERT_EQ(dispatcher_register(t_args1, args1_a), 0);
		if (!!d->image != cases[i].image)
			dt_fail(__FILE__, __LINE__, "%s, caps %#lx: image %d",
				cases[i].param, cases[i].caps, !!d->image);
		EXPECT(dt_check_image(d, cases[i].param));
		EXPECT_CALLS(t_args1, args1_a, 12);
		EXPECT_CALLS(t_args1, args1_b, 12);
		EXPECT_CALLS(t_args1, args1_b, -12);
		EXPECT_GT(dt_debugfs_read("dispatcher/t_args1", text, sizeof(text)), 0);
		EXPECT_EQ(!!strstr(text, "jit: active"), cases[i].image);
		EXPECT_EQ(dispatcher_unregister(t_args1, args1_a), 0);
		EXPECT_EQ(dispatcher_unregister(t_args1, args1_b), 0);
	}
	dt_cpu_caps = saved;
}
