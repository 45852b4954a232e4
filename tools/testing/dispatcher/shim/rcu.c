// SPDX-License-Identifier: GPL-2.0
/*
 * Grace periods, workqueues, wait_var_event() and mutexes for the harness.
 *
 * Grace periods are quiescent-state based (see <linux/rcupdate.h>): each
 * registered reader thread publishes the number of the last grace period
 * it has seen start, at a point where it is in no dispatcher call; a grace
 * period that starts with number g ends when every registered reader has
 * published g or gone offline, and no thread is inside rcu_read_lock().
 * Both sides use sequentially consistent atomics, so a reader that was
 * still inside an image when the grace period began has not published g.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include "dt_shim.h"

#define DT_MAX_READERS	64

struct dt_reader {
	unsigned long seen;	/* last grace period seen starting */
	int nesting;		/* rcu_read_lock() depth */
	bool online;		/* registered, reports quiescent states */
	bool used;		/* slot taken */
};

static struct dt_reader dt_readers[DT_MAX_READERS];
static __thread struct dt_reader *dt_self;
static unsigned long dt_gp_seq = 1;
unsigned long dt_rcu_gp_completed;

static struct dt_reader *dt_reader_slot(void)
{
	unsigned int i;

	if (dt_self)
		return dt_self;
	for (i = 0; i < DT_MAX_READERS; i++) {
		bool free = false;

		if (__atomic_compare_exchange_n(&dt_readers[i].used, &free, true,
						false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST)) {
			dt_self = &dt_readers[i];
			return dt_self;
		}
	}
	dt_bug(__FILE__, __LINE__, "too many RCU reader threads");
}

void dt_rcu_register_thread(void)
{
	struct dt_reader *r = dt_reader_slot();

	__atomic_store_n(&r->seen, __atomic_load_n(&dt_gp_seq, __ATOMIC_SEQ_CST),
			 __ATOMIC_SEQ_CST);
	__atomic_store_n(&r->online, true, __ATOMIC_SEQ_CST);
}

void dt_rcu_unregister_thread(void)
{
	if (dt_self)
		__atomic_store_n(&dt_self->online, false, __ATOMIC_SEQ_CST);
}

