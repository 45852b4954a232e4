// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86-64 code generator for lib/dispatcher.
 *
 * An image is a chain of compares against the hottest targets, in order,
 * then a balanced binary search tree over the sorted addresses of the
 * other targets it holds, compared against the argument register that
 * carries the target (lib/dispatcher chooses which targets go where).  The
 * chain and each leaf jump straight to their target; anything that matches
 * no leaf jumps, also directly, to the dispatch point's default function,
 * compiled C that makes the plain call fn(args...) with whatever the
 * kernel is built with: the kCFI or FineIBT type check, a retpoline or ITS
 * thunk, call depth accounting.  The image itself holds no indirect branch
 * and re-implements no mitigation.  For targets A < B < C in %rdx:
 *
 *	<preamble>		; 16 bytes before the entry, see below
 *  entry:
 *	endbr64			; with IBT
 *	cmp	$B, %rdx	; node: A and B on the left
 *	ja	.Lright
 *	cmp	$A, %rdx	; leaf
 *	je	A
 *	jmp	__dispatcher_<name>_default
 *	int3 ...		; no straight-line speculation; pad to 16 bytes
 *	...
 *
 * A target whose address does not fit a sign-extended imm32 is compared
 * through %r11, which no argument uses; a target beyond the reach of a
 * rel32 jump gets no leaf of its own and is reached through the default
 * function.  Only where the default function itself is out of rel32 reach,
 * which happens on UML alone, do leaves jump to one "movabs; jmp *%r11":
 * UML has neither CFI nor indirect branch thunks.
 *
 * The image is entered like a function.  Its 16-byte preamble, which
 * precedes the entry, is what the kernel puts before a compiled function
 * of the dispatch function's type: the kCFI type hash or the FineIBT
 * check (from cfi_get_func_hash() of the default function, which has that
 * type), so that an indirect call of the image type-checks as one of the
 * default function does, and, under call depth tracking, the accounting
 * template of a call thunk, which callthunks_translate_call_dest() sends a
 * static_call's direct calls through while tail jumps enter at the entry.
 * An image never calls and never touches the stack, so anywhere in it the
 * return address is at (%rsp); the ORC unwinder is told so.
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
#include <linux/cfi.h>
#include <asm/alternative.h>
#include <asm/ibt.h>
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
#define DJ_KCFI_OPCODE		0xB8	/* movl $hash, %eax */
#define DJ_NOP_OPCODE		0x90

/* Bytes before the entry: the CFI preamble and the call thunk. */
#define DJ_HEAD			16
/* Bytes one target can cost: a leaf and an internal node with padding. */
#define DJ_LEAF_MAX		(DJ_CMP_IMM64_SIZE + DJ_JCC32_SIZE + \
				 JMP32_INSN_SIZE + 1)
#define DJ_NODE_MAX		(DJ_CMP_IMM64_SIZE + DJ_JCC32_SIZE + DJ_ALIGN - 1)
/* ENDBR, and the far jump to the default function on UML, padded. */
#define DJ_FIXED_MAX		(DJ_HEAD + 3 * DJ_ALIGN)
/* Beyond this many targets the dispatcher makes plain indirect calls. */
#define DJ_MAX_TARGETS		65536

