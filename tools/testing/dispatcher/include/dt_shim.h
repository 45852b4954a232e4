/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the harness controls and observes in the shims: failure injection,
 * CPU features, boot parameters and initcalls, modules, text ranges, the
 * executable memory pool, static calls, grace periods and debugfs.  Not a
 * kernel header: only the tests and the benchmark include it.
 */
#ifndef _DT_SHIM_H
#define _DT_SHIM_H

#include <asm/cpufeatures.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/types.h>

/* ---- WARN() and messages ---- */

/* Number of WARN*() whose condition was true, ever. */
extern unsigned long dt_warnings;
/* Print nothing for WARN*() while set (a test expects them). */
extern bool dt_quiet;
/* printk_ratelimited() messages printed and suppressed, ever. */
extern unsigned long dt_ratelimited_printed;
extern unsigned long dt_ratelimited_suppressed;

/* ---- Allocation failures ---- */

/*
 * Make allocations fail: the @nth next one (0: the very next), then every
 * one with probability 1 / @one_in (0: none), until dt_fail_alloc_off().
 * Covers kmalloc() and friends and execmem_alloc().
 */
void dt_fail_alloc(long nth, unsigned int one_in, unsigned long seed);
void dt_fail_alloc_off(void);
extern unsigned long dt_alloc_calls;	/* allocations attempted */
extern unsigned long dt_alloc_failed;	/* of which failed on purpose */
extern long dt_alloc_live;		/* allocated and not freed */

/* ---- Boot ---- */

void dt_do_initcalls(int max_level);
/*
 * Feed "name=value" from the kernel command line to the module parameter
 * of that name (MODULE_PARAM_PREFIX "name", "dispatcher.learn") or to its
 * __setup() handler; false if there is neither.
 */
bool dt_boot_param(const char *param);
/*
 * Write @val to a module parameter, as to /sys/module/.../parameters/:
 * its set function's result, -ENOENT if there is no such parameter.
 * dt_param_get() reads it ("Y\n", "4096\n") into @buf.
 */
int dt_param_set(const char *name, const char *val);
int dt_param_get(const char *name, char *buf, size_t size);
/* X86_FEATURE_* bits the "CPU" has; see <linux/cpufeature.h>. */
extern unsigned long dt_cpu_caps;
#define DT_CAP(f)	(1UL << (f))

/* ---- Code ---- */

enum dt_text_where {
	DT_TEXT_NEAR,	/* within rel32 reach of every image */
	DT_TEXT_FAR,	/* beyond rel32 reach of every image */
};

/*
 * Copy @len bytes of code into fresh read-only, executable memory, which
 * is then "kernel text" for kernel_text_address().  NULL on failure.
 */
void *dt_text_create(const void *code, size_t len, enum dt_text_where where);
/* Make it inaccessible and no longer text (a module's text is freed). */
void dt_text_destroy(void *text, size_t len);
/* Is the page at @addr currently executable / accessible at all? */
bool dt_text_executable(const void *addr);
bool dt_text_accessible(const void *addr);
/* Is @addr in the executable memory pool? */
bool dt_in_execmem(const void *addr);
/* Can [@addr, @addr + @len) of the pool be read (allocated, not freed)? */
bool dt_execmem_readable(const void *addr, size_t len);
/* Does any mapping of the process allow writing and executing at once? */
int dt_count_wx_mappings(char *first, size_t size);
/* Make the next text_poke_copy() fail (NULL, with its WARN). */
extern bool dt_fail_text_poke;
/*
 * How many execmem allocations are live; how many were made, ever.  The
 * architecture's images come out of packs (lib/dispatcher/pack.c), each
 * one execmem allocation, so these count packs (and images too large for
 * a pack), not images.
 */
extern long dt_execmem_live;
extern unsigned long dt_execmem_allocs;
/* text_poke_set() calls and bytes (arch_dispatcher_invalidate()). */
extern unsigned long dt_text_poke_sets;
extern unsigned long dt_text_poke_set_bytes;
/* Threads sent through the int3 handler of a static call update so far. */
extern unsigned long dt_sct_int3_hits;
extern unsigned long dt_sct_updates;

/* ---- x86: CFI and call depth tracking (shim/x86.c) ---- */

/*
 * cfi_mode (<asm/cfi.h>) is CFI_OFF unless a test sets it.  The type hash
 * cfi_get_func_hash() makes up for the harness's own functions (gcc
 * writes no kCFI preamble) depends on the function and on this seed.
 */
extern u32 dt_cfi_seed;

/*
 * The per-CPU call depth that the accounting template of a call thunk
 * (x86_call_depth_emit_accounting(): "sarq $5, %gs:depth(%rip)", %rip
 * relative, DT_CALL_THUNK_SIZE bytes) shifts when it runs; the guards
 * around it must never change.
 */
#define DT_CALL_THUNK_SIZE	9
struct dt_call_depth {
	u64 before[2];
	u64 depth;
	u64 after[2];
};

extern struct dt_call_depth dt_call_depth;

/* ---- Modules ---- */

/* Run the module notifier chain with MODULE_STATE_GOING for @mod. */
void dt_module_going(struct module *mod);

/* ---- Grace periods ---- */

/* RCU and RCU-tasks grace periods ended so far (see <linux/rcupdate.h>). */
extern unsigned long dt_rcu_gp_completed;
extern unsigned long dt_rcu_tasks_gp_completed;

/* ---- debugfs ---- */

/* Show the debugfs file at @path ("dispatcher/foo") into @buf. */
int dt_debugfs_read(const char *path, char *buf, size_t size);
bool dt_debugfs_exists(const char *path);

/* ---- perf_event_ksymbol() ---- */

extern long dt_ksym_registered;		/* registered minus unregistered */
extern unsigned long dt_ksym_events;
extern char dt_ksym_last[128];

/* Address to symbol, with the harness's dynamic symbols and images. */
int dt_symbol(unsigned long addr, char *buf, size_t size);

#endif /* _DT_SHIM_H */
