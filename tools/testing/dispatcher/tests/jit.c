// SPDX-License-Identifier: GPL-2.0
/*
 * DESIGN §3.2, 3.5 with the x86-64 generator: for 1 to 4096 targets every
 * registered target is reached by a direct jump and everything else by the
 * one indirect branch, in a balanced tree; objdump agrees; each of the
 * kernel's fallback sequences (retpoline, call depth tracking, LFENCE, ITS,
 * none) is emitted for each argument register and runs; targets out of
 * rel32 reach, and addresses as the kernel has them, are handled.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <asm/nospec-branch.h>

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
	text = dt_make_stubs(JIT_MAX + 8, 1 << 20, true, DT_TEXT_NEAR,
			     (void **)stubs);
	ASSERT(text);
	for (c = 0; c < ARRAY_SIZE(counts); c++) {
		for (; n < counts[c]; n++)
			ASSERT_EQ(__dispatcher_register(d, stubs[n]), 0);
		ASSERT_EQ(d->nr_targets, n);
		ASSERT(d->image);
		if (!dt_check_image(d, "many")) {
			dt_info("with %u targets", n);
			break;
		}
		EXPECT_LE(d->image->len, arch_dispatcher_image_size(n));
		EXPECT_EQ(d->image->size, arch_dispatcher_image_size(n));
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
	EXPECT_EQ(dt_execmem_live, 0);
	free(stubs);
}

/*
 * The images through an independent decoder, objdump: only compares, the
 * movabs to %r11, direct jumps into the image or to a registered target,
 * int3 padding, and at most one indirect branch (or jump to a thunk).
 */
