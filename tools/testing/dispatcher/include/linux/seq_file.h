/* SPDX-License-Identifier: GPL-2.0 */
/* seq_file into a caller's buffer; dt_debugfs_read() is the only reader. */
#ifndef _DT_SHIM_LINUX_SEQ_FILE_H
#define _DT_SHIM_LINUX_SEQ_FILE_H

#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/types.h>

struct seq_file {
	char *buf;
	size_t size;
	size_t count;
	void *private;
};

__printf(2, 3) void seq_printf(struct seq_file *m, const char *fmt, ...);
void seq_puts(struct seq_file *m, const char *s);
void seq_putc(struct seq_file *m, char c);

#define DEFINE_SHOW_ATTRIBUTE(__name)					\
	static const struct file_operations __name##_fops = {		\
		.dt_show = __name##_show,				\
	}

#endif /* _DT_SHIM_LINUX_SEQ_FILE_H */
