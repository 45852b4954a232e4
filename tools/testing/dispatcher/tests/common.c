// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the harness's test cases. */
#include <string.h>
#include <time.h>

#include <asm/alternative.h>
#include <asm/text-patching.h>
#include <linux/cfi.h>
#include <linux/cpufeature.h>
#include <linux/kernel.h>

#include "common.h"

void *dt_make_stubs(unsigned int n, unsigned long id, bool arg,
		    enum dt_text_where where, void **out)
{
	u8 *code = calloc(n, DT_STUB_SIZE), *p, *text;
	unsigned long v;
	unsigned int i;

	if (!code)
		return NULL;
	for (i = 0; i < n; i++) {
		p = code + i * DT_STUB_SIZE;
		memset(p, INT3_INSN_OPCODE, DT_STUB_SIZE);
		v = id + i;
		/* movabs $v, %rax */
		*p++ = 0x48;
		*p++ = 0xb8;
		memcpy(p, &v, sizeof(v));
		p += sizeof(v);
		if (arg) {
			/* add %rdi, %rax */
			*p++ = 0x48;
			*p++ = 0x01;
			*p++ = 0xf8;
		}
		*p = RET_INSN_OPCODE;
	}
	text = dt_text_create(code, n * DT_STUB_SIZE, where);
	free(code);
	for (i = 0; text && i < n; i++)
		out[i] = text + i * DT_STUB_SIZE;
	return text;
}

unsigned int dt_users(struct dispatcher *d, const void *fn)
{
	unsigned int i, users = 0;

	mutex_lock(&d->mutex);
	for (i = 0; i < d->nr_targets; i++)
		if (d->targets[i].addr == (unsigned long)fn)
			users = d->targets[i].users;
	mutex_unlock(&d->mutex);
	return users;
}

void dt_snap_take(struct dispatcher *d, struct dt_snap *s)
{
	mutex_lock(&d->mutex);
	s->nr = d->nr_targets;
	s->t = calloc(s->nr + 1, sizeof(*s->t));
	if (s->t && s->nr)
		memcpy(s->t, d->targets, s->nr * sizeof(*s->t));
	s->image = d->image;
	s->func = READ_ONCE(d->sc_key->func);
	s->updates = d->nr_updates;
	mutex_unlock(&d->mutex);
}

bool dt_snap_same(struct dispatcher *d, const struct dt_snap *s)
{
	bool same;

	mutex_lock(&d->mutex);
	same = s->t && s->nr == d->nr_targets &&
	       (!s->nr || !memcmp(s->t, d->targets, s->nr * sizeof(*s->t))) &&
	       s->image == d->image && s->func == READ_ONCE(d->sc_key->func) &&
	       s->updates == d->nr_updates;
	mutex_unlock(&d->mutex);
	return same;
}

void dt_snap_free(struct dt_snap *s)
{
	free(s->t);
	s->t = NULL;
}

bool dt_reachable(const void *image, unsigned long addr)
{
	unsigned long a = (unsigned long)image;
	unsigned long dist = addr > a ? addr - a : a - addr;

	return dist < (1UL << 31) - (256UL << 20);
}

const char *dt_check_head(const struct dispatcher_image *img, void *fallback)
{
	static __thread char msg[128];
	const u8 *entry = img->entry, *head = entry - DT_IMAGE_HEAD;
	u8 want[DT_IMAGE_HEAD], thunk[32], *p = thunk;
	unsigned int off, len, i;
	u32 hash;

	if (entry - (const u8 *)img->text != DT_IMAGE_HEAD)
		return "the entry is not 16 bytes into the image";
	if (cfi_mode == CFI_FINEIBT)
		return "FineIBT needs CONFIG_X86_KERNEL_IBT, which the harness has not";
	memset(want, INT3_INSN_OPCODE, sizeof(want));
	if (cfi_mode == CFI_KCFI) {
		/* movl $hash, %eax where kCFI callers read the hash */
		off = DT_IMAGE_HEAD - cfi_get_offset();
		hash = cfi_get_func_hash(fallback);
		want[off] = 0xb8;
		memcpy(want + off + 1, &hash, sizeof(hash));
		memset(want + off + 5, 0x90, DT_IMAGE_HEAD - off - 5);
	}
	/* The template's length, then the template for where it must go. */
	len = x86_call_depth_emit_accounting(&p, NULL, (void *)entry);
	if (len) {
		p = thunk;
		x86_call_depth_emit_accounting(&p, NULL, (void *)(entry - len));
		memcpy(want + DT_IMAGE_HEAD - len, thunk, len);
	}
	for (i = 0; i < DT_IMAGE_HEAD; i++) {
		if (head[i] == want[i])
			continue;
		snprintf(msg, sizeof(msg),
			 "entry - %u is %#04x, not %#04x (cfi_mode %d, call depth %s)",
			 DT_IMAGE_HEAD - i, head[i], want[i], cfi_mode,
			 len ? "on" : "off");
		return msg;
	}
	return NULL;
}

