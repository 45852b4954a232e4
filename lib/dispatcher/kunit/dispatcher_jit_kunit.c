// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for lib/dispatcher: the dispatcher_jit suite.
 *
 * The architecture's JIT: images generated for 1 to 1024 targets, walked,
 * decoded (x86_64) and executed; targets out of imm32 and rel32 reach;
 * dispatcher=on|off|auto; the call site's direct call into the image; an
 * image as a function and as kernel text (kallsyms, ftrace on what a call
 * runs, kernel_text_address(), the ORC unwinder, kCFI, call depth
 * tracking); and concurrency: calls on every CPU while another thread
 * updates the dispatcher, and an image held by one CPU across two updates
 * on another.  Most cases are skipped
 * where there is no JIT.
 *
 * Run with:
 *	./tools/testing/kunit/kunit.py run --kunitconfig=lib/dispatcher/kunit
 */

#include <kunit/test.h>
#include <linux/dispatcher.h>
#include <linux/ftrace.h>
#include <linux/kallsyms.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/sort.h>
#include <linux/unaligned.h>
#if defined(CONFIG_X86) && !defined(CONFIG_UML)
#include <linux/cfi.h>
#include <asm/alternative.h>
#include <asm/unwind.h>
#endif
#if defined(CONFIG_X86) && !defined(CONFIG_UML) && defined(CONFIG_INSTRUCTION_DECODER)
#include <asm/insn.h>
#include <asm/text-patching.h>
#endif

#include "../dispatcher_internal.h"
#include "dispatcher_kunit.h"

DEFINE_DISPATCHER(kunit_jit, int, int, a, int, b);

#define JIT_REQUIRES(test)						\
	do {								\
		if (!IS_ENABLED(CONFIG_DISPATCHER_JIT))			\
			kunit_skip(test, "no dispatcher JIT here");	\
	} while (0)

/*
 * A walk over an image in the forms the x86-64 generator emits: after the
 * preamble and the entry's ENDBR, each node is "cmp; ja right" or a leaf
 * "cmp; je target", and a leaf list ends in "jmp" to the dispatch point's
 * default function, then int3.  On UML alone, where that function can be
 * out of rel32 reach, the leaves may jump to one "movabs; jmp *%r11" in
 * the image instead.  The QEMU tier also checks images with the kernel's
 * instruction decoder; UML has none.
 */
struct jit_walk {
	const u8 *code;
	unsigned long ip;
	unsigned int len;
	unsigned int entry;	/* offset of the entry */
	u8 reg;
	unsigned long miss;	/* where every leaf list ends, 0 until found */
	unsigned long *hits;	/* je destinations, in order */
	unsigned int nr_hits;
	unsigned int max_hits;
	unsigned int depth;	/* most compares on one path */
	const char *err;
};

static const u8 jit_arg_regs[] = { 7, 6, 2, 1, 8, 9 };

static unsigned int walk_cmp(struct jit_walk *w, unsigned int off,
			     unsigned long *addr)
{
	const u8 *p = w->code + off;
	u8 b = w->reg >= 8, r = w->reg & 7;

	/* cmp $imm32, %reg */
	if (off + 7 <= w->len && p[0] == (0x48 | b) && p[1] == 0x81 &&
	    p[2] == (0xf8 | r)) {
		*addr = (long)(s32)get_unaligned_le32(p + 3);
		return 7;
	}
	/* movabs $imm64, %r11; cmp %r11, %reg */
	if (off + 13 <= w->len && p[0] == 0x49 && p[1] == 0xbb &&
	    p[10] == (0x4c | b) && p[11] == 0x39 && p[12] == (0xd8 | r)) {
		*addr = get_unaligned_le64(p + 2);
		return 13;
	}
	return 0;
}

static unsigned long walk_rel32(struct jit_walk *w, unsigned int end)
{
	return w->ip + end + (long)(s32)get_unaligned_le32(w->code + end - 4);
}

static void walk_node(struct jit_walk *w, unsigned int off, unsigned int depth)
{
	unsigned long addr, to;
	unsigned int n;

	while (!w->err) {
		n = walk_cmp(w, off, &addr);
		if (!n) {
			/* The end of a leaf list: jmp rel32; int3. */
			if (off + 6 > w->len || w->code[off] != 0xe9) {
				w->err = "expected cmp or jmp";
				return;
			}
			if (w->code[off + 5] != 0xcc) {
				w->err = "jmp not followed by int3";
				return;
			}
			to = walk_rel32(w, off + 5);
			if (w->miss && to != w->miss)
				w->err = "leaves end in different places";
			w->miss = to;
			w->depth = max(w->depth, depth);
			return;
		}
		off += n;
		depth++;
		if (off + 6 > w->len || w->code[off] != 0x0f) {
			w->err = "cmp without jcc";
			return;
		}
		to = walk_rel32(w, off + 6);
		if (w->code[off + 1] == 0x84) {		/* je target */
			if (to != addr)
				w->err = "je elsewhere than its compare";
			else if (w->nr_hits == w->max_hits)
				w->err = "too many leaves";
			else
				w->hits[w->nr_hits++] = addr;
		} else if (w->code[off + 1] == 0x87) {	/* ja right */
			if (to < w->ip || to >= w->ip + w->len || to % 16)
				w->err = "ja outside the image or unaligned";
			else
				walk_node(w, to - w->ip, depth);
		} else {
			w->err = "unexpected jcc";
		}
		off += 6;
	}
}

/* Is there an ENDBR (or, under FineIBT, its poison) at @p? */
static bool jit_is_endbr(const u8 *p)
{
	static const u8 endbr[] = { 0xf3, 0x0f, 0x1e, 0xfa };
	static const u8 poison[] = { 0x66, 0x0f, 0x1f, 0x00 };

	return !memcmp(p, endbr, 4) || !memcmp(p, poison, 4);
}

#if defined(CONFIG_X86) && !defined(CONFIG_UML) && defined(CONFIG_INSTRUCTION_DECODER)
/*
 * The same image through the kernel's instruction decoder: apart from
 * int3 padding, only compares, the movabs into %r11 and direct branches:
 * into the image on a 16-byte boundary, to one of @hits, or to the default
 * function.  No indirect branch at all.
 */
