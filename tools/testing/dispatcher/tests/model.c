// SPDX-License-Identifier: GPL-2.0
/*
 * Model-based random test: DT_OPS (default 1,000,000) random operations on
 * three dispatch points (0, 2 and 5 arguments, so the target travels in
 * %rdi, %rdx and %r9) over C functions, generated code near the images
 * (grouped in simulated modules) and code out of their reach: calls,
 * register, unregister, replace, bad input, mode, CPU feature and CFI mode
 * changes, allocation failures, module unloads, barriers, and learned
 * layouts: learning turned on and off, windows closed
 * (dispatcher_relayout()) and reopened (dispatcher_learn_reopen()).  A
 * plain reference model (reference counts per candidate target) predicts
 * every return value and call result; after each update the dispatcher's
 * sorted target array must equal the model, its image must exist exactly
 * when the model says (or, if the update was deferred because too many
 * images were retiring, may be missing until a barrier), and from time to
 * time the image is walked and emulated for every target.  With learning
 * on, an update opens a window and leaves no image (the static call at the
 * learning function) until the window closes; the image laid out then
 * holds only registered targets called in the window (all of them if none
 * was called: no profile, the tree).  Windows close only
 * when the model closes them (learn_calls and the period are out of
 * reach here; learn.c covers both).  The seed is printed; DT_SEED=<seed>
 * replays a run.
 */
#include <string.h>
#include <sys/random.h>

#include <linux/cfi.h>
#include <linux/mm.h>

#include "common.h"

DEFINE_DISPATCHER(m0, long);
DEFINE_DISPATCHER(m2, long, long, a, long, b);
DEFINE_DISPATCHER(m5, long, long, a, long, b, long, c, long, d, long, e);

#define MID(arity, n)	((arity) * 1000000L + (n) * 1000L)

/* Each returns its id, MID(arity, number), plus its first argument. */
static noinline long m0_10(void) { return 10000; }
static noinline long m0_11(void) { return 11000; }
static noinline long m0_12(void) { return 12000; }
static noinline long m0_13(void) { return 13000; }
static noinline long m0_14(void) { return 14000; }
static noinline long m0_15(void) { return 15000; }
static noinline long m0_16(void) { return 16000; }
static noinline long m0_17(void) { return 17000; }
static noinline long m0_20(void) { return 20000; }
static noinline long m0_21(void) { return 21000; }
static noinline long m0_22(void) { return 22000; }
static noinline long m0_23(void) { return 23000; }
static noinline long m0_24(void) { return 24000; }
static noinline long m0_25(void) { return 25000; }
static noinline long m0_26(void) { return 26000; }
static noinline long m0_27(void) { return 27000; }
static noinline long m0_30(void) { return 30000; }
static noinline long m0_31(void) { return 31000; }
static noinline long m0_32(void) { return 32000; }
static noinline long m0_33(void) { return 33000; }
static noinline long m0_34(void) { return 34000; }
static noinline long m0_35(void) { return 35000; }
static noinline long m0_36(void) { return 36000; }
static noinline long m0_37(void) { return 37000; }
static noinline long m0_40(void) { return 40000; }
static noinline long m2_10(long a, long b) { return 2010000 + a; }
static noinline long m2_11(long a, long b) { return 2011000 + a; }
static noinline long m2_12(long a, long b) { return 2012000 + a; }
static noinline long m2_13(long a, long b) { return 2013000 + a; }
static noinline long m2_14(long a, long b) { return 2014000 + a; }
static noinline long m2_15(long a, long b) { return 2015000 + a; }
static noinline long m2_16(long a, long b) { return 2016000 + a; }
static noinline long m2_17(long a, long b) { return 2017000 + a; }
static noinline long m2_20(long a, long b) { return 2020000 + a; }
static noinline long m2_21(long a, long b) { return 2021000 + a; }
static noinline long m2_22(long a, long b) { return 2022000 + a; }
static noinline long m2_23(long a, long b) { return 2023000 + a; }
static noinline long m2_24(long a, long b) { return 2024000 + a; }
static noinline long m2_25(long a, long b) { return 2025000 + a; }
static noinline long m2_26(long a, long b) { return 2026000 + a; }
static noinline long m2_27(long a, long b) { return 2027000 + a; }
static noinline long m2_30(long a, long b) { return 2030000 + a; }
static noinline long m2_31(long a, long b) { return 2031000 + a; }
static noinline long m2_32(long a, long b) { return 2032000 + a; }
static noinline long m2_33(long a, long b) { return 2033000 + a; }
static noinline long m2_34(long a, long b) { return 2034000 + a; }
static noinline long m2_35(long a, long b) { return 2035000 + a; }
static noinline long m2_36(long a, long b) { return 2036000 + a; }
static noinline long m2_37(long a, long b) { return 2037000 + a; }
static noinline long m2_40(long a, long b) { return 2040000 + a; }
static noinline long m5_10(long a, long b, long c, long d, long e) { return 5010000 + a; }
static noinline long m5_11(long a, long b, long c, long d, long e) { return 5011000 + a; }
static noinline long m5_12(long a, long b, long c, long d, long e) { return 5012000 + a; }
static noinline long m5_13(long a, long b, long c, long d, long e) { return 5013000 + a; }
static noinline long m5_14(long a, long b, long c, long d, long e) { return 5014000 + a; }
static noinline long m5_15(long a, long b, long c, long d, long e) { return 5015000 + a; }
static noinline long m5_16(long a, long b, long c, long d, long e) { return 5016000 + a; }
static noinline long m5_17(long a, long b, long c, long d, long e) { return 5017000 + a; }
static noinline long m5_20(long a, long b, long c, long d, long e) { return 5020000 + a; }
static noinline long m5_21(long a, long b, long c, long d, long e) { return 5021000 + a; }
static noinline long m5_22(long a, long b, long c, long d, long e) { return 5022000 + a; }
static noinline long m5_23(long a, long b, long c, long d, long e) { return 5023000 + a; }
static noinline long m5_24(long a, long b, long c, long d, long e) { return 5024000 + a; }
static noinline long m5_25(long a, long b, long c, long d, long e) { return 5025000 + a; }
static noinline long m5_26(long a, long b, long c, long d, long e) { return 5026000 + a; }
static noinline long m5_27(long a, long b, long c, long d, long e) { return 5027000 + a; }
static noinline long m5_30(long a, long b, long c, long d, long e) { return 5030000 + a; }
static noinline long m5_31(long a, long b, long c, long d, long e) { return 5031000 + a; }
static noinline long m5_32(long a, long b, long c, long d, long e) { return 5032000 + a; }
static noinline long m5_33(long a, long b, long c, long d, long e) { return 5033000 + a; }
static noinline long m5_34(long a, long b, long c, long d, long e) { return 5034000 + a; }
static noinline long m5_35(long a, long b, long c, long d, long e) { return 5035000 + a; }
static noinline long m5_36(long a, long b, long c, long d, long e) { return 5036000 + a; }
static noinline long m5_37(long a, long b, long c, long d, long e) { return 5037000 + a; }
static noinline long m5_40(long a, long b, long c, long d, long e) { return 5040000 + a; }

