// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic multi-target dispatcher: targets, images and updates.
 *
 * Each dispatcher keeps its registered targets in an array sorted by
 * address.  An update builds the new array and, where the architecture has
 * a JIT, a new image next to the live ones, switches the static_call and
 * only then retires what it replaced.  Either everything switches or, on
 * error, nothing does.  See include/linux/dispatcher.h for the contract.
 */

#include "dispatcher_internal.h"

/* Dispatchers that have had targets; the mutex nests outside each d->mutex. */
static DEFINE_MUTEX(dispatcher_list_mutex);
static LIST_HEAD(dispatcher_list);

/*
 * Retired images not freed yet.  While there are DISPATCHER_MAX_RETIRING
 * of them, updates build no image: they switch to the default function and
 * put their dispatcher on dispatcher_deferred, and dispatcher_rebuild_work
 * builds its image once the retirements have drained.  An update never
 * waits for a grace period.
 */
static atomic_t dispatcher_retiring = ATOMIC_INIT(0);
static LIST_HEAD(dispatcher_deferred);
static DEFINE_SPINLOCK(dispatcher_deferred_lock);
static void dispatcher_rebuild(struct work_struct *work);
static DECLARE_WORK(dispatcher_rebuild_work, dispatcher_rebuild);

/*
 * The architecture's image back end.  These defaults mean "no JIT": every
 * dispatch point makes plain indirect calls and never allocates an image.
 */
unsigned int __weak arch_dispatcher_image_size(unsigned int nr_targets)
{
	return 0;
}

unsigned int __weak arch_dispatcher_image_depth(unsigned int nr_targets)
{
	return 0;
}

int __weak arch_dispatcher_generate(void *buf, void *image, unsigned int size,
				    const struct dispatcher_layout *layout,
				    unsigned int *entry)
{
	return -EOPNOTSUPP;
}

void * __weak arch_dispatcher_alloc(unsigned int size)
{
	return NULL;
}

void __weak arch_dispatcher_free(void *image, unsigned int size)
{
}

void __weak arch_dispatcher_invalidate(void *image, unsigned int len)
{
}

int __weak arch_dispatcher_copy(void *dst, const void *src, unsigned int len)
{
	return -EOPNOTSUPP;
}

/*
 * Whether the JIT pays off on this CPU: by default, always.  An
 * architecture that knows better overrides this.
 */
bool __weak arch_dispatcher_wanted(void)
{
	return true;
}

VISIBLE_IF_KUNIT enum dispatcher_mode dispatcher_mode = DISPATCHER_MODE_AUTO;
EXPORT_SYMBOL_IF_KUNIT(dispatcher_mode);

static const char *const dispatcher_mode_names[] = {
	[DISPATCHER_MODE_AUTO]	= "auto",
	[DISPATCHER_MODE_ON]	= "on",
	[DISPATCHER_MODE_OFF]	= "off",
};

/* dispatcher=on|off|auto on the kernel command line. */
static int __init dispatcher_setup(char *str)
{
	int mode = match_string(dispatcher_mode_names,
				ARRAY_SIZE(dispatcher_mode_names), str);

	if (mode < 0) {
		pr_warn("dispatcher: unknown mode '%s', keeping '%s'\n", str,
			dispatcher_mode_names[dispatcher_mode]);
		return 1;
	}
	dispatcher_mode = mode;
	return 1;
}
__setup("dispatcher=", dispatcher_setup);

/* The mode and whether the JIT is used, for debugfs. */
const char *dispatcher_mode_name(void)
{
	return dispatcher_mode_names[READ_ONCE(dispatcher_mode)];
}

/* Does @d build images?  A test's back end is always used. */
static bool dispatcher_jit_wanted(struct dispatcher *d)
{
	if (d->ops)
		return true;
	switch (READ_ONCE(dispatcher_mode)) {
	case DISPATCHER_MODE_ON:
		return true;
	case DISPATCHER_MODE_OFF:
		return false;
	default:
		return arch_dispatcher_wanted();
	}
}

static const struct dispatcher_ops dispatcher_arch_ops = {
	.image_size	= arch_dispatcher_image_size,
	.depth		= arch_dispatcher_image_depth,
	.generate	= arch_dispatcher_generate,
	.alloc		= dispatcher_pack_alloc,
	.free		= dispatcher_pack_free,
	.copy		= arch_dispatcher_copy,
};

