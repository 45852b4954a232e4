// SPDX-License-Identifier: GPL-2.0
/*
 * printk(), WARN() and the kernel's format extensions for the harness.
 *
 * The kernel's vsnprintf() knows %ps, %pS, %pK and friends; glibc's does
 * not.  dt_vsnprintf() walks the format itself, renders those from the
 * harness's symbols, and hands every standard conversion, with its own
 * argument, to snprintf().
 */
#include <ctype.h>
#include <execinfo.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/bug.h>
#include <linux/dispatcher.h>
#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/printk.h>
#include <linux/sprintf.h>
#include <linux/string.h>

#include "dt_shim.h"

unsigned long dt_warnings;
bool dt_quiet;

/* The images' names, if lib/dispatcher/kallsyms.c is built in. */
int dispatcher_address_lookup(unsigned long addr, unsigned long *size,
			      unsigned long *off, char *sym) __weak;

/*
 * "name+0xoff/0xsize" (or "name") into @buf; the length, 0 if @addr has no
 * symbol.  Images are named by lib/dispatcher, the program's own functions
 * by backtrace_symbols(), which reads the dynamic symbol table: "prog(name+
 * 0xoff) [0xaddr]".
 */
static int dt_symbol_off(unsigned long addr, char *buf, size_t size,
			 bool offset)
{
	void *frames[1] = { (void *)addr };
	unsigned long off = 0, len = 0;
	char sym[KSYM_NAME_LEN], **names;
	const char *open, *plus;

	if (dispatcher_address_lookup &&
	    dispatcher_address_lookup(addr, &len, &off, sym) > 0)
		goto found;
	names = backtrace_symbols(frames, 1);
	if (!names)
		return 0;
	open = strchr(names[0], '(');
	plus = open ? strchr(open, '+') : NULL;
	if (!open || !plus || plus == open + 1) {
		free(names);
		return 0;
	}
	snprintf(sym, sizeof(sym), "%.*s", (int)(plus - open - 1), open + 1);
	off = strtoul(plus + 1, NULL, 16);
	free(names);
found:
	if (offset)
		return snprintf(buf, size, "%s+%#lx/%#lx", sym, off, len);
	return snprintf(buf, size, "%s", sym);
}

int dt_symbol(unsigned long addr, char *buf, size_t size)
{
	int n = dt_symbol_off(addr, buf, size, false);

	return n ? n : snprintf(buf, size, "0x%lx", addr);
}

int sprint_symbol(char *buffer, unsigned long address)
{
	int n = dt_symbol_off(address, buffer, KSYM_SYMBOL_LEN, true);

	return n ? n : snprintf(buffer, KSYM_SYMBOL_LEN, "0x%lx", address);
}

struct dt_out {
	char *buf;
	size_t size;
	size_t pos;
};

static void dt_put(struct dt_out *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, o->pos++)
		if (o->pos + 1 < o->size)
			o->buf[o->pos] = s[i];
}

/* Render one %p<ext> conversion. */
static void dt_put_pointer(struct dt_out *o, const char *ext, void *p)
{
	char tmp[KSYM_SYMBOL_LEN];
	int n;

	switch (ext[0]) {
	case 's':
	case 'f':
		n = dt_symbol((unsigned long)p, tmp, sizeof(tmp));
		break;
	case 'S':
	case 'B':
	case 'F':
		n = sprint_symbol(tmp, (unsigned long)p);
		break;
	default:	/* %pK and anything else: the plain address */
		n = snprintf(tmp, sizeof(tmp), "0x%lx", (unsigned long)p);
		break;
	}
	dt_put(o, tmp, n > 0 ? n : 0);
}

