// SPDX-License-Identifier: GPL-2.0
/*
 * DESIGN §3.6: targets inside a module are evicted on MODULE_STATE_GOING,
 * whatever their reference counts, before the module's text goes; a
 * dispatcher inside a going module is released.  Modules are simulated:
 * a struct module whose ranges cover generated code (or a dispatcher) is
 * sent down the module notifier chain, as the module loader would.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "common.h"

DEFINE_DISPATCHER(t_mod, long, long, a, long, b);
DEFINE_DISPATCHER(t_modrel, long, long, a, long, b);
DEFINE_DISPATCHER(t_modname, long, long, a, long, b);

noinline long mod_a(long a, long b);
noinline long mod_b(long a, long b);
noinline long mod_a(long a, long b) { return a * 2 + b; }
noinline long mod_b(long a, long b) { return a * 3 + b; }

#define MOD_STUBS	4

typedef long (*target_t)(long a, long b);

static void fake_module(struct module *mod, const char *name, void *text,
			size_t text_len, void *data, size_t data_len)
{
	memset(mod, 0, sizeof(*mod));
	snprintf(mod->name, sizeof(mod->name), "%s", name);
	mod->state = MODULE_STATE_LIVE;
	mod->mem[MOD_TEXT].base = text;
	mod->mem[MOD_TEXT].size = text_len;
	mod->mem[MOD_DATA].base = data;
	mod->mem[MOD_DATA].size = data_len;
}

/*
 * Targets in a going module leave the image (and the dispatcher) even with
 * references left; the others stay, with theirs; the module's text can
 * then go and every call still runs.
 */
DT_TEST(module_evict)
{
	struct dispatcher *d = &DISPATCHER(t_mod);
	target_t stubs[MOD_STUBS];
	unsigned long updates;
	struct module mod;
	unsigned int i;
	void *text;

	text = dt_make_stubs(MOD_STUBS, 500, true, DT_TEXT_NEAR, (void **)stubs);
	ASSERT(text);
	fake_module(&mod, "dt_mod", text, MOD_STUBS * DT_STUB_SIZE, NULL, 0);

	ASSERT_EQ(dispatcher_register(t_mod, mod_a), 0);
	ASSERT_EQ(dispatcher_register(t_mod, mod_b), 0);
	ASSERT_EQ(dispatcher_register(t_mod, mod_b), 0);
	for (i = 0; i < MOD_STUBS; i++) {
		ASSERT_EQ(__dispatcher_register(d, stubs[i]), 0);
		if (i % 2)
			ASSERT_EQ(__dispatcher_register(d, stubs[i]), 0);
	}
	EXPECT_EQ(d->nr_targets, 2 + MOD_STUBS);
	EXPECT(dt_check_image(d, "with the module"));
	updates = d->nr_updates;

	dt_module_going(&mod);
	EXPECT_EQ(d->nr_targets, 2);
	EXPECT_EQ(d->nr_updates, updates + 1);	/* one rebuild */
	for (i = 0; i < MOD_STUBS; i++)
		EXPECT_EQ(dt_users(d, stubs[i]), 0);
	EXPECT_EQ(dt_users(d, mod_a), 1);
	EXPECT_EQ(dt_users(d, mod_b), 2);
	EXPECT(dt_check_image(d, "module gone"));

	/* The module's text is freed: nothing may jump there any more. */
	dispatcher_barrier();
	dt_text_destroy(text, MOD_STUBS * DT_STUB_SIZE);
	EXPECT_EQ(dispatcher_call(t_mod, mod_a, 3, 4), mod_a(3, 4));
	EXPECT_EQ(dispatcher_call(t_mod, mod_b, 3, 4), mod_b(3, 4));

	/* The module's exit came too late to unregister: a caller bug. */
	EXPECT_EQ(EXPECT_WARNS(__dispatcher_unregister(d, stubs[0])), -ENOENT);

	/* A module that holds none of the targets changes nothing. */
	fake_module(&mod, "dt_other", (void *)mod_a - 4096, 64, NULL, 0);
	updates = d->nr_updates;
	dt_module_going(&mod);
	EXPECT_EQ(d->nr_updates, updates);
	EXPECT_EQ(d->nr_targets, 2);

	EXPECT_EQ(dispatcher_unregister(t_mod, mod_a), 0);
	EXPECT_EQ(dispatcher_unregister(t_mod, mod_b), 0);
	EXPECT_EQ(dispatcher_unregister(t_mod, mod_b), 0);
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
}

