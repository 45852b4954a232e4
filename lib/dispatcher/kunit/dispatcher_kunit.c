// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for lib/dispatcher.
 *
 * dispatcher_api: calls through dispatch points of 0 to 5 arguments and
 * several return types, registered or not, reference counting, bad input
 * and debugfs, with the architecture's back end (on UML: no JIT).
 *
 * dispatcher_image: the image life cycle, driven through a mock back end
 * whose "images" are C functions that record which targets they were built
 * for and whether they are entered while allocated.  It checks what the
 * core hands to a back end and when it switches and frees images; the code
 * a real JIT generates is tested with that JIT.
 *
 * Run with:
 *	./tools/testing/kunit/kunit.py run --kunitconfig=lib/dispatcher/kunit
 */

#include <kunit/test.h>
#include <linux/dispatcher.h>
#include <linux/ftrace.h>
#include <linux/kallsyms.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/unaligned.h>
#if defined(CONFIG_X86) && !defined(CONFIG_UML)
#include <linux/cfi.h>
#include <asm/alternative.h>
#include <asm/unwind.h>
#endif
#if defined(CONFIG_X86) && !defined(CONFIG_UML) && defined(CONFIG_INSTRUCTION_DECODER)
#include <asm/insn.h>
#include <asm/text-patching.h>
#endif

#include "../dispatcher_internal.h"
#include "dispatcher_kunit.h"

/* ---------------------------------------------------------------------- */
/* Dispatch points of 0 to 5 arguments with different return types.       */

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
	{ "register data address", bad_register_data, -EFAULT },
	{ "register a dispatcher image", bad_register_image, -EFAULT },
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
	.test_cases = dispatcher_api_cases,
};

/* ---------------------------------------------------------------------- */
/* The image life cycle, through a mock back end.                         */

DEFINE_DISPATCHER(kunit_mock, int, int, a, int, b);
DEFINE_DISPATCHER(kunit_released, int, int, a, int, b);

#define MOCK_MAX_TARGETS	1100
#define MOCK_IMAGES		(DISPATCHER_MAX_RETIRING + 4)

/* The bytes a mock image is "built" of: its sorted targets. */
struct mock_blob {
	unsigned int nr;
	unsigned long addrs[];
};

struct mock_image {
	void *entry;
	bool allocated;
	bool copied;
	unsigned int nr;
	unsigned long addrs[MOCK_MAX_TARGETS];
};

static struct {
	struct mock_image *pool;
	spinlock_t lock;	/* protects pool[].allocated */
	bool fail_alloc, fail_generate, fail_copy;
	unsigned int hits, misses, stale, generated;
} mock;

static void mock_enter(unsigned int k, unsigned long fn)
{
	struct mock_image *img = &mock.pool[k];
	unsigned int i;

	if (!READ_ONCE(img->allocated) || !READ_ONCE(img->copied))
		mock.stale++;
	for (i = 0; i < img->nr; i++) {
		if (img->addrs[i] == fn) {
			mock.hits++;
			return;
		}
	}
	mock.misses++;
}

#define MOCK_ENTRY(k)							\
	static int mock_entry_##k(int a, int b,				\
				  DISPATCHER_FN_T(kunit_mock) fn)	\
	{								\
		mock_enter(k, (unsigned long)fn);			\
		return fn(a, b);					\
	}

MOCK_ENTRY(0) MOCK_ENTRY(1) MOCK_ENTRY(2) MOCK_ENTRY(3) MOCK_ENTRY(4)
MOCK_ENTRY(5) MOCK_ENTRY(6) MOCK_ENTRY(7) MOCK_ENTRY(8) MOCK_ENTRY(9)
MOCK_ENTRY(10) MOCK_ENTRY(11) MOCK_ENTRY(12) MOCK_ENTRY(13) MOCK_ENTRY(14)
MOCK_ENTRY(15) MOCK_ENTRY(16) MOCK_ENTRY(17) MOCK_ENTRY(18) MOCK_ENTRY(19)

static void *const mock_entries[MOCK_IMAGES] = {
	mock_entry_0, mock_entry_1, mock_entry_2, mock_entry_3,
	mock_entry_4, mock_entry_5, mock_entry_6, mock_entry_7,
	mock_entry_8, mock_entry_9, mock_entry_10, mock_entry_11,
	mock_entry_12, mock_entry_13, mock_entry_14, mock_entry_15,
	mock_entry_16, mock_entry_17, mock_entry_18, mock_entry_19,
};

static unsigned int mock_image_size(unsigned int nr_targets)
{
	return struct_size_t(struct mock_blob, addrs, nr_targets);
}

static int mock_generate(void *buf, void *image, unsigned int size,
			 const struct dispatcher_layout *layout,
			 unsigned int *entry)
{
	const struct dispatcher_target *targets = layout->targets;
	unsigned int nr_targets = layout->nr_targets, i;
	struct mock_blob *blob = buf;

	if (mock.fail_generate)
		return -E2BIG;
	/* Misses go to the dispatch point's default function. */
	if (layout->fallback != DISPATCHER(kunit_mock).default_func &&
	    layout->fallback != DISPATCHER(kunit_released).default_func)
		return -EINVAL;
	/* The core hands over sorted, distinct, live targets. */
	if (layout->target_arg != 2 || nr_targets > MOCK_MAX_TARGETS ||
	    size < mock_image_size(nr_targets))
		return -EINVAL;
	for (i = 0; i < nr_targets; i++) {
		if (!targets[i].users)
			return -EINVAL;
		if (i && targets[i].addr <= targets[i - 1].addr)
			return -EINVAL;
		blob->addrs[i] = targets[i].addr;
	}
	blob->nr = nr_targets;
	mock.generated++;
	*entry = 0;
	return mock_image_size(nr_targets);
}

static struct mock_image *mock_find(const void *entry)
{
	unsigned int k;

	for (k = 0; k < MOCK_IMAGES; k++)
		if (mock.pool[k].entry == entry)
			return &mock.pool[k];
	return NULL;
}

static void *mock_alloc(unsigned int size)
{
	unsigned int k;

	void *entry = NULL;

	if (mock.fail_alloc)
		return NULL;
	spin_lock(&mock.lock);
	for (k = 0; k < MOCK_IMAGES && !entry; k++) {
		if (!mock.pool[k].allocated) {
			mock.pool[k].allocated = true;
			mock.pool[k].copied = false;
			mock.pool[k].nr = 0;
			entry = mock.pool[k].entry;
		}
	}
	spin_unlock(&mock.lock);
	return entry;
}

static void mock_free(void *image, unsigned int size)
{
	struct mock_image *img = mock_find(image);

	spin_lock(&mock.lock);
	if (img) {
		WRITE_ONCE(img->copied, false);
		WRITE_ONCE(img->allocated, false);
	}
	spin_unlock(&mock.lock);
}

static int mock_copy(void *dst, const void *src, unsigned int len)
{
	const struct mock_blob *blob = src;
	struct mock_image *img = mock_find(dst);

	if (mock.fail_copy)
		return -EIO;
	if (!img || !img->allocated || len != mock_image_size(blob->nr))
		return -EINVAL;
	img->nr = blob->nr;
	memcpy(img->addrs, blob->addrs, blob->nr * sizeof(blob->addrs[0]));
	img->copied = true;
	return 0;
}

static const struct dispatcher_ops mock_ops = {
	.image_size	= mock_image_size,
	.generate	= mock_generate,
	.alloc		= mock_alloc,
	.free		= mock_free,
	.copy		= mock_copy,
};

static unsigned int mock_live(void)
{
	unsigned int k, n = 0;

	spin_lock(&mock.lock);
	for (k = 0; k < MOCK_IMAGES; k++)
		n += mock.pool[k].allocated;
	spin_unlock(&mock.lock);
	return n;
}

/*
 * Targets: 1024 distinct functions, tgt_<5 base-4 digits>, each returning
 * a + 3 * b plus its own number (the digits read as an octal constant).
 */
#define TGT_DEF(p)							\
	static noinline int tgt_##p(int a, int b) { return a + 3 * b + 0##p; }