int dt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct dt_out o = { .buf = buf, .size = size };
	char spec[48], tmp[512];
	const char *start;
	size_t len;
	int n, lng;

	while (*fmt) {
		if (*fmt != '%') {
			dt_put(&o, fmt++, 1);
			continue;
		}
		start = fmt++;
		if (*fmt == '%') {
			dt_put(&o, fmt++, 1);
			continue;
		}
		/* Flags, width and precision; '*' is spelled out below. */
		len = 0;
		spec[len++] = '%';
		while (*fmt && strchr("-+ #0", *fmt) && len < 8)
			spec[len++] = *fmt++;
		for (n = 0; n < 2; n++) {
			if (n == 1) {
				if (*fmt != '.')
					break;
				spec[len++] = *fmt++;
			}
			if (*fmt == '*') {
				len += snprintf(spec + len, 12, "%d",
						va_arg(ap, int));
				fmt++;
			}
			while (isdigit((unsigned char)*fmt) && len < 30)
				spec[len++] = *fmt++;
		}
		/* Length: 0 int, 1 long, 2 long long, -1 size_t/ptrdiff_t */
		lng = 0;
		while (*fmt && strchr("hlzjtL", *fmt) && len < 40) {
			if (*fmt == 'l')
				lng++;
			else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j')
				lng = 1;
			spec[len++] = *fmt++;
		}
		if (!*fmt) {
			dt_put(&o, start, strlen(start));
			break;
		}
		spec[len++] = *fmt;
		spec[len] = '\0';

		switch (*fmt++) {
		case 'd':
		case 'i':
			if (lng >= 2)
				n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, long long));
			else if (lng == 1)
				n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, long));
			else
				n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, int));
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (lng >= 2)
				n = snprintf(tmp, sizeof(tmp), spec,
					     va_arg(ap, unsigned long long));
			else if (lng == 1)
				n = snprintf(tmp, sizeof(tmp), spec,
					     va_arg(ap, unsigned long));
			else
				n = snprintf(tmp, sizeof(tmp), spec,
					     va_arg(ap, unsigned int));
			break;
		case 'c':
			n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, int));
			break;
		case 's':
			n = snprintf(tmp, sizeof(tmp), spec,
				     va_arg(ap, const char *) ?: "(null)");
			break;
		case 'e':
		case 'f':
		case 'g':
			n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, double));
			break;
		case 'p':
			if (isalnum((unsigned char)*fmt)) {
				dt_put_pointer(&o, fmt, va_arg(ap, void *));
				while (isalnum((unsigned char)*fmt))
					fmt++;
				continue;
			}
			n = snprintf(tmp, sizeof(tmp), spec, va_arg(ap, void *));
			break;
		default:
			/* Unknown: print it as written, consume nothing. */
			n = snprintf(tmp, sizeof(tmp), "%.*s",
				     (int)(fmt - start), start);
			break;
		}
		dt_put(&o, tmp, n > 0 ? min_t(size_t, n, sizeof(tmp) - 1) : 0);
	}
	if (o.size)
		o.buf[min(o.pos, o.size - 1)] = '\0';
	return o.pos;
}

int dt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = dt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!size)
		return 0;
	va_start(ap, fmt);
	n = dt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return min_t(int, n, size - 1);
}

static bool dt_verbose(void)
{
	static int verbose = -1;

	if (verbose < 0)
		verbose = !!getenv("DT_VERBOSE");
	return verbose;
}

int _printk(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int level = '4';

	if (fmt[0] == KERN_SOH[0] && fmt[1]) {
		level = fmt[1];
		fmt += 2;
	}
	if (level == '7' && !dt_verbose())
		return 0;
	va_start(ap, fmt);
	dt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (level != 'c')
		fputs("[kernel] ", stderr);
	fputs(msg, stderr);
	return strlen(msg);
}

unsigned long dt_ratelimited_printed;
unsigned long dt_ratelimited_suppressed;

/* As lib/ratelimit.c's ___ratelimit(), on CLOCK_MONOTONIC. */
bool dt_ratelimit(struct ratelimit_state *rs, const char *func)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct timespec ts;
	long long now;
	bool ok;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
	pthread_mutex_lock(&lock);
	if (rs->begin_ms < 0)
		rs->begin_ms = now;
	if (now - rs->begin_ms >= DEFAULT_RATELIMIT_INTERVAL_MS) {
		if (rs->missed)
			fprintf(stderr, "[kernel] %s: %d callbacks suppressed\n",
				func, rs->missed);
		rs->begin_ms = now;
		rs->printed = 0;
		rs->missed = 0;
	}
	ok = rs->printed < DEFAULT_RATELIMIT_BURST;
	if (ok) {
		rs->printed++;
		dt_ratelimited_printed++;
	} else {
		rs->missed++;
		dt_ratelimited_suppressed++;
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

void dt_warn(const char *file, int line, bool print, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	__atomic_add_fetch(&dt_warnings, 1, __ATOMIC_SEQ_CST);
	if (!print || dt_quiet)
		return;
	va_start(ap, fmt);
	dt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "[kernel] WARNING: %s:%d: %s%s", file, line, msg,
		msg[0] && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
}

void dt_bug(const char *file, int line, const char *what)
{
	fprintf(stderr, "[kernel] BUG at %s:%d: %s\n", file, line, what);
	abort();
}
