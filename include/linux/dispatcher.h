/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_DISPATCHER_H
#define _LINUX_DISPATCHER_H

/**
 * DOC: overview
 *
 * A dispatcher turns an indirect call ``fn(args...)``, whose target is one
 * of a rarely changing set (attached XDP programs, registered TC classifiers,
 * a driver's ops), into a compare-and-jump tree over the registered targets.
 * The tree is generated at run time and entered through a static_call, so a
 * registered target is reached without an indirect branch.  With retpolines
 * that saves about 10 ns per call.
 *
 * Usage example::
 *
 *	DEFINE_DISPATCHER(tc_classify, int,
 *			  struct sk_buff *, skb, const struct tcf_proto *, tp,
 *			  struct tcf_result *, res);
 *
 *	ret = dispatcher_call(tc_classify, tp->classify, skb, tp, res);
 *
 *	err = dispatcher_register(tc_classify, fl_classify);
 *	dispatcher_unregister(tc_classify, fl_classify);
 *	err = dispatcher_replace(tc_classify, old_fn, new_fn);
 *
 * dispatcher_call() is always equivalent to ``fn(args...)``: registration is
 * an optimisation and never changes what is called.  A target that is not
 * registered is called through the ordinary indirect call, with whatever
 * retpoline or CFI checking the kernel is built with.
 *
 * Implementation details: dispatcher_call() is a static_call of the
 * dispatch point, made at the call site with the real arguments followed by
 * the target.  Where the architecture patches call sites (x86-64's inline
 * static calls) the call site calls the current image directly, with
 * nothing in between.  The image compares the register holding the target
 * against each registered address and jumps straight to the match with the
 * real arguments untouched; anything else jumps, still directly, to the
 * dispatch point's default function, compiled C that makes the plain call
 * ``fn(args...)`` with every check the kernel is built with.  Without an
 * image (no target registered, learning in progress, or the JIT failed) the
 * static_call points at that default function itself; where no image can
 * ever be built (no JIT for the architecture) dispatcher_call() is
 * ``fn(args...)`` itself.
 *
 * Which registered targets the image holds, and in what order it compares
 * them, follows the calls actually made: see "Learned layouts" in
 * Documentation/core-api/dispatcher.rst.  A target that is seldom called,
 * or called in a pattern no predictor can follow, is left to the default
 * function, so that a call through the dispatch point never costs more
 * than the plain call it replaces.
 */

/**
 * DOC: grace period
 *
 * Updates (register, unregister, replace and module eviction) sleep and are
 * serialised per dispatcher; calls run concurrently on other CPUs without
 * any lock.  An update builds a new image, switches the static_call to it
 * and retires the old image, which is freed only after its grace period:
 *
 * - For a dispatch point defined with DEFINE_DISPATCHER(), an RCU-tasks
 *   grace period followed by an RCU one.  The first waits out any task
 *   preempted inside the old image, the second any CPU executing it with
 *   preemption or interrupts disabled, in hard or soft interrupt or in
 *   NMI.  Callers need no read-side protection of their own: such a dispatch
 *   point may be called from any context in which RCU is watching, that is
 *   anywhere but the idle loop's RCU-idle sections and noinstr code.
 *
 * - For one defined with DEFINE_DISPATCHER_RCU(), whose callers are always
 *   inside an RCU read-side critical section (rcu_read_lock(), softirq or
 *   BH-disabled code such as the packet path, preemption or interrupts
 *   disabled), an RCU grace period only, as upstream's BPF dispatcher did.
 *
 * With CONFIG_PROVE_RCU, a call from a context the dispatch point does not
 * allow is counted in debugfs and WARNs once.
 *
 * The image never calls a target, it jumps to it, so a CPU has left the
 * image before the target runs.  Keeping the *target* alive while it is
 * called is the caller's business, exactly as for ``fn(args...)``.
 *
 * Updates never wait for grace periods, so they may be made under locks
 * that callers hold (rtnl, for one).  At most %DISPATCHER_MAX_RETIRING
 * retired images wait to be freed at any time, plus one per dispatch point:
 * an update made while that many are retiring builds no image.  It
 * switches the dispatch point to its default function, the plain call, and
 * a work item builds the image once retirements have drained.  A kernel
 * thread that calls through a dispatch point in a loop without ever
 * sleeping holds up RCU-tasks grace periods and so, for a while, the
 * images of updates, as it would for ftrace's and BPF's trampolines; such a
 * loop calls cond_resched_tasks_rcu_qs(), since cond_resched() is not a
 * quiescent state for RCU tasks.
 */

