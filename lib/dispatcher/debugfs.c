// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/debug/dispatcher/<name>: the targets of each dispatcher, its
 * image's layout and the profile it was learned from.
 */

#include <linux/jiffies.h>

#include "dispatcher_internal.h"

static const char *const dispatcher_learn_states[] = {
	[DISPATCHER_LEARN_STEADY]	= "steady",
	[DISPATCHER_LEARN_WINDOW]	= "window",
	[DISPATCHER_LEARN_DEAD]		= "released",
};

/* Whether and what @d learns, and the layout of @img. */
static void dispatcher_debugfs_learn(struct seq_file *m, struct dispatcher *d,
				     struct dispatcher_image *img)
{
	struct dispatcher_learn *l = d->learn;
	unsigned int i, placed;

	if (d->no_learn)
		seq_puts(m, "learn: opted out\n");
	else if (!dispatcher_learning(d))
		seq_puts(m, "learn: off\n");
	else if (!l)
		seq_puts(m, "learn: on, nothing learned\n");
	else
		seq_printf(m, "learn: on, %s, windows %u, relayouts %u\n",
			   dispatcher_learn_states[l->state], l->nr_windows,
			   l->nr_relayouts);
	if (l && l->nr_windows) {
		seq_printf(m, "profile: %u ms ago, calls %lu, predicted %lu, other %lu, unpredictable %u.%u%%\n",
			   jiffies_to_msecs(jiffies - l->learned_at), l->calls,
			   l->predicted, l->other, l->unpredictable / 10,
			   l->unpredictable % 10);
		for (i = 0; i < l->nr_prof; i++)
			seq_printf(m, "  %ps calls %lu\n", (void *)l->prof[i].addr,
				   l->prof[i].calls);
	}
	placed = img ? img->plan.nr_hot + img->plan.nr_tree : 0;
	seq_printf(m, "layout: hot %u, tree %u, fallback %u (cap %u)\n",
		   img ? img->plan.nr_hot : 0, img ? img->plan.nr_tree : 0,
		   d->nr_targets - min(placed, d->nr_targets), dispatcher_cap());
	for (i = 0; img && i < img->plan.nr_hot; i++)
		seq_printf(m, "  hot %ps\n", (void *)img->plan.hot[i]);
	for (i = 0; img && i < img->plan.nr_tree; i++)
		seq_printf(m, "  tree %ps\n", (void *)img->plan.tree[i].addr);
}

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
			   DIV_ROUND_UP(img->len, img->plan.nr_hot + img->plan.nr_tree),
			   img->depth);
	seq_printf(m, "memory: %u bytes\n", img ? img->held : 0);
	if (d->jit_err)
		seq_printf(m, "jit_error: %d\n", d->jit_err);
	seq_printf(m, "updates: %lu\n", d->nr_updates);
	seq_printf(m, "deferred: %lu\n", d->nr_deferred);
	seq_printf(m, "failed: %d\n", atomic_read(&d->nr_failed));
	seq_printf(m, "bad_context: %d\n", atomic_read(&d->nr_bad_context));
	dispatcher_debugfs_learn(m, d, img);
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
