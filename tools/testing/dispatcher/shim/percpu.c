// SPDX-License-Identifier: GPL-2.0
/*
 * CPUs, per-CPU memory and preemption for the harness (<linux/percpu.h>,
 * <linux/preempt.h>).
 */
#include <pthread.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/slab.h>

#include "shim.h"

/* What a per-CPU allocation keeps before CPU 0's copy. */
#define DT_PERCPU_HEAD	64
#define DT_CACHELINE	64

static unsigned int dt_next_cpu;
static __thread int dt_cpu = -1;
static __thread int dt_preempt_depth;

/* Who runs with preemption disabled on each CPU. */
static pthread_mutex_t dt_cpu_lock[DT_NR_CPUS] = {
	[0 ... DT_NR_CPUS - 1] = PTHREAD_MUTEX_INITIALIZER,
};

int dt_smp_processor_id(void)
{
	if (dt_cpu < 0)
		dt_cpu = __atomic_fetch_add(&dt_next_cpu, 1, __ATOMIC_RELAXED) %
			 DT_NR_CPUS;
	return dt_cpu;
}

void dt_preempt_disable(void)
{
	/* The outermost one takes the CPU; a nested one has it already. */
	if (!dt_preempt_depth++)
		pthread_mutex_lock(&dt_cpu_lock[dt_smp_processor_id()]);
}

void dt_preempt_enable(void)
{
	if (dt_preempt_depth <= 0)
		dt_bug(__FILE__, __LINE__, "preempt_enable() without preempt_disable()");
	if (!--dt_preempt_depth)
		pthread_mutex_unlock(&dt_cpu_lock[dt_cpu]);
}

/*
 * [head: stride][CPU 0's copy][CPU 1's copy]...; each copy starts on a
 * cache line, as the kernel's per-CPU areas keep CPUs' data apart.
 */
void __percpu *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp)
{
	size_t stride = ALIGN(max_t(size_t, size, 1), max_t(size_t, align, DT_CACHELINE));
	char *p;

	if (align > DT_PERCPU_HEAD)
		dt_bug(__FILE__, __LINE__, "per-CPU alignment beyond a cache line");
	p = kzalloc(DT_PERCPU_HEAD + DT_NR_CPUS * stride, gfp);
	if (!p)
		return NULL;
	memcpy(p, &stride, sizeof(stride));
	return p + DT_PERCPU_HEAD;
}

size_t dt_percpu_stride(const void __percpu *ptr)
{
	size_t stride;

	memcpy(&stride, (const char *)ptr - DT_PERCPU_HEAD, sizeof(stride));
	return stride;
}

void free_percpu(void __percpu *ptr)
{
	if (ptr)
		kfree((char *)ptr - DT_PERCPU_HEAD);
}
