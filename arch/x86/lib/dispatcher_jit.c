// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86-64 code generator for lib/dispatcher.
 *
 * An image is a balanced binary search tree over the sorted target
 * addresses, compared against the argument register that carries the
 * target.  Each leaf ends in a direct jump to its target; anything that
 * matches no leaf reaches the single fallback, the kernel's indirect jump
 * through that register.  For targets A < B < C in %rdx:
 *
 *	cmp	$B, %rdx	; node: A and B on the left
 *	ja	.Lright
 *	cmp	$A, %rdx	; leaf
 *	je	A
 *	jmp	.Lfallback
 *	int3 ...		; pad to 16 bytes, as the BPF dispatcher does
 *	...
 *  .Lfallback:
 *	jmp	__x86_indirect_thunk_rdx
 *
 * A target whose address does not fit a sign-extended imm32 is compared
 * through %r11, which no argument uses; a target beyond the reach of a
 * rel32 jump gets no leaf of its own and is reached through the fallback.
 * The image is entered from the dispatch function through a static_call,
 * so it runs with the caller's arguments untouched and never returns to
 * itself: every path ends in a jump.
 *
 * UML x86-64 builds this file too: there the image is entered through the
 * generic static_call (a function pointer), executable memory comes from
 * the default execmem range, is writable as well, and is written with a
 * plain copy.
 */

#include <linux/dispatcher.h>
#include <linux/execmem.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>

#ifndef CONFIG_UML
#include <linux/cpufeature.h>
#include <linux/set_memory.h>
#include <asm/nospec-branch.h>
#include <asm/text-patching.h>
#else
/* UML does not see the x86 headers that name these. */
#define INT3_INSN_OPCODE	0xCC
#define JMP32_INSN_OPCODE	0xE9
#define JMP32_INSN_SIZE		5
#endif

/* Register numbers as encoded in ModRM/REX. */
enum {
	DJ_RCX = 1, DJ_RDX = 2, DJ_RSI = 6, DJ_RDI = 7,
	DJ_R8 = 8, DJ_R9 = 9, DJ_R11 = 11,
};

/* The registers of the System V arguments 0..5. */
static const u8 dj_arg_regs[] = { DJ_RDI, DJ_RSI, DJ_RDX, DJ_RCX, DJ_R8, DJ_R9 };

#define DJ_REX_W		0x48	/* 64-bit operand size */
#define DJ_REX_R		0x04	/* extends ModRM.reg */
#define DJ_REX_B		0x01	/* extends ModRM.rm or the opcode register */
#define DJ_REX_BASE		0x40
#define DJ_MODRM_REG		0xC0	/* mod = 11: register operands */
#define DJ_CMP_IMM32_OPCODE	0x81	/* group 1, r/m64, imm32; /7 = cmp */
#define DJ_CMP_IMM32_EXT	7
#define DJ_CMP_IMM32_SIZE	7
#define DJ_CMP_REG_OPCODE	0x39	/* cmp r/m64, r64 */
#define DJ_MOV_IMM64_OPCODE	0xB8	/* movabs $imm64, r64 (+ register) */
#define DJ_CMP_IMM64_SIZE	(10 + 3)	/* movabs + cmp */
#define DJ_JCC32_ESCAPE		0x0F
#define DJ_JCC32_OPCODE		0x80	/* + condition */
#define DJ_JCC32_SIZE		6
#define DJ_CC_E			0x4
#define DJ_CC_A			0x7
#define DJ_JMP_IND_OPCODE	0xFF	/* group 5; /4 = jmp r/m64 */
#define DJ_JMP_IND_EXT		4
#define DJ_ALIGN		16

/* Bytes one target can cost: a leaf and an internal node with padding. */
#define DJ_LEAF_MAX		(DJ_CMP_IMM64_SIZE + DJ_JCC32_SIZE + JMP32_INSN_SIZE)
#define DJ_NODE_MAX		(DJ_CMP_IMM64_SIZE + DJ_JCC32_SIZE + DJ_ALIGN - 1)
#define DJ_FALLBACK_MAX		(2 * DJ_ALIGN)
/* Beyond this many targets the dispatcher makes plain indirect calls. */
#define DJ_MAX_TARGETS		65536