/**
 * DOC: modules
 *
 * A target inside a module is evicted when the module goes away: on
 * %MODULE_STATE_GOING, before its text is freed, every dispatcher drops the
 * targets that lie in the module, whatever their reference counts, and
 * rebuilds its image.  The module is not pinned: code that registers a
 * target in a module other than its own holds a reference on that module
 * (try_module_get()) for as long as the target is registered, or it
 * unregisters the target before the module goes.  After the eviction the
 * target is no longer registered, and unregistering it is the caller bug
 * it is for any target that is not registered (-ENOENT, with a WARN).
 * A dispatcher defined in a module is released the same way, and its
 * module must make no more calls through it once it is going.
 *
 * To let modules call through a dispatch point built into the kernel, or
 * register targets with it, export it with EXPORT_DISPATCHER_GPL() and
 * declare it with DECLARE_DISPATCHER().
 */

#include <linux/args.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/dispatcher/types.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/static_call.h>

/*
 * Retired images that may wait for their grace periods at any one time
 * before updates stop building images (see "grace period" above).
 */
#define DISPATCHER_MAX_RETIRING		16

/*
 * The macros below take the typed argument list of a dispatch point,
 * "type1, arg1, type2, arg2, ...", in the style of SYSCALL_DEFINEx(), and
 * are selected by the number n of macro arguments (twice the number of
 * pairs):
 *
 *   __DISPATCHER_DECLSn(...)         "type1 arg1, ..." or "void"
 *   __DISPATCHER_PARAMSn(tail, ...)  "type1 arg1, ..., tail"
 *   __DISPATCHER_ARGSn(tail, ...)    "(type1)(arg1), ..., tail"
 *   __DISPATCHER_CALLn(...)          "(type1)(arg1), ..."
 *   __DISPATCHER_BADARGn(...)        true if an argument is not an integer
 *                                    or pointer that fits in a register
 *                                    (arguments in scope)
 *
 * ARGS and CALL cast each argument to its own type, which changes nothing
 * and keeps every parameter of these macros used.  Each argument must be
 * passed in one general-purpose register (BADARG), and the return value
 * must not be returned in memory, so that the target arrives in the
 * register the image compares.
 * __DISPATCHER_LIST() passes a comma-separated list through unchanged.
 */
#define __DISPATCHER_LIST(...)		__VA_ARGS__

#define __DISPATCHER_DECLS0()	void
#define __DISPATCHER_DECLS2(t, a)	__DISPATCHER_LIST(t a)
#define __DISPATCHER_DECLS4(t, a, ...)	\
	__DISPATCHER_LIST(t a, __DISPATCHER_DECLS2(__VA_ARGS__))
#define __DISPATCHER_DECLS6(t, a, ...)	\
	__DISPATCHER_LIST(t a, __DISPATCHER_DECLS4(__VA_ARGS__))
#define __DISPATCHER_DECLS8(t, a, ...)	\
	__DISPATCHER_LIST(t a, __DISPATCHER_DECLS6(__VA_ARGS__))
#define __DISPATCHER_DECLS10(t, a, ...)	\
	__DISPATCHER_LIST(t a, __DISPATCHER_DECLS8(__VA_ARGS__))

#define __DISPATCHER_PARAMS0(tail, ...)	tail
#define __DISPATCHER_PARAMS2(tail, t, a)	__DISPATCHER_LIST(t a, tail)
#define __DISPATCHER_PARAMS4(tail, t, a, ...)	\
	__DISPATCHER_LIST(t a, __DISPATCHER_PARAMS2(tail, __VA_ARGS__))
#define __DISPATCHER_PARAMS6(tail, t, a, ...)	\
	__DISPATCHER_LIST(t a, __DISPATCHER_PARAMS4(tail, __VA_ARGS__))
#define __DISPATCHER_PARAMS8(tail, t, a, ...)	\
	__DISPATCHER_LIST(t a, __DISPATCHER_PARAMS6(tail, __VA_ARGS__))
#define __DISPATCHER_PARAMS10(tail, t, a, ...)	\
	__DISPATCHER_LIST(t a, __DISPATCHER_PARAMS8(tail, __VA_ARGS__))

#define __DISPATCHER_ARGS0(tail, ...)	tail
#define __DISPATCHER_ARGS2(tail, t, a)	__DISPATCHER_LIST((t)(a), tail)
#define __DISPATCHER_ARGS4(tail, t, a, ...)	\
	__DISPATCHER_LIST((t)(a), __DISPATCHER_ARGS2(tail, __VA_ARGS__))
#define __DISPATCHER_ARGS6(tail, t, a, ...)	\
	__DISPATCHER_LIST((t)(a), __DISPATCHER_ARGS4(tail, __VA_ARGS__))
