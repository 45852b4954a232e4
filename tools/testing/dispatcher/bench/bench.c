// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: what a dispatched call costs on this CPU, against the
 * alternatives, in ns per call and in instructions per call.
 *
 *	bench [--out DIR] [--samples N] [--no-callgrind]
 *
 * For N = 1 ... 1024 registered targets and six patterns of targets (one
 * hot target, i.e. 1 of the N used; uniform over all N; Zipf-like over
 * all N; a target never registered; round-robin over all N; a tc-like
 * chain of 4 of the N called in the same order for every "packet"), each
 * method runs the same sequence of 2^15 calls: a direct call, a plain
 * indirect call, a retpoline (-mindirect-branch=thunk-extern and a real
 * retpoline thunk), an INDIRECT_CALL_4() compare chain, the balanced tree
 * over all N ("tree": a dispatch point that does not learn) and the
 * dispatcher with its learned layout ("dispatcher").  Both dispatch points
 * are entered as an inline static call enters them: one "call rel32" from
 * the loop straight to the image (sites.S).  Before the samples of a
 * pattern, the learning dispatch point settles on it: a window is opened,
 * the pattern's first learn_calls calls go through the learning function,
 * dispatcher_relayout() closes the window and lays the image out.  The
 * period to the next window is an hour here, so that every sample runs
 * that layout; what the windows cost is measured on its own.
 *
 * Each call takes the result of the one before, so calls do not overlap.
 * The methods take turns, one sequence each, for --samples rounds
 * (default 35) spread over five passes over all cells; a method's time is
 * the minimum of its samples: on a shared machine, load from elsewhere
 * only ever adds time (the median is in the CSV too).  Ratios are between
 * methods of the same run.  Then the same calls run under valgrind
 * --tool=callgrind for instructions per call, which no other load changes.
 *
 * Also measured: a phase change (the hot set of a tc chain over 16 changes
 * while the dispatcher runs in real time with a short learning period:
 * ns per call per period after the change); the cost of the learning
 * windows (the same layout with and without periodic windows); "cmp; je"
 * against "cmp; jne; jmp" for a hot target at the head of a chain, warm
 * and cold; the old way in (dispatch function and trampoline); repeating
 * random sequences; image bytes per target; the time to rebuild an image
 * of 1024 targets; and the goals of issue 16 checked against the numbers.
 * Writes results.csv and results.md to DIR and prints the markdown.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The Makefile defines HAVE_CALLGRIND where valgrind's headers are. */
#if HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#endif

#include <linux/kernel.h>

#include "bench.h"
#include "dispatcher_internal.h"
#include "dt_shim.h"

#define SEQ_LEN		BIT(15)
#define CG_CALLS	4096
#define PASSES		5
#define ZIPF_S		1.0

static const unsigned int counts[] = { 1, 2, 4, 8, 16, 32, 48, 64, 256, 1024 };
#define NR_COUNTS	ARRAY_SIZE(counts)

/*
 * The patterns of issue 16.  Round-robin calls the targets of "uniform"
 * in a fixed cyclic order: the same instructions with branches a predictor
 * can learn, to tell misprediction from work.  The tc chain calls
 * CHAIN_LEN of the N (spread over them) in the same order, as a packet
 * meets the classifiers of a filter chain.
 */
enum { P_HOT, P_UNIFORM, P_ZIPF, P_MISS, P_ROUND, P_CHAIN, NR_PATTERNS };
#define CHAIN_LEN	4
static const char *const pattern_names[] = {
	"hot", "uniform", "zipf", "unregistered", "roundrobin", "tcchain",
};

static const char *const pattern_titles[] = {
	"one hot target (1 of the N registered used)",
	"uniform random over the N targets",
	"Zipf-like (s = 1) over the N targets",
	"a target that is never registered (N registered)",
	"round-robin over the N targets",
	"tc-like chain: 4 of the N, the same order every packet",
};

enum {
	M_DIRECT, M_INDIRECT, M_RETPOLINE, M_ICALL4, M_TREE, M_DISPATCHER,
	NR_METHODS
};

static const char *const method_names[] = {
	"direct", "indirect", "retpoline", "icall4", "tree", "dispatcher",
};

static const char *const method_titles[] = {
	"direct", "indirect", "retpoline", "INDIRECT_CALL_4", "tree",
	"dispatcher",
};

static unsigned long (*const methods[])(const bench_fn *, unsigned long,
					unsigned long, unsigned long) = {
	bench_direct, bench_indirect, bench_retpoline, bench_icall4,
	bench_sc_tree, bench_sc_learned,
};

/* The learned layout of one cell (last pass). */
struct layout {
	unsigned int nr_hot, nr_tree;
	unsigned int len;	/* image bytes, 0 without an image */
	unsigned int head;	/* bytes before the entry */
	unsigned int unpredictable;	/* permille, from the profile */
};

struct cell {
	double ns;		/* ns per call: the minimum over the samples */
	double median;		/* and the median, for the CSV */
	double ir;		/* instructions per call, 0 if unknown */
};

static struct cell cells[NR_COUNTS][NR_PATTERNS][NR_METHODS];
static struct layout layouts[NR_COUNTS][NR_PATTERNS];
static unsigned int image_len[NR_COUNTS], image_size[NR_COUNTS];
/* register, unregister, generate only (medians); register, minimum */
static double rebuild_ns[4];
static double jump_ns[4];	/* a direct call through 0 to 3 more jumps */
/* Hot target, N = 1: direct, inline call of the image, the old way in. */
static double entry_ns[3];
/* Head of the chain: warm (jmp0, je, jne+jmp), cold (jmp, je, jne+jmp). */
static double jcc_ns[2][3];

/*
 * Uniform over 16 targets, but the same random sequence of PERIODS[k]
 * calls over and over: how much of "uniform" a branch predictor learns.
 */
static const unsigned int periods[] = { 16, 256, 4096, SEQ_LEN };
#define NR_PERIODS	ARRAY_SIZE(periods)
static double period_ns[NR_PERIODS][NR_METHODS];
static unsigned long sink;
static u64 rnd = 0x9e3779b97f4a7c15ULL;

