// SPDX-License-Identifier: GPL-2.0
/*
 * Code memory for the harness: execmem, page permissions, text_poke, static
 * calls and "kernel text", with the properties the dispatcher relies on.
 *
 * - execmem: a pool within rel32 reach of the program's text, backed by a
 *   memfd.  Allocated memory is read-write and not executable;
 *   set_memory_rox() makes it read-only and executable; text_poke_copy()
 *   writes it through a read-write (never executable) alias mapping of the
 *   memfd, as the kernel writes text through an alias in a temporary mm.
 *   text_poke_set() fills it the same way.  No mapping is ever writable
 *   and executable at once.  Freed memory becomes inaccessible and is
 *   reused only after the allocator has gone round the whole pool, so that
 *   a thread executing freed memory faults at once.  The architecture's
 *   images come out of packs, one execmem allocation each
 *   (lib/dispatcher/pack.c): a freed image's slot is filled with int3 and
 *   may be reused at once, so a thread executing it traps only until then.
 *
 * - Static calls: the trampolines (see <linux/static_call.h>) are remapped
 *   at start-up onto a memfd with the same contents, so that they too can be
 *   rewritten through a writable alias while other threads run them.  An update
 *   follows text_poke_bp(): int3 on the first byte, then the rest of the
 *   new jump, then its first byte, with every CPU serialised in between
 *   (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE), the userspace
 *   text_poke_sync()).  A thread that meets the int3 traps into a SIGTRAP
 *   handler which, as poke_int3_handler() does, emulates the jump to the
 *   trampoline's current target.  Inline call sites, which only the
 *   benchmark has (written in assembly, recorded in dt_static_call_sites,
 *   see <linux/static_call.h>), live in pages remapped the same way; an
 *   update rewrites the "call rel32" of each site of the key in the same
 *   batch as the trampoline, as the kernel's __static_call_update() does
 *   with the sites objtool recorded, and the handler emulates a call there.
 *
 * - Kernel text: the program's text segment, the code a test creates with
 *   dt_text_create(), near the pool or far from it, and the dispatcher
 *   images, which kernel_text_address() finds with
 *   is_dispatcher_text_address() as kernel/extable.c does
 *   (patches/0002-extable-...).
 */
#include <fcntl.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <asm/text-patching.h>
#include <linux/cpufeature.h>
#include <linux/dispatcher.h>
#include <linux/execmem.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/set_memory.h>
#include <linux/static_call.h>

#include "dt_shim.h"
#include "shim.h"

/* The spectre_v2 mitigation of the machine this project measures on. */
unsigned long dt_cpu_caps = DT_CAP(X86_FEATURE_ALWAYS) |
			    DT_CAP(X86_FEATURE_RETPOLINE);

#define DT_POOL_SIZE	(64UL << 20)
#define DT_POOL_PAGES	(DT_POOL_SIZE >> PAGE_SHIFT)
#define DT_STUBS_SIZE	(32UL << 20)
#define DT_AREA_SIZE	(DT_POOL_SIZE + DT_STUBS_SIZE)
#define DT_REL32_REACH	BIT(31)
#define DT_MAX_RANGES	256

enum { DT_PAGE_FREE, DT_PAGE_RW, DT_PAGE_RX };

static pthread_mutex_t dt_text_lock = PTHREAD_MUTEX_INITIALIZER;
static u8 *dt_pool;		/* DT_POOL_SIZE, memfd-backed: execmem */
static u8 *dt_pool_alias;	/* the same memory, writable */
static int dt_pool_fd = -1;
static u8 *dt_stubs;		/* DT_STUBS_SIZE after it: near test code */
static size_t dt_stubs_used;
static unsigned long dt_pool_next;
static u8 dt_pool_state[DT_POOL_PAGES];
static u32 dt_pool_chunk[DT_POOL_PAGES];	/* pages of a chunk, at its start */
long dt_execmem_live;
unsigned long dt_execmem_allocs;
unsigned long dt_text_poke_sets;
unsigned long dt_text_poke_set_bytes;

static struct {
	unsigned long start, end;
} dt_ranges[DT_MAX_RANGES];
static unsigned int dt_nr_ranges;

