// SPDX-License-Identifier: GPL-2.0
/*
 * Grace periods, workqueues, wait_var_event() and mutexes for the harness.
 *
 * Two flavours of grace period, as the kernel has (see <linux/rcupdate.h>):
 *
 * - RCU: every thread that was inside rcu_read_lock() when the grace
 *   period began has left that read-side critical section.  Each thread
 *   counts the outermost critical sections it has left; the grace period
 *   takes a snapshot and waits for each thread inside one to leave it.
 *
 * - RCU tasks: quiescent-state based.  Each registered reader thread
 *   publishes the number of the last tasks grace period it has seen start,
 *   at a point where it is in no dispatcher call; a tasks grace period that
 *   starts with number g ends when every registered reader has published g
 *   or gone offline, and no thread is inside rcu_read_lock() (a task
 *   preempted in a read-side critical section has not switched
 *   voluntarily either).
 *
 * Both sides use sequentially consistent atomics, so a reader that was
 * still inside an image (or a critical section) when the grace period
 * began has not published g (or left it).  Each flavour has a thread of
 * its own that runs its callbacks in the order they were queued.
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
#include "shim.h"

#define DT_MAX_READERS	64

struct dt_reader {
	unsigned long seen;	/* last tasks grace period seen starting */
	int nesting;		/* rcu_read_lock() depth */
	unsigned long left;	/* outermost critical sections left */
	bool online;		/* registered, reports quiescent states */
	bool used;		/* slot taken */
};

static struct dt_reader dt_readers[DT_MAX_READERS];
static __thread struct dt_reader *dt_self;
static unsigned long dt_gp_seq = 1;
unsigned long dt_rcu_gp_completed;
unsigned long dt_rcu_tasks_gp_completed;

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
	struct dt_reader *r = dt_self;

	if (!r || __atomic_load_n(&r->nesting, __ATOMIC_RELAXED) <= 0)
		dt_bug(__FILE__, __LINE__, "unlock without rcu_read_lock()");
	if (!__atomic_sub_fetch(&r->nesting, 1, __ATOMIC_SEQ_CST))
		__atomic_add_fetch(&r->left, 1, __ATOMIC_SEQ_CST);
}

bool rcu_read_lock_held(void)
{
	return dt_self && __atomic_load_n(&dt_self->nesting, __ATOMIC_RELAXED) > 0;
}

bool rcu_read_lock_any_held(void)
{
	return rcu_read_lock_held();
}

bool rcu_is_watching(void)
{
	return true;
}

static void dt_gp_sleep(void)
{
	struct timespec ts = { .tv_nsec = 20000 };

	nanosleep(&ts, NULL);
}

/* An RCU grace period: pre-existing read-side critical sections end. */
static void dt_synchronize_rcu(void)
{
	unsigned long left[DT_MAX_READERS];
	bool inside[DT_MAX_READERS];
	unsigned int i;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (i = 0; i < DT_MAX_READERS; i++) {
		struct dt_reader *r = &dt_readers[i];

		left[i] = __atomic_load_n(&r->left, __ATOMIC_SEQ_CST);
		inside[i] = __atomic_load_n(&r->used, __ATOMIC_SEQ_CST) &&
			    __atomic_load_n(&r->nesting, __ATOMIC_SEQ_CST) > 0;
	}
	for (i = 0; i < DT_MAX_READERS; i++)
		while (inside[i] &&
		       __atomic_load_n(&dt_readers[i].left, __ATOMIC_SEQ_CST) == left[i])
			dt_gp_sleep();
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_add_fetch(&dt_rcu_gp_completed, 1, __ATOMIC_RELAXED);
}

static bool dt_reader_blocks_tasks(struct dt_reader *r, unsigned long gp)
{
	if (!__atomic_load_n(&r->used, __ATOMIC_SEQ_CST))
		return false;
	if (__atomic_load_n(&r->nesting, __ATOMIC_SEQ_CST) > 0)
		return true;
	return __atomic_load_n(&r->online, __ATOMIC_SEQ_CST) &&
	       __atomic_load_n(&r->seen, __ATOMIC_SEQ_CST) < gp;
}

