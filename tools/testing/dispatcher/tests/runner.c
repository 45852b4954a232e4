// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's test runner.
 *
 *	harness [--list] [--filter GLOB] [--run NAME]
 *
 * Without --run it runs every case (matching GLOB) in a child process of
 * its own (this program again, with --run), prints "ok   NAME",
 * "FAIL NAME" or "skip NAME" for each and then "N passed, N failed, N
 * skipped"; it exits non-zero if a case failed.  A case that runs for more
 * than DT_TIMEOUT seconds (default 300) fails.
 */
#include <fnmatch.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

#define DT_EXIT_SKIP	77

static struct dt_test *dt_tests, **dt_tests_tail = &dt_tests;
unsigned int dt_failures;
unsigned long dt_warnings_expected;

void dt_test_register(struct dt_test *t)
{
	*dt_tests_tail = t;
	dt_tests_tail = &t->next;
}

void dt_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	dt_failures++;
	fprintf(stderr, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void dt_abort(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (fatal)\n");
	exit(1);
}

void dt_skip(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "    skipped: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(NULL);
	/* Whatever the case had allocated is not a leak: skip the check. */
	_exit(dt_failures ? 1 : DT_EXIT_SKIP);
}

void dt_info(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "    ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

unsigned long dt_env(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : def;
}

/*
 * The harness's kernel command line.  Learned layouts are off: most cases
 * check the image each update builds, the balanced tree over the
 * registered targets, which learning would put off until a window closes;
 * the learning cases turn it on (dispatcher_tunable()).
 */
static const char *const dt_cmdline[] = {
	"dispatcher.learn=0",
};

static int dt_run_one(struct dt_test *t)
{
	unsigned int i;

	alarm(dt_env("DT_TIMEOUT", 300));
	for (i = 0; i < ARRAY_SIZE(dt_cmdline); i++)
		if (!dt_boot_param(dt_cmdline[i]))
			dt_abort(__FILE__, __LINE__, "no parameter %s", dt_cmdline[i]);
	if (!(t->flags & DT_NO_INITCALLS))
		dt_do_initcalls(DT_INITCALL_LATE);
	t->fn();
	if (dt_warnings != dt_warnings_expected) {
		dt_failures++;
		fprintf(stderr, "    %lu unexpected WARN(s)\n",
			dt_warnings - dt_warnings_expected);
	}
	fflush(NULL);
	return dt_failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *filter = "*", *run = NULL;
	unsigned int pass = 0, fail = 0, skip = 0;
	struct dt_test *t;
	bool list = false;
	int i, status;
	pid_t pid;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--list")) {
			list = true;
		} else if (!strcmp(argv[i], "--filter") && i + 1 < argc) {
			filter = argv[++i];
		} else if (!strcmp(argv[i], "--run") && i + 1 < argc) {
			run = argv[++i];
		} else {
			fprintf(stderr, "usage: %s [--list] [--filter GLOB] [--run NAME]\n",
				argv[0]);
			return 2;
		}
	}

	if (run) {
		for (t = dt_tests; t; t = t->next)
			if (!strcmp(t->name, run))
				return dt_run_one(t);
		fprintf(stderr, "no test case %s\n", run);
		return 2;
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (t = dt_tests; t; t = t->next) {
		char *const args[] = { argv[0], "--run", (char *)t->name, NULL };

		if (fnmatch(filter, t->name, 0))
			continue;
		if (list) {
			printf("%s\n", t->name);
			continue;
		}
		fprintf(stderr, "=== %s\n", t->name);
		if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ) ||
		    waitpid(pid, &status, 0) != pid) {
			perror("spawn");
			return 2;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			pass++;
			printf("ok   %s\n", t->name);
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == DT_EXIT_SKIP) {
			skip++;
			printf("skip %s\n", t->name);
		} else {
			fail++;
			if (WIFSIGNALED(status))
				fprintf(stderr, "    killed by signal %d (%s)\n",
					WTERMSIG(status), strsignal(WTERMSIG(status)));
			else
				fprintf(stderr, "    exit status %d\n",
					WEXITSTATUS(status));
			printf("FAIL %s\n", t->name);
		}
	}
	if (!list)
		printf("%u passed, %u failed, %u skipped\n", pass, fail, skip);
	return fail ? 1 : 0;
}