static void jit_decode(struct kunit *test, struct jit_walk *w)
{
	unsigned int off = w->entry;
	unsigned long to;
	struct insn insn;
	bool known;
	unsigned int i;
	u8 op;

	if (IS_ENABLED(CONFIG_X86_KERNEL_IBT))
		off += 4;
	while (off < w->len) {
		if (w->code[off] == INT3_INSN_OPCODE) {
			off++;
			continue;
		}
		KUNIT_ASSERT_EQ_MSG(test, insn_decode_kernel(&insn, w->code + off),
				    0, "offset %u", off);
		op = insn.opcode.bytes[0];
		if (op == JMP32_INSN_OPCODE ||
		    (op == 0x0f && (insn.opcode.bytes[1] & 0xf0) == 0x80)) {
			to = w->ip + off + insn.length + insn.immediate.value;
			known = (to >= w->ip && to < w->ip + w->len && !(to % 16)) ||
				to == w->miss;
			for (i = 0; i < w->nr_hits && !known; i++)
				known = to == w->hits[i];
			KUNIT_EXPECT_TRUE_MSG(test, known,
					      "branch at %u goes astray", off);
		} else {
			/* cmp imm32 / cmp r64 / movabs to %r11 */
			KUNIT_EXPECT_TRUE_MSG(test, op == 0x81 || op == 0x39 ||
					      op == 0xbb,
					      "unexpected opcode %#x at %u", op, off);
		}
		off += insn.length;
	}
}
#else
static void jit_decode(struct kunit *test, struct jit_walk *w)
{
}
#endif

/*
 * Walk @len bytes of code generated to run at @ip, entered at @entry;
 * misses must reach @fallback.  See struct jit_walk.
 */
static void jit_walk(struct kunit *test, struct jit_walk *w, const void *code,
		     unsigned long ip, unsigned int len, unsigned int entry,
		     unsigned int nr, void *fallback)
{
	unsigned int start = entry;
	const u8 *f;

	memset(w, 0, sizeof(*w));
	w->code = code;
	w->ip = ip;
	w->len = len;
	w->entry = entry;
	w->reg = jit_arg_regs[2];
	w->max_hits = nr;
	w->hits = kunit_kcalloc(test, nr, sizeof(*w->hits), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w->hits);
	KUNIT_ASSERT_LT(test, entry, len);
	if (IS_ENABLED(CONFIG_X86_KERNEL_IBT) && !IS_ENABLED(CONFIG_UML)) {
		KUNIT_EXPECT_TRUE_MSG(test, jit_is_endbr(w->code + entry),
				      "no ENDBR at the entry");
		start += 4;
	}
	walk_node(w, start, 0);
	KUNIT_ASSERT_NULL_MSG(test, w->err, "%s", w->err);
	if (w->miss != (unsigned long)fallback) {
		/* UML only: movabs $fallback, %r11; jmp *%r11; int3, last. */
		KUNIT_ASSERT_TRUE_MSG(test, IS_ENABLED(CONFIG_UML),
				      "misses go to %lx, not the default function",
				      w->miss);
		KUNIT_ASSERT_TRUE(test, w->miss >= ip && w->miss + 14 == ip + len);
		f = w->code + (w->miss - ip);
		KUNIT_EXPECT_EQ(test, f[0], 0x49);
		KUNIT_EXPECT_EQ(test, f[1], 0xbb);
		KUNIT_EXPECT_EQ(test, get_unaligned_le64(f + 2),
				(unsigned long)fallback);
		KUNIT_EXPECT_EQ(test, f[10], 0x41);
		KUNIT_EXPECT_EQ(test, f[11], 0xff);
		KUNIT_EXPECT_EQ(test, f[12], 0xe3);
		KUNIT_EXPECT_EQ(test, f[13], 0xcc);
	}
	jit_decode(test, w);
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static unsigned int ilog2_up(unsigned int n)
{
	return n > 1 ? ilog2(n - 1) + 1 : 0;
}

static const unsigned int jit_counts[] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
	21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38,
	39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 256, 1024,
};

KUNIT_ARRAY_PARAM(jit, jit_counts, dk_many_desc);

/* debugfs reports the image's bytes per target and depth. */
static void jit_expect_debugfs(struct kunit *test, struct dispatcher *d)
{
	struct seq_file m = { .size = PAGE_SIZE, .private = d };
	char line[64];

	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		return;
	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	KUNIT_ASSERT_EQ(test, dispatcher_debugfs_show(&m, NULL), 0);
	m.buf[min(m.count, m.size - 1)] = '\0';
	snprintf(line, sizeof(line), "(%u bytes/target, depth %u)\n",
		 DIV_ROUND_UP(d->image->len, d->nr_targets), d->image->depth);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(m.buf, line), "%s", m.buf);
}

/*
 * Every registered target is in the image as a direct jump and is called
 * right; others take the fallback; the tree is balanced.
 */
static void dispatcher_jit_test_many(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_jit);
	unsigned int n = *(const unsigned int *)test->param_value, k, h;
	struct jit_walk w;
	int a, b;

	JIT_REQUIRES(test);
	for (k = 0; k < n; k++)
		KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, dk_tgts[k]), 0);
	/* Past DISPATCHER_MAX_RETIRING updates the image may come later. */
	dispatcher_barrier();
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	KUNIT_EXPECT_EQ(test, d->jit_err, 0);
	dk_expect_entry(test, d);

	jit_walk(test, &w, d->image->text, (unsigned long)d->image->text,
		 d->image->len, d->image->entry - d->image->text, n,
		 d->default_func);
	/* One leaf per target, whatever order the walk met them in. */
	KUNIT_EXPECT_EQ(test, w.nr_hits, n);
	sort(w.hits, w.nr_hits, sizeof(*w.hits), cmp_ulong, NULL);
	for (h = 0; h < w.nr_hits; h++)
		KUNIT_EXPECT_EQ(test, w.hits[h], d->targets[h].addr);
	KUNIT_EXPECT_LE(test, w.depth, ilog2_up(n) + 1);
	/* What debugfs reports is what the walk found. */
	KUNIT_EXPECT_EQ(test, d->image->depth, w.depth);
	jit_expect_debugfs(test, d);

	for (k = 0; k <= n && k <= DK_NR_TGTS; k++) {
		a = k * 5 - 7;
		b = 3 - k;
		KUNIT_EXPECT_EQ_MSG(test, dispatcher_call(kunit_jit, dk_tgts[k], a, b),
				    dk_tgts[k](a, b), "target %u", k);
	}
	for (k = 0; k < n; k++)
		KUNIT_ASSERT_EQ(test, dispatcher_unregister(kunit_jit, dk_tgts[k]), 0);
	KUNIT_EXPECT_NULL(test, d->image);
	dk_expect_entry(test, d);
}

