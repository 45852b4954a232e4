// SPDX-License-Identifier: GPL-2.0
/*
 * Boot (initcalls, __setup(), module parameters, system_state), the
 * module notifier chain, debugfs and seq_file, and perf_event_ksymbol()
 * for the harness.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/perf_event.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "dt_shim.h"

/* ---- initcalls and boot parameters ---- */

#define DT_MAX_INITCALLS	32

static struct {
	int level;
	initcall_t fn;
	const char *name;
	bool done;
} dt_initcalls[DT_MAX_INITCALLS];
static unsigned int dt_nr_initcalls;

static struct {
	const char *str;
	int (*fn)(char *str);
} dt_setups[DT_MAX_INITCALLS];
static unsigned int dt_nr_setups;

void dt_register_initcall(int level, initcall_t fn, const char *name)
{
	if (dt_nr_initcalls == DT_MAX_INITCALLS)
		dt_bug(__FILE__, __LINE__, "too many initcalls");
	dt_initcalls[dt_nr_initcalls].level = level;
	dt_initcalls[dt_nr_initcalls].fn = fn;
	dt_initcalls[dt_nr_initcalls].name = name;
	dt_nr_initcalls++;
}

void dt_register_setup(const char *str, int (*fn)(char *str))
{
	if (dt_nr_setups == DT_MAX_INITCALLS)
		dt_bug(__FILE__, __LINE__, "too many __setup()s");
	dt_setups[dt_nr_setups].str = str;
	dt_setups[dt_nr_setups].fn = fn;
	dt_nr_setups++;
}

enum system_states system_state = SYSTEM_BOOTING;

/*
 * Run the initcalls up to @max_level not run yet, level by level; the
 * system is running once the late ones have run.
 */
void dt_do_initcalls(int max_level)
{
	unsigned int i;
	int level, ret;

	if (system_state == SYSTEM_BOOTING)
		system_state = SYSTEM_SCHEDULING;
	for (level = 0; level <= max_level; level++) {
		for (i = 0; i < dt_nr_initcalls; i++) {
			if (dt_initcalls[i].level != level || dt_initcalls[i].done)
				continue;
			dt_initcalls[i].done = true;
			ret = dt_initcalls[i].fn();
			if (ret)
				pr_warn("initcall %s returned %d\n",
					dt_initcalls[i].name, ret);
		}
	}
	if (max_level >= DT_INITCALL_LATE)
		system_state = SYSTEM_RUNNING;
}

/* ---- module parameters ---- */

static const struct kernel_param *dt_params[DT_MAX_INITCALLS];
static unsigned int dt_nr_params;

void dt_register_param(const struct kernel_param *kp)
{
	if (dt_nr_params == DT_MAX_INITCALLS)
		dt_bug(__FILE__, __LINE__, "too many module parameters");
	dt_params[dt_nr_params++] = kp;
}

static const struct kernel_param *dt_param_find(const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < dt_nr_params; i++)
		if (strlen(dt_params[i]->name) == len &&
		    !strncmp(dt_params[i]->name, name, len))
			return dt_params[i];
	return NULL;
}

int dt_param_set(const char *name, const char *val)
{
	const struct kernel_param *kp = dt_param_find(name, strlen(name));

	return kp ? kp->ops->set(val, kp) : -ENOENT;
}

int dt_param_get(const char *name, char *buf, size_t size)
{
	const struct kernel_param *kp = dt_param_find(name, strlen(name));
	char page[PAGE_SIZE];
	int ret;

	if (!kp)
		return -ENOENT;
	/* A getter writes up to a page, as into sysfs's buffer. */
	ret = kp->ops->get(page, kp);
	if (ret >= 0)
		snprintf(buf, size, "%.*s", ret, page);
	return ret;
}

int param_get_bool(char *buffer, const struct kernel_param *kp)
{
	return sprintf(buffer, "%c\n", *(bool *)kp->arg ? 'Y' : 'N');
}

int param_get_uint(char *buffer, const struct kernel_param *kp)
{
	return snprintf(buffer, PAGE_SIZE, "%u\n", *(unsigned int *)kp->arg);
}

bool dt_boot_param(const char *param)
{
	const struct kernel_param *kp;
	const char *eq = strchr(param, '=');
	char buf[256];
	size_t len;
	unsigned int i;
	int ret;

	/* As parse_args(): a parameter's name first, then __setup()s. */
	kp = dt_param_find(param, eq ? (size_t)(eq - param) : strlen(param));
	if (kp) {
		ret = kp->ops->set(eq ? eq + 1 : NULL, kp);
		if (ret)
			pr_err("%s: '%s' invalid for parameter '%s'\n", __func__,
			       eq ? eq + 1 : "", kp->name);
		return true;
	}
	for (i = 0; i < dt_nr_setups; i++) {
		len = strlen(dt_setups[i].str);
		if (strncmp(param, dt_setups[i].str, len))
			continue;
		snprintf(buf, sizeof(buf), "%s", param + len);
		dt_setups[i].fn(buf);
		return true;
	}
	return false;
}

/* ---- modules ---- */

static pthread_mutex_t dt_module_lock = PTHREAD_MUTEX_INITIALIZER;
static struct notifier_block *dt_module_chain;

int register_module_notifier(struct notifier_block *nb)
{
	struct notifier_block **p;

	pthread_mutex_lock(&dt_module_lock);
	for (p = &dt_module_chain; *p && (*p)->priority >= nb->priority;
	     p = &(*p)->next)
		;
	nb->next = *p;
	*p = nb;
	pthread_mutex_unlock(&dt_module_lock);
	return 0;
}

