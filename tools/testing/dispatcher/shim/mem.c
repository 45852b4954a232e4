// SPDX-License-Identifier: GPL-2.0
/*
 * kmalloc() and friends on malloc(), with failure injection, the string
 * helpers of <linux/string.h> that glibc lacks, lib/kstrtox.c's
 * conversions and lib/sort.c's sort().
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "dt_shim.h"
#include "shim.h"

unsigned long dt_alloc_calls;
unsigned long dt_alloc_failed;
long dt_alloc_live;

static pthread_mutex_t dt_fail_lock = PTHREAD_MUTEX_INITIALIZER;
static long dt_fail_nth = -1;
static unsigned int dt_fail_one_in;
static unsigned long dt_fail_state;

void dt_fail_alloc(long nth, unsigned int one_in, unsigned long seed)
{
	pthread_mutex_lock(&dt_fail_lock);
	dt_fail_nth = nth;
	dt_fail_one_in = one_in;
	dt_fail_state = seed | 1;
	pthread_mutex_unlock(&dt_fail_lock);
}

void dt_fail_alloc_off(void)
{
	dt_fail_alloc(-1, 0, 0);
}

/* Should this allocation fail?  Counts it either way. */
bool dt_alloc_should_fail(void)
{
	bool fail = false;

	pthread_mutex_lock(&dt_fail_lock);
	dt_alloc_calls++;
	if (dt_fail_nth == 0) {
		fail = true;
		dt_fail_nth = -1;
	} else if (dt_fail_nth > 0) {
		dt_fail_nth--;
	} else if (dt_fail_one_in) {
		/* xorshift64: reproducible from the seed */
		dt_fail_state ^= dt_fail_state << 13;
		dt_fail_state ^= dt_fail_state >> 7;
		dt_fail_state ^= dt_fail_state << 17;
		fail = dt_fail_state % dt_fail_one_in == 0;
	}
	if (fail)
		dt_alloc_failed++;
	pthread_mutex_unlock(&dt_fail_lock);
	return fail;
}

void *dt_alloc(size_t size, gfp_t flags, const char *what)
{
	void *p;

	if (dt_alloc_should_fail() || size == SIZE_MAX)
		return NULL;
	p = flags & __GFP_ZERO ? calloc(1, size ?: 1) : malloc(size ?: 1);
	if (p)
		__atomic_add_fetch(&dt_alloc_live, 1, __ATOMIC_RELAXED);
	return p;
}

void dt_free(const void *p)
{
	if (!p)
		return;
	__atomic_sub_fetch(&dt_alloc_live, 1, __ATOMIC_RELAXED);
	free((void *)p);
}

int match_string(const char * const *array, size_t n, const char *string)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!array[i])
			break;
		if (!strcmp(array[i], string))
			return i;
	}
	return -EINVAL;
}

bool sysfs_streq(const char *s1, const char *s2)
{
	while (*s1 && *s1 == *s2) {
		s1++;
		s2++;
	}
	if (*s1 == *s2)
		return true;
	if (!*s1 && *s2 == '\n' && !s2[1])
		return true;
	if (*s1 == '\n' && !s1[1] && !*s2)
		return true;
	return false;
}

ssize_t strscpy(char *dst, const char *src, size_t count)
{
	size_t len;

	if (!count)
		return -E2BIG;
	len = strnlen(src, count);
	if (len == count) {
		memcpy(dst, src, count - 1);
		dst[count - 1] = '\0';
		return -E2BIG;
	}
	memcpy(dst, src, len + 1);
	return len;
}

char *kstrdup(const char *s, gfp_t gfp)
{
	return s ? kmemdup(s, strlen(s) + 1, gfp) : NULL;
}

void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kmalloc(len, gfp);

	if (p)
		memcpy(p, src, len);
	return p;
}

/*
 * The program's read-only data, the "kernel rodata" of is_kernel_rodata():
 * from the end of its text to the start of its writable data.
 */
static bool dt_is_rodata(const void *p)
{
	return (const char *)p >= etext && (const char *)p < __data_start;
}

const char *kstrdup_const(const char *s, gfp_t gfp)
{
	return dt_is_rodata(s) ? s : kstrdup(s, gfp);
}

void kfree_const(const void *x)
{
	if (!dt_is_rodata(x))
		kfree(x);
}

/* ---- lib/kstrtox.c ---- */

int kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	unsigned long long v = 0;
	unsigned int d, n = 0;

	if (*s == '+')
		s++;
	if (base == 0 || base == 16) {
		if (s[0] == '0' && (s[1] | 0x20) == 'x' && isxdigit(s[2])) {
			s += 2;
			base = 16;
		} else if (base == 0) {
			base = s[0] == '0' ? 8 : 10;
		}
	}
	for (;; s++, n++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (*s | 0x20) - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		if (v > (ULLONG_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (!n)
		return -EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*res = v;
	return 0;
}

int kstrtouint(const char *s, unsigned int base, unsigned int *res)
{
	unsigned long long v;
	int ret = kstrtoull(s, base, &v);

	if (ret)
		return ret;
	if (v != (unsigned int)v)
		return -ERANGE;
	*res = v;
	return 0;
}

/* y/Y/t/T/1, n/N/f/F/0, on/off in any case; the rest is ignored. */
int kstrtobool(const char *s, bool *res)
{
	if (!s)
		return -EINVAL;
	switch (s[0]) {
	case 'y': case 'Y': case 't': case 'T': case '1':
		*res = true;
		return 0;
	case 'n': case 'N': case 'f': case 'F': case '0':
		*res = false;
		return 0;
	case 'o': case 'O':
		switch (s[1]) {
		case 'n': case 'N':
			*res = true;
			return 0;
		case 'f': case 'F':
			*res = false;
			return 0;
		}
		break;
	}
	return -EINVAL;
}

/* ---- lib/sort.c ---- */

static void dt_swap_bytes(void *a, void *b, int size)
{
	char *x = a, *y = b, t;

	while (size--) {
		t = *x;
		*x++ = *y;
		*y++ = t;
	}
}

/*
 * Heapsort, as the kernel's: O(n log n) without recursion or memory, and
 * not stable, so that a comparison that leaves ties to chance shows.
 */
void sort(void *base, size_t num, size_t size, cmp_func_t cmp_func,
	  swap_func_t swap_func)
{
	char *b = base;
	size_t i, r, c, n;

	if (!swap_func)
		swap_func = dt_swap_bytes;
	if (num < 2)
		return;
	/* Build a max-heap, then move its top to the end, num times. */
	for (i = num / 2; i-- > 0;) {
		for (r = i; (c = 2 * r + 1) < num; r = c) {
			if (c + 1 < num && cmp_func(b + c * size, b + (c + 1) * size) < 0)
				c++;
			if (cmp_func(b + r * size, b + c * size) >= 0)
				break;
			swap_func(b + r * size, b + c * size, size);
		}
	}
	for (n = num - 1; n > 0; n--) {
		swap_func(b, b + n * size, size);
		for (r = 0; (c = 2 * r + 1) < n; r = c) {
			if (c + 1 < n && cmp_func(b + c * size, b + (c + 1) * size) < 0)
				c++;
			if (cmp_func(b + r * size, b + c * size) >= 0)
				break;
			swap_func(b + r * size, b + c * size, size);
		}
	}
}