#define TGT_DEF4(p)	__DISPATCHER_LIST(TGT_DEF(p##0) TGT_DEF(p##1)	\
				  TGT_DEF(p##2) TGT_DEF(p##3))
#define TGT_DEF16(p)	__DISPATCHER_LIST(TGT_DEF4(p##0) TGT_DEF4(p##1)	\
				  TGT_DEF4(p##2) TGT_DEF4(p##3))
#define TGT_DEF64(p)	__DISPATCHER_LIST(TGT_DEF16(p##0) TGT_DEF16(p##1)	\
				  TGT_DEF16(p##2) TGT_DEF16(p##3))
#define TGT_DEF256(p)	__DISPATCHER_LIST(TGT_DEF64(p##0) TGT_DEF64(p##1)	\
				  TGT_DEF64(p##2) TGT_DEF64(p##3))
TGT_DEF256(0) TGT_DEF256(1) TGT_DEF256(2) TGT_DEF256(3)

#define TGT_PTR4(p)	__DISPATCHER_LIST(tgt_##p##0, tgt_##p##1, tgt_##p##2, tgt_##p##3)
#define TGT_PTR16(p)	__DISPATCHER_LIST(TGT_PTR4(p##0), TGT_PTR4(p##1),	\
					  TGT_PTR4(p##2), TGT_PTR4(p##3))
#define TGT_PTR64(p)	__DISPATCHER_LIST(TGT_PTR16(p##0), TGT_PTR16(p##1),	\
					  TGT_PTR16(p##2), TGT_PTR16(p##3))
#define TGT_PTR256(p)	__DISPATCHER_LIST(TGT_PTR64(p##0), TGT_PTR64(p##1),	\
					  TGT_PTR64(p##2), TGT_PTR64(p##3))

static noinline int tgt_never(int a, int b) { return a - b; }

/* tgts[NR_TGTS] is never registered by any case. */
static DISPATCHER_FN_T(kunit_mock) const tgts[] = {
	TGT_PTR256(0), TGT_PTR256(1), TGT_PTR256(2), TGT_PTR256(3),
	tgt_never
};

#define NR_TGTS		(ARRAY_SIZE(tgts) - 1)

/* A call equals the direct call and took the image's hit or miss path. */
static void expect_mock_call(struct kunit *test, int k, bool hit)
{
	unsigned int hits = mock.hits, misses = mock.misses;
	int a = k * 7 - 3, b = 11 - k;

	KUNIT_EXPECT_EQ_MSG(test, dispatcher_call(kunit_mock, tgts[k], a, b),
			    tgts[k](a, b), "target %d", k);
	if (DISPATCHER(kunit_mock).image) {
		KUNIT_EXPECT_EQ_MSG(test, mock.hits, hits + hit, "target %d", k);
		KUNIT_EXPECT_EQ_MSG(test, mock.misses, misses + !hit,
				    "target %d", k);
	} else {
		KUNIT_EXPECT_EQ(test, mock.hits + mock.misses, hits + misses);
	}
}

/* The static_call points at the current image, or at the default. */
static void expect_entry(struct kunit *test, struct dispatcher *d)
{
	void *func = READ_ONCE(d->sc_key->func);

	KUNIT_EXPECT_PTR_EQ(test, func,
			    d->image ? d->image->entry : d->default_func);
}

static int mock_init(struct kunit *test)
{
	unsigned int k;

	mock.pool = kvcalloc(MOCK_IMAGES, sizeof(*mock.pool), GFP_KERNEL);
	if (!mock.pool)
		return -ENOMEM;
	spin_lock_init(&mock.lock);
	for (k = 0; k < MOCK_IMAGES; k++)
		mock.pool[k].entry = mock_entries[k];
	mock.fail_alloc = false;
	mock.fail_generate = false;
	mock.fail_copy = false;
	mock.hits = 0;
	mock.misses = 0;
	mock.stale = 0;
	mock.generated = 0;
	DISPATCHER(kunit_mock).ops = &mock_ops;
	DISPATCHER(kunit_released).ops = &mock_ops;
	return 0;
}

static void mock_exit(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_mock);

	/* Every case unregisters what it registered. */
	KUNIT_EXPECT_EQ(test, d->nr_targets, 0);
	KUNIT_EXPECT_NULL(test, d->image);
	KUNIT_EXPECT_EQ(test, mock.stale, 0);
	dispatcher_barrier();
	KUNIT_EXPECT_EQ(test, mock_live(), 0);
	kvfree(mock.pool);
	mock.pool = NULL;
}

static const unsigned int many_counts[] = { 1, 2, 3, 48, 49, 256, 1024 };

static void many_desc(const unsigned int *n, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u targets", *n);
}

KUNIT_ARRAY_PARAM(many, many_counts, many_desc);

/* §3.5: no fixed capacity; every registered target is in the image. */
static void dispatcher_test_many(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_mock);
	unsigned int n = *(const unsigned int *)test->param_value, k;

	for (k = 0; k < n; k++)
		KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, tgts[k]), 0);
	KUNIT_EXPECT_EQ(test, d->nr_targets, n);
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	KUNIT_EXPECT_EQ(test, mock_find(d->image->text)->nr, n);
	expect_entry(test, d);

	for (k = 0; k < n; k++)
		expect_mock_call(test, k, true);
	/* A target never registered takes the fallback. */
	expect_mock_call(test, NR_TGTS, false);

	/* Unregister in another order: 1031 is a prime above every n. */
	for (k = 0; k < n; k++)
		KUNIT_ASSERT_EQ(test, dispatcher_unregister(kunit_mock,
							    tgts[k * 1031 % n]), 0);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 0);
	KUNIT_EXPECT_NULL(test, d->image);
	expect_entry(test, d);
	expect_mock_call(test, 0, false);
}

/* §3.3: replace swaps two targets with a single rebuild. */
static void dispatcher_test_replace(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_mock);
	unsigned long updates;
	unsigned int generated;

	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, tgts[0]), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, tgts[1]), 0);
	updates = d->nr_updates;
	generated = mock.generated;

	KUNIT_ASSERT_EQ(test, dispatcher_replace(kunit_mock, tgts[0], tgts[2]), 0);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates + 1);
	KUNIT_EXPECT_EQ(test, mock.generated, generated + 1);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 2);
	expect_mock_call(test, 0, false);
	expect_mock_call(test, 1, true);
	expect_mock_call(test, 2, true);

	/* Replacing a target with itself changes nothing. */
	KUNIT_EXPECT_EQ(test, dispatcher_replace(kunit_mock, tgts[1], tgts[1]), 0);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates + 1);

	/* With two references, the old target stays. */
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, tgts[1]), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_replace(kunit_mock, tgts[1], tgts[3]), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, tgts[1]), 1);
	KUNIT_EXPECT_EQ(test, users_of(d, tgts[3]), 1);
	expect_mock_call(test, 3, true);

	/* Onto an already registered target: no new slot. */
	KUNIT_ASSERT_EQ(test, dispatcher_replace(kunit_mock, tgts[3], tgts[2]), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, tgts[2]), 2);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 2);
	expect_mock_call(test, 3, false);

	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, tgts[1]), 0);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, tgts[2]), 0);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, tgts[2]), 0);
}

/* The old image is freed after the grace periods, never before. */
static void dispatcher_test_retire(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_mock);
	void *first;

	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, tgts[0]), 0);
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	first = d->image->text;
	expect_entry(test, d);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, tgts[1]), 0);
	KUNIT_EXPECT_PTR_NE(test, d->image->text, first);
	expect_entry(test, d);

	dispatcher_barrier();
	KUNIT_EXPECT_FALSE(test, mock_find(first)->allocated);
	KUNIT_EXPECT_EQ(test, mock_live(), 1);
	expect_mock_call(test, 0, true);
	expect_mock_call(test, 1, true);

	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, tgts[0]), 0);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, tgts[1]), 0);
}

struct fail_case {
	const char *desc;
	bool *flag;
	int err;
};

static const struct fail_case fail_cases[] = {
	{ "alloc", &mock.fail_alloc, -ENOMEM },
	{ "generate", &mock.fail_generate, -E2BIG },
	{ "copy", &mock.fail_copy, -EIO },
};

static void fail_desc(const struct fail_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fail, fail_cases, fail_desc);