void dt_rcu_quiescent_state(void)
{
	struct dt_reader *r = dt_self;

	if (!r || !__atomic_load_n(&r->online, __ATOMIC_RELAXED))
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&r->seen, __atomic_load_n(&dt_gp_seq, __ATOMIC_SEQ_CST),
			 __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void rcu_read_lock(void)
{
	struct dt_reader *r = dt_reader_slot();

	__atomic_add_fetch(&r->nesting, 1, __ATOMIC_SEQ_CST);
}

void rcu_read_unlock(void)
{
	__atomic_sub_fetch(&dt_self->nesting, 1, __ATOMIC_SEQ_CST);
}

static bool dt_reader_blocks(struct dt_reader *r, unsigned long gp)
{
	if (!__atomic_load_n(&r->used, __ATOMIC_SEQ_CST))
		return false;
	if (__atomic_load_n(&r->nesting, __ATOMIC_SEQ_CST) > 0)
		return true;
	return __atomic_load_n(&r->online, __ATOMIC_SEQ_CST) &&
	       __atomic_load_n(&r->seen, __ATOMIC_SEQ_CST) < gp;
}

static void dt_synchronize(void)
{
	struct timespec ts = { .tv_nsec = 20000 };
	unsigned long gp;
	unsigned int i;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	gp = __atomic_add_fetch(&dt_gp_seq, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < DT_MAX_READERS; i++)
		while (dt_reader_blocks(&dt_readers[i], gp))
			nanosleep(&ts, NULL);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_add_fetch(&dt_rcu_gp_completed, 1, __ATOMIC_RELAXED);
}

void synchronize_rcu(void)
{
	dt_synchronize();
}

void synchronize_rcu_tasks(void)
{
	dt_synchronize();
}

/* ---- the grace-period thread ---- */

static pthread_mutex_t dt_gp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dt_gp_cond = PTHREAD_COND_INITIALIZER;
static struct rcu_head *dt_cb_head, **dt_cb_tail = &dt_cb_head;
static pthread_t dt_gp_thread;
static bool dt_gp_started;

static void *dt_gp_main(void *arg)
{
	struct rcu_head *list, *next;

	pthread_mutex_lock(&dt_gp_lock);
	for (;;) {
		while (!dt_cb_head)
			pthread_cond_wait(&dt_gp_cond, &dt_gp_lock);
		list = dt_cb_head;
		dt_cb_head = NULL;
		dt_cb_tail = &dt_cb_head;
		pthread_mutex_unlock(&dt_gp_lock);

		dt_synchronize();
		for (; list; list = next) {
			next = list->next;
			list->func(list);
		}
		pthread_mutex_lock(&dt_gp_lock);
	}
	return NULL;
}

void call_rcu(struct rcu_head *head, rcu_callback_t func)
{
	head->func = func;
	head->next = NULL;
	pthread_mutex_lock(&dt_gp_lock);
	if (!dt_gp_started) {
		if (pthread_create(&dt_gp_thread, NULL, dt_gp_main, NULL))
			dt_bug(__FILE__, __LINE__, "no grace-period thread");
		dt_gp_started = true;
	}
	*dt_cb_tail = head;
	dt_cb_tail = &head->next;
	pthread_cond_signal(&dt_gp_cond);
	pthread_mutex_unlock(&dt_gp_lock);
}

void call_rcu_tasks(struct rcu_head *head, rcu_callback_t func)
{
	call_rcu(head, func);
}

struct dt_barrier {
	struct rcu_head rcu;
	bool done;
};

static void dt_barrier_cb(struct rcu_head *rcu)
{
	struct dt_barrier *b = container_of(rcu, struct dt_barrier, rcu);

	pthread_mutex_lock(&dt_gp_lock);
	b->done = true;
	pthread_cond_broadcast(&dt_gp_cond);
	pthread_mutex_unlock(&dt_gp_lock);
}

/* Callbacks run in order, so this one runs after all queued before it. */
void rcu_barrier(void)
{
	struct dt_barrier b = {};

	call_rcu(&b.rcu, dt_barrier_cb);
	pthread_mutex_lock(&dt_gp_lock);
	while (!b.done)
		pthread_cond_wait(&dt_gp_cond, &dt_gp_lock);
	pthread_mutex_unlock(&dt_gp_lock);
}

void rcu_barrier_tasks(void)
{
	rcu_barrier();
}

/* ---- workqueues ---- */

struct workqueue_struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct work_struct *head, **tail;
	pthread_t thread;
	bool started;
	unsigned long queued, done;
};

static struct workqueue_struct dt_system_wq = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.tail = &dt_system_wq.head,
};

struct workqueue_struct *system_wq = &dt_system_wq;
struct workqueue_struct *system_unbound_wq = &dt_system_wq;
struct workqueue_struct *system_long_wq = &dt_system_wq;

static void *dt_worker(void *arg)
{
	struct workqueue_struct *wq = arg;
	struct work_struct *work;

	pthread_mutex_lock(&wq->lock);
	for (;;) {
		while (!wq->head)
			pthread_cond_wait(&wq->cond, &wq->lock);
		work = wq->head;
		wq->head = work->next;
		if (!wq->head)
			wq->tail = &wq->head;
		__atomic_store_n(&work->pending, 0, __ATOMIC_SEQ_CST);
		pthread_mutex_unlock(&wq->lock);
		work->func(work);
		pthread_mutex_lock(&wq->lock);
		wq->done++;
		pthread_cond_broadcast(&wq->cond);
	}
	return NULL;
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	if (__atomic_exchange_n(&work->pending, 1, __ATOMIC_SEQ_CST))
		return false;
	work->next = NULL;
	pthread_mutex_lock(&wq->lock);
	if (!wq->started) {
		if (pthread_create(&wq->thread, NULL, dt_worker, wq))
			dt_bug(__FILE__, __LINE__, "no worker thread");
		wq->started = true;
	}
	*wq->tail = work;
	wq->tail = &work->next;
	wq->queued++;
	pthread_cond_broadcast(&wq->cond);
	pthread_mutex_unlock(&wq->lock);
	return true;
}

