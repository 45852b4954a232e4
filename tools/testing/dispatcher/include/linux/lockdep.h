/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lockdep_assert_held() really checks, against the owner the mutex shim
 * records: a caller that does not hold the lock is a WARN, and an
 * unexpected WARN fails the test.
 */
#ifndef _DT_SHIM_LINUX_LOCKDEP_H
#define _DT_SHIM_LINUX_LOCKDEP_H

#include <linux/bug.h>

struct mutex;
bool dt_mutex_held(struct mutex *lock);

#define lockdep_assert_held(l)		WARN_ON(!dt_mutex_held(l))
#define lockdep_assert_not_held(l)	WARN_ON(dt_mutex_held(l))
#define lockdep_assert(cond)		WARN_ON(!(cond))
#define might_sleep()			do { } while (0)
#define might_lock(l)			do { } while (0)

#endif /* _DT_SHIM_LINUX_LOCKDEP_H */
