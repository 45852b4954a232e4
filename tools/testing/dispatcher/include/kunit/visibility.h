/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The harness is not KUnit: what the kernel makes visible only to KUnit
 * stays static here, and the tests use the public interfaces (boot
 * parameters, the module notifier chain, debugfs) instead.
 */
#ifndef _DT_SHIM_KUNIT_VISIBILITY_H
#define _DT_SHIM_KUNIT_VISIBILITY_H

#include <linux/build_bug.h>

#define VISIBLE_IF_KUNIT		static
#define EXPORT_SYMBOL_IF_KUNIT(sym)	static_assert(1, #sym)

#endif /* _DT_SHIM_KUNIT_VISIBILITY_H */
