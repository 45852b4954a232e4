/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_LINUX_FS_H
#define _DT_SHIM_LINUX_FS_H

struct seq_file;
struct module;

struct inode {
	void *i_private;
};

struct file {
	void *private_data;
};

/* Only what a debugfs show attribute needs: dt_show reads the file. */
struct file_operations {
	struct module *owner;
	int (*dt_show)(struct seq_file *m, void *v);
};

#endif /* _DT_SHIM_LINUX_FS_H */
