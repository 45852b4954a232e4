// SPDX-License-Identifier: GPL-2.0-only
/*
 * A module on a dispatch point of the kernel proper: it registers a
 * function of its own with kunit_export, which the KUnit fixtures define
 * and export with EXPORT_DISPATCHER_GPL(), and calls through it.  Loading
 * fails if the registration fails or a call is wrong.  It does not
 * unregister its target: unloading it evicts the target, which "make run"
 * (tools/testing/dispatcher/vm/init) checks in debugfs.
 */

#include <linux/dispatcher.h>
#include <linux/module.h>

#include "dispatcher_kunit.h"

#define DISPATCHER_EXPORT_CALLS	1000

static noinline int dispatcher_export_test_fn(int a)
{
	return 7 * a;
}

static noinline int dispatcher_export_test_other(int a)
{
	return a - 1;
}

static int __init dispatcher_export_test_init(void)
{
	int i, err;

	err = dispatcher_register(kunit_export, dispatcher_export_test_fn);
	if (err) {
		pr_err("dispatcher_export_test: register: %d\n", err);
		return err;
	}
	for (i = 0; i < DISPATCHER_EXPORT_CALLS; i++) {
		if (dispatcher_call(kunit_export, dispatcher_export_test_fn, i) != 7 * i ||
		    dispatcher_call(kunit_export, dispatcher_export_test_other, i) != i - 1) {
			pr_err("dispatcher_export_test: call %d is wrong\n", i);
			dispatcher_unregister(kunit_export, dispatcher_export_test_fn);
			return -EINVAL;
		}
	}
	pr_info("dispatcher_export_test: %d calls through kunit_export, all right\n",
		2 * DISPATCHER_EXPORT_CALLS);
	return 0;
}
module_init(dispatcher_export_test_init);

/* The target stays registered on purpose: the module's going evicts it. */
static void __exit dispatcher_export_test_exit(void)
{
}
module_exit(dispatcher_export_test_exit);

MODULE_DESCRIPTION("A module registering with and calling a built-in dispatch point");
MODULE_LICENSE("GPL");