static u64 xorshift(void)
{
	rnd ^= rnd >> 12;
	rnd ^= rnd << 25;
	rnd ^= rnd >> 27;
	return rnd * 0x2545f4914f6cdd1dULL;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The targets of SEQ_LEN calls for pattern @p over the first @n targets. */
static void make_seq(bench_fn *seq, unsigned int p, unsigned int n)
{
	static unsigned int perm[BENCH_TARGETS];
	static double cdf[BENCH_TARGETS];
	unsigned long i;
	unsigned int k, j, lo, hi;
	double sum = 0, u;

	switch (p) {
	case P_HOT:
	case P_MISS:
		for (i = 0; i < SEQ_LEN; i++)
			seq[i] = bench_targets[p == P_HOT ? 0 : BENCH_TARGETS];
		return;
	case P_UNIFORM:
		for (i = 0; i < SEQ_LEN; i++)
			seq[i] = bench_targets[(xorshift() >> 32) * n >> 32];
		return;
	case P_ROUND:
		for (i = 0; i < SEQ_LEN; i++)
			seq[i] = bench_targets[i % n];
		return;
	case P_CHAIN:
		k = min(n, CHAIN_LEN);
		for (i = 0; i < SEQ_LEN; i++)
			seq[i] = bench_targets[(i % k) * (n / k)];
		return;
	}
	/* Zipf: rank r has weight 1/r^s; ranks go to targets at random. */
	for (k = 0; k < n; k++)
		perm[k] = k;
	for (k = n - 1; k > 0; k--) {
		j = (xorshift() >> 32) * (k + 1) >> 32;
		swap(perm[k], perm[j]);
	}
	for (k = 0; k < n; k++) {
		sum += 1.0 / __builtin_pow(k + 1, ZIPF_S);
		cdf[k] = sum;
	}
	for (i = 0; i < SEQ_LEN; i++) {
		u = (double)(xorshift() >> 11) / BIT_ULL(53) * sum;
		for (lo = 0, hi = n - 1; lo < hi;) {
			k = (lo + hi) / 2;
			if (cdf[k] < u)
				lo = k + 1;
			else
				hi = k;
		}
		seq[i] = bench_targets[perm[lo]];
	}
}

/* Timing samples of every cell, filled over several passes. */
#define MAX_SAMPLES	256
static float samples_ns[NR_COUNTS][NR_PATTERNS][NR_METHODS][MAX_SAMPLES];
static unsigned int nr_samples;

/* Take @samples more samples of every method on @seq, methods in turn. */
static void time_methods(const bench_fn *seq, unsigned int samples,
			 unsigned int c, unsigned int p)
{
	unsigned int s, m;
	double t0;

	for (m = 0; m < NR_METHODS; m++)	/* warm up */
		sink += methods[m](seq, SEQ_LEN, SEQ_LEN - 1, sink);
	for (s = nr_samples; s < nr_samples + samples; s++) {
		for (m = 0; m < NR_METHODS; m++) {
			t0 = now_ns();
			sink += methods[m](seq, SEQ_LEN, SEQ_LEN - 1, sink);
			samples_ns[c][p][m][s] = (now_ns() - t0) / SEQ_LEN;
		}
	}
}

static void summarise(void)
{
	double v[MAX_SAMPLES];
	unsigned int c, p, m, s;

	for (c = 0; c < NR_COUNTS; c++)
		for (p = 0; p < NR_PATTERNS; p++)
			for (m = 0; m < NR_METHODS; m++) {
				for (s = 0; s < nr_samples; s++)
					v[s] = samples_ns[c][p][m][s];
				cells[c][p][m].median = median(v, nr_samples);
				cells[c][p][m].ns = v[0];
			}
}

/* Under callgrind: count each method's instructions on @seq. */
static void count_methods(const bench_fn *seq, unsigned int n, unsigned int p)
{
#if HAVE_CALLGRIND
	char name[64];
	unsigned int m;

	for (m = 0; m < NR_METHODS; m++) {
		sink += methods[m](seq, CG_CALLS, SEQ_LEN - 1, sink);
		CALLGRIND_ZERO_STATS;
		CALLGRIND_TOGGLE_COLLECT;
		sink += methods[m](seq, CG_CALLS, SEQ_LEN - 1, sink);
		CALLGRIND_TOGGLE_COLLECT;
		snprintf(name, sizeof(name), "cell %u %u %u", n, p, m);
		CALLGRIND_DUMP_STATS_AT(name);
	}
#endif
}

/* The median time of @fn over @samples runs, in ns; the minimum in @min. */
static double time_op(int (*fn)(void), unsigned int samples, double *min)
{
	double t[64], t0;
	unsigned int s;

	for (s = 0; s < samples; s++) {
		t0 = now_ns();
		if (fn())
			return -1;
		t[s] = now_ns() - t0;
	}
	t0 = median(t, samples);
	if (min)
		*min = t[0];
	return t0;
}

static void die(const char *what)
{
	fprintf(stderr, "bench: %s\n", what);
	exit(1);
}

static void set_tunable(const char *name, const char *val)
{
	if (dispatcher_tunable(name, val, NULL))
		die("a tunable refused its value");
}

static unsigned int tunable_get(const char *name)
{
	unsigned int v = 0;

	dispatcher_tunable(name, NULL, &v);
	return v;
}

/*
 * Let the learning dispatch point settle on @seq: open a window, make the
 * first learn_calls calls of @seq through it, close the window and lay
 * the image out (dispatcher_relayout(), which a full window's work item
 * would do a moment later), and build the image now if too many were
 * retiring to build it at once.  Then the static call is at the image, or
 * at the default function if the layout placed no target.
 */
static void settle(const bench_fn *seq)
{
	struct dispatcher *d = &DISPATCHER(bench);
	void *entry;

	dispatcher_learn_reopen(d);
	if (!dispatcher_learn_window(d))
		die("no learning window");
	sink += bench_sc_learned(seq, tunable_get("learn_calls"), SEQ_LEN - 1,
				 sink);
	dispatcher_relayout(d);
	dispatcher_barrier();
	entry = d->image ? d->image->entry : d->default_func;
	if (dispatcher_learn_window(d) || READ_ONCE(d->sc_key->func) != entry)
		die("the learned layout is not in place");
}

static void record_layout(struct layout *l)
{
	struct dispatcher *d = &DISPATCHER(bench);
	struct dispatcher_image *img = d->image;

	memset(l, 0, sizeof(*l));
	if (img) {
		l->nr_hot = img->plan.nr_hot;
		l->nr_tree = img->plan.nr_tree;
		l->len = img->len;
		l->head = (u8 *)img->entry - (u8 *)img->text;
	}
	l->unpredictable = d->learn ? d->learn->unpredictable : 0;
}

static int reg_last(void)
{
	return dispatcher_register(bench_tree, bench_targets[BENCH_TARGETS - 1]);
}

static int unreg_last(void)
{
	int ret = dispatcher_unregister(bench_tree,
					bench_targets[BENCH_TARGETS - 1]);

	dispatcher_barrier();	/* not part of the next register's time */
	return ret;
}

static struct dispatcher_target *gen_targets;
static u8 *gen_buf;

static int generate(void)
{
	struct dispatcher *d = &DISPATCHER(bench_tree);
	unsigned int size = arch_dispatcher_image_size(BENCH_TARGETS), entry;
	const struct dispatcher_layout layout = {
		.targets	= gen_targets,
		.nr_targets	= BENCH_TARGETS,
		.target_arg	= d->nr_args,
		.fallback	= d->default_func,
	};

	return arch_dispatcher_generate(gen_buf, d->image->text, size, &layout,
					&entry) < 0;
}

/* The minimum over @samples rounds of each loop in @loops on @seq, in turn. */
static void time_loops(unsigned long (*const *loops)(const bench_fn *, unsigned long,
						     unsigned long, unsigned long),
		       unsigned int nr, const bench_fn *seq, unsigned long n,
		       unsigned long mask, unsigned int samples, double *best)
{
	unsigned int s, k;
	double t0, t;

	for (k = 0; k < nr; k++) {
		sink += loops[k](seq, n, mask, sink);
		best[k] = 1e9;
	}
	for (s = 0; s < samples; s++)
		for (k = 0; k < nr; k++) {
			t0 = now_ns();
			sink += loops[k](seq, n, mask, sink);
			t = (now_ns() - t0) / n;
			best[k] = min(best[k], t);
		}
}

/* A direct call through 0, 1, 2 and 3 more jumps, as time_methods(). */
static void time_jumps(bench_fn *seq, unsigned int samples)
{
	static unsigned long (*const loops[])(const bench_fn *, unsigned long,
					      unsigned long, unsigned long) = {
		bench_direct, bench_direct_jmp1, bench_direct_jmp2,
		bench_direct_jmp3,
	};

	time_loops(loops, ARRAY_SIZE(loops), seq, SEQ_LEN, SEQ_LEN - 1, samples,
		   jump_ns);
}

/*
 * One hot target of one registered, settled: the direct call, the image
 * entered from the call site (the dispatcher column) and the old way in,
 * dispatcher_call() as compiled C: a call of the dispatch function, its
 * tail jump to the static call trampoline, the trampoline's jump.
 */
static void time_entry(unsigned int samples)
{
	static unsigned long (*const loops[])(const bench_fn *, unsigned long,
					      unsigned long, unsigned long) = {
		bench_direct, bench_sc_learned, bench_dispatcher,
	};
	bench_fn *seq = malloc(SEQ_LEN * sizeof(*seq));

	make_seq(seq, P_HOT, 1);
	dispatcher_register(bench, bench_targets[0]);
	settle(seq);
	time_loops(loops, ARRAY_SIZE(loops), seq, SEQ_LEN, SEQ_LEN - 1, samples,
		   entry_ns);
	dispatcher_unregister(bench, bench_targets[0]);
	dispatcher_barrier();
	free(seq);
}

/*
 * Copies of a stub, 64 bytes apart, in text within rel32 reach of the
 * targets; returns the table of them.  @kind: 0 "jmp bt_0000", 1 "cmp;
 * je bt_0000; jmp thunk", 2 "cmp; jne 1f; jmp bt_0000; 1: jmp thunk".
 */
#define COLD_COPIES	16384
static bench_fn *make_stubs(unsigned int kind)
{
	size_t size = COLD_COPIES * 64UL;
	bench_fn *table = malloc(COLD_COPIES * sizeof(*table));
	unsigned long hint;
	u8 *text = MAP_FAILED, *p;
	unsigned int k;

	/* The benchmark is not PIE: its text is low, keep the copies low. */
	for (hint = 1UL << 28; hint < 1UL << 31 && text == MAP_FAILED;
	     hint += 1UL << 26)
		text = mmap((void *)hint, size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			    -1, 0);
	if (text == MAP_FAILED || !table)
		die("no memory for the stubs");
	memset(text, 0xcc, size);
	for (k = 0; k < COLD_COPIES; k++) {
		u8 *s = text + k * 64UL;
		s32 rel;

#define REL(to, end)	(rel = (s32)((long)(to) - (long)(end)), \
			 memcpy(p, &rel, 4), p += 4)
		p = s;
		if (kind) {
			/* cmp $bt_0000, %rdx */
			*p++ = 0x48; *p++ = 0x81; *p++ = 0xfa;
			rel = (s32)(long)bt_0000;
			memcpy(p, &rel, 4);
			p += 4;
		}
		if (kind == 1) {
			*p++ = 0x0f; *p++ = 0x84;	/* je bt_0000 */
			REL(bt_0000, p + 4);
			*p++ = 0xe9;			/* jmp thunk */
			REL(__x86_indirect_thunk_rdx, p + 4);
		} else if (kind == 2) {
			*p++ = 0x0f; *p++ = 0x85;	/* jne 1f */
			REL(p + 4 + 5, p + 4);
			*p++ = 0xe9;			/* jmp bt_0000 */
			REL(bt_0000, p + 4);
			*p++ = 0xe9;			/* 1: jmp thunk */
			REL(__x86_indirect_thunk_rdx, p + 4);
		} else {
			*p++ = 0xe9;			/* jmp bt_0000 */
			REL(bt_0000, p + 4);
		}
#undef REL
		table[k] = (bench_fn)s;
	}
	if (mprotect(text, size, PROT_READ | PROT_EXEC))
		die("mprotect of the stubs");
	return table;
}

