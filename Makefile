# SPDX-License-Identifier: GPL-2.0-only
#
# Overlay of the generic dispatcher on a Linux tree.  See README.md.
#
#   make run                boot the patched kernel in QEMU; ip and tc attach
#                           XDP and TC code through the dispatchers (RUN_SHELL=1:
#                           a shell afterwards)
#   make check              install what is missing, assemble, run every test
#   make check-cfi          the KUnit suites on x86_64 built with clang kCFI
#   make tree               assemble build/src only
#   make patches            the patch series for posting, in build/series/
#                           (From/Signed-off-by: your git user.name/email)
#   make series-check       git am the series patch by patch: checkpatch and
#                           W=1 builds (x86_64, UML) of every prefix, KUnit
#   make kunit [FILTER=x]   the UML KUnit suites only (FILTER: suite glob)
#   make harness            the userspace harness (tools/testing/dispatcher)
#   make bench              the userspace benchmark, on this host's CPU
#   make KDIR=/path ...     use your tree instead of Debian's linux-source-6.12
#
# Everything is built under build/ and kept between runs.

export KDIR FILTER RUN_SHELL RUN_TIMEOUT RUN_APPEND

.PHONY: run check check-cfi tree patches series-check kunit harness bench deps clean help

run:
	@mk/run.sh

check:
	@mk/check.sh

check-cfi:
	@mk/check-cfi.sh

tree: deps
	@mk/assemble.sh

patches: deps
	@mk/series.sh

series-check: deps
	@mk/series-check.sh

kunit: tree
	@mk/kunit.sh

harness:
	@mk/harness.sh

bench:
	@mk/bench.sh

deps:
	@mk/deps.sh

clean:
	rm -rf build

help:
	@sed -n '3,20p' Makefile
