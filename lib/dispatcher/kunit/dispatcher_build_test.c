// SPDX-License-Identifier: GPL-2.0-only
/*
 * Build-time tests of the dispatcher API: what must not compile.
 *
 * Not part of any kernel build.  mk/build-tests.sh compiles this file with
 * the kbuild command line of the KUnit suite, once for each
 * DISPATCHER_BUILD_CASE: case 0 uses the API correctly and must compile;
 * every other case must fail, with the message given in its comment.
 */

#include <linux/dispatcher.h>
#include <linux/types.h>

DEFINE_DISPATCHER(build_test, int, int, a, long, b);

static int __maybe_unused build_test_good(int a, long b)
{
	return a + b;
}

static int __maybe_unused build_test_swapped(long a, int b)
{
	return a - b;
}

static long __maybe_unused build_test_ret(int a, long b)
{
	return a * b;
}

#if DISPATCHER_BUILD_CASE == 0
/* Both flags a dispatch point can have. */
DEFINE_DISPATCHER_FLAGS(build_flags_ok, DISPATCHER_F_RCU | DISPATCHER_F_NO_LEARN,
			int, long, a);
#elif DISPATCHER_BUILD_CASE == 1
/* "needs (type, name) pairs, at most 5 of them" */
DEFINE_DISPATCHER(build_six, int, int, a, int, b, int, c, int, d, int, e,
		  int, f);
#elif DISPATCHER_BUILD_CASE == 2
/* "needs (type, name) pairs" */
DEFINE_DISPATCHER(build_odd, int, int, a, int);
#elif DISPATCHER_BUILD_CASE == 3
/* "is not an integer or pointer that fits in a register": two registers */
struct build_pair {
	long x, y;
};

DEFINE_DISPATCHER(build_struct, int, struct build_pair, p);
#elif DISPATCHER_BUILD_CASE == 4
/* "is not an integer or pointer that fits in a register": 128 bits */
DEFINE_DISPATCHER(build_wide, int, __int128, x);
#elif DISPATCHER_BUILD_CASE == 9
/* "must return void, an integer or a pointer": returned in memory */
struct build_big {
	long x, y, z;
};

DEFINE_DISPATCHER(build_sret, struct build_big, long, a);
#elif DISPATCHER_BUILD_CASE == 10
/* "must return void, an integer or a pointer": a small struct */
struct build_small {
	long x;
};

DEFINE_DISPATCHER(build_small_ret, struct build_small, long, a);
#elif DISPATCHER_BUILD_CASE == 11
/* "is not an integer or pointer that fits in a register": one register */
struct build_one {
	long x;
};

DEFINE_DISPATCHER(build_byval, int, struct build_one, p, long, a);
#elif DISPATCHER_BUILD_CASE == 15
/* "unknown flags of dispatcher build_flags" */
DEFINE_DISPATCHER_FLAGS(build_flags, 0x4, int, long, a);
#endif

int build_test_use(int a, long b);
int build_test_use(int a, long b)
{
	int ret = 0;

#if DISPATCHER_BUILD_CASE == 0
	ret += dispatcher_call(build_test, build_test_good, a, b);
	ret += dispatcher_register(build_test, build_test_good);
	ret += dispatcher_replace(build_test, build_test_good, build_test_good);
	ret += dispatcher_unregister(build_test, build_test_good);
#elif DISPATCHER_BUILD_CASE == 5
	/* "target type does not match dispatcher build_test" */
	ret += dispatcher_call(build_test, build_test_swapped, a, b);
#elif DISPATCHER_BUILD_CASE == 6
	/* "target type does not match dispatcher build_test" */
	ret += dispatcher_register(build_test, build_test_swapped);
#elif DISPATCHER_BUILD_CASE == 7
	/* "target type does not match dispatcher build_test" */
	ret += dispatcher_unregister(build_test, build_test_ret);
#elif DISPATCHER_BUILD_CASE == 8
	/* "target type does not match dispatcher build_test" */
	ret += dispatcher_replace(build_test, build_test_good, build_test_ret);
#elif DISPATCHER_BUILD_CASE == 12
	/* "target type does not match dispatcher build_test" */
	void *p = build_test_good;

	ret += dispatcher_call(build_test, p, a, b);
#elif DISPATCHER_BUILD_CASE == 13
	/* "invalid type argument of unary" */
	unsigned long addr = (unsigned long)build_test_good;

	ret += dispatcher_call(build_test, addr, a, b);
#elif DISPATCHER_BUILD_CASE == 14
	/* "target type does not match dispatcher build_test" */
	ret += dispatcher_call(build_test, build_test_ret, a, b);
#endif
	return ret;
}
