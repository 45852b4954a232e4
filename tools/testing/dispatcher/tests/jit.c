// SPDX-License-Identifier: GPL-2.0
/*
 * DESIGN §3.2, 3.5 with the x86-64 generator: for 1 to 4096 targets every
 * registered target is reached by a direct jump and everything else by a
 * direct jump to the dispatch point's default function, in a balanced
 * tree with no indirect branch; objdump agrees; whatever the spectre_v2
 * mitigation and the CFI mode, the image is that tree behind the head
 * they ask for (int3, the kCFI type hash, the call thunk), and a call
 * through the call thunk accounts once; targets out of rel32 reach, a
 * default function out of reach, and addresses as the kernel has them are
 * handled.
 */
#include <asm/prctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <asm/text-patching.h>
#include <linux/cfi.h>

#include "common.h"

DEFINE_DISPATCHER(t_jit, long, long, a, long, b);

typedef long (*target_t)(long a, long b);

#define JIT_MAX		4096

/*
 * Registered targets 1 to 49 (the BPF dispatcher held 48), 64, 256, 1024
 * and 4096: each image checked, every target called, and stubs that are
 * not registered called too.
 */
DT_TEST(jit_many)
{
	static const unsigned int counts[] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
		19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
		35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 64,
		256, 1024, JIT_MAX,
	};
	struct dispatcher *d = &DISPATCHER(t_jit);
	target_t *stubs = calloc(JIT_MAX + 8, sizeof(*stubs));
	unsigned int n = 0, c, i;
	void *text;

	ASSERT(stubs);
	/* Every target in the image, beyond the default cap of 64 too. */
	ASSERT_EQ(dispatcher_tunable("max_targets", "65536", NULL), 0);
	text = dt_make_stubs(JIT_MAX + 8, 1 << 20, true, DT_TEXT_NEAR,
			     (void **)stubs);
	ASSERT(text);
	for (c = 0; c < ARRAY_SIZE(counts); c++) {
		for (; n < counts[c]; n++)
			ASSERT_EQ(__dispatcher_register(d, stubs[n]), 0);
		ASSERT_EQ(d->nr_targets, n);
		/* Updates in a row may have deferred the image: build it. */
		dispatcher_barrier();
		ASSERT(d->image);
		if (!dt_check_image(d, "many")) {
			dt_info("with %u targets", n);
			break;
		}
		EXPECT_LE(d->image->len, arch_dispatcher_image_size(n));
		EXPECT_EQ(d->image->size, arch_dispatcher_image_size(n));
		/* Whole units of a pack, or pages of its own if larger. */
		if (d->image->size > DISPATCHER_PACK_SIZE) {
			EXPECT_EQ(d->image->held, PAGE_ALIGN(d->image->size));
			EXPECT(PAGE_ALIGNED(d->image->text));
		} else {
			EXPECT_EQ(d->image->held, ALIGN(d->image->size,
							DISPATCHER_PACK_UNIT));
		}
		for (i = 0; i < n + 8; i++)
			EXPECT_EQ(dispatcher_call(t_jit, stubs[i], i, 5),
				  (1 << 20) + i + i);
		if (n == 48 || n == 1024 || n == JIT_MAX)
			dt_info("%u targets: %u bytes of code, %u per target",
				n, d->image->len, DIV_ROUND_UP(d->image->len, n));
	}
	for (i = 0; i < n; i++)
		EXPECT_EQ(__dispatcher_unregister(d, stubs[i]), 0);
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
	free(stubs);
}

/*
 * @d's image from its entry on through an independent decoder, objdump:
 * returns the number of instructions other than compares, the movabs to
 * %r11, int3 and direct branches into the tree (on a 16-byte boundary),
 * to a registered target (je) or to the default function (jmp); any
 * indirect branch counts, and is counted in *@indirect too.  -1 if objdump
 * failed.  With DT_OBJDUMP_DIR set, the listing also goes to
 * image-<targets>.txt there, branches named (make patches quotes one in
 * the cover letter).
 */
/*
 * One instruction of an objdump listing, at @off from the entry, with its
 * branch target named: a registered target by its index, the default
 * function, or an offset in the image.
 */
