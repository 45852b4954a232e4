/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_WALK_H
#define _DT_WALK_H

#include <linux/types.h>

/* Registers as ModRM numbers them; the System V argument registers. */
extern const u8 dt_arg_regs[6];

/*
 * The structure of an image in the forms the x86-64 generator emits: each
 * node is "cmp; ja right", a leaf "cmp; je target", a leaf ends in "jmp
 * fallback", and the fallback is the one way out by an indirect branch.
 */
struct dt_walk {
	const u8 *code;		/* the bytes */
	unsigned long ip;	/* where they run */
	unsigned int len;
	u8 reg;			/* register carrying the target */
	long fallback;		/* offset of the fallback, -1 if none found */
	unsigned long *hits;	/* je destinations, in order */
	unsigned int nr_hits, max_hits;
	unsigned int depth;	/* most compares on one path */
	unsigned int nr_imm64;	/* compares through %r11 */
	const char *err;	/* first inconsistency, or NULL */
};

/* Walk every path of the image; w->err says what is wrong, if anything. */
void dt_walk(struct dt_walk *w, const void *code, unsigned long ip,
	     unsigned int len, u8 reg, unsigned long *hits,
	     unsigned int max_hits);

/* How running the image with @value in the target register ends. */
enum dt_exit {
	DT_EXIT_DIRECT,		/* a direct jump out of the image, to ->to */
	DT_EXIT_INDIRECT,	/* jmp *%reg (maybe after lfence) */
	DT_EXIT_BAD,		/* anything else: ->err */
};

struct dt_run {
	enum dt_exit exit;
	unsigned long to;
	unsigned int compares;
	unsigned int insns;
	bool lfence;
	unsigned long last_ip;	/* of the instruction that left */
	const char *err;
};

/* Emulate the image, without executing it, for one value. */
void dt_emulate(struct dt_run *r, const void *code, unsigned long ip,
		unsigned int len, u8 reg, unsigned long value);

#endif /* _DT_WALK_H */
