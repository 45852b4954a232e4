/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "Kernel text" is the harness's own code (the executable's text segment)
 * and the code ranges a test declares with dt_text_alloc(); symbols come
 * from the dynamic symbol table (the programs are linked with -rdynamic).
 */
#ifndef _DT_SHIM_LINUX_KALLSYMS_H
#define _DT_SHIM_LINUX_KALLSYMS_H

#include <linux/mm.h>		/* as the kernel's: PAGE_SIZE, PAGE_ALIGN() */
#include <linux/types.h>

#define KSYM_NAME_LEN		512
#define KSYM_SYMBOL_LEN		(sizeof("%s+%#lx/%#lx [%s %s]") + \
				 (KSYM_NAME_LEN - 1) + 2 * (64 * 3 / 10) + \
				 (56 - 1) + 1)

int kernel_text_address(unsigned long addr);
int __kernel_text_address(unsigned long addr);
int core_kernel_text(unsigned long addr);
int sprint_symbol(char *buffer, unsigned long address);
unsigned long kallsyms_lookup_name(const char *name);

#endif /* _DT_SHIM_LINUX_KALLSYMS_H */