static int dt_membarrier_cmd;
static pthread_mutex_t dt_sct_lock = PTHREAD_MUTEX_INITIALIZER;
static u8 *dt_sct_base;		/* the trampolines' pages, memfd-backed */
static u8 *dt_sct_alias;	/* the same memory, writable */
static size_t dt_sct_span;
static void **dt_sct_target;	/* current target of each trampoline */
static size_t dt_sct_nr;
/* Inline call sites: the text they are in, and each site's key and target. */
static u8 *dt_scs_base;
static u8 *dt_scs_alias;
static struct {
	u8 *insn;			/* the call rel32 */
	struct static_call_key *key;
	void *target;			/* what it calls */
} *dt_scs;
static size_t dt_scs_nr;
unsigned long dt_sct_int3_hits;
unsigned long dt_sct_updates;

/* A system call the harness cannot do without failed. */
static void dt_die(const char *what)
{
	fprintf(stderr, "dt: %s: %m\n", what);
	abort();
}

static int dt_membarrier(int cmd)
{
	return syscall(__NR_membarrier, cmd, 0, 0);
}

/* Serialise every thread of the process, as text_poke_sync() does CPUs. */
static void dt_sync_core(void)
{
	if (!dt_membarrier_cmd || dt_membarrier(dt_membarrier_cmd))
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void text_poke_sync(void)
{
	dt_sync_core();
}

static unsigned long dt_distance(unsigned long a, unsigned long b)
{
	return a > b ? a - b : b - a;
}

/* Can code in [a, a + alen) jump to any of [b, b + blen) with a rel32? */
static bool dt_in_reach(unsigned long a, size_t alen, unsigned long b,
			size_t blen)
{
	unsigned long far = max(dt_distance(a, b + blen), dt_distance(a + alen, b));

	return far < DT_REL32_REACH - PAGE_SIZE;
}

/* Reserve the pool and the near stubs within reach of our text. */
static void dt_pool_init(void)
{
	unsigned long text = (unsigned long)__executable_start;
	size_t text_len = (unsigned long)etext - text;
	unsigned long hint;
	void *p;
	int i;

	for (i = 0; i < 16; i++) {
		unsigned long step = (i / 2 + 1) * (128UL << 20);

		if (i % 2)
			hint = PAGE_ALIGN(text + text_len + step);
		else if (text > step + DT_AREA_SIZE)
			hint = (text - step - DT_AREA_SIZE) & PAGE_MASK;
		else
			continue;
		p = mmap((void *)hint, DT_AREA_SIZE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			continue;
		if (dt_in_reach(text, text_len, (unsigned long)p, DT_AREA_SIZE))
			break;
		munmap(p, DT_AREA_SIZE);
		p = MAP_FAILED;
	}
	if (p == MAP_FAILED) {
		fprintf(stderr, "dt: no room for execmem within reach of %p\n",
			__executable_start);
		abort();
	}
	dt_pool_fd = memfd_create("dt_execmem", MFD_CLOEXEC);
	if (dt_pool_fd < 0 || ftruncate(dt_pool_fd, DT_POOL_SIZE))
		dt_die("memfd for execmem");
	dt_pool = mmap(p, DT_POOL_SIZE, PROT_NONE, MAP_SHARED | MAP_FIXED,
		       dt_pool_fd, 0);
	if (dt_pool != p)
		dt_die("mmap of execmem");
	dt_pool_alias = mmap(NULL, DT_POOL_SIZE, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_NORESERVE, dt_pool_fd, 0);
	if (dt_pool_alias == MAP_FAILED)
		dt_die("alias of execmem");
	dt_stubs = dt_pool + DT_POOL_SIZE;
}

bool dt_in_execmem(const void *addr)
{
	return (const u8 *)addr >= dt_pool &&
	       (const u8 *)addr < dt_pool + DT_POOL_SIZE;
}

/* Can [@addr, @addr + @len) of the pool be read (allocated, not freed)? */
bool dt_execmem_readable(const void *addr, size_t len)
{
	unsigned long i, first, last;
	bool ok = true;

	if (!len || !dt_in_execmem(addr) ||
	    !dt_in_execmem((const u8 *)addr + len - 1))
		return false;
	first = ((const u8 *)addr - dt_pool) / PAGE_SIZE;
	last = ((const u8 *)addr + len - 1 - dt_pool) / PAGE_SIZE;
	pthread_mutex_lock(&dt_text_lock);
	for (i = first; i <= last && ok; i++)
		ok = dt_pool_state[i] != DT_PAGE_FREE;
	pthread_mutex_unlock(&dt_text_lock);
	return ok;
}

void *execmem_alloc(enum execmem_type type, size_t size)
{
	unsigned long pages = DIV_ROUND_UP(size, PAGE_SIZE), run = 0, i, n;
	void *p;

	if (!size || pages > DT_POOL_PAGES || dt_alloc_should_fail())
		return NULL;
	pthread_mutex_lock(&dt_text_lock);
	/* Next fit: a freed range is reused only after one round. */
	for (n = 0, i = dt_pool_next; n < DT_POOL_PAGES + pages; n++, i++) {
		if (i == DT_POOL_PAGES) {
			i = 0;
			run = 0;
		}
		run = dt_pool_state[i] == DT_PAGE_FREE ? run + 1 : 0;
		if (run == pages)
			break;
	}
	if (run != pages) {
		pthread_mutex_unlock(&dt_text_lock);
		return NULL;
	}
	i -= pages - 1;
	p = dt_pool + i * PAGE_SIZE;
	if (mprotect(p, pages * PAGE_SIZE, PROT_READ | PROT_WRITE))
		dt_die("mprotect of new execmem");
	memset(dt_pool_state + i, DT_PAGE_RW, pages);
	dt_pool_chunk[i] = pages;
	dt_pool_next = i + pages;
	dt_execmem_live++;
	dt_execmem_allocs++;
	pthread_mutex_unlock(&dt_text_lock);
	return p;
}

void execmem_free(void *ptr)
{
	unsigned long i = ((u8 *)ptr - dt_pool) / PAGE_SIZE, pages;

	if (!ptr)
		return;
	pthread_mutex_lock(&dt_text_lock);
	if (!dt_in_execmem(ptr) || offset_in_page(ptr) || !dt_pool_chunk[i])
		dt_bug(__FILE__, __LINE__, "freeing execmem that was not allocated");
	pages = dt_pool_chunk[i];
	if (mprotect(ptr, pages * PAGE_SIZE, PROT_NONE))
		dt_die("mprotect of freed execmem");
	memset(dt_pool_state + i, DT_PAGE_FREE, pages);
	dt_pool_chunk[i] = 0;
	dt_execmem_live--;
	pthread_mutex_unlock(&dt_text_lock);
}

static int dt_set_memory(unsigned long addr, int numpages, int prot)
{
	unsigned long i = (addr - (unsigned long)dt_pool) / PAGE_SIZE, n;

	if (!dt_in_execmem((void *)addr) || offset_in_page(addr) ||
	    i + numpages > DT_POOL_PAGES)
		return -EINVAL;
	for (n = 0; n < numpages; n++)
		if (dt_pool_state[i + n] == DT_PAGE_FREE)
			return -EINVAL;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EINVAL;		/* never W+X */
	if (mprotect((void *)addr, numpages * PAGE_SIZE, prot))
		return -errno;
	memset(dt_pool_state + i, prot & PROT_EXEC ? DT_PAGE_RX : DT_PAGE_RW,
	       numpages);
	return 0;
}

int set_memory_rox(unsigned long addr, int numpages)
{
	return dt_set_memory(addr, numpages, PROT_READ | PROT_EXEC);
}

int set_memory_x(unsigned long addr, int numpages)
{
	return dt_set_memory(addr, numpages, PROT_READ | PROT_EXEC);
}

int set_memory_ro(unsigned long addr, int numpages)
{
	return dt_set_memory(addr, numpages, PROT_READ);
}

int set_memory_rw(unsigned long addr, int numpages)
{
	return dt_set_memory(addr, numpages, PROT_READ | PROT_WRITE);
}

int set_memory_nx(unsigned long addr, int numpages)
{
	return dt_set_memory(addr, numpages, PROT_READ);
}

/*
 * Run @fn on the writable alias of [@addr, @addr + @len), which lies in the
 * memfd mapped (executable) at @base and (writable) at @alias.  A
 * temporary alias per write, as the kernel's text_poke() uses a temporary
 * mm, would be closer still, but its TLB flushes made the random test ten
 * times slower; both mappings are never writable and executable at once.
 */
static void dt_poke_alias(u8 *alias, u8 *base, void *addr, size_t len,
			  void (*fn)(u8 *dst, const void *arg, size_t len),
			  const void *arg)
{
	fn(alias + ((u8 *)addr - base), arg, len);
}

static void dt_copy(u8 *dst, const void *src, size_t len)
{
	memcpy(dst, src, len);
}

static void dt_fill(u8 *dst, const void *c, size_t len)
{
	memset(dst, *(const int *)c, len);
}

bool dt_fail_text_poke;

void *text_poke_copy(void *addr, const void *opcode, size_t len)
{
	if (!dt_in_execmem(addr) || !dt_in_execmem((u8 *)addr + len - 1))
		dt_bug(__FILE__, __LINE__, "copying code outside execmem");
	/* The kernel's fails, with a WARN, for core kernel text only. */
	if (WARN_ON_ONCE(__atomic_exchange_n(&dt_fail_text_poke, false,
					     __ATOMIC_RELAXED)))
		return NULL;
	dt_poke_alias(dt_pool_alias, dt_pool, addr, len, dt_copy, opcode);
	return addr;
}

void *text_poke(void *addr, const void *opcode, size_t len)
{
	return text_poke_copy(addr, opcode, len);
}

void *text_poke_set(void *addr, int c, size_t len)
{
	if (!dt_in_execmem(addr) || !dt_in_execmem((u8 *)addr + len - 1))
		dt_bug(__FILE__, __LINE__, "filling code outside execmem");
	if (!dt_execmem_readable(addr, len))
		dt_bug(__FILE__, __LINE__, "filling execmem that is not allocated");
	dt_poke_alias(dt_pool_alias, dt_pool, addr, len, dt_fill, &c);
	__atomic_add_fetch(&dt_text_poke_sets, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&dt_text_poke_set_bytes, len, __ATOMIC_RELAXED);
	return addr;
}

/* ---- static calls ---- */

static void dt_sct_trap(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	/* int3 traps: the saved RIP is the byte after it. */
	unsigned long ip = uc->uc_mcontext.gregs[REG_RIP] - 1;
	unsigned long off = ip - (unsigned long)__start_dt_static_call;
	size_t i;

	if (dt_sct_target && ip >= (unsigned long)__start_dt_static_call &&
	    off / DT_STATIC_CALL_TRAMP_SIZE < dt_sct_nr &&
	    !(off % DT_STATIC_CALL_TRAMP_SIZE)) {
		/* A trampoline being patched: emulate its new jump. */
		uc->uc_mcontext.gregs[REG_RIP] = (unsigned long)
			__atomic_load_n(&dt_sct_target[off / DT_STATIC_CALL_TRAMP_SIZE],
					__ATOMIC_ACQUIRE);
		__atomic_add_fetch(&dt_sct_int3_hits, 1, __ATOMIC_RELAXED);
		return;
	}
	for (i = 0; i < dt_scs_nr; i++) {
		if (ip != (unsigned long)dt_scs[i].insn)
			continue;
		/*
		 * A call site being patched: emulate the call, as
		 * int3_emulate_call() does.  The return address goes below the
		 * interrupted %rsp, where the call would have put it; the
		 * signal frame lies below the red zone, further down.
		 */
		uc->uc_mcontext.gregs[REG_RSP] -= sizeof(long);
		*(unsigned long *)uc->uc_mcontext.gregs[REG_RSP] = ip + CALL_INSN_SIZE;
		uc->uc_mcontext.gregs[REG_RIP] = (unsigned long)
			__atomic_load_n(&dt_scs[i].target, __ATOMIC_ACQUIRE);
		__atomic_add_fetch(&dt_sct_int3_hits, 1, __ATOMIC_RELAXED);
		return;
	}
	/* Any other int3 is a real trap: die of it. */
	signal(SIGTRAP, SIG_DFL);
	raise(SIGTRAP);
}

/*
 * Give the text of [@start, @stop) a memfd with the same bytes at the same
 * address, so that it can be written through the writable alias returned.
 */
static u8 *dt_remap_text(u8 *start, u8 *stop, u8 **basep)
{
	u8 *base = (u8 *)((unsigned long)start & PAGE_MASK), *alias;
	size_t span = PAGE_ALIGN((unsigned long)stop) - (unsigned long)base;
	int fd = memfd_create("dt_static_call", MFD_CLOEXEC);

	if (fd < 0 || pwrite(fd, base, span, 0) != (ssize_t)span)
		dt_die("memfd for static calls");
	if (mmap(base, span, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED,
		 fd, 0) != base)
		dt_die("remapping static calls");
	alias = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (alias == MAP_FAILED)
		dt_die("alias of static calls");
	close(fd);
	*basep = base;
	return alias;
}

static void dt_poke_byte(u8 *dst, const void *b, size_t len);
static void dt_sct_patch(u8 *tramp, size_t nr_sites, const size_t *sites,
			 void *func);

/* The inline call sites, if the program has any (the benchmark). */
static void dt_static_call_sites_init(void)
{
	const struct dt_static_call_site *site, *end;
	size_t i;

	site = (const void *)__start_dt_static_call_sites;
	end = (const void *)__stop_dt_static_call_sites;
	if (!site || site == end)
		return;
	dt_scs_nr = end - site;
	dt_scs = calloc(dt_scs_nr, sizeof(*dt_scs));
	if (!dt_scs)
		dt_die("static call sites");
	for (i = 0; i < dt_scs_nr; i++, site++) {
		dt_scs[i].insn = (u8 *)&site->addr + site->addr;
		dt_scs[i].key = (void *)((u8 *)&site->key + site->key);
		if (dt_scs[i].insn < (u8 *)__start_dt_static_call_text ||
		    dt_scs[i].insn + CALL_INSN_SIZE > (u8 *)__stop_dt_static_call_text ||
		    dt_scs[i].insn[0] != CALL_INSN_OPCODE)
			dt_bug(__FILE__, __LINE__, "not a static call site");
	}
	if (dt_sct_base &&
	    (u8 *)__start_dt_static_call_text < dt_sct_base + dt_sct_span &&
	    (u8 *)__stop_dt_static_call_text > dt_sct_base)
		dt_bug(__FILE__, __LINE__, "call sites share a page with trampolines");
	dt_scs_alias = dt_remap_text((u8 *)__start_dt_static_call_text,
				     (u8 *)__stop_dt_static_call_text,
				     &dt_scs_base);
	/* As static_call_init(): each site calls its key's function. */
	for (i = 0; i < dt_scs_nr; i++)
		dt_sct_patch(NULL, 1, &i, READ_ONCE(dt_scs[i].key->func));
}

static void dt_static_call_init(void)
{
	u8 *start = (u8 *)__start_dt_static_call;
	u8 *stop = (u8 *)__stop_dt_static_call;
	struct sigaction sa = {
		.sa_sigaction = dt_sct_trap,
		.sa_flags = SA_SIGINFO | SA_RESTART,
	};
	size_t i;
	s32 rel;

	if (!start || start == stop)
		return;
	if ((stop - start) % DT_STATIC_CALL_TRAMP_SIZE)
		dt_bug(__FILE__, __LINE__, "static call trampolines misaligned");
	dt_sct_nr = (stop - start) / DT_STATIC_CALL_TRAMP_SIZE;
	dt_sct_target = calloc(dt_sct_nr, sizeof(*dt_sct_target));
	if (!dt_sct_target)
		dt_die("static call table");
	for (i = 0; i < dt_sct_nr; i++) {
		u8 *t = start + i * DT_STATIC_CALL_TRAMP_SIZE;

		memcpy(&rel, t + 1, sizeof(rel));
		dt_sct_target[i] = t + JMP32_INSN_SIZE + rel;
	}

	/* Same bytes, same address, now in a memfd we can alias. */
	dt_sct_span = PAGE_ALIGN((unsigned long)stop) -
		      ((unsigned long)start & PAGE_MASK);
	dt_sct_alias = dt_remap_text(start, stop, &dt_sct_base);
	if (sigaction(SIGTRAP, &sa, NULL))
		dt_die("sigaction");
	dt_static_call_sites_init();
}

static void dt_poke_byte(u8 *dst, const void *b, size_t len)
{
	__atomic_store_n(dst, *(const u8 *)b, __ATOMIC_SEQ_CST);
}

/*
 * Make the trampoline @tramp (if not NULL) jump, and the call sites
 * dt_scs[@sites[0..@nr_sites)] call, to @func, while other threads may run
 * them: text_poke_bp_batch()'s int3 on every first byte, the tails, then
 * the first bytes, with every CPU serialised between the steps.
 */
static void dt_sct_patch(u8 *tramp, size_t nr_sites, const size_t *sites,
			 void *func)
{
	u8 int3 = INT3_INSN_OPCODE, jmp = JMP32_INSN_OPCODE;
	u8 call = CALL_INSN_OPCODE;
	s32 rel32;
	long rel;
	size_t i;

	for (i = 0; i < nr_sites; i++) {
		u8 *insn = dt_scs[sites[i]].insn;

		rel = (long)((u8 *)func - (insn + CALL_INSN_SIZE));
		if (rel != (s32)rel)
			dt_bug(__FILE__, __LINE__, "static call target out of reach");
		__atomic_store_n(&dt_scs[sites[i]].target, func, __ATOMIC_RELEASE);
		dt_poke_alias(dt_scs_alias, dt_scs_base, insn, 1, dt_poke_byte, &int3);
	}
	if (tramp)
		dt_poke_alias(dt_sct_alias, dt_sct_base, tramp, 1, dt_poke_byte,
			      &int3);
	dt_sync_core();
	for (i = 0; i < nr_sites; i++) {
		u8 *insn = dt_scs[sites[i]].insn;

		rel32 = (u8 *)func - (insn + CALL_INSN_SIZE);
		dt_poke_alias(dt_scs_alias, dt_scs_base, insn + 1, sizeof(rel32),
			      dt_copy, &rel32);
	}
	if (tramp) {
		rel32 = (u8 *)func - (tramp + JMP32_INSN_SIZE);
		dt_poke_alias(dt_sct_alias, dt_sct_base, tramp + 1, sizeof(rel32),
			      dt_copy, &rel32);
	}
	dt_sync_core();
	for (i = 0; i < nr_sites; i++)
		dt_poke_alias(dt_scs_alias, dt_scs_base, dt_scs[sites[i]].insn, 1,
			      dt_poke_byte, &call);
	if (tramp)
		dt_poke_alias(dt_sct_alias, dt_sct_base, tramp, 1, dt_poke_byte,
			      &jmp);
	dt_sync_core();
}

void __static_call_update(struct static_call_key *key, void *tramp, void *func)
{
	u8 *t = tramp;
	size_t i = (t - (u8 *)__start_dt_static_call) / DT_STATIC_CALL_TRAMP_SIZE;
	size_t sites[8], nr_sites = 0, k;
	long rel = (long)((u8 *)func - (t + JMP32_INSN_SIZE));

	WRITE_ONCE(key->func, func);
	if (!tramp)
		return;
	if (!dt_sct_target || t < (u8 *)__start_dt_static_call || i >= dt_sct_nr)
		dt_bug(__FILE__, __LINE__, "not a static call trampoline");
	if (rel != (s32)rel)
		dt_bug(__FILE__, __LINE__, "static call target out of reach");

	pthread_mutex_lock(&dt_sct_lock);
	for (k = 0; k < dt_scs_nr; k++) {
		if (dt_scs[k].key != key)
			continue;
		if (nr_sites == ARRAY_SIZE(sites))
			dt_bug(__FILE__, __LINE__, "too many sites for one key");
		sites[nr_sites++] = k;
	}
	__atomic_store_n(&dt_sct_target[i], func, __ATOMIC_RELEASE);
	dt_sct_patch(t, nr_sites, sites, func);
	dt_sct_updates++;
	pthread_mutex_unlock(&dt_sct_lock);
}

/* ---- kernel text ---- */

static bool dt_in_ranges(unsigned long addr)
{
	bool found = false;
	unsigned int i;

	pthread_mutex_lock(&dt_text_lock);
	for (i = 0; i < dt_nr_ranges && !found; i++)
		found = addr >= dt_ranges[i].start && addr < dt_ranges[i].end;
	pthread_mutex_unlock(&dt_text_lock);
	return found;
}

int core_kernel_text(unsigned long addr)
{
	return addr >= (unsigned long)__executable_start &&
	       addr < (unsigned long)etext;
}

/* As kernel/extable.c, which asks lib/dispatcher about its images. */
int kernel_text_address(unsigned long addr)
{
	return core_kernel_text(addr) || dt_in_ranges(addr) ||
	       is_dispatcher_text_address(addr);
}

int __kernel_text_address(unsigned long addr)
{
	return kernel_text_address(addr);
}

unsigned long kallsyms_lookup_name(const char *name)
{
	return 0;
}

/* Far: at least 4 GB from every byte of the pool and the near stubs. */
static bool dt_far(unsigned long p, size_t len)
{
	unsigned long area = (unsigned long)dt_pool;

	return dt_distance(p, area) > (4UL << 30) + DT_AREA_SIZE &&
	       dt_distance(p + len, area) > (4UL << 30) + DT_AREA_SIZE;
}

void *dt_text_create(const void *code, size_t len, enum dt_text_where where)
{
	size_t size = PAGE_ALIGN(len);
	unsigned long hint = 0x7e0000000000UL;
	u8 *p = NULL;
	int i;

	if (where == DT_TEXT_NEAR) {
		pthread_mutex_lock(&dt_text_lock);
		if (dt_stubs_used + size <= DT_STUBS_SIZE) {
			p = dt_stubs + dt_stubs_used;
			dt_stubs_used += size;
		}
		pthread_mutex_unlock(&dt_text_lock);
		if (!p || mprotect(p, size, PROT_READ | PROT_WRITE))
			return NULL;
	} else {
		for (i = 0; i < 8 && !p; i++, hint -= 1UL << 36) {
			p = mmap(i ? (void *)hint : NULL, size,
				 PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED) {
				p = NULL;
			} else if (!dt_far((unsigned long)p, size)) {
				munmap(p, size);
				p = NULL;
			}
		}
		if (!p)
			return NULL;
	}
	memset(p, INT3_INSN_OPCODE, size);
	memcpy(p, code, len);
	if (mprotect(p, size, PROT_READ | PROT_EXEC))
		dt_die("mprotect of new text");

	pthread_mutex_lock(&dt_text_lock);
	if (dt_nr_ranges == DT_MAX_RANGES)
		dt_bug(__FILE__, __LINE__, "too many text ranges");
	dt_ranges[dt_nr_ranges].start = (unsigned long)p;
	dt_ranges[dt_nr_ranges].end = (unsigned long)p + len;
	dt_nr_ranges++;
	pthread_mutex_unlock(&dt_text_lock);
	return p;
}

void dt_text_destroy(void *text, size_t len)
{
	unsigned int i;

	pthread_mutex_lock(&dt_text_lock);
	for (i = 0; i < dt_nr_ranges; i++) {
		if (dt_ranges[i].start != (unsigned long)text)
			continue;
		dt_ranges[i] = dt_ranges[--dt_nr_ranges];
		break;
	}
	pthread_mutex_unlock(&dt_text_lock);
	/* The range stays reserved: a stale jump into it faults. */
	if (mprotect(text, PAGE_ALIGN(len), PROT_NONE))
		dt_die("mprotect of freed text");
}

/* The permissions of the mapping at @addr in /proc/self/maps, or "". */
static void dt_maps_perms(const void *addr, char perms[5])
{
	unsigned long start, end, a = (unsigned long)addr;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	perms[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) == 3 &&
		    a >= start && a < end)
			break;
		perms[0] = '\0';
	}
	fclose(f);
}

