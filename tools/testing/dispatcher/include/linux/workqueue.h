/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One worker thread per workqueue, running its work items in order; the
 * system workqueues are one.  queue_rcu_work() waits for an RCU grace
 * period (call_rcu()), not an RCU-tasks one, as the kernel's.  Delayed
 * work waits on a timer (<linux/timer.h>, shim/timer.c), then is queued.
 * cancel_work() takes an item off its queue.
 */
#ifndef _DT_SHIM_LINUX_WORKQUEUE_H
#define _DT_SHIM_LINUX_WORKQUEUE_H

#include <linux/container_of.h>
#include <linux/rcupdate.h>
#include <linux/timer.h>
#include <linux/types.h>

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	struct work_struct *next;
	work_func_t func;
	unsigned long pending;		/* queued, or waiting to be (rcu_work) */
	/* The workqueue's, under its lock: */
	struct workqueue_struct *wq;	/* last queued on */
	unsigned long seq;		/* its place in that queue */
	bool queued;			/* on the queue, not started */
};

struct rcu_work {
	struct work_struct work;
	struct rcu_head rcu;
	struct workqueue_struct *wq;
};

/* As the kernel's: the timer queues @work on @wq when it expires. */
struct delayed_work {
	struct work_struct work;
	struct timer_list timer;
	struct workqueue_struct *wq;
};

struct workqueue_struct;
extern struct workqueue_struct *system_wq;
extern struct workqueue_struct *system_unbound_wq;
extern struct workqueue_struct *system_long_wq;

#define INIT_WORK(w, f)	(*(w) = (struct work_struct){ .func = (f) })
#define INIT_RCU_WORK(rw, f)	INIT_WORK(&(rw)->work, f)
#define DECLARE_WORK(n, f)	struct work_struct n = { .func = (f) }

void delayed_work_timer_fn(struct timer_list *t);

#define INIT_DELAYED_WORK(dw, f)					\
	do {								\
		INIT_WORK(&(dw)->work, f);				\
		timer_setup(&(dw)->timer, delayed_work_timer_fn, 0);	\
		(dw)->wq = NULL;					\
	} while (0)

static inline struct delayed_work *to_delayed_work(struct work_struct *work)
{
	return container_of(work, struct delayed_work, work);
}

/* Queued, waiting for its timer or grace period, and not started. */
#define work_pending(w)		(__atomic_load_n(&(w)->pending, __ATOMIC_SEQ_CST) != 0)
#define delayed_work_pending(dw)	work_pending(&(dw)->work)

static inline struct rcu_work *to_rcu_work(struct work_struct *work)
{
	return container_of(work, struct rcu_work, work);
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
bool queue_rcu_work(struct workqueue_struct *wq, struct rcu_work *rwork);
void flush_workqueue(struct workqueue_struct *wq);
bool flush_work(struct work_struct *work);
bool flush_rcu_work(struct rcu_work *rwork);
bool cancel_work(struct work_struct *work);
bool cancel_work_sync(struct work_struct *work);
bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
			unsigned long delay);
bool cancel_delayed_work(struct delayed_work *dwork);
bool cancel_delayed_work_sync(struct delayed_work *dwork);

static inline bool schedule_work(struct work_struct *work)
{
	return queue_work(system_wq, work);
}

#endif /* _DT_SHIM_LINUX_WORKQUEUE_H */
