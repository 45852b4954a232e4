/* SPDX-License-Identifier: GPL-2.0 */
/* One worker thread per workqueue, running its work items in order. */
#ifndef _DT_SHIM_LINUX_WORKQUEUE_H
#define _DT_SHIM_LINUX_WORKQUEUE_H

#include <linux/container_of.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	struct work_struct *next;
	work_func_t func;
	unsigned long pending;
};

struct rcu_work {
	struct work_struct work;
	struct rcu_head rcu;
	struct workqueue_struct *wq;
};

struct workqueue_struct;
extern struct workqueue_struct *system_wq;
extern struct workqueue_struct *system_unbound_wq;
extern struct workqueue_struct *system_long_wq;

#define INIT_WORK(w, f)							\
	do {								\
		(w)->next = NULL;					\
		(w)->func = (f);					\
		(w)->pending = 0;					\
	} while (0)
#define INIT_RCU_WORK(rw, f)	INIT_WORK(&(rw)->work, f)
#define DECLARE_WORK(n, f)	struct work_struct n = { .func = (f) }

static inline struct rcu_work *to_rcu_work(struct work_struct *work)
{
	return container_of(work, struct rcu_work, work);
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
bool queue_rcu_work(struct workqueue_struct *wq, struct rcu_work *rwork);
void flush_workqueue(struct workqueue_struct *wq);
bool flush_rcu_work(struct rcu_work *rwork);

static inline bool schedule_work(struct work_struct *work)
{
	return queue_work(system_wq, work);
}

#endif /* _DT_SHIM_LINUX_WORKQUEUE_H */
