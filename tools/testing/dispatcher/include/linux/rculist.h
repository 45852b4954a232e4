/* SPDX-License-Identifier: GPL-2.0 */
/* RCU-protected lists: publication with release, traversal with acquire. */
#ifndef _DT_SHIM_LINUX_RCULIST_H
#define _DT_SHIM_LINUX_RCULIST_H

#include <linux/list.h>
#include <linux/rcupdate.h>

static inline void __list_add_rcu(struct list_head *new,
				  struct list_head *prev,
				  struct list_head *next)
{
	new->next = next;
	new->prev = prev;
	__atomic_store_n(&prev->next, new, __ATOMIC_RELEASE);
	next->prev = new;
}

static inline void list_add_rcu(struct list_head *new, struct list_head *head)
{
	__list_add_rcu(new, head, head->next);
}

static inline void list_add_tail_rcu(struct list_head *new,
				     struct list_head *head)
{
	__list_add_rcu(new, head->prev, head);
}

/* The entry's ->next stays valid for readers that still see it. */
static inline void list_del_rcu(struct list_head *entry)
{
	__list_del_entry(entry);
	entry->prev = NULL;
}

#define __dt_list_next_rcu(pos, member)					\
	list_entry(__atomic_load_n(&(pos)->member.next, __ATOMIC_ACQUIRE), \
		   typeof(*(pos)), member)

#define list_for_each_entry_rcu(pos, head, member, cond...)		\
	for (pos = list_entry(__atomic_load_n(&(head)->next,		\
					      __ATOMIC_ACQUIRE),	\
			      typeof(*pos), member);			\
	     &pos->member != (head);					\
	     pos = __dt_list_next_rcu(pos, member))

#endif /* _DT_SHIM_LINUX_RCULIST_H */