/* §3.5: a failed update returns the error and changes nothing. */
static void dispatcher_test_fail(struct kunit *test)
{
	const struct fail_case *c = test->param_value;
	struct dispatcher *d = &DISPATCHER(kunit_mock);
	struct dispatcher_image *img;
	unsigned long updates;

	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, tgts[0]), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, tgts[1]), 0);
	dispatcher_barrier();
	img = d->image;
	updates = d->nr_updates;

	*c->flag = true;
	KUNIT_EXPECT_EQ(test, dispatcher_register(kunit_mock, tgts[2]), c->err);
	KUNIT_EXPECT_EQ(test, dispatcher_replace(kunit_mock, tgts[0], tgts[2]),
			c->err);
	KUNIT_EXPECT_PTR_EQ(test, d->image, img);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 2);
	KUNIT_EXPECT_EQ(test, d->jit_err, c->err);
	KUNIT_EXPECT_EQ(test, mock_live(), 1);	/* nothing leaked */
	expect_entry(test, d);
	expect_mock_call(test, 0, true);
	expect_mock_call(test, 2, false);

	/* Unregistering still works: the dispatcher goes without an image. */
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, tgts[0]), 0);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 1);
	KUNIT_EXPECT_NULL(test, d->image);
	expect_entry(test, d);
	expect_mock_call(test, 1, false);

	/* The next successful update brings the image back. */
	*c->flag = false;
	KUNIT_EXPECT_EQ(test, dispatcher_register(kunit_mock, tgts[2]), 0);
	KUNIT_EXPECT_NOT_NULL(test, d->image);
	KUNIT_EXPECT_EQ(test, d->jit_err, 0);
	expect_mock_call(test, 1, true);
	expect_mock_call(test, 2, true);

	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, tgts[1]), 0);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, tgts[2]), 0);
}

#ifdef CONFIG_MODULES
/* A module whose text is [@start, @start + @size). */
static struct module *fake_module(struct kunit *test, const void *start,
				  unsigned int size)
{
	struct module *mod = kunit_kzalloc(test, sizeof(*mod), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mod);
	strscpy(mod->name, "dispatcher_fake", sizeof(mod->name));
	mod->mem[MOD_TEXT].base = (void *)start;
	mod->mem[MOD_TEXT].size = size;
	return mod;
}

/*
 * §3.6: targets in a going module are evicted, whatever their count.  The
 * module is simulated: a struct module whose text range covers one target.
 */
static void dispatcher_test_module_evict(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_mock);
	struct module *mod = fake_module(test, tgts[0], 1);
	unsigned long updates;

	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, tgts[0]), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, tgts[0]), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, tgts[1]), 0);
	updates = d->nr_updates;

	/* Only GOING evicts. */
	dispatcher_module_notify(NULL, MODULE_STATE_COMING, mod);
	dispatcher_module_notify(NULL, MODULE_STATE_LIVE, mod);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 2);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates);

	dispatcher_module_notify(NULL, MODULE_STATE_GOING, mod);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 1);
	KUNIT_EXPECT_EQ(test, users_of(d, tgts[0]), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, tgts[1]), 1);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates + 1);
	expect_entry(test, d);
	expect_mock_call(test, 0, false);
	expect_mock_call(test, 1, true);

	/* A second GOING finds nothing to do. */
	dispatcher_module_notify(NULL, MODULE_STATE_GOING, mod);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates + 1);

	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, tgts[1]), 0);
}

/* A dispatcher inside a going module is released with all it holds. */
static void dispatcher_test_module_release(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_released);
	struct module *mod = fake_module(test, d, sizeof(*d));

	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_released, tgts[0]), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_released, tgts[1]), 0);
	KUNIT_EXPECT_FALSE(test, list_empty(&d->list));
	KUNIT_EXPECT_NOT_NULL(test, d->image);

	dispatcher_module_notify(NULL, MODULE_STATE_GOING, mod);
	KUNIT_EXPECT_TRUE(test, list_empty(&d->list));
	KUNIT_EXPECT_NULL(test, d->dentry);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 0);
	KUNIT_EXPECT_NULL(test, d->targets);
	KUNIT_EXPECT_NULL(test, d->image);
	expect_entry(test, d);
	KUNIT_EXPECT_EQ(test, dispatcher_call(kunit_released, tgts[0], 1, 2),
			tgts[0](1, 2));
	dispatcher_barrier();
	KUNIT_EXPECT_EQ(test, mock_live(), 0);

	/* Released after its last target went: its empty array goes too. */
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_released, tgts[2]), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_unregister(kunit_released, tgts[2]), 0);
	KUNIT_EXPECT_FALSE(test, list_empty(&d->list));
	KUNIT_EXPECT_NOT_NULL(test, d->targets);
	dispatcher_module_notify(NULL, MODULE_STATE_GOING, mod);
	KUNIT_EXPECT_TRUE(test, list_empty(&d->list));
	KUNIT_EXPECT_NULL(test, d->targets);
}
#else
static void dispatcher_test_module_evict(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_MODULES");
}

static void dispatcher_test_module_release(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_MODULES");
}
#endif

static struct kunit_case dispatcher_image_cases[] = {
	KUNIT_CASE_PARAM(dispatcher_test_many, many_gen_params),
	KUNIT_CASE(dispatcher_test_replace),
	KUNIT_CASE(dispatcher_test_retire),
	KUNIT_CASE_PARAM(dispatcher_test_fail, fail_gen_params),
	KUNIT_CASE(dispatcher_test_module_evict),
	KUNIT_CASE(dispatcher_test_module_release),
	{}
};

static struct kunit_suite dispatcher_image_suite = {
	.name = "dispatcher_image",
	.init = mock_init,
	.exit = mock_exit,
	.test_cases = dispatcher_image_cases,
};

/* ---------------------------------------------------------------------- */
/* The architecture's JIT: generated images, checked and executed.        */

DEFINE_DISPATCHER(kunit_jit, int, int, a, int, b);

#define JIT_REQUIRES(test)						\
	do {								\
		if (!IS_ENABLED(CONFIG_DISPATCHER_JIT))			\
			kunit_skip(test, "no dispatcher JIT here");	\
	} while (0)

/*
 * A walk over an image in the forms the x86-64 generator emits: after the
 * preamble and the entry's ENDBR, each node is "cmp; ja right" or a leaf
 * "cmp; je target", and a leaf list ends in "jmp" to the dispatch point's
 * default function, then int3.  On UML alone, where that function can be
 * out of rel32 reach, the leaves may jump to one "movabs; jmp *%r11" in
 * the image instead.  The QEMU tier also checks images with the kernel's
 * instruction decoder; UML has none.
 */
struct jit_walk {
	const u8 *code;
	unsigned long ip;
	unsigned int len;
	unsigned int entry;	/* offset of the entry */
	u8 reg;
	unsigned long miss;	/* where every leaf list ends, 0 until found */
	unsigned long *hits;	/* je destinations, in order */
	unsigned int nr_hits;
	unsigned int max_hits;
	unsigned int depth;	/* most compares on one path */
	const char *err;
};

static const u8 jit_arg_regs[] = { 7, 6, 2, 1, 8, 9 };

static unsigned int walk_cmp(struct jit_walk *w, unsigned int off,
			     unsigned long *addr)
{
	const u8 *p = w->code + off;
	u8 b = w->reg >= 8, r = w->reg & 7;

	/* cmp $imm32, %reg */
	if (off + 7 <= w->len && p[0] == (0x48 | b) && p[1] == 0x81 &&
	    p[2] == (0xf8 | r)) {
		*addr = (long)(s32)get_unaligned_le32(p + 3);
		return 7;
	}
	/* movabs $imm64, %r11; cmp %r11, %reg */
	if (off + 13 <= w->len && p[0] == 0x49 && p[1] == 0xbb &&
	    p[10] == (0x4c | b) && p[11] == 0x39 && p[12] == (0xd8 | r)) {
		*addr = get_unaligned_le64(p + 2);
		return 13;
	}
	return 0;
}

static unsigned long walk_rel32(struct jit_walk *w, unsigned int end)
{
	return w->ip + end + (long)(s32)get_unaligned_le32(w->code + end - 4);
}

