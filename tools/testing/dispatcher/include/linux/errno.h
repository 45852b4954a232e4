/* SPDX-License-Identifier: GPL-2.0 */
/* The UAPI error numbers (system headers include them too) and the kernel's. */
#ifndef _DT_SHIM_LINUX_ERRNO_H
#define _DT_SHIM_LINUX_ERRNO_H

#include_next <linux/errno.h>

#define ERESTARTSYS	512
#define ENOTSUPP	524
#define EPROBE_DEFER	517

#endif /* _DT_SHIM_LINUX_ERRNO_H */
