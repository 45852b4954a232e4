/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exports mean nothing in one userspace program.  Each macro still ends in
 * a declaration so that the ";" after it in the kernel sources is valid C.
 */
#ifndef _DT_SHIM_LINUX_EXPORT_H
#define _DT_SHIM_LINUX_EXPORT_H

#define EXPORT_SYMBOL(sym)		extern typeof(sym) sym
#define EXPORT_SYMBOL_GPL(sym)		extern typeof(sym) sym
#define EXPORT_SYMBOL_NS(sym, ns)	extern typeof(sym) sym
#define EXPORT_SYMBOL_NS_GPL(sym, ns)	extern typeof(sym) sym
#define THIS_MODULE			((struct module *)NULL)

#endif /* _DT_SHIM_LINUX_EXPORT_H */
