/* SPDX-License-Identifier: GPL-2.0 */
/* A kernel mutex is a pthread mutex that remembers its owner, for lockdep. */
#ifndef _DT_SHIM_LINUX_MUTEX_TYPES_H
#define _DT_SHIM_LINUX_MUTEX_TYPES_H

#include <pthread.h>

struct mutex {
	pthread_mutex_t lock;
	unsigned long owner;	/* pthread_self() of the holder, or 0 */
};

#endif /* _DT_SHIM_LINUX_MUTEX_TYPES_H */