static void *const m0_c[] = {
	m0_10, m0_11, m0_12, m0_13, m0_14, m0_15, m0_16, m0_17, m0_20, m0_21,
	m0_22, m0_23, m0_24, m0_25, m0_26, m0_27, m0_30, m0_31, m0_32, m0_33,
	m0_34, m0_35, m0_36, m0_37
};

static void *const m2_c[] = {
	m2_10, m2_11, m2_12, m2_13, m2_14, m2_15, m2_16, m2_17, m2_20, m2_21,
	m2_22, m2_23, m2_24, m2_25, m2_26, m2_27, m2_30, m2_31, m2_32, m2_33,
	m2_34, m2_35, m2_36, m2_37
};

static void *const m5_c[] = {
	m5_10, m5_11, m5_12, m5_13, m5_14, m5_15, m5_16, m5_17, m5_20, m5_21,
	m5_22, m5_23, m5_24, m5_25, m5_26, m5_27, m5_30, m5_31, m5_32, m5_33,
	m5_34, m5_35, m5_36, m5_37
};

#define NR_C		ARRAY_SIZE(m0_c)
#define NR_MODS		4
#define MOD_ARG		4	/* stubs with an argument per module */
#define MOD_NOARG	2	/* and without */
#define NR_FAR_ARG	4
#define NR_FAR_NOARG	2
#define MAX_CANDS	(NR_C + NR_MODS * MOD_ARG + NR_FAR_ARG + 3)

struct cand {
	void *fn;
	long id;
	bool arg;	/* adds its first argument */
	int mod;	/* simulated module holding it, or -1 */
	int bad;	/* 0, or the error registering it returns */
};

/* What the model knows of a point's image (see check_point()). */
enum image_rule {
	IMAGE_TREE,	/* built at the last update: the balanced tree */
	IMAGE_NONE,	/* none: an update opened a learning window */
	IMAGE_LEARNED,	/* laid out for the calls of the last window */
	IMAGE_KEPT,	/* the one there was when the period reopened a window */
};