/*
 * A hot target at the head of a chain: "cmp; je target" (what the JIT
 * emits) against "cmp; jne next; jmp target".  Warm: the same stub every
 * call, its branches known to the predictor.  Cold: every call through
 * another of COLD_COPIES copies, more branches than the predictor holds,
 * so that each is met as new (a plain indirect call of each, the same in
 * every variant, and a copy that only jumps to the target is the base).
 */
static void time_jcc(unsigned int samples)
{
	static unsigned long (*const warm[])(const bench_fn *, unsigned long,
					     unsigned long, unsigned long) = {
		bench_loop_jmp0, bench_loop_je, bench_loop_jne,
	};
	bench_fn *seq = malloc(SEQ_LEN * sizeof(*seq)), *stubs[3];
	unsigned int k, s;
	double t0, t;

	make_seq(seq, P_HOT, 1);
	time_loops(warm, ARRAY_SIZE(warm), seq, SEQ_LEN, SEQ_LEN - 1, samples,
		   jcc_ns[0]);
	for (k = 0; k < 3; k++) {
		stubs[k] = make_stubs(k);
		jcc_ns[1][k] = 1e9;
	}
	for (s = 0; s < samples; s++)
		for (k = 0; k < 3; k++) {
			t0 = now_ns();
			sink += bench_loop_stubs(stubs[k], COLD_COPIES,
						 COLD_COPIES - 1, sink);
			t = (now_ns() - t0) / COLD_COPIES;
			jcc_ns[1][k] = min(jcc_ns[1][k], t);
		}
	free(seq);
}

/* With 16 targets registered: repeating random sequences, see periods[]. */
static void time_periods(unsigned int samples)
{
	static unsigned long (*const loops[])(const bench_fn *, unsigned long,
					      unsigned long, unsigned long) = {
		bench_direct, bench_indirect, bench_retpoline, bench_icall4,
		bench_sc_tree, bench_sc_learned,
	};
	bench_fn *seq = malloc(SEQ_LEN * sizeof(*seq));
	unsigned int k;
	unsigned long i;

	for (k = 0; k < 16; k++) {
		dispatcher_register(bench, bench_targets[k]);
		dispatcher_register(bench_tree, bench_targets[k]);
	}
	dispatcher_barrier();
	for (k = 0; k < NR_PERIODS; k++) {
		rnd = 0x9e3779b97f4a7c15ULL * (k + 1000);
		for (i = 0; i < SEQ_LEN; i++)
			seq[i] = i < periods[k] ? bench_targets[(xorshift() >> 32) * 16 >> 32] :
						  seq[i % periods[k]];
		settle(seq);
		time_loops(loops, NR_METHODS, seq, SEQ_LEN, SEQ_LEN - 1, samples,
			   period_ns[k]);
	}
	free(seq);
}

/*
 * Rebuild times of the tree of 1024 targets: registering the 1024th
 * (generate, allocate in a pack, copy, switch the static call and its
 * site, retire the old image; its grace periods are not waited for),
 * unregistering it, and generating alone.
 */
static void time_rebuilds(void)
{
	struct dispatcher *d = &DISPATCHER(bench_tree);
	double reg[21], unreg[21], t0;
	unsigned int s;

	gen_buf = malloc(arch_dispatcher_image_size(BENCH_TARGETS));
	gen_targets = malloc(BENCH_TARGETS * sizeof(*gen_targets));
	memcpy(gen_targets, d->targets, BENCH_TARGETS * sizeof(*gen_targets));
	for (s = 0; s < ARRAY_SIZE(reg); s++) {
		unreg_last();
		t0 = now_ns();
		reg_last();
		reg[s] = now_ns() - t0;
		t0 = now_ns();
		dispatcher_unregister(bench_tree, bench_targets[BENCH_TARGETS - 1]);
		unreg[s] = now_ns() - t0;
		dispatcher_barrier();
		reg_last();
	}
	rebuild_ns[0] = median(reg, ARRAY_SIZE(reg));
	rebuild_ns[3] = reg[0];
	rebuild_ns[1] = median(unreg, ARRAY_SIZE(unreg));
	rebuild_ns[2] = time_op(generate, 21, NULL);
	free(gen_buf);
	free(gen_targets);
}

static void unregister_all(void)
{
	struct dispatcher *d = &DISPATCHER(bench), *t = &DISPATCHER(bench_tree);
	unsigned int k;

	for (k = 0; k < BENCH_TARGETS; k++) {
		if (d->nr_targets)
			dispatcher_unregister(bench, bench_targets[k]);
		if (t->nr_targets)
			dispatcher_unregister(bench_tree, bench_targets[k]);
	}
	dispatcher_barrier();
}

/*
 * One pass: register the targets N by N and run every pattern, timing
 * (@samples more samples of each cell) or counting instructions.  The
 * sequences are the same in every pass.
 */
static void run_pass(bool callgrind, unsigned int samples)
{
	struct dispatcher *t = &DISPATCHER(bench_tree);
	bench_fn *seq = malloc(SEQ_LEN * sizeof(*seq));
	unsigned int c, p, k = 0;

	for (c = 0; c < NR_COUNTS; c++) {
		for (; k < counts[c]; k++)
			if (dispatcher_register(bench, bench_targets[k]) ||
			    dispatcher_register(bench_tree, bench_targets[k]))
				die("register failed");
		/* Builds the image if too many were retiring to build it. */
		dispatcher_barrier();
		if (!t->image) {
			fprintf(stderr, "bench: no image (jit_err %d)\n", t->jit_err);
			exit(1);
		}
		/* Calls enter the image where the kernel's would. */
		if (READ_ONCE(t->sc_key->func) != t->image->entry)
			die("the static call is not the image's entry");
		image_len[c] = t->image->len;
		image_size[c] = t->image->held;
		for (p = 0; p < NR_PATTERNS; p++) {
			rnd = 0x9e3779b97f4a7c15ULL * (c * NR_PATTERNS + p + 1);
			make_seq(seq, p, counts[c]);
			settle(seq);
			record_layout(&layouts[c][p]);
			if (callgrind)
				count_methods(seq, c, p);
			else
				time_methods(seq, samples, c, p);
		}
	}
	free(seq);
}

/* ---- real time: a phase change, the cost of the windows ---- */

/* Pin every thread of the process (the shim's too) to @cpu. */
static void pin_all(int cpu)
{
	cpu_set_t set;
	struct dirent *e;
	DIR *dp = opendir("/proc/self/task");

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	if (!dp)
		return;
	while ((e = readdir(dp)))
		if (e->d_name[0] != '.')
			sched_setaffinity(atoi(e->d_name), sizeof(set), &set);
	closedir(dp);
}

#define PHASE_N		16
#define PHASE_PERIOD_MS	20
#define PHASE_BEFORE	130	/* periods before the change: full back-off */
#define PHASE_AFTER	110	/* periods after it */
#define PHASE_TAIL	30	/* the last periods: the new steady state */
#define PHASE_CHUNK	1024

static double phase_ns[PHASE_AFTER];	/* ns per call, per period after */
static double phase_before_ns;		/* the last periods before */
static double phase_steady_ns;
static int phase_settled = -1;		/* first period within 10 %, or -1 */
static double phase_window_ms = -1;	/* first window after the change */
static double phase_relayout_ms = -1;	/* the new layout in place */
static double phase_armed_ms;		/* the period when it changed */

/*
 * A phase change in real time: a tc chain of 4 of 16 targets, with a
 * period of PHASE_PERIOD_MS; for PHASE_BEFORE periods (so that the period
 * has backed off as far as it goes), then another chain of 4 for
 * PHASE_AFTER periods.  ns per call, per period after the change, against
 * the new steady state (the median of the last PHASE_TAIL periods).
 */
