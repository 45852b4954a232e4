// SPDX-License-Identifier: GPL-2.0-only
/**
 * DOC: packs
 *
 * Images are small (tens of bytes a target) and replaced at every update,
 * so they are not given memory of their own: that would cost a
 * set_memory_rox() (which splits the direct map) and a flushing free per
 * update.  Instead, images are carved in units of %DISPATCHER_PACK_UNIT
 * bytes out of packs of %DISPATCHER_PACK_SIZE bytes, as bpf_prog_pack does
 * for BPF programs.  A pack is allocated (and made read-only and
 * executable) once and reused; a freed slot is filled with traps first.
 * One empty pack is kept, so that a dispatch point changing between no
 * image and one does not allocate a pack each time.  An image larger than
 * a pack gets memory of its own.
 */

#include "dispatcher_internal.h"

#define DISPATCHER_PACK_UNITS	(DISPATCHER_PACK_SIZE / DISPATCHER_PACK_UNIT)

/**
 * struct dispatcher_pack - executable memory that images are carved from
 * @list: entry in dispatcher_packs
 * @text: %DISPATCHER_PACK_SIZE bytes from arch_dispatcher_alloc()
 * @used: units in use
 * @map: the units in use
 */
struct dispatcher_pack {
	struct list_head list;
	void *text;
	unsigned int used;
	DECLARE_BITMAP(map, DISPATCHER_PACK_UNITS);
};

static DEFINE_MUTEX(dispatcher_pack_mutex);
static LIST_HEAD(dispatcher_packs);

/* Calls of arch_dispatcher_alloc() and arch_dispatcher_free(), for tests. */
VISIBLE_IF_KUNIT atomic_long_t dispatcher_pack_allocs = ATOMIC_LONG_INIT(0);
EXPORT_SYMBOL_IF_KUNIT(dispatcher_pack_allocs);
VISIBLE_IF_KUNIT atomic_long_t dispatcher_pack_frees = ATOMIC_LONG_INIT(0);
EXPORT_SYMBOL_IF_KUNIT(dispatcher_pack_frees);

static void *dispatcher_text_alloc(unsigned int size)
{
	atomic_long_inc(&dispatcher_pack_allocs);
	return arch_dispatcher_alloc(size);
}

static void dispatcher_text_free(void *text, unsigned int size)
{
	atomic_long_inc(&dispatcher_pack_frees);
	arch_dispatcher_free(text, size);
}

static unsigned int dispatcher_pack_units(unsigned int size)
{
	return DIV_ROUND_UP(size, DISPATCHER_PACK_UNIT);
}

/**
 * dispatcher_pack_size - bytes an image of @size bytes holds
 * @size: bytes asked of dispatcher_pack_alloc()
 *
 * Context: Any context.
 * Return: @size rounded up to the unit, or to pages outside a pack.
 */
unsigned int dispatcher_pack_size(unsigned int size)
{
	if (size > DISPATCHER_PACK_SIZE)
		return PAGE_ALIGN(size);
	return dispatcher_pack_units(size) * DISPATCHER_PACK_UNIT;
}

/**
 * dispatcher_pack_alloc - allocate executable memory for an image
 * @size: bytes needed
 *
 * Context: Process context; sleeps.
 * Return: read-only executable memory, filled with traps, or NULL.
 */
void *dispatcher_pack_alloc(unsigned int size)
{
	unsigned int units = dispatcher_pack_units(size);
	struct dispatcher_pack *pack;
	unsigned long pos;

	if (size > DISPATCHER_PACK_SIZE)
		return dispatcher_text_alloc(PAGE_ALIGN(size));

	guard(mutex)(&dispatcher_pack_mutex);
	list_for_each_entry(pack, &dispatcher_packs, list) {
		pos = bitmap_find_next_zero_area(pack->map,
						 DISPATCHER_PACK_UNITS, 0,
						 units, 0);
		if (pos < DISPATCHER_PACK_UNITS)
			goto found;
	}

	pack = kzalloc(sizeof(*pack), GFP_KERNEL);
	if (!pack)
		return NULL;
	pack->text = dispatcher_text_alloc(DISPATCHER_PACK_SIZE);
	if (!pack->text) {
		kfree(pack);
		return NULL;
	}
	list_add_tail(&pack->list, &dispatcher_packs);
	pos = 0;
found:
	bitmap_set(pack->map, pos, units);
	pack->used += units;
	return pack->text + pos * DISPATCHER_PACK_UNIT;
}

/*
 * Another pack with no unit in use than @pack?  Called with
 * dispatcher_pack_mutex held.
 */
static bool dispatcher_pack_spare(struct dispatcher_pack *pack)
{
	struct dispatcher_pack *p;

	list_for_each_entry(p, &dispatcher_packs, list)
		if (p != pack && !p->used)
			return true;
	return false;
}

/**
 * dispatcher_pack_free - free the memory of an image
 * @text: what dispatcher_pack_alloc() returned
 * @size: the size given to it
 *
 * No CPU may be executing @text any more.  It is filled with traps, so
 * that a stray jump into it is caught, and may be reused at once.
 *
 * Context: Process context; sleeps.
 */
void dispatcher_pack_free(void *text, unsigned int size)
{
	unsigned int units = dispatcher_pack_units(size);
	struct dispatcher_pack *pack;

	if (size > DISPATCHER_PACK_SIZE) {
		dispatcher_text_free(text, PAGE_ALIGN(size));
		return;
	}

	guard(mutex)(&dispatcher_pack_mutex);
	list_for_each_entry(pack, &dispatcher_packs, list) {
		unsigned long pos;

		if (text < pack->text || text >= pack->text + DISPATCHER_PACK_SIZE)
			continue;
		pos = (text - pack->text) / DISPATCHER_PACK_UNIT;
		arch_dispatcher_invalidate(text, units * DISPATCHER_PACK_UNIT);
		bitmap_clear(pack->map, pos, units);
		pack->used -= units;
		if (!pack->used && dispatcher_pack_spare(pack)) {
			list_del(&pack->list);
			dispatcher_text_free(pack->text, DISPATCHER_PACK_SIZE);
			kfree(pack);
		}
		return;
	}
	WARN(1, "dispatcher: freeing %p, which is in no pack\n", text);
}
