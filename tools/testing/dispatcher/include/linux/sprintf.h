/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snprintf() and sprintf() stay glibc's (they are declared by <stdio.h>
 * in the tests); the kernel-only ones format with the kernel's extensions.
 */
#ifndef _DT_SHIM_LINUX_SPRINTF_H
#define _DT_SHIM_LINUX_SPRINTF_H

#include <stdio.h>
#include <linux/printk.h>

__printf(3, 4) int scnprintf(char *buf, size_t size, const char *fmt, ...);

#endif /* _DT_SHIM_LINUX_SPRINTF_H */
