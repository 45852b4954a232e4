// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the x86-64 dispatcher images: a structural walk over every path
 * (as the KUnit suite's), and an emulator of the few instructions the
 * generator emits, which follows one value through the image from its
 * entry and reports how it leaves: by a direct jump to where, or by an
 * indirect branch, which an image must not have.  Both read the bytes and
 * never execute them, so they also check images generated for addresses
 * that do not exist in this process.
 */
#include <string.h>

#include <linux/kernel.h>

#include "walk.h"

const u8 dt_arg_regs[6] = { 7, 6, 2, 1, 8, 9 };

static u32 get32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static u64 get64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

bool dt_is_endbr(const u8 *p)
{
	static const u8 endbr[] = { 0xf3, 0x0f, 0x1e, 0xfa };
	static const u8 poison[] = { 0x66, 0x0f, 0x1f, 0x00 };

	return !memcmp(p, endbr, 4) || !memcmp(p, poison, 4);
}

unsigned long dt_call_thunk_operand(const u8 *p, unsigned long ip)
{
	/* gs; REX.W; c1 /7 ib (sar); ModRM 00 111 101: disp32(%rip) */
	if (p[0] != 0x65 || p[1] != 0x48 || p[2] != 0xc1 || p[3] != 0x3d ||
	    p[8] != 0x05)
		return 0;
	return ip + 9 + (long)(s32)get32(p + 4);
}

/* Where code starts at the entry: after its ENDBR, if the kernel has IBT. */
static unsigned int dt_first_insn(const u8 *code, unsigned int len,
				  unsigned int entry, const char **err)
{
	if (entry >= len) {
		*err = "entry outside the image";
		return entry;
	}
	if (!IS_ENABLED(CONFIG_X86_KERNEL_IBT))
		return entry;
	if (entry + 4 > len || !dt_is_endbr(code + entry))
		*err = "no ENDBR at the entry";
	return entry + 4;
}

/* cmp $imm32, %reg (7 bytes) or movabs $imm64, %r11; cmp %r11, %reg (13). */
static unsigned int dt_cmp(const u8 *code, unsigned int len, unsigned int off,
			   u8 reg, unsigned long *addr, bool *imm64)
{
	const u8 *p = code + off;
	u8 b = reg >= 8, r = reg & 7;

	if (off + 7 <= len && p[0] == (0x48 | b) && p[1] == 0x81 &&
	    p[2] == (0xf8 | r)) {
		*addr = (long)(s32)get32(p + 3);
		*imm64 = false;
		return 7;
	}
	if (off + 13 <= len && p[0] == 0x49 && p[1] == 0xbb &&
	    p[10] == (0x4c | b) && p[11] == 0x39 && p[12] == (0xd8 | r)) {
		*addr = get64(p + 2);
		*imm64 = true;
		return 13;
	}
	return 0;
}

static unsigned long dt_rel32(const u8 *code, unsigned long ip,
			      unsigned int end)
{
	return ip + end + (long)(s32)get32(code + end - 4);
}

static void dt_walk_node(struct dt_walk *w, unsigned int off,
			 unsigned int depth)
{
	unsigned long addr, to;
	unsigned int n;
	bool imm64;

	while (!w->err) {
		n = dt_cmp(w->code, w->len, off, w->reg, &addr, &imm64);
		if (!n) {
			/* The end of a leaf list: jmp rel32; int3. */
			if (off + 5 > w->len || w->code[off] != 0xe9) {
				w->err = "expected cmp or jmp";
				return;
			}
			if (off + 6 > w->len || w->code[off + 5] != 0xcc) {
				w->err = "jmp not followed by int3";
				return;
			}
			to = dt_rel32(w->code, w->ip, off + 5);
			if (w->miss && to != w->miss)
				w->err = "leaves end in different places";
			w->miss = to;
			w->depth = max(w->depth, depth);
			return;
		}
		w->nr_imm64 += imm64;
		off += n;
		depth++;
		if (off + 6 > w->len || w->code[off] != 0x0f) {
			w->err = "cmp without jcc";
			return;
		}
		to = dt_rel32(w->code, w->ip, off + 6);
		if (w->code[off + 1] == 0x84) {		/* je target */
			if (to != addr)
				w->err = "je elsewhere than its compare";
			else if (w->nr_hits == w->max_hits)
				w->err = "more leaves than targets";
			else
				w->hits[w->nr_hits++] = addr;
		} else if (w->code[off + 1] == 0x87) {	/* ja right */
			if (to < w->ip + w->entry || to >= w->ip + w->len ||
			    to % 16)
				w->err = "ja outside the tree or unaligned";
			else
				dt_walk_node(w, to - w->ip, depth);
		} else {
			w->err = "unexpected jcc";
		}
		off += 6;
	}
}

void dt_walk(struct dt_walk *w, const void *code, unsigned long ip,
	     unsigned int len, unsigned int entry, u8 reg,
	     unsigned long *hits, unsigned int max_hits)
{
	unsigned int start;

	memset(w, 0, sizeof(*w));
	w->code = code;
	w->ip = ip;
	w->len = len;
	w->entry = entry;
	w->reg = reg;
	w->hits = hits;
	w->max_hits = max_hits;
	start = dt_first_insn(code, len, entry, &w->err);
	if (!w->err)
		dt_walk_node(w, start, 0);
	if (!w->err && !w->miss)
		w->err = "no way out for a miss";
	if (!w->err && w->miss >= ip && w->miss < ip + len)
		w->err = "misses stay in the image";
}

void dt_emulate(struct dt_run *r, const void *image, unsigned long ip,
		unsigned int len, unsigned int entry, u8 reg,
		unsigned long value)
{
	const u8 *code = image, *p;
	unsigned long addr = 0, to, r11 = 0;
	bool imm64, have_cmp = false, have_r11 = false;
	unsigned int off, n;

	memset(r, 0, sizeof(*r));
	r->exit = DT_EXIT_BAD;
	off = dt_first_insn(code, len, entry, &r->err);
	if (r->err)
		return;
	while (r->insns++ < 10000) {
		if (off >= len) {
			r->err = "ran off the image";
			return;
		}
		p = code + off;
		r->last_ip = ip + off;
		n = dt_cmp(code, len, off, reg, &addr, &imm64);
		if (n) {
			r->compares++;
			have_cmp = true;
			off += n;
			continue;
		}
		if (p[0] == 0x0f && off + 6 <= len &&
		    (p[1] == 0x84 || p[1] == 0x87)) {
			bool taken = p[1] == 0x84 ? value == addr : value > addr;

			if (!have_cmp) {
				r->err = "jcc without a compare";
				return;
			}
			to = dt_rel32(code, ip, off + 6);
			off += 6;
			if (!taken)
				continue;
			if (to >= ip && to < ip + len) {
				off = to - ip;
				continue;
			}
			r->exit = DT_EXIT_DIRECT;
			r->to = to;
			return;
		}
		if (p[0] == 0xe9 && off + 5 <= len) {
			to = dt_rel32(code, ip, off + 5);
			if (to >= ip && to < ip + len) {
				off = to - ip;
				continue;
			}
			r->exit = DT_EXIT_DIRECT;
			r->to = to;
			return;
		}
		/* movabs $imm64, %r11 on its own: a far jump follows. */
		if (p[0] == 0x49 && p[1] == 0xbb && off + 10 <= len) {
			r11 = get64(p + 2);
			have_r11 = true;
			off += 10;
			continue;
		}
		/* Any indirect jump or call: [REX] FF /2 or /4, register. */
		if ((p[0] & 0xf0) == 0x40)
			p++;
		if (p[0] == 0xff && ((p[1] & 0xf8) == 0xe0 ||
				     (p[1] & 0xf8) == 0xd0)) {
			u8 rm = (p[1] & 7) | (p > code + off ? (p[-1] & 1) << 3 : 0);

			r->exit = DT_EXIT_INDIRECT;
			r->to = rm == reg ? value : rm == 11 && have_r11 ? r11 : 0;
			return;
		}
		r->err = p[0] == 0xcc ? "executed int3" : "unknown instruction";
		return;
	}
	r->err = "loops";
}