static void time_phase(void)
{
	struct dispatcher *d = &DISPATCHER(bench);
	bench_fn *seq[2];
	double t0, t_change, t, ns[PHASE_AFTER] = { 0 }, v[PHASE_AFTER];
	unsigned long calls[PHASE_AFTER] = { 0 };
	void *entry0 = NULL, *f;
	unsigned int k, ph, b;
	char val[16];

	unregister_all();
	snprintf(val, sizeof(val), "%u", PHASE_PERIOD_MS);
	set_tunable("learn_period_ms", val);
	for (ph = 0; ph < 2; ph++) {
		seq[ph] = malloc(SEQ_LEN * sizeof(*seq[ph]));
		for (k = 0; k < SEQ_LEN; k++)
			seq[ph][k] = bench_targets[ph * 8 + k % 4];
	}
	for (k = 0; k < PHASE_N; k++)
		dispatcher_register(bench, bench_targets[k]);
	/* Phase 1: windows close by themselves, the period backs off. */
	t0 = now_ns();
	while ((t = now_ns()) - t0 < PHASE_BEFORE * PHASE_PERIOD_MS * 1e6) {
		double c0 = now_ns();

		sink += bench_sc_learned(seq[0], PHASE_CHUNK, SEQ_LEN - 1, sink);
		if (t - t0 > (PHASE_BEFORE - PHASE_TAIL) * PHASE_PERIOD_MS * 1e6) {
			ns[0] += now_ns() - c0;
			calls[0] += PHASE_CHUNK;
		}
	}
	phase_before_ns = ns[0] / calls[0];
	ns[0] = 0;
	calls[0] = 0;
	phase_armed_ms = (double)PHASE_PERIOD_MS * (1U << d->learn->shift);
	entry0 = READ_ONCE(d->sc_key->func);
	/* Phase 2. */
	t_change = now_ns();
	while ((t = now_ns()) - t_change < PHASE_AFTER * PHASE_PERIOD_MS * 1e6) {
		sink += bench_sc_learned(seq[1], PHASE_CHUNK, SEQ_LEN - 1, sink);
		f = READ_ONCE(d->sc_key->func);
		b = (t - t_change) / (PHASE_PERIOD_MS * 1e6);
		ns[b] += now_ns() - t;
		calls[b] += PHASE_CHUNK;
		if (f == d->learn_func && phase_window_ms < 0)
			phase_window_ms = (t - t_change) / 1e6;
		if (f != d->learn_func && f != entry0 && phase_relayout_ms < 0)
			phase_relayout_ms = (now_ns() - t_change) / 1e6;
	}
	for (b = 0; b < PHASE_AFTER; b++)
		phase_ns[b] = calls[b] ? ns[b] / calls[b] : 0;
	memcpy(v, phase_ns + PHASE_AFTER - PHASE_TAIL, PHASE_TAIL * sizeof(*v));
	phase_steady_ns = median(v, PHASE_TAIL);
	/* The first period from which three in a row are within 10 %. */
	for (b = 0; b + 2 < PHASE_AFTER - PHASE_TAIL && phase_settled < 0; b++)
		if (phase_ns[b] <= 1.1 * phase_steady_ns &&
		    phase_ns[b + 1] <= 1.1 * phase_steady_ns &&
		    phase_ns[b + 2] <= 1.1 * phase_steady_ns)
			phase_settled = b;
	unregister_all();
	for (ph = 0; ph < 2; ph++)
		free(seq[ph]);
}

#define OVH_CONFIGS	2
static const unsigned int ovh_period_ms[OVH_CONFIGS] = { 1000, 20 };
static const unsigned int ovh_seconds[OVH_CONFIGS] = { 6, 3 };
static double ovh_ratio[OVH_CONFIGS];	/* attributed, see time_overhead() */
static double ovh_direct[OVH_CONFIGS];	/* mean with windows / without */
static double ovh_excess_us[OVH_CONFIGS];	/* per window */
static double ovh_steady_ns[OVH_CONFIGS];
static unsigned int ovh_windows[OVH_CONFIGS];
static unsigned int ovh_relayouts[OVH_CONFIGS];	/* windows that changed it */

/* What run_for() saw. */
struct run {
	double mean_ns;		/* per call, every round */
	double clean_ns;	/* per call, median of the untouched rounds */
	double affected;	/* ns of the touched rounds */
	unsigned long rounds, nr_affected;
	unsigned int windows;	/* windows closed */
};

/*
 * Run @seq through the settled dispatch point for @seconds, in rounds of
 * SEQ_LEN calls.  A round that saw a window open, be open or close, and
 * the round after it (the relayout's work item runs on this CPU too), is
 * "touched".
 */
static void run_for(const bench_fn *seq, double seconds, struct run *r)
{
	struct dispatcher *d = &DISPATCHER(bench);
	static double clean[100000];
	unsigned long nr_clean = 0;
	unsigned int w0 = d->learn->nr_windows, w;
	double t0 = now_ns(), t, total = 0;
	bool in, was = false;

	memset(r, 0, sizeof(*r));
	while ((t = now_ns()) - t0 < seconds * 1e9) {
		in = READ_ONCE(d->sc_key->func) == d->learn_func;
		w = READ_ONCE(d->learn->nr_windows);
		sink += bench_sc_learned(seq, SEQ_LEN, SEQ_LEN - 1, sink);
		t = now_ns() - t;
		in |= READ_ONCE(d->sc_key->func) == d->learn_func ||
		      READ_ONCE(d->learn->nr_windows) != w;
		total += t;
		r->rounds++;
		if (in || was) {
			r->affected += t;
			r->nr_affected++;
		} else if (nr_clean < ARRAY_SIZE(clean)) {
			clean[nr_clean++] = t / SEQ_LEN;
		}
		was = in;
	}
	r->mean_ns = total / (r->rounds * SEQ_LEN);
	r->clean_ns = nr_clean ? median(clean, nr_clean) : r->mean_ns;
	r->windows = d->learn->nr_windows - w0;
}

/*
 * What the learning windows cost: Zipf over 16 targets, settled, run for
 * a few seconds with the periodic windows of learn_period_ms (the default
 * 1000 ms, then 20 ms), against the same layout with no window (the
 * period an hour, so none opens).  The ratio charged: every round at the
 * median of the untouched ones, plus what the touched rounds took beyond
 * that median, over every round at that median; so a burst of load from
 * elsewhere in an untouched round does not count, one in a touched round
 * does.  The plain ratio of the two runs' means is given too; on a shared
 * machine it moves by more than the windows cost.
 */
static void time_overhead(void)
{
	bench_fn *seq = malloc(SEQ_LEN * sizeof(*seq));
	struct run on, off;
	unsigned int cfg, k;
	char val[16];
	double m, excess;

	rnd = 0x9e3779b97f4a7c15ULL * 77;
	make_seq(seq, P_ZIPF, 16);
	for (cfg = 0; cfg < OVH_CONFIGS; cfg++) {
		unregister_all();
		snprintf(val, sizeof(val), "%u", ovh_period_ms[cfg]);
		set_tunable("learn_period_ms", val);
		for (k = 0; k < 16; k++)
			dispatcher_register(bench, bench_targets[k]);
		settle(seq);
		k = DISPATCHER(bench).learn->nr_relayouts;
		run_for(seq, ovh_seconds[cfg], &on);
		ovh_relayouts[cfg] = DISPATCHER(bench).learn->nr_relayouts - k;
		set_tunable("learn_period_ms", "3600000");
		settle(seq);
		run_for(seq, ovh_seconds[cfg], &off);

		m = on.clean_ns * SEQ_LEN;
		excess = on.affected - on.nr_affected * m;
		ovh_windows[cfg] = on.windows;
		ovh_steady_ns[cfg] = on.clean_ns;
		ovh_ratio[cfg] = 1 + excess / (on.rounds * m);
		ovh_excess_us[cfg] = on.windows ? excess / on.windows / 1e3 : 0;
		ovh_direct[cfg] = on.mean_ns / off.mean_ns;
	}
	set_tunable("learn_period_ms", "3600000");
	unregister_all();
	free(seq);
}

/* Remove the dumps of an earlier run. */
static void remove_dumps(const char *cgdir)
{
	char path[4400];
	struct dirent *e;
	DIR *dp = opendir(cgdir);

	if (!dp)
		return;
	while ((e = readdir(dp))) {
		if (strncmp(e->d_name, "callgrind.out", 13))
			continue;
		snprintf(path, sizeof(path), "%s/%s", cgdir, e->d_name);
		unlink(path);
	}
	closedir(dp);
}