/*
 * A dispatcher inside a going module is released: no targets, no image,
 * no debugfs file, nothing allocated; calls (which its module must no
 * longer make) would still be plain indirect calls.
 */
DT_TEST(module_release)
{
	struct dispatcher *d = &DISPATCHER(t_modrel);
	struct module mod;

	ASSERT_EQ(dispatcher_register(t_modrel, mod_a), 0);
	ASSERT_EQ(dispatcher_register(t_modrel, mod_b), 0);
	ASSERT_EQ(dispatcher_register(t_mod, mod_a), 0);
	EXPECT(dt_debugfs_exists("dispatcher/t_modrel"));
	EXPECT(d->image);

	fake_module(&mod, "dt_modrel", NULL, 0, d, sizeof(*d));
	dt_module_going(&mod);
	EXPECT_EQ(d->nr_targets, 0);
	EXPECT(!d->targets);
	EXPECT(!d->image);
	EXPECT(list_empty(&d->list));
	EXPECT(list_empty(&d->deferred));
	EXPECT(!dt_debugfs_exists("dispatcher/t_modrel"));
	EXPECT(dt_check_image(d, "released"));
	EXPECT_EQ(dispatcher_call(t_modrel, mod_a, 1, 2), mod_a(1, 2));

	/* Other dispatchers are untouched. */
	EXPECT_EQ(dt_users(&DISPATCHER(t_mod), mod_a), 1);
	EXPECT(DISPATCHER(t_mod).image);
	EXPECT_EQ(dispatcher_unregister(t_mod, mod_a), 0);
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
}

/* A reader between two quiescent states until told to pass one. */
static void *reader_main(void *arg);

/*
 * A dispatcher in a going module whose image was deferred (too many
 * images retiring) is released like any other: it leaves the list of
 * dispatchers waiting for an image, and when the retirements drain no
 * image is built for it, nor anything touched.
 */
DT_TEST(module_release_deferred)
{
	struct dispatcher *d = &DISPATCHER(t_modrel);
	struct timespec ms = { .tv_nsec = 1000000 };
	unsigned long updates;
	struct module mod;
	pthread_t reader;
	int step = 0, i;

	ASSERT_EQ(dispatcher_register(t_mod, mod_a), 0);
	dispatcher_barrier();
	ASSERT_EQ(pthread_create(&reader, NULL, reader_main, &step), 0);
	while (!__atomic_load_n(&step, __ATOMIC_SEQ_CST))
		nanosleep(&ms, NULL);
	/* Fill the bound of retiring images. */
	for (i = 0; i < DISPATCHER_MAX_RETIRING; i++) {
		if (i % 2)
			ASSERT_EQ(dispatcher_unregister(t_mod, mod_b), 0);
		else
			ASSERT_EQ(dispatcher_register(t_mod, mod_b), 0);
	}
	ASSERT_EQ(dispatcher_register(t_modrel, mod_a), 0);
	EXPECT(!d->image);
	EXPECT_EQ(d->nr_deferred, 1);
	EXPECT(!list_empty(&d->deferred));
	EXPECT(dt_debugfs_exists("dispatcher/t_modrel"));

	fake_module(&mod, "dt_modrel", NULL, 0, d, sizeof(*d));
	dt_module_going(&mod);
	EXPECT_EQ(d->nr_targets, 0);
	EXPECT(!d->targets);
	EXPECT(list_empty(&d->list));
	EXPECT(list_empty(&d->deferred));
	EXPECT(!dt_debugfs_exists("dispatcher/t_modrel"));
	updates = d->nr_updates;

	__atomic_store_n(&step, 2, __ATOMIC_SEQ_CST);
	pthread_join(reader, NULL);
	dispatcher_barrier();
	EXPECT(!d->image);
	EXPECT_EQ(d->nr_updates, updates);
	EXPECT(dt_check_image(d, "released"));
	EXPECT(DISPATCHER(t_mod).image);
	EXPECT_EQ(dispatcher_unregister(t_mod, mod_a), 0);
	dispatcher_barrier();
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
}

