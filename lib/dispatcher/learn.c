// SPDX-License-Identifier: GPL-2.0-only
/*
 * Learned layouts: which targets a dispatch point calls, how often and how
 * predictably, and the layout of its image that makes those calls cheapest.
 */

/**
 * DOC: learned layouts
 *
 * A balanced tree over every registered target is cheap while the branch
 * predictor follows the calls, and up to four times slower than the plain
 * call it replaces when it cannot (independent random calls over many
 * targets mispredict at every level).  So each dispatch point learns
 * which targets it calls, how often and how predictably, and its image is
 * laid out for that.
 *
 * After every update, and then periodically, a dispatch point learns for
 * one window: its static_call points at its learning function, generated
 * by DEFINE_DISPATCHER() with the dispatch point's prototype, which
 * records the target in a per-CPU profile and makes the plain call.  An
 * update therefore builds no image: the window's end does.  The window
 * closes when one CPU has recorded ``dispatcher.learn_calls`` calls (an
 * irq_work, then a work item); the profile then chooses the layout, the
 * image is built if the layout changed, and the static_call points at it
 * again.  The next window opens ``dispatcher.learn_period_ms`` later,
 * twice as late each time the layout stays the same, up to 64 times.  A
 * dispatch point that is not called leaves its window open and arms no
 * timer.
 *
 * The layout is a hot chain, ``cmp; je target`` for up to eight of the
 * hottest targets in order of calls, then a balanced tree over the next
 * hottest ones, then the jump to the default function for the rest,
 * registered targets never called among them.  Of all such layouts the
 * one of least expected cost for the calls of the window wins, under this
 * model, in tenths of a nanosecond, from ``make bench`` on a retpoline
 * machine (``tools/testing/dispatcher/results/results.md``): a compare and
 * conditional jump costs 4 when predicted and 39 more when not; a call
 * that leaves the image for the default function costs 86, a retpoline.
 * A conditional jump whose own history is all the predictor has guesses
 * the direction most calls take, and is wrong for the smaller share of
 * the calls that reach it.  A predictable sequence (a chain of
 * classifiers called in the same order for every packet, round-robin) is
 * predicted by the global history as well: the profile counts how often a
 * target is the one that followed its predecessor last time, and the
 * mispredictions are scaled by how much worse than that an independent
 * random sequence of the same frequencies would do (0 for a sequence that
 * repeats, 1 for independent calls).  So a target is in the image only
 * while its expected cost there is below the fallback's; a spread of
 * independent calls over many targets gets no image at all, and costs one
 * plain call.
 */

#include <linux/hash.h>
#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/percpu.h>
#include <linux/sort.h>

#include "dispatcher_internal.h"

#ifdef MODULE_PARAM_PREFIX
#undef MODULE_PARAM_PREFIX
#endif
#define MODULE_PARAM_PREFIX "dispatcher."

/* Slots of a CPU's profile (a power of two), and how far a lookup probes. */
#define DISPATCHER_PROF_SLOTS	64
#define DISPATCHER_PROF_PROBE	8
/* Distinct targets a profile keeps; the rest count as "other". */
#define DISPATCHER_PROF_MAX	256
/* Longest hot chain. */
#define DISPATCHER_HOT_MAX	8
/* The period doubles at most this many times. */
#define DISPATCHER_BACKOFF_MAX	6

/* The cost model, in tenths of a nanosecond; see above. */
#define DISPATCHER_COST_BRANCH		4
#define DISPATCHER_COST_MISS		39
#define DISPATCHER_COST_FALLBACK	86

/* A target seen by one CPU: its calls, and what was called after it. */
struct dispatcher_slot {
	unsigned long addr;
	unsigned long next;
	unsigned int calls;
};

/* One CPU's profile of a dispatch point during a window. */
struct dispatcher_pcpu {
	unsigned int calls;
	unsigned int predicted;
	unsigned int other;
	unsigned int last;	/* slot of the last target, or PROF_SLOTS */
	struct dispatcher_slot slot[DISPATCHER_PROF_SLOTS];
};

/* Tunables; see Documentation/core-api/dispatcher.rst. */
static bool dispatcher_learn_on = true;
static unsigned int dispatcher_learn_calls = 4096;
static unsigned int dispatcher_learn_period_ms = 1000;
static unsigned int dispatcher_max_targets = 64;

