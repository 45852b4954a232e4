/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Timers, on one timer thread (shim/timer.c): a timer's function runs on
 * it once jiffies reach its expiry, with the timer lock held, so that
 * cancelling and firing exclude each other.  Only delayed work uses them,
 * through the workqueue interface: no mod_timer() and friends here.
 */
#ifndef _DT_SHIM_LINUX_TIMER_H
#define _DT_SHIM_LINUX_TIMER_H

#include <linux/container_of.h>
#include <linux/jiffies.h>
#include <linux/types.h>

struct timer_list {
	struct timer_list *next;	/* the timer thread's, while armed */
	unsigned long expires;
	void (*function)(struct timer_list *t);
	bool armed;
};

/* No timer flags here: every timer is an ordinary one. */
#define timer_setup(t, fn, flags)					\
	((void)(flags), *(t) = (struct timer_list){ .function = (fn) })
#define from_timer(var, t, field)	container_of(t, typeof(*var), field)

static inline bool timer_pending(const struct timer_list *t)
{
	return __atomic_load_n(&t->armed, __ATOMIC_SEQ_CST);
}

#endif /* _DT_SHIM_LINUX_TIMER_H */