struct dj_ctx {
	u8 *buf;		/* output; NULL while measuring */
	unsigned long ip;	/* where the image will run */
	unsigned int pos;	/* offset of the next byte */
	unsigned int size;	/* bytes available at buf */
	u8 reg;			/* register carrying the target */
	unsigned int fallback;	/* offset of the fallback */
	unsigned int *right;	/* offset of the right subtree of node i */
	const struct dispatcher_target *targets;
};

static void emit(struct dj_ctx *ctx, const void *bytes, unsigned int len)
{
	if (ctx->buf && ctx->pos + len <= ctx->size)
		memcpy(ctx->buf + ctx->pos, bytes, len);
	ctx->pos += len;
}

static void emit1(struct dj_ctx *ctx, u8 byte)
{
	emit(ctx, &byte, 1);
}

static void emit4(struct dj_ctx *ctx, u32 val)
{
	__le32 le = cpu_to_le32(val);

	emit(ctx, &le, sizeof(le));
}

static void emit8(struct dj_ctx *ctx, u64 val)
{
	__le64 le = cpu_to_le64(val);

	emit(ctx, &le, sizeof(le));
}

static u8 dj_rex_b(u8 reg)
{
	return reg >= 8 ? DJ_REX_B : 0;
}

/* The rel32 from the end of an instruction of @len bytes at ctx->pos. */
static bool dj_rel32(struct dj_ctx *ctx, unsigned int len, unsigned long to,
		     s32 *rel)
{
	long off = (long)(to - (ctx->ip + ctx->pos + len));

	if (off != (s32)off)
		return false;
	*rel = off;
	return true;
}

static unsigned int dj_cmp_size(unsigned long addr)
{
	return addr == (unsigned long)(long)(s32)addr ? DJ_CMP_IMM32_SIZE :
							DJ_CMP_IMM64_SIZE;
}

/* Compare the target register with @addr. */
static void emit_cmp(struct dj_ctx *ctx, unsigned long addr)
{
	u8 reg = ctx->reg;

	if (dj_cmp_size(addr) == DJ_CMP_IMM32_SIZE) {
		/* cmp $imm32, %reg (sign-extended) */
		emit1(ctx, DJ_REX_W | dj_rex_b(reg));
		emit1(ctx, DJ_CMP_IMM32_OPCODE);
		emit1(ctx, DJ_MODRM_REG | DJ_CMP_IMM32_EXT << 3 | (reg & 7));
		emit4(ctx, (u32)addr);
	} else {
		/* movabs $imm64, %r11 */
		emit1(ctx, DJ_REX_W | DJ_REX_B);
		emit1(ctx, DJ_MOV_IMM64_OPCODE + (DJ_R11 & 7));
		emit8(ctx, addr);
		/* cmp %r11, %reg */
		emit1(ctx, DJ_REX_W | DJ_REX_R | dj_rex_b(reg));
		emit1(ctx, DJ_CMP_REG_OPCODE);
		emit1(ctx, DJ_MODRM_REG | (DJ_R11 & 7) << 3 | (reg & 7));
	}
}

/* j<cc> @to; the caller made sure it is reachable. */
static void emit_jcc(struct dj_ctx *ctx, u8 cc, unsigned long to)
{
	s32 rel = 0;

	dj_rel32(ctx, DJ_JCC32_SIZE, to, &rel);
	/* j<cc> rel32 */
	emit1(ctx, DJ_JCC32_ESCAPE);
	emit1(ctx, DJ_JCC32_OPCODE + cc);
	emit4(ctx, rel);
}