static int jit_misses;

static noinline int jit_miss(int a, int b)
{
	jit_misses++;
	return a * b;
}

typedef int (*jit_image_t)(int a, int b, DISPATCHER_FN_T(kunit_jit) fn);

/* A layout of @nr targets for kunit_jit, whose target is argument 2. */
static struct dispatcher_layout jit_layout(const struct dispatcher_target *t,
					   unsigned int nr)
{
	return (struct dispatcher_layout){
		.targets	= t,
		.nr_targets	= nr,
		.target_arg	= 2,
		.fallback	= DISPATCHER(kunit_jit).default_func,
	};
}

/*
 * An image for @nr targets, built to run where it is allocated; *@entry
 * is set to its offset of the entry.
 */
static void *jit_build(struct kunit *test, const struct dispatcher_target *t,
		       unsigned int nr, unsigned int *size, unsigned int *len,
		       unsigned int *entry)
{
	struct dispatcher_layout layout = jit_layout(t, nr);
	void *buf, *image;
	int ret;

	*size = arch_dispatcher_image_size(nr);
	KUNIT_ASSERT_GT(test, *size, 0);
	buf = kunit_kzalloc(test, *size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	image = arch_dispatcher_alloc(*size);
	KUNIT_ASSERT_NOT_NULL(test, image);
	ret = arch_dispatcher_generate(buf, image, *size, &layout, entry);
	KUNIT_ASSERT_GT(test, ret, 0);
	*len = ret;
	KUNIT_ASSERT_EQ(test, arch_dispatcher_copy(image, buf, *len), 0);
	return image;
}

/*
 * Targets outside the sign-extended imm32 range are compared through a
 * scratch register.  Executable copies of a target are placed in
 * execmem, which on UML lies above 2 GB, and the image is entered as the
 * static_call would enter it.
 */
static void dispatcher_jit_test_imm64(struct kunit *test)
{
	struct dispatcher_target t[3];
	unsigned int size, len, entry, tsize = PAGE_SIZE, i;
	jit_image_t image;
	struct jit_walk w;
	void *mem;
	u8 *code;

	JIT_REQUIRES(test);
	code = arch_dispatcher_alloc(tsize);
	KUNIT_ASSERT_NOT_NULL(test, code);
	if ((unsigned long)code == (unsigned long)(long)(s32)(unsigned long)code) {
		arch_dispatcher_free(code, tsize);
		kunit_skip(test, "executable memory is within imm32 here");
	}
	/* Three targets at code + 64 * i: "mov $i + 40, %eax; ret". */
	for (i = 0; i < 3; i++) {
		u8 fn[6] = { 0xb8, 40 + i, 0, 0, 0, 0xc3 };

		KUNIT_ASSERT_EQ(test, arch_dispatcher_copy(code + 64 * i, fn,
							   sizeof(fn)), 0);
		t[i] = (struct dispatcher_target){ (unsigned long)code + 64 * i, 1 };
	}
	mem = jit_build(test, t, 3, &size, &len, &entry);
	jit_walk(test, &w, mem, (unsigned long)mem, len, entry, 3,
		 DISPATCHER(kunit_jit).default_func);
	KUNIT_EXPECT_EQ(test, w.nr_hits, 3);
	image = mem + entry;

	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, image(1, 2, (void *)(code + 64 * i)), 40 + i);
	/* A miss takes the fallback to the very function passed. */
	jit_misses = 0;
	KUNIT_EXPECT_EQ(test, image(6, 7, jit_miss), 42);
	KUNIT_EXPECT_EQ(test, jit_misses, 1);

	arch_dispatcher_free(mem, size);
	arch_dispatcher_free(code, tsize);
}

/*
 * A target a rel32 jump cannot reach from the image gets no leaf and so
 * is reached through the default function.  The image is generated for
 * an address 4 GB away from kernel text and only walked, not run.  The
 * default function, in kernel text, is as far away: on x86 generation
 * must fail rather than leave misses an indirect jump; on UML they take
 * the far jump.
 */
static void dispatcher_jit_test_far(struct kunit *test)
{
	struct dispatcher_target t[3] = {
		{ (unsigned long)dk_tgts[0], 1 },
		{ (unsigned long)dk_tgts[1], 1 },
		{ (unsigned long)dk_tgts[2], 1 },
	};
	struct dispatcher_layout layout = jit_layout(t, 3);
	unsigned long far = ((unsigned long)dk_tgts[0] + SZ_4G) & PAGE_MASK;
	unsigned int size = arch_dispatcher_image_size(3), entry;
	struct jit_walk w;
	void *buf;
	int ret;

	JIT_REQUIRES(test);
	if (t[0].addr > t[1].addr || t[1].addr > t[2].addr)
		kunit_skip(test, "targets not in address order");
	buf = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	ret = arch_dispatcher_generate(buf, (void *)far, size, &layout, &entry);
	if (IS_ENABLED(CONFIG_UML)) {
		KUNIT_ASSERT_GT(test, ret, 0);
		jit_walk(test, &w, buf, far, ret, entry, 3, layout.fallback);
		KUNIT_EXPECT_EQ(test, w.nr_hits, 0);
	} else {
		KUNIT_EXPECT_EQ(test, ret, -ERANGE);
	}

	/* The same targets within reach each get their leaf. */
	far = ((unsigned long)dk_tgts[0] + SZ_1G) & PAGE_MASK;
	ret = arch_dispatcher_generate(buf, (void *)far, size, &layout, &entry);
	KUNIT_ASSERT_GT(test, ret, 0);
	jit_walk(test, &w, buf, far, ret, entry, 3, layout.fallback);
	KUNIT_EXPECT_EQ(test, w.nr_hits, 3);
}

#ifdef CONFIG_FUNCTION_TRACER
static atomic_t ftrace_hits;

static void jit_ftrace_func(unsigned long ip, unsigned long parent_ip,
			    struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	atomic_inc(&ftrace_hits);
}

static struct ftrace_ops jit_ftrace_ops = {
	.func = jit_ftrace_func,
};

/*
 * Calls @fn 10 times through kunit_jit, with dispatcher_call() or the
 * dispatch function; how many traced functions ran.  The results are
 * checked once the count is taken: the direct calls run @fn too.
 */