static void walk_node(struct jit_walk *w, unsigned int off, unsigned int depth)
{
	unsigned long addr, to;
	unsigned int n;

	while (!w->err) {
		n = walk_cmp(w, off, &addr);
		if (!n) {
			/* The end of a leaf list: jmp rel32; int3. */
			if (off + 6 > w->len || w->code[off] != 0xe9) {
				w->err = "expected cmp or jmp";
				return;
			}
			if (w->code[off + 5] != 0xcc) {
				w->err = "jmp not followed by int3";
				return;
			}
			to = walk_rel32(w, off + 5);
			if (w->miss && to != w->miss)
				w->err = "leaves end in different places";
			w->miss = to;
			w->depth = max(w->depth, depth);
			return;
		}
		off += n;
		depth++;
		if (off + 6 > w->len || w->code[off] != 0x0f) {
			w->err = "cmp without jcc";
			return;
		}
		to = walk_rel32(w, off + 6);
		if (w->code[off + 1] == 0x84) {		/* je target */
			if (to != addr)
				w->err = "je elsewhere than its compare";
			else if (w->nr_hits == w->max_hits)
				w->err = "too many leaves";
			else
				w->hits[w->nr_hits++] = addr;
		} else if (w->code[off + 1] == 0x87) {	/* ja right */
			if (to < w->ip || to >= w->ip + w->len || to % 16)
				w->err = "ja outside the image or unaligned";
			else
				walk_node(w, to - w->ip, depth);
		} else {
			w->err = "unexpected jcc";
		}
		off += 6;
	}
}

/* Is there an ENDBR (or, under FineIBT, its poison) at @p? */
static bool jit_is_endbr(const u8 *p)
{
	static const u8 endbr[] = { 0xf3, 0x0f, 0x1e, 0xfa };
	static const u8 poison[] = { 0x66, 0x0f, 0x1f, 0x00 };

	return !memcmp(p, endbr, 4) || !memcmp(p, poison, 4);
}

#if defined(CONFIG_X86) && !defined(CONFIG_UML) && defined(CONFIG_INSTRUCTION_DECODER)
/*
 * The same image through the kernel's instruction decoder: apart from
 * int3 padding, only compares, the movabs into %r11 and direct branches:
 * into the image on a 16-byte boundary, to one of @hits, or to the default
 * function.  No indirect branch at all.
 */
static void jit_decode(struct kunit *test, struct jit_walk *w)
{
	unsigned int off = w->entry;
	unsigned long to;
	struct insn insn;
	bool known;
	unsigned int i;
	u8 op;

	if (IS_ENABLED(CONFIG_X86_KERNEL_IBT))
		off += 4;
	while (off < w->len) {
		if (w->code[off] == INT3_INSN_OPCODE) {
			off++;
			continue;
		}
		KUNIT_ASSERT_EQ_MSG(test, insn_decode_kernel(&insn, w->code + off),
				    0, "offset %u", off);
		op = insn.opcode.bytes[0];
		if (op == JMP32_INSN_OPCODE ||
		    (op == 0x0f && (insn.opcode.bytes[1] & 0xf0) == 0x80)) {
			to = w->ip + off + insn.length + insn.immediate.value;
			known = (to >= w->ip && to < w->ip + w->len && !(to % 16)) ||
				to == w->miss;
			for (i = 0; i < w->nr_hits && !known; i++)
				known = to == w->hits[i];
			KUNIT_EXPECT_TRUE_MSG(test, known,
					      "branch at %u goes astray", off);
		} else {
			/* cmp imm32 / cmp r64 / movabs to %r11 */
			KUNIT_EXPECT_TRUE_MSG(test, op == 0x81 || op == 0x39 ||
					      op == 0xbb,
					      "unexpected opcode %#x at %u", op, off);
		}
		off += insn.length;
	}
}
#else
static void jit_decode(struct kunit *test, struct jit_walk *w)
{
}
#endif

/*
 * Walk @len bytes of code generated to run at @ip, entered at @entry;
 * misses must reach @fallback.  See struct jit_walk.
 */
static void jit_walk(struct kunit *test, struct jit_walk *w, const void *code,
		     unsigned long ip, unsigned int len, unsigned int entry,
		     unsigned int nr, void *fallback)
{
	unsigned int start = entry;
	const u8 *f;

	memset(w, 0, sizeof(*w));
	w->code = code;
	w->ip = ip;
	w->len = len;
	w->entry = entry;
	w->reg = jit_arg_regs[2];
	w->max_hits = nr;
	w->hits = kunit_kcalloc(test, nr, sizeof(*w->hits), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w->hits);
	KUNIT_ASSERT_LT(test, entry, len);
	if (IS_ENABLED(CONFIG_X86_KERNEL_IBT) && !IS_ENABLED(CONFIG_UML)) {
		KUNIT_EXPECT_TRUE_MSG(test, jit_is_endbr(w->code + entry),
				      "no ENDBR at the entry");
		start += 4;
	}
	walk_node(w, start, 0);
	KUNIT_ASSERT_NULL_MSG(test, w->err, "%s", w->err);
	if (w->miss != (unsigned long)fallback) {
		/* UML only: movabs $fallback, %r11; jmp *%r11; int3, last. */
		KUNIT_ASSERT_TRUE_MSG(test, IS_ENABLED(CONFIG_UML),
				      "misses go to %lx, not the default function",
				      w->miss);
		KUNIT_ASSERT_TRUE(test, w->miss >= ip && w->miss + 14 == ip + len);
		f = w->code + (w->miss - ip);
		KUNIT_EXPECT_EQ(test, f[0], 0x49);
		KUNIT_EXPECT_EQ(test, f[1], 0xbb);
		KUNIT_EXPECT_EQ(test, get_unaligned_le64(f + 2),
				(unsigned long)fallback);
		KUNIT_EXPECT_EQ(test, f[10], 0x41);
		KUNIT_EXPECT_EQ(test, f[11], 0xff);
		KUNIT_EXPECT_EQ(test, f[12], 0xe3);
		KUNIT_EXPECT_EQ(test, f[13], 0xcc);
	}
	jit_decode(test, w);
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static unsigned int ilog2_up(unsigned int n)
{
	return n > 1 ? ilog2(n - 1) + 1 : 0;
}

static const unsigned int jit_counts[] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
	21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38,
	39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 256, 1024,
};

KUNIT_ARRAY_PARAM(jit, jit_counts, many_desc);

/* debugfs reports the image's bytes per target and depth. */
static void jit_expect_debugfs(struct kunit *test, struct dispatcher *d)
{
	struct seq_file m = { .size = PAGE_SIZE, .private = d };
	char line[64];

	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		return;
	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	KUNIT_ASSERT_EQ(test, dispatcher_debugfs_show(&m, NULL), 0);
	m.buf[min(m.count, m.size - 1)] = '\0';
	snprintf(line, sizeof(line), "(%u bytes/target, depth %u)\n",
		 DIV_ROUND_UP(d->image->len, d->nr_targets), d->image->depth);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(m.buf, line), "%s", m.buf);
}

/*
 * Every registered target is in the image as a direct jump and is called
 * right; others take the fallback; the tree is balanced.
 */
static void dispatcher_jit_test_many(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_jit);
	unsigned int n = *(const unsigned int *)test->param_value, k, h;
	struct jit_walk w;
	int a, b;

	JIT_REQUIRES(test);
	for (k = 0; k < n; k++)
		KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, tgts[k]), 0);
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	KUNIT_EXPECT_EQ(test, d->jit_err, 0);
	expect_entry(test, d);

	jit_walk(test, &w, d->image->text, (unsigned long)d->image->text,
		 d->image->len, d->image->entry - d->image->text, n,
		 d->default_func);
	/* One leaf per target, whatever order the walk met them in. */
	KUNIT_EXPECT_EQ(test, w.nr_hits, n);
	sort(w.hits, w.nr_hits, sizeof(*w.hits), cmp_ulong, NULL);
	for (h = 0; h < w.nr_hits; h++)
		KUNIT_EXPECT_EQ(test, w.hits[h], d->targets[h].addr);
	KUNIT_EXPECT_LE(test, w.depth, ilog2_up(n) + 1);
	/* What debugfs reports is what the walk found. */
	KUNIT_EXPECT_EQ(test, d->image->depth, w.depth);
	jit_expect_debugfs(test, d);

	for (k = 0; k <= n && k <= NR_TGTS; k++) {
		a = k * 5 - 7;
		b = 3 - k;
		KUNIT_EXPECT_EQ_MSG(test, dispatcher_call(kunit_jit, tgts[k], a, b),
				    tgts[k](a, b), "target %u", k);
	}
	for (k = 0; k < n; k++)
		KUNIT_ASSERT_EQ(test, dispatcher_unregister(kunit_jit, tgts[k]), 0);
	KUNIT_EXPECT_NULL(test, d->image);
	expect_entry(test, d);
}

