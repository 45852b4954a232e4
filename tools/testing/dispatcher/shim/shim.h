/* SPDX-License-Identifier: GPL-2.0 */
/* Between the shim files only. */
#ifndef _DT_SHIM_INTERNAL_H
#define _DT_SHIM_INTERNAL_H

#include <linux/compiler.h>
#include <linux/types.h>

bool dt_alloc_should_fail(void);

/* queue_work() for a work item its caller has marked pending (rcu.c). */
struct workqueue_struct;
struct work_struct;
void dt_queue_work_claimed(struct workqueue_struct *wq, struct work_struct *work);
/* Wait until @work is not running (it may be queued). */
void dt_wait_work_idle(struct work_struct *work);

/* From the linker: the program's text, and the static call trampolines. */
extern char __executable_start[], etext[], __data_start[];
extern char __start_dt_static_call[] __weak;
extern char __stop_dt_static_call[] __weak;
/* Inline static call sites (<linux/static_call.h>): their code, their table. */
extern char __start_dt_static_call_text[] __weak;
extern char __stop_dt_static_call_text[] __weak;
extern char __start_dt_static_call_sites[] __weak;
extern char __stop_dt_static_call_sites[] __weak;

#endif /* _DT_SHIM_INTERNAL_H */
