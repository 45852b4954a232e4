/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_ASM_ALTERNATIVE_H
#define _DT_SHIM_ASM_ALTERNATIVE_H

#include <linux/types.h>

/* The ITS-safe thunk for an indirect jump through @reg (thunks.S). */
u8 *its_static_thunk(int reg);

#endif /* _DT_SHIM_ASM_ALTERNATIVE_H */