static const struct dispatcher_ops *dispatcher_ops(struct dispatcher *d)
{
	return d->ops ?: &dispatcher_arch_ops;
}

static void dispatcher_image_rcu_free(struct rcu_head *rcu)
{
	struct dispatcher_image *img =
		container_of(rcu, struct dispatcher_image, rcu);

	kfree_const(img->name);
	kfree(img);
}

/*
 * No CPU can be executing @img any more: it stops being kernel text and its
 * memory goes.  Lookups of kernel text (an unwinder in NMI, for one) may
 * still be reading its &dispatcher_image.tnode and name, so those go an
 * RCU grace period later.
 */
static void dispatcher_image_free(struct work_struct *work)
{
	struct dispatcher_image *img =
		container_of(to_rcu_work(work), struct dispatcher_image, rwork);

	dispatcher_ksym_del(img);
	img->ops->free(img->text, img->size);
	dispatcher_plan_free(&img->plan);
	call_rcu(&img->rcu, dispatcher_image_rcu_free);
	if (atomic_dec_return(&dispatcher_retiring) >= DISPATCHER_MAX_RETIRING)
		return;
	/* Pairs with the smp_mb() in dispatcher_defer(). */
	scoped_guard(spinlock, &dispatcher_deferred_lock)
		if (!list_empty(&dispatcher_deferred))
			queue_work(system_wq, &dispatcher_rebuild_work);
	wake_up_var(&dispatcher_retiring);
}

/* The RCU-tasks grace period is over; wait for an RCU one, then free. */
static void dispatcher_image_tasks_done(struct rcu_head *rcu)
{
	struct dispatcher_image *img =
		container_of(rcu, struct dispatcher_image, rcu);

	queue_rcu_work(system_wq, &img->rwork);
}

/*
 * Free @img once no CPU can be executing it.  The static_call no longer
 * points at it, but a CPU may be running it with preemption disabled or
 * inside an RCU read-side critical section (RCU) and, unless every caller
 * is in one (&dispatcher.rcu), a task may have been preempted inside it
 * (RCU tasks).  Until then it stays kernel text, with its name.
 */
static void dispatcher_image_retire(struct dispatcher_image *img)
{
	if (!img)
		return;
	INIT_RCU_WORK(&img->rwork, dispatcher_image_free);
	atomic_inc(&dispatcher_retiring);
	if (img->rcu_only)
		queue_rcu_work(system_wq, &img->rwork);
	else
		call_rcu_tasks(&img->rcu, dispatcher_image_tasks_done);
}

/**
 * dispatcher_barrier - wait until every retired image has been freed
 *
 * For code that must know the images it retired are gone, such as a test
 * or a module whose dispatchers used an image back end of its own.  Images
 * whose build was deferred because too many were retiring are built by
 * the time it returns.
 *
 * Context: Process context; sleeps for up to two grace periods.
 */
void dispatcher_barrier(void)
{
	wait_var_event(&dispatcher_retiring, !atomic_read(&dispatcher_retiring));
	flush_work(&dispatcher_rebuild_work);
}
EXPORT_SYMBOL_GPL(dispatcher_barrier);

/*
 * Too many images are retiring to build one for @d: it runs on its
 * default function until dispatcher_rebuild() builds one.
 */
static void dispatcher_defer(struct dispatcher *d)
{
	lockdep_assert_held(&d->mutex);

	d->nr_deferred++;
	scoped_guard(spinlock, &dispatcher_deferred_lock)
		if (list_empty(&d->deferred))
			list_add_tail(&d->deferred, &dispatcher_deferred);
	/* The retirements may have drained meanwhile; see dispatcher_image_free(). */
	smp_mb();
	if (atomic_read(&dispatcher_retiring) < DISPATCHER_MAX_RETIRING)
		queue_work(system_wq, &dispatcher_rebuild_work);
}

/*
 * Build an image laid out as @plan, which it takes on success.  Returns
 * NULL when there is no JIT, it is switched off or @plan is empty, an
 * ERR_PTR() when it failed; nothing is left allocated then but @plan.
 */