struct point {
	struct dispatcher *d;
	const char *name;
	unsigned int nr_args;
	struct cand cands[MAX_CANDS];
	unsigned int nr_cands;
	unsigned int users[MAX_CANDS];
	unsigned int order[MAX_CANDS];	/* good candidates by address */
	unsigned int nr_good;
	void *rebuild;			/* a target outside the model */
	bool built_wanted;		/* JIT wanted at the last rebuild */
	bool deferred;			/* the last rebuild was deferred */
	unsigned long deferred_at;	/* nr_deferred the model last saw */
	unsigned long built_op, built_caps, built_updates;
	bool window;			/* a learning window is open */
	enum image_rule rule;
	void *kept;			/* IMAGE_KEPT's image */
	bool called[MAX_CANDS];		/* called in the last window */
	bool any_called;		/* of them */
	bool learn_missing;		/* learning, but no learning state */
};

static struct point points[3];
static bool model_learn;		/* dispatcher.learn */
static struct module mods[NR_MODS];
static bool mod_live[NR_MODS];
static int data_word;
static u64 rnd;
static unsigned long op_nr;
static char last_ops[16][128];

static long expect_value(const struct cand *c, long a)
{
	return c->id + (c->arg ? a : 0);
}

static long call(struct point *p, const struct cand *c, long a)
{
	switch (p->nr_args) {
	case 0:
		return dispatcher_call(m0, (DISPATCHER_FN_T(m0))c->fn);
	case 2:
		return dispatcher_call(m2, (DISPATCHER_FN_T(m2))c->fn, a, ~a);
	default:
		return dispatcher_call(m5, (DISPATCHER_FN_T(m5))c->fn, a, 2, 3,
				       4, -a);
	}
}

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_ops[op_nr % ARRAY_SIZE(last_ops)], sizeof(last_ops[0]),
		  fmt, ap);
	va_end(ap);
}

static unsigned long seed;

/* Report the first divergence with what led to it, and stop. */
static bool diverged(const char *fmt, ...)
{
	unsigned long i;
	va_list ap;

	fprintf(stderr, "    model_random: divergence at operation %lu: ", op_nr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n    last operations:\n");
	for (i = op_nr > 15 ? op_nr - 15 : 0; i <= op_nr; i++)
		fprintf(stderr, "      %lu: %s\n", i, last_ops[i % ARRAY_SIZE(last_ops)]);
	fprintf(stderr, "    seed %#lx: replay with DT_SEED=%#lx harness --run model_random\n",
		seed, seed);
	dt_failures++;
	return false;
}

/* The model's dispatcher=auto|on|off: an index in mode_params[]. */
static int model_mode;

static bool jit_wanted(void)
{
	if (model_mode == 1)
		return true;
	if (model_mode == 2)
		return false;
	/* Retpolines only: the ITS thunk alone does not want images. */
	return dt_cpu_caps & DT_CAP(X86_FEATURE_RETPOLINE);
}

/* When and how @p's image was last built, for a report. */
static const char *built_when(struct point *p)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "built at operation %lu with caps %#lx, %s %lu",
		 p->built_op, p->built_caps, "updates then and now:",
		 p->built_updates);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "/%lu",
		 p->d->nr_updates);
	return buf;
}

static bool has_targets(struct point *p)
{
	unsigned int k;

	for (k = 0; k < p->nr_cands; k++)
		if (p->users[k])
			return true;
	return false;
}

/* A window opens: nothing called in it yet. */
static void window_opens(struct point *p, enum image_rule rule)
{
	p->window = true;
	p->rule = rule;
	memset(p->called, 0, sizeof(p->called));
	p->any_called = false;
}

static const char *const rule_names[] = {
	[IMAGE_TREE] = "tree", [IMAGE_NONE] = "none",
	[IMAGE_LEARNED] = "learned", [IMAGE_KEPT] = "kept",
};

/*
 * Does @img, laid out for the last window of @p, hold only registered
 * targets called in that window?  The dispatcher's mutex held.
 */
static bool learned_ok(struct point *p, const struct dispatcher_image *img)
{
	unsigned int i, k, placed = img->plan.nr_hot + img->plan.nr_tree;

	for (i = 0; i < placed; i++) {
		unsigned long addr = i < img->plan.nr_hot ? img->plan.hot[i] :
				     img->plan.tree[i - img->plan.nr_hot].addr;

		for (k = 0; k < p->nr_cands; k++)
			if ((unsigned long)p->cands[k].fn == addr)
				break;
		if (k == p->nr_cands || !p->users[k] || !p->called[k])
			return false;
	}
	return placed;
}