/* Does @d learn its layout? */
bool dispatcher_learning(struct dispatcher *d)
{
	return READ_ONCE(dispatcher_learn_on) && !d->no_learn;
}

unsigned int dispatcher_cap(void)
{
	return READ_ONCE(dispatcher_max_targets);
}

/**
 * __dispatcher_record - record a call made while a dispatch point learns
 * @d: the dispatch point
 * @fn: the target called
 *
 * Called by the learning function of a dispatch point before it makes the
 * plain call.  The per-CPU profile is statistics: a call interrupted by
 * another on the same CPU may be miscounted, never more.
 *
 * Context: Any context in which the dispatch point may be called.
 */
void __dispatcher_record(struct dispatcher *d, void *fn)
{
	struct dispatcher_learn *l = READ_ONCE(d->learn);
	unsigned long addr = (unsigned long)fn;
	unsigned int i, h, s = DISPATCHER_PROF_SLOTS, last;
	struct dispatcher_pcpu *pc;
	struct dispatcher_slot *sl;

	if (unlikely(!l))
		return;
	preempt_disable_notrace();
	pc = this_cpu_ptr(l->pcpu);
	h = hash_long(addr, ilog2(DISPATCHER_PROF_SLOTS));
	for (i = 0; i < DISPATCHER_PROF_PROBE; i++) {
		sl = &pc->slot[(h + i) % DISPATCHER_PROF_SLOTS];
		if (sl->addr == addr || !sl->addr) {
			sl->addr = addr;
			sl->calls++;
			s = (h + i) % DISPATCHER_PROF_SLOTS;
			break;
		}
	}
	if (s == DISPATCHER_PROF_SLOTS)
		pc->other++;
	/* A reset on another CPU may have scribbled on it: check. */
	last = READ_ONCE(pc->last);
	if (last < DISPATCHER_PROF_SLOTS) {
		sl = &pc->slot[last];
		if (sl->next == addr)
			pc->predicted++;
		sl->next = addr;
	}
	WRITE_ONCE(pc->last, s);
	/*
	 * One irq_work per window: the calls that follow until the work
	 * has switched the static_call must not raise an interrupt each.
	 */
	if (++pc->calls >= READ_ONCE(dispatcher_learn_calls) &&
	    READ_ONCE(l->state) == DISPATCHER_LEARN_WINDOW &&
	    !atomic_read(&l->closing) && !atomic_xchg(&l->closing, 1))
		irq_work_queue(&l->irq_work);
	preempt_enable_notrace();
}
EXPORT_SYMBOL_GPL(__dispatcher_record);

static void dispatcher_learn_irq_work(struct irq_work *work)
{
	struct dispatcher_learn *l =
		container_of(work, struct dispatcher_learn, irq_work);

	queue_work(system_unbound_wq, &l->work);
}

static void dispatcher_learn_work(struct work_struct *work)
{
	struct dispatcher_learn *l =
		container_of(work, struct dispatcher_learn, work);

	dispatcher_relayout_full(l->d);
}

static void dispatcher_learn_period(struct work_struct *work)
{
	struct dispatcher_learn *l =
		container_of(to_delayed_work(work), struct dispatcher_learn,
			     period);

	dispatcher_learn_reopen(l->d);
}

/*
 * Give @d its learning state, once, with its first target; without it
 * @d does not learn.
 */
void dispatcher_learn_alloc(struct dispatcher *d)
{
	struct dispatcher_learn *l;

	lockdep_assert_held(&d->mutex);
	if (d->learn)
		return;
	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return;
	l->pcpu = alloc_percpu(struct dispatcher_pcpu);
	if (!l->pcpu) {
		kfree(l);
		return;
	}
	l->d = d;
	init_irq_work(&l->irq_work, dispatcher_learn_irq_work);
	INIT_WORK(&l->work, dispatcher_learn_work);
	INIT_DELAYED_WORK(&l->period, dispatcher_learn_period);
	WRITE_ONCE(d->learn, l);
}

/* @d is being released: no call through it can come any more. */
void dispatcher_learn_free(struct dispatcher *d)
{
	struct dispatcher_learn *l = d->learn;

	if (!l)
		return;
	scoped_guard(mutex, &d->mutex)
		WRITE_ONCE(l->state, DISPATCHER_LEARN_DEAD);
	irq_work_sync(&l->irq_work);
	cancel_work_sync(&l->work);
	cancel_delayed_work_sync(&l->period);
	WRITE_ONCE(d->learn, NULL);
	free_percpu(l->pcpu);
	kvfree(l->prof);
	kfree(l);
}

