// SPDX-License-Identifier: GPL-2.0-only
/* Copyright(c) 2019 Intel Corporation. */

/*
 * The BPF dispatcher: an adapter that keeps the interface of the original
 * XDP dispatcher (DEFINE_BPF_DISPATCHER(), BPF_DISPATCHER_FUNC() and
 * bpf_dispatcher_change_prog()) on top of lib/dispatcher.  A dispatch point
 * calls
 *
 *	unsigned int bpf_dispatcher_<name>_func(const void *ctx,
 *						const struct bpf_insn *insnsi,
 *						bpf_func_t bpf_func);
 *
 * and reaches the bpf_func of every attached program by a direct jump,
 * any other program by an indirect call.  The generic dispatcher knows
 * targets, not programs: this file keeps the attached programs, one
 * reference on each, and registers each program's bpf_func once.  Programs
 * run by the interpreter share a bpf_func, which the dispatcher counts.
 * See Documentation/core-api/dispatcher.rst.
 */

#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/slab.h>

/**
 * struct bpf_dispatcher_prog - a program attached to a BPF dispatcher
 * @prog: the program, with a reference held
 * @users: how many times it is attached
 * @registered: whether @prog->bpf_func is registered with the dispatcher;
 *	not if that failed, and calls then take the indirect path
 * @list: entry in &bpf_dispatcher.progs
 */
struct bpf_dispatcher_prog {
	struct bpf_prog *prog;
	unsigned int users;
	bool registered;
	struct list_head list;
};

static struct bpf_dispatcher_prog *
bpf_dispatcher_find_prog(struct bpf_dispatcher *d, struct bpf_prog *prog)
{
	struct bpf_dispatcher_prog *p;

	list_for_each_entry(p, &d->progs, list) {
		if (p->prog == prog)
			return p;
	}
	return NULL;
}

/*
 * Attach @prog once more; returns the entry of a newly attached program
 * (whose bpf_func is to be registered), NULL otherwise.
 */
static struct bpf_dispatcher_prog *
bpf_dispatcher_add_prog(struct bpf_dispatcher *d, struct bpf_prog *prog)
{
	struct bpf_dispatcher_prog *p = bpf_dispatcher_find_prog(d, prog);

	if (p) {
		p->users++;
		return NULL;
	}
	/* Without memory the program runs through the indirect call. */
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return NULL;
	bpf_prog_inc(prog);
	p->prog = prog;
	p->users = 1;
	list_add_tail(&p->list, &d->progs);
	return p;
}

/*
 * Detach @prog once; returns its entry if that was the last time (its
 * bpf_func is to be unregistered and the entry freed), NULL otherwise.
 * Detaching a program that is not attached is allowed and does nothing.
 */
static struct bpf_dispatcher_prog *
bpf_dispatcher_remove_prog(struct bpf_dispatcher *d, struct bpf_prog *prog)
{
	struct bpf_dispatcher_prog *p = bpf_dispatcher_find_prog(d, prog);

	if (!p || --p->users)
		return NULL;
	list_del(&p->list);
	return p;
}

/**
 * bpf_dispatcher_change_prog - replace a program attached to a dispatcher
 * @d: the BPF dispatcher, BPF_DISPATCHER_PTR(name)
 * @from: the program detached, or NULL
 * @to: the program attached, or NULL
 *
 * Attachments are counted per program: a program attached twice is
 * registered once and stays until it is detached twice.  Both changes are
 * made in one update of the dispatcher, so a program replacing another is
 * dispatched directly from the moment the old one no longer is.  Nothing
 * here can make a call wrong: a program whose registration fails, for lack
 * of memory, is called indirectly.
 *
 * Context: Process context; sleeps.  Takes @d->mutex.
 */
void bpf_dispatcher_change_prog(struct bpf_dispatcher *d, struct bpf_prog *from,
				struct bpf_prog *to)
{
	struct bpf_dispatcher_prog *old = NULL, *new = NULL;
	void *del, *add;
	int err;

	if (from == to)
		return;

	guard(mutex)(&d->mutex);

	if (from)
		old = bpf_dispatcher_remove_prog(d, from);
	if (to)
		new = bpf_dispatcher_add_prog(d, to);

	del = old && old->registered ? old->prog->bpf_func : NULL;
	add = new ? new->prog->bpf_func : NULL;
	if (add || del) {
		err = __dispatcher_replace(d->dispatcher, del, add);
		/* Only adding can fail; the removal must still happen. */
		if (err && add && del)
			__dispatcher_unregister(d->dispatcher, del);
		if (new)
			new->registered = !err;
	}
	if (old) {
		bpf_prog_put(old->prog);
		kfree(old);
	}
}