/* Run ourselves under callgrind and read the instruction counts. */
static bool run_callgrind(const char *self, const char *dir)
{
	char cgdir[4096], log[4200], path[4400], line[512], *cmd;
	unsigned int c, p, m, found = 0;
	unsigned long long ir;
	struct dirent *e;
	DIR *dp;
	FILE *f;
	int ret;

	snprintf(cgdir, sizeof(cgdir), "%s/callgrind", dir);
	snprintf(log, sizeof(log), "%s/valgrind.log", cgdir);
	mkdir(cgdir, 0755);
	/* valgrind sees code written through an alias only with smc-check=all */
	if (asprintf(&cmd, "%s %s --callgrind-out-file=%s/callgrind.out %s %s > %s 2>&1",
		     "DT_NO_MEMBARRIER=1 valgrind --tool=callgrind",
		     "--collect-atstart=no --smc-check=all", cgdir, self,
		     "--callgrind-child", log) < 0)
		return false;
	remove_dumps(cgdir);
	fprintf(stderr, "bench: instruction counts: %s\n", cmd);
	ret = system(cmd);
	free(cmd);
	if (ret) {
		fprintf(stderr, "bench: callgrind failed, see %s/valgrind.log\n",
			cgdir);
		return false;
	}
	dp = opendir(cgdir);
	if (!dp)
		return false;
	while ((e = readdir(dp))) {
		if (strncmp(e->d_name, "callgrind.out", 13))
			continue;
		snprintf(path, sizeof(path), "%s/%s", cgdir, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		c = ~0U;
		ir = 0;
		while (fgets(line, sizeof(line), f)) {
			unsigned long long v;

			if (sscanf(line, "desc: Trigger: Client Request: cell %u %u %u",
				   &c, &p, &m) == 3)
				continue;
			if (sscanf(line, "summary: %llu", &v) == 1 ||
			    sscanf(line, "totals: %llu", &v) == 1)
				ir = v;
		}
		fclose(f);
		if (c < NR_COUNTS && p < NR_PATTERNS && m < NR_METHODS) {
			cells[c][p][m].ir = (double)ir / CG_CALLS;
			found++;
		}
	}
	closedir(dp);
	return found == NR_COUNTS * NR_PATTERNS * NR_METHODS;
}

static void read_first_line(const char *path, const char *key, char *buf,
			    size_t size)
{
	char line[512];
	FILE *f = fopen(path, "r");

	snprintf(buf, size, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (key && strncmp(line, key, strlen(key)))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, size, "%s", key ? strchr(line, ':') + 2 : line);
		break;
	}
	fclose(f);
}

static double ratio(unsigned int c, unsigned int p, unsigned int m,
		    unsigned int base)
{
	return cells[c][p][m].ns / cells[c][p][base].ns;
}

static unsigned int count_index(unsigned int n)
{
	unsigned int c;

	for (c = 0; c < NR_COUNTS; c++)
		if (counts[c] == n)
			return c;
	return 0;
}

static const char *yes(bool met)
{
	return met ? "yes" : "**no**";
}

/* The worst ratio of the dispatcher to @base for pattern @p, N in [lo, hi]. */
static double worst(unsigned int p, unsigned int base, unsigned int lo,
		    unsigned int hi, unsigned int *at)
{
	double w = 0, r;
	unsigned int c;

	for (c = 0; c < NR_COUNTS; c++) {
		if (counts[c] < lo || counts[c] > hi)
			continue;
		r = ratio(c, p, M_DISPATCHER, base);
		if (r > w) {
			w = r;
			*at = counts[c];
		}
	}
	return w;
}

static void describe_layout(char *buf, size_t size, const struct layout *l)
{
	if (!l->len)
		snprintf(buf, size, "no image");
	else if (!l->nr_tree)
		snprintf(buf, size, "chain %u", l->nr_hot);
	else if (!l->nr_hot)
		snprintf(buf, size, "tree %u", l->nr_tree);
	else
		snprintf(buf, size, "chain %u + tree %u", l->nr_hot, l->nr_tree);
}

/* Image bytes per target placed: the worst learned image of the run. */
static double worst_bytes(unsigned int *wc, unsigned int *wp)
{
	double w = 0, b;
	unsigned int c, p;

	for (c = 0; c < NR_COUNTS; c++)
		for (p = 0; p < NR_PATTERNS; p++) {
			const struct layout *l = &layouts[c][p];

			if (!l->len)
				continue;
			b = (double)l->len / (l->nr_hot + l->nr_tree);
			if (b > w) {
				w = b;
				*wc = c;
				*wp = p;
			}
		}
	return w;
}

/* The least (@most: the most) ns of method @m on pattern @p over every N. */
static double extreme_over(unsigned int p, unsigned int m, bool most)
{
	double v = most ? 0 : 1e9;
	unsigned int c;

	for (c = 0; c < NR_COUNTS; c++)
		v = most ? max(v, cells[c][p][m].ns) : min(v, cells[c][p][m].ns);
	return v;
}

/* The tree on uniform calls: ns per level, N = 2 to 1024. */
static double tree_slope(void)
{
	return (cells[NR_COUNTS - 1][P_UNIFORM][M_TREE].ns -
		cells[1][P_UNIFORM][M_TREE].ns) / 9;
}