struct dj_ctx {
	u8 *buf;		/* output; NULL while measuring */
	unsigned long ip;	/* where the image will run */
	unsigned int pos;	/* offset of the next byte */
	unsigned int size;	/* bytes available at buf */
	u8 reg;			/* register carrying the target */
	unsigned long miss;	/* where a miss jumps: the default function */
	unsigned int far;	/* offset of the far jump to it, 0 if none */
	unsigned int *right;	/* offset of the right subtree of node i */
	const struct dispatcher_layout *layout;
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

/* jmp @to, which is in reach, and int3 against straight-line speculation. */
static void emit_jmp_int3(struct dj_ctx *ctx, unsigned long to)
{
	emit_jmp(ctx, to);
	emit1(ctx, INT3_INSN_OPCODE);	/* int3 */
}

/*
 * The far jump to the default function, where no rel32 reaches it (UML
 * only): movabs $fn, %r11; jmp *%r11; int3.
 */
static void emit_far_jmp(struct dj_ctx *ctx, unsigned long to)
{
	/* movabs $imm64, %r11 */
	emit1(ctx, DJ_REX_W | DJ_REX_B);
	emit1(ctx, DJ_MOV_IMM64_OPCODE + (DJ_R11 & 7));
	emit8(ctx, to);
	/* jmp *%r11 */
	emit1(ctx, DJ_REX_BASE | DJ_REX_B);
	emit1(ctx, DJ_JMP_IND_OPCODE);
	emit1(ctx, DJ_MODRM_REG | DJ_JMP_IND_EXT << 3 | (DJ_R11 & 7));
	emit1(ctx, INT3_INSN_OPCODE);	/* int3 */
}

#if defined(CONFIG_X86_KERNEL_IBT) && !defined(CONFIG_UML)
static void emit_endbr(struct dj_ctx *ctx)
{
	emit4(ctx, gen_endbr());		/* endbr64 */
}

static void emit_endbr_poison(struct dj_ctx *ctx)
{
	emit4(ctx, gen_endbr_poison());		/* osp nopl (%rax) */
}
#else
static void emit_endbr(struct dj_ctx *ctx) { }
#ifndef CONFIG_UML
static void emit_endbr_poison(struct dj_ctx *ctx) { }
#endif
#endif

#ifndef CONFIG_UML
/* entry - 16: endbr; subl $hash, %r10d; jz entry + 4; ud2; nop */
static void emit_fineibt(struct dj_ctx *ctx, u32 hash)
{
	emit_endbr(ctx);
	emit1(ctx, 0x41);		/* subl $hash, %r10d */
	emit1(ctx, 0x81);
	emit1(ctx, 0xEA);
	emit4(ctx, hash);
	emit1(ctx, 0x74);		/* jz.d8 +7 */
	emit1(ctx, 0x07);
	emit1(ctx, 0x0F);		/* ud2 */
	emit1(ctx, 0x0B);
	emit1(ctx, DJ_NOP_OPCODE);	/* nop */
}

/*
 * The accounting a call thunk does, into @thunk, for its place right
 * before the entry; its length, 0 without call depth tracking.  The
 * template addresses the per-CPU call depth %rip-relative, so it is
 * generated twice: for its length, then where it goes.  Call depth
 * tracking is for parts without IBT, so never meets FineIBT, whose check
 * fills the 16 bytes.
 */
static unsigned int dj_call_thunk(struct dj_ctx *ctx, u8 *thunk,
				  unsigned int room)
{
	unsigned int len;
	u8 *p = thunk;

	if (!cpu_feature_enabled(X86_FEATURE_CALL_DEPTH) ||
	    cfi_mode == CFI_FINEIBT)
		return 0;
	len = x86_call_depth_emit_accounting(&p, NULL, (void *)ctx->ip);
	if (!len || WARN_ON_ONCE(len > room))
		return 0;
	p = thunk;
	return x86_call_depth_emit_accounting(&p, NULL,
					      (void *)ctx->ip + DJ_HEAD - len);
}
#endif

/*
 * The DJ_HEAD bytes before the entry (int3 where nothing else goes) and
 * the entry's ENDBR: what a compiled function of the default function's
 * type carries, as the x86 BPF JIT writes it for a BPF program
 * (emit_cfi()), and in the padding the call thunk of callthunks.c.
 */
static void emit_head(struct dj_ctx *ctx)
{
#ifndef CONFIG_UML
	/* The template: 9 bytes, 17 with CONFIG_CALL_THUNKS_DEBUG. */
	u8 thunk[32];
	unsigned int room = DJ_HEAD, len;
	u32 hash = cfi_get_func_hash(ctx->layout->fallback);

	switch (cfi_mode) {
	case CFI_FINEIBT:
		/* FineIBT depends on CONFIG_X86_KERNEL_IBT: both ENDBRs are there. */
		emit_fineibt(ctx, hash);
		/* entry: the poisoned ENDBR of a FineIBT function */
		emit_endbr_poison(ctx);
		return;
	case CFI_KCFI:
		/* movl $hash, %eax; the type hash where kCFI callers look */
		room = cfi_get_offset() - 5;
		while (ctx->pos < DJ_HEAD - cfi_get_offset())
			emit1(ctx, INT3_INSN_OPCODE);
		emit1(ctx, DJ_KCFI_OPCODE);
		emit4(ctx, hash);
		break;
	default:
		break;
	}
	len = dj_call_thunk(ctx, thunk, room);
	while (ctx->pos < DJ_HEAD - len)
		emit1(ctx, cfi_mode == CFI_KCFI ? DJ_NOP_OPCODE : INT3_INSN_OPCODE);
	emit(ctx, thunk, len);
#else
	while (ctx->pos < DJ_HEAD)
		emit1(ctx, INT3_INSN_OPCODE);
#endif
	emit_endbr(ctx);		/* entry */
}

/*
 * A link of the hot chain, and the compare of a leaf: cmp; je.  A target
 * out of the je's reach is left out: it reaches the default function.
 */
static void emit_hot(struct dj_ctx *ctx, unsigned long addr)
{
	unsigned int cmp = dj_cmp_size(addr);
	s32 rel;
	bool near;

	ctx->pos += cmp;
	near = dj_rel32(ctx, DJ_JCC32_SIZE, addr, &rel);
	ctx->pos -= cmp;
	if (near) {
		emit_cmp(ctx, addr);
		emit_jcc(ctx, DJ_CC_E, addr);
	}
}

/* A leaf: one target, then the way out for everything else. */
static void emit_leaf(struct dj_ctx *ctx, unsigned long addr)
{
	emit_hot(ctx, addr);
	emit_jmp_int3(ctx, ctx->miss);
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

/* Can a rel32 jump from anywhere in the image reach @to? */
static bool dj_reaches(struct dj_ctx *ctx, unsigned long to)
{
	long lo = to - ctx->ip, hi = to - (ctx->ip + ctx->size);

	return lo == (s32)lo && hi == (s32)hi;
}

static int dj_emit_image(struct dj_ctx *ctx, unsigned int *entry)
{
	unsigned long fallback = (unsigned long)ctx->layout->fallback;

	const struct dispatcher_layout *layout = ctx->layout;
	unsigned int i;

	ctx->pos = 0;
	emit_head(ctx);
	*entry = DJ_HEAD;
	for (i = 0; i < layout->nr_hot; i++)
		emit_hot(ctx, layout->hot[i]);
	if (layout->nr_targets)
		emit_tree(ctx, 0, layout->nr_targets);
	else
		emit_jmp_int3(ctx, ctx->miss);
	if (ctx->far) {
		emit_align(ctx);
		ctx->far = ctx->pos;
		emit_far_jmp(ctx, fallback);
	}
	return ctx->pos <= ctx->size ? 0 : -E2BIG;
}

/*
 * dispatcher=auto: images pay off where indirect branches go through a
 * retpoline-style thunk (X86_FEATURE_RETPOLINE, which the LFENCE variant
 * sets too).  Not for the ITS thunk alone (eIBRS parts without
 * retpolines): its indirect branch is predicted, nothing measured says a
 * tree gains there, and include/net/tc_wrapper.h switched itself off on
 * exactly those CPUs.  UML has no thunks, but runs the JIT so that it is
 * tested.
 */
bool arch_dispatcher_wanted(void)
{
#ifdef CONFIG_UML
	return true;
#else
	return cpu_feature_enabled(X86_FEATURE_RETPOLINE);
#endif
}

unsigned int arch_dispatcher_image_size(unsigned int nr_targets)
{
	if (!nr_targets || nr_targets > DJ_MAX_TARGETS)
		return 0;
	return nr_targets * (DJ_LEAF_MAX + DJ_NODE_MAX) + DJ_FIXED_MAX;
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
			     const struct dispatcher_layout *layout,
			     unsigned int *entry)
{
	struct dj_ctx ctx = {
		.ip = (unsigned long)image,
		.size = size,
		.layout = layout,
		.targets = layout->targets,
	};
	unsigned int len, nr = layout->nr_targets;
	int ret;

	if (WARN_ON_ONCE(layout->target_arg >= ARRAY_SIZE(dj_arg_regs) ||
			 !(nr + layout->nr_hot) || !layout->fallback))
		return -EINVAL;
	ctx.reg = dj_arg_regs[layout->target_arg];
	ctx.miss = (unsigned long)layout->fallback;
	if (!dj_reaches(&ctx, ctx.miss)) {
		/* Only UML lays text out beyond rel32 reach of execmem. */
		if (!IS_ENABLED(CONFIG_UML))
			return -ERANGE;
		/* The first pass finds the far jump's offset. */
		ctx.far = 1;
		ctx.miss = ctx.ip;
	}
	ctx.right = kvcalloc(max(nr, 1U), sizeof(*ctx.right), GFP_KERNEL);
	if (!ctx.right)
		return -ENOMEM;

	/*
	 * Lay out first, then emit: every instruction has a fixed size, so
	 * the second pass puts each one where the first found it, now with
	 * the offsets of the right subtrees and of the far jump known.
	 */
	ret = dj_emit_image(&ctx, entry);
	if (!ret) {
		len = ctx.pos;
		if (ctx.far)
			ctx.miss = ctx.ip + ctx.far;
		ctx.buf = buf;
		ret = dj_emit_image(&ctx, entry);
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
	if (set_memory_rox((unsigned long)image, PAGE_ALIGN(size) >> PAGE_SHIFT)) {
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

/* A freed image: anything that still jumps in traps. */
void arch_dispatcher_invalidate(void *image, unsigned int len)
{
#ifdef CONFIG_UML
	memset(image, INT3_INSN_OPCODE, len);
#else
	text_poke_set(image, INT3_INSN_OPCODE, len);
#endif
}

int arch_dispatcher_copy(void *dst, const void *src, unsigned int len)
{
#ifdef CONFIG_UML
	memcpy(dst, src, len);
#else
	if (!text_poke_copy(dst, src, len))
		return -EFAULT;
#endif
	return 0;
}