static int jit_misses;

static noinline int jit_miss(int a, int b)
{
	jit_misses++;
	return a * b;
}

typedef int (*jit_image_t)(int a, int b, DISPATCHER_FN_T(kunit_jit) fn);

/* A layout of @nr targets for kunit_jit, whose target is argument 2. */
static struct dispatcher_layout jit_layout(const struct dispatcher_target *t,
					   unsigned int nr)
{
	return (struct dispatcher_layout){
		.targets	= t,
		.nr_targets	= nr,
		.target_arg	= 2,
		.fallback	= DISPATCHER(kunit_jit).default_func,
	};
}

/*
 * An image for @nr targets, built to run where it is allocated; *@entry
 * is set to its offset of the entry.
 */
static void *jit_build(struct kunit *test, const struct dispatcher_target *t,
		       unsigned int nr, unsigned int *size, unsigned int *len,
		       unsigned int *entry)
{
	struct dispatcher_layout layout = jit_layout(t, nr);
	void *buf, *image;
	int ret;

	*size = arch_dispatcher_image_size(nr);
	KUNIT_ASSERT_GT(test, *size, 0);
	buf = kunit_kzalloc(test, *size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	image = arch_dispatcher_alloc(*size);
	KUNIT_ASSERT_NOT_NULL(test, image);
	ret = arch_dispatcher_generate(buf, image, *size, &layout, entry);
	KUNIT_ASSERT_GT(test, ret, 0);
	*len = ret;
	KUNIT_ASSERT_EQ(test, arch_dispatcher_copy(image, buf, *len), 0);
	return image;
}

/*
 * Targets outside the sign-extended imm32 range are compared through a
 * scratch register.  Executable copies of a target are placed in
 * execmem, which on UML lies above 2 GB, and the image is entered as the
 * static_call would enter it.
 */
static void dispatcher_jit_test_imm64(struct kunit *test)
{
	struct dispatcher_target t[3];
	unsigned int size, len, entry, tsize = PAGE_SIZE, i;
	jit_image_t image;
	struct jit_walk w;
	void *mem;
	u8 *code;

	JIT_REQUIRES(test);
	code = arch_dispatcher_alloc(tsize);
	KUNIT_ASSERT_NOT_NULL(test, code);
	if ((unsigned long)code == (unsigned long)(long)(s32)(unsigned long)code) {
		arch_dispatcher_free(code, tsize);
		kunit_skip(test, "executable memory is within imm32 here");
	}
	/* Three targets at code + 64 * i: "mov $i + 40, %eax; ret". */
	for (i = 0; i < 3; i++) {
		u8 fn[6] = { 0xb8, 40 + i, 0, 0, 0, 0xc3 };

		KUNIT_ASSERT_EQ(test, arch_dispatcher_copy(code + 64 * i, fn,
							   sizeof(fn)), 0);
		t[i] = (struct dispatcher_target){ (unsigned long)code + 64 * i, 1 };
	}
	mem = jit_build(test, t, 3, &size, &len, &entry);
	jit_walk(test, &w, mem, (unsigned long)mem, len, entry, 3,
		 DISPATCHER(kunit_jit).default_func);
	KUNIT_EXPECT_EQ(test, w.nr_hits, 3);
	image = mem + entry;

	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, image(1, 2, (void *)(code + 64 * i)), 40 + i);
	/* A miss takes the fallback to the very function passed. */
	jit_misses = 0;
	KUNIT_EXPECT_EQ(test, image(6, 7, jit_miss), 42);
	KUNIT_EXPECT_EQ(test, jit_misses, 1);

	arch_dispatcher_free(mem, size);
	arch_dispatcher_free(code, tsize);
}

/*
 * A target a rel32 jump cannot reach from the image gets no leaf and so
 * is reached through the default function.  The image is generated for
 * an address 4 GB away from kernel text and only walked, not run.  The
 * default function, in kernel text, is as far away: on x86 generation
 * must fail rather than leave misses an indirect jump; on UML they take
 * the far jump.
 */
static void dispatcher_jit_test_far(struct kunit *test)
{
	struct dispatcher_target t[3] = {
		{ (unsigned long)tgts[0], 1 },
		{ (unsigned long)tgts[1], 1 },
		{ (unsigned long)tgts[2], 1 },
	};
	struct dispatcher_layout layout = jit_layout(t, 3);
	unsigned long far = ((unsigned long)tgts[0] + SZ_4G) & PAGE_MASK;
	unsigned int size = arch_dispatcher_image_size(3), entry;
	struct jit_walk w;
	void *buf;
	int ret;

	JIT_REQUIRES(test);
	if (t[0].addr > t[1].addr || t[1].addr > t[2].addr)
		kunit_skip(test, "targets not in address order");
	buf = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	ret = arch_dispatcher_generate(buf, (void *)far, size, &layout, &entry);
	if (IS_ENABLED(CONFIG_UML)) {
		KUNIT_ASSERT_GT(test, ret, 0);
		jit_walk(test, &w, buf, far, ret, entry, 3, layout.fallback);
		KUNIT_EXPECT_EQ(test, w.nr_hits, 0);
	} else {
		KUNIT_EXPECT_EQ(test, ret, -ERANGE);
	}

	/* The same targets within reach each get their leaf. */
	far = ((unsigned long)tgts[0] + SZ_1G) & PAGE_MASK;
	ret = arch_dispatcher_generate(buf, (void *)far, size, &layout, &entry);
	KUNIT_ASSERT_GT(test, ret, 0);
	jit_walk(test, &w, buf, far, ret, entry, 3, layout.fallback);
	KUNIT_EXPECT_EQ(test, w.nr_hits, 3);
}

#ifdef CONFIG_FUNCTION_TRACER
static atomic_t ftrace_hits;

static void jit_ftrace_func(unsigned long ip, unsigned long parent_ip,
			    struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	atomic_inc(&ftrace_hits);
}

static struct ftrace_ops jit_ftrace_ops = {
	.func = jit_ftrace_func,
};

/*
 * §3.9: the dispatch function stays traceable.  The first BPF dispatcher
 * took over __fentry__ and so broke ftrace on it; the static_call does
 * not.
 */
static void dispatcher_jit_test_ftrace(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_jit);
	unsigned long ip = (unsigned long)DISPATCHER_FUNC(kunit_jit);
	int i, ret;

	JIT_REQUIRES(test);
	ret = ftrace_set_filter_ip(&jit_ftrace_ops, ip, 0, 1);
	if (ret)
		kunit_skip(test, "cannot trace the dispatch function: %d", ret);
	KUNIT_ASSERT_EQ(test, register_ftrace_function(&jit_ftrace_ops), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, tgts[0]), 0);
	KUNIT_EXPECT_NOT_NULL(test, d->image);

	atomic_set(&ftrace_hits, 0);
	for (i = 0; i < 10; i++) {
		KUNIT_EXPECT_EQ(test, dispatcher_call(kunit_jit, tgts[0], i, 1),
				tgts[0](i, 1));
		KUNIT_EXPECT_EQ(test, dispatcher_call(kunit_jit, tgts[1], i, 1),
				tgts[1](i, 1));
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&ftrace_hits), 20);

	KUNIT_EXPECT_EQ(test, unregister_ftrace_function(&jit_ftrace_ops), 0);
	ftrace_free_filter(&jit_ftrace_ops);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_jit, tgts[0]), 0);
}
#else
static void dispatcher_jit_test_ftrace(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_FUNCTION_TRACER");
}
#endif

/* dispatcher=off and =on take effect at the next update; =auto asks the arch. */
static void dispatcher_jit_test_mode(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_jit);

	JIT_REQUIRES(test);
	dispatcher_mode = DISPATCHER_MODE_OFF;
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, tgts[0]), 0);
	KUNIT_EXPECT_NULL(test, d->image);
	KUNIT_EXPECT_EQ(test, d->jit_err, 0);
	expect_entry(test, d);
	KUNIT_EXPECT_EQ(test, dispatcher_call(kunit_jit, tgts[0], 2, 3),
			tgts[0](2, 3));

	dispatcher_mode = DISPATCHER_MODE_ON;
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, tgts[1]), 0);
	KUNIT_EXPECT_NOT_NULL(test, d->image);
	expect_entry(test, d);
	KUNIT_EXPECT_STREQ(test, dispatcher_mode_name(), "on");

	dispatcher_mode = DISPATCHER_MODE_AUTO;
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, tgts[2]), 0);
	KUNIT_EXPECT_EQ(test, !!d->image, arch_dispatcher_wanted());
	expect_entry(test, d);
	kunit_info(test, "auto: JIT %s on this CPU",
		   arch_dispatcher_wanted() ? "wanted" : "not wanted");

	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_jit, tgts[0]), 0);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_jit, tgts[1]), 0);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_jit, tgts[2]), 0);
}

