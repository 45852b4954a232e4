// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the BPF dispatcher, kernel/bpf/dispatcher.c, the adapter
 * that puts XDP on lib/dispatcher.
 *
 * The programs are built in the kernel, as lib/test_bpf.c builds them:
 * instructions, then bpf_prog_select_runtime(), which JITs them on x86_64
 * and leaves them to the interpreter on UML.  They are attached with
 * bpf_prog_change_xdp(), as a device does, and run with
 * bpf_prog_run_xdp(), as a driver does.  Programs of the interpreter share
 * their bpf_func by stack depth (__bpf_prog_run32, __bpf_prog_run64 ...),
 * so the programs of a test get different stack depths to be different
 * targets there too.
 *
 * Run with:
 *	./tools/testing/kunit/kunit.py run --kunitconfig=lib/dispatcher/kunit
 */

#include <kunit/test.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/prandom.h>
#include <linux/uaccess.h>
#include <net/xdp.h>

#include "../dispatcher_internal.h"
#include "dispatcher_kunit.h"

/* Distinct stack depths give distinct interpreter entry points. */
#define XDP_DEPTHS	16

static struct dispatcher *xdp_dispatcher(void)
{
	return bpf_dispatcher_xdp.dispatcher;
}

/* A program of @len instructions, JITed where the kernel JITs. */
static struct bpf_prog *xdp_prog_new(struct kunit *test,
				     const struct bpf_insn *insns,
				     unsigned int len, unsigned int depth)
{
	struct bpf_prog *fp;
	int err;

	fp = bpf_prog_alloc(bpf_prog_size(len), 0);
	KUNIT_ASSERT_NOT_NULL(test, fp);
	fp->len = len;
	fp->type = BPF_PROG_TYPE_XDP;
	memcpy(fp->insnsi, insns, len * sizeof(*insns));
	fp->aux->stack_depth = (depth % XDP_DEPTHS + 1) * 32;
	/* The reference bpf_prog_load() would give the program's fd. */
	atomic64_set(&fp->aux->refcnt, 1);
	fp = bpf_prog_select_runtime(fp, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	/* The QEMU tier's kernel has the BPF JIT; UML has none. */
	KUNIT_EXPECT_EQ(test, (bool)fp->jited, IS_ENABLED(CONFIG_BPF_JIT));
	return fp;
}

/* A program that returns @verdict. */
static struct bpf_prog *xdp_prog_const(struct kunit *test, u32 verdict,
				       unsigned int depth)
{
	const struct bpf_insn insns[] = {
		BPF_MOV32_IMM(BPF_REG_0, verdict),
		BPF_EXIT_INSN(),
	};

	return xdp_prog_new(test, insns, ARRAY_SIZE(insns), depth);
}

/* A program that drops packets starting with 0xff and passes the rest. */
static struct bpf_prog *xdp_prog_filter(struct kunit *test, unsigned int depth)
{
	const struct bpf_insn insns[] = {
		BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_1,
			    offsetof(struct xdp_buff, data)),
		BPF_LDX_MEM(BPF_B, BPF_REG_3, BPF_REG_2, 0),
		BPF_MOV32_IMM(BPF_REG_0, XDP_PASS),
		BPF_JMP_IMM(BPF_JNE, BPF_REG_3, 0xff, 1),
		BPF_MOV32_IMM(BPF_REG_0, XDP_DROP),
		BPF_EXIT_INSN(),
	};

	return xdp_prog_new(test, insns, ARRAY_SIZE(insns), depth);
}

/* Free a program the dispatcher must no longer hold a reference on. */
static void xdp_prog_free(struct kunit *test, struct bpf_prog *fp)
{
	KUNIT_EXPECT_EQ(test, atomic64_read(&fp->aux->refcnt), 1);
	bpf_prog_free(fp);
}

/* Run @fp on a packet whose first byte is @first, as a driver does. */
static u32 xdp_run(const struct bpf_prog *fp, u8 first)
{
	struct xdp_rxq_info rxq = {};
	struct xdp_buff xdp;
	u8 pkt[ETH_ZLEN] = { first };
	u32 act;

	xdp_init_buff(&xdp, sizeof(pkt), &rxq);
	xdp_prepare_buff(&xdp, pkt, 0, sizeof(pkt), false);
	rcu_read_lock();
	migrate_disable();
	act = bpf_prog_run_xdp(fp, &xdp);
	migrate_enable();
	rcu_read_unlock();
	return act;
}

