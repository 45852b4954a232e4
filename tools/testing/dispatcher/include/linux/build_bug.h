/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compile-time assertions.  The kernel's BUILD_BUG_ON_MSG() is checked
 * after optimisation; here every condition the dispatcher checks is an
 * integer constant expression, so _Static_assert() says the same, earlier.
 */
#ifndef _DT_SHIM_LINUX_BUILD_BUG_H
#define _DT_SHIM_LINUX_BUILD_BUG_H

#define BUILD_BUG_ON_MSG(cond, msg)	static_assert(!(cond), msg)
#define BUILD_BUG_ON(cond)	BUILD_BUG_ON_MSG(cond, "BUILD_BUG_ON failed: " #cond)
#define BUILD_BUG_ON_ZERO(e)	((int)(sizeof(struct { int:(-!!(e)); })))

/* static_assert(expr) or static_assert(expr, msg), as in the kernel. */
#undef static_assert
#define static_assert(expr, ...) __static_assert(expr, ##__VA_ARGS__, #expr)
#define __static_assert(expr, msg, ...) _Static_assert(expr, msg)

#endif /* _DT_SHIM_LINUX_BUILD_BUG_H */