static void dump_insn(FILE *dump, struct dispatcher *d, unsigned long off,
		      const char *insn)
{
	unsigned long entry = (unsigned long)d->image->entry, to;
	char op[16];
	unsigned int i;

	if (sscanf(insn, "%15s %lx", op, &to) != 2 || op[0] != 'j') {
		fprintf(dump, "%4lx:\t%s", off, insn);
		return;
	}
	for (i = 0; i < d->nr_targets; i++)
		if (to == d->targets[i].addr)
			break;
	if (i < d->nr_targets)
		fprintf(dump, "%4lx:\t%-6s target%u\n", off, op, i);
	else if (to == (unsigned long)d->default_func)
		fprintf(dump, "%4lx:\t%-6s <default function>\n", off, op);
	else
		fprintf(dump, "%4lx:\t%-6s entry+%#lx\n", off, op, to - entry);
}

static int objdump_image(struct dispatcher *d, unsigned int *insns,
			 unsigned int *indirect)
{
	struct dispatcher_image *img = d->image;
	unsigned int start = (u8 *)img->entry - (u8 *)img->text, i;
	unsigned long ip = (unsigned long)img->entry, end, to;
	char path[] = "/tmp/dt_jit_XXXXXX", cmd[512], line[512];
	FILE *f, *dump = NULL;
	int fd, bad = 0;

	end = (unsigned long)img->text + img->len;
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, img->entry, img->len - start) != img->len - start) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "objdump -D -b binary -m i386:x86-64 --adjust-vma=%#lx %s",
		 ip, path);
	f = popen(cmd, "r");
	if (!f) {
		unlink(path);
		return -1;
	}
	if (getenv("DT_OBJDUMP_DIR")) {
		snprintf(cmd, sizeof(cmd), "%s/image-%u.txt",
			 getenv("DT_OBJDUMP_DIR"), d->nr_targets);
		dump = fopen(cmd, "w");
	}
	*insns = 0;
	*indirect = 0;
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t'), *insn;
		bool known;

		/* "  addr:\tbytes\tmnemonic operands" */
		if (!tab || !strchr(tab + 1, '\t'))
			continue;
		insn = strchr(tab + 1, '\t') + 1;
		(*insns)++;
		if (dump)
			dump_insn(dump, d, strtoul(line, NULL, 16) - ip, insn);
		if (!strncmp(insn, "cmp", 3) || !strncmp(insn, "movabs", 6) ||
		    !strncmp(insn, "int3", 4))
			continue;
		if (strchr(insn, '*')) {
			(*indirect)++;
		} else if ((!strncmp(insn, "je ", 3) || !strncmp(insn, "ja ", 3) ||
			    !strncmp(insn, "jmp ", 4)) &&
			   sscanf(strchr(insn, ' '), " %lx", &to) == 1) {
			known = (to >= ip && to < end && !(to % 16) &&
				 insn[1] == 'a') ||
				(to == (unsigned long)d->default_func &&
				 insn[1] == 'm');
			for (i = 0; i < d->nr_targets && !known; i++)
				known = to == d->targets[i].addr && insn[1] == 'e';
			if (known)
				continue;
		}
		if (!bad++)
			dt_info("objdump: unexpected at %lx: %s",
				strtoul(line, NULL, 16), insn);
	}
	pclose(f);
	if (dump)
		fclose(dump);
	unlink(path);
	return bad;
}

/*
 * The images through objdump: nothing but compares, the movabs to %r11,
 * direct jumps into the tree, to a registered target or to the default
 * function, int3 padding; no indirect branch at all.
 */
