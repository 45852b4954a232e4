/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_LINUX_ALIGN_H
#define _DT_SHIM_LINUX_ALIGN_H

#define __ALIGN_KERNEL_MASK(x, mask)	(((x) + (mask)) & ~(mask))
#define __ALIGN_KERNEL(x, a)		__ALIGN_KERNEL_MASK(x, (typeof(x))(a) - 1)
#define ALIGN(x, a)			__ALIGN_KERNEL((x), (a))
#define ALIGN_DOWN(x, a)		__ALIGN_KERNEL((x) - ((a) - 1), (a))
#define IS_ALIGNED(x, a)		(((x) & ((typeof(x))(a) - 1)) == 0)
#define round_up(x, y)			((((x) - 1) | ((typeof(x))((y) - 1))) + 1)
#define round_down(x, y)		((x) & ~((typeof(x))((y) - 1)))

#endif /* _DT_SHIM_LINUX_ALIGN_H */
