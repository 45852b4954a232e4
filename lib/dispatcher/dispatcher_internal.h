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
#include <linux/irq_work.h>
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
 * struct dispatcher_plan - the layout of an image
 * @hot: the hot chain, compared first, in this order
 * @nr_hot: number of entries in @hot
 * @tree: the targets of the balanced tree after the chain, by address
 * @nr_tree: number of entries in @tree
 *
 * Registered targets in neither reach the default function.
 */
struct dispatcher_plan {
	unsigned long *hot;
	unsigned int nr_hot;
	struct dispatcher_target *tree;
	unsigned int nr_tree;
};

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
 * @plan: the layout @text implements
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
	struct dispatcher_plan plan;
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

/**
 * struct dispatcher_prof_entry - one target of a profile
 * @addr: the target
 * @calls: calls to it in the window
 */
struct dispatcher_prof_entry {
	unsigned long addr;
	unsigned long calls;
};

enum dispatcher_learn_state {
	DISPATCHER_LEARN_STEADY,	/* the static_call enters the image */
	DISPATCHER_LEARN_WINDOW,	/* it enters the learning function */
	DISPATCHER_LEARN_DEAD,		/* the dispatcher is being released */
};

/**
 * struct dispatcher_learn - what a dispatch point learns (learn.c)
 * @d: the dispatch point
 * @pcpu: the profiles of the open window
 * @irq_work: queued by a call that fills a CPU's profile: closes the window
 * @work: closes the window and lays the image out
 * @period: opens the next window
 * @state: an &enum dispatcher_learn_state, under the dispatcher's mutex
 * @closing: a call has queued @irq_work to close the open window
 * @shift: the next window opens the period shifted left by this much later
 * @nr_windows: windows closed
 * @nr_relayouts: windows after which the layout changed
 * @learned_at: jiffies when the last window closed
 * @prof: the last profile, the hottest target first
 * @nr_prof: number of entries in @prof
 * @calls: calls in the last window
 * @predicted: how many of them went to the target that followed the
 *	previous target last time
 * @other: calls to targets the profile had no room for
 * @unpredictable: how unpredictable the calls were, permille: 0 for a
 *	sequence that repeats, 1000 for independent random calls
 */
struct dispatcher_learn {
	struct dispatcher *d;
	struct dispatcher_pcpu __percpu *pcpu;
	struct irq_work irq_work;
	struct work_struct work;
	struct delayed_work period;
	int state;
	atomic_t closing;
	unsigned int shift;
	unsigned int nr_windows;
	unsigned int nr_relayouts;
	unsigned long learned_at;
	struct dispatcher_prof_entry *prof;
	unsigned int nr_prof;
	unsigned long calls;
	unsigned long predicted;
	unsigned long other;
	unsigned int unpredictable;
};

bool dispatcher_learning(struct dispatcher *d);
unsigned int dispatcher_cap(void);
void dispatcher_learn_alloc(struct dispatcher *d);
void dispatcher_learn_free(struct dispatcher *d);
void dispatcher_learn_open(struct dispatcher *d);
bool dispatcher_learn_window(struct dispatcher *d);
bool dispatcher_learn_close(struct dispatcher *d);
bool dispatcher_learn_full(struct dispatcher *d);
void dispatcher_learn_arm(struct dispatcher *d, bool changed);
int dispatcher_plan_choose(struct dispatcher *d,
			   const struct dispatcher_target *targets,
			   unsigned int nr, struct dispatcher_plan *plan);
void dispatcher_plan_free(struct dispatcher_plan *plan);
bool dispatcher_plan_equal(const struct dispatcher_plan *a,
			   const struct dispatcher_plan *b);

/* core.c, for learn.c */
void dispatcher_relayout(struct dispatcher *d);
void dispatcher_relayout_full(struct dispatcher *d);
void dispatcher_learn_reopen(struct dispatcher *d);
void dispatcher_relayout_all(void);

#if IS_ENABLED(CONFIG_KUNIT)
int dispatcher_tunable(const char *name, const char *val, unsigned int *old);
#endif

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
