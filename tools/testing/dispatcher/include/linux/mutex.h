/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_LINUX_MUTEX_H
#define _DT_SHIM_LINUX_MUTEX_H

#include <linux/cleanup.h>
#include <linux/lockdep.h>
#include <linux/mutex_types.h>
#include <linux/spinlock.h>

#define __MUTEX_INITIALIZER(lockname)	{ .lock = PTHREAD_MUTEX_INITIALIZER }
#define DEFINE_MUTEX(mutexname)						\
	struct mutex mutexname = __MUTEX_INITIALIZER(mutexname)

void mutex_init(struct mutex *lock);
void mutex_destroy(struct mutex *lock);
void mutex_lock(struct mutex *lock);
int mutex_trylock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);
bool mutex_is_locked(struct mutex *lock);
bool dt_mutex_held(struct mutex *lock);

#define mutex_lock_interruptible(lock)	(mutex_lock(lock), 0)
#define mutex_lock_killable(lock)	(mutex_lock(lock), 0)

DEFINE_GUARD(mutex, struct mutex *, mutex_lock(_T), mutex_unlock(_T))

#endif /* _DT_SHIM_LINUX_MUTEX_H */
