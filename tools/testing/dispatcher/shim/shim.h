/* SPDX-License-Identifier: GPL-2.0 */
/* Between the shim files only. */
#ifndef _DT_SHIM_INTERNAL_H
#define _DT_SHIM_INTERNAL_H

#include <linux/compiler.h>
#include <linux/types.h>

bool dt_alloc_should_fail(void);

/* From the linker: the program's text, and the static call trampolines. */
extern char __executable_start[], etext[], __data_start[];
extern char __start_dt_static_call[] __weak;
extern char __stop_dt_static_call[] __weak;

#endif /* _DT_SHIM_INTERNAL_H */