#define __DISPATCHER_ARGS8(tail, t, a, ...)	\
	__DISPATCHER_LIST((t)(a), __DISPATCHER_ARGS6(tail, __VA_ARGS__))
#define __DISPATCHER_ARGS10(tail, t, a, ...)	\
	__DISPATCHER_LIST((t)(a), __DISPATCHER_ARGS8(tail, __VA_ARGS__))

#define __DISPATCHER_CALL0()
#define __DISPATCHER_CALL2(t, a)	((t)(a))
#define __DISPATCHER_CALL4(t, a, ...)	\
	__DISPATCHER_LIST((t)(a), __DISPATCHER_CALL2(__VA_ARGS__))
#define __DISPATCHER_CALL6(t, a, ...)	\
	__DISPATCHER_LIST((t)(a), __DISPATCHER_CALL4(__VA_ARGS__))
#define __DISPATCHER_CALL8(t, a, ...)	\
	__DISPATCHER_LIST((t)(a), __DISPATCHER_CALL6(__VA_ARGS__))
#define __DISPATCHER_CALL10(t, a, ...)	\
	__DISPATCHER_LIST((t)(a), __DISPATCHER_CALL8(__VA_ARGS__))

#define __DISPATCHER_BADARG0()	0
#define __DISPATCHER_BADARG2(t, a)	__dispatcher_not_reg((t)(a))
#define __DISPATCHER_BADARG4(t, a, ...)	\
	(__dispatcher_not_reg((t)(a)) || __DISPATCHER_BADARG2(__VA_ARGS__))
#define __DISPATCHER_BADARG6(t, a, ...)	\
	(__dispatcher_not_reg((t)(a)) || __DISPATCHER_BADARG4(__VA_ARGS__))
#define __DISPATCHER_BADARG8(t, a, ...)	\
	(__dispatcher_not_reg((t)(a)) || __DISPATCHER_BADARG6(__VA_ARGS__))
#define __DISPATCHER_BADARG10(t, a, ...)	\
	(__dispatcher_not_reg((t)(a)) || __DISPATCHER_BADARG8(__VA_ARGS__))

/*
 * Type classes of __builtin_classify_type() (gcc's typeclass.h, which
 * clang follows): integer, char, enumeral, boolean and pointer are 1 to 5.
 * An expression is promoted as a variadic argument first, so char, enum
 * and bool usually come out as integer.
 */
#define __DISPATCHER_CLASS_INTEGER	1
#define __DISPATCHER_CLASS_POINTER	5

/*
 * Is expression @x not an integer or pointer that one general-purpose
 * register carries?  A structure, a floating-point value or a 128-bit
 * integer is passed in memory, in a vector register or in two registers,
 * and so moves every later argument, the target among them.
 */
#define __dispatcher_not_reg(x)						\
	(__dispatcher_type_class(x) < __DISPATCHER_CLASS_INTEGER ||	\
	 __dispatcher_type_class(x) > __DISPATCHER_CLASS_POINTER ||	\
	 sizeof(x) > sizeof(long))

/* sparse does not know the builtin; the compiler makes the check. */
#ifdef __CHECKER__
#define __dispatcher_type_class(x)	(sizeof(x) ? __DISPATCHER_CLASS_INTEGER : 0)
#else
#define __dispatcher_type_class(x)	__builtin_classify_type(x)
#endif

/*
 * Is type @t neither void nor an integer or pointer returned in %rax (or
 * the architecture's equivalent)?  A structure returned in memory takes a
 * hidden pointer in the first argument register and shifts every argument.
 * For void, the type class of an int is taken instead.
 */
#define __dispatcher_bad_ret(t)						\
	__dispatcher_not_reg(*(typeof(__builtin_choose_expr(		\
		__builtin_types_compatible_p(typeof(t), void),		\
		(int *)0, (typeof(t) *)0)))0)

/* __DISPATCHER(PARAMS, 4, ...) is __DISPATCHER_PARAMS4(...). */
#define __DISPATCHER(what, n, ...)					\
	CONCATENATE(CONCATENATE(__DISPATCHER_, what), n)(__VA_ARGS__)

/* Number of real arguments for n macro arguments. */
#define __DISPATCHER_NARGS0	0
#define __DISPATCHER_NARGS2	1
#define __DISPATCHER_NARGS4	2
#define __DISPATCHER_NARGS6	3
#define __DISPATCHER_NARGS8	4
#define __DISPATCHER_NARGS10	5

/* "ret fname(type1 arg1, ..., target)": the dispatch function's shape. */
#define __DISPATCHER_PROTO(fname, dp, ret, n, ...)			\
	__DISPATCHER_LIST(ret fname(__DISPATCHER(PARAMS, n,		\
		DISPATCHER_FN_T(dp) __dispatcher_fn, __VA_ARGS__)))

