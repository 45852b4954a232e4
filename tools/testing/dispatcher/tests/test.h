/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small test framework for the harness.  Each DT_TEST() is a test case;
 * the runner executes every case in a process of its own, so that a crash,
 * a sanitizer report or a leak fails that case alone.  A case fails if an
 * EXPECT*() or ASSERT*() fails (an ASSERT*() also ends it), if a WARN
 * fires that it did not expect (EXPECT_WARNS()), or if the process dies.
 */
#ifndef _DT_TEST_H
#define _DT_TEST_H

#include <stdio.h>
#include <stdlib.h>

#include <linux/compiler.h>
#include <linux/types.h>

#include "dt_shim.h"

struct dt_test {
	const char *name;
	void (*fn)(void);
	unsigned int flags;
	struct dt_test *next;
};

/* Do not run the initcalls before the case: it runs them itself. */
#define DT_NO_INITCALLS		0x1

void dt_test_register(struct dt_test *t);
__printf(3, 4) void dt_fail(const char *file, int line, const char *fmt, ...);
/* A failed ASSERT*(): report, and end the case (its process) at once. */
__printf(3, 4) __noreturn void dt_abort(const char *file, int line,
					const char *fmt, ...);
/* End the case (its process) as skipped. */
__printf(1, 2) __noreturn void dt_skip(const char *fmt, ...);
__printf(1, 2) void dt_info(const char *fmt, ...);
extern unsigned int dt_failures;
extern unsigned long dt_warnings_expected;

/* Environment knobs: DT_SEED, DT_OPS; @def if unset. */
unsigned long dt_env(const char *name, unsigned long def);

#define DT_TEST_FLAGS(nm, fl)						\
	static void dt_test_##nm(void);					\
	static struct dt_test __dt_test_##nm = {			\
		.name = #nm,						\
		.fn = dt_test_##nm,					\
		.flags = (fl),						\
	};								\
	static void __attribute__((__constructor__)) __dt_reg_##nm(void) \
	{								\
		dt_test_register(&__dt_test_##nm);			\
	}								\
	static void dt_test_##nm(void)

#define DT_TEST(nm)	DT_TEST_FLAGS(nm, 0)

#define EXPECT(cond)							\
	do {								\
		if (!(cond))						\
			dt_fail(__FILE__, __LINE__, "%s", #cond);	\
	} while (0)

#define ASSERT(cond)							\
	do {								\
		if (!(cond))						\
			dt_abort(__FILE__, __LINE__, "%s", #cond);	\
	} while (0)

/* Compare as long long; on failure report both values through @report. */
#define __DT_CMP(a, op, b, report)					\
	do {								\
		long long __a = (long long)(a), __b = (long long)(b);	\
									\
		if (!(__a op __b))					\
			report(__FILE__, __LINE__,			\
			       "%s %s %s: %lld vs %lld (%#llx vs %#llx)", \
			       #a, #op, #b, __a, __b,			\
			       (unsigned long long)__a,			\
			       (unsigned long long)__b);		\
	} while (0)

#define EXPECT_EQ(a, b)		__DT_CMP(a, ==, b, dt_fail)
#define EXPECT_NE(a, b)		__DT_CMP(a, !=, b, dt_fail)
#define EXPECT_LE(a, b)		__DT_CMP(a, <=, b, dt_fail)
#define EXPECT_LT(a, b)		__DT_CMP(a, <, b, dt_fail)
#define EXPECT_GE(a, b)		__DT_CMP(a, >=, b, dt_fail)
#define EXPECT_GT(a, b)		__DT_CMP(a, >, b, dt_fail)
#define ASSERT_EQ(a, b)		__DT_CMP(a, ==, b, dt_abort)
#define ASSERT_NE(a, b)		__DT_CMP(a, !=, b, dt_abort)
#define ASSERT_GT(a, b)		__DT_CMP(a, >, b, dt_abort)
#define ASSERT_LE(a, b)		__DT_CMP(a, <=, b, dt_abort)
#define EXPECT_PTR_EQ(a, b)	EXPECT_EQ((unsigned long)(a), (unsigned long)(b))
#define EXPECT_PTR_NE(a, b)	EXPECT_NE((unsigned long)(a), (unsigned long)(b))

#define SKIP(fmt...)	dt_skip(fmt)

/*
 * Evaluate @expr, which must WARN (at least once); its value.  WARNs
 * counted here do not fail the case.
 */
#define EXPECT_WARNS(expr)						\
	({								\
		unsigned long __w = READ_ONCE(dt_warnings);		\
		typeof(expr) __r;					\
									\
		dt_quiet = true;					\
		__r = (expr);						\
		dt_quiet = false;					\
		if (READ_ONCE(dt_warnings) == __w)			\
			dt_fail(__FILE__, __LINE__, "no WARN from %s", #expr); \
		dt_warnings_expected += READ_ONCE(dt_warnings) - __w;	\
		__r;							\
	})

/* A small fast PRNG (xorshift64*), reproducible from its seed. */
static inline u64 dt_rand(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static inline u32 dt_rand_below(u64 *state, u32 n)
{
	return (u32)((dt_rand(state) >> 32) * n >> 32);
}

#endif /* _DT_TEST_H */
