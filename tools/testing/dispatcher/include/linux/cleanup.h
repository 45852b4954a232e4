/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scope-based cleanup: the parts of the kernel's cleanup.h that the
 * dispatcher uses, built on the same compiler attribute.
 */
#ifndef _DT_SHIM_LINUX_CLEANUP_H
#define _DT_SHIM_LINUX_CLEANUP_H

#include <linux/compiler.h>

#define DEFINE_FREE(_name, _type, _free)				\
	static inline void __free_##_name(void *p)			\
	{								\
		_type _T = *(_type *)p;					\
		_free;							\
	}
#define __free(_name)	__cleanup(__free_##_name)

#define __get_and_null(p, nullvalue)					\
	({								\
		__auto_type __ptr = &(p);				\
		__auto_type __val = *__ptr;				\
		*__ptr = nullvalue;					\
		__val;							\
	})
#define no_free_ptr(p)		((typeof(p))__get_and_null(p, NULL))

/*
 * DEFINE_GUARD(name, type, lock, unlock): guard(name)(x) locks x and
 * unlocks it at the end of the scope; scoped_guard(name, x) { ... } does
 * the same for one block.
 */
#define DEFINE_GUARD(_name, _type, _lock, _unlock)			\
	static inline void class_##_name##_destructor(_type *p)	\
	{								\
		_type _T = *p;						\
		if (_T) {						\
			_unlock;					\
		}							\
	}								\
	static inline _type class_##_name##_constructor(_type _T)	\
	{								\
		_lock;							\
		return _T;						\
	}

#define CLASS(_name, var)						\
	__auto_type var __cleanup(class_##_name##_destructor) =	\
		class_##_name##_constructor

#define guard(_name)	CLASS(_name, __UNIQUE_ID(guard))

/*
 * As the kernel's (for guards that cannot fail): the body runs once with
 * the lock held; leaving it, at its end or by break, leaves the loop, which
 * unlocks.
 */
#define __scoped_guard(_name, _label, args...)				\
	for (CLASS(_name, scope)(args); true; ({ goto _label; }))	\
		if (0) {						\
_label:									\
			break;						\
		} else
#define scoped_guard(_name, args...)					\
	__scoped_guard(_name, __UNIQUE_ID(label), args)

#endif /* _DT_SHIM_LINUX_CLEANUP_H */
