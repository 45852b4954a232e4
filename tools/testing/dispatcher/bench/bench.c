// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: what a dispatched call costs on this CPU, against the
 * alternatives, in ns per call and in instructions per call.
 *
 *	bench [--out DIR] [--samples N] [--no-callgrind]
 *
 * For N = 1 ... 1024 registered targets and four patterns of targets (one
 * hot target; uniform over all N; Zipf-like over all N; a target never
 * registered), each method runs the same sequence of 2^15 calls: a direct
 * call, a plain indirect call, a retpoline (-mindirect-branch=thunk-extern
 * and a real retpoline thunk), an INDIRECT_CALL_4() compare chain and the
 * dispatcher.  Each call takes the result of the one before, so calls do
 * not overlap.  The methods take turns, one sequence each, for --samples
 * rounds (default 35) spread over five passes over all cells; a method's
 * time is the minimum of its samples: on a shared machine, load from
 * elsewhere only ever adds time (the median is in the CSV too).  Ratios
 * are between methods of the same run.
 * Then the same calls run under valgrind --tool=callgrind for
 * instructions per call, which no other load changes.
 *
 * To say where the time goes, the same run also measures a round-robin
 * pattern (the targets of "uniform" in a fixed cycle: the same
 * instructions, predictable branches), uniform sequences that repeat
 * with a short period (which a predictor learns), and a direct call behind
 * one to three more jumps.  And: image bytes per target, the time to
 * rebuild an image of 1024 targets, and the goals of the project checked
 * against the numbers.  Writes results.csv and results.md to DIR and
 * prints the markdown.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
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
 * The four patterns of the issue, and round-robin: the targets of
 * "uniform" in a fixed cyclic order, the same instructions with branches a
 * predictor can learn, to tell misprediction from work.
 */
enum { P_HOT, P_UNIFORM, P_ZIPF, P_MISS, P_ROUND, NR_PATTERNS };
#define NR_MAIN_PATTERNS	P_ROUND
static const char *const pattern_names[] = {
	"hot", "uniform", "zipf", "unregistered", "roundrobin",
};

static const char *const pattern_titles[] = {
	"one hot target",
	"uniform random over the N targets",
	"Zipf-like (s = 1) over the N targets",
	"a target that is never registered (N registered)",
	"round-robin over the N targets",
};

enum { M_DIRECT, M_INDIRECT, M_RETPOLINE, M_ICALL4, M_DISPATCHER, NR_METHODS };
static const char *const method_names[] = {
	"direct", "indirect", "retpoline", "icall4", "dispatcher",
};

static const char *const method_titles[] = {
	"direct", "indirect", "retpoline", "INDIRECT_CALL_4", "dispatcher",
};

static unsigned long (*const methods[])(const bench_fn *, unsigned long,
					unsigned long, unsigned long) = {
	bench_direct, bench_indirect, bench_retpoline, bench_icall4,
	bench_dispatcher,
};

struct cell {
	double ns;		/* ns per call: the minimum over the samples */
	double median;		/* and the median, for the CSV */
	double ir;		/* instructions per call, 0 if unknown */
};

static struct cell cells[NR_COUNTS][NR_PATTERNS][NR_METHODS];
static unsigned int image_len[NR_COUNTS], image_size[NR_COUNTS];
static double rebuild_ns[3];	/* register, unregister, generate only */
static double jump_ns[4];	/* a direct call through 0 to 3 more jumps */

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

/* The median time of @fn over @samples runs, in ns. */
static double time_op(int (*fn)(void), unsigned int samples)
{
	double t[64], t0;
	unsigned int s;

	for (s = 0; s < samples; s++) {
		t0 = now_ns();
		if (fn())
			return -1;
		t[s] = now_ns() - t0;
	}
	return median(t, samples);
}

static int reg_last(void)
{
	return dispatcher_register(bench, bench_targets[BENCH_TARGETS - 1]);
}

static int unreg_last(void)
{
	int ret = dispatcher_unregister(bench, bench_targets[BENCH_TARGETS - 1]);

	dispatcher_barrier();	/* not part of the next register's time */
	return ret;
}