/* How many of @progs share @fp's bpf_func: the users the dispatcher has. */
static unsigned int xdp_sharing(struct bpf_prog **progs, unsigned int n,
				const struct bpf_prog *fp)
{
	unsigned int i, users = 0;

	for (i = 0; i < n; i++)
		users += progs[i] && progs[i]->bpf_func == fp->bpf_func;
	return users;
}

static const u32 xdp_verdicts[] = {
	XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT,
};

/*
 * Every XDP verdict through the dispatcher; each attached program is a
 * target of the XDP dispatcher, and is no more once detached.
 */
static void bpf_xdp_test_verdicts(struct kunit *test)
{
	struct dispatcher *d = xdp_dispatcher();
	const unsigned int n = ARRAY_SIZE(xdp_verdicts) + 1;
	struct bpf_prog *progs[ARRAY_SIZE(xdp_verdicts) + 1];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xdp_verdicts); i++)
		progs[i] = xdp_prog_const(test, xdp_verdicts[i], i);
	progs[i] = xdp_prog_filter(test, i);

	for (i = 0; i < n; i++)
		bpf_prog_change_xdp(NULL, progs[i]);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, users_of(d, progs[i]->bpf_func),
				    xdp_sharing(progs, n, progs[i]),
				    "program %u", i);
	if (IS_ENABLED(CONFIG_DISPATCHER_JIT))
		KUNIT_EXPECT_NOT_NULL(test, READ_ONCE(d->image));

	for (i = 0; i < ARRAY_SIZE(xdp_verdicts); i++) {
		KUNIT_EXPECT_EQ(test, xdp_run(progs[i], 0), xdp_verdicts[i]);
		KUNIT_EXPECT_EQ(test, xdp_run(progs[i], 0xff), xdp_verdicts[i]);
	}
	KUNIT_EXPECT_EQ(test, xdp_run(progs[i], 0), XDP_PASS);
	KUNIT_EXPECT_EQ(test, xdp_run(progs[i], 0xff), XDP_DROP);
	KUNIT_EXPECT_EQ(test, xdp_run(progs[i], 0xfe), XDP_PASS);

	for (i = 0; i < n; i++) {
		bpf_prog_change_xdp(progs[i], NULL);
		KUNIT_EXPECT_EQ_MSG(test, users_of(d, progs[i]->bpf_func),
				    xdp_sharing(progs + i + 1, n - i - 1,
						progs[i]), "program %u", i);
	}
	KUNIT_EXPECT_EQ(test, d->nr_targets, 0);
	KUNIT_EXPECT_NULL(test, d->image);
	/* Detached, the programs still run, through the indirect call. */
	KUNIT_EXPECT_EQ(test, xdp_run(progs[1], 0), XDP_DROP);
	for (i = 0; i < n; i++)
		xdp_prog_free(test, progs[i]);
}

/*
 * A program attached twice is one target with two users and one program
 * reference; detaching what is not attached changes nothing.
 */
static void bpf_xdp_test_twice(struct kunit *test)
{
	struct dispatcher *d = xdp_dispatcher();
	struct bpf_prog *fp = xdp_prog_const(test, XDP_TX, 0);
	struct bpf_prog *other = xdp_prog_const(test, XDP_PASS, 1);
	unsigned long updates;

	bpf_prog_change_xdp(NULL, fp);
	KUNIT_EXPECT_EQ(test, atomic64_read(&fp->aux->refcnt), 2);
	updates = d->nr_updates;
	bpf_prog_change_xdp(NULL, fp);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 1);
	KUNIT_EXPECT_EQ(test, users_of(d, fp->bpf_func), 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&fp->aux->refcnt), 2);
	KUNIT_EXPECT_EQ(test, xdp_run(fp, 0), XDP_TX);

	/* Neither a no-op change nor detaching a stranger does anything. */
	bpf_prog_change_xdp(fp, fp);
	bpf_prog_change_xdp(other, NULL);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates);
	KUNIT_EXPECT_EQ(test, atomic64_read(&other->aux->refcnt), 1);

	bpf_prog_change_xdp(fp, NULL);
	KUNIT_EXPECT_EQ(test, users_of(d, fp->bpf_func), 1);
	KUNIT_EXPECT_EQ(test, xdp_run(fp, 0), XDP_TX);
	bpf_prog_change_xdp(fp, NULL);
	KUNIT_EXPECT_EQ(test, users_of(d, fp->bpf_func), 0);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates + 1);
	xdp_prog_free(test, fp);
	xdp_prog_free(test, other);
}

