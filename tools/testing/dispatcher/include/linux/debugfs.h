/* SPDX-License-Identifier: GPL-2.0 */
/* An in-memory debugfs: a tree of names that dt_debugfs_read() can show. */
#ifndef _DT_SHIM_LINUX_DEBUGFS_H
#define _DT_SHIM_LINUX_DEBUGFS_H

#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/types.h>

struct dentry;

struct dentry *debugfs_create_dir(const char *name, struct dentry *parent);
struct dentry *debugfs_create_file(const char *name, unsigned short mode,
				   struct dentry *parent, void *data,
				   const struct file_operations *fops);
void debugfs_remove(struct dentry *dentry);
void debugfs_remove_recursive(struct dentry *dentry);

#endif /* _DT_SHIM_LINUX_DEBUGFS_H */