static int jit_traced_calls(struct kunit *test, DISPATCHER_FN_T(kunit_jit) fn,
			    bool func)
{
	int got[10], hits, i;

	atomic_set(&ftrace_hits, 0);
	for (i = 0; i < ARRAY_SIZE(got); i++)
		got[i] = func ? DISPATCHER_FUNC(kunit_jit)(i, 1, fn) :
				dispatcher_call(kunit_jit, fn, i, 1);
	hits = atomic_read(&ftrace_hits);
	for (i = 0; i < ARRAY_SIZE(got); i++)
		KUNIT_EXPECT_EQ(test, got[i], fn(i, 1));
	return hits;
}

/*
 * §3.9: what a call through a dispatch point runs stays traceable.  The
 * first BPF dispatcher took over __fentry__ and so broke ftrace on its
 * dispatch function; the static_call does not.  dispatcher_call() itself
 * enters the image from the call site, so what is traced is the target,
 * which the image jumps to at its first instruction (its __fentry__
 * included), the default function, which makes every call the image does
 * not hold, and the dispatch function when it is called.  Traced here:
 * dk_tgts[0] (registered), the default function and the dispatch function.
 */
static void dispatcher_jit_test_ftrace(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_jit);
	unsigned long ips[] = {
		(unsigned long)DISPATCHER_FUNC(kunit_jit),
		(unsigned long)d->default_func,
		(unsigned long)dk_tgts[0],
	};
	int i, ret;

	JIT_REQUIRES(test);
	for (i = 0; i < ARRAY_SIZE(ips); i++) {
		ret = ftrace_set_filter_ip(&jit_ftrace_ops, ips[i], 0, 0);
		if (ret) {
			ftrace_free_filter(&jit_ftrace_ops);
			kunit_skip(test, "cannot trace %pS: %d", (void *)ips[i],
				   ret);
		}
	}
	KUNIT_ASSERT_EQ(test, register_ftrace_function(&jit_ftrace_ops), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, dk_tgts[0]), 0);
	KUNIT_EXPECT_NOT_NULL(test, d->image);

	/* Call site, image, target: the target only. */
	KUNIT_EXPECT_EQ(test, jit_traced_calls(test, dk_tgts[0], false), 10);
	/* Call site, image, default function, dk_tgts[1]: the default. */
	KUNIT_EXPECT_EQ(test, jit_traced_calls(test, dk_tgts[1], false), 10);
	/* The dispatch function, image, target: both. */
	KUNIT_EXPECT_EQ(test, jit_traced_calls(test, dk_tgts[0], true), 20);

	KUNIT_EXPECT_EQ(test, unregister_ftrace_function(&jit_ftrace_ops), 0);
	ftrace_free_filter(&jit_ftrace_ops);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_jit, dk_tgts[0]), 0);
}
#else
static void dispatcher_jit_test_ftrace(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_FUNCTION_TRACER");
}
#endif

/* dispatcher=off and =on take effect at the next update; =auto asks the arch. */
static void dispatcher_jit_test_mode(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_jit);

	JIT_REQUIRES(test);
	dispatcher_mode = DISPATCHER_MODE_OFF;
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, dk_tgts[0]), 0);
	KUNIT_EXPECT_NULL(test, d->image);
	KUNIT_EXPECT_EQ(test, d->jit_err, 0);
	dk_expect_entry(test, d);
	KUNIT_EXPECT_EQ(test, dispatcher_call(kunit_jit, dk_tgts[0], 2, 3),
			dk_tgts[0](2, 3));

	dispatcher_mode = DISPATCHER_MODE_ON;
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, dk_tgts[1]), 0);
	KUNIT_EXPECT_NOT_NULL(test, d->image);
	dk_expect_entry(test, d);
	KUNIT_EXPECT_STREQ(test, dispatcher_mode_name(), "on");

	dispatcher_mode = DISPATCHER_MODE_AUTO;
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, dk_tgts[2]), 0);
	KUNIT_EXPECT_EQ(test, !!d->image, arch_dispatcher_wanted());
	dk_expect_entry(test, d);
	kunit_info(test, "auto: JIT %s on this CPU",
		   arch_dispatcher_wanted() ? "wanted" : "not wanted");

	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_jit, dk_tgts[0]), 0);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_jit, dk_tgts[1]), 0);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_jit, dk_tgts[2]), 0);
}

static enum dispatcher_mode saved_mode;

/* Test the JIT whatever this CPU's mitigation and the command line say. */
static int jit_init(struct kunit *test)
{
	saved_mode = dispatcher_mode;
	dispatcher_mode = DISPATCHER_MODE_ON;
	/* Each case starts with no image retiring, so updates build theirs. */
	dispatcher_barrier();
	return 0;
}

static void jit_exit(struct kunit *test)
{
	dispatcher_mode = saved_mode;
}

/* ---- Concurrency ---- */

DEFINE_DISPATCHER(kunit_churn, int, int, a, int, b);

#define CHURN_TARGETS	16
#define CHURN_OPS	100000
/*
 * Users per target.  With two, half of the operations rebuild the image.
 * Under QEMU's TCG a rebuild costs about 70 ms of wall time (text_poke
 * and static_call IPIs), so there the targets take up to 64 users and a
 * few thousand of the operations rebuild.
 */
#define CHURN_MAX_USERS	(IS_ENABLED(CONFIG_UML) ? 2 : 64)

/*
 * How the callers enter the dispatcher: through dispatcher_call(), whose
 * static_call site is patched with text_poke_bp() on every update, or
 * through the function the static_call key points at, as a trampoline
 * (and UML's generic static_call) does.
 */
enum churn_entry {
	CHURN_CALL,
	CHURN_KEY,
};

static const char *const churn_entry_names[] = {
	[CHURN_CALL] = "dispatcher_call",
	[CHURN_KEY] = "static_call key",
};

static void churn_entry_desc(const enum churn_entry *e, char *desc)
{
	strscpy(desc, churn_entry_names[*e], KUNIT_PARAM_DESC_SIZE);
}

static const enum churn_entry churn_entries[] = { CHURN_CALL, CHURN_KEY };

KUNIT_ARRAY_PARAM(churn, churn_entries, churn_entry_desc);

struct churn {
	enum churn_entry entry;
	atomic_t wrong;
	atomic_long_t calls;
};

