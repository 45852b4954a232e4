/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bitmaps with the kernel's interface (the subset used), bit by bit: the
 * semantics of lib/bitmap.c and lib/find_bit.c, not their speed.  Like
 * the kernel's, these are not atomic.
 */
#ifndef _DT_SHIM_LINUX_BITMAP_H
#define _DT_SHIM_LINUX_BITMAP_H

#include <linux/align.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/types.h>

#define BITMAP_FIRST_WORD_MASK(start)	(~0UL << ((start) & (BITS_PER_LONG - 1)))
#define BIT_WORD(nr)			((nr) / BITS_PER_LONG)
#define BIT_MASK(nr)			(1UL << ((nr) % BITS_PER_LONG))
#define __ALIGN_MASK(x, mask)		(((x) + (mask)) & ~(mask))

static inline bool test_bit(unsigned long nr, const unsigned long *addr)
{
	return addr[BIT_WORD(nr)] & BIT_MASK(nr);
}

static inline void __set_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static inline void __clear_bit(unsigned long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

/* As <linux/bitops.h>'s: atomic, and fully ordered. */
static inline bool test_and_set_bit(unsigned long nr, unsigned long *addr)
{
	unsigned long mask = BIT_MASK(nr);

	return __atomic_fetch_or(&addr[BIT_WORD(nr)], mask, __ATOMIC_SEQ_CST) & mask;
}

/* The first set (@set) or clear bit at or after @start, or @size. */
static inline unsigned long __dt_find_next(const unsigned long *addr,
					   unsigned long size,
					   unsigned long start, bool set)
{
	for (; start < size; start++)
		if (test_bit(start, addr) == set)
			return start;
	return size;
}

static inline unsigned long find_next_bit(const unsigned long *addr,
					  unsigned long size,
					  unsigned long offset)
{
	return __dt_find_next(addr, size, offset, true);
}

static inline unsigned long find_next_zero_bit(const unsigned long *addr,
					       unsigned long size,
					       unsigned long offset)
{
	return __dt_find_next(addr, size, offset, false);
}

#define for_each_set_bit(bit, addr, size)				\
	for ((bit) = 0; (bit) = find_next_bit((addr), (size), (bit)), (bit) < (size); \
	     (bit)++)

/* As lib/bitmap.c's: a kmalloc_array() of whole longs. */
static inline unsigned long *bitmap_alloc(unsigned int nbits, gfp_t flags)
{
	return kmalloc_array(BITS_TO_LONGS(nbits), sizeof(unsigned long), flags);
}

static inline unsigned long *bitmap_zalloc(unsigned int nbits, gfp_t flags)
{
	return bitmap_alloc(nbits, flags | __GFP_ZERO);
}

static inline void bitmap_free(const unsigned long *bitmap)
{
	kfree(bitmap);
}

static inline void bitmap_zero(unsigned long *dst, unsigned int nbits)
{
	unsigned long i;

	for (i = 0; i < BITS_TO_LONGS(nbits); i++)
		dst[i] = 0;
}

static inline void bitmap_set(unsigned long *map, unsigned int start,
			      unsigned int nbits)
{
	for (; nbits; nbits--, start++)
		__set_bit(start, map);
}

static inline void bitmap_clear(unsigned long *map, unsigned int start,
				unsigned int nbits)
{
	for (; nbits; nbits--, start++)
		__clear_bit(start, map);
}

static inline unsigned int bitmap_weight(const unsigned long *src,
					 unsigned int nbits)
{
	unsigned int i, w = 0;

	for (i = 0; i < nbits; i++)
		w += test_bit(i, src);
	return w;
}

/*
 * As lib/bitmap.c: the first index at or after @start where @nr clear
 * bits follow, aligned to @align_mask + 1 after adding @align_offset; if
 * there is none, a value greater than @size (the end the last try would
 * have needed).
 */
static inline unsigned long
bitmap_find_next_zero_area_off(unsigned long *map, unsigned long size,
			       unsigned long start, unsigned int nr,
			       unsigned long align_mask,
			       unsigned long align_offset)
{
	unsigned long index, end, i;
again:
	index = find_next_zero_bit(map, size, start);
	index = __ALIGN_MASK(index + align_offset, align_mask) - align_offset;
	end = index + nr;
	if (end > size)
		return end;
	i = find_next_bit(map, end, index);
	if (i < end) {
		start = i + 1;
		goto again;
	}
	return index;
}

static inline unsigned long
bitmap_find_next_zero_area(unsigned long *map, unsigned long size,
			   unsigned long start, unsigned int nr,
			   unsigned long align_mask)
{
	return bitmap_find_next_zero_area_off(map, size, start, nr,
					      align_mask, 0);
}

#endif /* _DT_SHIM_LINUX_BITMAP_H */