/* Open a window: an empty profile, then the static_call may point at it. */
void dispatcher_learn_open(struct dispatcher *d)
{
	struct dispatcher_learn *l = d->learn;
	struct dispatcher_pcpu *pc;
	int cpu;

	lockdep_assert_held(&d->mutex);
	if (l->state == DISPATCHER_LEARN_DEAD)
		return;
	cancel_delayed_work(&l->period);
	for_each_possible_cpu(cpu) {
		pc = per_cpu_ptr(l->pcpu, cpu);
		memset(pc, 0, sizeof(*pc));
		WRITE_ONCE(pc->last, DISPATCHER_PROF_SLOTS);
	}
	atomic_set(&l->closing, 0);
	WRITE_ONCE(l->state, DISPATCHER_LEARN_WINDOW);
}

/*
 * Has a CPU recorded learn_calls calls in @d's open window?  Not if the
 * window was opened after the work that asks was queued.
 */
bool dispatcher_learn_full(struct dispatcher *d)
{
	unsigned int n = READ_ONCE(dispatcher_learn_calls);
	int cpu;

	lockdep_assert_held(&d->mutex);
	if (!dispatcher_learn_window(d))
		return false;
	for_each_possible_cpu(cpu)
		if (READ_ONCE(per_cpu_ptr(d->learn->pcpu, cpu)->calls) >= n)
			return true;
	return false;
}

/* Is @d learning, so that its static_call points at the learning function? */
bool dispatcher_learn_window(struct dispatcher *d)
{
	return d->learn && d->learn->state == DISPATCHER_LEARN_WINDOW;
}

