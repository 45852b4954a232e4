#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make run: boot the patched x86_64 kernel in QEMU with an initramfs made
# of Debian's busybox-static and iproute2, and run the scenario of
# tools/testing/dispatcher/vm/init: ip attaches an XDP program (built here
# with clang from xdp_ttl.c), tc adds flower filters with gact and mirred
# actions, and the dispatchers' debugfs files show the targets come and go.
#
#   mk/run.sh          build what is missing, boot, show the scenario
#   mk/run.sh --check  the same without a terminal (make check): writes
#                      "<passed> <failed>" to build/logs/run.count
#
# The kernel is the QEMU KUnit tier's (build/kunit-x86_64, built with the
# same kunitconfigs), booted with kunit.enable=0.  Environment:
#   RUN_SHELL=1     a shell in the VM after the scenario (no timeout)
#   RUN_APPEND=...  more kernel parameters (e.g. dispatcher=off)
#   RUN_TIMEOUT=s   stop the VM after s seconds (default 900)
#   RUN_INSTALL=0   do not apt-get install what is missing
#   QEMU=path       the emulator (default qemu-system-x86_64)
set -uo pipefail
. "$(dirname "$0")/lib.sh"
export PATH=$PATH:/usr/sbin:/sbin

mode=${1:-run}
qemu=${QEMU:-qemu-system-x86_64}
timeout_s=${RUN_TIMEOUT:-900}
kbuild=$build/kunit-x86_64
vm=$build/vm
root=$vm/root
vmsrc=$top/tools/testing/dispatcher/vm
log=$logs/run.log
count=$logs/run.count

# missing: one line per thing make run needs and does not have, with
# where to get it.
missing()
{
	command -v "$qemu" > /dev/null ||
		echo "$qemu: QEMU for x86_64 (Debian: apt-get install qemu-system-x86)"
	[ -f /usr/share/qemu/qboot.rom ] ||
		echo "qboot.rom: QEMU's firmware files (Debian: apt-get install qemu-system-data)"
	if [ -n "${KDIR:-}" ]; then
		[ -f "$KDIR/Makefile" ] ||
			echo "KDIR=$KDIR: not a kernel tree (give the top directory of a Linux 6.12 tree, or leave KDIR unset to use Debian's)"
	elif [ ! -f "$deb_tarball" ] && [ ! -f "$src/Makefile" ]; then
		echo "the base tree: Debian's linux-source-6.12 ($deb_tarball; apt-get install linux-source-6.12), or KDIR=/path/to/linux-6.12"
	fi
	dpkg-query -W -f='${Status}' busybox-static 2> /dev/null |
		grep -q 'install ok installed' ||
		echo "busybox-static: the VM's shell and tools (apt-get install busybox-static)"
	command -v ip > /dev/null && command -v tc > /dev/null ||
		echo "ip and tc: the VM's clients (apt-get install iproute2)"
	command -v clang > /dev/null ||
		echo "clang: compiles xdp_ttl.c for BPF (apt-get install clang)"
	[ -f /usr/include/linux/bpf.h ] ||
		echo "linux/bpf.h: headers for xdp_ttl.c (apt-get install linux-libc-dev)"
	[ -f /usr/include/bpf/bpf_helpers.h ] ||
		echo "bpf/bpf_helpers.h: headers for xdp_ttl.c (apt-get install libbpf-dev)"
	command -v depmod > /dev/null ||
		echo "depmod: modules.dep for the VM's modprobe (apt-get install kmod)"
}

preflight()
{
	local miss

	miss=$(missing)
	if [ -n "$miss" ] && [ "${RUN_INSTALL:-1}" = 1 ] &&
	   { [ "$(id -u)" = 0 ] || sudo -n true 2> /dev/null; }; then
		"$top/mk/deps.sh" >&2
		miss=$(missing)
	fi
	[ -z "$miss" ] && return 0

	{
		echo "make run cannot start. Missing:"
		echo "$miss" | sed 's/^/  - /'
		echo "As root, \"make deps\" installs the Debian packages."
	} >&2
	exit 2
}

