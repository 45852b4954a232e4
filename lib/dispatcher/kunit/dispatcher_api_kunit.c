// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for lib/dispatcher: the dispatcher_api suite.
 *
 * Calls through dispatch points of 0 to 5 arguments and several return
 * types, registered or not, reference counting, bad input and debugfs,
 * with the architecture's back end (on UML: no JIT).
 *
 * Run with:
 *	./tools/testing/kunit/kunit.py run --kunitconfig=lib/dispatcher/kunit
 */

#include <kunit/test.h>
#include <linux/dispatcher.h>
#include <linux/seq_file.h>

#include "../dispatcher_internal.h"
#include "dispatcher_kunit.h"

/* Dispatch points of 0 to 5 arguments with different return types. */

DEFINE_DISPATCHER(kunit_args0, int);
DEFINE_DISPATCHER(kunit_args1, long, long, a);
DEFINE_DISPATCHER(kunit_args2, u8, u32, a, u64, b);
DEFINE_DISPATCHER(kunit_args3, void *, void *, p, unsigned long, off,
		  int, neg);
DEFINE_DISPATCHER(kunit_args4, bool, int, a, int, b, int, c, int, d);
DEFINE_DISPATCHER(kunit_args5, u64, u64, a, u32, b, u16, c, u8, d, s64, e);
DEFINE_DISPATCHER(kunit_void, void, int *, out, int, v);

static noinline int args0_a(void) { return 10; }
static noinline int args0_b(void) { return -11; }
static noinline long args1_a(long a) { return a * 3; }
static noinline long args1_b(long a) { return a - 7; }
static noinline u8 args2_a(u32 a, u64 b) { return a ^ b; }
static noinline u8 args2_b(u32 a, u64 b) { return a + (b >> 32); }

static noinline void *args3_a(void *p, unsigned long off, int neg)
{
	return neg ? p - off : p + off;
}

static noinline void *args3_b(void *p, unsigned long off, int neg)
{
	return neg ? NULL : p + 2 * off;
}

static noinline bool args4_a(int a, int b, int c, int d)
{
	return a + b > c + d;
}

static noinline bool args4_b(int a, int b, int c, int d)
{
	return a * b == c * d;
}

static noinline u64 args5_a(u64 a, u32 b, u16 c, u8 d, s64 e)
{
	return a * 31 + b * 17 + c * 13 + d * 7 + e;
}

static noinline u64 args5_b(u64 a, u32 b, u16 c, u8 d, s64 e)
{
	return a ^ b ^ ((u64)c << 48) ^ ((u64)d << 56) ^ e;
}

static noinline void void_a(int *out, int v) { *out = v + 1; }
static noinline void void_b(int *out, int v) { *out = -v; }

/* A call through the dispatcher equals the direct call. */
#define EXPECT_CALLS(test, name, fn, ...)				\
	do {								\
		typeof(fn) *__fn = (fn);				\
									\
		KUNIT_EXPECT_EQ_MSG(test,				\
				    dispatcher_call(name, __fn, ##__VA_ARGS__), \
				    __fn(__VA_ARGS__), "%s via %s", #fn, #name); \
	} while (0)

static void check_args_calls(struct kunit *test)
{
	static char buf[64];
	int out_d = 0, out_c = 0, i;

	for (i = -2; i < 3; i++) {
		EXPECT_CALLS(test, kunit_args0, args0_a);
		EXPECT_CALLS(test, kunit_args0, args0_b);
		EXPECT_CALLS(test, kunit_args1, args1_a, i * 1000L);
		EXPECT_CALLS(test, kunit_args1, args1_b, i * 1000L);
		EXPECT_CALLS(test, kunit_args2, args2_a, 0xfffff00u + i,
			     0x1234567800000000ull + i);
		EXPECT_CALLS(test, kunit_args2, args2_b, 0xfffff00u + i,
			     0x1234567800000000ull + i);
		KUNIT_EXPECT_PTR_EQ(test,
				    dispatcher_call(kunit_args3, args3_a,
						    buf + 32, 5, i < 0),
				    args3_a(buf + 32, 5, i < 0));
		KUNIT_EXPECT_PTR_EQ(test,
				    dispatcher_call(kunit_args3, args3_b,
						    buf + 32, 5, i < 0),
				    args3_b(buf + 32, 5, i < 0));
		EXPECT_CALLS(test, kunit_args4, args4_a, i, 2, 3, i * i);
		EXPECT_CALLS(test, kunit_args4, args4_b, i, 2, 3, i * i);
		EXPECT_CALLS(test, kunit_args5, args5_a, ~0ull - i, 0xdead,
			     0xbeef, 0x5a, -1000LL * i);
		EXPECT_CALLS(test, kunit_args5, args5_b, ~0ull - i, 0xdead,
			     0xbeef, 0x5a, -1000LL * i);

		dispatcher_call(kunit_void, void_a, &out_d, i);
		void_a(&out_c, i);
		KUNIT_EXPECT_EQ(test, out_d, out_c);
		dispatcher_call(kunit_void, void_b, &out_d, i);
		void_b(&out_c, i);
		KUNIT_EXPECT_EQ(test, out_d, out_c);
	}
}

static const struct {
	struct dispatcher *d;
	void *a, *b;
} args_targets[] = {
	{ &DISPATCHER(kunit_args0), args0_a, args0_b },
	{ &DISPATCHER(kunit_args1), args1_a, args1_b },
	{ &DISPATCHER(kunit_args2), args2_a, args2_b },
	{ &DISPATCHER(kunit_args3), args3_a, args3_b },
	{ &DISPATCHER(kunit_args4), args4_a, args4_b },
	{ &DISPATCHER(kunit_args5), args5_a, args5_b },
	{ &DISPATCHER(kunit_void), void_a, void_b },
};

/* (Un)register target a or b of every dispatch point above. */
static void set_args_targets(struct kunit *test, bool b, bool reg)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(args_targets); i++) {
		struct dispatcher *d = args_targets[i].d;
		void *fn = b ? args_targets[i].b : args_targets[i].a;

		KUNIT_ASSERT_EQ_MSG(test, reg ? __dispatcher_register(d, fn) :
					  __dispatcher_unregister(d, fn), 0,
				    "%s", d->name);
	}
}