DT_TEST(jit_objdump)
{
	static const unsigned int counts[] = { 1, 3, 48, 1024 };
	struct dispatcher *d = &DISPATCHER(t_jit);
	void **stubs = calloc(1024, sizeof(*stubs));
	unsigned int n = 0, c, insns, indirect;

	ASSERT(stubs);
	if (system("objdump --version > /dev/null 2>&1"))
		SKIP("no objdump");
	ASSERT_EQ(dispatcher_tunable("max_targets", "65536", NULL), 0);
	ASSERT(dt_make_stubs(1024, 1 << 20, true, DT_TEXT_NEAR, stubs));
	for (c = 0; c < ARRAY_SIZE(counts); c++) {
		for (; n < counts[c]; n++)
			ASSERT_EQ(__dispatcher_register(d, stubs[n]), 0);
		dispatcher_barrier();	/* builds a deferred image */
		ASSERT(d->image);
		EXPECT_EQ(objdump_image(d, &insns, &indirect), 0);
		EXPECT_EQ(indirect, 0);
		EXPECT_GE(insns, 3 * n);
	}
	for (c = 0; c < n; c++)
		EXPECT_EQ(__dispatcher_unregister(d, stubs[c]), 0);
	free(stubs);
}

/* One dispatch point per argument register: the target is argument n. */
DEFINE_DISPATCHER(t_reg0, long);
DEFINE_DISPATCHER(t_reg1, long, long, a);
DEFINE_DISPATCHER(t_reg2, long, long, a, long, b);
DEFINE_DISPATCHER(t_reg3, long, long, a, long, b, long, c);
DEFINE_DISPATCHER(t_reg4, long, long, a, long, b, long, c, long, d);
DEFINE_DISPATCHER(t_reg5, long, long, a, long, b, long, c, long, d, long, e);

/* regN_x: N arguments, returning a mix of them plus x. */
static noinline long reg0_10(void) { return 1 + 10; }
static noinline long reg1_10(long a) { return a + 10; }
static noinline long reg2_10(long a, long b) { return a * b + 10; }
static noinline long reg3_10(long a, long b, long c) { return a * b + c + 10; }
static noinline long reg4_10(long a, long b, long c, long d) { return a * b + c * d + 10; }
static noinline long reg5_10(long a, long b, long c, long d, long e)
{
	return a * b + c * d + e + 10;
}

static noinline long reg0_20(void) { return 1 + 20; }
static noinline long reg1_20(long a) { return a + 20; }
static noinline long reg2_20(long a, long b) { return a * b + 20; }
static noinline long reg3_20(long a, long b, long c) { return a * b + c + 20; }
static noinline long reg4_20(long a, long b, long c, long d) { return a * b + c * d + 20; }
static noinline long reg5_20(long a, long b, long c, long d, long e)
{
	return a * b + c * d + e + 20;
}

static noinline long reg0_30(void) { return 1 + 30; }
static noinline long reg1_30(long a) { return a + 30; }
static noinline long reg2_30(long a, long b) { return a * b + 30; }
static noinline long reg3_30(long a, long b, long c) { return a * b + c + 30; }
static noinline long reg4_30(long a, long b, long c, long d) { return a * b + c * d + 30; }
static noinline long reg5_30(long a, long b, long c, long d, long e)
{
	return a * b + c * d + e + 30;
}

static void reg_calls(void)
{
	EXPECT_EQ(dispatcher_call(t_reg0, reg0_10), reg0_10());
	EXPECT_EQ(dispatcher_call(t_reg0, reg0_20), reg0_20());
	EXPECT_EQ(dispatcher_call(t_reg0, reg0_30), reg0_30());
	EXPECT_EQ(dispatcher_call(t_reg1, reg1_10, 5), reg1_10(5));
	EXPECT_EQ(dispatcher_call(t_reg1, reg1_20, 5), reg1_20(5));
	EXPECT_EQ(dispatcher_call(t_reg1, reg1_30, 5), reg1_30(5));
	EXPECT_EQ(dispatcher_call(t_reg2, reg2_10, 5, 6), reg2_10(5, 6));
	EXPECT_EQ(dispatcher_call(t_reg2, reg2_20, 5, 6), reg2_20(5, 6));
	EXPECT_EQ(dispatcher_call(t_reg2, reg2_30, 5, 6), reg2_30(5, 6));
	EXPECT_EQ(dispatcher_call(t_reg3, reg3_10, 5, 6, 7), reg3_10(5, 6, 7));
	EXPECT_EQ(dispatcher_call(t_reg3, reg3_20, 5, 6, 7), reg3_20(5, 6, 7));
	EXPECT_EQ(dispatcher_call(t_reg3, reg3_30, 5, 6, 7), reg3_30(5, 6, 7));
	EXPECT_EQ(dispatcher_call(t_reg4, reg4_10, 5, 6, 7, 8),
		  reg4_10(5, 6, 7, 8));
	EXPECT_EQ(dispatcher_call(t_reg4, reg4_20, 5, 6, 7, 8),
		  reg4_20(5, 6, 7, 8));
	EXPECT_EQ(dispatcher_call(t_reg4, reg4_30, 5, 6, 7, 8),
		  reg4_30(5, 6, 7, 8));
	EXPECT_EQ(dispatcher_call(t_reg5, reg5_10, 5, 6, 7, 8, 9),
		  reg5_10(5, 6, 7, 8, 9));
	EXPECT_EQ(dispatcher_call(t_reg5, reg5_20, 5, 6, 7, 8, 9),
		  reg5_20(5, 6, 7, 8, 9));
	EXPECT_EQ(dispatcher_call(t_reg5, reg5_30, 5, 6, 7, 8, 9),
		  reg5_30(5, 6, 7, 8, 9));
}

