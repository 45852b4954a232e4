// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for lib/dispatcher: the dispatcher_image suite.
 *
 * The image life cycle, driven through a mock back end whose "images" are
 * C functions that record which targets they were built for and whether
 * they are entered while allocated.  It checks what the core hands to a
 * back end and when it switches and frees images, also when the back end
 * fails and when a module goes; the code a real JIT generates is tested
 * with that JIT (dispatcher_jit_kunit.c).
 *
 * Run with:
 *	./tools/testing/kunit/kunit.py run --kunitconfig=lib/dispatcher/kunit
 */

#include <kunit/test.h>
#include <linux/dispatcher.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "../dispatcher_internal.h"
#include "dispatcher_kunit.h"

/*
 * The mock's dispatch points: kunit_mock, defined with the targets of its
 * type in dispatcher_kunit_fixtures.c, and kunit_released.
 */
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

/* A call equals the direct call and took the image's hit or miss path. */
static void expect_mock_call(struct kunit *test, int k, bool hit)
{
	unsigned int hits = mock.hits, misses = mock.misses;
	int a = k * 7 - 3, b = 11 - k;

	KUNIT_EXPECT_EQ_MSG(test, dispatcher_call(kunit_mock, dk_tgts[k], a, b),
			    dk_tgts[k](a, b), "target %d", k);
	if (DISPATCHER(kunit_mock).image) {
		KUNIT_EXPECT_EQ_MSG(test, mock.hits, hits + hit, "target %d", k);
		KUNIT_EXPECT_EQ_MSG(test, mock.misses, misses + !hit,
				    "target %d", k);
	} else {
		KUNIT_EXPECT_EQ(test, mock.hits + mock.misses, hits + misses);
	}
}

static int mock_init(struct kunit *test)
{
	unsigned int k;

	/* Without a JIT, dispatch points never enter an image, even a mock. */
	if (!IS_ENABLED(CONFIG_DISPATCHER_IMAGES))
		kunit_skip(test, "dispatch points have no images without a JIT");
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
	/* Each case starts with no image retiring, so updates build theirs. */
	dispatcher_barrier();
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

KUNIT_ARRAY_PARAM(many, many_counts, dk_many_desc);

/* §3.5: no fixed capacity; every registered target is in the image. */
static void dispatcher_test_many(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_mock);
	unsigned int n = *(const unsigned int *)test->param_value, k;

	for (k = 0; k < n; k++)
		KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, dk_tgts[k]), 0);
	KUNIT_EXPECT_EQ(test, d->nr_targets, n);
	/* Past DISPATCHER_MAX_RETIRING updates the image may come later. */
	dispatcher_barrier();
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	KUNIT_EXPECT_EQ(test, mock_find(d->image->text)->nr, n);
	dk_expect_entry(test, d);

	for (k = 0; k < n; k++)
		expect_mock_call(test, k, true);
	/* A target never registered takes the fallback. */
	expect_mock_call(test, DK_NR_TGTS, false);

	/* Unregister in another order: 1031 is a prime above every n. */
	for (k = 0; k < n; k++)
		KUNIT_ASSERT_EQ(test, dispatcher_unregister(kunit_mock,
							    dk_tgts[k * 1031 % n]), 0);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 0);
	KUNIT_EXPECT_NULL(test, d->image);
	dk_expect_entry(test, d);
	expect_mock_call(test, 0, false);
}

/* §3.3: replace swaps two targets with a single rebuild. */
static void dispatcher_test_replace(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_mock);
	unsigned long updates;
	unsigned int generated;

	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, dk_tgts[0]), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, dk_tgts[1]), 0);
	updates = d->nr_updates;
	generated = mock.generated;

	KUNIT_ASSERT_EQ(test, dispatcher_replace(kunit_mock, dk_tgts[0], dk_tgts[2]), 0);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates + 1);
	KUNIT_EXPECT_EQ(test, mock.generated, generated + 1);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 2);
	expect_mock_call(test, 0, false);
	expect_mock_call(test, 1, true);
	expect_mock_call(test, 2, true);

	/* Replacing a target with itself changes nothing. */
	KUNIT_EXPECT_EQ(test, dispatcher_replace(kunit_mock, dk_tgts[1], dk_tgts[1]), 0);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates + 1);

	/* With two references, the old target stays. */
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, dk_tgts[1]), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_replace(kunit_mock, dk_tgts[1], dk_tgts[3]), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, dk_tgts[1]), 1);
	KUNIT_EXPECT_EQ(test, users_of(d, dk_tgts[3]), 1);
	expect_mock_call(test, 3, true);

	/* Onto an already registered target: no new slot. */
	KUNIT_ASSERT_EQ(test, dispatcher_replace(kunit_mock, dk_tgts[3], dk_tgts[2]), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, dk_tgts[2]), 2);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 2);
	expect_mock_call(test, 3, false);

	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, dk_tgts[1]), 0);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, dk_tgts[2]), 0);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, dk_tgts[2]), 0);
}

