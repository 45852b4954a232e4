/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The UAPI constants, and perf_event_ksymbol() recording what it is told
 * (see dt_ksym_events in dt_shim.h) instead of emitting perf records.
 */
#ifndef _DT_SHIM_LINUX_PERF_EVENT_H
#define _DT_SHIM_LINUX_PERF_EVENT_H

#include_next <linux/perf_event.h>
#include <linux/types.h>

void perf_event_ksymbol(u16 ksym_type, u64 addr, u32 len, bool unregister,
			const char *sym);

#endif /* _DT_SHIM_LINUX_PERF_EVENT_H */
