// SPDX-License-Identifier: GPL-2.0-only
/*
 * Names for dispatcher images in kallsyms and perf.
 *
 * Each live image is a symbol, "dispatcher_<name>" unless the dispatcher
 * says otherwise (the XDP dispatcher keeps "bpf_dispatcher_xdp"), so that a
 * backtrace, %ps, perf and /proc/kallsyms name the code a CPU is
 * executing.  An image is named from just before its static_call switch
 * until it is retired; readers walk the list under RCU and the image is
 * freed only after an RCU grace period that follows its removal.
 */

#include "dispatcher_internal.h"

static DEFINE_SPINLOCK(dispatcher_ksym_lock);
static LIST_HEAD(dispatcher_ksyms);

static void dispatcher_ksym_name(const struct dispatcher_image *img, char *sym)
{
	strscpy(sym, img->name, KSYM_NAME_LEN);
}

/**
 * dispatcher_ksym_add - name an image that is about to be entered
 * @img: the image, with @img->name set
 *
 * Context: Process context.
 */
void dispatcher_ksym_add(struct dispatcher_image *img)
{
	char sym[KSYM_NAME_LEN];

	spin_lock(&dispatcher_ksym_lock);
	list_add_tail_rcu(&img->ksym, &dispatcher_ksyms);
	spin_unlock(&dispatcher_ksym_lock);

	dispatcher_ksym_name(img, sym);
	perf_event_ksymbol(PERF_RECORD_KSYMBOL_TYPE_OOL,
			   (unsigned long)img->text, img->len, false, sym);
}

/**
 * dispatcher_ksym_del - remove the name of an image being retired
 * @img: an image passed to dispatcher_ksym_add()
 *
 * The caller frees @img no earlier than an RCU grace period later.
 *
 * Context: Process context.
 */
void dispatcher_ksym_del(struct dispatcher_image *img)
{
	char sym[KSYM_NAME_LEN];

	spin_lock(&dispatcher_ksym_lock);
	list_del_rcu(&img->ksym);
	spin_unlock(&dispatcher_ksym_lock);

	dispatcher_ksym_name(img, sym);
	perf_event_ksymbol(PERF_RECORD_KSYMBOL_TYPE_OOL,
			   (unsigned long)img->text, img->len, true, sym);
}

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
	list_for_each_entry_rcu(img, &dispatcher_ksyms, ksym) {
		unsigned long start = (unsigned long)img->text;

		if (addr < start || addr >= start + img->len)
			continue;
		if (size)
			*size = img->len;
		if (off)
			*off = addr - start;
		dispatcher_ksym_name(img, sym);
		ret = strlen(sym);
		break;
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
		*value = (unsigned long)img->text;
		*type = 't';
		dispatcher_ksym_name(img, sym);
		ret = 0;
		break;
	}
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(dispatcher_get_kallsym);