/* The old image is freed after the grace periods, never before. */
static void dispatcher_test_retire(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_mock);
	void *first;

	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, dk_tgts[0]), 0);
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	first = d->image->text;
	dk_expect_entry(test, d);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, dk_tgts[1]), 0);
	KUNIT_EXPECT_PTR_NE(test, d->image->text, first);
	dk_expect_entry(test, d);

	dispatcher_barrier();
	KUNIT_EXPECT_FALSE(test, mock_find(first)->allocated);
	KUNIT_EXPECT_EQ(test, mock_live(), 1);
	expect_mock_call(test, 0, true);
	expect_mock_call(test, 1, true);

	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, dk_tgts[0]), 0);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, dk_tgts[1]), 0);
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

	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, dk_tgts[0]), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, dk_tgts[1]), 0);
	dispatcher_barrier();
	img = d->image;
	updates = d->nr_updates;

	*c->flag = true;
	KUNIT_EXPECT_EQ(test, dispatcher_register(kunit_mock, dk_tgts[2]),
			c->err);
	KUNIT_EXPECT_EQ(test, dispatcher_replace(kunit_mock, dk_tgts[0],
						 dk_tgts[2]), c->err);
	KUNIT_EXPECT_PTR_EQ(test, d->image, img);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 2);
	KUNIT_EXPECT_EQ(test, d->jit_err, c->err);
	KUNIT_EXPECT_EQ(test, mock_live(), 1);	/* nothing leaked */
	dk_expect_entry(test, d);
	expect_mock_call(test, 0, true);
	expect_mock_call(test, 2, false);

	/* Unregistering still works: the dispatcher goes without an image. */
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, dk_tgts[0]), 0);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 1);
	KUNIT_EXPECT_NULL(test, d->image);
	dk_expect_entry(test, d);
	expect_mock_call(test, 1, false);

	/* The next successful update brings the image back. */
	*c->flag = false;
	KUNIT_EXPECT_EQ(test, dispatcher_register(kunit_mock, dk_tgts[2]), 0);
	KUNIT_EXPECT_NOT_NULL(test, d->image);
	KUNIT_EXPECT_EQ(test, d->jit_err, 0);
	expect_mock_call(test, 1, true);
	expect_mock_call(test, 2, true);

	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, dk_tgts[1]), 0);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, dk_tgts[2]), 0);
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
	struct module *mod = fake_module(test, dk_tgts[0], 1);
	unsigned long updates;

	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, dk_tgts[0]), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, dk_tgts[0]), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_mock, dk_tgts[1]), 0);
	updates = d->nr_updates;

	/* Only GOING evicts. */
	dispatcher_module_notify(NULL, MODULE_STATE_COMING, mod);
	dispatcher_module_notify(NULL, MODULE_STATE_LIVE, mod);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 2);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates);

	dispatcher_module_notify(NULL, MODULE_STATE_GOING, mod);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 1);
	KUNIT_EXPECT_EQ(test, users_of(d, dk_tgts[0]), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, dk_tgts[1]), 1);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates + 1);
	dk_expect_entry(test, d);
	expect_mock_call(test, 0, false);
	expect_mock_call(test, 1, true);

	/* A second GOING finds nothing to do. */
	dispatcher_module_notify(NULL, MODULE_STATE_GOING, mod);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates + 1);

	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_mock, dk_tgts[1]), 0);
}

/* A dispatcher inside a going module is released with all it holds. */
static void dispatcher_test_module_release(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_released);
	struct module *mod = fake_module(test, d, sizeof(*d));

	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_released, dk_tgts[0]),
			0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_released, dk_tgts[1]),
			0);
	KUNIT_EXPECT_FALSE(test, list_empty(&d->list));
	KUNIT_EXPECT_NOT_NULL(test, d->image);

	dispatcher_module_notify(NULL, MODULE_STATE_GOING, mod);
	KUNIT_EXPECT_TRUE(test, list_empty(&d->list));
	KUNIT_EXPECT_NULL(test, d->dentry);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 0);
	KUNIT_EXPECT_NULL(test, d->targets);
	KUNIT_EXPECT_NULL(test, d->image);
	dk_expect_entry(test, d);
	KUNIT_EXPECT_EQ(test, dispatcher_call(kunit_released, dk_tgts[0], 1, 2),
			dk_tgts[0](1, 2));
	dispatcher_barrier();
	KUNIT_EXPECT_EQ(test, mock_live(), 0);

	/* Released after its last target went: its empty array goes too. */
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_released, dk_tgts[2]),
			0);
	KUNIT_ASSERT_EQ(test, dispatcher_unregister(kunit_released, dk_tgts[2]), 0);
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
	.suite_init = dk_learn_off,
	.suite_exit = dk_learn_restore,
	.init = mock_init,
	.exit = mock_exit,
	.test_cases = dispatcher_image_cases,
};

kunit_test_suite(dispatcher_image_suite);
