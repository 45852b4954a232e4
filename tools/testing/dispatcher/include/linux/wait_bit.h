/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wait_var_event()/wake_up_var() on one mutex and condition variable: the
 * waiter checks under the mutex and the waker broadcasts under it, so no
 * wake-up is lost.
 */
#ifndef _DT_SHIM_LINUX_WAIT_BIT_H
#define _DT_SHIM_LINUX_WAIT_BIT_H

void dt_var_lock(void);
void dt_var_wait(void);
void dt_var_unlock(void);
void wake_up_var(void *var);

#define wait_var_event(var, condition)					\
	do {								\
		if (condition)						\
			break;						\
		dt_var_lock();						\
		while (!(condition))					\
			dt_var_wait();					\
		dt_var_unlock();					\
	} while (0)

#endif /* _DT_SHIM_LINUX_WAIT_BIT_H */
