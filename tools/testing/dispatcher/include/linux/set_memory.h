/* SPDX-License-Identifier: GPL-2.0 */
/* Page permissions of execmem memory, with mprotect(). */
#ifndef _DT_SHIM_LINUX_SET_MEMORY_H
#define _DT_SHIM_LINUX_SET_MEMORY_H

int set_memory_ro(unsigned long addr, int numpages);
int set_memory_rw(unsigned long addr, int numpages);
int set_memory_x(unsigned long addr, int numpages);
int set_memory_nx(unsigned long addr, int numpages);
int set_memory_rox(unsigned long addr, int numpages);

#endif /* _DT_SHIM_LINUX_SET_MEMORY_H */
