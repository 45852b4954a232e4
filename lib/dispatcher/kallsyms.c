// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dispatcher images as kernel text: names in kallsyms and perf, and the
 * address lookup behind kernel_text_address() and the unwinders.
 *
 * Each image is a symbol, "dispatcher_<name>" unless the dispatcher says
 * otherwise (the XDP dispatcher keeps "bpf_dispatcher_xdp"), so that a
 * backtrace, %ps, perf and /proc/kallsyms name the code a CPU is
 * executing.  An image is kernel text from just before its static_call
 * switch until it is freed, which is after every CPU has left it, as the
 * text of a BPF program is (kernel/bpf/core.c, bpf_tree).  Lookups by
 * address, from any context including NMI, go through a latch tree;
 * /proc/kallsyms walks a list.  Both are read under RCU, and an image's
 * structure is freed an RCU grace period after its removal from both.
 */

#include "dispatcher_internal.h"

static DEFINE_SPINLOCK(dispatcher_ksym_lock);	/* serialises writers */
static LIST_HEAD(dispatcher_ksyms);
static struct latch_tree_root dispatcher_tree __cacheline_aligned;

/*
 * An image is text from its start: a call may run the call thunk before
 * the entry.  Its symbol starts at the entry.
 */
static __always_inline unsigned long
dispatcher_tree_start(const struct latch_tree_node *n)
{
	return (unsigned long)container_of(n, struct dispatcher_image, tnode)->text;
}

static __always_inline unsigned long
dispatcher_tree_end(const struct latch_tree_node *n)
{
	const struct dispatcher_image *img =
		container_of(n, struct dispatcher_image, tnode);

	return (unsigned long)img->text + img->len;
}

static __always_inline bool dispatcher_tree_less(struct latch_tree_node *a,
						 struct latch_tree_node *b)
{
	return dispatcher_tree_start(a) < dispatcher_tree_start(b);
}

static __always_inline int dispatcher_tree_comp(void *key,
						struct latch_tree_node *n)
{
	unsigned long addr = (unsigned long)key;

	if (addr < dispatcher_tree_start(n))
		return -1;
	if (addr >= dispatcher_tree_end(n))
		return 1;
	return 0;
}

static const struct latch_tree_ops dispatcher_tree_ops = {
	.less	= dispatcher_tree_less,
	.comp	= dispatcher_tree_comp,
};

/* The image containing @addr, or NULL; under rcu_read_lock(). */
static struct dispatcher_image *dispatcher_image_find(unsigned long addr)
{
	struct latch_tree_node *n;

	n = latch_tree_find((void *)addr, &dispatcher_tree, &dispatcher_tree_ops);
	return n ? container_of(n, struct dispatcher_image, tnode) : NULL;
}

static void dispatcher_ksym_name(const struct dispatcher_image *img, char *sym)
{
	strscpy(sym, img->name, KSYM_NAME_LEN);
}

/* The code of @img that is named: from its entry to its end. */
static unsigned long dispatcher_ksym_len(const struct dispatcher_image *img)
{
	return (unsigned long)img->text + img->len - (unsigned long)img->entry;
}

/**
 * dispatcher_ksym_add - make an image kernel text, before it is entered
 * @img: the image, with @img->name, @img->entry and @img->len set
 *
 * Context: Process context.
 */
void dispatcher_ksym_add(struct dispatcher_image *img)
{
	char sym[KSYM_NAME_LEN];

	spin_lock(&dispatcher_ksym_lock);
	list_add_tail_rcu(&img->ksym, &dispatcher_ksyms);
	latch_tree_insert(&img->tnode, &dispatcher_tree, &dispatcher_tree_ops);
	spin_unlock(&dispatcher_ksym_lock);

	dispatcher_ksym_name(img, sym);
	perf_event_ksymbol(PERF_RECORD_KSYMBOL_TYPE_OOL,
			   (unsigned long)img->entry, dispatcher_ksym_len(img),
			   false, sym);
}

/**
 * dispatcher_ksym_del - an image that no CPU can execute stops being text
 * @img: an image passed to dispatcher_ksym_add()
 *
 * The caller frees @img no earlier than an RCU grace period later; its
 * text may go at once.
 *
 * Context: Process context.
 */
void dispatcher_ksym_del(struct dispatcher_image *img)
{
	char sym[KSYM_NAME_LEN];

	spin_lock(&dispatcher_ksym_lock);
	latch_tree_erase(&img->tnode, &dispatcher_tree, &dispatcher_tree_ops);
	list_del_rcu(&img->ksym);
	spin_unlock(&dispatcher_ksym_lock);

	dispatcher_ksym_name(img, sym);
	perf_event_ksymbol(PERF_RECORD_KSYMBOL_TYPE_OOL,
			   (unsigned long)img->entry, dispatcher_ksym_len(img),
			   true, sym);
}

/**
 * is_dispatcher_text_address - is an address inside a dispatcher image?
 * @addr: the address
 *
 * For kernel_text_address() and the unwinders: an image is text from just
 * before it can first be entered until it is freed.  O(log n) in the
 * number of images.
 *
 * Context: Any context, NMI included, where RCU is watching.
 * Return: true if @addr is in a dispatcher image, the preamble before its
 * entry included.
 */
bool is_dispatcher_text_address(unsigned long addr)
{
	bool ret;

	rcu_read_lock();
	ret = dispatcher_image_find(addr);
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(is_dispatcher_text_address);

/**
 * dispatcher_address_lookup - name the dispatcher image containing an address
 * @addr: the address
 * @size: if not NULL, set to the size of the image's code
 * @off: if not NULL, set to the offset of @addr in the image
 * @sym: buffer of %KSYM_NAME_LEN bytes for the name
 *
 * For kallsyms_lookup() and friends.
 *
 * Context: Any context, NMI included.
 * Return: The length of the name written to @sym, 0 if @addr is not in an
 * image.
 */
int dispatcher_address_lookup(unsigned long addr, unsigned long *size,
			      unsigned long *off, char *sym)
{
	struct dispatcher_image *img;
	int ret = 0;

	rcu_read_lock();
	img = dispatcher_image_find(addr);
	if (img && addr >= (unsigned long)img->entry) {
		if (size)
			*size = dispatcher_ksym_len(img);
		if (off)
			*off = addr - (unsigned long)img->entry;
		dispatcher_ksym_name(img, sym);
		ret = strlen(sym);
	}
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(dispatcher_address_lookup);

/**
 * dispatcher_get_kallsym - the symnum-th dispatcher image, for /proc/kallsyms
 * @symnum: index of the image, from 0
 * @value: set to the image's address
 * @type: set to the symbol type, 't'
 * @sym: buffer of %KSYM_NAME_LEN bytes for the name
 *
 * Context: Any context that may take rcu_read_lock().
 * Return: 0, or -ERANGE when there are no more than @symnum images.
 */
int dispatcher_get_kallsym(unsigned int symnum, unsigned long *value,
			   char *type, char *sym)
{
	struct dispatcher_image *img;
	int ret = -ERANGE;

	rcu_read_lock();
	list_for_each_entry_rcu(img, &dispatcher_ksyms, ksym) {
		if (symnum--)
			continue;
		*value = (unsigned long)img->entry;
		*type = 't';
		dispatcher_ksym_name(img, sym);
		ret = 0;
		break;
	}
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(dispatcher_get_kallsym);
