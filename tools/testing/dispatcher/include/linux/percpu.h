/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU data on DT_NR_CPUS "CPUs": each thread is given one, round-robin,
 * the first time it asks which CPU it is on, and stays there.  A per-CPU
 * allocation is DT_NR_CPUS copies of the object, each on cache lines of
 * its own, zeroed, as alloc_percpu() returns; the pointer is to CPU 0's,
 * and per_cpu_ptr() finds the others from the stride stored before it.
 * Allocations go through kmalloc()'s failure injection.
 */
#ifndef _DT_SHIM_LINUX_PERCPU_H
#define _DT_SHIM_LINUX_PERCPU_H

#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/preempt.h>
#include <linux/types.h>

/* Several, so that what is per CPU gets merged, whatever the machine. */
#define DT_NR_CPUS		4

/* The calling thread's CPU, 0 to DT_NR_CPUS - 1. */
int dt_smp_processor_id(void);

#define smp_processor_id()	dt_smp_processor_id()
#define num_possible_cpus()	DT_NR_CPUS
#define for_each_possible_cpu(cpu)					\
	for ((cpu) = 0; (cpu) < DT_NR_CPUS; (cpu)++)

void __percpu *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp);
void free_percpu(void __percpu *ptr);
/* Bytes from one CPU's copy of @ptr's object to the next one's. */
size_t dt_percpu_stride(const void __percpu *ptr);

#define __alloc_percpu(size, align)					\
	__alloc_percpu_gfp(size, align, GFP_KERNEL)
#define alloc_percpu_gfp(type, gfp)					\
	((typeof(type) __percpu *)__alloc_percpu_gfp(sizeof(type),	\
						     __alignof__(type), gfp))
#define alloc_percpu(type)	alloc_percpu_gfp(type, GFP_KERNEL)

#define per_cpu_ptr(ptr, cpu)						\
	((typeof(ptr))((char *)(ptr) + (size_t)(cpu) * dt_percpu_stride(ptr)))
#define raw_cpu_ptr(ptr)	per_cpu_ptr(ptr, dt_smp_processor_id())
#define this_cpu_ptr(ptr)	raw_cpu_ptr(ptr)

#endif /* _DT_SHIM_LINUX_PERCPU_H */