/* The dispatcher's targets and image agree with the model. */
static bool check_point(struct point *p, bool deep)
{
	struct dispatcher *d = p->d;
	unsigned int i, n = 0;
	bool ok = true, image, window, learned = true, deferred;
	void *img;

	mutex_lock(&d->mutex);
	for (i = 0; i < p->nr_good && ok; i++) {
		unsigned int k = p->order[i];

		if (!p->users[k])
			continue;
		ok = n < d->nr_targets &&
		     d->targets[n].addr == (unsigned long)p->cands[k].fn &&
		     d->targets[n].users == p->users[k];
		n++;
	}
	ok = ok && n == d->nr_targets;
	img = d->image;
	image = img;
	window = dispatcher_learn_window(d);
	/*
	 * The work item that builds deferred images may have run since:
	 * after a build that failed (jit_err) it tries again, and may be
	 * deferred again (jit_err 0, still no image).
	 */
	deferred = p->deferred || d->nr_deferred != p->deferred_at;
	if (img && p->rule == IMAGE_LEARNED && !deferred)
		learned = learned_ok(p, img);
	/*
	 * And with learning on, where the learning state could not be
	 * allocated at the last update, it tries again, and may open a
	 * window: the model follows, not knowing which calls it saw.
	 */
	if (window && !p->window && p->learn_missing && d->learn) {
		window_opens(p, IMAGE_NONE);
		memset(p->called, 1, sizeof(p->called));
		p->any_called = true;
		p->learn_missing = false;
	}
	mutex_unlock(&d->mutex);
	if (!ok)
		return diverged("%s: targets differ from the model", p->name);
	if (window != p->window)
		return diverged("%s: learning window %s, the model's %s", p->name,
				window ? "open" : "closed",
				p->window ? "open" : "closed");
	switch (p->rule) {
	case IMAGE_TREE:
		/*
		 * After a failed build (jit_err set) the dispatcher keeps its
		 * old image (failed register or replace) or runs without one
		 * (unregister, which may not fail); otherwise the image exists
		 * exactly when there are targets and the JIT was wanted at
		 * the last rebuild, unless that rebuild was deferred and the
		 * image is not built yet.
		 */
		if (!d->jit_err && image != (n && p->built_wanted) &&
		    !(deferred && !image))
			return diverged("%s: image %d with %u targets, JIT %s%s",
					p->name, image, n,
					p->built_wanted ? "wanted" : "not wanted",
					deferred ? ", deferred" : "");
		break;
	case IMAGE_NONE:
		if (image)
			return diverged("%s: an image while learning after an update",
					p->name);
		break;
	case IMAGE_LEARNED:
		/*
		 * Maybe none (no call worth a place); else only targets called
		 * in the window, unless the layout was deferred: then the
		 * image there was may stay until a barrier.
		 */
		if (!learned)
			return diverged("%s: a learned image with targets not called in its window",
					p->name);
		break;
	case IMAGE_KEPT:
		if (img != p->kept)
			return diverged("%s: the image changed in a reopened window",
					p->name);
		break;
	}
	if (d->jit_err && d->jit_err != -ENOMEM)
		return diverged("%s: jit_err %d", p->name, d->jit_err);
	if (!n && image)
		return diverged("%s: an image without targets", p->name);
	if (deep && !dt_check_image_quick(d, p->name))
		return diverged("%s: bad image (mode %d caps %#lx cfi %d learn %d %s; %s)",
				p->name, model_mode, dt_cpu_caps, cfi_mode,
				model_learn, rule_names[p->rule], built_when(p));
	return true;
}

/*
 * @p was rebuilt (an update, or every dispatcher laid out again); its
 * nr_deferred before was @deferred.  With learning on and images wanted,
 * a window opens instead, if the learning state could be allocated
 * (update() checks that only a failure on purpose prevents it).
 */
static void rebuilt(struct point *p, unsigned long deferred)
{
	p->built_wanted = jit_wanted();
	p->deferred = p->d->nr_deferred != deferred;
	p->built_op = op_nr;
	p->built_caps = dt_cpu_caps;
	p->built_updates = p->d->nr_updates;
	p->deferred_at = p->d->nr_deferred;
	p->window = false;
	p->rule = IMAGE_TREE;
	p->learn_missing = false;
	if (model_learn && p->built_wanted && has_targets(p)) {
		if (p->d->learn)
			window_opens(p, IMAGE_NONE);
		else
			p->learn_missing = true;
	}
}

static struct cand *pick(struct point *p, bool registered)
{
	unsigned int k, tries;

