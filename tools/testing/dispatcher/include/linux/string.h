/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_LINUX_STRING_H
#define _DT_SHIM_LINUX_STRING_H

#include <string.h>
#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/types.h>

int match_string(const char * const *array, size_t n, const char *string);
bool sysfs_streq(const char *s1, const char *s2);
ssize_t strscpy(char *dst, const char *src, size_t count);
char *kstrdup(const char *s, gfp_t gfp);
/* @s itself if it is in the program's read-only data, as in the kernel's. */
const char *kstrdup_const(const char *s, gfp_t gfp);
void kfree_const(const void *x);
void *kmemdup(const void *src, size_t len, gfp_t gfp);

#endif /* _DT_SHIM_LINUX_STRING_H */