void dt_barrier(void)
{
	dispatcher_barrier();
	rcu_barrier();
}

bool dt_image_trapped(const void *text, unsigned int held)
{
	const u8 *p = text;
	unsigned int i;

	if (!dt_execmem_readable(text, held))
		return !dt_text_accessible(text);
	for (i = 0; i < held; i++)
		if (p[i] != INT3_INSN_OPCODE)
			return false;
	return true;
}

void *dt_image_save(const struct dispatcher_image *img)
{
	void *copy = malloc(img->held);

	if (copy)
		memcpy(copy, img->text, img->held);
	return copy;
}

void dt_sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

const char *dt_field(const char *text, const char *key, char *buf,
		     size_t size)
{
	const char *p = strstr(text, key), *end;

	buf[0] = '\0';
	if (!p)
		return buf;
	p += strlen(key);
	end = strchrnul(p, '\n');
	snprintf(buf, size, "%.*s", (int)(end - p), p);
	return buf;
}

/* Is @addr one of @d's targets?  @d's mutex held. */
static bool dt_registered(struct dispatcher *d, unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < d->nr_targets; i++)
		if (d->targets[i].addr == addr)
			return true;
	return false;
}

static unsigned int dt_ilog2_up(unsigned int n)
{
	unsigned int l = 0;

	while ((1U << l) < n)
		l++;
	return l;
}

/* The index of @addr in @img's layout (hot chain, then tree), or -1. */
static int dt_plan_index(const struct dispatcher_image *img, unsigned long addr)
{
	const struct dispatcher_plan *plan = &img->plan;
	unsigned int i;

	for (i = 0; i < plan->nr_hot; i++)
		if (plan->hot[i] == addr)
			return i;
	for (i = 0; i < plan->nr_tree; i++)
		if (plan->tree[i].addr == addr)
			return plan->nr_hot + i;
	return -1;
}