static int dispatcher_prof_cmp_addr(const void *a, const void *b)
{
	const struct dispatcher_prof_entry *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Most calls first; equal calls by address, so that ties are stable. */
static int dispatcher_prof_cmp_calls(const void *a, const void *b)
{
	const struct dispatcher_prof_entry *x = a, *y = b;

	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return dispatcher_prof_cmp_addr(a, b);
}

/*
 * Close @d's window: merge the CPUs' profiles into &dispatcher_learn.prof,
 * the hottest first.  Returns false if there was no window to close.
 */
bool dispatcher_learn_close(struct dispatcher *d)
{
	struct dispatcher_learn *l = d->learn;
	struct dispatcher_prof_entry *e;
	unsigned long calls = 0, predicted = 0, other = 0;
	unsigned int n = 0, i, j, cpu;
	u64 sq = 0;

	lockdep_assert_held(&d->mutex);
	if (!l || l->state != DISPATCHER_LEARN_WINDOW)
		return false;
	WRITE_ONCE(l->state, DISPATCHER_LEARN_STEADY);
	l->nr_windows++;

	e = kvmalloc_array(num_possible_cpus(), DISPATCHER_PROF_SLOTS *
			   sizeof(*e), GFP_KERNEL);
	if (!e)
		return true;	/* The last profile stays. */
	for_each_possible_cpu(cpu) {
		const struct dispatcher_pcpu *pc = per_cpu_ptr(l->pcpu, cpu);

		calls += READ_ONCE(pc->calls);
		predicted += READ_ONCE(pc->predicted);
		other += READ_ONCE(pc->other);
		for (i = 0; i < DISPATCHER_PROF_SLOTS; i++) {
			unsigned long addr = READ_ONCE(pc->slot[i].addr);
			unsigned int c = READ_ONCE(pc->slot[i].calls);

			if (addr && c)
				e[n++] = (struct dispatcher_prof_entry){ addr, c };
		}
	}
	/* One entry per target, the hottest first. */
	sort(e, n, sizeof(*e), dispatcher_prof_cmp_addr, NULL);
	for (i = 0, j = 0; i < n; i++) {
		if (j && e[j - 1].addr == e[i].addr)
			e[j - 1].calls += e[i].calls;
		else
			e[j++] = e[i];
	}
	n = j;
	sort(e, n, sizeof(*e), dispatcher_prof_cmp_calls, NULL);
	for (i = DISPATCHER_PROF_MAX; i < n; i++)
		other += e[i].calls;
	n = min(n, DISPATCHER_PROF_MAX);

	/*
	 * Unpredictability: how often the last-successor guess failed,
	 * relative to how often it fails on an independent random sequence
	 * of the same frequencies (1 - sum of squared frequencies).
	 */
	calls = max(calls, 1UL);
	for (i = 0; i < n; i++)
		sq += div64_u64((u64)e[i].calls * 1000, calls) * e[i].calls;
	sq = min_t(u64, div64_u64(sq, calls), 1000);
	predicted = min(predicted, calls);
	if (sq >= 1000)
		l->unpredictable = 0;
	else
		l->unpredictable = min_t(u64, 1000, div64_u64((u64)(calls - predicted) *
						 1000 * 1000, calls * (1000 - sq)));

	kvfree(l->prof);
	l->prof = e;
	l->nr_prof = n;
	l->calls = calls;
	l->predicted = predicted;
	l->other = other;
	l->learned_at = jiffies;
	return true;
}

/*
 * The window closed and the layout is in place: arm the next window, as
 * late again as the last one if the layout did not change.
 */
void dispatcher_learn_arm(struct dispatcher *d, bool changed)
{
	struct dispatcher_learn *l = d->learn;
	unsigned long delay;

	lockdep_assert_held(&d->mutex);
	if (!l || l->state != DISPATCHER_LEARN_STEADY || !dispatcher_learning(d))
		return;
	if (changed) {
		l->nr_relayouts++;
		l->shift = 0;
	} else if (l->shift < DISPATCHER_BACKOFF_MAX) {
		l->shift++;
	}
	delay = msecs_to_jiffies(READ_ONCE(dispatcher_learn_period_ms)) << l->shift;
	queue_delayed_work(system_unbound_wq, &l->period, delay);
}

/* Scratch of one choice: the registered targets seen, the hottest first. */
struct dispatcher_chooser {
	const struct dispatcher_prof_entry *seen;	/* registered, seen */
	unsigned int nr_seen;
	const struct dispatcher_prof_entry *all;	/* by address */
	unsigned int nr_all;
	unsigned long total;		/* every call of the window */
	unsigned long unknown;		/* calls to targets not in @all */
	unsigned int unpredictable;	/* permille */
	/* per tree candidate */
	unsigned long *tree;		/* by address */
	unsigned long *leaf_calls;	/* every call that reaches leaf i */
	unsigned long *leaf_hits;	/* calls to the target of leaf i */
};

/* Cost of a branch reached by @reach calls, @taken of which it takes. */
static u64 dispatcher_branch_cost(const struct dispatcher_chooser *c,
				  unsigned long reach, unsigned long taken)
{
	unsigned long minor = min(taken, reach - taken);

	return (u64)reach * DISPATCHER_COST_BRANCH +
	       div_u64((u64)minor * DISPATCHER_COST_MISS * c->unpredictable, 1000);
}

/* Cost of the subtree over leaves [lo, hi), the way emit_tree() splits. */
static u64 dispatcher_tree_cost(const struct dispatcher_chooser *c,
				unsigned int lo, unsigned int hi)
{
	unsigned long reach = 0, right = 0;
	unsigned int mid, i;

	if (hi - lo == 1)
		return dispatcher_branch_cost(c, c->leaf_calls[lo],
					      c->leaf_hits[lo]);
	mid = lo + (hi - lo) / 2;
	for (i = lo; i < hi; i++) {
		reach += c->leaf_calls[i];
		if (i >= mid)
			right += c->leaf_calls[i];
	}
	return dispatcher_branch_cost(c, reach, right) +
	       dispatcher_tree_cost(c, lo, mid) + dispatcher_tree_cost(c, mid, hi);
}

static int dispatcher_ulong_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/*
 * Expected cost of all the window's calls with seen[0..k) in the hot chain
 * and seen[k..k + m) in the tree.
 */
static u64 dispatcher_plan_cost(struct dispatcher_chooser *c, unsigned int k,
				unsigned int m)
{
	unsigned long reach = c->total, in_image = 0;
	unsigned int i, j;
	u64 cost = 0;

	for (i = 0; i < k; i++) {
		cost += dispatcher_branch_cost(c, reach, c->seen[i].calls);
		reach -= c->seen[i].calls;
		in_image += c->seen[i].calls;
	}
	if (m) {
		for (i = 0; i < m; i++)
			c->tree[i] = c->seen[k + i].addr;
		sort(c->tree, m, sizeof(*c->tree), dispatcher_ulong_cmp, NULL);
		memset(c->leaf_calls, 0, m * sizeof(*c->leaf_calls));
		memset(c->leaf_hits, 0, m * sizeof(*c->leaf_hits));
		/* Each call the chain let through ends in one leaf. */
		for (i = 0, j = 0; i < c->nr_all; i++) {
			unsigned long addr = c->all[i].addr;
			unsigned int h;

			for (h = 0; h < k; h++)
				if (c->seen[h].addr == addr)
					break;
			if (h < k)
				continue;
			while (j < m - 1 && c->tree[j] < addr)
				j++;
			c->leaf_calls[j] += c->all[i].calls;
			if (c->tree[j] == addr) {
				c->leaf_hits[j] += c->all[i].calls;
				in_image += c->all[i].calls;
			}
		}
		cost += dispatcher_tree_cost(c, 0, m);
		/* Calls to unknown targets go down some path of the tree. */
		cost += (u64)c->unknown * DISPATCHER_COST_BRANCH *
			(order_base_2(m) + 1);
	}
	return cost + (u64)(c->total - in_image) * DISPATCHER_COST_FALLBACK;
}

/* The next tree size to cost after @m: each up to 16, then 1.25 times. */
static unsigned int dispatcher_next_m(unsigned int m)
{
	return m < 16 ? m + 1 : m + m / 4;
}

/* Index of @addr in @targets, or @nr. */
static unsigned int dispatcher_index(const struct dispatcher_target *targets,
				     unsigned int nr, unsigned long addr)
{
	unsigned int lo = 0, hi = nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (targets[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nr && targets[lo].addr == addr ? lo : nr;
}

/*
 * The layout without a profile, or with learning off: the balanced tree
 * over the registered targets, or over the cap's worth of them: the
 * hottest of the last profile, then the lowest addresses.
 */
static int dispatcher_plan_default(struct dispatcher *d,
				   const struct dispatcher_target *targets,
				   unsigned int nr, struct dispatcher_plan *plan)
{
	struct dispatcher_learn *l = d->learn;
	unsigned int cap = dispatcher_cap(), n = 0, i, k;
	struct dispatcher_target *tree;
	unsigned long *pick;

	tree = kvmalloc_array(min(nr, cap), sizeof(*tree), GFP_KERNEL);
	if (!tree)
		return -ENOMEM;
	plan->tree = tree;
	plan->nr_tree = min(nr, cap);
	if (nr <= cap) {
		memcpy(tree, targets, nr * sizeof(*tree));
		return 0;
	}
	pick = bitmap_zalloc(nr, GFP_KERNEL);
	if (!pick) {
		kvfree(tree);
		plan->tree = NULL;
		return -ENOMEM;
	}
	for (i = 0; l && i < l->nr_prof && n < cap; i++) {
		k = dispatcher_index(targets, nr, l->prof[i].addr);
		if (k < nr && !test_and_set_bit(k, pick))
			n++;
	}
	for (i = 0; i < nr && n < cap; i++)
		if (!test_and_set_bit(i, pick))
			n++;
	n = 0;
	for_each_set_bit(i, pick, nr)
		tree[n++] = targets[i];
	bitmap_free(pick);
	return 0;
}

/**
 * dispatcher_plan_choose - choose the layout of @d's image
 * @d: the dispatch point
 * @targets: its registered targets, sorted by address
 * @nr: number of entries in @targets
 * @plan: the layout, allocated here; dispatcher_plan_free() frees it
 *
 * With learning and a profile, the layout of least expected cost for the
 * calls profiled (see the top of this file); otherwise the balanced tree.
 * Targets never seen in the profile are left to the default function.
 *
 * Return: 0 or -ENOMEM.
 */
int dispatcher_plan_choose(struct dispatcher *d,
			   const struct dispatcher_target *targets,
			   unsigned int nr, struct dispatcher_plan *plan)
{
	struct dispatcher_learn *l = d->learn;
	struct dispatcher_prof_entry *seen = NULL, *all = NULL;
	struct dispatcher_chooser c = { };
	unsigned int cap = dispatcher_cap(), i, k, m, best_k = 0, best_m = 0;
	u64 cost, best;
	int ret = -ENOMEM;

	lockdep_assert_held(&d->mutex);
	memset(plan, 0, sizeof(*plan));
	if (!nr)
		return 0;
	if (!dispatcher_learning(d) || !l || !l->nr_prof)
		return dispatcher_plan_default(d, targets, nr, plan);

	seen = kvmalloc_array(l->nr_prof, sizeof(*seen), GFP_KERNEL);
	all = kvmalloc_array(l->nr_prof, sizeof(*all), GFP_KERNEL);
	c.tree = kvmalloc_array(l->nr_prof, sizeof(*c.tree), GFP_KERNEL);
	c.leaf_calls = kvmalloc_array(l->nr_prof, sizeof(*c.leaf_calls), GFP_KERNEL);
	c.leaf_hits = kvmalloc_array(l->nr_prof, sizeof(*c.leaf_hits), GFP_KERNEL);
	if (!seen || !all || !c.tree || !c.leaf_calls || !c.leaf_hits)
		goto out;
	for (i = 0; i < l->nr_prof; i++) {
		all[i] = l->prof[i];
		if (dispatcher_index(targets, nr, l->prof[i].addr) < nr)
			seen[c.nr_seen++] = l->prof[i];
		c.total += l->prof[i].calls;
	}
	c.unknown = l->other;
	c.total += c.unknown;
	c.nr_all = l->nr_prof;
	sort(all, c.nr_all, sizeof(*all), dispatcher_prof_cmp_addr, NULL);
	c.seen = seen;
	c.all = all;
	c.unpredictable = l->unpredictable;

	best = (u64)c.total * DISPATCHER_COST_FALLBACK;
	for (k = 0; k <= min3(c.nr_seen, cap, DISPATCHER_HOT_MAX); k++) {
		unsigned int max_m = min(c.nr_seen, cap) - k;

		for (m = 0; ; m = dispatcher_next_m(m)) {
			m = min(m, max_m);
			if (k + m) {
				cost = dispatcher_plan_cost(&c, k, m);
				/* Ties go to the smaller image. */
				if (cost < best) {
					best = cost;
					best_k = k;
					best_m = m;
				}
			}
			if (m == max_m)
				break;
		}
	}

	ret = 0;
	if (!best_k && !best_m)
		goto out;
	plan->hot = kvmalloc_array(max(best_k, 1U), sizeof(*plan->hot), GFP_KERNEL);
	plan->tree = kvmalloc_array(max(best_m, 1U), sizeof(*plan->tree), GFP_KERNEL);
	if (!plan->hot || !plan->tree) {
		dispatcher_plan_free(plan);
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < best_k; i++)
		plan->hot[i] = seen[i].addr;
	plan->nr_hot = best_k;
	for (i = 0; i < best_m; i++)
		plan->tree[i] = targets[dispatcher_index(targets, nr,
							 seen[best_k + i].addr)];
	sort(plan->tree, best_m, sizeof(*plan->tree), dispatcher_ulong_cmp, NULL);
	plan->nr_tree = best_m;
out:
	kvfree(c.leaf_hits);
	kvfree(c.leaf_calls);
	kvfree(c.tree);
	kvfree(all);
	kvfree(seen);
	return ret;
}

void dispatcher_plan_free(struct dispatcher_plan *plan)
{
	kvfree(plan->hot);
	kvfree(plan->tree);
	memset(plan, 0, sizeof(*plan));
}

/* Do @a and @b lay out the same image? */
bool dispatcher_plan_equal(const struct dispatcher_plan *a,
			   const struct dispatcher_plan *b)
{
	unsigned int i;

	if (a->nr_hot != b->nr_hot || a->nr_tree != b->nr_tree)
		return false;
	for (i = 0; i < a->nr_tree; i++)
		if (a->tree[i].addr != b->tree[i].addr)
			return false;
	return !a->nr_hot || !memcmp(a->hot, b->hot, a->nr_hot * sizeof(*a->hot));
}

/*
 * The tunables, under /sys/module/dispatcher/parameters/ and as
 * dispatcher.<name>= on the kernel command line.  A bad value is refused
 * with -EINVAL and changes nothing.  learn and max_targets apply to every
 * dispatch point at once; the others at the next window.
 */
static int dispatcher_param_uint(const char *val, const struct kernel_param *kp,
				 unsigned int min, unsigned int max)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < min || v > max)
		return -EINVAL;
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return 0;
}

static int dispatcher_set_learn(const char *val, const struct kernel_param *kp)
{
	bool v, old = READ_ONCE(dispatcher_learn_on);

	if (kstrtobool(val, &v))
		return -EINVAL;
	WRITE_ONCE(dispatcher_learn_on, v);
	if (v != old && system_state != SYSTEM_BOOTING)
		dispatcher_relayout_all();
	return 0;
}

static int dispatcher_set_learn_calls(const char *val,
				      const struct kernel_param *kp)
{
	return dispatcher_param_uint(val, kp, 16, 1 << 24);
}

static int dispatcher_set_period(const char *val, const struct kernel_param *kp)
{
	return dispatcher_param_uint(val, kp, 1, 3600 * MSEC_PER_SEC);
}

static int dispatcher_set_max_targets(const char *val,
				      const struct kernel_param *kp)
{
	unsigned int old = READ_ONCE(dispatcher_max_targets);
	int ret = dispatcher_param_uint(val, kp, 1, 65536);

	if (!ret && old != READ_ONCE(dispatcher_max_targets) &&
	    system_state != SYSTEM_BOOTING)
		dispatcher_relayout_all();
	return ret;
}

static const struct kernel_param_ops dispatcher_learn_ops = {
	.set	= dispatcher_set_learn,
	.get	= param_get_bool,
};

static const struct kernel_param_ops dispatcher_learn_calls_ops = {
	.set	= dispatcher_set_learn_calls,
	.get	= param_get_uint,
};

static const struct kernel_param_ops dispatcher_period_ops = {
	.set	= dispatcher_set_period,
	.get	= param_get_uint,
};

static const struct kernel_param_ops dispatcher_max_targets_ops = {
	.set	= dispatcher_set_max_targets,
	.get	= param_get_uint,
};

module_param_cb(learn, &dispatcher_learn_ops, &dispatcher_learn_on, 0644);
MODULE_PARM_DESC(learn, "Lay images out by the calls made (default: on)");
module_param_cb(learn_calls, &dispatcher_learn_calls_ops,
		&dispatcher_learn_calls, 0644);
MODULE_PARM_DESC(learn_calls, "Calls on one CPU that end a learning window (16..16777216, default: 4096)");
module_param_cb(learn_period_ms, &dispatcher_period_ops,
		&dispatcher_learn_period_ms, 0644);
MODULE_PARM_DESC(learn_period_ms, "Milliseconds from a layout to the next learning window, doubled while the layout stays (1..3600000, default: 1000)");
module_param_cb(max_targets, &dispatcher_max_targets_ops,
		&dispatcher_max_targets, 0644);
MODULE_PARM_DESC(max_targets, "Most targets in one image (1..65536, default: 64)");

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * dispatcher_tunable - set a tunable as writing its parameter file does
 * @name: "learn", "learn_calls", "learn_period_ms" or "max_targets"
 * @val: the new value, as text; NULL to read the value only
 * @old: if not NULL, receives the old value
 *
 * For the tests.
 *
 * Context: Process context; sleeps.
 * Return: 0, or -EINVAL for a bad value (nothing changes) or name.
 */
int dispatcher_tunable(const char *name, const char *val, unsigned int *old)
{
	static const struct {
		const char *name;
		const struct kernel_param_ops *ops;
		void *arg;
	} t[] = {
		{ "learn", &dispatcher_learn_ops, &dispatcher_learn_on },
		{ "learn_calls", &dispatcher_learn_calls_ops, &dispatcher_learn_calls },
		{ "learn_period_ms", &dispatcher_period_ops, &dispatcher_learn_period_ms },
		{ "max_targets", &dispatcher_max_targets_ops, &dispatcher_max_targets },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct kernel_param kp = { .name = t[i].name, .ops = t[i].ops,
					   .arg = t[i].arg };

		if (strcmp(name, t[i].name))
			continue;
		if (old)
			*old = t[i].arg == &dispatcher_learn_on ?
			       READ_ONCE(dispatcher_learn_on) :
			       READ_ONCE(*(unsigned int *)t[i].arg);
		return val ? t[i].ops->set(val, &kp) : 0;
	}
	return -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(dispatcher_tunable);
#endif
