// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/debug/dispatcher/<name>: the targets of each dispatcher.
 */

#include "dispatcher_internal.h"

static struct dentry *dispatcher_debugfs_root;

VISIBLE_IF_KUNIT int dispatcher_debugfs_show(struct seq_file *m, void *v)
{
	struct dispatcher *d = m->private;
	struct dispatcher_image *img;
	unsigned int i;

	guard(mutex)(&d->mutex);

	img = d->image;
	seq_printf(m, "name: %s\n", d->name);
	seq_printf(m, "jit: %s\n", img ? "active" : "inactive");
	seq_printf(m, "mode: %s\n", dispatcher_mode_name());
	if (img)
		seq_printf(m, "image: %pK size %u used %u (%u bytes/target, depth %u)\n",
			   img->text, img->size, img->len,
			   DIV_ROUND_UP(img->len, d->nr_targets), img->depth);
	seq_printf(m, "memory: %u bytes\n", img ? img->held : 0);
	if (d->jit_err)
		seq_printf(m, "jit_error: %d\n", d->jit_err);
	seq_printf(m, "updates: %lu\n", d->nr_updates);
	seq_printf(m, "deferred: %lu\n", d->nr_deferred);
	seq_printf(m, "failed: %d\n", atomic_read(&d->nr_failed));
	seq_printf(m, "bad_context: %d\n", atomic_read(&d->nr_bad_context));
	seq_printf(m, "targets: %u\n", d->nr_targets);
	for (i = 0; i < d->nr_targets; i++)
		seq_printf(m, "  %ps users %u\n",
			   (void *)d->targets[i].addr, d->targets[i].users);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dispatcher_debugfs_show);
DEFINE_SHOW_ATTRIBUTE(dispatcher_debugfs);

/* Called with core.c's dispatcher_list_mutex held. */
void dispatcher_debugfs_add(struct dispatcher *d)
{
	if (dispatcher_debugfs_root)
		d->dentry = debugfs_create_file(d->name, 0400,
						dispatcher_debugfs_root, d,
						&dispatcher_debugfs_fops);
}

/* Called with core.c's dispatcher_list_mutex held. */
void dispatcher_debugfs_remove(struct dispatcher *d)
{
	debugfs_remove(d->dentry);
	d->dentry = NULL;
}

/* Called once, with core.c's dispatcher_list_mutex held. */
void dispatcher_debugfs_create_root(void)
{
	dispatcher_debugfs_root = debugfs_create_dir("dispatcher", NULL);
}