static struct dispatcher_image *
dispatcher_image_build(struct dispatcher *d, struct dispatcher_plan *plan)
{
	const struct dispatcher_ops *ops = dispatcher_ops(d);
	const struct dispatcher_layout layout = {
		.hot		= plan->hot,
		.nr_hot		= plan->nr_hot,
		.targets	= plan->tree,
		.nr_targets	= plan->nr_tree,
		.target_arg	= d->nr_args,
		.fallback	= d->default_func,
	};
	unsigned int nr = plan->nr_hot + plan->nr_tree;
	struct dispatcher_image *img;
	unsigned int size, entry = 0;
	void *buf;
	int ret;

	size = dispatcher_jit_wanted(d) && nr ? ops->image_size(nr) : 0;
	if (!size)
		return NULL;

	/* Bound the images waiting for their grace periods, without waiting. */
	if (atomic_read(&dispatcher_retiring) >= DISPATCHER_MAX_RETIRING)
		return ERR_PTR(-EBUSY);

	img = kzalloc(sizeof(*img), GFP_KERNEL);
	buf = kvmalloc(size, GFP_KERNEL);
	if (!img || !buf) {
		ret = -ENOMEM;
		goto err;
	}
	img->ops = ops;
	/* The image may outlive a dispatcher in a module, so may its name. */
	img->name = kstrdup_const(d->sym, GFP_KERNEL);
	if (!img->name) {
		ret = -ENOMEM;
		goto err;
	}
	img->size = size;
	img->held = ops == &dispatcher_arch_ops ? dispatcher_pack_size(size) : size;
	img->rcu_only = d->rcu;
	img->text = ops->alloc(size);
	if (!img->text) {
		ret = -ENOMEM;
		goto err;
	}

	/* Build in a writable buffer, then copy into read-only text. */
	ret = ops->generate(buf, img->text, size, &layout, &entry);
	if (ret < 0)
		goto err_text;
	if (WARN_ON_ONCE(!ret || ret > size || entry >= ret)) {
		ret = -EFAULT;
		goto err_text;
	}
	img->len = ret;
	img->entry = img->text + entry;
	img->depth = ops->depth ? ops->depth(plan->nr_tree) + plan->nr_hot : 0;
	ret = ops->copy(img->text, buf, img->len);
	if (ret)
		goto err_text;

	kvfree(buf);
	img->plan = *plan;
	memset(plan, 0, sizeof(*plan));
	return img;

err_text:
	/* Never entered: free at once. */
	ops->free(img->text, size);
err:
	kvfree(buf);
	if (img)
		kfree_const(img->name);
	kfree(img);
	return ERR_PTR(ret);
}

/*
 * Make @img the dispatcher's image.  The static_call switches first, to
 * the learning function while a window is open, else to @img or, without
 * one, to the default function; so no CPU enters the old image
 * afterwards, and then it is retired.
 */
static void dispatcher_install(struct dispatcher *d,
			       struct dispatcher_image *img)
{
	struct dispatcher_image *old = d->image;
	void *entry;

	if (dispatcher_learn_window(d))
		entry = d->learn_func;
	else
		entry = img ? img->entry : d->default_func;
	if (img && img != old)
		dispatcher_ksym_add(img);
	if (READ_ONCE(d->sc_key->func) != entry)
		__static_call_update(d->sc_key, d->sc_tramp, entry);
	d->image = img;
	if (img != old)
		dispatcher_image_retire(old);
}

/*
 * Make @targets the dispatcher's targets, freeing the old array, and @img
 * its image.
 */
static void dispatcher_switch(struct dispatcher *d,
			      struct dispatcher_target *targets,
			      unsigned int nr_targets,
			      struct dispatcher_image *img)
{
	if (targets != d->targets)
		kvfree(d->targets);
	d->targets = targets;
	d->nr_targets = nr_targets;
	d->nr_updates++;
	dispatcher_install(d, img);
}

/*
 * Does @d learn its layout after an update to @nr_targets targets?  Then
 * it has a window open, and its learning state allocated, when this
 * returns true; else no window.
 */
static bool dispatcher_learn_update(struct dispatcher *d,
				    unsigned int nr_targets)
{
	bool learn = nr_targets && dispatcher_learning(d) &&
		     dispatcher_jit_wanted(d);

	if (learn)
		dispatcher_learn_alloc(d);
	if (!d->learn)
		return false;
	if (!learn) {
		cancel_delayed_work(&d->learn->period);
		dispatcher_learn_close(d);
		return false;
	}
	dispatcher_learn_open(d);
	return true;
}

/*
 * Switch to @targets, with an image if the back end can build one.  If
 * @must is set the switch happens even when the image cannot be built: the
 * dispatcher then runs without one.  Takes ownership of @targets on success.
 */
