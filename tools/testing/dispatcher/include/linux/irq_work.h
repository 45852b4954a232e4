/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irq_work: a function run soon, in "interrupt context", from a context
 * that may not sleep or take locks (NMI, a tracing hook).  Here an
 * interrupt thread of its own (shim/timer.c) runs queued items in order;
 * the flags follow the kernel's: queueing a pending item does nothing,
 * and an item is busy from its queueing to the end of its function,
 * which irq_work_sync() waits for.
 */
#ifndef _DT_SHIM_LINUX_IRQ_WORK_H
#define _DT_SHIM_LINUX_IRQ_WORK_H

#include <linux/types.h>

#define IRQ_WORK_PENDING	0x1u
#define IRQ_WORK_BUSY		0x2u

struct irq_work {
	struct irq_work *next;
	void (*func)(struct irq_work *work);
	unsigned int flags;
};

#define IRQ_WORK_INIT(f)	((struct irq_work){ .func = (f) })

static inline void init_irq_work(struct irq_work *work,
				 void (*func)(struct irq_work *))
{
	*work = IRQ_WORK_INIT(func);
}

static inline bool irq_work_is_pending(struct irq_work *work)
{
	return __atomic_load_n(&work->flags, __ATOMIC_SEQ_CST) & IRQ_WORK_PENDING;
}

static inline bool irq_work_is_busy(struct irq_work *work)
{
	return __atomic_load_n(&work->flags, __ATOMIC_SEQ_CST) & IRQ_WORK_BUSY;
}

bool irq_work_queue(struct irq_work *work);
void irq_work_sync(struct irq_work *work);

#endif /* _DT_SHIM_LINUX_IRQ_WORK_H */
