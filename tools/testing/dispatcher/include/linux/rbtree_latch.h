/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Latched trees, with the kernel's API and guarantee: lookups run
 * concurrently with one writer (the caller serialises writers), never wait
 * and never see a half-made change, because there are two copies and a
 * sequence count that says which one is stable.  Each copy here is a list
 * sorted by ops->less instead of an rbtree: the harness has a handful of
 * nodes, and what is tested is the protocol, not the balancing.  As in
 * the kernel, a node is freed no earlier than an RCU grace period after
 * latch_tree_erase(), and lookups run under rcu_read_lock(), so a lookup
 * that meets the copy being changed follows valid pointers, and retries.
 */
#ifndef _DT_SHIM_LINUX_RBTREE_LATCH_H
#define _DT_SHIM_LINUX_RBTREE_LATCH_H

#include <linux/cache.h>
#include <linux/compiler.h>
#include <linux/types.h>

struct latch_tree_node {
	struct latch_tree_node *next[2];
};

struct latch_tree_root {
	unsigned int seq;
	struct latch_tree_node *head[2];
};

/**
 * struct latch_tree_ops - operators that define the tree order
 * @less: used for insertion; provides the (partial) order between two
 *	elements.
 * @comp: used for lookups; provides the order between the search key and
 *	an element: negative if the key comes before it, 0 if it matches.
 */
struct latch_tree_ops {
	bool (*less)(struct latch_tree_node *a, struct latch_tree_node *b);
	int  (*comp)(void *key, struct latch_tree_node *b);
};

static __always_inline void
__lt_insert(struct latch_tree_node *ltn, struct latch_tree_root *ltr, int idx,
	    bool (*less)(struct latch_tree_node *a, struct latch_tree_node *b))
{
	struct latch_tree_node **link = &ltr->head[idx], *n;

	while ((n = *link) && !less(ltn, n))
		link = &n->next[idx];
	ltn->next[idx] = n;
	__atomic_store_n(link, ltn, __ATOMIC_RELEASE);
}

static __always_inline void
__lt_erase(struct latch_tree_node *ltn, struct latch_tree_root *ltr, int idx)
{
	struct latch_tree_node **link = &ltr->head[idx];

	while (*link && *link != ltn)
		link = &(*link)->next[idx];
	if (*link)
		__atomic_store_n(link, ltn->next[idx], __ATOMIC_RELEASE);
}

static __always_inline struct latch_tree_node *
__lt_find(void *key, struct latch_tree_root *ltr, int idx,
	  int (*comp)(void *key, struct latch_tree_node *node))
{
	struct latch_tree_node *n;
	int c;

	n = __atomic_load_n(&ltr->head[idx], __ATOMIC_ACQUIRE);
	while (n) {
		c = comp(key, n);
		if (!c)
			return n;
		if (c < 0)
			return NULL;	/* sorted: no later node matches */
		n = __atomic_load_n(&n->next[idx], __ATOMIC_ACQUIRE);
	}
	return NULL;
}

/* raw_write_seqcount_latch(): readers move to the other copy. */
static __always_inline void __lt_latch(struct latch_tree_root *root)
{
	__atomic_add_fetch(&root->seq, 1, __ATOMIC_SEQ_CST);
}

static __always_inline void
latch_tree_insert(struct latch_tree_node *node, struct latch_tree_root *root,
		  const struct latch_tree_ops *ops)
{
	__lt_latch(root);
	__lt_insert(node, root, 0, ops->less);
	__lt_latch(root);
	__lt_insert(node, root, 1, ops->less);
}

static __always_inline void
latch_tree_erase(struct latch_tree_node *node, struct latch_tree_root *root,
		 const struct latch_tree_ops *ops)
{
	__lt_latch(root);
	__lt_erase(node, root, 0);
	__lt_latch(root);
	__lt_erase(node, root, 1);
}

static __always_inline struct latch_tree_node *
latch_tree_find(void *key, struct latch_tree_root *root,
		const struct latch_tree_ops *ops)
{
	struct latch_tree_node *node;
	unsigned int seq;

	do {
		seq = __atomic_load_n(&root->seq, __ATOMIC_SEQ_CST);
		node = __lt_find(key, root, seq & 1, ops->comp);
	} while (__atomic_load_n(&root->seq, __ATOMIC_SEQ_CST) != seq);
	return node;
}

#endif /* _DT_SHIM_LINUX_RBTREE_LATCH_H */