static struct dispatcher_target *gen_targets;
static u8 *gen_buf;

static int generate(void)
{
	struct dispatcher *d = &DISPATCHER(bench);
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

/* A direct call through 0, 1, 2 and 3 more jumps, as time_methods(). */
static void time_jumps(bench_fn *seq, unsigned int samples)
{
	static unsigned long (*const loops[])(const bench_fn *, unsigned long,
					      unsigned long, unsigned long) = {
		bench_direct, bench_direct_jmp1, bench_direct_jmp2,
		bench_direct_jmp3,
	};
	double best[ARRAY_SIZE(loops)], t0, t;
	unsigned int s, k;

	for (k = 0; k < ARRAY_SIZE(loops); k++) {
		sink += loops[k](seq, SEQ_LEN, SEQ_LEN - 1, sink);
		best[k] = 1e9;
	}
	for (s = 0; s < samples; s++)
		for (k = 0; k < ARRAY_SIZE(loops); k++) {
			t0 = now_ns();
			sink += loops[k](seq, SEQ_LEN, SEQ_LEN - 1, sink);
			t = (now_ns() - t0) / SEQ_LEN;
			best[k] = min(best[k], t);
		}
	memcpy(jump_ns, best, sizeof(jump_ns));
}

/* With 16 targets registered: repeating random sequences, see periods[]. */
static void time_periods(unsigned int samples)
{
	bench_fn *seq = malloc(SEQ_LEN * sizeof(*seq));
	unsigned int k, m, s;
	unsigned long i;
	double t0, t;

	for (k = 0; k < 16; k++)
		dispatcher_register(bench, bench_targets[k]);
	for (k = 0; k < NR_PERIODS; k++) {
		rnd = 0x9e3779b97f4a7c15ULL * (k + 1000);
		for (i = 0; i < SEQ_LEN; i++)
			seq[i] = i < periods[k] ? bench_targets[(xorshift() >> 32) * 16 >> 32] :
						  seq[i % periods[k]];
		for (m = 0; m < NR_METHODS; m++) {
			sink += methods[m](seq, SEQ_LEN, SEQ_LEN - 1, sink);
			period_ns[k][m] = 1e9;
		}
		for (s = 0; s < samples; s++)
			for (m = 0; m < NR_METHODS; m++) {
				t0 = now_ns();
				sink += methods[m](seq, SEQ_LEN, SEQ_LEN - 1, sink);
				t = (now_ns() - t0) / SEQ_LEN;
				period_ns[k][m] = min(period_ns[k][m], t);
			}
	}
	free(seq);
}

/* Rebuild times with 1024 targets: register, unregister, generate only. */
static void time_rebuilds(void)
{
	struct dispatcher *d = &DISPATCHER(bench);
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
		dispatcher_unregister(bench, bench_targets[BENCH_TARGETS - 1]);
		unreg[s] = now_ns() - t0;
		dispatcher_barrier();
		reg_last();
	}
	rebuild_ns[0] = median(reg, ARRAY_SIZE(reg));
	rebuild_ns[1] = median(unreg, ARRAY_SIZE(unreg));
	rebuild_ns[2] = time_op(generate, 21);
	free(gen_buf);
	free(gen_targets);
}

/*
 * One pass: register the targets N by N and run every pattern, timing
 * (@samples more samples of each cell) or counting instructions.  The
 * sequences are the same in every pass.
 */