typedef int (*churn_image_t)(int a, int b, DISPATCHER_FN_T(kunit_churn) fn);

static int churn_call(enum churn_entry entry, unsigned int k, int a)
{
	churn_image_t image;

	if (entry == CHURN_CALL)
		return dispatcher_call(kunit_churn, dk_tgts[k], a, k);
	/* Nothing may free the image until this task switches voluntarily. */
	image = READ_ONCE(DISPATCHER(kunit_churn).sc_key->func);
	return image(a, k, dk_tgts[k]);
}

/* Call every churn target, registered or not, until told to stop. */
static int churn_caller(void *data)
{
	struct churn *c = data;
	unsigned int k;
	int a = 0, got;

	while (!kthread_should_stop()) {
		for (k = 0; k < CHURN_TARGETS; k++, a++) {
			got = churn_call(c->entry, k, a);
			if (got != dk_tgts[k](a, k))
				atomic_inc(&c->wrong);
		}
		atomic_long_add(CHURN_TARGETS, &c->calls);
		/*
		 * A loop that never switches voluntarily holds up RCU-tasks
		 * grace periods, and with them the freeing of retired images
		 * and so, in the end, updates: cond_resched() is not a
		 * quiescent state for RCU tasks, this is.
		 */
		cond_resched_tasks_rcu_qs();
	}
	return 0;
}

/*
 * DESIGN §3.4: calls on every CPU stay right while another thread
 * registers, unregisters and replaces targets.  A reference model of the
 * reference counts keeps every operation valid, and is checked against
 * the dispatcher at the end.
 */
static void dispatcher_test_churn(struct kunit *test)
{
	const enum churn_entry *entry = test->param_value;
	struct dispatcher *d = &DISPATCHER(kunit_churn);
	unsigned int users[CHURN_TARGETS] = {}, k, x, y, nr = 0;
	struct task_struct **callers;
	struct rnd_state rnd;
	struct churn c = { .entry = *entry };
	unsigned long i, rebuilds = d->nr_updates, deferred = d->nr_deferred;
	unsigned long ops = CHURN_OPS;
	ktime_t start;
	int cpu, ret = 0;

	if (c.entry == CHURN_CALL && churn_site_unsafe())
		kunit_skip(test, "multi-threaded TCG cannot patch live sites (x86_64-live)");
	if (dispatcher_kunit_live()) {
		if (c.entry != CHURN_CALL)
			kunit_skip(test, "the x86_64 boot enters through the key");
		ops /= 4;
	}

	callers = kunit_kcalloc(test, nr_cpu_ids, sizeof(*callers), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, callers);
	prandom_seed_state(&rnd, 42);
	for_each_online_cpu(cpu) {
		callers[cpu] = kthread_run_on_cpu(churn_caller, &c, cpu,
						  "dispatcher_churn/%u");
		KUNIT_ASSERT_FALSE(test, IS_ERR(callers[cpu]));
	}

	start = ktime_get();
	for (i = 0; i < ops && !ret; i++) {
		x = prandom_u32_state(&rnd) % CHURN_TARGETS;
		y = prandom_u32_state(&rnd) % CHURN_TARGETS;
		switch (users[x] ? prandom_u32_state(&rnd) % 3 : 0) {
		case 0:
			if (users[x] < CHURN_MAX_USERS) {
				ret = dispatcher_register(kunit_churn,
							  dk_tgts[x]);
				users[x]++;
				break;
			}
			fallthrough;
		case 1:
			ret = dispatcher_unregister(kunit_churn, dk_tgts[x]);
			users[x]--;
			break;
		default:
			if (users[y] == CHURN_MAX_USERS)
				y = x;	/* replace with itself: a no-op */
			ret = dispatcher_replace(kunit_churn, dk_tgts[x],
						 dk_tgts[y]);
			users[x]--;
			users[y]++;
			break;
		}
		/*
		 * Updates do not wait for grace periods: past
		 * DISPATCHER_MAX_RETIRING retiring images they go without
		 * one (deferred).  Let the retirements drain every 64
		 * operations, so that images keep being built.
		 */
		if (!(i % 64))
			dispatcher_barrier();
	}
	kunit_info(test, "%lu operations, %lu rebuilds (%lu deferred) in %lld ms, %ld calls on %u CPUs",
		   i, d->nr_updates - rebuilds, d->nr_deferred - deferred,
		   ktime_ms_delta(ktime_get(), start),
		   atomic_long_read(&c.calls), num_online_cpus());
	KUNIT_EXPECT_EQ(test, ret, 0);

	for_each_online_cpu(cpu)
		kthread_stop(callers[cpu]);
	KUNIT_EXPECT_EQ(test, atomic_read(&c.wrong), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&c.calls), 0);

	/* The dispatcher agrees with the model, then is emptied. */
	for (k = 0; k < CHURN_TARGETS; k++) {
		KUNIT_EXPECT_EQ_MSG(test, users_of(d, dk_tgts[k]), users[k],
				    "target %u", k);
		nr += !!users[k];
		while (users[k]--)
			KUNIT_ASSERT_EQ(test, dispatcher_unregister(kunit_churn,
								    dk_tgts[k]), 0);
	}
	KUNIT_EXPECT_EQ(test, d->nr_targets, 0);
	kunit_info(test, "%u targets registered at the end", nr);
}

struct held {
	atomic_t step;		/* 0, 1: caller holds the image, 2: updated */
	bool ok;		/* the held image ran right */
	struct completion caller_done, updater_done;
};

/* On one CPU: take the image and hold it, RCU reader, across two updates. */
static int held_caller(void *data)
{
	struct held *h = data;
	jit_image_t image;
	int k;

	preempt_disable();
	image = READ_ONCE(DISPATCHER(kunit_churn).sc_key->func);
	atomic_set(&h->step, 1);
	while (atomic_read(&h->step) == 1)
		cpu_relax();
	h->ok = atomic_read(&h->step) == 2;
	for (k = 0; h->ok && k < 4; k++)
		h->ok = image(k, 1, dk_tgts[k]) == dk_tgts[k](k, 1);
	preempt_enable();
	complete(&h->caller_done);
	return 0;
}

/* On another CPU: two updates, back to back, while the caller holds on. */
static int held_updater(void *data)
{
	struct held *h = data;

	while (atomic_read(&h->step) != 1)
		cpu_relax();
	if (!dispatcher_register(kunit_churn, dk_tgts[1]) &&
	    !dispatcher_register(kunit_churn, dk_tgts[2]))
		atomic_set(&h->step, 2);
	else
		atomic_set(&h->step, 3);
	complete(&h->updater_done);
	return 0;
}

