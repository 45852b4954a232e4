/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the harness's test cases. */
#ifndef _DT_COMMON_H
#define _DT_COMMON_H

#include <linux/dispatcher.h>

#include <linux/cpufeature.h>

#include "dispatcher_internal.h"
#include "test.h"
#include "walk.h"

/* Bytes of one generated stub target. */
#define DT_STUB_SIZE	16

/*
 * Create @n stub functions in one text region: stub i returns
 * @id + i, plus its first argument if @arg.  Stores their addresses in
 * @out; returns the region (for dt_text_destroy()), NULL on failure.
 */
void *dt_make_stubs(unsigned int n, unsigned long id, bool arg,
		    enum dt_text_where where, void **out);

/* The users of @fn in @d, 0 if it is not registered. */
unsigned int dt_users(struct dispatcher *d, const void *fn);

/* What an update must not change when it fails. */
struct dt_snap {
	unsigned int nr;
	struct dispatcher_target *t;
	void *image, *func;
	unsigned long updates;
};

void dt_snap_take(struct dispatcher *d, struct dt_snap *s);
bool dt_snap_same(struct dispatcher *d, const struct dt_snap *s);
void dt_snap_free(struct dt_snap *s);

/* Can an image at @image jump to @addr directly? */
bool dt_reachable(const void *image, unsigned long addr);

/*
 * Check @d's entry and image against its targets: the static call and its
 * trampoline lead to the learning function while a learning window is
 * open, else to the image's entry (or to the default function without an
 * image); the image is kernel text; its head is what the CPU features and
 * cfi_mode ask for (dt_check_head()); its layout (&dispatcher_image.plan)
 * holds registered targets only, and with learning off is the balanced
 * tree over the registered targets, up to the cap (dispatcher.max_targets);
 * every target of the layout within reach is reached by a direct jump,
 * with at most nr_hot + ceil(log2 nr_tree) + 1 compares; everything else,
 * registered targets out of reach or left out of the layout among them,
 * by a direct jump to the default function; no path has an indirect
 * branch.  Failures are reported with @what; returns whether all was well.
 */
bool dt_check_image(struct dispatcher *d, const char *what);
/* The same without asking the kernel whether the image is executable. */
bool dt_check_image_quick(struct dispatcher *d, const char *what);

/*
 * The DT_IMAGE_HEAD bytes before the entry of @img, whose default
 * function is @fallback, against what the generator must write for the
 * current cfi_mode and CPU features: int3 where nothing else goes; under
 * kCFI "movl $hash, %eax" at entry - cfi_get_offset() with
 * cfi_get_func_hash(@fallback), and nops after it; under call depth
 * tracking the accounting template, relocated for its place, right before
 * the entry.  NULL if right, else what is wrong.
 */
const char *dt_check_head(const struct dispatcher_image *img, void *fallback);

/*
 * dispatcher_barrier(), then the RCU grace period after which the freed
 * images' structures and names go (dispatcher_image_free()).
 */
void dt_barrier(void);

/*
 * The architecture's images live in packs of executable memory
 * (lib/dispatcher/pack.c), one execmem allocation each; one empty pack is
 * kept once there has been one.  So with every image freed, this many
 * execmem allocations are still live.
 */
#define DT_PACKS_KEPT	1

/*
 * Is the image that was at [@text, @text + @held) gone: its memory
 * inaccessible (an image larger than a pack has execmem of its own), or
 * filled with int3 (a slot of a pack, after arch_dispatcher_invalidate())?
 * A CPU still running it traps either way, until the slot is reused.
 */
bool dt_image_trapped(const void *text, unsigned int held);

/* A copy of @img's bytes, @img->held of them, to compare later; malloc'd. */
void *dt_image_save(const struct dispatcher_image *img);

void dt_sleep_ms(unsigned int ms);

/* Poll @cond every millisecond for up to @ms milliseconds; its last value. */
#define dt_wait_for(cond, ms)						\
	({								\
		unsigned int __i;					\
		bool __ok = false;					\
									\
		for (__i = 0; __i <= (ms) && !(__ok = (cond)); __i++)	\
			dt_sleep_ms(1);					\
		__ok;							\
	})

/* The value after "@key" on its line of @text (debugfs), or "". */
const char *dt_field(const char *text, const char *key, char *buf,
		     size_t size);

/* The image's start (its allocation), or NULL. */
static inline void *dt_image_text(struct dispatcher *d)
{
	return d->image ? d->image->text : NULL;
}

#endif /* _DT_COMMON_H */