static struct dispatcher *const reg_points[] = {
	&DISPATCHER(t_reg0), &DISPATCHER(t_reg1), &DISPATCHER(t_reg2),
	&DISPATCHER(t_reg3), &DISPATCHER(t_reg4), &DISPATCHER(t_reg5),
};

static void *const reg_a[] = { reg0_10, reg1_10, reg2_10, reg3_10, reg4_10,
			       reg5_10 };
static void *const reg_b[] = { reg0_20, reg1_20, reg2_20, reg3_20, reg4_20,
			       reg5_20 };

/*
 * The head of @d's image, part by part (dt_check_image() compares it
 * whole): under call depth tracking the accounting template right before
 * the entry, shifting the call depth; under kCFI the type hash of the
 * default function at entry - 16, where cfi_get_func_hash() finds it; int3
 * wherever nothing else goes.
 */
static void expect_head(struct dispatcher *d, void *target, const char *what)
{
	u8 *text = d->image->text, *entry = d->image->entry, *thunk;
	unsigned int n = 0, i, int3 = 0;
	unsigned long shifts;
	u32 hash, want;

	ASSERT_EQ(entry - text, DT_IMAGE_HEAD);
	if (cpu_feature_enabled(X86_FEATURE_CALL_DEPTH)) {
		n = DT_CALL_THUNK_SIZE;
		thunk = entry - n;
		shifts = dt_call_thunk_operand(thunk, (unsigned long)thunk);
		if (shifts != (unsigned long)&dt_call_depth.depth)
			dt_fail(__FILE__, __LINE__,
				"%s: the call thunk before the entry shifts %#lx, not the call depth at %p",
				what, shifts, &dt_call_depth.depth);
	}
	if (cfi_mode == CFI_KCFI) {
		ASSERT_EQ(cfi_get_offset(), DT_IMAGE_HEAD);
		want = cfi_get_func_hash(d->default_func);
		memcpy(&hash, text + 1, sizeof(hash));
		EXPECT_NE(want, 0);
		EXPECT_EQ(text[0], 0xb8);	/* movl $hash, %eax */
		EXPECT_EQ(hash, want);
		/* Where a kCFI caller of the image reads it. */
		EXPECT_EQ(cfi_get_func_hash(entry), want);
		/* The default function's (each has its own here). */
		EXPECT_NE(hash, cfi_get_func_hash(target));
		for (i = 5; i < DT_IMAGE_HEAD - n; i++)
			int3 += text[i] != 0x90;
	} else {
		for (i = 0; i < DT_IMAGE_HEAD - n; i++)
			int3 += text[i] != INT3_INSN_OPCODE;
	}
	if (int3)
		dt_fail(__FILE__, __LINE__, "%s: %u bytes of the head are not %s",
			what, int3, cfi_mode == CFI_KCFI ? "nop" : "int3");
}

/*
 * §3.2: whatever the spectre_v2 mitigation (retpoline, with call depth
 * tracking, LFENCE, ITS, none) and CFI mode (off, kCFI), the image holds
 * no indirect branch (walk, emulation and objdump) and every miss, for the
 * target in each of the six argument registers, jumps to the dispatch
 * point's default function, which makes the call: unregistered targets
 * (reg*_30) still return the right value.  Only the head differs.
 */