/* §3.1 and §3.11: registration never changes what is called. */
static void dispatcher_test_args(struct kunit *test)
{
	check_args_calls(test);		/* nothing registered */
	set_args_targets(test, false, true);
	check_args_calls(test);		/* a registered, b not */
	set_args_targets(test, true, true);
	check_args_calls(test);		/* both */
	set_args_targets(test, false, false);
	set_args_targets(test, true, false);
	check_args_calls(test);
	KUNIT_EXPECT_EQ(test, DISPATCHER(kunit_args5).nr_targets, 0);
	KUNIT_EXPECT_EQ(test, DISPATCHER(kunit_args5).nr_args, 5);
	KUNIT_EXPECT_EQ(test, DISPATCHER(kunit_args0).nr_args, 0);
}

static int count_calls;

static noinline long args1_count(long a)
{
	count_calls++;
	return a;
}

/* The target and each argument are evaluated exactly once. */
static void dispatcher_test_eval_once(struct kunit *test)
{
	DISPATCHER_FN_T(kunit_args1) fns[] = { args1_a, args1_count };
	long i = 0, j = 1;

	count_calls = 0;
	KUNIT_EXPECT_EQ(test, dispatcher_call(kunit_args1, fns[i++], j++),
			args1_a(1));
	KUNIT_EXPECT_EQ(test, i, 1);
	KUNIT_EXPECT_EQ(test, j, 2);
	KUNIT_EXPECT_EQ(test, dispatcher_call(kunit_args1, fns[i], 5), 5);
	KUNIT_EXPECT_EQ(test, count_calls, 1);
}

/* §3.3: same target twice = one slot with two references. */
static void dispatcher_test_refcount(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_args1);
	unsigned long updates = d->nr_updates;

	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_args1, args1_a), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_args1, args1_a), 0);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 1);
	KUNIT_EXPECT_EQ(test, users_of(d, args1_a), 2);
	/* The second registration changed nothing to rebuild. */
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates + 1);

	KUNIT_ASSERT_EQ(test, dispatcher_unregister(kunit_args1, args1_a), 0);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 1);
	KUNIT_EXPECT_EQ(test, users_of(d, args1_a), 1);
	KUNIT_EXPECT_EQ(test, dispatcher_call(kunit_args1, args1_a, 4), 12);

	KUNIT_ASSERT_EQ(test, dispatcher_unregister(kunit_args1, args1_a), 0);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 0);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates + 2);
	KUNIT_EXPECT_EQ(test, dispatcher_call(kunit_args1, args1_a, 4), 12);
}

static const int not_text = 42;

struct bad_input_case {
	const char *desc;
	int (*op)(void);
	int err;
	bool updates;	/* legitimately updates before the bad call */
};

static int bad_register_null(void)
{
	return dispatcher_register(kunit_args1, (DISPATCHER_FN_T(kunit_args1))NULL);
}

static int bad_register_data(void)
{
	void *data = (void *)&not_text;

	return __dispatcher_register(&DISPATCHER(kunit_args1), data);
}

/* An image is kernel text, but goes when it is replaced. */
static int bad_register_image(void)
{
	struct dispatcher_image *img = DISPATCHER(kunit_args1).image;
	void *fn = img ? img->entry : (void *)&not_text;

	return __dispatcher_register(&DISPATCHER(kunit_args1), fn);
}

static int bad_unregister_null(void)
{
	return dispatcher_unregister(kunit_args1, (DISPATCHER_FN_T(kunit_args1))NULL);
}