struct going {
	pthread_t thread;
	struct module *mod;
	int done;
};

static void *going_main(void *arg)
{
	struct going *g = arg;

	dt_module_going(g->mod);
	__atomic_store_n(&g->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* A reader between two quiescent states until told to pass one. */
static void *reader_main(void *arg)
{
	int *step = arg;
	struct timespec ms = { .tv_nsec = 1000000 };

	dt_rcu_register_thread();
	__atomic_store_n(step, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(step, __ATOMIC_SEQ_CST) != 2)
		nanosleep(&ms, NULL);
	dt_rcu_quiescent_state();
	dt_rcu_unregister_thread();
	return NULL;
}

/*
 * A dispatcher in a module has its name (dispatcher.sym) in the module's
 * memory, which the module loader frees after MODULE_STATE_GOING and one
 * RCU grace period, while the retired image of the released dispatcher
 * stays kernel text, named, until RCU tasks (a task preempted in it) and
 * RCU let it go.  Its name must not outlive the module's memory.  Here
 * the name is on the heap, freed as soon as the going notifiers have
 * returned, while a reader still holds the image; then the image is
 * freed, ASan watching.  (Should the notifier wait for the image instead,
 * the name is freed after it.)
 */
DT_TEST(module_release_name)
{
	struct dispatcher *d = &DISPATCHER(t_modname);
	struct timespec ms = { .tv_nsec = 1000000 };
	const char *sym = d->sym;
	struct going g = {};
	struct module mod;
	pthread_t reader;
	unsigned long entry;
	char *name, buf[KSYM_NAME_LEN];
	int step = 0, i;

	name = strdup(sym);
	ASSERT(name);
	d->sym = name;
	ASSERT_EQ(dispatcher_register(t_modname, mod_a), 0);
	ASSERT(d->image);
	entry = (unsigned long)d->image->entry;
	dispatcher_barrier();

	ASSERT_EQ(pthread_create(&reader, NULL, reader_main, &step), 0);
	while (!__atomic_load_n(&step, __ATOMIC_SEQ_CST))
		nanosleep(&ms, NULL);
	fake_module(&mod, "dt_modname", NULL, 0, d, sizeof(*d));
	g.mod = &mod;
	ASSERT_EQ(pthread_create(&g.thread, NULL, going_main, &g), 0);
	for (i = 0; i < 500 && !__atomic_load_n(&g.done, __ATOMIC_SEQ_CST); i++)
		nanosleep(&ms, NULL);
	if (__atomic_load_n(&g.done, __ATOMIC_SEQ_CST)) {
		EXPECT(!d->image);
		/* Retired, held: still text, still named. */
		EXPECT(is_dispatcher_text_address(entry));
		EXPECT_GT(dispatcher_address_lookup(entry, NULL, NULL, buf), 0);
		EXPECT_EQ(strcmp(buf, sym), 0);
		/* The module's memory goes. */
		free(name);
		name = NULL;
	} else {
		dt_info("MODULE_STATE_GOING waits for the image");
	}
	__atomic_store_n(&step, 2, __ATOMIC_SEQ_CST);
	pthread_join(reader, NULL);
	pthread_join(g.thread, NULL);
	free(name);
	dispatcher_barrier();
	EXPECT(!is_dispatcher_text_address(entry));
	EXPECT_EQ(dispatcher_address_lookup(entry, NULL, NULL, buf), 0);
	EXPECT_EQ(dt_execmem_live, DT_PACKS_KEPT);
	d->sym = sym;
}