/* A dispatch point takes (type, name) pairs, at most 5 of them. */
#define __DISPATCHER_CHECK_NARGS(dp, n)					\
	static_assert((n) % 2 == 0 && (n) <= 2 * DISPATCHER_MAX_ARGS,	\
		      "dispatcher " #dp " needs (type, name) pairs, "	\
		      "at most 5 of them")

/*
 * The declarations of dispatch point @dp: the &struct dispatcher, the
 * target type DISPATCHER_FN_T(@dp), a pointer "ret (*)(type1 arg1, ...)",
 * the dispatch function @fname and the static_call that enters the image,
 * typed as @fname.  The target type's name is spelled out as types.h
 * mangles it (any difference would fail to build): checkpatch recognises
 * a new function pointer type by the name between the parentheses.
 */
#define __DISPATCHER_DECLS(dp, fname, ret, n, ...)			\
	__DISPATCHER_CHECK_NARGS(dp, n);				\
	extern struct dispatcher DISPATCHER(dp);			\
	typedef typeof(ret) (*dispatcher_##dp##_fn_t)(			\
		__DISPATCHER(DECLS, n, __VA_ARGS__));			\
	__DISPATCHER_PROTO(fname, dp, ret, n, __VA_ARGS__);		\
	DECLARE_STATIC_CALL(DISPATCHER_SC(dp), fname)

#define __DECLARE_DISPATCHER(dp, ret, n, ...)				\
	__DISPATCHER_DECLS(dp, DISPATCHER_FUNC(dp), ret, n, __VA_ARGS__)

void __dispatcher_bad_context(struct dispatcher *d);
void __dispatcher_record(struct dispatcher *d, void *fn);

/*
 * May a dispatch point be called here?  RCU must be watching, and a
 * dispatch point with RCU-only grace periods needs a read-side critical
 * section of some kind.  Checked with CONFIG_PROVE_RCU only.
 */
#ifdef CONFIG_PROVE_RCU
#define __dispatcher_context_ok(rcu)					\
	(rcu_is_watching() && (!(rcu) || rcu_read_lock_any_held()))
#define __dispatcher_check_context(name)				\
	(unlikely(!__dispatcher_context_ok(DISPATCHER(name).rcu)) ?	\
	 __dispatcher_bad_context(&DISPATCHER(name)) : (void)0)
#else
#define __dispatcher_context_ok(rcu)	((void)(rcu), true)
#define __dispatcher_check_context(name)	((void)sizeof(DISPATCHER(name)))
#endif

/*
 * Everything DEFINE_DISPATCHER() defines, with the names and attributes of
 * the dispatch function and the image as parameters.  The dispatch
 * function does what dispatcher_call() does at its call site, for callers
 * that need a function (an adapter's, or a function pointer): it enters
 * the image through the static_call; where no image can ever be built (no
 * JIT, no test back end) it makes the plain indirect call itself, rather
 * than a second one through the static_call of an architecture without
 * HAVE_STATIC_CALL.  While the dispatch point learns its layout the
 * static_call points at the learning function, which records the target
 * and makes the plain call.  The names of these two functions are spelled
 * out as types.h mangles them, DISPATCHER_DEFAULT(@dp) and
 * DISPATCHER_LEARN(@dp) (any difference would fail to build): checkpatch
 * recognises a macro that defines functions by its "##".
 */