static int bad_unregister_unknown(void)
{
	return dispatcher_unregister(kunit_args1, args1_b);
}

static int bad_replace_unknown(void)
{
	return dispatcher_replace(kunit_args1, args1_b, args1_count);
}

static int bad_replace_null(void)
{
	return __dispatcher_replace(&DISPATCHER(kunit_args1), NULL, NULL);
}

static int bad_double_unregister(void)
{
	int ret = dispatcher_register(kunit_args1, args1_b);

	if (ret)
		return ret;
	ret = dispatcher_unregister(kunit_args1, args1_b);
	if (ret)
		return ret;
	return dispatcher_unregister(kunit_args1, args1_b);
}

static int bad_overflow(void)
{
	struct dispatcher *d = &DISPATCHER(kunit_args1);
	unsigned int i;

	/* args1_a is registered once; saturate its count by hand. */
	scoped_guard(mutex, &d->mutex)
		for (i = 0; i < d->nr_targets; i++)
			if (d->targets[i].addr == (unsigned long)args1_a)
				d->targets[i].users = DISPATCHER_MAX_USERS;
	return dispatcher_register(kunit_args1, args1_a);
}

static const struct bad_input_case bad_input_cases[] = {
	{ "register NULL", bad_register_null, -EINVAL },
	{ "register data address", bad_register_data, -EINVAL },
	{ "register a dispatcher image", bad_register_image, -EINVAL },
	{ "unregister NULL", bad_unregister_null, -EINVAL },
	{ "unregister unknown", bad_unregister_unknown, -ENOENT },
	{ "replace unknown", bad_replace_unknown, -ENOENT },
	{ "replace NULL with NULL", bad_replace_null, -EINVAL },
	{ "double unregister", bad_double_unregister, -ENOENT, true },
	{ "refcount overflow", bad_overflow, -EOVERFLOW },
};

static void bad_input_desc(const struct bad_input_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_input, bad_input_cases, bad_input_desc);

/* §3.7: bad input returns its error and leaves the dispatcher intact. */
static void dispatcher_test_bad_input(struct kunit *test)
{
	const struct bad_input_case *c = test->param_value;
	struct dispatcher *d = &DISPATCHER(kunit_args1);
	unsigned long updates;
	void *image;

	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_args1, args1_a), 0);
	updates = d->nr_updates;
	image = d->image;

	KUNIT_EXPECT_EQ(test, c->op(), c->err);

	KUNIT_EXPECT_EQ(test, d->nr_targets, 1);
	KUNIT_EXPECT_PTR_EQ(test, (void *)d->targets[0].addr, (void *)args1_a);
	if (!c->updates) {
		KUNIT_EXPECT_PTR_EQ(test, (void *)d->image, image);
		KUNIT_EXPECT_EQ(test, d->nr_updates, updates);
	}
	KUNIT_EXPECT_EQ(test, dispatcher_call(kunit_args1, args1_a, 5), 15);
	KUNIT_EXPECT_EQ(test, dispatcher_call(kunit_args1, args1_b, 5), -2);

	/* Undo: one reference, whatever the case did to the count. */
	scoped_guard(mutex, &d->mutex)
		d->targets[0].users = 1;
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_args1, args1_a), 0);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 0);
}

/* debugfs lists the targets by name with their reference counts. */
static void dispatcher_test_debugfs(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_args2);
	struct seq_file m = { .size = PAGE_SIZE, .private = d };

	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		kunit_skip(test, "needs CONFIG_DEBUG_FS");

	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_args2, args2_b), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_args2, args2_b), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_args2, args2_a), 0);

	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(d->dentry));
	KUNIT_ASSERT_EQ(test, dispatcher_debugfs_show(&m, NULL), 0);
	m.buf[min(m.count, m.size - 1)] = '\0';
	kunit_info(test, "%s", m.buf);
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, "name: kunit_args2\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, "targets: 2\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, "args2_b users 2\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, "args2_a users 1\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, d->image ? "jit: active\n" :
						       "jit: inactive\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, "mode: "));
	if (d->image)
		KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, "bytes/target, depth "));

	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_args2, args2_a), 0);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_args2, args2_b), 0);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_args2, args2_b), 0);
}

static struct kunit_case dispatcher_api_cases[] = {
	KUNIT_CASE(dispatcher_test_args),
	KUNIT_CASE(dispatcher_test_eval_once),
	KUNIT_CASE(dispatcher_test_refcount),
	KUNIT_CASE_PARAM(dispatcher_test_bad_input, bad_input_gen_params),
	KUNIT_CASE(dispatcher_test_debugfs),
	{}
};

static struct kunit_suite dispatcher_api_suite = {
	.name = "dispatcher_api",
	.suite_init = dk_learn_off,
	.suite_exit = dk_learn_restore,
	.test_cases = dispatcher_api_cases,
};

kunit_test_suite(dispatcher_api_suite);