static void run_pass(bool callgrind, unsigned int samples)
{
	struct dispatcher *d = &DISPATCHER(bench);
	bench_fn *seq = malloc(SEQ_LEN * sizeof(*seq));
	unsigned int c, p, k = 0;

	for (c = 0; c < NR_COUNTS; c++) {
		for (; k < counts[c]; k++)
			if (dispatcher_register(bench, bench_targets[k])) {
				fprintf(stderr, "bench: register failed\n");
				exit(1);
			}
		/* Builds the image if too many were retiring to build it. */
		dispatcher_barrier();
		if (!d->image) {
			fprintf(stderr, "bench: no image (jit_err %d)\n", d->jit_err);
			exit(1);
		}
		/* Calls enter the image where the kernel's would. */
		if (READ_ONCE(d->sc_key->func) != d->image->entry) {
			fprintf(stderr, "bench: the static call is not the image's entry\n");
			exit(1);
		}
		image_len[c] = d->image->len;
		image_size[c] = d->image->held;
		for (p = 0; p < NR_PATTERNS; p++) {
			rnd = 0x9e3779b97f4a7c15ULL * (c * NR_PATTERNS + p + 1);
			make_seq(seq, p, counts[c]);
			if (callgrind)
				count_methods(seq, c, p);
			else
				time_methods(seq, samples, c, p);
		}
	}
	free(seq);
}