#define __DEFINE_DISPATCHER(dp, fname, ksym, jit, flags, attrs, ret, n, ...) \
	__DISPATCHER_DECLS(dp, fname, ret, n, __VA_ARGS__);		\
	static attrs __DISPATCHER_PROTO(__dispatcher_##dp##_default, dp, ret, \
					n, __VA_ARGS__)			\
	{								\
		BUILD_BUG_ON_MSG(__DISPATCHER(BADARG, n, __VA_ARGS__),	\
				 "an argument of dispatcher " #dp	\
				 " is not an integer or pointer that fits" \
				 " in a register");			\
		BUILD_BUG_ON_MSG(__dispatcher_bad_ret(ret),		\
				 "dispatcher " #dp " must return void,"	\
				 " an integer or a pointer");		\
		BUILD_BUG_ON_MSG((flags) & ~(DISPATCHER_F_RCU |		\
					     DISPATCHER_F_NO_LEARN),	\
				 "unknown flags of dispatcher " #dp);	\
		return __dispatcher_fn(__DISPATCHER(CALL, n, __VA_ARGS__)); \
	}								\
	static attrs __DISPATCHER_PROTO(__dispatcher_##dp##_learn, dp, ret, \
					n, __VA_ARGS__)			\
	{								\
		__dispatcher_record(&DISPATCHER(dp), __dispatcher_fn);	\
		return __dispatcher_fn(__DISPATCHER(CALL, n, __VA_ARGS__)); \
	}								\
	DEFINE_STATIC_CALL(DISPATCHER_SC(dp), DISPATCHER_DEFAULT(dp));	\
	struct dispatcher DISPATCHER(dp) = {				\
		.name		= #dp,					\
		.sym		= ksym,					\
		.jit_targets	= jit,					\
		.rcu		= (flags) & DISPATCHER_F_RCU,		\
		.no_learn	= (flags) & DISPATCHER_F_NO_LEARN,	\
		.mutex		= __MUTEX_INITIALIZER(DISPATCHER(dp).mutex), \
		.nr_args	= CONCATENATE(__DISPATCHER_NARGS, n),	\
		.sc_key		= &STATIC_CALL_KEY(DISPATCHER_SC(dp)),	\
		.sc_tramp	= STATIC_CALL_TRAMP_ADDR(DISPATCHER_SC(dp)), \
		.default_func	= DISPATCHER_DEFAULT(dp),		\
		.learn_func	= DISPATCHER_LEARN(dp),			\
		.list		= LIST_HEAD_INIT(DISPATCHER(dp).list),	\
		.deferred	= LIST_HEAD_INIT(DISPATCHER(dp).deferred), \
	};								\
	noinline attrs __DISPATCHER_PROTO(fname, dp, ret, n, __VA_ARGS__) \
	{								\
		if (unlikely(!__dispatcher_context_ok((flags) & DISPATCHER_F_RCU))) \
			__dispatcher_bad_context(&DISPATCHER(dp));	\
		if (!IS_ENABLED(CONFIG_DISPATCHER_IMAGES))		\
			return __dispatcher_fn(__DISPATCHER(CALL, n,	\
							    __VA_ARGS__)); \
		return static_call(DISPATCHER_SC(dp))(			\
			__DISPATCHER(ARGS, n, __dispatcher_fn, __VA_ARGS__)); \
	}

/* DEFINE_DISPATCHER(): a dispatch point with the library's names. */
#define __DEFINE_DISPATCHER_PLAIN(dp, flags, ret, n, ...)		\
	__DEFINE_DISPATCHER(dp, DISPATCHER_FUNC(dp), "dispatcher_" #dp,	\
			    false, flags, __dispatcher_plain, ret, n,	\
			    __VA_ARGS__)

/* No attributes: the dispatch functions of DEFINE_DISPATCHER(). */
#define __dispatcher_plain

/* DEFINE_DISPATCHER_ADAPTER(): the adapter names and declares @fname. */
#define __DEFINE_DISPATCHER_ADAPTER(dp, fname, ksym, flags, attrs, ret, n, ...) \
	__DEFINE_DISPATCHER(dp, fname, ksym, true, flags, attrs, ret, n, \
			    __VA_ARGS__)

/**
 * DECLARE_DISPATCHER - declare a dispatch point defined elsewhere
 * @name: name of the dispatch point
 * @ret: return type of the targets
 * @...: the targets' parameters as "type1, arg1, type2, arg2, ...", at most
 *	%DISPATCHER_MAX_ARGS pairs; each type must fit in a register
 *
 * Declares what dispatcher_call(), dispatcher_register() and friends need,
 * with the same arguments as the DEFINE_DISPATCHER() it refers to.
 */
#define DECLARE_DISPATCHER(name, ret, ...)				\
	__DECLARE_DISPATCHER(name, ret, COUNT_ARGS(__VA_ARGS__), __VA_ARGS__)

/**
 * DEFINE_DISPATCHER - define a dispatch point
 * @name: name of the dispatch point
 * @ret: return type of the targets
 * @...: the targets' parameters as "type1, arg1, type2, arg2, ...", at most
 *	%DISPATCHER_MAX_ARGS pairs; each type must fit in a register
 *
 * Defines the dispatch function DISPATCHER_FUNC(@name), which takes the
 * real arguments followed by the target and enters the current image
 * through a static_call, and the &struct dispatcher that tracks the
 * targets.  More than %DISPATCHER_MAX_ARGS arguments, an odd number of
 * macro arguments or an argument wider than a register is a build error:
 * the target must arrive in a register for the image to compare it.
 *
 * Example::
 *
 *	DEFINE_DISPATCHER(xdp, u32, const void *, ctx,
 *			  const struct bpf_insn *, insn);
 */
#define DEFINE_DISPATCHER(name, ret, ...)				\
	__DEFINE_DISPATCHER_PLAIN(name, 0, ret, COUNT_ARGS(__VA_ARGS__), \
				  __VA_ARGS__)

/**
 * DEFINE_DISPATCHER_RCU - define a dispatch point called under RCU only
 * @name: name of the dispatch point
 * @ret: return type of the targets
 * @...: the targets' parameters, as for DEFINE_DISPATCHER()
 *
 * As DEFINE_DISPATCHER(), for a dispatch point whose every call is made
 * inside an RCU read-side critical section: rcu_read_lock(), softirq or
 * BH-disabled code (the packet path), preemption or interrupts disabled.
 * Its retired images then wait for an RCU grace period only, not for an
 * RCU-tasks one, which a task that never sleeps can hold up for as long as
 * it runs.  With CONFIG_PROVE_RCU a call outside such a section is
 * reported.
 */
#define DEFINE_DISPATCHER_RCU(name, ret, ...)				\
	__DEFINE_DISPATCHER_PLAIN(name, DISPATCHER_F_RCU, ret,		\
				  COUNT_ARGS(__VA_ARGS__), __VA_ARGS__)

/**
 * DEFINE_DISPATCHER_FLAGS - define a dispatch point with flags
 * @name: name of the dispatch point
 * @flags: %DISPATCHER_F_RCU: every call is made under RCU, as for
 *	DEFINE_DISPATCHER_RCU(); %DISPATCHER_F_NO_LEARN: the image is always
 *	the balanced tree over the registered targets (up to the cap), never
 *	a layout learned from the calls made, for a dispatch point whose
 *	calls must not be observed or whose images must not change by
 *	themselves
 * @ret: return type of the targets
 * @...: the targets' parameters, as for DEFINE_DISPATCHER()
 *
 * As DEFINE_DISPATCHER(), with @flags.  Unknown flags are a build error.
 */
#define DEFINE_DISPATCHER_FLAGS(name, flags, ret, ...)			\
	__DEFINE_DISPATCHER_PLAIN(name, flags, ret,			\
				  COUNT_ARGS(__VA_ARGS__), __VA_ARGS__)

/**
 * EXPORT_DISPATCHER_GPL - let GPL modules use a dispatch point
 * @name: name of the dispatch point, defined in the same file
 *
 * Exports what dispatcher_call(), dispatcher_register() and friends use:
 * the static_call (key and trampoline: objtool records a module's call
 * sites by their key, which only lib/dispatcher updates), the dispatch
 * function and the &struct dispatcher.
 */
#define EXPORT_DISPATCHER_GPL(name)					\
	EXPORT_STATIC_CALL_GPL(DISPATCHER_SC(name));			\
	__EXPORT_DISPATCHER_FUNC_GPL(name);				\
	extern struct dispatcher DISPATCHER(name);			\
	EXPORT_SYMBOL_GPL(DISPATCHER(name))

/*
 * The dispatch function's export, on its own: checkpatch looks for the
 * declaration of an exported symbol on the line before the export.
 */
#define __EXPORT_DISPATCHER_FUNC_GPL(name)				\
	EXPORT_SYMBOL_GPL(DISPATCHER_FUNC(name))
#define __EXPORT_DISPATCHER_FUNC(name)					\
	EXPORT_SYMBOL(DISPATCHER_FUNC(name))

/**
 * EXPORT_DISPATCHER - let any module call through a dispatch point
 * @name: name of the dispatch point, defined in the same file
 *
 * As EXPORT_DISPATCHER_GPL(), for a dispatch point called from an inline
 * function of an interface exported to any module (as bpf_prog_run_xdp()
 * calls the XDP dispatcher).  Registering targets stays GPL-only: the
 * registration functions are exported with EXPORT_SYMBOL_GPL().
 */
#define EXPORT_DISPATCHER(name)						\
	EXPORT_STATIC_CALL(DISPATCHER_SC(name));			\
	__EXPORT_DISPATCHER_FUNC(name);					\
	extern struct dispatcher DISPATCHER(name);			\
	EXPORT_SYMBOL(DISPATCHER(name))

/**
 * DEFINE_DISPATCHER_ADAPTER - define a dispatch point behind an older API
 * @name: name of the dispatch point, for DISPATCHER(@name) and debugfs
 * @func: name of the dispatch function, instead of DISPATCHER_FUNC(@name)
 * @sym: name of the image in kallsyms and perf, a string
 * @flags: flags of the dispatch point, as for DEFINE_DISPATCHER_FLAGS()
 * @attrs: attributes of the functions that make the indirect call, such
 *	as the &__nocfi an adapter's targets may need
 * @ret: return type of the targets
 * @...: the targets' parameters, as for DEFINE_DISPATCHER()
 *
 * For an adapter that keeps an existing interface, names included, on top
 * of a dispatcher; BPF's DEFINE_BPF_DISPATCHER() is one.  The adapter
 * declares @func itself and calls it with the target after the real
 * arguments; dispatcher_call() does not apply.  It registers targets with
 * __dispatcher_register() and friends, which then refuse only NULL: an
 * adapter's targets may be JIT text that kernel_text_address() does not
 * know, such as a BPF program that is not in kallsyms.
 */
#define DEFINE_DISPATCHER_ADAPTER(name, func, sym, flags, attrs, ret, ...) \
	__DEFINE_DISPATCHER_ADAPTER(name, func, sym, flags, attrs, ret, \
				    COUNT_ARGS(__VA_ARGS__), __VA_ARGS__)

/*
 * Check at compile time that @fn is a target of dispatch point @name.
 * typeof(*fn) * is the same pointer type for a function and for a function
 * pointer; a void pointer or an integer does not pass.
 */
#define __dispatcher_typecheck(name, fn)				\
	BUILD_BUG_ON_MSG(!__builtin_types_compatible_p(			\
				typeof(*(fn)) *, DISPATCHER_FN_T(name)), \
			 "target type does not match dispatcher " #name)

/* @fn, type-checked, evaluated once. */
#define __dispatcher_target(name, fn)					\
	({ __dispatcher_typecheck(name, fn); (fn); })

/* @fn, type-checked, as an address. */
#define __dispatcher_checked(name, fn)					\
	({ __dispatcher_typecheck(name, fn); (void *)(fn); })

/*
 * The call site itself enters the image: a static_call with the target
 * after the real arguments, which x86-64 patches into a direct call of the
 * image.  Without images, the plain call.  The cast changes nothing for a
 * target of the right type; for any other, __dispatcher_target() reports
 * the mismatch (a call of a void pointer would fail first, less clearly).
 */
#define __dispatcher_call0(name, fn)					\
	(__dispatcher_check_context(name),				\
	 IS_ENABLED(CONFIG_DISPATCHER_IMAGES) ?				\
		static_call(DISPATCHER_SC(name))(fn) :			\
		((DISPATCHER_FN_T(name))(fn))())
#define __dispatcher_call1(name, fn, ...)				\
	(__dispatcher_check_context(name),				\
	 IS_ENABLED(CONFIG_DISPATCHER_IMAGES) ?				\
		static_call(DISPATCHER_SC(name))(__VA_ARGS__, fn) :	\
		((DISPATCHER_FN_T(name))(fn))(__VA_ARGS__))
#define __dispatcher_call2	__dispatcher_call1
#define __dispatcher_call3	__dispatcher_call1
#define __dispatcher_call4	__dispatcher_call1
#define __dispatcher_call5	__dispatcher_call1

/**
 * dispatcher_call - call a target through a dispatch point
 * @name: name of the dispatch point
 * @fn: the target, of type DISPATCHER_FN_T(@name)
 * @args: the arguments for @fn
 *
 * Equivalent to ``fn(args...)`` in every configuration; @fn and each of
 * @args are evaluated once.  A registered @fn is reached by a direct jump
 * when the architecture has a JIT; any other @fn by the plain call
 * ``fn(args...)``, compiled with the kernel's CFI and mitigations.  A
 * target whose type is not DISPATCHER_FN_T(@name) (a function of another
 * prototype, a void pointer, an integer) does not compile.
 *
 * With inline static calls (x86-64) the call site calls the image
 * directly and does not pass through DISPATCHER_FUNC(@name): trace the
 * targets, which the image jumps to at their first instruction, or the
 * dispatch point's default function, which makes every call the image
 * does not hold.
 *
 * Context: Any context in which calling @fn directly would be allowed and
 * RCU is watching; for a dispatch point defined with
 * DEFINE_DISPATCHER_RCU(), inside an RCU read-side critical section.
 * Return: What @fn returns.
 */
#define dispatcher_call(name, fn, args...)				\
	CONCATENATE(__dispatcher_call, COUNT_ARGS(args))(		\
		name, __dispatcher_target(name, fn), ##args)

int __dispatcher_register(struct dispatcher *d, void *fn);
int __dispatcher_unregister(struct dispatcher *d, void *fn);
int __dispatcher_replace(struct dispatcher *d, void *old, void *new);

/**
 * dispatcher_register - register a target with a dispatch point
 * @name: name of the dispatch point
 * @fn: the target, a function of type DISPATCHER_FN_T(@name)
 *
 * Takes a reference on @fn's slot, adding the slot and rebuilding the image
 * if @fn was not registered yet.  Registering a target twice keeps one slot
 * with two references.  On error nothing changes and calls stay correct.
 *
 * Context: Process context; sleeps.  Takes the dispatcher's mutex.
 * Return: 0 on success; -EINVAL if @fn is NULL or not kernel text (with a
 * WARN), -EOVERFLOW if @fn's reference count is saturated (with a WARN),
 * -ENOMEM or the JIT's error if the new image could not be built.  Each
 * failure is counted in debugfs and reported, ratelimited.
 */
#define dispatcher_register(name, fn)					\
	__dispatcher_register(&DISPATCHER(name), __dispatcher_checked(name, fn))

/**
 * dispatcher_unregister - drop a reference on a registered target
 * @name: name of the dispatch point
 * @fn: the target given to dispatcher_register()
 *
 * Drops one reference; the slot goes, and the image is rebuilt, with the
 * last one.  Never fails for lack of memory: if the smaller image cannot be
 * built, the dispatcher runs without an image until the next update.
 *
 * Context: Process context; sleeps.  Takes the dispatcher's mutex.
 * Return: 0 on success; -EINVAL if @fn is NULL, -ENOENT if @fn is not
 * registered (both caller bugs, with a WARN).
 */
#define dispatcher_unregister(name, fn)					\
	__dispatcher_unregister(&DISPATCHER(name), __dispatcher_checked(name, fn))

/**
 * dispatcher_replace - swap one registration for another in one update
 * @name: name of the dispatch point
 * @old: a registered target, of type DISPATCHER_FN_T(@name)
 * @new: the target that takes its place
 *
 * Drops one reference on @old and takes one on @new with at most one image
 * rebuild, so there is no moment at which neither is in the image.  On
 * error nothing changes.  Use dispatcher_register() or
 * dispatcher_unregister() for a change with only one side.
 *
 * Context: Process context; sleeps.  Takes the dispatcher's mutex.
 * Return: 0 on success, or the errors of dispatcher_register() for @new
 * and of dispatcher_unregister() for @old: -EINVAL (with a WARN) if
 * either is NULL.
 */
#define dispatcher_replace(name, old, new)				\
	__dispatcher_replace_both(&DISPATCHER(name),			\
				  __dispatcher_checked(name, old),	\
				  __dispatcher_checked(name, new))

int __dispatcher_replace_both(struct dispatcher *d, void *old, void *new);
void dispatcher_barrier(void);

/*
 * For kernel/kallsyms.c (images are named "dispatcher_<name>") and for
 * kernel_text_address() and the unwinders (images are kernel text).
 */
#ifdef CONFIG_DISPATCHER
bool is_dispatcher_text_address(unsigned long addr);
int dispatcher_address_lookup(unsigned long addr, unsigned long *size,
			      unsigned long *off, char *sym);
int dispatcher_get_kallsym(unsigned int symnum, unsigned long *value,
			   char *type, char *sym);
#else
static inline bool is_dispatcher_text_address(unsigned long addr)
{
	return false;
}

static inline int dispatcher_address_lookup(unsigned long addr,
					    unsigned long *size,
					    unsigned long *off, char *sym)
{
	return 0;
}

static inline int dispatcher_get_kallsym(unsigned int symnum,
					 unsigned long *value,
					 char *type, char *sym)
{
	return -ERANGE;
}
#endif

/*
 * The architecture's image back end.  The __weak defaults in
 * lib/dispatcher/core.c say "no JIT": arch_dispatcher_image_size() returns
 * 0 and every dispatch point makes plain indirect calls.  An architecture
 * with a JIT selects HAVE_DISPATCHER_JIT and overrides all of them; see
 * &struct dispatcher_ops for what each one does; arch_dispatcher_alloc()
 * and arch_dispatcher_free() give lib/dispatcher packs of executable
 * memory to carve images from, and arch_dispatcher_invalidate() fills a
 * freed part of one with traps.  arch_dispatcher_wanted() tells whether
 * images pay off on this CPU, for dispatcher=auto.
 */
unsigned int arch_dispatcher_image_size(unsigned int nr_targets);
unsigned int arch_dispatcher_image_depth(unsigned int nr_targets);
int arch_dispatcher_generate(void *buf, void *image, unsigned int size,
			     const struct dispatcher_layout *layout,
			     unsigned int *entry);
bool arch_dispatcher_wanted(void);
void *arch_dispatcher_alloc(unsigned int size);
void arch_dispatcher_free(void *image, unsigned int size);
void arch_dispatcher_invalidate(void *image, unsigned int len);
int arch_dispatcher_copy(void *dst, const void *src, unsigned int len);

#endif /* _LINUX_DISPATCHER_H */
