/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module parameters: module_param_cb() registers its parameter from a
 * constructor (shim/kernel.c), under the name the kernel gives a built-in
 * one, MODULE_PARAM_PREFIX "name".  dt_boot_param("prefix.name=value")
 * sets it as the kernel command line does, and dt_param_set() and
 * dt_param_get() as writing and reading
 * /sys/module/<prefix>/parameters/<name> do (<dt_shim.h>).
 */
#ifndef _DT_SHIM_LINUX_MODULEPARAM_H
#define _DT_SHIM_LINUX_MODULEPARAM_H

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/types.h>

/* kbuild's is KBUILD_MODNAME "." for built-in code; files set their own. */
#define MODULE_PARAM_PREFIX	""

struct kernel_param;

struct kernel_param_ops {
	unsigned int flags;
	int (*set)(const char *val, const struct kernel_param *kp);
	int (*get)(char *buffer, const struct kernel_param *kp);
	void (*free)(void *arg);
};

struct kernel_param {
	const char *name;
	struct module *mod;
	const struct kernel_param_ops *ops;
	u16 perm;
	void *arg;
};

void dt_register_param(const struct kernel_param *kp);

#define module_param_cb(_name, _ops, _arg, _perm)			\
	static const struct kernel_param __param_##_name = {		\
		.name = MODULE_PARAM_PREFIX #_name,			\
		.ops = (_ops),						\
		.perm = (_perm),					\
		.arg = (_arg),						\
	};								\
	static void __used __attribute__((__constructor__))		\
	__dt_param_##_name(void)					\
	{								\
		dt_register_param(&__param_##_name);			\
	}								\
	static_assert(1, #_name)

#define MODULE_PARM_DESC(_name, desc)	static_assert(1, #_name desc)

/* The kernel's getters, for sysfs: the value and a newline. */
int param_get_bool(char *buffer, const struct kernel_param *kp);
int param_get_uint(char *buffer, const struct kernel_param *kp);

#endif /* _DT_SHIM_LINUX_MODULEPARAM_H */