static void unregister_all(void)
{
	unsigned int k;

	for (k = 0; k < BENCH_TARGETS; k++)
		dispatcher_unregister(bench, bench_targets[k]);
	dispatcher_barrier();
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

/* The goals of the issue, checked against this run. */
static void goals(FILE *f)
{
	double worst_direct = 0, best_gain = 1e9, lo = 1e9, hi = 0, miss = 0;
	double hot1 = cells[0][P_HOT][M_DISPATCHER].ns, u16;
	unsigned int c, worst_c = 0, gain_c = 0, miss_c = 0;

	for (c = 0; c < NR_COUNTS; c++) {
		double rd = ratio(c, P_HOT, M_DISPATCHER, M_DIRECT);
		double gain = 1 / ratio(c, P_HOT, M_DISPATCHER, M_RETPOLINE);
		double rm = ratio(c, P_MISS, M_DISPATCHER, M_RETPOLINE);
		double t = cells[c][P_HOT][M_DISPATCHER].ns;

		if (rd > worst_direct) {
			worst_direct = rd;
			worst_c = c;
		}
		if (gain < best_gain) {
			best_gain = gain;
			gain_c = c;
		}
		if (rm > miss) {
			miss = rm;
			miss_c = c;
		}
		lo = min(lo, t);
		hi = max(hi, t);
	}
	u16 = ratio(count_index(16), P_UNIFORM, M_DISPATCHER, M_RETPOLINE);

	fprintf(f, "| goal | measured | met |\n");
	fprintf(f, "| --- | --- | --- |\n");
	fprintf(f, "| hot target <= 1.2x direct | worst %.2fx (N = %u) | %s |\n",
		worst_direct, counts[worst_c], yes(worst_direct <= 1.2));
	fprintf(f, "| hot target >= 6x faster than retpoline | worst %.2fx (N = %u) | %s |\n",
		best_gain, counts[gain_c], yes(best_gain >= 6));
	fprintf(f, "| hot target flat within +-10 %% from 1 to 1024 | ");
	fprintf(f, "%.2f to %.2f ns, %+.0f %% / %+.0f %% of N = 1 | %s |\n",
		lo, hi, (lo / hot1 - 1) * 100, (hi / hot1 - 1) * 100,
		yes(lo >= hot1 * 0.9 && hi <= hot1 * 1.1));
	fprintf(f, "| never-registered target <= 1.1x retpoline | worst %.2fx (N = %u) | %s |\n",
		miss, counts[miss_c], yes(miss <= 1.1));
	fprintf(f, "| uniform over 16 targets <= 0.8x retpoline | %.2fx | %s |\n",
		u16, yes(u16 <= 0.8));
}

/*
 * Where the dispatcher's time goes, from this run: the same calls in a
 * predictable order (round-robin) against a random one, per tree level,
 * extra jumps, and instruction counts.
 */
static void analysis(FILE *f, bool with_ir)
{
	unsigned int c, c16 = count_index(16), last = NR_COUNTS - 1;
	const struct cell *hot1 = cells[0][P_HOT], *hotn = cells[last][P_HOT];
	const struct cell *miss1 = cells[0][P_MISS], *missn = cells[last][P_MISS];
	double slope;

	fprintf(f, "\n### Where the time goes\n\n");
	fprintf(f, "Dispatcher, ns per call (instructions per call), by pattern. ");
	fprintf(f, "Round-robin calls the targets of \"uniform\" in a fixed cycle: ");
	fprintf(f, "the same instructions, with branches a predictor can learn.\n\n");
	fprintf(f, "| N | hot | round-robin | uniform | retpoline, uniform |\n");
	fprintf(f, "| ---: | ---: | ---: | ---: | ---: |\n");
	for (c = 0; c < NR_COUNTS; c++)
		fprintf(f, "| %u | %.2f (%.1f) | %.2f (%.1f) | %.2f (%.1f) | %.2f (%.1f) |\n",
			counts[c],
			cells[c][P_HOT][M_DISPATCHER].ns,
			cells[c][P_HOT][M_DISPATCHER].ir,
			cells[c][P_ROUND][M_DISPATCHER].ns,
			cells[c][P_ROUND][M_DISPATCHER].ir,
			cells[c][P_UNIFORM][M_DISPATCHER].ns,
			cells[c][P_UNIFORM][M_DISPATCHER].ir,
			cells[c][P_UNIFORM][M_RETPOLINE].ns,
			cells[c][P_UNIFORM][M_RETPOLINE].ir);
	slope = (cells[last][P_UNIFORM][M_DISPATCHER].ns -
		 cells[1][P_UNIFORM][M_DISPATCHER].ns) / 9;

	fprintf(f, "\n- Hot target, N = 1: dispatcher %.2f ns, direct %.2f ns: %+.2f ns",
		hot1[M_DISPATCHER].ns, hot1[M_DIRECT].ns,
		hot1[M_DISPATCHER].ns - hot1[M_DIRECT].ns);
	if (with_ir)
		fprintf(f, ", %+.1f instructions",
			hot1[M_DISPATCHER].ir - hot1[M_DIRECT].ir);
	fprintf(f, "; the same direct call behind 1, 2, 3 more jumps: %+.2f, %+.2f, %+.2f ns.\n",
		jump_ns[1] - jump_ns[0], jump_ns[2] - jump_ns[0],
		jump_ns[3] - jump_ns[0]);
	fprintf(f, "- Hot target, N = 1 to %u: %+.2f ns", counts[last],
		hotn[M_DISPATCHER].ns - hot1[M_DISPATCHER].ns);
	if (with_ir)
		fprintf(f, ", %+.1f instructions",
			hotn[M_DISPATCHER].ir - hot1[M_DISPATCHER].ir);
	fprintf(f, ".\n");
	fprintf(f, "- Uniform, N = 2 to %u: %+.2f ns per level of the tree (per doubling of N); ",
		counts[last], slope);
	fprintf(f, "at N = 16, uniform %.2f ns against round-robin %.2f ns.\n",
		cells[c16][P_UNIFORM][M_DISPATCHER].ns,
		cells[c16][P_ROUND][M_DISPATCHER].ns);
	fprintf(f, "- Uniform over 16 targets, one random sequence of P calls repeated ");
	fprintf(f, "(ns per call, dispatcher / retpoline / plain indirect):");
	for (c = 0; c < NR_PERIODS; c++)
		fprintf(f, "%s P = %u: %.2f / %.2f / %.2f", c ? ";" : "", periods[c],
			period_ns[c][M_DISPATCHER], period_ns[c][M_RETPOLINE],
			period_ns[c][M_INDIRECT]);
	fprintf(f, ". P = %lu is the table's \"uniform\".\n", SEQ_LEN);
	fprintf(f, "- Never-registered target, dispatcher minus retpoline: ");
	fprintf(f, "%+.2f ns at N = 1, %+.2f ns at N = %u",
		miss1[M_DISPATCHER].ns - miss1[M_RETPOLINE].ns,
		missn[M_DISPATCHER].ns - missn[M_RETPOLINE].ns, counts[last]);
	if (with_ir)
		fprintf(f, " (%+.1f and %+.1f instructions)",
			miss1[M_DISPATCHER].ir - miss1[M_RETPOLINE].ir,
			missn[M_DISPATCHER].ir - missn[M_RETPOLINE].ir);
	fprintf(f, ".\n");
}

static void table(FILE *f, unsigned int p, bool with_ir)
{
	unsigned int c, m;

	fprintf(f, "### %s\n\n| N |", pattern_titles[p]);
	for (m = 0; m < NR_METHODS; m++)
		fprintf(f, " %s ns |", method_titles[m]);
	fprintf(f, " dispatcher / direct | dispatcher / retpoline |");
	if (with_ir)
		fprintf(f, " instructions: direct / retpoline / icall4 / dispatcher |");
	fprintf(f, "\n| ---: |");
	for (m = 0; m < NR_METHODS + 2 + with_ir; m++)
		fprintf(f, " ---: |");
	fprintf(f, "\n");
	for (c = 0; c < NR_COUNTS; c++) {
		fprintf(f, "| %u |", counts[c]);
		for (m = 0; m < NR_METHODS; m++)
			fprintf(f, " %.2f |", cells[c][p][m].ns);
		fprintf(f, " %.2fx | %.2fx |",
			ratio(c, p, M_DISPATCHER, M_DIRECT),
			ratio(c, p, M_DISPATCHER, M_RETPOLINE));
		if (with_ir)
			fprintf(f, " %.1f / %.1f / %.1f / %.1f |",
				cells[c][p][M_DIRECT].ir,
				cells[c][p][M_RETPOLINE].ir,
				cells[c][p][M_ICALL4].ir,
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
	fprintf(f, "pinned to one CPU.\n");
	fprintf(f, "- instructions per call: callgrind, %u calls, ", CG_CALLS);
	fprintf(f, "including the loop (about 5 instructions).\n\n");

	for (p = 0; p < NR_MAIN_PATTERNS; p++)
		table(f, p, with_ir);

	fprintf(f, "### Goals\n\n");
	goals(f);
	analysis(f, with_ir);

	fprintf(f, "\n### Image size and rebuild time\n\n");
	fprintf(f, "| N | code bytes | bytes per target | allocated |\n");
	fprintf(f, "| ---: | ---: | ---: | ---: |\n");
	for (c = 0; c < NR_COUNTS; c++)
		fprintf(f, "| %u | %u | %.1f | %u |\n", counts[c], image_len[c],
			(double)image_len[c] / counts[c], image_size[c]);
	fprintf(f, "\nWith 1024 targets, median of 21: ");
	fprintf(f, "registering the 1024th target %.1f us, unregistering it %.1f us ",
		rebuild_ns[0] / 1000, rebuild_ns[1] / 1000);
	fprintf(f, "(each a rebuild: generate, allocate, copy, switch the static call, ");
	fprintf(f, "retire the old image); generating the image alone %.1f us.\n",
		rebuild_ns[2] / 1000);
}

static void write_csv(const char *path)
{
	unsigned int c, p, m;
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	fprintf(f, "pattern,n,method,ns_min,ns_median,x_direct,x_retpoline,instructions\n");
	for (p = 0; p < NR_PATTERNS; p++)
		for (c = 0; c < NR_COUNTS; c++)
			for (m = 0; m < NR_METHODS; m++)
				fprintf(f, "%s,%u,%s,%.3f,%.3f,%.3f,%.3f,%.1f\n",
					pattern_names[p], counts[c], method_names[m],
					cells[c][p][m].ns, cells[c][p][m].median,
					ratio(c, p, m, M_DIRECT),
					ratio(c, p, m, M_RETPOLINE),
					cells[c][p][m].ir);
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *dir = ".";
	unsigned int samples = 35;
	bool callgrind = HAVE_CALLGRIND, child = false;
	char path[4096], self[4096];
	cpu_set_t set;
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

	/* One CPU, the one we are on, for stable timings. */
	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	sched_setaffinity(0, sizeof(set), &set);

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
	time_rebuilds();
	{
		bench_fn *seq = calloc(SEQ_LEN, sizeof(*seq));

		time_jumps(seq, samples);
		free(seq);
	}
	unregister_all();
	time_periods(samples);

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
