// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fixtures of the KUnit suites of lib/dispatcher, no suite of its own:
 * what the dispatcher_image and dispatcher_jit suites share (the dispatch
 * point kunit_mock, the test targets of its type and two helpers), declared
 * in dispatcher_kunit.h, and the module information of dispatcher_kunit,
 * whose suites are in dispatcher_api_kunit.c, dispatcher_image_kunit.c
 * and dispatcher_jit_kunit.c.
 *
 * Run with:
 *	./tools/testing/kunit/kunit.py run --kunitconfig=lib/dispatcher/kunit
 */

#include <kunit/test.h>
#include <linux/dispatcher.h>
#include <linux/module.h>

#include "../dispatcher_internal.h"
#include "dispatcher_kunit.h"

DEFINE_DISPATCHER(kunit_mock, int, int, a, int, b);

/* A dispatch point for modules: dispatcher_export_test.ko uses it. */
DEFINE_DISPATCHER(kunit_export, int, int, a);
EXPORT_DISPATCHER_GPL(kunit_export);

/*
 * Targets: 1536 distinct functions, tgt_<5 base-4 digits>, each returning
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
TGT_DEF256(4) TGT_DEF256(5)

#define TGT_PTR4(p)	__DISPATCHER_LIST(tgt_##p##0, tgt_##p##1, tgt_##p##2, tgt_##p##3)
#define TGT_PTR16(p)	__DISPATCHER_LIST(TGT_PTR4(p##0), TGT_PTR4(p##1),	\
					  TGT_PTR4(p##2), TGT_PTR4(p##3))
#define TGT_PTR64(p)	__DISPATCHER_LIST(TGT_PTR16(p##0), TGT_PTR16(p##1),	\
					  TGT_PTR16(p##2), TGT_PTR16(p##3))
#define TGT_PTR256(p)	__DISPATCHER_LIST(TGT_PTR64(p##0), TGT_PTR64(p##1),	\
					  TGT_PTR64(p##2), TGT_PTR64(p##3))

static noinline int tgt_never(int a, int b) { return a - b; }

/* dk_tgts[DK_NR_TGTS] is never registered by any case. */
DISPATCHER_FN_T(kunit_mock) const dk_tgts[] = {
	TGT_PTR256(0), TGT_PTR256(1), TGT_PTR256(2), TGT_PTR256(3),
	tgt_never
};

/* 512 more, for more targets than fit in an image. */
DISPATCHER_FN_T(kunit_mock) const dk_more[] = {
	TGT_PTR256(4), TGT_PTR256(5)
};

/* The static_call points at the current image, or at the default. */
void dk_expect_entry(struct kunit *test, struct dispatcher *d)
{
	void *func = READ_ONCE(d->sc_key->func);

	KUNIT_EXPECT_PTR_EQ(test, func,
			    d->image ? d->image->entry : d->default_func);
}

/* The description of a case parameter that is a number of targets. */
void dk_many_desc(const unsigned int *n, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u targets", *n);
}

MODULE_DESCRIPTION("KUnit tests for the generic dispatcher");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