int unregister_module_notifier(struct notifier_block *nb)
{
	struct notifier_block **p;

	pthread_mutex_lock(&dt_module_lock);
	for (p = &dt_module_chain; *p; p = &(*p)->next) {
		if (*p == nb) {
			*p = nb->next;
			break;
		}
	}
	pthread_mutex_unlock(&dt_module_lock);
	return 0;
}

void dt_module_going(struct module *mod)
{
	struct notifier_block *nb;

	mod->state = MODULE_STATE_GOING;
	pthread_mutex_lock(&dt_module_lock);
	for (nb = dt_module_chain; nb; nb = nb->next)
		if (nb->notifier_call(nb, MODULE_STATE_GOING, mod) & NOTIFY_STOP_MASK)
			break;
	pthread_mutex_unlock(&dt_module_lock);
}

/* No module of the harness is ever "loaded" at an address. */
struct module *__module_address(unsigned long addr)
{
	return NULL;
}

struct module *__module_text_address(unsigned long addr)
{
	return NULL;
}

bool is_module_text_address(unsigned long addr)
{
	return false;
}

bool try_module_get(struct module *mod)
{
	return true;
}

void module_put(struct module *mod)
{
}

/* ---- debugfs ---- */

struct dentry {
	char name[64];
	struct dentry *parent;
	void *data;
	const struct file_operations *fops;
	struct dentry *next;	/* all dentries */
};

static pthread_mutex_t dt_debugfs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dentry *dt_dentries;

static struct dentry *dt_debugfs_new(const char *name, struct dentry *parent,
				     void *data,
				     const struct file_operations *fops)
{
	struct dentry *d = calloc(1, sizeof(*d));

	if (!d)
		return ERR_PTR(-ENOMEM);
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->parent = parent;
	d->data = data;
	d->fops = fops;
	pthread_mutex_lock(&dt_debugfs_lock);
	d->next = dt_dentries;
	dt_dentries = d;
	pthread_mutex_unlock(&dt_debugfs_lock);
	return d;
}

struct dentry *debugfs_create_dir(const char *name, struct dentry *parent)
{
	return dt_debugfs_new(name, parent, NULL, NULL);
}

struct dentry *debugfs_create_file(const char *name, unsigned short mode,
				   struct dentry *parent, void *data,
				   const struct file_operations *fops)
{
	return dt_debugfs_new(name, parent, data, fops);
}

void debugfs_remove(struct dentry *dentry)
{
	struct dentry **p;

	if (IS_ERR_OR_NULL(dentry))
		return;
	pthread_mutex_lock(&dt_debugfs_lock);
	for (p = &dt_dentries; *p; p = &(*p)->next) {
		if (*p == dentry) {
			*p = dentry->next;
			break;
		}
	}
	pthread_mutex_unlock(&dt_debugfs_lock);
	free(dentry);
}

void debugfs_remove_recursive(struct dentry *dentry)
{
	debugfs_remove(dentry);
}

/* The dentry at "dir/name" (one level of directories is all we need). */
static struct dentry *dt_debugfs_lookup(const char *path)
{
	const char *slash = strchr(path, '/');
	struct dentry *d;

	for (d = dt_dentries; d; d = d->next) {
		if (!slash) {
			if (!d->parent && !strcmp(d->name, path))
				return d;
			continue;
		}
		if (d->parent && !strcmp(d->name, slash + 1) &&
		    strlen(d->parent->name) == (size_t)(slash - path) &&
		    !strncmp(d->parent->name, path, slash - path))
			return d;
	}
	return NULL;
}

bool dt_debugfs_exists(const char *path)
{
	bool found;

	pthread_mutex_lock(&dt_debugfs_lock);
	found = dt_debugfs_lookup(path);
	pthread_mutex_unlock(&dt_debugfs_lock);
	return found;
}

int dt_debugfs_read(const char *path, char *buf, size_t size)
{
	struct seq_file m = { .buf = buf, .size = size };
	struct dentry *d;
	int ret;

	pthread_mutex_lock(&dt_debugfs_lock);
	d = dt_debugfs_lookup(path);
	pthread_mutex_unlock(&dt_debugfs_lock);
	if (!d || !d->fops || !d->fops->dt_show)
		return -ENOENT;
	if (size)
		buf[0] = '\0';
	m.private = d->data;
	ret = d->fops->dt_show(&m, NULL);
	return ret ?: (int)m.count;
}

/* ---- seq_file ---- */

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = dt_vsnprintf(m->buf + m->count, m->size - m->count, fmt, ap);
	va_end(ap);
	m->count = min(m->count + n, m->size ? m->size - 1 : 0);
}

void seq_puts(struct seq_file *m, const char *s)
{
	seq_printf(m, "%s", s);
}

void seq_putc(struct seq_file *m, char c)
{
	seq_printf(m, "%c", c);
}

/* ---- perf_event_ksymbol() ---- */

long dt_ksym_registered;
unsigned long dt_ksym_events;
char dt_ksym_last[128];

void perf_event_ksymbol(u16 ksym_type, u64 addr, u32 len, bool unregister,
			const char *sym)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

	pthread_mutex_lock(&lock);
	dt_ksym_events++;
	dt_ksym_registered += unregister ? -1 : 1;
	snprintf(dt_ksym_last, sizeof(dt_ksym_last), "%s %s %#llx+%u",
		 unregister ? "del" : "add", sym, (unsigned long long)addr, len);
	pthread_mutex_unlock(&lock);
}
