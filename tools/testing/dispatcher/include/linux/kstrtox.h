/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lib/kstrtox.c's conversions (shim/mem.c), with its rules: an optional
 * "+", base 0 meaning 0x (hex), 0 (octal) or decimal, one trailing
 * newline allowed, nothing else; -EINVAL for no number or other text,
 * -ERANGE for a value that does not fit.
 */
#ifndef _DT_SHIM_LINUX_KSTRTOX_H
#define _DT_SHIM_LINUX_KSTRTOX_H

#include <linux/compiler.h>
#include <linux/types.h>

int __must_check kstrtoull(const char *s, unsigned int base,
			   unsigned long long *res);
int __must_check kstrtouint(const char *s, unsigned int base, unsigned int *res);
int __must_check kstrtobool(const char *s, bool *res);

#endif /* _DT_SHIM_LINUX_KSTRTOX_H */