/* The goals of issue 16, checked against this run. */
static void goals(FILE *f)
{
	unsigned int c, at = 0, at4 = 0, atm = 0, wc = 0, wp = 0;
	unsigned int c16 = count_index(16), cl = NR_COUNTS - 1;
	double hot = 0, lo = 1e9, hi = 0, uni, uni4, z16, z1k, rr, tc, miss;
	double bytes, t;
	char lay[64];
	bool met;

	for (c = 0; c < NR_COUNTS; c++) {
		t = cells[c][P_HOT][M_DISPATCHER].ns;
		lo = min(lo, t);
		hi = max(hi, t);
	}
	hot = worst(P_HOT, M_DIRECT, 1, 1024, &at);
	uni = worst(P_UNIFORM, M_RETPOLINE, 1, 1024, &atm);
	uni4 = worst(P_UNIFORM, M_RETPOLINE, 1, 4, &at4);
	z16 = ratio(c16, P_ZIPF, M_DISPATCHER, M_RETPOLINE);
	z1k = ratio(cl, P_ZIPF, M_DISPATCHER, M_RETPOLINE);
	rr = ratio(c16, P_ROUND, M_DISPATCHER, M_RETPOLINE);
	tc = ratio(c16, P_CHAIN, M_DISPATCHER, M_RETPOLINE);

	fprintf(f, "| goal | measured | met |\n");
	fprintf(f, "| --- | --- | --- |\n");
	fprintf(f, "| hot target (1 used of N = 1..1024 registered) <= 1.3x direct, flat within 10 %% | ");
	fprintf(f, "worst %.2fx direct (N = %u); %.2f to %.2f ns (%+.0f %%) | %s |\n",
		hot, at, lo, hi, (hi / lo - 1) * 100,
		yes(hot <= 1.3 && hi <= lo * 1.1));
	fprintf(f, "| uniform random over N <= 1.10x retpoline at every N, < 1.0x for N <= 4 | ");
	fprintf(f, "worst %.2fx (N = %u); N <= 4: worst %.2fx (N = %u) | %s |\n",
		uni, atm, uni4, at4, yes(uni <= 1.10 && uni4 < 1.0));
	fprintf(f, "| Zipf s=1: N = 16 <= 0.7x retpoline, N = 1024 <= 1.0x | ");
	fprintf(f, "%.2fx, %.2fx | %s |\n", z16, z1k, yes(z16 <= 0.7 && z1k <= 1.0));
	fprintf(f, "| round-robin and tc-chain over 16 <= 0.4x retpoline | ");
	fprintf(f, "%.2fx, %.2fx | %s |\n", rr, tc, yes(rr <= 0.4 && tc <= 0.4));
	miss = worst(P_MISS, M_RETPOLINE, 1, 1024, &at);
	fprintf(f, "| never-registered target <= 1.1x retpoline (issue 14 too) | ");
	fprintf(f, "worst %.2fx (N = %u) | %s |\n", miss, at, yes(miss <= 1.1));
	met = phase_settled >= 0 && phase_settled <= 2;
	fprintf(f, "| phase change within 10 %% of the new steady state after 2 learning periods | ");
	if (phase_settled >= 0)
		fprintf(f, "within 10 %% from period %d after the change (period %u ms; ",
			phase_settled + 1, PHASE_PERIOD_MS);
	else
		fprintf(f, "never within 10 %% (period %u ms; ", PHASE_PERIOD_MS);
	fprintf(f, "first window %.0f ms after it, backed off to %.0f ms) | %s |\n",
		phase_window_ms, phase_armed_ms, yes(met));
	fprintf(f, "| learning overhead <= 1.02x | %.4fx (defaults: %u windows in %u s) | %s |\n",
		ovh_ratio[0], ovh_windows[0], ovh_seconds[0], yes(ovh_ratio[0] <= 1.02));
	bytes = worst_bytes(&wc, &wp);
	describe_layout(lay, sizeof(lay), &layouts[wc][wp]);
	fprintf(f, "| image <= 24 B per target placed in it | ");
	fprintf(f, "worst learned image %.1f B (%s, %u B: %s, N = %u); tree of 1024: %.1f B | %s |\n",
		bytes, lay, layouts[wc][wp].len, pattern_names[wp], counts[wc],
		(double)image_len[cl] / counts[cl], yes(bytes <= 24));
	fprintf(f, "| rebuild of 1024 targets < 100 us (generation + install, grace periods excluded) | ");
	fprintf(f, "%.1f us (median of 21; minimum %.1f us; generation alone %.1f us) | %s |\n",
		rebuild_ns[0] / 1000, rebuild_ns[3] / 1000, rebuild_ns[2] / 1000,
		yes(rebuild_ns[0] < 100e3));

	/* The measurements that say why, for every goal not met. */
	fprintf(f, "\nWhy, where a goal is not met (all from this run):\n\n");
	if (!(hot <= 1.3 && hi <= lo * 1.1))
		fprintf(f, "- Hot target: the way in, 1 registered: direct %.2f ns, the image called from the call site %.2f ns (a direct call, `cmp`, `je`), through the dispatch function and trampoline %.2f ns; a direct call behind one more jump costs %+.2f ns. Over N the learned image stays one `cmp; je` (%.2f to %.2f ns); the spread is the spread of direct itself (%.2f to %.2f ns over the same cells).\n",
			entry_ns[0], entry_ns[1], entry_ns[2], jump_ns[1] - jump_ns[0],
			lo, hi, extreme_over(P_HOT, M_DIRECT, false),
			extreme_over(P_HOT, M_DIRECT, true));
	if (!(uni <= 1.10 && uni4 < 1.0)) {
		c = count_index(atm);
		describe_layout(lay, sizeof(lay), &layouts[c][P_UNIFORM]);
		fprintf(f, "- Uniform: at N = %u the window chose %s (unpredictability %u permille): %.2f ns against the retpoline's %.2f ns and %.2f ns for the tree. The cost model prices a misprediction at %.1f ns and the fallback at %.1f ns; here each level of the tree costs %.2f ns on uniform calls (half of them mispredicted) and the fallback %.2f ns (never-registered, no image, N = 1).\n",
			atm, lay, layouts[c][P_UNIFORM].unpredictable,
			cells[c][P_UNIFORM][M_DISPATCHER].ns,
			cells[c][P_UNIFORM][M_RETPOLINE].ns,
			cells[c][P_UNIFORM][M_TREE].ns, 3.9, 8.6, tree_slope(),
			cells[0][P_MISS][M_DISPATCHER].ns);
	}
	if (!(z16 <= 0.7 && z1k <= 1.0)) {
		char lay2[64];

		describe_layout(lay, sizeof(lay), &layouts[c16][P_ZIPF]);
		describe_layout(lay2, sizeof(lay2), &layouts[cl][P_ZIPF]);
		fprintf(f, "- Zipf: N = 16: %s, %.2f ns (retpoline %.2f, tree %.2f, the plain unmitigated indirect call %.2f); N = 1024: %s, %.2f ns (retpoline %.2f). 0.7x the retpoline is %.2f ns, about what an unmitigated indirect call costs on these calls: the hottest target gets %.0f %% of them, and every compare in front of the rest is a coin the predictor loses often.\n",
			lay, cells[c16][P_ZIPF][M_DISPATCHER].ns,
			cells[c16][P_ZIPF][M_RETPOLINE].ns, cells[c16][P_ZIPF][M_TREE].ns,
			cells[c16][P_ZIPF][M_INDIRECT].ns, lay2,
			cells[cl][P_ZIPF][M_DISPATCHER].ns, cells[cl][P_ZIPF][M_RETPOLINE].ns,
			0.7 * cells[c16][P_ZIPF][M_RETPOLINE].ns, 100 / 3.3807);
	}
	if (!(rr <= 0.4 && tc <= 0.4))
		fprintf(f, "- Round-robin / tc chain over 16: %.2f / %.2f ns against the retpoline's %.2f / %.2f ns.\n",
			cells[c16][P_ROUND][M_DISPATCHER].ns, cells[c16][P_CHAIN][M_DISPATCHER].ns,
			cells[c16][P_ROUND][M_RETPOLINE].ns, cells[c16][P_CHAIN][M_RETPOLINE].ns);
	if (miss > 1.1)
		fprintf(f, "- Never-registered: worst at N = %u; with no image the call site calls the default function, which makes the retpolined call: %+.2f ns over the retpoline at N = 1.\n",
			at, cells[0][P_MISS][M_DISPATCHER].ns - cells[0][P_MISS][M_RETPOLINE].ns);
	if (!met)
		fprintf(f, "- Phase change: nothing sees the new calls until the next window opens, and the period had backed off to %.0f ms (%u periods of %u ms, 64 times the period at most) because the layout had not changed for a while; the window opened %.0f ms after the change and the new layout was in place %.1f ms after it, after which calls cost the new steady state (%.2f ns against %.2f ns before it). Counted in windows rather than periods, the first window after the change fixed it.\n",
			phase_armed_ms, (unsigned int)(phase_armed_ms / PHASE_PERIOD_MS),
			PHASE_PERIOD_MS, phase_window_ms, phase_relayout_ms,
			phase_steady_ns, phase_ns[0]);
	if (ovh_ratio[0] > 1.02)
		fprintf(f, "- Learning overhead: %u windows in %u s, %.1f us extra each.\n",
			ovh_windows[0], ovh_seconds[0], ovh_excess_us[0]);
	if (bytes > 24)
		fprintf(f, "- Image size: a hot-chain link is `cmp $imm32, %%reg; je rel32`, 13 B; a tree leaf is `cmp; je; jmp default; int3`, 19 B, and each inner node `cmp; ja`, 13 B, with the right subtrees aligned to 16 B: %.1f B per target in a tree; an image also has its 16-byte preamble before the entry and a final `jmp; int3` (6 B), so one target alone takes 35 B.\n",
			(double)image_len[cl] / counts[cl]);
	if (rebuild_ns[0] >= 100e3)
		fprintf(f, "- Rebuild: generating the image of 1024 targets alone takes %.1f us here (two passes over the tree, lay out then emit); install and retire add %.1f us.\n",
			rebuild_ns[2] / 1000, (rebuild_ns[0] - rebuild_ns[2]) / 1000);
}

/* The layouts the dispatcher learned, and what they cost against the tree. */
static void learned(FILE *f)
{
	unsigned int c, p;
	char lay[64];

	fprintf(f, "\n### Learned layouts\n\n");
	fprintf(f, "What the window of learn_calls calls chose, per N and pattern ");
	fprintf(f, "(\"no image\": the static call at the default function, the plain call), ");
	fprintf(f, "image bytes, the profile's unpredictability (permille), ");
	fprintf(f, "and dispatcher / tree, ns.\n\n| N |");
	for (p = 0; p < NR_PATTERNS; p++)
		fprintf(f, " %s |", pattern_names[p]);
	fprintf(f, "\n| ---: |");
	for (p = 0; p < NR_PATTERNS; p++)
		fprintf(f, " --- |");
	fprintf(f, "\n");
	for (c = 0; c < NR_COUNTS; c++) {
		fprintf(f, "| %u |", counts[c]);
		for (p = 0; p < NR_PATTERNS; p++) {
			const struct layout *l = &layouts[c][p];

			describe_layout(lay, sizeof(lay), l);
			fprintf(f, " %s, %u B, u %u: %.2f / %.2f |", lay, l->len,
				l->unpredictable, cells[c][p][M_DISPATCHER].ns,
				cells[c][p][M_TREE].ns);
		}
		fprintf(f, "\n");
	}
}