DT_TEST(jit_miss)
{
	static const struct {
		const char *name;
		unsigned long caps;
	} mitigations[] = {
		{ "retpoline", DT_CAP(X86_FEATURE_RETPOLINE) },
		{ "retpoline+calldepth", DT_CAP(X86_FEATURE_RETPOLINE) |
					 DT_CAP(X86_FEATURE_CALL_DEPTH) },
		{ "lfence", DT_CAP(X86_FEATURE_RETPOLINE) |
			    DT_CAP(X86_FEATURE_RETPOLINE_LFENCE) },
		{ "its", DT_CAP(X86_FEATURE_INDIRECT_THUNK_ITS) },
		{ "none", 0 },
	};
	static const enum cfi_mode modes[] = { CFI_OFF, CFI_KCFI };
	bool objdump = !system("objdump --version > /dev/null 2>&1");
	unsigned long saved = dt_cpu_caps;
	unsigned int m, c, i, insns, indirect;
	char what[64];

	ASSERT(dt_boot_param("dispatcher=on"));
	for (m = 0; m < ARRAY_SIZE(mitigations); m++) {
		for (c = 0; c < ARRAY_SIZE(modes); c++) {
			dt_cpu_caps = DT_CAP(X86_FEATURE_ALWAYS) |
				      mitigations[m].caps;
			cfi_mode = modes[c];
			snprintf(what, sizeof(what), "%s, %s", mitigations[m].name,
				 modes[c] == CFI_KCFI ? "kCFI" : "CFI off");
			for (i = 0; i < ARRAY_SIZE(reg_points); i++) {
				struct dispatcher *d = reg_points[i];

				ASSERT_EQ(__dispatcher_register(d, reg_a[i]), 0);
				ASSERT_EQ(__dispatcher_register(d, reg_b[i]), 0);
				dispatcher_barrier();	/* none deferred */
				ASSERT(d->image);
				if (!dt_check_image(d, what))
					dt_info("argument register %u", i);
				expect_head(d, reg_a[i], what);
				if (objdump && i == 2) {
					EXPECT_EQ(objdump_image(d, &insns, &indirect), 0);
					EXPECT_EQ(indirect, 0);
				}
			}
			reg_calls();
			for (i = 0; i < ARRAY_SIZE(reg_points); i++) {
				EXPECT_EQ(__dispatcher_unregister(reg_points[i], reg_a[i]), 0);
				EXPECT_EQ(__dispatcher_unregister(reg_points[i], reg_b[i]), 0);
			}
		}
	}
	cfi_mode = CFI_OFF;
	dt_cpu_caps = saved;
}

typedef long (*reg2_image_t)(long a, long b, long (*fn)(long, long));

/*
 * Call depth tracking (patches/0004): a static_call's direct call site is
 * sent through the image's call thunk, the accounting template right
 * before the entry, as callthunks_translate_call_dest() does for a
 * function; a tail jump enters at the entry.  Run both: through the thunk
 * the call depth is shifted once and nothing next to it changes; at the
 * entry it is not touched; both reach the target, or on a miss the
 * default function.  A CPU executes those bytes, so they are kernel text
 * as much as the rest of the image.
 */
