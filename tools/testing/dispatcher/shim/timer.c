// SPDX-License-Identifier: GPL-2.0
/*
 * Time for the harness: jiffies, timers and delayed work on one timer
 * thread, and irq_work on an "interrupt" thread.
 *
 * The timer thread sleeps until the earliest armed timer expires and runs
 * its function with the timer lock held, so that cancel_delayed_work(),
 * which takes it, sees a delayed work item either armed or fired with its
 * work queued, never in between (the kernel's try_to_grab_pending() waits
 * that moment out instead).  The lock nests outside a workqueue's.
 */
#include <pthread.h>
#include <time.h>

#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#include "shim.h"

/* ---- jiffies ---- */

#define DT_NSEC_PER_JIFFY	(NSEC_PER_SEC / HZ)

static u64 dt_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static u64 dt_boot_ns;

static void __attribute__((__constructor__)) dt_jiffies_init(void)
{
	dt_boot_ns = dt_mono_ns();
}

unsigned long dt_jiffies(void)
{
	return INITIAL_JIFFIES + (dt_mono_ns() - dt_boot_ns) / DT_NSEC_PER_JIFFY;
}

/* ---- timers ---- */

static pthread_mutex_t dt_timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dt_timer_cond;
static struct timer_list *dt_timers;	/* armed, in no order */
static pthread_t dt_timer_thread;
static bool dt_timer_started;

static void *dt_timer_main(void *arg)
{
	struct timer_list **p, **first;
	struct timespec ts;
	unsigned long now;
	u64 at;

	pthread_mutex_lock(&dt_timer_lock);
	for (;;) {
		first = NULL;
		for (p = &dt_timers; *p; p = &(*p)->next)
			if (!first || time_before((*p)->expires, (*first)->expires))
				first = p;
		if (!first) {
			pthread_cond_wait(&dt_timer_cond, &dt_timer_lock);
			continue;
		}
		now = jiffies;
		if (time_before(now, (*first)->expires)) {
			/* Until the jiffy it expires at begins. */
			at = dt_boot_ns + ((*first)->expires - INITIAL_JIFFIES) *
					  DT_NSEC_PER_JIFFY;
			ts.tv_sec = at / NSEC_PER_SEC;
			ts.tv_nsec = at % NSEC_PER_SEC;
			pthread_cond_timedwait(&dt_timer_cond, &dt_timer_lock, &ts);
			continue;
		}
		{
			struct timer_list *t = *first;

			*first = t->next;
			t->next = NULL;
			__atomic_store_n(&t->armed, false, __ATOMIC_SEQ_CST);
			t->function(t);
		}
	}
	return NULL;
}

/* Arm @t for @expires, or move it there (the timer lock held). */
static void dt_timer_arm(struct timer_list *t, unsigned long expires)
{
	pthread_condattr_t attr;

	if (!dt_timer_started) {
		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&dt_timer_cond, &attr);
		pthread_condattr_destroy(&attr);
		if (pthread_create(&dt_timer_thread, NULL, dt_timer_main, NULL))
			dt_bug(__FILE__, __LINE__, "no timer thread");
		dt_timer_started = true;
	}
	if (!t->armed) {
		t->next = dt_timers;
		dt_timers = t;
		__atomic_store_n(&t->armed, true, __ATOMIC_SEQ_CST);
	}
	t->expires = expires;
	pthread_cond_signal(&dt_timer_cond);
}

/* Disarm @t (the timer lock held); true if it was armed. */
static bool dt_timer_disarm(struct timer_list *t)
{
	struct timer_list **p;

	if (!t->armed)
		return false;
	for (p = &dt_timers; *p != t; p = &(*p)->next)
		;
	*p = t->next;
	t->next = NULL;
	__atomic_store_n(&t->armed, false, __ATOMIC_SEQ_CST);
	return true;
}

/* ---- delayed work ---- */

/* The timer thread, the timer lock held. */
void delayed_work_timer_fn(struct timer_list *t)
{
	struct delayed_work *dwork = from_timer(dwork, t, timer);

	dt_queue_work_claimed(dwork->wq, &dwork->work);
}

