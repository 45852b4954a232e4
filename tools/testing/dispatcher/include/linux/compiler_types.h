/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for the kernel's compiler_types.h, included first in
 * every translation unit (-include) as kbuild does.  Only what
 * lib/dispatcher/, arch/x86/lib/dispatcher_jit.c and the dispatcher API
 * use, with the kernel's meaning.
 */
#ifndef _DT_SHIM_LINUX_COMPILER_TYPES_H
#define _DT_SHIM_LINUX_COMPILER_TYPES_H

#define __weak			__attribute__((__weak__))
#define noinline		__attribute__((__noinline__))
#define __always_inline		inline __attribute__((__always_inline__))
#define __used			__attribute__((__used__))
#define __maybe_unused		__attribute__((__unused__))
#define __always_unused		__attribute__((__unused__))
#define __must_check		__attribute__((__warn_unused_result__))
#define __cold			__attribute__((__cold__))
#define __noreturn		__attribute__((__noreturn__))
#define __packed		__attribute__((__packed__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __section(s)		__attribute__((__section__(s)))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define __cleanup(func)		__attribute__((__cleanup__(func)))
#define __nocfi
#define notrace
#define __init
#define __initdata
#define __exit
#define __ro_after_init
#define __read_mostly
#define __randomize_layout
#define __counted_by(member)
#define __user
#define __kernel
#define __iomem
#define __rcu
#define __percpu
#define __force
#define __must_hold(x)
#define __acquires(x)
#define __releases(x)

#define fallthrough		__attribute__((__fallthrough__))

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

#define ___PASTE(a, b)		a##b
#define __PASTE(a, b)		___PASTE(a, b)
#define __UNIQUE_ID(prefix)	__PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)

#define __same_type(a, b)	__builtin_types_compatible_p(typeof(a), typeof(b))

#endif /* _DT_SHIM_LINUX_COMPILER_TYPES_H */