DT_TEST(jit_call_depth)
{
	struct dispatcher *d = &DISPATCHER(t_reg2);
	struct dt_call_depth before;
	unsigned long saved = dt_cpu_caps, gs = ~0UL, shifts;
	u8 *entry, *thunk;

	dt_cpu_caps = DT_CAP(X86_FEATURE_ALWAYS) | DT_CAP(X86_FEATURE_RETPOLINE) |
		      DT_CAP(X86_FEATURE_CALL_DEPTH);
	ASSERT_EQ(dispatcher_register(t_reg2, reg2_10), 0);
	ASSERT(d->image);
	EXPECT(dt_check_image(d, "call depth"));
	entry = d->image->entry;
	thunk = entry - DT_CALL_THUNK_SIZE;
	EXPECT(is_dispatcher_text_address((unsigned long)entry));
	if (!is_dispatcher_text_address((unsigned long)thunk))
		dt_fail(__FILE__, __LINE__,
			"the call thunk at entry - %u runs, but is not kernel text",
			DT_CALL_THUNK_SIZE);

	shifts = dt_call_thunk_operand(thunk, (unsigned long)thunk);
	if (shifts != (unsigned long)&dt_call_depth.depth) {
		dt_fail(__FILE__, __LINE__,
			"the call thunk shifts %#lx, %+ld bytes from the call depth at %p: not run",
			shifts, (long)(shifts - (unsigned long)&dt_call_depth.depth),
			&dt_call_depth.depth);
		goto out;
	}
	if (syscall(SYS_arch_prctl, ARCH_GET_GS, &gs) || gs) {
		dt_info("%%gs base %#lx: the call thunk is not run", gs);
		goto out;
	}
	memset(&dt_call_depth, 0, sizeof(dt_call_depth));
	dt_call_depth.depth = 1UL << 40;
	before = dt_call_depth;

	/* Through the thunk: the target, and the call depth shifted once. */
	EXPECT_EQ(((reg2_image_t)thunk)(5, 6, reg2_10), reg2_10(5, 6));
	EXPECT_EQ(dt_call_depth.depth, 1UL << 35);
	EXPECT_EQ(((reg2_image_t)thunk)(5, 6, reg2_20), reg2_20(5, 6));
	EXPECT_EQ(dt_call_depth.depth, 1UL << 30);
	/* At the entry: no accounting. */
	EXPECT_EQ(((reg2_image_t)entry)(7, 8, reg2_10), reg2_10(7, 8));
	EXPECT_EQ(((reg2_image_t)entry)(7, 8, reg2_30), reg2_30(7, 8));
	EXPECT_EQ(dt_call_depth.depth, 1UL << 30);
	EXPECT(!memcmp(dt_call_depth.before, before.before, sizeof(before.before)));
	EXPECT(!memcmp(dt_call_depth.after, before.after, sizeof(before.after)));
out:
	EXPECT_EQ(dispatcher_unregister(t_reg2, reg2_10), 0);
	dt_cpu_caps = saved;
}

/*
 * DESIGN §5: a target out of rel32 reach of the image registers fine, has
 * no leaf and is reached through the default function.  A default
 * function out of reach (which only UML's layout can have) gives no image
 * rather than a leaf with an indirect jump: -ERANGE, without a WARN.
 */
DT_TEST(jit_far)
{
	struct dispatcher *d = &DISPATCHER(t_jit);
	target_t near[4], far[4];
	struct dispatcher_target t[1];
	struct dispatcher_layout layout;
	unsigned int i, size, entry;
	unsigned long hits[8];
	struct dt_walk w;
	void *image, *buf;

	ASSERT(dt_make_stubs(4, 100, true, DT_TEXT_NEAR, (void **)near));
	ASSERT(dt_make_stubs(4, 200, true, DT_TEXT_FAR, (void **)far));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(__dispatcher_register(d, near[i]), 0);
		ASSERT_EQ(__dispatcher_register(d, far[i]), 0);
	}
	EXPECT_EQ(d->nr_targets, 8);
	ASSERT(d->image);
	EXPECT(!dt_reachable(d->image->text, (unsigned long)far[0]));
	EXPECT(dt_check_image(d, "near and far"));
	dt_walk(&w, d->image->text, (unsigned long)d->image->text,
		d->image->len, DT_IMAGE_HEAD, dt_arg_regs[2], hits,
		ARRAY_SIZE(hits));
	EXPECT(!w.err);
	EXPECT_EQ(w.nr_hits, 4);
	EXPECT_EQ(w.miss, (unsigned long)d->default_func);
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(dispatcher_call(t_jit, near[i], 1, 2), 101 + i);
		EXPECT_EQ(dispatcher_call(t_jit, far[i], 1, 2), 201 + i);
	}
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(__dispatcher_unregister(d, near[i]), 0);
		EXPECT_EQ(__dispatcher_unregister(d, far[i]), 0);
	}

	/* The default function out of reach of a real image. */
	t[0] = (struct dispatcher_target){ (unsigned long)near[0], 1 };
	layout = (struct dispatcher_layout){
		.targets = t, .nr_targets = 1, .target_arg = 2,
		.fallback = far[0],
	};
	size = arch_dispatcher_image_size(1);
	buf = malloc(size);
	image = arch_dispatcher_alloc(size);
	ASSERT(buf && image);
	EXPECT_EQ(arch_dispatcher_generate(buf, image, size, &layout, &entry),
		  -ERANGE);
	layout.fallback = d->default_func;
	EXPECT_GT(arch_dispatcher_generate(buf, image, size, &layout, &entry), 0);
	EXPECT_EQ(entry, DT_IMAGE_HEAD);
	arch_dispatcher_free(image, size);
	free(buf);
}

