/* SPDX-License-Identifier: GPL-2.0 */
/*
 * As the kernel's: with CONFIG_KUNIT (which the harness's kconfig.h sets)
 * what lib/dispatcher makes visible to its KUnit tests is global, and the
 * harness's tests use it too; without, it is static.
 */
#ifndef _DT_SHIM_KUNIT_VISIBILITY_H
#define _DT_SHIM_KUNIT_VISIBILITY_H

#include <linux/build_bug.h>
#include <linux/export.h>

#if IS_ENABLED(CONFIG_KUNIT)
#define VISIBLE_IF_KUNIT
#define EXPORT_SYMBOL_IF_KUNIT(sym)	EXPORT_SYMBOL_NS(sym, "EXPORTED_FOR_KUNIT_TESTING")
#else
#define VISIBLE_IF_KUNIT		static
#define EXPORT_SYMBOL_IF_KUNIT(sym)	static_assert(1, #sym)
#endif

#endif /* _DT_SHIM_KUNIT_VISIBILITY_H */