static int dispatcher_commit(struct dispatcher *d,
			     struct dispatcher_target *targets,
			     unsigned int nr_targets, bool must)
{
	struct dispatcher_image *img = NULL;
	struct dispatcher_plan plan;
	int ret;

	lockdep_assert_held(&d->mutex);

	/*
	 * A dispatch point that learns calls its learning function until the
	 * window closes, and gets its image then (dispatcher_relayout()).
	 */
	if (dispatcher_learn_update(d, nr_targets)) {
		d->jit_err = 0;
		dispatcher_switch(d, targets, nr_targets, NULL);
		return 0;
	}
	if (nr_targets && dispatcher_jit_wanted(d)) {
		ret = dispatcher_plan_choose(d, targets, nr_targets, &plan);
		if (!ret) {
			img = dispatcher_image_build(d, &plan);
			dispatcher_plan_free(&plan);
		} else {
			img = ERR_PTR(ret);
		}
	}
	if (PTR_ERR(img) == -EBUSY) {
		img = NULL;
		d->jit_err = 0;
		dispatcher_defer(d);
	} else if (IS_ERR(img)) {
		d->jit_err = PTR_ERR(img);
		if (!must) {
			/* Out of a window dispatcher_learn_update() closed. */
			dispatcher_install(d, d->image);
			return d->jit_err;
		}
		img = NULL;
	} else {
		d->jit_err = 0;
	}
	dispatcher_switch(d, targets, nr_targets, img);
	return 0;
}

/*
 * Lay @d's image out by its last profile.  If the layout is the same, or
 * the new image cannot be built, the static_call goes back to the image
 * there is; if too many images are retiring, dispatcher_rebuild() tries
 * again later.  Then the next window is armed.
 */
static void dispatcher_lay_out(struct dispatcher *d)
{
	static const struct dispatcher_plan none;
	struct dispatcher_image *img = d->image;
	struct dispatcher_plan plan;
	bool changed = false;

	lockdep_assert_held(&d->mutex);
	if (!dispatcher_plan_choose(d, d->targets, d->nr_targets, &plan)) {
		changed = !dispatcher_plan_equal(&plan, img ? &img->plan : &none);
		if (changed) {
			img = dispatcher_image_build(d, &plan);
			if (PTR_ERR(img) == -EBUSY)
				dispatcher_defer(d);
			if (IS_ERR(img)) {
				d->jit_err = PTR_ERR(img) == -EBUSY ? 0 : PTR_ERR(img);
				img = d->image;
				changed = false;
			} else {
				d->jit_err = 0;
			}
		}
		dispatcher_plan_free(&plan);
	}
	dispatcher_install(d, img);
	dispatcher_learn_arm(d, changed);
}

/* The learning window of @d closed: lay its image out by the profile. */
void dispatcher_relayout(struct dispatcher *d)
{
	guard(mutex)(&d->mutex);
	if (dispatcher_learn_close(d))
		dispatcher_lay_out(d);
}
EXPORT_SYMBOL_IF_KUNIT(dispatcher_relayout);

/*
 * A CPU filled @d's window (learn.c's work item): lay the image out, unless
 * an update has opened a new window since the work was queued.
 */
void dispatcher_relayout_full(struct dispatcher *d)
{
	guard(mutex)(&d->mutex);
	if (dispatcher_learn_full(d) && dispatcher_learn_close(d))
		dispatcher_lay_out(d);
}

/* The period after @d's last window is over: open the next one. */
void dispatcher_learn_reopen(struct dispatcher *d)
{
	guard(mutex)(&d->mutex);
	if (!d->learn || d->learn->state != DISPATCHER_LEARN_STEADY ||
	    !d->nr_targets || !dispatcher_learning(d) || !dispatcher_jit_wanted(d))
		return;
	dispatcher_learn_open(d);
	dispatcher_install(d, d->image);
}
EXPORT_SYMBOL_IF_KUNIT(dispatcher_learn_reopen);

/*
 * A tunable changed: lay out every dispatcher again, as an update would,
 * without counting one.
 */
void dispatcher_relayout_all(void)
{
	unsigned long updates;
	struct dispatcher *d;

	guard(mutex)(&dispatcher_list_mutex);
	list_for_each_entry(d, &dispatcher_list, list) {
		guard(mutex)(&d->mutex);
		if (!d->nr_targets)
			continue;
		updates = d->nr_updates;
		dispatcher_commit(d, d->targets, d->nr_targets, true);
		d->nr_updates = updates;
	}
}

