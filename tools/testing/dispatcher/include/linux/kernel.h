/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_LINUX_KERNEL_H
#define _DT_SHIM_LINUX_KERNEL_H

#include <linux/align.h>
#include <linux/args.h>
#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/bug.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/container_of.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/kallsyms.h>
#include <linux/kstrtox.h>
#include <linux/limits.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/sprintf.h>
#include <linux/stringify.h>
#include <linux/types.h>

#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))

/*
 * As the kernel's: booting while the command line is parsed, scheduling
 * while the initcalls run, running once the last (late) ones have:
 * dt_do_initcalls() moves it on.
 */
extern enum system_states {
	SYSTEM_BOOTING,
	SYSTEM_SCHEDULING,
	SYSTEM_FREEING_INITMEM,
	SYSTEM_RUNNING,
	SYSTEM_HALT,
	SYSTEM_POWER_OFF,
	SYSTEM_RESTART,
	SYSTEM_SUSPEND,
} system_state;

#define cond_resched()		do { } while (0)
#define cond_resched_tasks_rcu_qs()	dt_rcu_quiescent_state()
void dt_rcu_quiescent_state(void);

#endif /* _DT_SHIM_LINUX_KERNEL_H */
