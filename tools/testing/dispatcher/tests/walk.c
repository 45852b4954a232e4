// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the x86-64 dispatcher images: a structural walk over every path
 * (as the KUnit suite's), and an emulator of the few instructions the
 * generator emits, which follows one value through the image and reports
 * how it leaves: by a direct jump to where, or by the indirect branch.
 * Both read the bytes and never execute them, so they also check images
 * generated for addresses that do not exist in this process.
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
			/* The end of a leaf list: jmp rel32 to the fallback. */
			if (off + 5 > w->len || w->code[off] != 0xe9) {
				w->err = "expected cmp or jmp";
				return;
			}
			to = dt_rel32(w->code, w->ip, off + 5) - w->ip;
			if (w->fallback >= 0 && to != (unsigned long)w->fallback)
				w->err = "two fallbacks";
			w->fallback = to;
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
			if (to < w->ip || to >= w->ip + w->len || to % 16)
				w->err = "ja outside the image or unaligned";
			else
				dt_walk_node(w, to - w->ip, depth);
		} else {
			w->err = "unexpected jcc";
		}
		off += 6;
	}
}

void dt_walk(struct dt_walk *w, const void *code, unsigned long ip,
	     unsigned int len, u8 reg, unsigned long *hits,
	     unsigned int max_hits)
{
	memset(w, 0, sizeof(*w));
	w->code = code;
	w->ip = ip;
	w->len = len;
	w->reg = reg;
	w->fallback = -1;
	w->hits = hits;
	w->max_hits = max_hits;
	dt_walk_node(w, 0, 0);
	if (!w->err && w->fallback < 0)
		w->err = "no fallback";
	if (!w->err && (w->fallback % 16 || w->fallback >= len))
		w->err = "fallback unaligned or outside the image";
}

void dt_emulate(struct dt_run *r, const void *image, unsigned long ip,
		unsigned int len, u8 reg, unsigned long value)
{
	const u8 *code = image, *p;
	unsigned int off = 0, n;
	unsigned long addr = 0, to;
	bool imm64, have_cmp = false;

	memset(r, 0, sizeof(*r));
	r->exit = DT_EXIT_BAD;
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
		if (p[0] == 0x0f && p[1] == 0xae && p[2] == 0xe8) {	/* lfence */
			r->lfence = true;
			off += 3;
			continue;
		}
		/* jmp *%reg: [REX.B] FF /4 */
		if (reg >= 8 && p[0] == 0x41)
			p++;
		if (p[0] == 0xff && p[1] == (0xe0 | (reg & 7))) {
			r->exit = DT_EXIT_INDIRECT;
			r->to = value;
			return;
		}
		r->err = p[0] == 0xcc ? "executed int3" : "unknown instruction";
		return;
	}
	r->err = "loops";
}
