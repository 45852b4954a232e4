/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_WALK_H
#define _DT_WALK_H

#include <linux/types.h>

/* Registers as ModRM numbers them; the System V argument registers. */
extern const u8 dt_arg_regs[6];

/* Bytes of an x86 image before its entry: its CFI preamble, call thunk. */
#define DT_IMAGE_HEAD	16

/*
 * The structure of an image in the forms the x86-64 generator emits,
 * from the entry on (after its ENDBR with CONFIG_X86_KERNEL_IBT): each node
 * is "cmp; ja right", a leaf "cmp; je target", a leaf list ends in "jmp
 * rel32; int3", and every such jmp goes to the same place out of the
 * image, the dispatch point's default function.  There is no indirect
 * branch (the far jump UML may need is no concern of an x86 image).
 */
struct dt_walk {
	const u8 *code;		/* the bytes, from the image's start */
	unsigned long ip;	/* where they run */
	unsigned int len;
	unsigned int entry;	/* offset of the entry */
	u8 reg;			/* register carrying the target */
	unsigned long miss;	/* where leaf lists jump, 0 if none found */
	unsigned long *hits;	/* je destinations, in order */
	unsigned int nr_hits, max_hits;
	unsigned int depth;	/* most compares on one path */
	unsigned int nr_imm64;	/* compares through %r11 */
	const char *err;	/* first inconsistency, or NULL */
};

/* Walk every path of the image; w->err says what is wrong, if anything. */
void dt_walk(struct dt_walk *w, const void *code, unsigned long ip,
	     unsigned int len, unsigned int entry, u8 reg,
	     unsigned long *hits, unsigned int max_hits);

/* How running the image with @value in the target register ends. */
enum dt_exit {
	DT_EXIT_DIRECT,		/* a direct jump out of the image, to ->to */
	DT_EXIT_INDIRECT,	/* an indirect jump, to ->to if known */
	DT_EXIT_BAD,		/* anything else: ->err */
};

struct dt_run {
	enum dt_exit exit;
	unsigned long to;
	unsigned int compares;
	unsigned int insns;
	unsigned long last_ip;	/* of the instruction that left */
	const char *err;
};

/* Emulate the image from its entry, without executing it, for one value. */
void dt_emulate(struct dt_run *r, const void *code, unsigned long ip,
		unsigned int len, unsigned int entry, u8 reg,
		unsigned long value);

/*
 * The call depth accounting template at @p, to run at @ip ("sarq $5,
 * %gs:X(%rip)"): the address X it shifts, or 0 if @p holds no template.
 */
unsigned long dt_call_thunk_operand(const u8 *p, unsigned long ip);

/* Is there an ENDBR (or FineIBT's poisoned one) at @p? */
bool dt_is_endbr(const u8 *p);

#endif /* _DT_WALK_H */