/*
 * The December 2022 BPF dispatcher crash: a CPU still executing an image
 * while two updates in a row rewrote it.  Here a caller takes the image
 * the static_call points at and, without leaving its RCU read-side
 * section, waits for two updates on another CPU, then runs that image: it
 * must still be there, unchanged and correct.
 */
static void dispatcher_test_held(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_churn);
	unsigned int first = cpumask_first(cpu_online_mask);
	struct task_struct *t;
	struct held h = {};
	void *before;
	int k;

	JIT_REQUIRES(test);
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_churn, dk_tgts[0]), 0);
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	before = d->image->text;
	/*
	 * No retired image may be waiting: the updates must not have to wait
	 * for a grace period, which the held caller keeps from ending.
	 */
	dispatcher_barrier();
	init_completion(&h.caller_done);
	init_completion(&h.updater_done);

	t = kthread_run_on_cpu(held_updater, &h,
			       cpumask_next(first, cpu_online_mask),
			       "dispatcher_upd/%u");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	t = kthread_run_on_cpu(held_caller, &h, first, "dispatcher_held/%u");
	if (IS_ERR(t)) {
		atomic_set(&h.step, 3);	/* release the updater */
		wait_for_completion(&h.updater_done);
		KUNIT_FAIL(test, "no caller thread");
		return;
	}
	wait_for_completion(&h.caller_done);
	wait_for_completion(&h.updater_done);

	KUNIT_EXPECT_EQ(test, atomic_read(&h.step), 2);
	KUNIT_EXPECT_TRUE(test, h.ok);
	KUNIT_EXPECT_PTR_NE(test, d->image->text, before);
	for (k = 0; k < 3; k++)
		KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_churn, dk_tgts[k]), 0);
}

/*
 * A live image is the symbol dispatcher_<name>, for %ps, backtraces, perf
 * and /proc/kallsyms; a retired one is no longer named.
 */
static void dispatcher_jit_test_kallsyms(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_jit);
	const char *want = "dispatcher_kunit_jit";
	unsigned long entry, end, value, size = 0, off = 0;
	unsigned int i, listed = 0;
	char type = 0, *sym, *buf, *line;

	JIT_REQUIRES(test);
	sym = kunit_kzalloc(test, KSYM_NAME_LEN, GFP_KERNEL);
	buf = kunit_kzalloc(test, KSYM_SYMBOL_LEN, GFP_KERNEL);
	line = kunit_kzalloc(test, KSYM_SYMBOL_LEN, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, sym && buf && line);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, dk_tgts[0]), 0);
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	/* The symbol is the code from the entry on, as for a BPF program. */
	entry = (unsigned long)d->image->entry;
	end = (unsigned long)d->image->text + d->image->len;

	KUNIT_EXPECT_EQ(test, dispatcher_address_lookup(entry + 1, &size, &off,
							sym), (int)strlen(want));
	KUNIT_EXPECT_STREQ(test, sym, want);
	KUNIT_EXPECT_EQ(test, off, 1);
	KUNIT_EXPECT_EQ(test, size, end - entry);
	KUNIT_EXPECT_EQ(test, dispatcher_address_lookup(end, NULL, NULL, sym), 0);
	KUNIT_EXPECT_EQ(test, dispatcher_address_lookup(entry - 1, NULL, NULL,
							sym), 0);
	if (IS_ENABLED(CONFIG_KALLSYMS)) {
		/* Through kallsyms_lookup(), as %pS and backtraces go. */
		sprint_symbol(buf, entry);
		snprintf(line, KSYM_SYMBOL_LEN, "%s+0x0/%#lx", want, end - entry);
		KUNIT_EXPECT_STREQ(test, buf, line);
	}
	for (i = 0; !dispatcher_get_kallsym(i, &value, &type, sym); i++) {
		if (value != entry)
			continue;
		listed++;
		KUNIT_EXPECT_STREQ(test, sym, want);
		KUNIT_EXPECT_EQ(test, type, 't');
	}
	KUNIT_EXPECT_EQ(test, listed, 1);

	KUNIT_ASSERT_EQ(test, dispatcher_unregister(kunit_jit, dk_tgts[0]), 0);
	KUNIT_EXPECT_NULL(test, d->image);
	/* Named until freed, which is after every CPU has left it. */
	dispatcher_barrier();
	KUNIT_EXPECT_EQ(test, dispatcher_address_lookup(entry, NULL, NULL, sym), 0);
	for (i = 0; !dispatcher_get_kallsym(i, &value, &type, sym); i++)
		KUNIT_EXPECT_NE(test, value, entry);
}

/* ---- An image is a function, and kernel text ---- */

#define JIT_X86		(IS_ENABLED(CONFIG_X86) && !IS_ENABLED(CONFIG_UML))

/*
 * A call site of kunit_jit that is not in tail position, as any caller
 * that uses the result has: with inline static calls, a direct call into
 * the image.
 */
static noinline int jit_call_site(int a, int b, DISPATCHER_FN_T(kunit_jit) fn)
{
	int ret = dispatcher_call(kunit_jit, fn, a, b);

	OPTIMIZER_HIDE_VAR(ret);
	return ret;
}

#if defined(CONFIG_HAVE_STATIC_CALL_INLINE) && defined(CONFIG_INSTRUCTION_DECODER)
/*
 * The first call in jit_call_site() whose destination lies within 16
 * bytes before @to or at it (a call thunk or FineIBT preamble may come
 * first), 0 if there is none.
 */
static unsigned long jit_site_call(struct kunit *test, const void *to)
{
	unsigned long size, off, dest, hi = (unsigned long)to;
	const u8 *p = (const u8 *)jit_call_site, *end;
	struct insn insn;

	if (!kallsyms_lookup_size_offset((unsigned long)p, &size, &off)) {
		KUNIT_FAIL(test, "jit_call_site() is not in kallsyms");
		return 0;
	}
	for (end = p + size; p < end; p += insn.length) {
		if (insn_decode_kernel(&insn, p)) {
			KUNIT_FAIL(test, "undecodable instruction at %pS", p);
			return 0;
		}
		if (insn.opcode.bytes[0] != CALL_INSN_OPCODE)
			continue;
		dest = (unsigned long)p + insn.length + insn.immediate.value;
		if (dest <= hi && dest >= hi - 16)
			return dest;
	}
	return 0;
}