static enum dispatcher_mode saved_mode;

/* Test the JIT whatever this CPU's mitigation and the command line say. */
static int jit_init(struct kunit *test)
{
	saved_mode = dispatcher_mode;
	dispatcher_mode = DISPATCHER_MODE_ON;
	return 0;
}

static void jit_exit(struct kunit *test)
{
	dispatcher_mode = saved_mode;
}

/* ---- Concurrency ---- */

DEFINE_DISPATCHER(kunit_churn, int, int, a, int, b);

#define CHURN_TARGETS	16
#define CHURN_OPS	100000
/*
 * Users per target.  With two, half of the operations rebuild the image.
 * Under QEMU's TCG a rebuild costs about 70 ms of wall time (text_poke
 * and static_call IPIs), so there the targets take up to 64 users and a
 * few thousand of the operations rebuild.
 */
#define CHURN_MAX_USERS	(IS_ENABLED(CONFIG_UML) ? 2 : 64)

/*
 * How the callers enter the dispatcher: through dispatcher_call(), whose
 * static_call site is patched with text_poke_bp() on every update, or
 * through the function the static_call key points at, as a trampoline
 * (and UML's generic static_call) does.
 */
enum churn_entry {
	CHURN_CALL,
	CHURN_KEY,
};

static const char *const churn_entry_names[] = {
	[CHURN_CALL] = "dispatcher_call",
	[CHURN_KEY] = "static_call key",
};

static void churn_entry_desc(const enum churn_entry *e, char *desc)
{
	strscpy(desc, churn_entry_names[*e], KUNIT_PARAM_DESC_SIZE);
}

static const enum churn_entry churn_entries[] = { CHURN_CALL, CHURN_KEY };

KUNIT_ARRAY_PARAM(churn, churn_entries, churn_entry_desc);

struct churn {
	enum churn_entry entry;
	atomic_t wrong;
	atomic_long_t calls;
};

typedef int (*churn_image_t)(int a, int b, DISPATCHER_FN_T(kunit_churn) fn);

static int churn_call(enum churn_entry entry, unsigned int k, int a)
{
	churn_image_t image;

	if (entry == CHURN_CALL)
		return dispatcher_call(kunit_churn, tgts[k], a, k);
	/* Nothing may free the image until this task switches voluntarily. */
	image = READ_ONCE(DISPATCHER(kunit_churn).sc_key->func);
	return image(a, k, tgts[k]);
}

/* Call every churn target, registered or not, until told to stop. */
static int churn_caller(void *data)
{
	struct churn *c = data;
	unsigned int k;
	int a = 0, got;

	while (!kthread_should_stop()) {
		for (k = 0; k < CHURN_TARGETS; k++, a++) {
			got = churn_call(c->entry, k, a);
			if (got != tgts[k](a, k))
				atomic_inc(&c->wrong);
		}
		atomic_long_add(CHURN_TARGETS, &c->calls);
		/*
		 * A loop that never switches voluntarily holds up RCU-tasks
		 * grace periods, and with them the freeing of retired images
		 * and so, in the end, updates: cond_resched() is not a
		 * quiescent state for RCU tasks, this is.
		 */
		cond_resched_tasks_rcu_qs();
	}
	return 0;
}

/*
 * DESIGN §3.4: calls on every CPU stay right while another thread
 * registers, unregisters and replaces targets.  A reference model of the
 * reference counts keeps every operation valid, and is checked against
 * the dispatcher at the end.
 */
static void dispatcher_test_churn(struct kunit *test)
{
	const enum churn_entry *entry = test->param_value;
	struct dispatcher *d = &DISPATCHER(kunit_churn);
	unsigned int users[CHURN_TARGETS] = {}, k, x, y, nr = 0;
	struct task_struct **callers;
	struct rnd_state rnd;
	struct churn c = { .entry = *entry };
	unsigned long i, rebuilds = d->nr_updates;
	ktime_t start;
	int cpu, ret = 0;

	if (c.entry == CHURN_CALL && churn_site_unsafe())
		kunit_skip(test, "QEMU TCG oopses patching a live static_call site");

	callers = kunit_kcalloc(test, nr_cpu_ids, sizeof(*callers), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, callers);
	prandom_seed_state(&rnd, 42);
	for_each_online_cpu(cpu) {
		callers[cpu] = kthread_run_on_cpu(churn_caller, &c, cpu,
						  "dispatcher_churn/%u");
		KUNIT_ASSERT_FALSE(test, IS_ERR(callers[cpu]));
	}

	start = ktime_get();
	for (i = 0; i < CHURN_OPS && !ret; i++) {
		x = prandom_u32_state(&rnd) % CHURN_TARGETS;
		y = prandom_u32_state(&rnd) % CHURN_TARGETS;
		switch (users[x] ? prandom_u32_state(&rnd) % 3 : 0) {
		case 0:
			if (users[x] < CHURN_MAX_USERS) {
				ret = dispatcher_register(kunit_churn, tgts[x]);
				users[x]++;
				break;
			}
			fallthrough;
		case 1:
			ret = dispatcher_unregister(kunit_churn, tgts[x]);
			users[x]--;
			break;
		default:
			if (users[y] == CHURN_MAX_USERS)
				y = x;	/* replace with itself: a no-op */
			ret = dispatcher_replace(kunit_churn, tgts[x], tgts[y]);
			users[x]--;
			users[y]++;
			break;
		}
		if (!(i % 1024))
			cond_resched();
	}
	kunit_info(test, "%lu operations, %lu rebuilds in %lld ms, %ld calls on %u CPUs",
		   i, d->nr_updates - rebuilds,
		   ktime_ms_delta(ktime_get(), start),
		   atomic_long_read(&c.calls), num_online_cpus());
	KUNIT_EXPECT_EQ(test, ret, 0);

	for_each_online_cpu(cpu)
		kthread_stop(callers[cpu]);
	KUNIT_EXPECT_EQ(test, atomic_read(&c.wrong), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&c.calls), 0);

	/* The dispatcher agrees with the model, then is emptied. */
	for (k = 0; k < CHURN_TARGETS; k++) {
		KUNIT_EXPECT_EQ_MSG(test, users_of(d, tgts[k]), users[k],
				    "target %u", k);
		nr += !!users[k];
		while (users[k]--)
			KUNIT_ASSERT_EQ(test, dispatcher_unregister(kunit_churn,
								    tgts[k]), 0);
	}
	KUNIT_EXPECT_EQ(test, d->nr_targets, 0);
	kunit_info(test, "%u targets registered at the end", nr);
}

struct held {
	atomic_t step;		/* 0, 1: caller holds the image, 2: updated */
	bool ok;		/* the held image ran right */
	struct completion caller_done, updater_done;
};

/* On one CPU: take the image and hold it, RCU reader, across two updates. */
static int held_caller(void *data)
{
	struct held *h = data;
	jit_image_t image;
	int k;

	preempt_disable();
	image = READ_ONCE(DISPATCHER(kunit_churn).sc_key->func);
	atomic_set(&h->step, 1);
	while (atomic_read(&h->step) == 1)
		cpu_relax();
	h->ok = atomic_read(&h->step) == 2;
	for (k = 0; h->ok && k < 4; k++)
		h->ok = image(k, 1, tgts[k]) == tgts[k](k, 1);
	preempt_enable();
	complete(&h->caller_done);
	return 0;
}

/* On another CPU: two updates, back to back, while the caller holds on. */
static int held_updater(void *data)
{
	struct held *h = data;

	while (atomic_read(&h->step) != 1)
		cpu_relax();
	if (!dispatcher_register(kunit_churn, tgts[1]) &&
	    !dispatcher_register(kunit_churn, tgts[2]))
		atomic_set(&h->step, 2);
	else
		atomic_set(&h->step, 3);
	complete(&h->updater_done);
	return 0;
}

