/* SPDX-License-Identifier: GPL-2.0 */
/*
 * printk() formats with the kernel's extensions (%ps, %pS, %pK, ...)
 * through dt_vsnprintf() and goes to stderr; pr_debug() only with
 * DT_VERBOSE set in the environment.
 */
#ifndef _DT_SHIM_LINUX_PRINTK_H
#define _DT_SHIM_LINUX_PRINTK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/compiler_types.h>

#define KERN_SOH	"\001"
#define KERN_EMERG	KERN_SOH "0"
#define KERN_ALERT	KERN_SOH "1"
#define KERN_CRIT	KERN_SOH "2"
#define KERN_ERR	KERN_SOH "3"
#define KERN_WARNING	KERN_SOH "4"
#define KERN_NOTICE	KERN_SOH "5"
#define KERN_INFO	KERN_SOH "6"
#define KERN_DEBUG	KERN_SOH "7"
#define KERN_CONT	KERN_SOH "c"

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

__printf(1, 2) int _printk(const char *fmt, ...);
#define printk(fmt, ...)	_printk(fmt, ##__VA_ARGS__)
__printf(3, 0) int dt_vsnprintf(char *buf, size_t size, const char *fmt,
				va_list ap);
__printf(3, 4) int dt_snprintf(char *buf, size_t size, const char *fmt, ...);

#define pr_emerg(fmt, ...)	printk(KERN_EMERG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...)	printk(KERN_ALERT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...)	printk(KERN_CRIT pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...)	printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...)	printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...)	printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...)	printk(KERN_CONT fmt, ##__VA_ARGS__)
#define pr_warn_once		pr_warn
#define pr_err_once		pr_err
#define pr_info_once		pr_info

/*
 * printk_ratelimited(): as the kernel's, per call site, at most
 * DEFAULT_RATELIMIT_BURST messages every DEFAULT_RATELIMIT_INTERVAL (10
 * every 5 s); the next one allowed first says how many were suppressed.
 */
#define DEFAULT_RATELIMIT_INTERVAL_MS	5000
#define DEFAULT_RATELIMIT_BURST		10

struct ratelimit_state {
	long long begin_ms;
	int printed;
	int missed;
};

#define RATELIMIT_STATE_INIT_DEFAULT	{ .begin_ms = -1 }

bool dt_ratelimit(struct ratelimit_state *rs, const char *func);

#define printk_ratelimited(fmt, ...)					\
	({								\
		static struct ratelimit_state __rs =			\
			RATELIMIT_STATE_INIT_DEFAULT;			\
									\
		if (dt_ratelimit(&__rs, __func__))			\
			printk(fmt, ##__VA_ARGS__);			\
	})

#define pr_err_ratelimited(fmt, ...)					\
	printk_ratelimited(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn_ratelimited(fmt, ...)					\
	printk_ratelimited(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info_ratelimited(fmt, ...)					\
	printk_ratelimited(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)

#endif /* _DT_SHIM_LINUX_PRINTK_H */
