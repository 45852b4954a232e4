/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the KUnit suites of lib/dispatcher and its clients.
 */
#ifndef _DISPATCHER_KUNIT_H
#define _DISPATCHER_KUNIT_H

#include <linux/array_size.h>
#include <linux/cleanup.h>
#include <linux/dispatcher.h>
#include <linux/init.h>
#include <linux/mutex.h>
#include <linux/sprintf.h>
#include <linux/string.h>
#include <asm/page.h>
#if defined(CONFIG_X86_64) && !defined(CONFIG_UML)
#include <linux/processor.h>
#endif

#include "../dispatcher_internal.h"

/* References @d holds on @fn; 0 if @fn is not one of its targets. */
static inline unsigned int users_of(struct dispatcher *d, void *fn)
{
	unsigned int i;

	guard(mutex)(&d->mutex);
	for (i = 0; i < d->nr_targets; i++)
		if (d->targets[i].addr == (unsigned long)fn)
			return d->targets[i].users;
	return 0;
}

/*
 * QEMU's multi-threaded TCG does not emulate cross-modifying code well
 * enough for text_poke_bp(): with one CPU calling through a static_call
 * site while another updates it, the caller takes a stray int3 within a
 * few thousand updates ("Oops: int3" in the caller), with nothing of
 * lib/dispatcher involved (a bare static_call_update() loop does it; QEMU
 * 7.2 and 10.0, -smp 2).  Single-threaded TCG (-accel tcg,thread=single,
 * still two CPUs) does not.  QEMU's default CPU model says it is QEMU in
 * its name; mk/kunit.sh's x86_64-live tier boots single-threaded TCG and
 * says so with DISPATCHER_KUNIT_LIVE_SITES on the command line.  Where
 * live sites are unsafe, concurrency tests enter images through the
 * static_call key, as a trampoline does, instead of through a patched
 * site.  A test module cannot read the command line and stays careful.
 */
#define DISPATCHER_KUNIT_LIVE_SITES	"dispatcher_kunit.live_sites=1"

/*
 * Is this the x86_64-live boot?  There the churn cases run through the
 * live sites only (the x86_64 boot ran them through the static_call key)
 * and, since single-threaded TCG runs both CPUs on one host thread, with
 * fewer operations: a case must end within KUnit's timeout of 300 s.
 */
static inline bool dispatcher_kunit_live(void)
{
#if defined(CONFIG_X86_64) && !defined(CONFIG_UML) && !defined(MODULE)
	return strstr(saved_command_line, DISPATCHER_KUNIT_LIVE_SITES);
#else
	return false;
#endif
}

static inline bool churn_site_unsafe(void)
{
#if defined(CONFIG_X86_64) && !defined(CONFIG_UML)
	return !dispatcher_kunit_live() &&
	       strstr(boot_cpu_data.x86_model_id, "QEMU Virtual CPU");
#else
	return false;
#endif
}

/*
 * Shared by the dispatcher_image and dispatcher_jit suites of the module
 * dispatcher_kunit (dispatcher_image_kunit.c, dispatcher_jit_kunit.c) and
 * defined in dispatcher_kunit_fixtures.c.
 */
struct kunit;
struct kunit_suite;

/* The mock back end's dispatch point; the type of the test targets. */
DECLARE_DISPATCHER(kunit_mock, int, int, a, int, b);

/* Exported with EXPORT_DISPATCHER_GPL() for dispatcher_export_test.ko. */
DECLARE_DISPATCHER(kunit_export, int, int, a);

/*
 * Test targets: 1024 distinct functions, then one that no case registers,
 * dk_tgts[DK_NR_TGTS].
 */
extern DISPATCHER_FN_T(kunit_mock) const dk_tgts[1024 + 1];

#define DK_NR_TGTS		(ARRAY_SIZE(dk_tgts) - 1)

/* 512 more test targets, none of them in dk_tgts. */
extern DISPATCHER_FN_T(kunit_mock) const dk_more[512];

void dk_expect_entry(struct kunit *test, struct dispatcher *d);
void dk_many_desc(const unsigned int *n, char *desc);

/*
 * Suites whose cases check the image each update builds run with learning
 * off and no cap on the targets in an image, as before either existed:
 * their suite_init and suite_exit are these.  Learned layouts and the cap
 * have their own suite, dispatcher_learn.
 */
static unsigned int dk_saved_learn __maybe_unused;
static unsigned int dk_saved_cap __maybe_unused;

static inline int dk_learn_off(struct kunit_suite *suite)
{
	return dispatcher_tunable("learn", "0", &dk_saved_learn) ?:
	       dispatcher_tunable("max_targets", "65536", &dk_saved_cap);
}

static inline void dk_learn_restore(struct kunit_suite *suite)
{
	char cap[16];

	snprintf(cap, sizeof(cap), "%u", dk_saved_cap);
	dispatcher_tunable("max_targets", cap, NULL);
	dispatcher_tunable("learn", dk_saved_learn ? "1" : "0", NULL);
}

/*
 * A back end that cannot allocate an image, so that every registration
 * that needs a new one fails with -ENOMEM; dk_set_ops() puts it in place
 * of the architecture's (NULL puts that back).  For the suites of clients
 * whose own registrations must survive the dispatcher's failure.
 */
static inline unsigned int dk_fail_size(unsigned int nr_targets)
{
	return PAGE_SIZE;
}

static inline void *dk_fail_alloc(unsigned int size)
{
	return NULL;
}

static const struct dispatcher_ops dk_fail_ops __maybe_unused = {
	.image_size	= dk_fail_size,
	.alloc		= dk_fail_alloc,
};

static inline void dk_set_ops(struct dispatcher *d,
			      const struct dispatcher_ops *ops)
{
	guard(mutex)(&d->mutex);
	d->ops = ops;
}

#endif /* _DISPATCHER_KUNIT_H */