	for (tries = 0; tries < 8; tries++) {
		k = dt_rand_below(&rnd, p->nr_cands);
		if (!p->cands[k].bad && !!p->users[k] == registered)
			return &p->cands[k];
	}
	return &p->cands[dt_rand_below(&rnd, p->nr_cands)];
}

static unsigned int index_of(struct point *p, const struct cand *c)
{
	return c - p->cands;
}

/*
 * Run one update and compare its result with the model's prediction.
 * @old or @new may be NULL (register, unregister).  @inject: allocations
 * fail at random during it.
 */
static bool update(struct point *p, struct cand *old, struct cand *new,
		   bool inject)
{
	unsigned long warns = dt_warnings, failed = dt_alloc_failed;
	bool add = false, del = false, warn = false;
	unsigned long deferred;
	unsigned int io, in;
	int want = 0, ret;

	/* The NULL candidate: no old or no new target at all. */
	if (old && !old->fn)
		old = NULL;
	if (new && !new->fn)
		new = NULL;
	io = old ? index_of(p, old) : 0;
	in = new ? index_of(p, new) : 0;

	/* The core's order of checks. */
	if (!old && !new) {
		want = -EINVAL;
		warn = true;
	} else if (new && new->bad) {
		want = new->bad;
		warn = true;
	} else if (old && !p->users[io]) {
		want = -ENOENT;
		warn = true;
	} else if (old && new && old == new) {
		want = 0;
	} else {
		del = old && p->users[io] == 1;
		add = new && !p->users[in];
	}
	note("%s: %s %ld -> %ld%s", p->name, old && new ? "replace" :
	     new ? "register" : "unregister", old ? old->id : 0,
	     new ? new->id : 0, inject ? " (allocations fail)" : "");

	deferred = p->d->nr_deferred;
	if (inject)
		dt_fail_alloc(-1, 3, dt_rand(&rnd));
	dt_quiet = warn;
	ret = __dispatcher_replace(p->d, old ? old->fn : NULL,
				   new ? new->fn : NULL);
	dt_quiet = false;
	dt_fail_alloc_off();

	if (warn) {
		if (dt_warnings == warns)
			return diverged("no WARN for error %d", want);
		dt_warnings_expected += dt_warnings - warns;
	}
	if (ret == -ENOMEM && add && dt_alloc_failed != failed)
		return true;	/* a failed update changes nothing */
	if (ret != want)
		return diverged("returned %d, model says %d", ret, want);
	if (want)
		return true;
	if (old && old != new)
		p->users[io]--;
	if (new && old != new)
		p->users[in]++;
	if (add || del) {
		rebuilt(p, deferred);
		if (model_learn && p->built_wanted && has_targets(p) &&
		    !p->d->learn && dt_alloc_failed == failed)
			return diverged("%s: learning, but no learning state",
					p->name);
	}
	return check_point(p, false);
}

/* dispatcher.learn=@on: every dispatcher with targets laid out again. */
static bool set_learning(bool on)
{
	unsigned long deferred[ARRAY_SIZE(points)], updates[ARRAY_SIZE(points)];
	unsigned int i;
	int ret;

	note("learn %d", on);
	/*
	 * Under the mutex: the work item building deferred images counts
	 * an update while it builds, and takes it back.
	 */
	for (i = 0; i < ARRAY_SIZE(points); i++) {
		mutex_lock(&points[i].d->mutex);
		deferred[i] = points[i].d->nr_deferred;
		updates[i] = points[i].d->nr_updates;
		mutex_unlock(&points[i].d->mutex);
	}
	ret = dispatcher_tunable("learn", on ? "1" : "0", NULL);
	if (ret)
		return diverged("dispatcher.learn=%d: %d", on, ret);
	model_learn = on;
	for (i = 0; i < ARRAY_SIZE(points); i++) {
		struct point *p = &points[i];
		unsigned long now;

		mutex_lock(&p->d->mutex);
		now = p->d->nr_updates;
		mutex_unlock(&p->d->mutex);
		if (now != updates[i])
			return diverged("%s: a tunable counted as an update", p->name);
		/* Points without targets are left alone. */
		if (has_targets(p))
			rebuilt(p, deferred[i]);
		if (!check_point(p, true))
			return false;
	}
	return true;
}

/*
 * Close @p's window, if one is open: the image is laid out for its calls
 * or, if there was none (no profile), as the balanced tree.
 */