void flush_workqueue(struct workqueue_struct *wq)
{
	unsigned long target;

	pthread_mutex_lock(&wq->lock);
	target = wq->queued;
	while (wq->done < target)
		pthread_cond_wait(&wq->cond, &wq->lock);
	pthread_mutex_unlock(&wq->lock);
}

static void dt_rcu_work_rcufn(struct rcu_head *rcu)
{
	struct rcu_work *rwork = container_of(rcu, struct rcu_work, rcu);

	/* The work is already marked pending: queue it directly. */
	__atomic_store_n(&rwork->work.pending, 0, __ATOMIC_SEQ_CST);
	queue_work(rwork->wq, &rwork->work);
}

bool queue_rcu_work(struct workqueue_struct *wq, struct rcu_work *rwork)
{
	if (__atomic_exchange_n(&rwork->work.pending, 1, __ATOMIC_SEQ_CST))
		return false;
	rwork->wq = wq;
	call_rcu(&rwork->rcu, dt_rcu_work_rcufn);
	return true;
}

bool flush_rcu_work(struct rcu_work *rwork)
{
	rcu_barrier();
	flush_workqueue(rwork->wq);
	return true;
}

/* ---- wait_var_event() ---- */

static pthread_mutex_t dt_var_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dt_var_cond = PTHREAD_COND_INITIALIZER;

void dt_var_lock(void)
{
	pthread_mutex_lock(&dt_var_mutex);
}

void dt_var_wait(void)
{
	pthread_cond_wait(&dt_var_cond, &dt_var_mutex);
}

void dt_var_unlock(void)
{
	pthread_mutex_unlock(&dt_var_mutex);
}

void wake_up_var(void *var)
{
	pthread_mutex_lock(&dt_var_mutex);
	pthread_cond_broadcast(&dt_var_cond);
	pthread_mutex_unlock(&dt_var_mutex);
}

/* ---- mutexes ---- */

void mutex_init(struct mutex *lock)
{
	pthread_mutex_init(&lock->lock, NULL);
	lock->owner = 0;
}

void mutex_destroy(struct mutex *lock)
{
	pthread_mutex_destroy(&lock->lock);
}

void mutex_lock(struct mutex *lock)
{
	if (dt_mutex_held(lock))
		dt_bug(__FILE__, __LINE__, "a mutex locked again by its owner");
	pthread_mutex_lock(&lock->lock);
	__atomic_store_n(&lock->owner, (unsigned long)pthread_self(),
			 __ATOMIC_RELAXED);
}

int mutex_trylock(struct mutex *lock)
{
	if (pthread_mutex_trylock(&lock->lock))
		return 0;
	__atomic_store_n(&lock->owner, (unsigned long)pthread_self(),
			 __ATOMIC_RELAXED);
	return 1;
}

void mutex_unlock(struct mutex *lock)
{
	if (!dt_mutex_held(lock))
		dt_bug(__FILE__, __LINE__, "a mutex unlocked by a thread not holding it");
	__atomic_store_n(&lock->owner, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&lock->lock);
}

bool mutex_is_locked(struct mutex *lock)
{
	return __atomic_load_n(&lock->owner, __ATOMIC_RELAXED) != 0;
}

bool dt_mutex_held(struct mutex *lock)
{
	return __atomic_load_n(&lock->owner, __ATOMIC_RELAXED) ==
	       (unsigned long)pthread_self();
}