static unsigned long jit_call_dest(struct kunit *test, const u8 *entry)
{
	unsigned long to = jit_site_call(test, entry);

	if (!to)
		KUNIT_FAIL(test, "no call of the image in jit_call_site()");
	return to;
}

/*
 * The call site reaches the image directly: dispatcher_call() compiles to
 * a static_call that is patched into a call of the image, with no dispatch
 * function in between; without targets, a call of the default function.
 */
static void dispatcher_jit_test_call_site(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_jit);
	const void *func = DISPATCHER_FUNC(kunit_jit);
	int i;

	JIT_REQUIRES(test);
	KUNIT_EXPECT_EQ(test, jit_site_call(test, func), 0);
	KUNIT_EXPECT_NE(test, jit_site_call(test, d->default_func), 0);

	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, dk_tgts[0]), 0);
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	KUNIT_EXPECT_NE(test, jit_site_call(test, d->image->entry), 0);
	KUNIT_EXPECT_EQ(test, jit_site_call(test, func), 0);
	KUNIT_EXPECT_EQ(test, jit_site_call(test, d->default_func), 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, jit_call_site(i, 2, dk_tgts[i]),
				dk_tgts[i](i, 2));

	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_jit, dk_tgts[0]), 0);
	KUNIT_EXPECT_NE(test, jit_site_call(test, d->default_func), 0);
}
#else
static void dispatcher_jit_test_call_site(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, jit_call_site(1, 2, dk_tgts[0]), dk_tgts[0](1, 2));
	kunit_skip(test, "needs inline static calls and the x86 decoder");
}
#endif

/*
 * The image looks to the rest of x86 like a compiled function of the
 * dispatch function's type: ENDBR at the entry; the kCFI type hash (or the
 * FineIBT check) of the default function before it; and, under call depth
 * tracking, the accounting template of a call thunk right before the
 * entry, through which a static_call's direct call site goes (a tail jump
 * enters at the entry, and the target's return balances its caller's
 * accounting).
 */
static void dispatcher_jit_test_entry(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_jit);
	unsigned int __maybe_unused thunk_len = 0;
	u8 *entry;

	JIT_REQUIRES(test);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, dk_tgts[0]), 0);
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	entry = d->image->entry;
	KUNIT_EXPECT_EQ(test, entry - (u8 *)d->image->text, 16);

	if (JIT_X86 && IS_ENABLED(CONFIG_X86_KERNEL_IBT))
		KUNIT_EXPECT_TRUE(test, jit_is_endbr(entry));
#if defined(CONFIG_X86) && !defined(CONFIG_UML)
	if (IS_ENABLED(CONFIG_CFI_CLANG) && cfi_mode != CFI_OFF) {
		KUNIT_EXPECT_NE(test, cfi_get_func_hash(d->default_func), 0);
		KUNIT_EXPECT_EQ(test, cfi_get_func_hash(entry),
				cfi_get_func_hash(d->default_func));
	}
	if (cpu_feature_enabled(X86_FEATURE_CALL_DEPTH)) {
		u8 thunk[32], *p = thunk;

		/* %rip-relative: its length first, then for its place. */
		thunk_len = x86_call_depth_emit_accounting(&p, NULL, entry);
		KUNIT_ASSERT_GT(test, thunk_len, 0);
		p = thunk;
		x86_call_depth_emit_accounting(&p, NULL, entry - thunk_len);
		KUNIT_EXPECT_MEMEQ(test, entry - thunk_len, thunk, thunk_len);
		KUNIT_EXPECT_TRUE(test, is_dispatcher_text_address((unsigned long)
								   entry - thunk_len));
	}
	kunit_info(test, "CFI mode %d, call depth tracking %s, thunk %u bytes",
		   cfi_mode, cpu_feature_enabled(X86_FEATURE_CALL_DEPTH) ?
		   "on" : "off", thunk_len);
#endif

	/* A direct call into the image, through its thunk if any. */
	KUNIT_EXPECT_EQ(test, jit_call_site(3, 4, dk_tgts[0]),
			dk_tgts[0](3, 4));
	KUNIT_EXPECT_EQ(test, jit_call_site(5, 6, dk_tgts[1]),
			dk_tgts[1](5, 6));
#if defined(CONFIG_HAVE_STATIC_CALL_INLINE) && defined(CONFIG_INSTRUCTION_DECODER)
	KUNIT_EXPECT_EQ(test, jit_call_dest(test, entry),
			(unsigned long)entry - thunk_len);
#endif
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_jit, dk_tgts[0]), 0);
}

/*
 * DESIGN §3.13: an image is kernel text from before it is entered until
 * it is freed, for kernel_text_address() and so for every unwinder,
 * perf and livepatch.
 */
static void dispatcher_jit_test_text(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_jit);
	unsigned long entry, end;

	JIT_REQUIRES(test);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, dk_tgts[0]), 0);
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	entry = (unsigned long)d->image->entry;
	end = (unsigned long)d->image->text + d->image->len;

	KUNIT_EXPECT_TRUE(test, is_dispatcher_text_address(entry));
	KUNIT_EXPECT_TRUE(test, is_dispatcher_text_address(end - 1));
	KUNIT_EXPECT_FALSE(test, is_dispatcher_text_address(end));
	KUNIT_EXPECT_FALSE(test, is_dispatcher_text_address((unsigned long)dk_tgts[0]));
#if IS_BUILTIN(CONFIG_DISPATCHER_KUNIT_TEST)
	KUNIT_EXPECT_TRUE(test, kernel_text_address(entry));
#endif

	KUNIT_ASSERT_EQ(test, dispatcher_unregister(kunit_jit, dk_tgts[0]), 0);
	dispatcher_barrier();
	KUNIT_EXPECT_FALSE(test, is_dispatcher_text_address(entry));
#if IS_BUILTIN(CONFIG_DISPATCHER_KUNIT_TEST)
	KUNIT_EXPECT_FALSE(test, kernel_text_address(entry));
#endif
}

#if defined(CONFIG_X86) && !defined(CONFIG_UML) && defined(CONFIG_UNWINDER_ORC)
/*
 * An unwind that starts inside a live image, as one from an NMI or a perf
 * sample landing there does, reaches the image's caller, reliably: the
 * regs say the CPU is in the image, with the return address into the
 * dispatch function on top of the stack.
 */