static bool relayout(struct point *p)
{
	struct dispatcher_learn *l = p->d->learn;
	unsigned long deferred = p->d->nr_deferred;
	unsigned int windows = l ? l->nr_windows : 0;

	note("%s: lay out by the window%s", p->name,
	     p->window ? "" : " (no window)");
	dispatcher_relayout(p->d);
	if (p->window) {
		p->window = false;
		p->rule = p->any_called ? IMAGE_LEARNED : IMAGE_TREE;
		p->built_wanted = jit_wanted();
		p->deferred = p->d->nr_deferred != deferred;
		p->deferred_at = p->d->nr_deferred;
	} else if (l && l->nr_windows != windows) {
		/* (The image may change meanwhile: a deferred one is built.) */
		return diverged("%s: laying out without a window closed one",
				p->name);
	}
	return check_point(p, true);
}

/*
 * The period is over: a window opens where one can (learning on, images
 * wanted, targets, learning state, no window open), the image stays.
 */
static bool reopen(struct point *p)
{
	note("%s: the period opens a window%s", p->name,
	     p->window ? " (open already)" : "");
	dispatcher_learn_reopen(p->d);
	if (!p->window && model_learn && jit_wanted() && has_targets(p) &&
	    p->d->learn) {
		window_opens(p, IMAGE_KEPT);
		/*
		 * The image the window keeps: read after it opened, for the
		 * work item that builds deferred images may have changed it
		 * just before, and may not any more.
		 */
		mutex_lock(&p->d->mutex);
		p->kept = p->d->image;
		mutex_unlock(&p->d->mutex);
	}
	return check_point(p, true);
}

/* The simulated module @m goes: its targets leave every dispatcher. */
static bool module_going(unsigned int m)
{
	unsigned long deferred[ARRAY_SIZE(points)];
	unsigned int i, k;

	note("module %u going", m);
	for (i = 0; i < ARRAY_SIZE(points); i++)
		deferred[i] = points[i].d->nr_deferred;
	dt_module_going(&mods[m]);
	for (i = 0; i < ARRAY_SIZE(points); i++) {
		bool changed = false;

		for (k = 0; k < points[i].nr_cands; k++) {
			if (points[i].cands[k].mod != (int)m || !points[i].users[k])
				continue;
			points[i].users[k] = 0;
			changed = true;
		}
		if (changed)
			rebuilt(&points[i], deferred[i]);
		if (!check_point(&points[i], true))
			return false;
	}
	/* Loaded again at the same address, as far as the model cares. */
	return true;
}

static int cmp_addr(const void *a, const void *b, void *arg)
{
	const struct cand *c = arg;
	unsigned long x = (unsigned long)c[*(const unsigned int *)a].fn;
	unsigned long y = (unsigned long)c[*(const unsigned int *)b].fn;

	return x < y ? -1 : x > y;
}

static void add_cand(struct point *p, void *fn, long id, bool arg, int mod,
		     int bad)
{
	p->cands[p->nr_cands++] = (struct cand){ fn, id, arg, mod, bad };
}