/*
 * Build the images deferred by dispatcher_defer(), while fewer than
 * DISPATCHER_MAX_RETIRING images are retiring.  dispatcher_list_mutex
 * keeps a dispatcher of a module from being released meanwhile.
 */
static void dispatcher_rebuild(struct work_struct *work)
{
	unsigned long updates;
	struct dispatcher *d;

	guard(mutex)(&dispatcher_list_mutex);
	while (atomic_read(&dispatcher_retiring) < DISPATCHER_MAX_RETIRING) {
		scoped_guard(spinlock, &dispatcher_deferred_lock) {
			d = list_first_entry_or_null(&dispatcher_deferred,
						     struct dispatcher,
						     deferred);
			if (d)
				list_del_init(&d->deferred);
		}
		if (!d)
			break;
		guard(mutex)(&d->mutex);
		/* An update since may have opened a window, or built one. */
		if (!d->nr_targets || dispatcher_learn_window(d))
			continue;
		if (dispatcher_learning(d) && d->learn && d->learn->nr_windows) {
			dispatcher_lay_out(d);
			continue;
		}
		if (d->image)
			continue;
		/* The targets do not change: not an update. */
		updates = d->nr_updates;
		dispatcher_commit(d, d->targets, d->nr_targets, true);
		d->nr_updates = updates;
	}
}

