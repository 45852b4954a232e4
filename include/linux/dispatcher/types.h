/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_DISPATCHER_TYPES_H
#define _LINUX_DISPATCHER_TYPES_H

#include <linux/compiler_types.h>
#include <linux/list.h>
#include <linux/mutex_types.h>
#include <linux/types.h>

/*
 * Name mangling.  A dispatch point "foo" defined with DEFINE_DISPATCHER()
 * consists of:
 *
 *   DISPATCHER(foo)          struct dispatcher __dispatcher_foo
 *   DISPATCHER_FUNC(foo)     the dispatch function dispatcher_foo_func()
 *   DISPATCHER_FN_T(foo)     the target type dispatcher_foo_fn_t
 *   DISPATCHER_SC(foo)       the static_call that enters the image
 *   DISPATCHER_DEFAULT(foo)  the plain indirect call used without an image
 *   DISPATCHER_LEARN(foo)    the plain call that records its target first
 */
#define DISPATCHER(name)		__dispatcher_##name
#define DISPATCHER_FUNC(name)		dispatcher_##name##_func
#define DISPATCHER_FN_T(name)		dispatcher_##name##_fn_t
#define DISPATCHER_SC(name)		dispatcher_sc_##name
#define DISPATCHER_DEFAULT(name)	__dispatcher_##name##_default
#define DISPATCHER_LEARN(name)		__dispatcher_##name##_learn

/* Real arguments a dispatch point may take; the target is passed after them. */
#define DISPATCHER_MAX_ARGS		5

/* Largest reference count of one target. */
#define DISPATCHER_MAX_USERS		UINT_MAX

struct dentry;
struct static_call_key;
struct dispatcher_image;
struct dispatcher_learn;

/* Flags of a dispatch point, see DEFINE_DISPATCHER_FLAGS(). */
#define DISPATCHER_F_RCU		0x1
#define DISPATCHER_F_NO_LEARN		0x2

/**
 * struct dispatcher_target - one registered target of a dispatcher
 * @addr: entry address of the target function
 * @users: number of registrations not yet matched by an unregistration
 */
struct dispatcher_target {
	unsigned long addr;
	unsigned int users;
};

/**
 * struct dispatcher_layout - what an image is generated from
 * @hot: targets compared first, one after the other, in this order: the
 *	hot chain
 * @nr_hot: number of entries in @hot
 * @targets: the targets of the balanced tree that follows the hot chain,
 *	sorted by address
 * @nr_targets: number of entries in @targets
 * @target_arg: index of the argument that carries the target
 * @fallback: where every other target goes, by a direct jump: the
 *	dispatch point's default function, which makes the plain call with
 *	the arguments and the target it finds in their registers
 */
struct dispatcher_layout {
	const unsigned long *hot;
	unsigned int nr_hot;
	const struct dispatcher_target *targets;
	unsigned int nr_targets;
	unsigned int target_arg;
	void *fallback;
};

/**
 * struct dispatcher_ops - image back end of a dispatcher
 * @image_size: bytes an image for @nr_targets targets, hot chain and tree
 *	together, may need; 0 if the back end cannot build one (no JIT).
 * @depth: compares on the longest path through a balanced tree of
 *	@nr_targets targets, for debugfs; NULL if the back end does not say.
 * @generate: write the image for @layout into @buf, which will be copied
 *	to @image and executed there, entered at @image + *@entry.  Returns
 *	the number of bytes used or a negative errno.
 * @alloc: allocate @size bytes of executable, read-only memory.
 * @free: free memory returned by @alloc, which no CPU is executing.
 * @copy: copy @len bytes of code from @src into the image at @dst.
 *	Returns 0 or a negative errno.
 *
 * Every dispatcher uses the architecture's back end (the arch_dispatcher_*()
 * functions) unless a test installs its own in &dispatcher.ops.  All
 * callbacks are called from process context with the dispatcher's mutex held.
 */
struct dispatcher_ops {
	unsigned int (*image_size)(unsigned int nr_targets);
	unsigned int (*depth)(unsigned int nr_targets);
	int (*generate)(void *buf, void *image, unsigned int size,
			const struct dispatcher_layout *layout,
			unsigned int *entry);
	void *(*alloc)(unsigned int size);
	void (*free)(void *image, unsigned int size);
	int (*copy)(void *dst, const void *src, unsigned int len);
};

/**
 * struct dispatcher - a dispatch point
 * @name: name of the dispatch point, used in debugfs
 * @sym: name of its image in kallsyms and perf, "dispatcher_<name>" unless
 *	an adapter keeps an older name
 * @jit_targets: targets may lie in JIT text that kernel_text_address() does
 *	not know (a BPF program that is not in kallsyms), so only NULL targets
 *	are refused
 * @rcu: every call is made inside an RCU read-side critical section, so a
 *	retired image waits for an RCU grace period only
 * @no_learn: the layout never follows a profile: the image is the balanced
 *	tree over the registered targets, up to the cap
 * @mutex: serialises updates and protects every field below it
 * @targets: registered targets, sorted by address
 * @nr_targets: number of entries in @targets
 * @nr_args: number of real arguments; the target is argument @nr_args
 * @image: the image the static_call points at, or NULL
 * @ops: image back end, NULL for the architecture's
 * @nr_updates: number of times the set of targets changed
 * @nr_deferred: number of updates that built no image because too many
 *	were retiring
 * @nr_failed: number of registrations that failed
 * @nr_bad_context: number of calls seen from a context the dispatch point
 *	does not allow (with CONFIG_PROVE_RCU)
 * @jit_err: error of the last failed image build, 0 after a success
 * @sc_key: the static_call key entering the image
 * @sc_tramp: the static_call trampoline, NULL without HAVE_STATIC_CALL
 * @default_func: the plain indirect call, entered when there is no image
 * @learn_func: the plain indirect call after recording the target, entered
 *	while the dispatch point learns its layout
 * @learn: the learning state, allocated with the first target
 * @list: entry in the list of dispatchers with targets
 * @deferred: entry in the list of dispatchers waiting for an image
 * @dentry: the debugfs file of this dispatcher
 *
 * Defined by DEFINE_DISPATCHER(); the fields are private to lib/dispatcher.
 */
struct dispatcher {
	const char *name;
	const char *sym;
	bool jit_targets;
	bool rcu;
	bool no_learn;
	struct mutex mutex;		/* serialises updates, protects below */
	struct dispatcher_target *targets;
	unsigned int nr_targets;
	unsigned int nr_args;
	struct dispatcher_image *image;
	const struct dispatcher_ops *ops;
	unsigned long nr_updates;
	unsigned long nr_deferred;
	atomic_t nr_failed;
	atomic_t nr_bad_context;
	int jit_err;
	struct static_call_key *sc_key;
	void *sc_tramp;
	void *default_func;
	void *learn_func;
	struct dispatcher_learn *learn;
	struct list_head list;
	struct list_head deferred;
	struct dentry *dentry;
};

#endif /* _LINUX_DISPATCHER_TYPES_H */