static bool __dt_check_image(struct dispatcher *d, const char *what,
			     bool maps)
{
	unsigned int failures = dt_failures, i, nr, reachable = 0, entry;
	unsigned int planned, cap;
	unsigned long *hits = NULL, probe[4], miss;
	struct dispatcher_image *img;
	const char *err;
	struct dt_walk w;
	struct dt_run r;
	void *want;
	u8 reg, *tramp;
	s32 rel;

	mutex_lock(&d->mutex);
	img = d->image;
	nr = d->nr_targets;
	reg = dt_arg_regs[d->nr_args];
	miss = (unsigned long)d->default_func;

	/* The trampoline jumps where the static call key says. */
	tramp = d->sc_tramp;
	memcpy(&rel, tramp + 1, sizeof(rel));
	if (tramp[0] != JMP32_INSN_OPCODE ||
	    (unsigned long)(tramp + JMP32_INSN_SIZE + rel) !=
	    (unsigned long)READ_ONCE(d->sc_key->func))
		dt_fail(__FILE__, __LINE__, "%s: trampoline does not jump to %p",
			what, d->sc_key->func);

	/*
	 * While a learning window is open the static call enters the
	 * learning function, whatever image there is; else the image, or
	 * without one the default function.
	 */
	if (dispatcher_learn_window(d))
		want = d->learn_func;
	else
		want = img ? img->entry : d->default_func;
	if (d->sc_key->func != want)
		dt_fail(__FILE__, __LINE__, "%s: static call %p, not %s %p",
			what, d->sc_key->func,
			dispatcher_learn_window(d) ? "the learning function" :
			img ? "the image's entry" : "the default function", want);
	if (!img)
		goto out;
	if (maps && !dt_text_executable(img->text))
		dt_fail(__FILE__, __LINE__, "%s: image not executable", what);
	if (!is_dispatcher_text_address((unsigned long)img->entry) ||
	    !kernel_text_address((unsigned long)img->text + img->len - 1))
		dt_fail(__FILE__, __LINE__, "%s: a live image is not kernel text", what);
	err = dt_check_head(img, d->default_func);
	if (err)
		dt_fail(__FILE__, __LINE__, "%s: image head: %s", what, err);

	/*
	 * The image holds the targets of its layout, all registered; without
	 * learning the layout is the balanced tree over the registered
	 * targets, as many as the cap allows.
	 */
	planned = img->plan.nr_hot + img->plan.nr_tree;
	cap = dispatcher_cap();
	if (!dispatcher_learning(d) &&
	    (img->plan.nr_hot || img->plan.nr_tree != min(nr, cap)))
		dt_fail(__FILE__, __LINE__,
			"%s: learning off, but a layout of %u hot and %u tree targets for %u (cap %u)",
			what, img->plan.nr_hot, img->plan.nr_tree, nr, cap);
	for (i = 0; i < img->plan.nr_hot; i++)
		if (!dt_registered(d, img->plan.hot[i]))
			dt_fail(__FILE__, __LINE__, "%s: hot target %#lx not registered",
				what, img->plan.hot[i]);
	for (i = 0; i < img->plan.nr_tree; i++)
		if (!dt_registered(d, img->plan.tree[i].addr) ||
		    (i && img->plan.tree[i].addr <= img->plan.tree[i - 1].addr))
			dt_fail(__FILE__, __LINE__,
				"%s: tree target %#lx not registered, or out of order",
				what, img->plan.tree[i].addr);

	hits = calloc(nr + 1, sizeof(*hits));
	if (!hits)
		goto out;
	entry = (u8 *)img->entry - (u8 *)img->text;
	dt_walk(&w, img->text, (unsigned long)img->text, img->len, entry, reg,
		hits, nr);
	if (w.err) {
		dt_fail(__FILE__, __LINE__, "%s: image walk: %s", what, w.err);
		goto out;
	}
	if (w.miss != miss)
		dt_fail(__FILE__, __LINE__,
			"%s: misses jump to %#lx, not to the default function %#lx",
			what, w.miss, miss);
	if (w.depth > img->plan.nr_hot + dt_ilog2_up(img->plan.nr_tree) + 1)
		dt_fail(__FILE__, __LINE__, "%s: %u compares deep for %u + %u targets",
			what, w.depth, img->plan.nr_hot, img->plan.nr_tree);
	/* What the back end reports for debugfs is what the walk finds. */
	if (img->depth != w.depth && w.nr_hits == planned)
		dt_fail(__FILE__, __LINE__, "%s: depth %u reported, %u walked",
			what, img->depth, w.depth);

	/* Targets of the layout in reach by a je; every other one misses. */
	for (i = 0; i < nr; i++) {
		unsigned long addr = d->targets[i].addr;
		bool near = dt_reachable(img->text, addr);
		bool in = dt_plan_index(img, addr) >= 0;

		reachable += near && in;
		dt_emulate(&r, img->text, (unsigned long)img->text, img->len,
			   entry, reg, addr);
		if (near && in && (r.exit != DT_EXIT_DIRECT || r.to != addr))
			dt_fail(__FILE__, __LINE__,
				"%s: target %#lx not reached directly (%s)",
				what, addr, r.err ?: "leaves elsewhere");
		if (!(near && in) && (r.exit != DT_EXIT_DIRECT || r.to != miss))
			dt_fail(__FILE__, __LINE__,
				"%s: %s target %#lx not sent to the default function (%s)",
				what, near ? "unplaced" : "far", addr,
				r.err ?: "leaves elsewhere");
	}
	if (w.nr_hits != reachable)
		dt_fail(__FILE__, __LINE__, "%s: %u leaves for %u reachable targets",
			what, w.nr_hits, reachable);

	/* Values next to the targets, and extremes, miss. */
	probe[0] = 0;
	probe[1] = ~0UL;
	probe[2] = d->targets[0].addr - 1;
	probe[3] = d->targets[nr - 1].addr + 1;
	for (i = 0; i < ARRAY_SIZE(probe); i++) {
		dt_emulate(&r, img->text, (unsigned long)img->text, img->len,
			   entry, reg, probe[i]);
		if (r.exit != DT_EXIT_DIRECT || r.to != miss)
			dt_fail(__FILE__, __LINE__,
				"%s: %#lx does not go to the default function (%s: exit %d to %#lx)",
				what, probe[i], r.err ?: "wrong exit", r.exit,
				r.to);
	}
out:
	mutex_unlock(&d->mutex);
	free(hits);
	return dt_failures == failures;
}

bool dt_check_image(struct dispatcher *d, const char *what)
{
	return __dt_check_image(d, what, true);
}

bool dt_check_image_quick(struct dispatcher *d, const char *what)
{
	return __dt_check_image(d, what, false);
}
