/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_LINUX_CONTAINER_OF_H
#define _DT_SHIM_LINUX_CONTAINER_OF_H

#include <stddef.h>

#define container_of(ptr, type, member)					\
	({								\
		void *__mptr = (void *)(ptr);				\
		((type *)(__mptr - offsetof(type, member)));		\
	})

#endif /* _DT_SHIM_LINUX_CONTAINER_OF_H */
