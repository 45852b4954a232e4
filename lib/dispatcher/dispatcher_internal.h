/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything lib/dispatcher/ takes from the rest of the kernel comes through
 * this header, so that a userspace harness can supply its own.
 */
#ifndef _LIB_DISPATCHER_INTERNAL_H
#define _LIB_DISPATCHER_INTERNAL_H

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/bug.h>
#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/dispatcher.h>
#include <linux/err.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/rbtree_latch.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/perf_event.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/static_call.h>
#include <linux/string.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

/**
 * struct dispatcher_image - executable image of a dispatcher
 * @text: the image, read-only and executable
 * @entry: where the static_call enters it, in @text; what comes before is
 *	the architecture's preamble (a CFI type hash, a call thunk)
 * @size: bytes asked of the back end for @text
 * @held: bytes the back end holds for @text
 * @len: bytes of code at @text
 * @depth: compares on the longest path through the image, 0 if unknown
 * @rcu_only: callers are in RCU read-side critical sections, so an RCU
 *	grace period is enough before @text is freed
 * @ops: the back end that allocated @text
 * @name: the image's symbol, a copy of &dispatcher.sym
 * @ksym: entry in the list of named images
 * @tnode: node in the tree of images that are kernel text, keyed by
 *	[@text, @text + @len)
 * @rcu: RCU-tasks callback head while the image is retired, then the RCU
 *	callback head that frees this structure and @name
 * @rwork: frees the image after the RCU grace period that follows
 *
 * From just before the static_call first points at it until it is freed,
 * an image is kernel text: it is named in kallsyms and perf, and
 * kernel_text_address() and the unwinders know it.
 */
struct dispatcher_image {
	void *text;
	void *entry;
	unsigned int size;
	unsigned int held;
	unsigned int len;
	unsigned int depth;
	bool rcu_only;
	const struct dispatcher_ops *ops;
	const char *name;
	struct list_head ksym;
	struct latch_tree_node tnode;
	struct rcu_head rcu;
	struct rcu_work rwork;
};

/**
 * enum dispatcher_mode - whether dispatchers build images
 * @DISPATCHER_MODE_AUTO: if arch_dispatcher_wanted() says the CPU gains
 * @DISPATCHER_MODE_ON: always, where there is a JIT
 * @DISPATCHER_MODE_OFF: never; every call is a plain indirect call
 *
 * Set with dispatcher= on the kernel command line.  A change takes effect
 * for each dispatcher at its next update.
 */
enum dispatcher_mode {
	DISPATCHER_MODE_AUTO,
	DISPATCHER_MODE_ON,
	DISPATCHER_MODE_OFF,
};

#if IS_ENABLED(CONFIG_KUNIT)
extern enum dispatcher_mode dispatcher_mode;
#endif
const char *dispatcher_mode_name(void);

void dispatcher_ksym_add(struct dispatcher_image *img);
void dispatcher_ksym_del(struct dispatcher_image *img);

/*
 * The architecture's images are carved out of packs of executable memory
 * (pack.c), in units of a cache line.
 */
#define DISPATCHER_PACK_SIZE	(16 * PAGE_SIZE)
#define DISPATCHER_PACK_UNIT	64

void *dispatcher_pack_alloc(unsigned int size);
void dispatcher_pack_free(void *text, unsigned int size);
unsigned int dispatcher_pack_size(unsigned int size);

#if IS_ENABLED(CONFIG_KUNIT)
extern atomic_long_t dispatcher_pack_allocs;
extern atomic_long_t dispatcher_pack_frees;
#endif

#ifdef CONFIG_DEBUG_FS
void dispatcher_debugfs_create_root(void);
void dispatcher_debugfs_add(struct dispatcher *d);
void dispatcher_debugfs_remove(struct dispatcher *d);
#else
static inline void dispatcher_debugfs_create_root(void) { }
static inline void dispatcher_debugfs_add(struct dispatcher *d) { }
static inline void dispatcher_debugfs_remove(struct dispatcher *d) { }
#endif

#if IS_ENABLED(CONFIG_KUNIT)
int dispatcher_debugfs_show(struct seq_file *m, void *v);
int dispatcher_module_notify(struct notifier_block *nb, unsigned long action,
			     void *data);
#endif

#endif /* _LIB_DISPATCHER_INTERNAL_H */
