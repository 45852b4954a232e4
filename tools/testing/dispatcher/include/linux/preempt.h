/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Preemption, as far as per-CPU data needs it.  Each thread runs on one
 * of DT_NR_CPUS "CPUs" (<linux/percpu.h>), several threads on each; a
 * thread that disables preemption has its CPU to itself until it enables
 * it again (another thread of that CPU waits in preempt_disable()), so
 * that a section with preemption disabled never runs concurrently with
 * another one on the same CPU's data, as in the kernel.  Interrupts, which
 * may come in the middle of one in the kernel, have no counterpart here:
 * irq_work runs on a thread of its own (<linux/irq_work.h>).
 */
#ifndef _DT_SHIM_LINUX_PREEMPT_H
#define _DT_SHIM_LINUX_PREEMPT_H

#include <linux/compiler.h>

void dt_preempt_disable(void);
void dt_preempt_enable(void);

#define preempt_disable()		dt_preempt_disable()
#define preempt_enable()		dt_preempt_enable()
#define preempt_disable_notrace()	dt_preempt_disable()
#define preempt_enable_notrace()	dt_preempt_enable()

#endif /* _DT_SHIM_LINUX_PREEMPT_H */