/*
 * Targets whose address is not a sign-extended imm32 are compared through
 * %r11.  In the PIE build all of them are (text above 4 GB, like UML's
 * 0x60000000 plus); the non-PIE build has no such address in reach.
 */
DT_TEST(jit_imm64)
{
	struct dispatcher *d = &DISPATCHER(t_jit);
	target_t near[16];
	unsigned long hits[16];
	struct dt_walk w;
	unsigned int i;

	ASSERT(dt_make_stubs(16, 300, true, DT_TEXT_NEAR, (void **)near));
	if ((unsigned long)near[0] < (1UL << 31))
		SKIP("no code above 2 GB in this build");
	for (i = 0; i < 16; i++)
		ASSERT_EQ(__dispatcher_register(d, near[i]), 0);
	dt_walk(&w, d->image->text, (unsigned long)d->image->text,
		d->image->len, DT_IMAGE_HEAD, dt_arg_regs[2], hits,
		ARRAY_SIZE(hits));
	EXPECT(!w.err);
	EXPECT_EQ(w.nr_hits, 16);
	EXPECT_EQ(w.nr_imm64, 31);	/* 16 leaves and 15 nodes */
	EXPECT(dt_check_image(d, "imm64"));
	for (i = 0; i < 16; i++) {
		EXPECT_EQ(dispatcher_call(t_jit, near[i], 5, 2), 305 + i);
		EXPECT_EQ(__dispatcher_unregister(d, near[i]), 0);
	}
}