/* An RCU-tasks grace period: every reader passes a quiescent state. */
static void dt_synchronize_tasks(void)
{
	unsigned long gp;
	unsigned int i;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	gp = __atomic_add_fetch(&dt_gp_seq, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < DT_MAX_READERS; i++)
		while (dt_reader_blocks_tasks(&dt_readers[i], gp))
			dt_gp_sleep();
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_add_fetch(&dt_rcu_tasks_gp_completed, 1, __ATOMIC_RELAXED);
}

void synchronize_rcu(void)
{
	dt_synchronize_rcu();
}

void synchronize_rcu_tasks(void)
{
	dt_synchronize_tasks();
}

/* ---- the grace-period threads, one per flavour ---- */

struct dt_flavour {
	const char *name;
	void (*synchronize)(void);
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct rcu_head *head, **tail;
	pthread_t thread;
	bool started;
};

static struct dt_flavour dt_rcu = {
	.name = "rcu",
	.synchronize = dt_synchronize_rcu,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.tail = &dt_rcu.head,
};

static struct dt_flavour dt_rcu_tasks = {
	.name = "rcu_tasks",
	.synchronize = dt_synchronize_tasks,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.tail = &dt_rcu_tasks.head,
};

static void *dt_gp_main(void *arg)
{
	struct dt_flavour *f = arg;
	struct rcu_head *list, *next;

	pthread_mutex_lock(&f->lock);
	for (;;) {
		while (!f->head)
			pthread_cond_wait(&f->cond, &f->lock);
		list = f->head;
		f->head = NULL;
		f->tail = &f->head;
		pthread_mutex_unlock(&f->lock);

		f->synchronize();
		for (; list; list = next) {
			next = list->next;
			list->func(list);
		}
		pthread_mutex_lock(&f->lock);
	}
	return NULL;
}

static void dt_call(struct dt_flavour *f, struct rcu_head *head,
		    rcu_callback_t func)
{
	head->func = func;
	head->next = NULL;
	pthread_mutex_lock(&f->lock);
	if (!f->started) {
		if (pthread_create(&f->thread, NULL, dt_gp_main, f))
			dt_bug(__FILE__, __LINE__, "no grace-period thread");
		f->started = true;
	}
	*f->tail = head;
	f->tail = &head->next;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

void call_rcu(struct rcu_head *head, rcu_callback_t func)
{
	dt_call(&dt_rcu, head, func);
}

void call_rcu_tasks(struct rcu_head *head, rcu_callback_t func)
{
	dt_call(&dt_rcu_tasks, head, func);
}

struct dt_barrier {
	struct rcu_head rcu;
	struct dt_flavour *f;
	bool done;
};

static void dt_barrier_cb(struct rcu_head *rcu)
{
	struct dt_barrier *b = container_of(rcu, struct dt_barrier, rcu);

	pthread_mutex_lock(&b->f->lock);
	b->done = true;
	pthread_cond_broadcast(&b->f->cond);
	pthread_mutex_unlock(&b->f->lock);
}

/* Callbacks run in order, so this one runs after all queued before it. */
static void dt_barrier(struct dt_flavour *f)
{
	struct dt_barrier b = { .f = f };

	dt_call(f, &b.rcu, dt_barrier_cb);
	pthread_mutex_lock(&f->lock);
	while (!b.done)
		pthread_cond_wait(&f->cond, &f->lock);
	pthread_mutex_unlock(&f->lock);
}

void rcu_barrier(void)
{
	dt_barrier(&dt_rcu);
}

void rcu_barrier_tasks(void)
{
	dt_barrier(&dt_rcu_tasks);
}

/* ---- workqueues ---- */

struct workqueue_struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct work_struct *head, **tail;	/* in order of ->seq */
	pthread_t thread;
	bool started;
	unsigned long queued;		/* ->seq of the last item queued */
	struct work_struct *running;	/* the work item being run */
	unsigned long running_seq;	/* its place in the queue */
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
		work->queued = false;
		wq->running = work;
		wq->running_seq = work->seq;
		/* As the kernel: it may be queued again once it has started. */
		__atomic_store_n(&work->pending, 0, __ATOMIC_SEQ_CST);
		pthread_mutex_unlock(&wq->lock);
		work->func(work);	/* which may free it */
		pthread_mutex_lock(&wq->lock);
		wq->running = NULL;
		pthread_cond_broadcast(&wq->cond);
	}
	return NULL;
}

/*
 * Have the items queued up to number @seq all run (or been cancelled)?
 * The queue is in order, and the worker runs its head.  @wq's lock held.
 */