DT_TEST(jit_objdump)
{
	static const unsigned int counts[] = { 1, 3, 48, 1024 };
	struct dispatcher *d = &DISPATCHER(t_jit);
	unsigned long thunk = (unsigned long)&__x86_indirect_thunk_array[2];
	void **stubs = calloc(1024, sizeof(*stubs));
	char path[] = "/tmp/dt_jit_XXXXXX", cmd[512], line[512];
	unsigned int n = 0, c, insns, indirect, bad;
	unsigned long ip, to;
	FILE *f;
	int fd;

	ASSERT(stubs);
	if (system("objdump --version > /dev/null 2>&1"))
		SKIP("no objdump");
	ASSERT(dt_make_stubs(1024, 1 << 20, true, DT_TEXT_NEAR, stubs));
	for (c = 0; c < ARRAY_SIZE(counts); c++) {
		for (; n < counts[c]; n++)
			ASSERT_EQ(__dispatcher_register(d, stubs[n]), 0);
		ip = (unsigned long)d->image->text;
		fd = mkstemp(path);
		ASSERT(fd >= 0);
		ASSERT_EQ(write(fd, d->image->text, d->image->len),
			  d->image->len);
		close(fd);
		snprintf(cmd, sizeof(cmd),
			 "objdump -D -b binary -m i386:x86-64 --adjust-vma=%#lx %s",
			 ip, path);
		f = popen(cmd, "r");
		ASSERT(f);
		insns = 0;
		indirect = 0;
		bad = 0;
		while (fgets(line, sizeof(line), f)) {
			char *tab = strchr(line, '\t'), *insn;

			/* "  addr:\tbytes\tmnemonic operands" */
			if (!tab || !strchr(tab + 1, '\t'))
				continue;
			insn = strchr(tab + 1, '\t') + 1;
			insns++;
			if (!strncmp(insn, "cmp", 3) || !strncmp(insn, "movabs", 6) ||
			    !strncmp(insn, "int3", 4))
				continue;
			if (!strncmp(insn, "jmp    *%", 9)) {
				indirect++;
				continue;
			}
			if ((!strncmp(insn, "je ", 3) || !strncmp(insn, "ja ", 3) ||
			     !strncmp(insn, "jmp ", 4)) &&
			    sscanf(strchr(insn, ' '), " %lx", &to) == 1) {
				bool known = (to >= ip && to < ip + d->image->len) ||
					     to == thunk;

				for (unsigned int i = 0; i < n && !known; i++)
					known = to == (unsigned long)stubs[i] &&
						insn[1] == 'e';
				if (known)
					continue;
			}
			if (!bad++)
				dt_info("unexpected: %s", insn);
		}
		pclose(f);
		unlink(path);
		snprintf(path, sizeof(path), "/tmp/dt_jit_XXXXXX");
		EXPECT_EQ(bad, 0);
		EXPECT_LE(indirect, 1);
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
 * §3.2: the fallback is the kernel's indirect jump for each spectre_v2
 * mitigation, through the register of each argument position, and it
 * runs: the unregistered target (reg*_30) goes through it.
 */
DT_TEST(jit_fallback)
{
	static const struct {
		const char *name;
		unsigned long caps;
	} mitigations[] = {
		{ "retpoline", DT_CAP(X86_FEATURE_RETPOLINE) },
		{ "retpoline+calldepth", DT_CAP(X86_FEATURE_RETPOLINE) |
					 DT_CAP(X86_FEATURE_CALL_DEPTH) },
		{ "lfence", DT_CAP(X86_FEATURE_RETPOLINE_LFENCE) },
		{ "its", DT_CAP(X86_FEATURE_INDIRECT_THUNK_ITS) },
		{ "none", 0 },
	};
	unsigned long saved = dt_cpu_caps;
	unsigned int m, i;

	ASSERT(dt_boot_param("dispatcher=on"));
	for (m = 0; m < ARRAY_SIZE(mitigations); m++) {
		dt_cpu_caps = DT_CAP(X86_FEATURE_ALWAYS) | mitigations[m].caps;
		for (i = 0; i < ARRAY_SIZE(reg_points); i++) {
			ASSERT_EQ(__dispatcher_register(reg_points[i], reg_a[i]), 0);
			ASSERT_EQ(__dispatcher_register(reg_points[i], reg_b[i]), 0);
			ASSERT(reg_points[i]->image);
			if (!dt_check_image(reg_points[i], mitigations[m].name))
				dt_info("argument register %u", i);
		}
		reg_calls();
		for (i = 0; i < ARRAY_SIZE(reg_points); i++) {
			EXPECT_EQ(__dispatcher_unregister(reg_points[i], reg_a[i]), 0);
			EXPECT_EQ(__dispatcher_unregister(reg_points[i], reg_b[i]), 0);
		}
	}
	dt_cpu_caps = saved;
}

/*
 * DESIGN §5: a target out of rel32 reach of the image registers fine, has
 * no leaf and is reached through the fallback.
 */
DT_TEST(jit_far)
{
	struct dispatcher *d = &DISPATCHER(t_jit);
	target_t near[4], far[4];
	struct dt_walk w;
	unsigned long hits[8];
	unsigned int i;

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
		d->image->len, dt_arg_regs[2], hits, ARRAY_SIZE(hits));
	EXPECT(!w.err);
	EXPECT_EQ(w.nr_hits, 4);
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(dispatcher_call(t_jit, near[i], 1, 2), 101 + i);
		EXPECT_EQ(dispatcher_call(t_jit, far[i], 1, 2), 201 + i);
	}
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(__dispatcher_unregister(d, near[i]), 0);
		EXPECT_EQ(__dispatcher_unregister(d, far[i]), 0);
	}
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
		d->image->len, dt_arg_regs[2], hits, ARRAY_SIZE(hits));
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

/* Generate for @t without running it; 0 or the generator's error. */
static int gen_walk(struct dispatcher_target *t, unsigned int n,
		    unsigned long ip, u8 *buf, struct dt_walk *w,
		    unsigned long *hits)
{
	unsigned int size = arch_dispatcher_image_size(n);
	int len;

	qsort(t, n, sizeof(*t), cmp_target);
	len = arch_dispatcher_generate(buf, (void *)ip, size, t, n, 2);
	if (len < 0)
		return len;
	dt_walk(w, buf, ip, len, dt_arg_regs[2], hits, n);
	return w->err ? -EINVAL : 0;
}