/* The real-time runs and the hand-made sequences. */
static void extras(FILE *f)
{
	unsigned int b, last;

	fprintf(f, "\n### Phase change\n\n");
	fprintf(f, "N = %u registered; a tc chain of 4 (targets 0-3), for %u periods of %u ms ",
		PHASE_N, PHASE_BEFORE, PHASE_PERIOD_MS);
	fprintf(f, "(learn_period_ms = %u, so the period backs off as far as it goes), ",
		PHASE_PERIOD_MS);
	fprintf(f, "then another chain of 4 (targets 8-11) for %u periods, in real time. ",
		PHASE_AFTER);
	fprintf(f, "Before the change: %.2f ns per call. ", phase_before_ns);
	fprintf(f, "At the change the next window was armed for up to %.0f ms; ",
		phase_armed_ms);
	fprintf(f, "it opened %.1f ms after the change, ", phase_window_ms);
	fprintf(f, "the new layout was in place %.1f ms after it. ", phase_relayout_ms);
	fprintf(f, "New steady state (median of the last %u periods): %.2f ns per call.\n\n",
		PHASE_TAIL, phase_steady_ns);
	last = phase_settled >= 0 ? phase_settled + 4 : 16;
	if (phase_relayout_ms > 0)
		last = max(last, (unsigned int)(phase_relayout_ms / PHASE_PERIOD_MS) + 3);
	last = min_t(unsigned int, last, PHASE_AFTER);
	fprintf(f, "ns per call in each period after the change:");
	for (b = 0; b < last; b++)
		fprintf(f, "%s %u: %.2f", b ? ";" : "", b + 1, phase_ns[b]);
	fprintf(f, "%s.\n", last < PHASE_AFTER ? "; ..." : "");

	fprintf(f, "\n### Learning overhead\n\n");
	fprintf(f, "Zipf over 16, settled, run continuously with the periodic windows, ");
	fprintf(f, "against the same layout with no window (the period an hour). ");
	fprintf(f, "Charged: what the rounds of 32768 calls that a window touched took ");
	fprintf(f, "beyond the median round, over all rounds; the plain ratio of the means ");
	fprintf(f, "is noisier than that on a shared machine.\n\n");
	fprintf(f, "| learn_period_ms | seconds | windows | of which changed the layout | steady ns | extra us per window | ratio charged | ratio of means |\n");
	fprintf(f, "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	for (b = 0; b < OVH_CONFIGS; b++)
		fprintf(f, "| %u | %u | %u | %u | %.2f | %.1f | %.4fx | %.3fx |\n",
			ovh_period_ms[b], ovh_seconds[b], ovh_windows[b],
			ovh_relayouts[b],
			ovh_steady_ns[b], ovh_excess_us[b], ovh_ratio[b],
			ovh_direct[b]);

	fprintf(f, "\n### Hot target at the head of the chain: `cmp; je` or `cmp; jne; jmp`\n\n");
	fprintf(f, "ns per call, the loop of the tables calling the stub directly (sites.S). ");
	fprintf(f, "Warm: the same stub every call. Cold: each call through another of %u copies ",
		COLD_COPIES);
	fprintf(f, "(64 bytes apart, more branches than the predictor holds), by a plain ");
	fprintf(f, "indirect call; the base is a copy that only jumps to the target.\n\n");
	fprintf(f, "| | base | `cmp; je target` | `cmp; jne next; jmp target` |\n");
	fprintf(f, "| --- | ---: | ---: | ---: |\n");
	fprintf(f, "| warm | %.2f | %.2f (%+.2f) | %.2f (%+.2f) |\n",
		jcc_ns[0][0], jcc_ns[0][1], jcc_ns[0][1] - jcc_ns[0][0],
		jcc_ns[0][2], jcc_ns[0][2] - jcc_ns[0][0]);
	fprintf(f, "| cold | %.2f | %.2f (%+.2f) | %.2f (%+.2f) |\n",
		jcc_ns[1][0], jcc_ns[1][1], jcc_ns[1][1] - jcc_ns[1][0],
		jcc_ns[1][2], jcc_ns[1][2] - jcc_ns[1][0]);
}

/*
 * Where the time goes, from this run: the same calls in a predictable
 * order (round-robin) against a random one, per tree level, extra jumps,
 * the way in, and instruction counts.
 */
static void analysis(FILE *f, bool with_ir)
{
	unsigned int c, c16 = count_index(16), last = NR_COUNTS - 1;
	const struct cell *hot1 = cells[0][P_HOT], *hotn = cells[last][P_HOT];
	const struct cell *miss1 = cells[0][P_MISS], *missn = cells[last][P_MISS];
	double slope;

	fprintf(f, "\n### Where the time goes\n\n");
	fprintf(f, "The tree (learning off), ns per call (instructions per call), by pattern. ");
	fprintf(f, "Round-robin calls the targets of \"uniform\" in a fixed cycle: ");
	fprintf(f, "the same instructions, with branches a predictor can learn.\n\n");
	fprintf(f, "| N | hot | round-robin | uniform | retpoline, uniform |\n");
	fprintf(f, "| ---: | ---: | ---: | ---: | ---: |\n");
	for (c = 0; c < NR_COUNTS; c++)
		fprintf(f, "| %u | %.2f (%.1f) | %.2f (%.1f) | %.2f (%.1f) | %.2f (%.1f) |\n",
			counts[c],
			cells[c][P_HOT][M_TREE].ns, cells[c][P_HOT][M_TREE].ir,
			cells[c][P_ROUND][M_TREE].ns, cells[c][P_ROUND][M_TREE].ir,
			cells[c][P_UNIFORM][M_TREE].ns, cells[c][P_UNIFORM][M_TREE].ir,
			cells[c][P_UNIFORM][M_RETPOLINE].ns,
			cells[c][P_UNIFORM][M_RETPOLINE].ir);
	slope = (cells[last][P_UNIFORM][M_TREE].ns -
		 cells[1][P_UNIFORM][M_TREE].ns) / 9;

	fprintf(f, "\n- Hot target, N = 1: dispatcher %.2f ns, direct %.2f ns: %+.2f ns",
		hot1[M_DISPATCHER].ns, hot1[M_DIRECT].ns,
		hot1[M_DISPATCHER].ns - hot1[M_DIRECT].ns);
	if (with_ir)
		fprintf(f, ", %+.1f instructions",
			hot1[M_DISPATCHER].ir - hot1[M_DIRECT].ir);
	fprintf(f, "; the same direct call behind 1, 2, 3 more jumps: %+.2f, %+.2f, %+.2f ns.\n",
		jump_ns[1] - jump_ns[0], jump_ns[2] - jump_ns[0],
		jump_ns[3] - jump_ns[0]);
	fprintf(f, "- The way in, hot target of 1 registered: direct %.2f ns; ", entry_ns[0]);
	fprintf(f, "the image called from the call site (inline static call) %.2f ns; ",
		entry_ns[1]);
	fprintf(f, "through the dispatch function and the trampoline (the old way) %.2f ns.\n",
		entry_ns[2]);
	fprintf(f, "- Hot target, N = 1 to %u: dispatcher %+.2f ns, tree %+.2f ns",
		counts[last], hotn[M_DISPATCHER].ns - hot1[M_DISPATCHER].ns,
		hotn[M_TREE].ns - hot1[M_TREE].ns);
	if (with_ir)
		fprintf(f, " (%+.1f and %+.1f instructions)",
			hotn[M_DISPATCHER].ir - hot1[M_DISPATCHER].ir,
			hotn[M_TREE].ir - hot1[M_TREE].ir);
	fprintf(f, ".\n");
	fprintf(f, "- Tree, uniform, N = 2 to %u: %+.2f ns per level (per doubling of N); ",
		counts[last], slope);
	fprintf(f, "at N = 16, uniform %.2f ns against round-robin %.2f ns.\n",
		cells[c16][P_UNIFORM][M_TREE].ns, cells[c16][P_ROUND][M_TREE].ns);
	fprintf(f, "- Uniform over 16 targets, one random sequence of P calls repeated ");
	fprintf(f, "(ns per call, dispatcher / tree / retpoline / plain indirect):");
	for (c = 0; c < NR_PERIODS; c++)
		fprintf(f, "%s P = %u: %.2f / %.2f / %.2f / %.2f", c ? ";" : "", periods[c],
			period_ns[c][M_DISPATCHER], period_ns[c][M_TREE],
			period_ns[c][M_RETPOLINE], period_ns[c][M_INDIRECT]);
	fprintf(f, ". P = %lu is the table's \"uniform\"; each P learned on its own.\n",
		SEQ_LEN);
	fprintf(f, "- Never-registered target, dispatcher minus retpoline: ");
	fprintf(f, "%+.2f ns at N = 1, %+.2f ns at N = %u",
		miss1[M_DISPATCHER].ns - miss1[M_RETPOLINE].ns,
		missn[M_DISPATCHER].ns - missn[M_RETPOLINE].ns, counts[last]);
	if (with_ir)
		fprintf(f, " (%+.1f and %+.1f instructions)",
			miss1[M_DISPATCHER].ir - miss1[M_RETPOLINE].ir,
			missn[M_DISPATCHER].ir - missn[M_RETPOLINE].ir);
	fprintf(f, "; tree minus retpoline: %+.2f and %+.2f ns.\n",
		miss1[M_TREE].ns - miss1[M_RETPOLINE].ns,
		missn[M_TREE].ns - missn[M_RETPOLINE].ns);
}

static void table(FILE *f, unsigned int p, bool with_ir)
{
	unsigned int c, m;

	fprintf(f, "### %s\n\n| N |", pattern_titles[p]);
	for (m = 0; m < NR_METHODS; m++)
		fprintf(f, " %s ns |", method_titles[m]);
	fprintf(f, " dispatcher / direct | dispatcher / retpoline | tree / retpoline |");
	if (with_ir)
		fprintf(f, " instructions: direct / retpoline / icall4 / tree / dispatcher |");
	fprintf(f, "\n| ---: |");
	for (m = 0; m < NR_METHODS + 3 + with_ir; m++)
		fprintf(f, " ---: |");
	fprintf(f, "\n");
	for (c = 0; c < NR_COUNTS; c++) {
		fprintf(f, "| %u |", counts[c]);
		for (m = 0; m < NR_METHODS; m++)
			fprintf(f, " %.2f |", cells[c][p][m].ns);
		fprintf(f, " %.2fx | %.2fx | %.2fx |",
			ratio(c, p, M_DISPATCHER, M_DIRECT),
			ratio(c, p, M_DISPATCHER, M_RETPOLINE),
			ratio(c, p, M_TREE, M_RETPOLINE));
		if (with_ir)
			fprintf(f, " %.1f / %.1f / %.1f / %.1f / %.1f |",
				cells[c][p][M_DIRECT].ir,
				cells[c][p][M_RETPOLINE].ir,
				cells[c][p][M_ICALL4].ir,
				cells[c][p][M_TREE].ir,
				cells[c][p][M_DISPATCHER].ir);
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

static void report(FILE *f, bool with_ir, unsigned int samples)
{
	char cpu[256], spectre[512], kernel[256];
	unsigned int c, p;

	read_first_line("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
	read_first_line("/sys/devices/system/cpu/vulnerabilities/spectre_v2",
			NULL, spectre, sizeof(spectre));
	read_first_line("/proc/sys/kernel/osrelease", NULL, kernel, sizeof(kernel));

	fprintf(f, "- CPU: %s (%ld online)\n", cpu, sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(f, "- spectre_v2: %s\n", spectre);
	fprintf(f, "- kernel: %s\n", kernel);
	fprintf(f, "- ns per call: the minimum of %u samples of %lu dependent calls; ",
		samples, SEQ_LEN);
	fprintf(f, "the machine is shared and load elsewhere only adds time ");
	fprintf(f, "(medians are in results.csv). ");
	fprintf(f, "Methods take turns; the samples are spread over %u passes; ", PASSES);
	fprintf(f, "pinned to one CPU, the shim's threads too.\n");
	fprintf(f, "- tree and dispatcher: entered from the call site by a direct call, as an ");
	fprintf(f, "inline static call enters the image (sites.S); tree: learning off, the ");
	fprintf(f, "balanced tree over all N; dispatcher: learning on, settled on the pattern ");
	fprintf(f, "(a window of learn_calls = %u calls of it, then dispatcher_relayout()), ",
		tunable_get("learn_calls"));
	fprintf(f, "max_targets = %u, no window during the samples.\n",
		tunable_get("max_targets"));
	fprintf(f, "- instructions per call: callgrind, %u calls, ", CG_CALLS);
	fprintf(f, "including the loop (about 5 instructions).\n\n");

	fprintf(f, "### Goals (issue 16)\n\n");
	goals(f);
	fprintf(f, "\n");

	for (p = 0; p < NR_PATTERNS; p++)
		table(f, p, with_ir);

	learned(f);
	extras(f);
	analysis(f, with_ir);

	fprintf(f, "\n### Image size and rebuild time\n\n");
	fprintf(f, "The tree over all N (learning off):\n\n");
	fprintf(f, "| N | code bytes | bytes per target | held in its pack |\n");
	fprintf(f, "| ---: | ---: | ---: | ---: |\n");
	for (c = 0; c < NR_COUNTS; c++)
		fprintf(f, "| %u | %u | %.1f | %u |\n", counts[c], image_len[c],
			(double)image_len[c] / counts[c], image_size[c]);
	fprintf(f, "\nWith 1024 targets, median of 21: ");
	fprintf(f, "registering the 1024th target %.1f us (minimum %.1f us), unregistering it %.1f us ",
		rebuild_ns[0] / 1000, rebuild_ns[3] / 1000, rebuild_ns[1] / 1000);
	fprintf(f, "(each a rebuild: generate, allocate in a pack, copy, switch the static call ");
	fprintf(f, "and its call site, retire the old image without waiting for its grace periods); ");
	fprintf(f, "generating the image alone %.1f us.\n", rebuild_ns[2] / 1000);
}

static void write_csv(const char *path)
{
	unsigned int c, p, m, b;
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	fprintf(f, "pattern,n,method,ns_min,ns_median,x_direct,x_retpoline,instructions,hot,tree,image_bytes\n");
	for (p = 0; p < NR_PATTERNS; p++)
		for (c = 0; c < NR_COUNTS; c++)
			for (m = 0; m < NR_METHODS; m++) {
				const struct layout *l = &layouts[c][p];

				fprintf(f, "%s,%u,%s,%.3f,%.3f,%.3f,%.3f,%.1f,",
					pattern_names[p], counts[c], method_names[m],
					cells[c][p][m].ns, cells[c][p][m].median,
					ratio(c, p, m, M_DIRECT),
					ratio(c, p, m, M_RETPOLINE),
					cells[c][p][m].ir);
				if (m == M_DISPATCHER)
					fprintf(f, "%u,%u,%u\n", l->nr_hot, l->nr_tree, l->len);
				else if (m == M_TREE)
					fprintf(f, "0,%u,%u\n", counts[c], image_len[c]);
				else
					fprintf(f, ",,\n");
			}
	/* The other measurements, n their index. */
	for (b = 0; b < PHASE_AFTER; b++)
		fprintf(f, "phase_after_change,%u,dispatcher,%.3f,,,,,,,\n", b + 1,
			phase_ns[b]);
	fprintf(f, "phase_steady,%u,dispatcher,%.3f,,,,,,,\n", PHASE_N, phase_steady_ns);
	for (b = 0; b < OVH_CONFIGS; b++)
		fprintf(f, "learning_overhead_x,%u,dispatcher,%.4f,%.4f,,,,,,\n",
			ovh_period_ms[b], ovh_ratio[b], ovh_direct[b]);
	for (b = 0; b < 2; b++) {
		fprintf(f, "%s,1,base,%.3f,,,,,,,\n", b ? "head_cold" : "head_warm",
			jcc_ns[b][0]);
		fprintf(f, "%s,1,cmp_je,%.3f,,,,,,,\n", b ? "head_cold" : "head_warm",
			jcc_ns[b][1]);
		fprintf(f, "%s,1,cmp_jne_jmp,%.3f,,,,,,,\n", b ? "head_cold" : "head_warm",
			jcc_ns[b][2]);
	}
	fprintf(f, "rebuild_1024_us,1024,tree,%.3f,%.3f,,,,,,\n", rebuild_ns[3] / 1000,
		rebuild_ns[0] / 1000);
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *dir = ".";
	unsigned int samples = 35;
	bool callgrind = HAVE_CALLGRIND, child = false;
	char path[4096], self[4096];
	ssize_t len;
	FILE *f;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			dir = argv[++i];
		} else if (!strcmp(argv[i], "--samples") && i + 1 < argc) {
			samples = clamp(atoi(argv[++i]), 1, MAX_SAMPLES - PASSES);
		} else if (!strcmp(argv[i], "--no-callgrind")) {
			callgrind = false;
		} else if (!strcmp(argv[i], "--callgrind-child")) {
			child = true;
		} else {
			fprintf(stderr, "usage: %s [--out DIR] [--samples N] [--no-callgrind]\n",
				argv[0]);
			return 2;
		}
	}
	/*
	 * Learning on, as by default.  No cap below N (64 by default), so
	 * that the tree column is the tree over all N and learned layouts
	 * may place as many targets as the cost model wants; and a period
	 * of an hour, so that no window opens while a layout is timed
	 * (time_phase() and time_overhead() set their own).
	 */
	dt_boot_param("dispatcher.learn=1");
	dt_boot_param("dispatcher.max_targets=65536");
	dt_boot_param("dispatcher.learn_period_ms=3600000");
	dt_do_initcalls(DT_INITCALL_LATE);
	/*
	 * Whatever the host's mitigation, images as for retpolines; a miss
	 * jumps to the dispatch point's default function, compiled with
	 * retpolines (loops_retpoline.c), which makes the call.
	 */
	dt_cpu_caps = DT_CAP(X86_FEATURE_ALWAYS) | DT_CAP(X86_FEATURE_RETPOLINE);

	if (child) {
		run_pass(true, 0);
		return 0;
	}

	/* One CPU, the one we are on, for stable timings; the shim's too. */
	pin_all(sched_getcpu());

	/*
	 * The samples of a cell are spread over PASSES passes, so that a
	 * burst of load from elsewhere cannot decide one cell.
	 */
	fprintf(stderr, "bench: timing %u x %u cells, %u samples each in %u passes\n",
		(unsigned int)NR_COUNTS, NR_PATTERNS, samples, PASSES);
	for (i = 0; i < PASSES; i++) {
		run_pass(false, DIV_ROUND_UP(samples, PASSES));
		nr_samples += DIV_ROUND_UP(samples, PASSES);
		if (i < PASSES - 1)
			unregister_all();
	}
	samples = nr_samples;
	summarise();
	fprintf(stderr, "bench: rebuilds, jumps, the way in, head of chain\n");
	time_rebuilds();
	{
		bench_fn *seq = calloc(SEQ_LEN, sizeof(*seq));

		time_jumps(seq, samples);
		free(seq);
	}
	unregister_all();
	time_entry(samples);
	time_jcc(samples);
	time_periods(samples);
	fprintf(stderr, "bench: phase change, learning overhead (real time)\n");
	pin_all(sched_getcpu());
	time_phase();
	time_overhead();

	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[len > 0 ? len : 0] = '\0';
	if (callgrind && system("valgrind --version > /dev/null 2>&1"))
		callgrind = false;
	if (callgrind)
		callgrind = run_callgrind(self, dir);
	if (!callgrind)
		fprintf(stderr, "bench: no instruction counts (valgrind missing or failed)\n");

	snprintf(path, sizeof(path), "%s/results.csv", dir);
	write_csv(path);
	snprintf(path, sizeof(path), "%s/results.md", dir);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return 1;
	}
	report(f, callgrind, samples);
	fclose(f);
	report(stdout, callgrind, samples);
	return sink == 42;	/* keep the results alive */
}