/*
 * As the kernel's: nothing if @dwork is pending already; queued at once
 * for a @delay of 0, else when @delay jiffies have passed.
 */
bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dwork,
			unsigned long delay)
{
	bool ret = false;

	pthread_mutex_lock(&dt_timer_lock);
	if (!__atomic_exchange_n(&dwork->work.pending, 1, __ATOMIC_SEQ_CST)) {
		dwork->wq = wq;
		if (!delay)
			dt_queue_work_claimed(wq, &dwork->work);
		else
			dt_timer_arm(&dwork->timer, jiffies + delay);
		ret = true;
	}
	pthread_mutex_unlock(&dt_timer_lock);
	return ret;
}

/* Disarm its timer or take it off its queue; a run in progress goes on. */
bool cancel_delayed_work(struct delayed_work *dwork)
{
	bool ret;

	pthread_mutex_lock(&dt_timer_lock);
	ret = dt_timer_disarm(&dwork->timer);
	if (ret)
		__atomic_store_n(&dwork->work.pending, 0, __ATOMIC_SEQ_CST);
	else
		ret = cancel_work(&dwork->work);
	pthread_mutex_unlock(&dt_timer_lock);
	return ret;
}

/* And wait for a run in progress to end (see cancel_work_sync()). */
bool cancel_delayed_work_sync(struct delayed_work *dwork)
{
	bool ret = cancel_delayed_work(dwork);

	dt_wait_work_idle(&dwork->work);
	return ret;
}

/* ---- irq_work ---- */

static pthread_mutex_t dt_irq_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dt_irq_cond = PTHREAD_COND_INITIALIZER;
static struct irq_work *dt_irq_head, **dt_irq_tail = &dt_irq_head;
static pthread_t dt_irq_thread;
static bool dt_irq_started;

static void *dt_irq_main(void *arg)
{
	struct irq_work *work;
	unsigned int flags;

	pthread_mutex_lock(&dt_irq_lock);
	for (;;) {
		while (!dt_irq_head)
			pthread_cond_wait(&dt_irq_cond, &dt_irq_lock);
		work = dt_irq_head;
		dt_irq_head = work->next;
		if (!dt_irq_head)
			dt_irq_tail = &dt_irq_head;
		pthread_mutex_unlock(&dt_irq_lock);

		/* As irq_work_single(): queueable again once it starts. */
		__atomic_fetch_and(&work->flags, ~IRQ_WORK_PENDING, __ATOMIC_SEQ_CST);
		work->func(work);

		pthread_mutex_lock(&dt_irq_lock);
		/* Still busy if it was queued again meanwhile. */
		flags = IRQ_WORK_BUSY;
		__atomic_compare_exchange_n(&work->flags, &flags, 0, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		pthread_cond_broadcast(&dt_irq_cond);
	}
	return NULL;
}

/* As the kernel's: false if @work was pending already. */
bool irq_work_queue(struct irq_work *work)
{
	unsigned int old = __atomic_fetch_or(&work->flags,
					     IRQ_WORK_PENDING | IRQ_WORK_BUSY,
					     __ATOMIC_SEQ_CST);

	if (old & IRQ_WORK_PENDING)
		return false;
	pthread_mutex_lock(&dt_irq_lock);
	if (!dt_irq_started) {
		if (pthread_create(&dt_irq_thread, NULL, dt_irq_main, NULL))
			dt_bug(__FILE__, __LINE__, "no interrupt thread");
		dt_irq_started = true;
	}
	work->next = NULL;
	*dt_irq_tail = work;
	dt_irq_tail = &work->next;
	pthread_cond_broadcast(&dt_irq_cond);
	pthread_mutex_unlock(&dt_irq_lock);
	return true;
}

/* Wait until @work is neither queued nor running. */
void irq_work_sync(struct irq_work *work)
{
	pthread_mutex_lock(&dt_irq_lock);
	while (irq_work_is_busy(work))
		pthread_cond_wait(&dt_irq_cond, &dt_irq_lock);
	pthread_mutex_unlock(&dt_irq_lock);
}
