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
	if (d->jit_err)
		seq_printf(m, "jit_error: %d\n", d->jit_err);
	seq_printf(m, "updates: %lu\n", d->nr_updates);
	seq_printf(m, "targets: %u\n", d->nr_targets);
	for (i = 0; i < d->nr_targets; i++)
		seq_printf(m, "  %ps users %u\n",
			   (void *)d->targets[i].addr, d->targets[i].users);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dispatcher_debugfs_show);
DEFINE_SHOW_ATTRIBUTE(dispatcher_debugfs);

/* Called with dispatcher_list_mutex held. */
void dispatcher_debugfs_add(struct dispatcher *d)
{
	lockdep_assert_held(&dispatcher_list_mutex);
	if (dispatcher_debugfs_root)
		d->dentry = debugfs_create_file(d->name, 0400,
						dispatcher_debugfs_root, d,
						&dispatcher_debugfs_fops);
}

/* Called with dispatcher_list_mutex held. */
void dispatcher_debugfs_remove(struct dispatcher *d)
{
	lockdep_assert_held(&dispatcher_list_mutex);
	debugfs_remove(d->dentry);
	d->dentry = NULL;
}

/* Dispatchers that got targets before debugfs was up are added here. */
static int __init dispatcher_debugfs_init(void)
{
	struct dispatcher *d;

	guard(mutex)(&dispatcher_list_mutex);
	dispatcher_debugfs_root = debugfs_create_dir("dispatcher", NULL);
	list_for_each_entry(d, &dispatcher_list, list)
		dispatcher_debugfs_add(d);
	return 0;
}
late_initcall(dispatcher_debugfs_init);