static void dispatcher_jit_test_orc(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_jit);
	unsigned long ret_ip = (unsigned long)DISPATCHER_FUNC(kunit_jit) + 1;
	unsigned long stack[4] = { ret_ip };
	struct unwind_state state;
	struct pt_regs regs = {};

	JIT_REQUIRES(test);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, dk_tgts[0]), 0);
	KUNIT_ASSERT_NOT_NULL(test, d->image);

	regs.ip = (unsigned long)d->image->entry + 4;
	regs.sp = (unsigned long)stack;
	regs.cs = __KERNEL_CS;
	unwind_start(&state, current, &regs, NULL);
	KUNIT_EXPECT_FALSE(test, unwind_error(&state));
	KUNIT_EXPECT_FALSE(test, unwind_done(&state));
	KUNIT_EXPECT_EQ(test, unwind_get_return_address(&state), ret_ip);

	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_jit, dk_tgts[0]), 0);
}
#else
static void dispatcher_jit_test_orc(struct kunit *test)
{
	kunit_skip(test, "needs the x86 ORC unwinder");
}
#endif

#if defined(CONFIG_CFI_CLANG) && defined(CONFIG_CFI_PERMISSIVE) && \
	defined(CONFIG_FUNCTION_TRACER) && !defined(CONFIG_UML)
/* The CFI failures reported (report_cfi_failure(regs, addr, target, type)). */
static struct {
	atomic_t reports;
	unsigned long target;
	unsigned long type;
} jit_cfi;

static void jit_cfi_report(unsigned long ip, unsigned long parent_ip,
			   struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	unsigned long *target = (unsigned long *)ftrace_regs_get_argument(fregs, 2);

	jit_cfi.target = target ? *target : 0;
	jit_cfi.type = ftrace_regs_get_argument(fregs, 3);
	atomic_inc(&jit_cfi.reports);
}

static struct ftrace_ops jit_cfi_ops = {
	.func = jit_cfi_report,
};

/* Not of the type of kunit_jit's targets. */
static noinline long jit_other_proto(long x)
{
	return x + 1;
}

/*
 * DESIGN §3.1/§3.2 under kCFI: a function of another prototype, cast to
 * the dispatch point's type (the type confusion CFI exists to catch), is
 * reported by dispatcher_call() with an image live exactly as by the plain
 * indirect call: one report each, same target, same expected type (with
 * CFI_PERMISSIVE the call goes on).  Registered targets and unregistered
 * ones of the right type are reported by neither.
 */
static void dispatcher_jit_test_cfi(struct kunit *test)
{
	struct dispatcher *d = &DISPATCHER(kunit_jit);
	dispatcher_kunit_jit_fn_t bad = (void *)jit_other_proto, plain;
	unsigned long type;
	int ret;

	JIT_REQUIRES(test);
	ret = ftrace_set_filter(&jit_cfi_ops, "report_cfi_failure",
				strlen("report_cfi_failure"), 1);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "cannot trace report_cfi_failure()");
	KUNIT_ASSERT_EQ(test, register_ftrace_function(&jit_cfi_ops), 0);
	KUNIT_ASSERT_EQ(test, dispatcher_register(kunit_jit, dk_tgts[0]), 0);
	KUNIT_ASSERT_NOT_NULL(test, d->image);
	atomic_set(&jit_cfi.reports, 0);

	/* Registered, and unregistered of the right type: no report. */
	KUNIT_EXPECT_EQ(test, dispatcher_call(kunit_jit, dk_tgts[0], 1, 2),
			dk_tgts[0](1, 2));
	KUNIT_EXPECT_EQ(test, dispatcher_call(kunit_jit, dk_tgts[1], 1, 2),
			dk_tgts[1](1, 2));
	KUNIT_EXPECT_EQ(test, atomic_read(&jit_cfi.reports), 0);

	/* The plain indirect call of the confused type: one report. */
	plain = bad;
	OPTIMIZER_HIDE_VAR(plain);
	plain(41, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&jit_cfi.reports), 1);
	KUNIT_EXPECT_EQ(test, jit_cfi.target, (unsigned long)jit_other_proto);
	type = jit_cfi.type;

	/* The same through the dispatch point, image live: the same report. */
	dispatcher_call(kunit_jit, bad, 41, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&jit_cfi.reports), 2);
	KUNIT_EXPECT_EQ(test, jit_cfi.target, (unsigned long)jit_other_proto);
	KUNIT_EXPECT_EQ(test, jit_cfi.type, type);
	kunit_info(test, "2 CFI failures reported on purpose, type %#lx", type);

	KUNIT_EXPECT_EQ(test, unregister_ftrace_function(&jit_cfi_ops), 0);
	ftrace_free_filter(&jit_cfi_ops);
	KUNIT_EXPECT_EQ(test, dispatcher_unregister(kunit_jit, dk_tgts[0]), 0);
}
#else
static void dispatcher_jit_test_cfi(struct kunit *test)
{
	kunit_skip(test, "needs permissive kCFI and ftrace (make check-cfi)");
}
#endif

static struct kunit_case dispatcher_jit_cases[] = {
	KUNIT_CASE_PARAM(dispatcher_jit_test_many, jit_gen_params),
	KUNIT_CASE(dispatcher_jit_test_mode),
	KUNIT_CASE(dispatcher_jit_test_kallsyms),
	KUNIT_CASE(dispatcher_jit_test_ftrace),
	KUNIT_CASE(dispatcher_jit_test_call_site),
	KUNIT_CASE(dispatcher_test_held),
	KUNIT_CASE_PARAM_ATTR(dispatcher_test_churn, churn_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE(dispatcher_jit_test_imm64),
	KUNIT_CASE(dispatcher_jit_test_far),
	KUNIT_CASE(dispatcher_jit_test_entry),
	KUNIT_CASE(dispatcher_jit_test_text),
	KUNIT_CASE(dispatcher_jit_test_orc),
	KUNIT_CASE(dispatcher_jit_test_cfi),
	{}
};

static struct kunit_suite dispatcher_jit_suite = {
	.name = "dispatcher_jit",
	.suite_init = dk_learn_off,
	.suite_exit = dk_learn_restore,
	.init = jit_init,
	.exit = jit_exit,
	.test_cases = dispatcher_jit_cases,
};

kunit_test_suite(dispatcher_jit_suite);
