/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_LINUX_CFI_H
#define _DT_SHIM_LINUX_CFI_H

#include <asm/cfi.h>

#ifndef cfi_get_offset
static inline int cfi_get_offset(void)
{
	return 0;
}
#endif

#endif /* _DT_SHIM_LINUX_CFI_H */
