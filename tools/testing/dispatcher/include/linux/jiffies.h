/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jiffies from CLOCK_MONOTONIC, HZ = 250 (x86-64's default), starting
 * where the kernel's start, 5 minutes before they wrap on 32 bits.
 * jiffies is a function call here, not a variable: it reads the clock.
 */
#ifndef _DT_SHIM_LINUX_JIFFIES_H
#define _DT_SHIM_LINUX_JIFFIES_H

#include <linux/limits.h>
#include <linux/types.h>

#define HZ			250
#define MSEC_PER_SEC		1000L
#define NSEC_PER_SEC		1000000000L
#define INITIAL_JIFFIES		((unsigned long)(unsigned int)(-300 * HZ))
#define MAX_JIFFY_OFFSET	((LONG_MAX >> 1) - 1)

unsigned long dt_jiffies(void);
#define jiffies			dt_jiffies()

#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_before(a, b)	time_after(b, a)

/* As the kernel's for HZ dividing 1000: rounded up, negative is "forever". */
static inline unsigned long msecs_to_jiffies(const unsigned int m)
{
	if ((int)m < 0)
		return MAX_JIFFY_OFFSET;
	return (m + (MSEC_PER_SEC / HZ) - 1) / (MSEC_PER_SEC / HZ);
}

static inline unsigned int jiffies_to_msecs(const unsigned long j)
{
	return (MSEC_PER_SEC / HZ) * j;
}

#endif /* _DT_SHIM_LINUX_JIFFIES_H */
