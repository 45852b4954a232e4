/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_LINUX_GFP_H
#define _DT_SHIM_LINUX_GFP_H

#include <linux/types.h>

#define __GFP_ZERO		0x100u
#define __GFP_NOWARN		0x200u
#define __GFP_NOFAIL		0x400u
#define GFP_KERNEL		0x1u
#define GFP_ATOMIC		0x2u
#define GFP_NOWAIT		0x4u
#define GFP_USER		GFP_KERNEL
#define GFP_KERNEL_ACCOUNT	GFP_KERNEL

#endif /* _DT_SHIM_LINUX_GFP_H */