/* jmp @to; false if it is out of reach. */
static bool emit_jmp(struct dj_ctx *ctx, unsigned long to)
{
	s32 rel;

	if (!dj_rel32(ctx, JMP32_INSN_SIZE, to, &rel))
		return false;
	/* jmp rel32 */
	emit1(ctx, JMP32_INSN_OPCODE);
	emit4(ctx, rel);
	return true;
}

static void emit_align(struct dj_ctx *ctx)
{
	while (ctx->pos % DJ_ALIGN)
		emit1(ctx, INT3_INSN_OPCODE);	/* int3 */
}

static void emit_jmp_reg(struct dj_ctx *ctx)
{
	if (ctx->reg >= 8)
		emit1(ctx, DJ_REX_BASE | DJ_REX_B);
	/* jmp *%reg */
	emit1(ctx, DJ_JMP_IND_OPCODE);
	emit1(ctx, DJ_MODRM_REG | DJ_JMP_IND_EXT << 3 | (ctx->reg & 7));
}

/*
 * The one indirect branch of an image: the same sequence the x86 BPF JIT's
 * emit_indirect_jump() produces for the kernel's spectre_v2 mitigation
 * (ITS thunk, LFENCE, retpoline thunk with or without call depth
 * tracking, or a plain jump followed by int3).
 */
static bool emit_fallback(struct dj_ctx *ctx)
{
#ifndef CONFIG_UML
	int reg = ctx->reg;

	if (cpu_feature_enabled(X86_FEATURE_INDIRECT_THUNK_ITS)) {
		OPTIMIZER_HIDE_VAR(reg);
		return emit_jmp(ctx, (unsigned long)its_static_thunk(reg));
	}
	if (cpu_feature_enabled(X86_FEATURE_RETPOLINE_LFENCE)) {
		/* lfence */
		emit1(ctx, 0x0F);
		emit1(ctx, 0xAE);
		emit1(ctx, 0xE8);
		emit_jmp_reg(ctx);
		return true;
	}
	if (cpu_feature_enabled(X86_FEATURE_RETPOLINE)) {
		OPTIMIZER_HIDE_VAR(reg);
		if (cpu_feature_enabled(X86_FEATURE_CALL_DEPTH))
			return emit_jmp(ctx, (unsigned long)
					&__x86_indirect_jump_thunk_array[reg]);
		return emit_jmp(ctx,
				(unsigned long)&__x86_indirect_thunk_array[reg]);
	}
#endif
	emit_jmp_reg(ctx);
	emit1(ctx, INT3_INSN_OPCODE);	/* int3: no straight-line speculation */
	return true;
}

/* A leaf: one target, then the way out for everything else. */
static void emit_leaf(struct dj_ctx *ctx, unsigned long addr)
{
	unsigned int cmp = dj_cmp_size(addr);
	s32 rel;
	bool near;

	/* Is the je, which follows the cmp, in reach of the target? */
	ctx->pos += cmp;
	near = dj_rel32(ctx, DJ_JCC32_SIZE, addr, &rel);
	ctx->pos -= cmp;
	if (near) {
		emit_cmp(ctx, addr);
		emit_jcc(ctx, DJ_CC_E, addr);
	}
	emit_jmp(ctx, ctx->ip + ctx->fallback);
}

/* The subtree over targets [lo, hi). */
static void emit_tree(struct dj_ctx *ctx, unsigned int lo, unsigned int hi)
{
	unsigned int mid;

	if (hi - lo == 1) {
		emit_leaf(ctx, ctx->targets[lo].addr);
		return;
	}
	/* Left: [lo, mid), right: [mid, hi); node mid - 1 owns the split. */
	mid = lo + (hi - lo) / 2;
	emit_cmp(ctx, ctx->targets[mid - 1].addr);
	emit_jcc(ctx, DJ_CC_A, ctx->ip + ctx->right[mid - 1]);
	emit_tree(ctx, lo, mid);
	emit_align(ctx);
	ctx->right[mid - 1] = ctx->pos;
	emit_tree(ctx, mid, hi);
}

