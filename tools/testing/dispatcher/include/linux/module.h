/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Modules as the dispatcher sees them: a name, memory ranges and the
 * module notifier chain.  A test "loads" a module by describing ranges
 * of the harness (some of its own text, a struct dispatcher) and "unloads"
 * it with dt_module_going(), which runs the notifier chain with
 * MODULE_STATE_GOING as the kernel's module loader does.
 */
#ifndef _DT_SHIM_LINUX_MODULE_H
#define _DT_SHIM_LINUX_MODULE_H

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/notifier.h>
#include <linux/rculist.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#define MODULE_NAME_LEN		56

enum module_state {
	MODULE_STATE_LIVE,
	MODULE_STATE_COMING,
	MODULE_STATE_GOING,
	MODULE_STATE_UNFORMED,
};

enum mod_mem_type {
	MOD_TEXT,
	MOD_DATA,
	MOD_RODATA,
	MOD_RO_AFTER_INIT,
	MOD_INIT_TEXT,
	MOD_INIT_DATA,
	MOD_INIT_RODATA,
	MOD_MEM_NUM_TYPES,
};

struct module_memory {
	void *base;
	unsigned int size;
};

struct module {
	enum module_state state;
	struct list_head list;
	char name[MODULE_NAME_LEN];
	struct module_memory mem[MOD_MEM_NUM_TYPES];
};

static inline bool within_module_mem_type(unsigned long addr,
					  const struct module *mod,
					  enum mod_mem_type type)
{
	unsigned long base = (unsigned long)mod->mem[type].base;

	return addr - base < mod->mem[type].size;
}

static inline bool within_module_core(unsigned long addr,
				      const struct module *mod)
{
	return within_module_mem_type(addr, mod, MOD_TEXT) ||
	       within_module_mem_type(addr, mod, MOD_DATA) ||
	       within_module_mem_type(addr, mod, MOD_RODATA) ||
	       within_module_mem_type(addr, mod, MOD_RO_AFTER_INIT);
}

static inline bool within_module_init(unsigned long addr,
				      const struct module *mod)
{
	return within_module_mem_type(addr, mod, MOD_INIT_TEXT) ||
	       within_module_mem_type(addr, mod, MOD_INIT_DATA) ||
	       within_module_mem_type(addr, mod, MOD_INIT_RODATA);
}

static inline bool within_module(unsigned long addr, const struct module *mod)
{
	return within_module_init(addr, mod) || within_module_core(addr, mod);
}

int register_module_notifier(struct notifier_block *nb);
int unregister_module_notifier(struct notifier_block *nb);
struct module *__module_address(unsigned long addr);
struct module *__module_text_address(unsigned long addr);
bool is_module_text_address(unsigned long addr);
bool try_module_get(struct module *mod);
void module_put(struct module *mod);

#define MODULE_LICENSE(x)	static_assert(1, x)
#define MODULE_DESCRIPTION(x)	static_assert(1, x)
#define MODULE_AUTHOR(x)	static_assert(1, x)

#endif /* _DT_SHIM_LINUX_MODULE_H */