/*
 * The December 2022 BPF dispatcher crash: a CPU still executing an image
 * while two updates in a row rewrote it.  Here a caller takes the image
 * the static_call points at and, without leaving its RCU read-side
 * section, waits for two updates on another CPU, then runs that image: it
 * must still be there, unchanged and correct.
 */
static void dispatcher_test_held(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_churn);
	unsigned int first = cpumask_first(cpu_online_mask);
	struct task_struct *t;
	struct held h = {};
	void *before;
	int k;

	JIT_REQUIRES(test);
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_churn, tgts[0]), 0);
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	before = d->image->text;
	/*
	 * No retired image may be waiting: the updates must not have to wait
	 * for a grace period, which the held caller keeps from ending.
	 */
	dispatcher_barrier();
	init_completion(&h.caller_done);
	init_completion(&h.updater_done);

	t = kthread_run_on_cpu(held_updater, &h,
			       cpumask_next(first, cpu_online_mask),
			       "dispatcher_upd/%u");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	t = kthread_run_on_cpu(held_caller, &h, first, "dispatcher_held/%u");
	if (IS_ERR(t)) {
		atomic_set(&h.step, 3);	/* release the updater */
		wait_for_completion(&h.updater_done);
		KUNIT_FAIL(test, "no caller thread");
		return;
	}
	wait_for_completion(&h.caller_done);
	wait_for_completion(&h.updater_done);

	KUNIT_EXPECT_EQ(test, atomic_read(&h.step), 2);
	KUNIT_EXPECT_TRUE(test, h.ok);
	KUNIT_EXPECT_PTR_NE(test, d->image->text, before);
	for (k = 0; k < 3; k++)
		KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_churn, tgts[k]), 0);
}

/*
 * A live image is the symbol dispatcher_<name>, for %ps, backtraces, perf
 * and /proc/kallsyms; a retired one is no longer named.
 */
static void dispatcher_jit_test_kallsyms(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_jit);
	const char *want = "dispatcher_kunit_jit";
	unsigned long entry, end, value, size = 0, off = 0;
	unsigned int i, listed = 0;
	char type = 0, *sym, *buf, *line;

	JIT_REQUIRES(test);
	sym = kunit_kzalloc(test, KSYM_NAME_LEN, GFP_KERNEL);
	buf = kunit_kzalloc(test, KSYM_SYMBOL_LEN, GFP_KERNEL);
	line = kunit_kzalloc(test, KSYM_SYMBOL_LEN, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, sym && buf && line);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, tgts[0]), 0);
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	/* The symbol is the code from the entry on, as for a BPF program. */
	entry = (unsigned long)d->image->entry;
	end = (unsigned long)d->image->text + d->image->len;

	KUNIT_EXPECT_EQ(test, dispatcher_address_lookup(entry + 1, &size, &off,
							sym), (int)strlen(want));
	KUNIT_EXPECT_STREQ(test, sym, want);
	KUNIT_EXPECT_EQ(test, off, 1);
	KUNIT_EXPECT_EQ(test, size, end - entry);
	KUNIT_EXPECT_EQ(test, dispatcher_address_lookup(end, NULL, NULL, sym), 0);
	KUNIT_EXPECT_EQ(test, dispatcher_address_lookup(entry - 1, NULL, NULL,
							sym), 0);
	if (IS_ENABLED(CONFIG_KALLSYMS)) {
		/* Through kallsyms_lookup(), as %pS and backtraces go. */
		sprint_symbol(buf, entry);
		snprintf(line, KSYM_SYMBOL_LEN, "%s+0x0/%#lx", want, end - entry);
		KUNIT_EXPECT_STREQ(test, buf, line);
	}
	for (i = 0; !dispatcher_get_kallsym(i, &value, &type, sym); i++) {
		if (value != entry)
			continue;
		listed++;
		KUNIT_EXPECT_STREQ(test, sym, want);
		KUNIT_EXPECT_EQ(test, type, 't');
	}
	KUNIT_EXPECT_EQ(test, listed, 1);

	KUNIT_ASSERT_EQ(test, dispatcher_unregister(kunit_jit, tgts[0]), 0);
	KUNIT_EXPECT_NULL(test, d->image);
	/* Named until freed, which is after every CPU has left it. */
	dispatcher_barrier();
	KUNIT_EXPECT_EQ(test, dispatcher_address_lookup(entry, NULL, NULL, sym), 0);
	for (i = 0; !dispatcher_get_kallsym(i, &value, &type, sym); i++)
		KUNIT_EXPECT_NE(test, value, entry);
}

/* ---- An image is a function, and kernel text ---- */

#define JIT_X86		(IS_ENABLED(CONFIG_X86) && !IS_ENABLED(CONFIG_UML))

/*
 * A static_call site of kunit_jit that is not in tail position, as any
 * caller that uses the result has: a direct call into the image.
 */
static noinline int jit_call_site(int a, int b, DISPATCHER_FN_T(kunit_jit) fn)
{
	int ret = static_call(DISPATCHER_SC(kunit_jit))(a, b, fn);

	OPTIMIZER_HIDE_VAR(ret);
	return ret;
}

#if defined(CONFIG_HAVE_STATIC_CALL_INLINE) && defined(CONFIG_INSTRUCTION_DECODER)
/*
 * Where the inline static_call in jit_call_site() calls: the first call
 * whose destination lies within 16 bytes before @entry or at it.
 */
static unsigned long jit_call_dest(struct kunit *test, const u8 *entry)
{
	const u8 *p = (const u8 *)jit_call_site;
	unsigned long to;
	struct insn insn;
	unsigned int i;

	for (i = 0; i < 64; i++, p += insn.length) {
		if (insn_decode_kernel(&insn, p))
			break;
		if (insn.opcode.bytes[0] != CALL_INSN_OPCODE)
			continue;
		to = (unsigned long)p + insn.length + insn.immediate.value;
		if (to <= (unsigned long)entry && to >= (unsigned long)entry - 16)
			return to;
	}
	KUNIT_FAIL(test, "no call of the image in jit_call_site()");
	return 0;
}
#endif

/*
 * The image looks to the rest of x86 like a compiled function of the
 * dispatch function's type: ENDBR at the entry; the kCFI type hash (or the
 * FineIBT check) of the default function before it; and, under call depth
 * tracking, the accounting template of a call thunk right before the
 * entry, through which a static_call's direct call site goes (a tail jump
 * enters at the entry, and the target's return balances its caller's
 * accounting).
 */
static void dispatcher_jit_test_entry(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_jit);
	unsigned int __maybe_unused thunk_len = 0;
	u8 *entry;

	JIT_REQUIRES(test);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, tgts[0]), 0);
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	entry = d->image->entry;
	KUNIT_EXPECT_EQ(test, entry - (u8 *)d->image->text, 16);

	if (JIT_X86 && IS_ENABLED(CONFIG_X86_KERNEL_IBT))
		KUNIT_EXPECT_TRUE(test, jit_is_endbr(entry));
#if defined(CONFIG_X86) && !defined(CONFIG_UML)
	if (IS_ENABLED(CONFIG_CFI_CLANG) && cfi_mode != CFI_OFF) {
		KUNIT_EXPECT_NE(test, cfi_get_func_hash(d->default_func), 0);
		KUNIT_EXPECT_EQ(test, cfi_get_func_hash(entry),
				cfi_get_func_hash(d->default_func));
	}
	if (cpu_feature_enabled(X86_FEATURE_CALL_DEPTH)) {
		u8 thunk[32], *p = thunk;

		/* %rip-relative: its length first, then for its place. */
		thunk_len = x86_call_depth_emit_accounting(&p, NULL, entry);
		KUNIT_ASSERT_GT(test, thunk_len, 0);
		p = thunk;
		x86_call_depth_emit_accounting(&p, NULL, entry - thunk_len);
		KUNIT_EXPECT_MEMEQ(test, entry - thunk_len, thunk, thunk_len);
		KUNIT_EXPECT_TRUE(test, is_dispatcher_text_address((unsigned long)
								   entry - thunk_len));
	}
	kunit_info(test, "CFI mode %d, call depth tracking %s, thunk %u bytes",
		   cfi_mode, cpu_feature_enabled(X86_FEATURE_CALL_DEPTH) ?
		   "on" : "off", thunk_len);