bool dt_text_executable(const void *addr)
{
	char perms[5];

	dt_maps_perms(addr, perms);
	return perms[0] && perms[2] == 'x';
}

bool dt_text_accessible(const void *addr)
{
	char perms[5];

	dt_maps_perms(addr, perms);
	return perms[0] && (perms[0] == 'r' || perms[1] == 'w' ||
			    perms[2] == 'x');
}

int dt_count_wx_mappings(char *first, size_t size)
{
	char line[512], perms[5];
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*x-%*x %4s", perms) != 1 ||
		    perms[1] != 'w' || perms[2] != 'x')
			continue;
		if (!n++ && first)
			snprintf(first, size, "%s", line);
	}
	fclose(f);
	return n;
}

static void __attribute__((__constructor__(101))) dt_text_init(void)
{
	/*
	 * Serialising every thread needs membarrier()'s SYNC_CORE; plain
	 * expedited barriers are second best.  valgrind knows neither, and
	 * runs one thread at a time anyway.
	 */
	if (!getenv("DT_NO_MEMBARRIER")) {
		if (!dt_membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE))
			dt_membarrier_cmd = MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE;
		else if (!dt_membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED))
			dt_membarrier_cmd = MEMBARRIER_CMD_PRIVATE_EXPEDITED;
	}
	dt_pool_init();
	dt_static_call_init();
}