/* Replacing one program by another is a single update of the dispatcher. */
static void bpf_xdp_test_swap(struct kunit *test)
{
	struct dispatcher *d = xdp_dispatcher();
	struct bpf_prog *old = xdp_prog_const(test, XDP_PASS, 2);
	struct bpf_prog *new = xdp_prog_const(test, XDP_DROP, 3);
	unsigned long updates;

	KUNIT_ASSERT_PTR_NE(test, (void *)old->bpf_func, (void *)new->bpf_func);
	bpf_prog_change_xdp(NULL, old);
	updates = d->nr_updates;
	bpf_prog_change_xdp(old, new);
	KUNIT_EXPECT_EQ(test, d->nr_updates, updates + 1);
	KUNIT_EXPECT_EQ(test, users_of(d, old->bpf_func), 0);
	KUNIT_EXPECT_EQ(test, users_of(d, new->bpf_func), 1);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 1);
	KUNIT_EXPECT_EQ(test, xdp_run(new, 0), XDP_DROP);
	KUNIT_EXPECT_EQ(test, xdp_run(old, 0), XDP_PASS);
	bpf_prog_change_xdp(new, NULL);
	xdp_prog_free(test, old);
	xdp_prog_free(test, new);
}

#define XDP_MANY	64

/*
 * More programs than the 48 of the old BPF dispatcher: each one runs its
 * own code through the dispatcher, and each is in the image.
 */