static bool setup(void)
{
	void *arg[NR_MODS * MOD_ARG + NR_FAR_ARG];
	void *noarg[NR_MODS * MOD_NOARG + NR_FAR_NOARG];
	void *const *c_fns[] = { m0_c, m2_c, m5_c };
	void *const rebuild[] = { m0_40, m2_40, m5_40 };
	static const unsigned int nr_args[] = { 0, 2, 5 };
	struct dispatcher *ds[] = { &DISPATCHER(m0), &DISPATCHER(m2),
				    &DISPATCHER(m5) };
	static const char *const names[] = { "m0", "m2", "m5" };
	unsigned int i, k, m;
	u8 *text, *text2;

	for (m = 0; m < NR_MODS; m++) {
		void *code[MOD_ARG + MOD_NOARG];

		text = dt_make_stubs(MOD_ARG, 7000000 + m * 100, true,
				     DT_TEXT_NEAR, code);
		text2 = dt_make_stubs(MOD_NOARG, 7000050 + m * 100, false,
				      DT_TEXT_NEAR, code + MOD_ARG);
		if (!text || !text2)
			return false;
		memcpy(arg + m * MOD_ARG, code, MOD_ARG * sizeof(void *));
		memcpy(noarg + m * MOD_NOARG, code + MOD_ARG,
		       MOD_NOARG * sizeof(void *));
		snprintf(mods[m].name, sizeof(mods[m].name), "model%u", m);
		/* Both stub pages are the module's text. */
		mods[m].mem[MOD_TEXT].base = min(text, text2);
		mods[m].mem[MOD_TEXT].size = max(text, text2) + PAGE_SIZE -
					     min(text, text2);
		mod_live[m] = true;
	}
	if (!dt_make_stubs(NR_FAR_ARG, 8000000, true, DT_TEXT_FAR,
			   arg + NR_MODS * MOD_ARG) ||
	    !dt_make_stubs(NR_FAR_NOARG, 8000050, false, DT_TEXT_FAR,
			   noarg + NR_MODS * MOD_NOARG))
		return false;

	for (i = 0; i < ARRAY_SIZE(points); i++) {
		struct point *p = &points[i];

		p->d = ds[i];
		p->name = names[i];
		p->rebuild = rebuild[i];
		p->nr_args = nr_args[i];
		for (k = 0; k < NR_C; k++)
			add_cand(p, c_fns[i][k],
				 MID(nr_args[i], (k / 8 + 1) * 10 + k % 8), i > 0,
				 -1, 0);
		if (i == 0) {
			for (k = 0; k < ARRAY_SIZE(noarg); k++)
				add_cand(p, noarg[k], k < NR_MODS * MOD_NOARG ?
					 7000050 + k / MOD_NOARG * 100 + k % MOD_NOARG :
					 8000050 + k - NR_MODS * MOD_NOARG, false,
					 k < NR_MODS * MOD_NOARG ? (int)(k / MOD_NOARG) : -1,
					 0);
		} else {
			for (k = 0; k < ARRAY_SIZE(arg); k++)
				add_cand(p, arg[k], k < NR_MODS * MOD_ARG ?
					 7000000 + k / MOD_ARG * 100 + k % MOD_ARG :
					 8000000 + k - NR_MODS * MOD_ARG, true,
					 k < NR_MODS * MOD_ARG ? (int)(k / MOD_ARG) : -1,
					 0);
		}
		p->nr_good = p->nr_cands;
		for (k = 0; k < p->nr_good; k++)
			p->order[k] = k;
		qsort_r(p->order, p->nr_good, sizeof(p->order[0]), cmp_addr,
			p->cands);
		add_cand(p, NULL, 0, false, -1, -EINVAL);
		add_cand(p, &data_word, 0, false, -1, -EINVAL);
		add_cand(p, (void *)p, 0, false, -1, -EINVAL);
		p->built_wanted = jit_wanted();
	}
	return true;
}

static const char *const mode_params[] = {
	"dispatcher=auto", "dispatcher=on", "dispatcher=off",
};

static const unsigned long cap_sets[] = {
	DT_CAP(X86_FEATURE_RETPOLINE),
	DT_CAP(X86_FEATURE_RETPOLINE) | DT_CAP(X86_FEATURE_CALL_DEPTH),
	DT_CAP(X86_FEATURE_RETPOLINE) | DT_CAP(X86_FEATURE_RETPOLINE_LFENCE),
	DT_CAP(X86_FEATURE_INDIRECT_THUNK_ITS),
	0,
};

