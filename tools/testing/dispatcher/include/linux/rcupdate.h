/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Grace periods in userspace, two flavours as in the kernel:
 *
 * - RCU (call_rcu(), synchronize_rcu(), queue_rcu_work()): ends once every
 *   thread that was inside rcu_read_lock() when it began has left that
 *   read-side critical section.  A thread outside one does not hold it
 *   up, as a preempted task outside one does not hold up (preemptible) RCU.
 *
 * - RCU tasks (call_rcu_tasks(), synchronize_rcu_tasks()): quiescent-state
 *   based (as liburcu's QSBR flavour).  A thread that calls through
 *   dispatchers registers with dt_rcu_register_thread() and reports a
 *   quiescent state between calls with dt_rcu_quiescent_state()
 *   (cond_resched_tasks_rcu_qs() maps to it), which is exactly what a
 *   kernel loop must do for RCU tasks: a registered thread that has not
 *   reported one is a task that may be preempted inside an image.  A
 *   tasks grace period ends once every registered thread has reported a
 *   quiescent state after it began and no thread is inside
 *   rcu_read_lock().
 *
 * So a registered thread between two quiescent states holds up RCU tasks
 * only; one inside rcu_read_lock() holds up both.  Each flavour's
 * callbacks run on a grace-period thread of its own, in the order they
 * were queued.
 */
#ifndef _DT_SHIM_LINUX_RCUPDATE_H
#define _DT_SHIM_LINUX_RCUPDATE_H

#include <linux/compiler.h>
#include <linux/types.h>

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

typedef void (*rcu_callback_t)(struct rcu_head *head);

void call_rcu(struct rcu_head *head, rcu_callback_t func);
void call_rcu_tasks(struct rcu_head *head, rcu_callback_t func);
void synchronize_rcu(void);
void synchronize_rcu_tasks(void);
void rcu_barrier(void);
void rcu_barrier_tasks(void);
void rcu_read_lock(void);
void rcu_read_unlock(void);
bool rcu_read_lock_held(void);
bool rcu_read_lock_any_held(void);
bool rcu_is_watching(void);

void dt_rcu_register_thread(void);
void dt_rcu_unregister_thread(void);
void dt_rcu_quiescent_state(void);

#define rcu_read_lock_sched()		rcu_read_lock()
#define rcu_read_unlock_sched()		rcu_read_unlock()
#define synchronize_rcu_expedited()	synchronize_rcu()
#define rcu_dereference(p)		__atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define rcu_dereference_protected(p, c)	(p)
#define rcu_dereference_raw(p)		rcu_dereference(p)
#define rcu_access_pointer(p)		READ_ONCE(p)
#define rcu_assign_pointer(p, v)	__atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define RCU_INIT_POINTER(p, v)		WRITE_ONCE(p, v)

#endif /* _DT_SHIM_LINUX_RCUPDATE_H */