#endif

	/* A direct call into the image, through its thunk if any. */
	KUNIT_EXPECT_EQ(test, jit_call_site(3, 4, tgts[0]), tgts[0](3, 4));
	KUNIT_EXPECT_EQ(test, jit_call_site(5, 6, tgts[1]), tgts[1](5, 6));
#if defined(CONFIG_HAVE_STATIC_CALL_INLINE) && defined(CONFIG_INSTRUCTION_DECODER)
	KUNIT_EXPECT_EQ(test, jit_call_dest(test, entry),
			(unsigned long)entry - thunk_len);
#endif
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_jit, tgts[0]), 0);
}

/*
 * DESIGN §3.13: an image is kernel text from before it is entered until
 * it is freed, for kernel_text_address() and so for every unwinder,
 * perf and livepatch.
 */
static void dispatcher_jit_test_text(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_jit);
	unsigned long entry, end;

	JIT_REQUIRES(test);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, tgts[0]), 0);
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	entry = (unsigned long)d->image->entry;
	end = (unsigned long)d->image->text + d->image->len;

	KUNIT_EXPECT_TRUE(test, is_dispatcher_text_address(entry));
	KUNIT_EXPECT_TRUE(test, is_dispatcher_text_address(end - 1));
	KUNIT_EXPECT_FALSE(test, is_dispatcher_text_address(end));
	KUNIT_EXPECT_FALSE(test, is_dispatcher_text_address((unsigned long)tgts[0]));
#if IS_BUILTIN(CONFIG_DISPATCHER_KUNIT_TEST)
	KUNIT_EXPECT_TRUE(test, kernel_text_address(entry));
#endif

	KUNIT_ASSERT_EQ(test, dispatcher_unregister(kunit_jit, tgts[0]), 0);
	dispatcher_barrier();
	KUNIT_EXPECT_FALSE(test, is_dispatcher_text_address(entry));
#if IS_BUILTIN(CONFIG_DISPATCHER_KUNIT_TEST)
	KUNIT_EXPECT_FALSE(test, kernel_text_address(entry));
#endif
}

#if defined(CONFIG_X86) && !defined(CONFIG_UML) && defined(CONFIG_UNWINDER_ORC)
/*
 * An unwind that starts inside a live image, as one from an NMI or a perf
 * sample landing there does, reaches the image's caller, reliably: the
 * regs say the CPU is in the image, with the return address into the
 * dispatch function on top of the stack.
 */
static void dispatcher_jit_test_orc(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_jit);
	unsigned long ret_ip = (unsigned long)DISPATCHER_FUNC(kunit_jit) + 1;
	unsigned long stack[4] = { ret_ip };
	struct unwind_state state;
	struct pt_regs regs = {};

	JIT_REQUIRES(test);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, tgts[0]), 0);
	KUNIT_ASSERT_NOT_NULL(test, d->image);

	regs.ip = (unsigned long)d->image->entry + 4;
	regs.sp = (unsigned long)stack;
	regs.cs = __KERNEL_CS;
	unwind_start(&state, current, &regs, NULL);
	KUNIT_EXPECT_FALSE(test, unwind_error(&state));
	KUNIT_EXPECT_FALSE(test, unwind_done(&state));
	KUNIT_EXPECT_EQ(test, unwind_get_return_address(&state), ret_ip);

	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_jit, tgts[0]), 0);
}
#else
static void dispatcher_jit_test_orc(struct kunit *test)
{
	kunit_skip(test, "needs the x86 ORC unwinder");
}
#endif

#if defined(CONFIG_CFI_CLANG) && defined(CONFIG_CFI_PERMISSIVE) && \
	defined(CONFIG_FUNCTION_TRACER) && !defined(CONFIG_UML)
/* The CFI failures reported (report_cfi_failure(regs, addr, target, type)). */
static struct {
	atomic_t reports;
	unsigned long target;
	unsigned long type;
} jit_cfi;

static void jit_cfi_report(unsigned long ip, unsigned long parent_ip,
			   struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	unsigned long *target = (unsigned long *)ftrace_regs_get_argument(fregs, 2);

	jit_cfi.target = target ? *target : 0;
	jit_cfi.type = ftrace_regs_get_argument(fregs, 3);
	atomic_inc(&jit_cfi.reports);
}

static struct ftrace_ops jit_cfi_ops = {
	.func = jit_cfi_report,
};

/* Not of the type of kunit_jit's targets. */
static noinline long jit_other_proto(long x)
{
	return x + 1;
}

/*
 * DESIGN §3.1/§3.2 under kCFI: a function of another prototype, cast to
 * the dispatch point's type (the type confusion CFI exists to catch), is
 * reported by dispatcher_call() with an image live exactly as by the plain
 * indirect call: one report each, same target, same expected type (with
 * CFI_PERMISSIVE the call goes on).  Registered targets and unregistered
 * ones of the right type are reported by neither.
 */
static void dispatcher_jit_test_cfi(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_jit);
	dispatcher_kunit_jit_fn_t bad = (void *)jit_other_proto, plain;
	unsigned long type;
	int ret;

	JIT_REQUIRES(test);
	ret = ftrace_set_filter(&jit_cfi_ops, "report_cfi_failure",
				strlen("report_cfi_failure"), 1);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "cannot trace report_cfi_failure()");
	KUNIT_ASSERT_EQ(test, register_ftrace_function(&jit_cfi_ops), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, tgts[0]), 0);
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	atomic_set(&jit_cfi.reports, 0);

	/* Registered, and unregistered of the right type: no report. */
	KUNIT_EXPECT_EQ(test, dispatcher_call(kunit_jit, tgts[0], 1, 2),
			tgts[0](1, 2));
	KUNIT_EXPECT_EQ(test, dispatcher_call(kunit_jit, tgts[1], 1, 2),
			tgts[1](1, 2));
	KUNIT_EXPECT_EQ(test, atomic_read(&jit_cfi.reports), 0);

	/* The plain indirect call of the confused type: one report. */
	plain = bad;
	OPTIMIZER_HIDE_VAR(plain);
	plain(41, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&jit_cfi.reports), 1);
	KUNIT_EXPECT_EQ(test, jit_cfi.target, (unsigned long)jit_other_proto);
	type = jit_cfi.type;

	/* The same through the dispatch point, image live: the same report. */
	dispatcher_call(kunit_jit, bad, 41, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&jit_cfi.reports), 2);
	KUNIT_EXPECT_EQ(test, jit_cfi.target, (unsigned long)jit_other_proto);
	KUNIT_EXPECT_EQ(test, jit_cfi.type, type);
	kunit_info(test, "2 CFI failures reported on purpose, type %#lx", type);

	KUNIT_EXPECT_EQ(test, unregister_ftrace_function(&jit_cfi_ops), 0);
	ftrace_free_filter(&jit_cfi_ops);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_jit, tgts[0]), 0);
}
#else
static void dispatcher_jit_test_cfi(struct kunit *test)
{
	kunit_skip(test, "needs permissive kCFI and ftrace (make check-cfi)");
}
#endif

static struct kunit_case dispatcher_jit_cases[] = {
	KUNIT_CASE_PARAM(dispatcher_jit_test_many, jit_gen_params),
	KUNIT_CASE(dispatcher_jit_test_mode),
	KUNIT_CASE(dispatcher_jit_test_kallsyms),
	KUNIT_CASE(dispatcher_jit_test_ftrace),
	KUNIT_CASE(dispatcher_test_held),
	KUNIT_CASE_PARAM_ATTR(dispatcher_test_churn, churn_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE(dispatcher_jit_test_imm64),
	KUNIT_CASE(dispatcher_jit_test_far),
	KUNIT_CASE(dispatcher_jit_test_entry),
	KUNIT_CASE(dispatcher_jit_test_text),
	KUNIT_CASE(dispatcher_jit_test_orc),
	KUNIT_CASE(dispatcher_jit_test_cfi),
	{}
};

static struct kunit_suite dispatcher_jit_suite = {
	.name = "dispatcher_jit",
	.init = jit_init,
	.exit = jit_exit,
	.test_cases = dispatcher_jit_cases,
};

kunit_test_suites(&dispatcher_api_suite, &dispatcher_image_suite,
		  &dispatcher_jit_suite);

MODULE_DESCRIPTION("KUnit tests for the generic dispatcher");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