static int cmp_target(const void *a, const void *b)
{
	const struct dispatcher_target *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/*
 * Generate for @t, target in %rdx, misses to @fallback, without running
 * it; 0 or the generator's error.
 */
static int gen_walk(struct dispatcher_target *t, unsigned int n,
		    unsigned long ip, unsigned long fallback, u8 *buf,
		    struct dt_walk *w, unsigned long *hits)
{
	struct dispatcher_layout layout = {
		.targets = t, .nr_targets = n, .target_arg = 2,
		.fallback = (void *)fallback,
	};
	unsigned int size = arch_dispatcher_image_size(n), entry = 0;
	int len;

	qsort(t, n, sizeof(*t), cmp_target);
	len = arch_dispatcher_generate(buf, (void *)ip, size, &layout, &entry);
	if (len < 0)
		return len;
	if (entry != DT_IMAGE_HEAD)
		return -EFAULT;
	dt_walk(w, buf, ip, len, entry, dt_arg_regs[2], hits, n);
	if (w->err)
		dt_info("walk: %s", w->err);
	return w->err || w->miss != fallback ? -EINVAL : 0;
}

/*
 * Addresses as the kernel has them, generated but not run: text at
 * 0xffffffff81000000 compared with sign-extended imm32 from an image in
 * the module area, the default function in that text; a vmalloc address
 * needs imm64 and is out of reach; the UML layout of DESIGN §5 (text at
 * 0x60000000, image at 0xde800000) with targets on both sides of the
 * rel32 edge, and a default function beyond it.  And bad arguments.
 */
DT_TEST(jit_addresses)
{
	struct dispatcher_target t[128];
	struct dispatcher_layout layout;
	unsigned long hits[128], ip, fallback;
	unsigned long saved = dt_cpu_caps;
	u8 *buf = malloc(arch_dispatcher_image_size(128));
	unsigned int i, n, entry;
	struct dt_walk w;
	struct dt_run r;

	ASSERT(buf);
	/* The call depth lives in this process, far from these images. */
	dt_cpu_caps = DT_CAP(X86_FEATURE_ALWAYS) | DT_CAP(X86_FEATURE_RETPOLINE);

	ip = 0xffffffffa0001000UL;
	fallback = 0xffffffff81f00000UL;
	for (n = 0; n < 100; n++)
		t[n] = (struct dispatcher_target){ 0xffffffff81000000UL + n * 64, 1 };
	t[n++] = (struct dispatcher_target){ 0xffffc90000010000UL, 1 };
	ASSERT_EQ(gen_walk(t, n, ip, fallback, buf, &w, hits), 0);
	EXPECT_EQ(w.nr_hits, 100);
	/* Out of reach, the vmalloc target has no leaf; maybe a node. */
	EXPECT_LE(w.nr_imm64, 1);
	for (i = 0; i < n; i++) {
		dt_emulate(&r, buf, ip, w.len, DT_IMAGE_HEAD, dt_arg_regs[2],
			   t[i].addr);
		EXPECT_EQ(r.exit, DT_EXIT_DIRECT);
		if (t[i].addr >> 40 == 0xffffc9)
			EXPECT_EQ(r.to, fallback);
		else
			EXPECT_EQ(r.to, t[i].addr);
	}

	/*
	 * UML: kernel text around 0x60000000, execmem at 0xde800000, so
	 * targets below 0x5e800000 plus the offset of the jump are out of
	 * rel32 reach; the default function at 0x60100000 is not.
	 */
	ip = 0xde800000UL;
	fallback = 0x60100000UL;
	n = 0;
	t[n++] = (struct dispatcher_target){ 0x60000000UL, 1 };
	t[n++] = (struct dispatcher_target){ 0x5e900000UL, 1 };
	t[n++] = (struct dispatcher_target){ 0x5e801000UL, 1 };
	t[n++] = (struct dispatcher_target){ 0x5e7ff000UL, 1 };
	t[n++] = (struct dispatcher_target){ 0x40000000UL, 1 };
	ASSERT_EQ(gen_walk(t, n, ip, fallback, buf, &w, hits), 0);
	EXPECT_EQ(w.nr_hits, 3);
	for (i = 0; i < n; i++) {
		dt_emulate(&r, buf, ip, w.len, DT_IMAGE_HEAD, dt_arg_regs[2],
			   t[i].addr);
		EXPECT_EQ(r.exit, DT_EXIT_DIRECT);
		if (t[i].addr >= 0x5e801000UL)
			EXPECT_EQ(r.to, t[i].addr);
		else
			EXPECT_EQ(r.to, fallback);
	}

	/* A default function out of reach: the generator says so (not UML). */
	layout = (struct dispatcher_layout){
		.targets = t, .nr_targets = 1, .target_arg = 2,
		.fallback = (void *)0x40000000UL,
	};
	EXPECT_EQ(arch_dispatcher_generate(buf, (void *)ip, 4096, &layout, &entry),
		  -ERANGE);

	/* Bad arguments. */
	layout.fallback = (void *)fallback;
	EXPECT_EQ(arch_dispatcher_image_size(0), 0);
	EXPECT_EQ(arch_dispatcher_image_size(65537), 0);
	EXPECT_GT(arch_dispatcher_image_size(65536), 0);
	layout.target_arg = 6;
	EXPECT_EQ(EXPECT_WARNS(arch_dispatcher_generate(buf, (void *)ip, 4096,
							&layout, &entry)), -EINVAL);
	layout.target_arg = 2;
	layout.nr_targets = 0;
	EXPECT_EQ(EXPECT_WARNS(arch_dispatcher_generate(buf, (void *)ip, 4096,
							&layout, &entry)), -EINVAL);
	layout.nr_targets = 1;
	layout.fallback = NULL;
	EXPECT_EQ(EXPECT_WARNS(arch_dispatcher_generate(buf, (void *)ip, 4096,
							&layout, &entry)), -EINVAL);
	layout.fallback = (void *)fallback;
	EXPECT_EQ(arch_dispatcher_generate(buf, (void *)ip, 16, &layout, &entry),
		  -E2BIG);
	dt_cpu_caps = saved;
	free(buf);
}