static void bpf_xdp_test_many(struct kunit *test)
{
	struct dispatcher *d = xdp_dispatcher();
	struct bpf_prog **progs;
	unsigned int i, distinct = 0;

	progs = kunit_kcalloc(test, XDP_MANY, sizeof(*progs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, progs);
	for (i = 0; i < XDP_MANY; i++) {
		progs[i] = xdp_prog_const(test, 1000U + i, i);
		bpf_prog_change_xdp(NULL, progs[i]);
		distinct += xdp_sharing(progs, i + 1, progs[i]) == 1;
	}
	/* Past DISPATCHER_MAX_RETIRING updates the image may come later. */
	dispatcher_barrier();
	KUNIT_EXPECT_EQ(test, d->nr_targets, distinct);
	if (IS_ENABLED(CONFIG_BPF_JIT))
		KUNIT_EXPECT_EQ(test, distinct, XDP_MANY);
	if (IS_ENABLED(CONFIG_DISPATCHER_JIT))
		KUNIT_EXPECT_NOT_NULL(test, READ_ONCE(d->image));
	for (i = 0; i < XDP_MANY; i++) {
		KUNIT_EXPECT_EQ(test, users_of(d, progs[i]->bpf_func),
				xdp_sharing(progs, XDP_MANY, progs[i]));
		KUNIT_EXPECT_EQ(test, xdp_run(progs[i], 0), 1000U + i);
	}
	for (i = 0; i < XDP_MANY; i++)
		bpf_prog_change_xdp(progs[i], NULL);
	KUNIT_EXPECT_EQ(test, d->nr_targets, 0);
	for (i = 0; i < XDP_MANY; i++)
		xdp_prog_free(test, progs[i]);
}

/* What the program of the BPF_PROG_TEST_RUN case saw on each run. */
static struct {
	const struct bpf_prog *prog;
	unsigned int runs;
	unsigned int listed;	/* runs with prog a target of the dispatcher */
	unsigned int imaged;	/* runs with an image in the static_call */
} xdp_seen;

/*
 * Called by the program on every run, with no lock held: the test is the
 * only thread that updates the XDP dispatcher, and it is waiting in
 * bpf_prog_test_run_xdp().
 */
static u64 xdp_test_run_hook(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5)
{
	struct dispatcher *d = xdp_dispatcher();
	unsigned int i;

	xdp_seen.runs++;
	for (i = 0; i < READ_ONCE(d->nr_targets); i++)
		if (d->targets[i].addr == (unsigned long)xdp_seen.prog->bpf_func)
			xdp_seen.listed++;
	if (d->image && READ_ONCE(d->sc_key->func) == d->image->entry)
		xdp_seen.imaged++;
	return 0;
}

#define XDP_TEST_REPEAT	100

/*
 * BPF_PROG_TEST_RUN with repeat > 1 attaches the program to the XDP
 * dispatcher for the run: every repetition goes through the image and
 * returns the program's verdict.
 */
static void bpf_xdp_test_test_run(struct kunit *test)
{
	const struct bpf_insn insns[] = {
		BPF_EMIT_CALL(xdp_test_run_hook),
		BPF_LDX_MEM(BPF_DW, BPF_REG_2, BPF_REG_6,
			    offsetof(struct xdp_buff, data)),
		BPF_LDX_MEM(BPF_B, BPF_REG_3, BPF_REG_2, 0),
		BPF_MOV32_IMM(BPF_REG_0, XDP_PASS),
		BPF_JMP_IMM(BPF_JNE, BPF_REG_3, 0xff, 1),
		BPF_MOV32_IMM(BPF_REG_0, XDP_DROP),
		BPF_EXIT_INSN(),
	};
	/* The call clobbers r1: keep the context in r6. */
	const struct bpf_insn save_ctx = BPF_MOV64_REG(BPF_REG_6, BPF_REG_1);
	struct bpf_insn prog_insns[ARRAY_SIZE(insns) + 1];
	struct dispatcher *d = xdp_dispatcher();
	union bpf_attr kattr = {}, out;
	union bpf_attr __user *uattr;
	u8 pkt[ETH_ZLEN] = { 0xff };
	struct bpf_prog *fp;
	unsigned long user, updates;
	u8 __user *data;
	int first, ret;

	user = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (!user || IS_ERR_VALUE(user))
		kunit_skip(test, "no user memory for the test's attributes");
	uattr = (union bpf_attr __user *)user;
	data = (u8 __user *)user + sizeof(*uattr);

	prog_insns[0] = save_ctx;
	memcpy(prog_insns + 1, insns, sizeof(insns));
	fp = xdp_prog_new(test, prog_insns, ARRAY_SIZE(prog_insns), 4);
	xdp_seen.prog = fp;

	for (first = 0xff; first >= 0xfe; first--) {
		pkt[0] = first;
		KUNIT_ASSERT_EQ(test, copy_to_user(data, pkt, sizeof(pkt)), 0);
		kattr.test.data_in = (unsigned long)data;
		kattr.test.data_size_in = sizeof(pkt);
		kattr.test.repeat = XDP_TEST_REPEAT;
		xdp_seen.runs = 0;
		xdp_seen.listed = 0;
		xdp_seen.imaged = 0;
		/* The attachment for the run builds its image at once. */
		dispatcher_barrier();
		updates = d->nr_updates;

		ret = bpf_prog_test_run_xdp(fp, &kattr, uattr);
		KUNIT_ASSERT_EQ(test, ret, 0);
		KUNIT_ASSERT_EQ(test, copy_from_user(&out, uattr, sizeof(out)), 0);
		KUNIT_EXPECT_EQ(test, out.test.retval,
				first == 0xff ? XDP_DROP : XDP_PASS);
		KUNIT_EXPECT_EQ(test, xdp_seen.runs, XDP_TEST_REPEAT);
		KUNIT_EXPECT_EQ(test, xdp_seen.listed, XDP_TEST_REPEAT);
		if (IS_ENABLED(CONFIG_DISPATCHER_JIT))
			KUNIT_EXPECT_EQ(test, xdp_seen.imaged, XDP_TEST_REPEAT);
		/* Attached for the run, detached after it. */
		KUNIT_EXPECT_EQ(test, d->nr_updates, updates + 2);
		KUNIT_EXPECT_EQ(test, users_of(d, fp->bpf_func), 0);
	}
	xdp_prog_free(test, fp);
}

/* Programs of the churn test, and how the runners enter the dispatcher. */
#define XDP_CHURN_PROGS	8
#define XDP_CHURN_OPS	20000

enum xdp_churn_entry {
	XDP_CHURN_RUN,		/* bpf_prog_run_xdp(): the static_call site */
	XDP_CHURN_KEY,		/* the function the static_call key points at */
};

static const char *const xdp_churn_names[] = {
	[XDP_CHURN_RUN] = "bpf_prog_run_xdp",
	[XDP_CHURN_KEY] = "static_call key",
};

static void xdp_churn_desc(const enum xdp_churn_entry *e, char *desc)
{
	strscpy(desc, xdp_churn_names[*e], KUNIT_PARAM_DESC_SIZE);
}

static const enum xdp_churn_entry xdp_churn_entries[] = {
	XDP_CHURN_RUN, XDP_CHURN_KEY,
};

KUNIT_ARRAY_PARAM(xdp_churn, xdp_churn_entries, xdp_churn_desc);

struct xdp_churn {
	enum xdp_churn_entry entry;
	struct bpf_prog *progs[XDP_CHURN_PROGS];
	atomic_t wrong;
	atomic_long_t runs;
};

/* The dispatch function as the static_call key has it now. */
static unsigned int xdp_churn_key(const void *ctx, const struct bpf_insn *insnsi,
				  bpf_func_t bpf_func)
{
	bpf_dispatcher_fn image = READ_ONCE(xdp_dispatcher()->sc_key->func);

	return image(ctx, insnsi, bpf_func);
}

/* Run every program, attached or not, until told to stop. */
static int xdp_churn_runner(void *data)
{
	struct xdp_churn *c = data;
	struct xdp_rxq_info rxq = {};
	u8 pkt[ETH_ZLEN] = {};
	struct xdp_buff xdp;
	unsigned int k;
	u32 act;

	xdp_init_buff(&xdp, sizeof(pkt), &rxq);
	xdp_prepare_buff(&xdp, pkt, 0, sizeof(pkt), false);
	while (!kthread_should_stop()) {
		rcu_read_lock();
		migrate_disable();
		for (k = 0; k < XDP_CHURN_PROGS; k++) {
			if (c->entry == XDP_CHURN_RUN)
				act = bpf_prog_run_xdp(c->progs[k], &xdp);
			else
				act = __bpf_prog_run(c->progs[k], &xdp,
						     xdp_churn_key);
			if (act != 2000U + k)
				atomic_inc(&c->wrong);
		}
		migrate_enable();
		rcu_read_unlock();
		atomic_long_add(XDP_CHURN_PROGS, &c->runs);
		/* Let RCU-tasks grace periods, and so image frees, happen. */
		cond_resched_tasks_rcu_qs();
	}
	return 0;
}

/*
 * Programs are attached, detached and swapped at random while every CPU
 * runs all of them in a loop: every run returns its own program's verdict.
 */
static void bpf_xdp_test_churn(struct kunit *test)
{
	struct dispatcher *d = xdp_dispatcher();
	unsigned int attached[XDP_CHURN_PROGS] = {}, k, x, y;
	struct xdp_churn c = { .entry = *(const enum xdp_churn_entry *)test->param_value };
	struct task_struct **runners;
	unsigned long i, updates = d->nr_updates;
	struct rnd_state rnd;
	ktime_t start;
	int cpu;

	if (c.entry == XDP_CHURN_RUN && churn_site_unsafe())
		kunit_skip(test, "multi-threaded TCG cannot patch live sites (x86_64-live)");
	if (c.entry != XDP_CHURN_RUN && dispatcher_kunit_live())
		kunit_skip(test, "the x86_64 boot enters through the key");

	for (k = 0; k < XDP_CHURN_PROGS; k++)
		c.progs[k] = xdp_prog_const(test, 2000U + k, k);
	runners = kunit_kcalloc(test, nr_cpu_ids, sizeof(*runners), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, runners);
	for_each_online_cpu(cpu) {
		runners[cpu] = kthread_run_on_cpu(xdp_churn_runner, &c, cpu,
						  "xdp_churn/%u");
		KUNIT_ASSERT_FALSE(test, IS_ERR(runners[cpu]));
	}

	prandom_seed_state(&rnd, 4242);
	start = ktime_get();
	for (i = 0; i < XDP_CHURN_OPS; i++) {
		x = prandom_u32_state(&rnd) % XDP_CHURN_PROGS;
		y = prandom_u32_state(&rnd) % XDP_CHURN_PROGS;
		if (!attached[x] || (attached[x] < 4 && prandom_u32_state(&rnd) % 2)) {
			bpf_prog_change_xdp(NULL, c.progs[x]);
			attached[x]++;
		} else if (prandom_u32_state(&rnd) % 2) {
			bpf_prog_change_xdp(c.progs[x], NULL);
			attached[x]--;
		} else {
			bpf_prog_change_xdp(c.progs[x], c.progs[y]);
			attached[x] -= x != y;
			attached[y] += x != y;
		}
		/*
		 * Updates do not sleep: let the runners run now and then,
		 * also on one CPU without preemption (UML).
		 */
		if (!(i % 256)) {
			long runs = atomic_long_read(&c.runs);
			unsigned int tries = 0;

			while (atomic_long_read(&c.runs) == runs && tries++ < 1000)
				schedule_timeout_uninterruptible(1);
		}
		/* Let retirements drain now and then, so images get built. */
		if (!(i % 1024))
			dispatcher_barrier();
	}
	kunit_info(test, "%lu changes, %lu rebuilds in %lld ms, %ld runs on %u CPUs",
		   i, d->nr_updates - updates,
		   ktime_ms_delta(ktime_get(), start),
		   atomic_long_read(&c.runs), num_online_cpus());

	for_each_online_cpu(cpu)
		kthread_stop(runners[cpu]);
	KUNIT_EXPECT_EQ(test, atomic_read(&c.wrong), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&c.runs), 0);

	for (k = 0; k < XDP_CHURN_PROGS; k++) {
		KUNIT_EXPECT_EQ_MSG(test, !!users_of(d, c.progs[k]->bpf_func),
				    !!attached[k], "program %u", k);
		while (attached[k]--)
			bpf_prog_change_xdp(c.progs[k], NULL);
	}
	KUNIT_EXPECT_EQ(test, d->nr_targets, 0);
	for (k = 0; k < XDP_CHURN_PROGS; k++)
		xdp_prog_free(test, c.progs[k]);
}