static int dj_emit_image(struct dj_ctx *ctx, unsigned int nr_targets)
{
	ctx->pos = 0;
	emit_tree(ctx, 0, nr_targets);
	emit_align(ctx);
	ctx->fallback = ctx->pos;
	if (!emit_fallback(ctx))
		return -ERANGE;
	return ctx->pos <= ctx->size ? 0 : -E2BIG;
}

/*
 * dispatcher=auto: images pay off where indirect branches go through a
 * retpoline-style thunk or an LFENCE.  UML has none, but runs the JIT so
 * that it is tested.
 */
bool arch_dispatcher_wanted(void)
{
#ifdef CONFIG_UML
	return true;
#else
	return cpu_feature_enabled(X86_FEATURE_RETPOLINE) ||
	       cpu_feature_enabled(X86_FEATURE_RETPOLINE_LFENCE) ||
	       cpu_feature_enabled(X86_FEATURE_INDIRECT_THUNK_ITS);
#endif
}

unsigned int arch_dispatcher_image_size(unsigned int nr_targets)
{
	if (!nr_targets || nr_targets > DJ_MAX_TARGETS)
		return 0;
	return PAGE_ALIGN(nr_targets * (DJ_LEAF_MAX + DJ_NODE_MAX) +
			  DJ_FALLBACK_MAX);
}

/*
 * emit_tree() splits n targets into floor(n/2) and ceil(n/2), and each
 * leaf compares once more: ceil(log2(n)) + 1 compares at most.
 */
unsigned int arch_dispatcher_image_depth(unsigned int nr_targets)
{
	return nr_targets ? order_base_2(nr_targets) + 1 : 0;
}

int arch_dispatcher_generate(void *buf, void *image, unsigned int size,
			     const struct dispatcher_target *targets,
			     unsigned int nr_targets, unsigned int target_arg)
{
	struct dj_ctx ctx = {
		.ip = (unsigned long)image,
		.size = size,
		.targets = targets,
	};
	unsigned int len;
	int ret;

	if (WARN_ON_ONCE(target_arg >= ARRAY_SIZE(dj_arg_regs) || !nr_targets))
		return -EINVAL;
	ctx.reg = dj_arg_regs[target_arg];
	ctx.right = kvcalloc(nr_targets, sizeof(*ctx.right), GFP_KERNEL);
	if (!ctx.right)
		return -ENOMEM;

	/*
	 * Lay out first, then emit: every instruction has a fixed size, so
	 * the second pass puts each one where the first found it, now with
	 * the offsets of the right subtrees and of the fallback known.
	 */
	ret = dj_emit_image(&ctx, nr_targets);
	if (!ret) {
		len = ctx.pos;
		ctx.buf = buf;
		ret = dj_emit_image(&ctx, nr_targets);
		if (!ret && WARN_ON_ONCE(ctx.pos != len))
			ret = -EFAULT;
	}
	kvfree(ctx.right);
	return ret ?: ctx.pos;
}

void *arch_dispatcher_alloc(unsigned int size)
{
	void *image = execmem_alloc(EXECMEM_DEFAULT, size);

	if (!image)
		return NULL;
	/* Anything not overwritten by code traps. */
	memset(image, INT3_INSN_OPCODE, size);
#ifndef CONFIG_UML
	/* Never writable and executable at once: code goes in by text_poke. */
	if (set_memory_rox((unsigned long)image, size >> PAGE_SHIFT)) {
		execmem_free(image);
		return NULL;
	}
#endif
	return image;
}

void arch_dispatcher_free(void *image, unsigned int size)
{
	/* execmem's VM_FLUSH_RESET_PERMS restores the permissions. */
	execmem_free(image);
}

int arch_dispatcher_copy(void *dst, const void *src, unsigned int len)
{
#ifdef CONFIG_UML
	memcpy(dst, src, len);
#else
	text_poke_copy(dst, src, len);
#endif
	return 0;
}
