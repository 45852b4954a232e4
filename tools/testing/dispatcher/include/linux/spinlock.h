/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_LINUX_SPINLOCK_H
#define _DT_SHIM_LINUX_SPINLOCK_H

#include <pthread.h>
#include <linux/cleanup.h>

struct spinlock {
	pthread_mutex_t lock;
};

/* The kernel's typedef, without adding one. */
#define spinlock_t	struct spinlock

#define __SPIN_LOCK_UNLOCKED(x)		{ .lock = PTHREAD_MUTEX_INITIALIZER }
#define DEFINE_SPINLOCK(x)		spinlock_t x = __SPIN_LOCK_UNLOCKED(x)

static inline void spin_lock_init(spinlock_t *l)
{
	pthread_mutex_init(&l->lock, NULL);
}

static inline void spin_lock(spinlock_t *l)
{
	pthread_mutex_lock(&l->lock);
}

static inline void spin_unlock(spinlock_t *l)
{
	pthread_mutex_unlock(&l->lock);
}

#define spin_lock_bh(l)			spin_lock(l)
#define spin_unlock_bh(l)		spin_unlock(l)
#define spin_lock_irq(l)		spin_lock(l)
#define spin_unlock_irq(l)		spin_unlock(l)
#define spin_lock_irqsave(l, f)		do { (f) = 0; spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, f)	do { (void)(f); spin_unlock(l); } while (0)

DEFINE_GUARD(spinlock, spinlock_t *, spin_lock(_T), spin_unlock(_T))

#endif /* _DT_SHIM_LINUX_SPINLOCK_H */