static struct kunit_case bpf_xdp_cases[] = {
	KUNIT_CASE(bpf_xdp_test_verdicts),
	KUNIT_CASE(bpf_xdp_test_twice),
	KUNIT_CASE(bpf_xdp_test_swap),
	KUNIT_CASE(bpf_xdp_test_many),
	KUNIT_CASE(bpf_xdp_test_test_run),
	KUNIT_CASE_PARAM(bpf_xdp_test_churn, xdp_churn_gen_params),
	{}
};

static int bpf_xdp_init(struct kunit *test)
{
	/* The suite owns the XDP dispatcher: nothing else is attached. */
	if (READ_ONCE(xdp_dispatcher()->nr_targets))
		kunit_skip(test, "XDP programs are attached already");
	/*
	 * Each case starts with no image retiring, so that its updates
	 * build their images rather than defer them.
	 */
	dispatcher_barrier();
	return 0;
}

static struct kunit_suite bpf_xdp_suite = {
	.name = "dispatcher_bpf_xdp",
	.suite_init = dk_learn_off,
	.suite_exit = dk_learn_restore,
	.init = bpf_xdp_init,
	.test_cases = bpf_xdp_cases,
};

kunit_test_suite(bpf_xdp_suite);

MODULE_DESCRIPTION("KUnit tests for the BPF dispatcher on lib/dispatcher");
MODULE_LICENSE("GPL");