/*
 * Addresses as the kernel has them, generated but not run: text at
 * 0xffffffff81000000 compared with sign-extended imm32 from an image in
 * the module area; a vmalloc address needs imm64 and is out of reach; the
 * UML layout of DESIGN §5 (text at 0x60000000, image at 0xde800000) with
 * targets on both sides of the rel32 edge.  And bad arguments.
 */
DT_TEST(jit_addresses)
{
	struct dispatcher_target t[128];
	unsigned long hits[128], ip;
	unsigned long saved = dt_cpu_caps;
	u8 *buf = malloc(arch_dispatcher_image_size(128));
	unsigned int i, n;
	struct dt_walk w;
	struct dt_run r;

	ASSERT(buf);
	/* The thunks are in this process, far from these images. */
	dt_cpu_caps = DT_CAP(X86_FEATURE_ALWAYS);

	ip = 0xffffffffa0001000UL;
	for (n = 0; n < 100; n++)
		t[n] = (struct dispatcher_target){ 0xffffffff81000000UL + n * 64, 1 };
	t[n++] = (struct dispatcher_target){ 0xffffc90000010000UL, 1 };
	ASSERT_EQ(gen_walk(t, n, ip, buf, &w, hits), 0);
	EXPECT_EQ(w.nr_hits, 100);
	/* Out of reach, the vmalloc target has no leaf; maybe a node. */
	EXPECT_LE(w.nr_imm64, 1);
	for (i = 0; i < n; i++) {
		dt_emulate(&r, buf, ip, w.len, dt_arg_regs[2], t[i].addr);
		if (t[i].addr >> 40 == 0xffffc9)
			EXPECT_EQ(r.exit, DT_EXIT_INDIRECT);
		else
			EXPECT(r.exit == DT_EXIT_DIRECT && r.to == t[i].addr);
	}

	/*
	 * UML: kernel text around 0x60000000, execmem at 0xde800000, so
	 * targets below 0x5e800000 plus the offset of the jump are out of
	 * rel32 reach.
	 */
	ip = 0xde800000UL;
	n = 0;
	t[n++] = (struct dispatcher_target){ 0x60000000UL, 1 };
	t[n++] = (struct dispatcher_target){ 0x5e900000UL, 1 };
	t[n++] = (struct dispatcher_target){ 0x5e801000UL, 1 };
	t[n++] = (struct dispatcher_target){ 0x5e7ff000UL, 1 };
	t[n++] = (struct dispatcher_target){ 0x40000000UL, 1 };
	ASSERT_EQ(gen_walk(t, n, ip, buf, &w, hits), 0);
	EXPECT_EQ(w.nr_hits, 3);
	for (i = 0; i < n; i++) {
		dt_emulate(&r, buf, ip, w.len, dt_arg_regs[2], t[i].addr);
		if (t[i].addr >= 0x5e801000UL)
			EXPECT(r.exit == DT_EXIT_DIRECT && r.to == t[i].addr);
		else
			EXPECT_EQ(r.exit, DT_EXIT_INDIRECT);
	}

	/* A retpoline thunk out of reach: the generator says so. */
	dt_cpu_caps = DT_CAP(X86_FEATURE_ALWAYS) | DT_CAP(X86_FEATURE_RETPOLINE);
	EXPECT_EQ(arch_dispatcher_generate(buf, (void *)ip, 4096, t, 1, 2),
		  -ERANGE);
	dt_cpu_caps = DT_CAP(X86_FEATURE_ALWAYS);

	/* Bad arguments. */
	EXPECT_EQ(arch_dispatcher_image_size(0), 0);
	EXPECT_EQ(arch_dispatcher_image_size(65537), 0);
	EXPECT_GT(arch_dispatcher_image_size(65536), 0);
	EXPECT_EQ(EXPECT_WARNS(arch_dispatcher_generate(buf, (void *)ip, 4096,
							t, 1, 6)), -EINVAL);
	EXPECT_EQ(EXPECT_WARNS(arch_dispatcher_generate(buf, (void *)ip, 4096,
							t, 0, 2)), -EINVAL);
	EXPECT_EQ(arch_dispatcher_generate(buf, (void *)ip, 16, t, 1, 2), -E2BIG);
	dt_cpu_caps = saved;
	free(buf);
}