DT_TEST(model_random)
{
	unsigned long ops = dt_env("DT_OPS", 1000000), calls = 0, updates = 0;
	unsigned long evictions = 0, injected = 0, toggles = 0;
	bool inject = false, ok = true;
	unsigned int i, k, r;
	long a, got;

	seed = dt_env("DT_SEED", 0);
	if (!seed && getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = 0x5eed;
	rnd = seed | 1;
	dt_info("seed %#lx, %lu operations", seed, ops);
	/* Windows close and open when the model says, not by themselves. */
	ASSERT_EQ(dispatcher_tunable("learn_calls", "16777216", NULL), 0);
	ASSERT_EQ(dispatcher_tunable("learn_period_ms", "3600000", NULL), 0);
	ASSERT(setup());

	for (op_nr = 0; op_nr < ops && ok; op_nr++) {
		struct point *p = &points[dt_rand_below(&rnd, ARRAY_SIZE(points))];

		r = dt_rand_below(&rnd, 1000);
		if (r < 40) {
			/*
			 * Learned layouts: windows close now and then, the
			 * period reopens them, learning goes on and off.
			 */
			if (r < 30) {
				ok = relayout(p);
			} else if (r < 37) {
				ok = reopen(p);
			} else {
				toggles++;
				ok = set_learning(!model_learn);
			}
			continue;
		} else if (r < 600) {
			struct cand *c = pick(p, dt_rand_below(&rnd, 2));

			if (c->bad)
				continue;
			a = (long)dt_rand(&rnd);
			note("%s: call %ld(%ld)", p->name, c->id, a);
			got = call(p, c, a);
			calls++;
			if (p->window) {
				p->called[index_of(p, c)] = true;
				p->any_called = true;
			}
			if (got != expect_value(c, a))
				ok = diverged("%s: call of %ld gave %ld, not %ld",
					      p->name, c->id, got,
					      expect_value(c, a));
		} else if (r < 740) {
			ok = update(p, NULL, pick(p, dt_rand_below(&rnd, 4) == 0),
				    inject);
		} else if (r < 850) {
			ok = update(p, pick(p, dt_rand_below(&rnd, 16) != 0), NULL,
				    inject);
		} else if (r < 930) {
			ok = update(p, pick(p, dt_rand_below(&rnd, 16) != 0),
				    pick(p, dt_rand_below(&rnd, 2)), inject);
		} else if (r < 933) {
			if (!dt_rand_below(&rnd, 8))
				ok = update(p, NULL, NULL, false);
		} else if (r < 945) {
			model_mode = dt_rand_below(&rnd, ARRAY_SIZE(mode_params));
			dt_cpu_caps = DT_CAP(X86_FEATURE_ALWAYS) |
				cap_sets[dt_rand_below(&rnd, ARRAY_SIZE(cap_sets))];
			cfi_mode = dt_rand_below(&rnd, 2) ? CFI_KCFI : CFI_OFF;
			note("%s, caps %#lx, cfi_mode %d", mode_params[model_mode],
			     dt_cpu_caps, cfi_mode);
			dt_boot_param(mode_params[model_mode]);
			/*
			 * They apply from the next rebuild: add and remove an
			 * unregistered target on each point, so that every
			 * image follows the new setting.
			 */
			for (i = 0; i < ARRAY_SIZE(points) && ok; i++) {
				struct point *q = &points[i];
				unsigned long deferred = q->d->nr_deferred;

				if (__dispatcher_register(q->d, q->rebuild) ||
				    __dispatcher_unregister(q->d, q->rebuild))
					ok = diverged("%s: rebuild failed", q->name);
				rebuilt(q, deferred);
				ok = ok && check_point(q, true);
			}
			continue;
		} else if (r < 970) {
			/* The next update's allocations fail at random. */
			inject = true;
			injected++;
			continue;
		} else if (r < 975) {
			k = dt_rand_below(&rnd, NR_MODS);
			evictions += mod_live[k];
			ok = module_going(k);
		} else if (r < 978) {
			note("barrier");
			dispatcher_barrier();
			/* Deferred images are built by now. */
			for (i = 0; i < ARRAY_SIZE(points) && ok; i++) {
				points[i].deferred = false;
				points[i].deferred_at = points[i].d->nr_deferred;
				ok = check_point(&points[i], true);
			}
			/*
			 * Every retired image is freed: the packs hold the
			 * live images, at most one pack each, and one
			 * empty pack is kept.
			 */
			k = 0;
			for (i = 0; i < ARRAY_SIZE(points); i++)
				k += !!points[i].d->image;
			if (ok && dt_execmem_live > k + DT_PACKS_KEPT)
				ok = diverged("%ld packs for %u live images",
					      dt_execmem_live, k);
		} else {
			note("%s: check", p->name);
			ok = check_point(p, true);
		}
		if (r >= 600 && r < 933)
			updates++;
		inject = false;
	}
	dt_info("%lu operations: %lu calls, %lu updates, %lu with allocation failures,",
		op_nr, calls, updates, injected);
	dt_info("%lu module unloads; %lu allocations failed on purpose;",
		evictions, dt_alloc_failed);
	dt_info("%lu updates deferred (too many images retiring), %lu packs allocated;",
		points[0].d->nr_deferred + points[1].d->nr_deferred +
		points[2].d->nr_deferred, dt_execmem_allocs);
	dt_info("learning turned on or off %lu times; windows closed %u, relayouts %u",
		toggles,
		(points[0].d->learn ? points[0].d->learn->nr_windows : 0) +
		(points[1].d->learn ? points[1].d->learn->nr_windows : 0) +
		(points[2].d->learn ? points[2].d->learn->nr_windows : 0),
		(points[0].d->learn ? points[0].d->learn->nr_relayouts : 0) +
		(points[1].d->learn ? points[1].d->learn->nr_relayouts : 0) +
		(points[2].d->learn ? points[2].d->learn->nr_relayouts : 0));

	for (i = 0; i < ARRAY_SIZE(points) && ok; i++) {
		ok = check_point(&points[i], true);
		for (k = 0; k < points[i].nr_cands && ok; k++)
			while (points[i].users[k] && ok)
				ok = update(&points[i], &points[i].cands[k], NULL,
					    false);
	}
	dispatcher_barrier();
	if (ok)
		EXPECT_LE(dt_execmem_live, DT_PACKS_KEPT);
}