/* Index of @addr in @d's targets, or of where it would be inserted. */
static unsigned int dispatcher_search(struct dispatcher *d, unsigned long addr)
{
	unsigned int lo = 0, hi = d->nr_targets;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (d->targets[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct dispatcher_target *dispatcher_find(struct dispatcher *d,
						 unsigned long addr)
{
	unsigned int i = dispatcher_search(d, addr);

	if (i < d->nr_targets && d->targets[i].addr == addr)
		return &d->targets[i];
	return NULL;
}

/*
 * A copy of @d's targets without @del (unless 0) and with @add inserted
 * (unless 0), each with one reference; NULL if out of memory.
 */
static struct dispatcher_target *dispatcher_edit(struct dispatcher *d,
						 unsigned long del,
						 unsigned long add,
						 unsigned int *nr_targets)
{
	struct dispatcher_target *t;
	unsigned int i, n = 0;

	t = kvmalloc_array(d->nr_targets + 1, sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	for (i = 0; i < d->nr_targets; i++) {
		if (add && add < d->targets[i].addr) {
			t[n++] = (struct dispatcher_target){ add, 1 };
			add = 0;
		}
		if (d->targets[i].addr != del)
			t[n++] = d->targets[i];
	}
	if (add)
		t[n++] = (struct dispatcher_target){ add, 1 };
	*nr_targets = n;
	return t;
}

static int dispatcher_check_target(struct dispatcher *d, void *fn)
{
	if (WARN_ONCE(!fn, "dispatcher: NULL target\n"))
		return -EINVAL;
	if (d->jit_targets)
		return 0;
	/* Images are kernel text, but go when they are replaced. */
	if (WARN_ONCE(!kernel_text_address((unsigned long)fn) ||
		      is_dispatcher_text_address((unsigned long)fn),
		      "dispatcher: target %p is not kernel text\n", fn))
		return -EINVAL;
	return 0;
}

/*
 * Remove @del (the target at @t_old) and/or add @add, rebuilding the image.
 * Removing alone never fails.
 */
static int dispatcher_change(struct dispatcher *d,
			     struct dispatcher_target *t_old,
			     unsigned long del, unsigned long add)
{
	struct dispatcher_target *targets;
	unsigned int nr;
	int ret;

	targets = dispatcher_edit(d, del, add, &nr);
	if (!targets) {
		if (add)
			return -ENOMEM;
		/* Unregistering may not fail: drop the slot in place. */
		memmove(t_old, t_old + 1,
			(d->targets + d->nr_targets - t_old - 1) * sizeof(*t_old));
		targets = d->targets;
		nr = d->nr_targets - 1;
	}
	ret = dispatcher_commit(d, targets, nr, !add);
	if (ret)
		kvfree(targets);
	return ret;
}

static int dispatcher_update_locked(struct dispatcher *d, void *old, void *new)
{
	unsigned long del = 0, add = 0;
	struct dispatcher_target *t_old = NULL, *t_new = NULL;
	int ret;

	guard(mutex)(&d->mutex);

	if (old) {
		t_old = dispatcher_find(d, (unsigned long)old);
		if (WARN_ONCE(!t_old, "dispatcher %s: %ps is not registered\n",
			      d->name, old))
			return -ENOENT;
	}
	if (new) {
		t_new = dispatcher_find(d, (unsigned long)new);
		if (WARN_ONCE(t_new && t_new->users == DISPATCHER_MAX_USERS,
			      "dispatcher %s: too many users of %ps\n",
			      d->name, new))
			return -EOVERFLOW;
	}
	if (t_old == t_new && old)
		return 0;	/* Replace a target with itself. */

	if (t_old && t_old->users == 1)
		del = t_old->addr;
	if (new && !t_new)
		add = (unsigned long)new;

	if (del || add) {
		ret = dispatcher_change(d, t_old, del, add);
		if (ret)
			return ret;
		/* The old array is gone; find the slots whose users change. */
		t_old = !del && old ? dispatcher_find(d, (unsigned long)old) : NULL;
		t_new = !add && new ? dispatcher_find(d, (unsigned long)new) : NULL;
	}
	if (t_old)
		t_old->users--;
	if (t_new)
		t_new->users++;
	return 0;
}

/* A registration of @fn failed with @ret: count it, say so, return @ret. */
static int dispatcher_failed(struct dispatcher *d, void *fn, int ret)
{
	atomic_inc(&d->nr_failed);
	pr_warn_ratelimited("dispatcher %s: registering %ps failed: %d\n",
			    d->name, fn, ret);
	return ret;
}

/*
 * Is @d on dispatcher_list?  Only a dispatcher being released leaves it,
 * so a stale answer is "no", and the caller takes dispatcher_list_mutex
 * to look again.
 */
static bool dispatcher_linked(struct dispatcher *d)
{
	return !list_empty_careful(&d->list);
}

static int dispatcher_update(struct dispatcher *d, void *old, void *new)
{
	int ret;

	if (new) {
		ret = dispatcher_check_target(d, new);
		if (ret)
			goto fail;
	}
	if (!new || dispatcher_linked(d)) {
		ret = dispatcher_update_locked(d, old, new);
	} else {
		/*
		 * Linked only once it has a target: a failed update leaves
		 * no trace in the list or in debugfs.
		 */
		guard(mutex)(&dispatcher_list_mutex);
		ret = dispatcher_update_locked(d, old, new);
		if (!ret && list_empty(&d->list)) {
			list_add_tail(&d->list, &dispatcher_list);
			dispatcher_debugfs_add(d);
		}
	}
	if (!ret || !new)
		return ret;
fail:
	return dispatcher_failed(d, new, ret);
}

/**
 * __dispatcher_register - register a target, without the type check
 * @d: the dispatcher
 * @fn: the target
 *
 * dispatcher_register() without the compile-time type check, for adapters
 * that hold targets as untyped addresses.
 *
 * Context: Process context; sleeps.  Takes @d's mutex.
 * Return: As for dispatcher_register().
 */
int __dispatcher_register(struct dispatcher *d, void *fn)
{
	if (!fn)
		return dispatcher_failed(d, fn, dispatcher_check_target(d, fn));
	return dispatcher_update(d, NULL, fn);
}
EXPORT_SYMBOL_GPL(__dispatcher_register);

/**
 * __dispatcher_unregister - unregister a target, without the type check
 * @d: the dispatcher
 * @fn: the target
 *
 * Context: Process context; sleeps.  Takes @d's mutex.
 * Return: As for dispatcher_unregister().
 */
int __dispatcher_unregister(struct dispatcher *d, void *fn)
{
	if (!fn)
		return dispatcher_check_target(d, fn);
	return dispatcher_update(d, fn, NULL);
}
EXPORT_SYMBOL_GPL(__dispatcher_unregister);

/**
 * __dispatcher_replace - replace a registration, without the type check
 * @d: the dispatcher
 * @old: the target losing a reference, or NULL
 * @new: the target gaining one, or NULL
 *
 * As dispatcher_replace(), except that either side may be NULL, which
 * makes it a plain register or unregister; this is the shape of
 * bpf_dispatcher_change_prog().
 *
 * Context: Process context; sleeps.  Takes @d's mutex.
 * Return: As for dispatcher_replace(); -EINVAL if both are NULL.
 */
int __dispatcher_replace(struct dispatcher *d, void *old, void *new)
{
	if (!old && !new)
		return dispatcher_check_target(d, NULL);
	return dispatcher_update(d, old, new);
}
EXPORT_SYMBOL_GPL(__dispatcher_replace);

/**
 * __dispatcher_replace_both - replace a registration, both sides given
 * @d: the dispatcher
 * @old: the target losing a reference
 * @new: the target gaining one
 *
 * dispatcher_replace() after its type check.
 *
 * Context: Process context; sleeps.  Takes @d's mutex.
 * Return: As for dispatcher_replace().
 */
int __dispatcher_replace_both(struct dispatcher *d, void *old, void *new)
{
	if (WARN_ONCE(!old || !new, "dispatcher %s: replacing %ps by %ps\n",
		      d->name, old, new))
		return dispatcher_failed(d, new, -EINVAL);
	return dispatcher_update(d, old, new);
}
EXPORT_SYMBOL_GPL(__dispatcher_replace_both);

/**
 * __dispatcher_bad_context - report a call from a context not allowed
 * @d: the dispatcher called
 *
 * Called by a dispatch function, with CONFIG_PROVE_RCU, when RCU is not
 * watching or a dispatch point defined with DEFINE_DISPATCHER_RCU() is
 * called outside an RCU read-side critical section.  The call goes ahead.
 *
 * Context: Any context.
 */
void __dispatcher_bad_context(struct dispatcher *d)
{
	atomic_inc(&d->nr_bad_context);
	WARN_ONCE(1, "dispatcher %s: called where RCU is not watching%s\n",
		  d->name, d->rcu ? " or outside a read-side critical section" : "");
}
EXPORT_SYMBOL_GPL(__dispatcher_bad_context);

#ifdef CONFIG_MODULES
/*
 * Drop every target inside @mod or, if @release, every target: the
 * dispatcher itself is in @mod and must be left with nothing allocated.
 */
static void dispatcher_evict(struct dispatcher *d, const struct module *mod,
			     bool release)
{
	unsigned int i, n = 0;

	guard(mutex)(&d->mutex);

	for (i = 0; i < d->nr_targets; i++) {
		if (!release && !within_module(d->targets[i].addr, mod))
			d->targets[n++] = d->targets[i];
		else
			pr_debug("dispatcher %s: evicting %ps of %s\n",
				 d->name, (void *)d->targets[i].addr, mod->name);
	}
	/* Shrink in place: the image has its own copy of the addresses. */
	if (n != d->nr_targets)
		dispatcher_commit(d, d->targets, n, true);
	if (release) {
		kvfree(d->targets);
		d->targets = NULL;
	}
}

VISIBLE_IF_KUNIT int dispatcher_module_notify(struct notifier_block *nb,
					      unsigned long action, void *data)
{
	struct module *mod = data;
	struct dispatcher *d, *tmp;

	if (action != MODULE_STATE_GOING)
		return NOTIFY_DONE;

	guard(mutex)(&dispatcher_list_mutex);
	list_for_each_entry_safe(d, tmp, &dispatcher_list, list) {
		bool release = within_module((unsigned long)d, mod);

		dispatcher_evict(d, mod, release);
		if (release) {
			scoped_guard(spinlock, &dispatcher_deferred_lock)
				list_del_init(&d->deferred);
			dispatcher_debugfs_remove(d);
			list_del_init(&d->list);
			dispatcher_learn_free(d);
		}
	}
	return NOTIFY_OK;
}
EXPORT_SYMBOL_IF_KUNIT(dispatcher_module_notify);

static struct notifier_block dispatcher_module_nb = {
	.notifier_call = dispatcher_module_notify,
};

static int __init dispatcher_module_init(void)
{
	return register_module_notifier(&dispatcher_module_nb);
}
core_initcall(dispatcher_module_init);
#endif /* CONFIG_MODULES */

/* Dispatchers that got targets before debugfs was up are added here. */
static int __init dispatcher_debugfs_init(void)
{
	struct dispatcher *d;

	guard(mutex)(&dispatcher_list_mutex);
	dispatcher_debugfs_create_root();
	list_for_each_entry(d, &dispatcher_list, list)
		dispatcher_debugfs_add(d);
	return 0;
}
late_initcall(dispatcher_debugfs_init);