# The kernel of "mk/kunit.sh x86_64", built with the same options, so the
# two share one build directory.
build_kernel()
{
	echo "== kernel: build/kunit-x86_64 (log: build/logs/run-build.log)"
	(cd "$src" && python3 tools/testing/kunit/kunit.py build \
		--arch=x86_64 "${kunitconfigs_x86_64[@]}" \
		--build_dir="$kbuild" --jobs="$jobs") \
		> "$logs/run-build.log" 2>&1 ||
		{ tail -n 20 "$logs/run-build.log"; die "kernel build failed"; }
}

# copy_with_libs BINARY: BINARY into /usr/sbin of the VM, with the
# shared libraries and loader it links.
copy_with_libs()
{
	local bin lib

	bin=$(command -v "$1") || die "no $1"
	install -D -m 0755 "$bin" "$root/usr/sbin/$1"
	for lib in $(ldd "$bin" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
		[ -f "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
	done
}

# The initramfs: busybox, iproute2, the modules, xdp_ttl.o and /init.  It
# is written by the kernel's own gen_init_cpio, which makes /dev/console
# without root.
build_initramfs()
{
	local rel list=$vm/initramfs.list f p

	echo "== initramfs: busybox-static, iproute2, modules, xdp_ttl.o (build/vm)"
	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,lib/dispatcher,proc,run,sys,tmp,usr/sbin}
	install -m 0755 /bin/busybox "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	copy_with_libs ip
	copy_with_libs tc
	install -m 0755 "$vmsrc/init" "$root/init"

	clang -O2 -g -Wall -Werror -target bpf \
		-I"/usr/include/$(gcc -print-multiarch)" \
		-c "$vmsrc/xdp_ttl.c" -o "$root/lib/dispatcher/xdp_ttl.o" ||
		die "clang could not build xdp_ttl.c"

	make -s -C "$kbuild" ARCH=x86_64 INSTALL_MOD_PATH="$root" \
		INSTALL_MOD_STRIP=1 modules_install > "$logs/run-modules.log" 2>&1 ||
		{ cat "$logs/run-modules.log"; die "modules_install failed"; }
	rel=$(make -s -C "$kbuild" ARCH=x86_64 kernelrelease)
	rm -f "$root/lib/modules/$rel/build"

	[ -x "$kbuild/usr/gen_init_cpio" ] ||
		make -s -C "$kbuild" ARCH=x86_64 usr/gen_init_cpio ||
		die "no usr/gen_init_cpio in $kbuild"
	{
		echo "nod /dev/console 0600 0 0 c 5 1"
		(cd "$root" && find . -mindepth 1 | sort) | while read -r f; do
			p=${f#.}
			if [ -L "$root$p" ]; then
				echo "slink $p $(readlink "$root$p") 0777 0 0"
			elif [ -d "$root$p" ]; then
				echo "dir $p 0755 0 0"
			else
				echo "file $p $root$p $(stat -c %a "$root$p") 0 0"
			fi
		done
	} > "$list"
	"$kbuild/usr/gen_init_cpio" "$list" > "$vm/initramfs.cpio" ||
		die "gen_init_cpio failed"
	echo "initramfs: $(du -h "$vm/initramfs.cpio" | cut -f1), kernel $rel"
}

boot()
{
	# A few pings close a learning window (tools/testing/dispatcher/vm/init).
	local append="console=ttyS0 kunit.enable=0 loglevel=5 panic=-1 dispatcher.learn_calls=16"
	local cmd

	[ "${RUN_SHELL:-0}" = 1 ] && append="$append dispatcher_shell=1"
	[ -n "${RUN_APPEND:-}" ] && append="$append $RUN_APPEND"
	# Learning windows open and close while packets (and the benchmark's
	# calls) flow, so static_call sites are patched while the other vCPU
	# runs them: single-threaded TCG, as for mk/kunit.sh x86_64-live, since
	# multi-threaded TCG takes a stray int3 there (dispatcher_kunit.h).
	cmd=("$qemu" -m 1024 -smp 2 -accel tcg,thread=single -nographic
	     -no-reboot -bios qboot.rom
	     -kernel "$kbuild/arch/x86/boot/bzImage"
	     -initrd "$vm/initramfs.cpio" -append "$append")

	echo "== boot: ${cmd[*]}"
	if [ "$mode" = --check ]; then
		timeout -k 10 "$timeout_s" "${cmd[@]}" < /dev/null 2>&1 |
			tr -d '\r' > "$log"
	else
		# QEMU reads the terminal, so it stays in the foreground.
		[ "${RUN_SHELL:-0}" = 1 ] ||
			cmd=(timeout --foreground "$timeout_s" "${cmd[@]}")
		"${cmd[@]}" 2>&1 | tee "$log.raw"
		tr -d '\r' < "$log.raw" > "$log"
	fi
}

# Count the steps the VM printed, and fail a scenario that did not end or
# a kernel report (KASAN, lockdep, a BUG or an oops) in the console log.
results()
{
	local p f last

	p=$(grep -cE '^PASS [a-z0-9-]+$' "$log")
	f=$(grep -cE '^FAIL [a-z0-9-]+$' "$log")
	if [ "$mode" = --check ]; then
		grep -E '^((PASS|FAIL) [a-z0-9-]+|NOT OK .*)$' "$log" |
			sed 's/^PASS/ok  /; s/^NOT OK/     NOT OK/'
	fi
	if ! grep -qE '^scenario: (PASS|FAIL)' "$log"; then
		last=$(grep -E '^== [a-z0-9-]+$' "$log" | tail -n 1)
		echo "FAIL scenario did not finish within ${timeout_s}s (last step started: ${last#== })"
		f=$((f + 1))
	fi
	# Not the scenario's own lines, which name the reports it looks for.
	if grep -vE '^(\$ |ok |NOT OK )' "$log" | grep -qE "$kernel_reports"; then
		echo "FAIL kernel report in build/logs/run.log:"
		grep -vE '^(\$ |ok |NOT OK )' "$log" |
			grep -E "$kernel_reports" | head -n 5
		f=$((f + 1))
	fi
	sed -n '/^dispatcher scenario:/,/^scenario: /p' "$log" > "$logs/run-transcript.txt"
	[ "$mode" = --check ] && grep -E '^scenario: ' "$log" | tail -n 1
	echo "$((p + pre_p)) $((f + pre_f))" > "$count"
	[ "$f" = 0 ]
}

# make check also checks that a make run which cannot start says why.
pre_p=0
pre_f=0
preflight_test()
{
	local what=$1 expect=$2 out rc
	shift 2

	out=$(env RUN_INSTALL=0 RUN_PREFLIGHT_ONLY=1 "$@" "$0" 2>&1)
	rc=$?
	if [ "$rc" = 2 ] && echo "$out" | grep -qF -- "$expect"; then
		pre_p=$((pre_p + 1))
		echo "ok   $what"
	else
		pre_f=$((pre_f + 1))
		echo "FAIL $what (exit $rc):"
		echo "$out" | sed 's/^/     /' | head -n 10
	fi
}

preflight
[ -n "${RUN_PREFLIGHT_ONLY:-}" ] && exit 0
echo "0 1" > "$count"
if [ "$mode" = --check ]; then
	preflight_test "make run without QEMU names the package" \
		"apt-get install qemu-system-x86" QEMU=/nonexistent/qemu-system-x86_64
	preflight_test "make run with a bad KDIR says so" \
		"KDIR=/nonexistent: not a kernel tree" KDIR=/nonexistent
fi
"$top/mk/assemble.sh" > "$logs/run-assemble.log" 2>&1 ||
	{ cat "$logs/run-assemble.log"; die "could not assemble build/src"; }
build_kernel
build_initramfs
boot
results