static bool dt_wq_done(struct workqueue_struct *wq, unsigned long seq)
{
	return (!wq->head || wq->head->seq > seq) &&
	       (!wq->running || wq->running_seq > seq);
}

/* Put @work, which its caller has marked pending, on @wq. */
void dt_queue_work_claimed(struct workqueue_struct *wq, struct work_struct *work)
{
	pthread_mutex_lock(&wq->lock);
	if (!wq->started) {
		if (pthread_create(&wq->thread, NULL, dt_worker, wq))
			dt_bug(__FILE__, __LINE__, "no worker thread");
		wq->started = true;
	}
	work->next = NULL;
	*wq->tail = work;
	wq->tail = &work->next;
	__atomic_store_n(&work->wq, wq, __ATOMIC_RELEASE);
	work->seq = ++wq->queued;
	work->queued = true;
	pthread_cond_broadcast(&wq->cond);
	pthread_mutex_unlock(&wq->lock);
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	if (__atomic_exchange_n(&work->pending, 1, __ATOMIC_SEQ_CST))
		return false;
	dt_queue_work_claimed(wq, work);
	return true;
}

/*
 * As the kernel's: take @work off its queue if it is on one and has not
 * started; true if it was.  It does not wait for a run in progress.  Once
 * off, its memory may go.
 */
bool cancel_work(struct work_struct *work)
{
	struct workqueue_struct *wq = __atomic_load_n(&work->wq, __ATOMIC_ACQUIRE);
	struct work_struct **p;
	bool ret = false;

	if (!wq)
		return false;
	pthread_mutex_lock(&wq->lock);
	if (work->queued) {
		for (p = &wq->head; *p != work; p = &(*p)->next)
			;
		*p = work->next;
		if (!*p)
			wq->tail = p;
		work->queued = false;
		__atomic_store_n(&work->pending, 0, __ATOMIC_SEQ_CST);
		pthread_cond_broadcast(&wq->cond);
		ret = true;
	}
	pthread_mutex_unlock(&wq->lock);
	return ret;
}

/* Wait for a run of @work in progress to end. */
void dt_wait_work_idle(struct work_struct *work)
{
	struct workqueue_struct *wq = __atomic_load_n(&work->wq, __ATOMIC_ACQUIRE);

	if (!wq)
		return;
	pthread_mutex_lock(&wq->lock);
	while (wq->running == work)
		pthread_cond_wait(&wq->cond, &wq->lock);
	pthread_mutex_unlock(&wq->lock);
}

/*
 * And wait for a run in progress to end: as in the kernel, not for what
 * runs before it on the queue (maybe waiting for a lock the caller holds).
 */
bool cancel_work_sync(struct work_struct *work)
{
	bool ret = cancel_work(work);

	dt_wait_work_idle(work);
	return ret;
}

void flush_workqueue(struct workqueue_struct *wq)
{
	unsigned long target;

	pthread_mutex_lock(&wq->lock);
	target = wq->queued;
	while (!dt_wq_done(wq, target))
		pthread_cond_wait(&wq->cond, &wq->lock);
	pthread_mutex_unlock(&wq->lock);
}

/*
 * As the kernel's: wait for @work's last queueing to have run, if it is
 * queued or running; true if it waited.  An rcu_work still waiting for its
 * grace period is not on a workqueue yet, and is not waited for.
 */
bool flush_work(struct work_struct *work)
{
	struct workqueue_struct *wq = __atomic_load_n(&work->wq, __ATOMIC_ACQUIRE);
	unsigned long target = 0;

	if (!wq)
		return false;
	pthread_mutex_lock(&wq->lock);
	if (work->queued)
		target = work->seq;
	else if (wq->running == work)
		target = wq->running_seq;
	while (target && !dt_wq_done(wq, target))
		pthread_cond_wait(&wq->cond, &wq->lock);
	pthread_mutex_unlock(&wq->lock);
	return target;
}

static void dt_rcu_work_rcufn(struct rcu_head *rcu)
{
	struct rcu_work *rwork = container_of(rcu, struct rcu_work, rcu);

	/* The work is already marked pending: queue it directly. */
	dt_queue_work_claimed(rwork->wq, &rwork->work);
}

/* As the kernel's: queue @rwork after an RCU grace period (not RCU tasks). */
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
