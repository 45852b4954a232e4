#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make series-check: is every prefix of the series bisectable?  Generates
# the series (mk/series.sh --check), checks out the base commit in a work
# tree of its own (build/series-tree), builds it, then applies the patches
# one by one with git am and after each: checkpatch --strict on the patch,
# an incremental build with W=1 of the x86_64 KUnit configuration and of
# the UML one (the .configs of the final tree, each prefix taking what of
# them its Kconfig knows), counting the compiler warnings the prefix adds
# (a warning of a file not in the base build's log for that file).  After
# the last patch, the KUnit suites boot from those builds (UML, and x86_64
# in QEMU).  Prints one line per patch and the time taken.  Not part of
# make check: a run takes most of an hour on two cores (README).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
rm -f "$logs/series.count"
"$top/mk/series.sh" --check > "$logs/series-check-gen.log" 2>&1
read -r sp sf < "$logs/series.count" 2> /dev/null ||
	{ cat "$logs/series-check-gen.log"; die "mk/series.sh --check did not finish"; }
grep -E '^(ok|FAIL)' "$logs/series-check-gen.log"
series=$build/series-check
gitdir=$build/series.git
tree=$build/series-tree
sc=$build/series-check-logs
rm -rf "$sc"
mkdir -p "$sc"

# The final tree's .configs, from the kunitconfigs as kunit.py makes them.
for a in x86_64 um; do
	if [ $a = x86_64 ]; then
		args=(--arch=x86_64 "${kunitconfigs_x86_64[@]}")
	else
		args=("${kunitconfigs_um[@]}")
	fi
	mkdir -p "$build/series-$a"
	(cd "$src" && python3 tools/testing/kunit/kunit.py config "${args[@]}" \
		--build_dir="$build/series-$a") > "$sc/config-$a.log" 2>&1 ||
		{ tail -n 20 "$sc/config-$a.log"; die "kunit.py config ($a) failed"; }
	cp "$build/series-$a/.config" "$sc/final-$a.config"
done

# A work tree on the base commit, kept between runs (checking out the
# whole tree takes a minute): reset, not recreated.
if ! git --git-dir="$gitdir" worktree list | grep -q "^$tree "; then
	rm -rf "$tree"
	git --git-dir="$gitdir" worktree prune
	git --git-dir="$gitdir" worktree add -q --detach "$tree" refs/heads/base ||
		die "git worktree add $tree"
fi
(
	cd "$tree" &&
	{ git am --abort > /dev/null 2>&1; true; } &&
	git checkout -q -f --detach refs/heads/base &&
	git clean -q -f -d -x
) || die "resetting $tree"

# build <arch> <log>: the incremental W=1 build of the final .config.
build_one() {
	local a=$1 log=$2 o=$build/series-$1 make_arch=x86_64

	[ "$a" = um ] && make_arch=um
	cp "$sc/final-$a.config" "$o/.config"
	make -C "$tree" O="$o" ARCH=$make_arch olddefconfig > "$log" 2>&1 &&
	make -C "$tree" O="$o" ARCH=$make_arch W=1 -j"$jobs" >> "$log" 2>&1
}

# The warnings of a build log, as "file: message" (no line numbers).
warnings() {
	grep -E '^[^ :]+:[0-9]+:([0-9]+:)? warning:' "$1" |
		sed -E 's|^(\.\./)*||; s|^([^:]+):[0-9]+:([0-9]+:)? |\1: |' | sort -u
}

# new_warnings <arch> <log>: the warnings of <log> that the base build
# did not have for the same file.
new_warnings() {
	warnings "$2" | while IFS= read -r w; do
		grep -q -x -F "$w" "$sc/base-$1.warnings" || echo "$w"
	done
}

total=$(find "$series" -name '0*.patch' ! -name '0000-*' | wc -l)
printf '%-4s %-62s %-22s %-22s %s\n' step patch x86_64 um checkpatch | tee "$sc/table"
status=0
for n in $(seq 0 "$total"); do
	if [ "$n" = 0 ]; then
		name="base $(git --git-dir="$gitdir" log -1 --format=%s refs/heads/base | cut -c1-40)"
		cp_res=-
	else
		pf=$(ls "$series"/"$(printf '%04d' "$n")"-*.patch)
		name=$(git mailinfo /dev/null /dev/null < "$pf" |
		       sed -n 's/^Subject: //p' | cut -c1-62)
		(cd "$tree" && git am -q "$pf") > "$sc/am-$n.log" 2>&1 ||
			{ cat "$sc/am-$n.log"; die "git am of patch $n failed"; }
		cp_res=$(grep -F "checkpatch --strict $(basename "$pf")" "$logs/series-check-gen.log" |
			 sed -E 's/^(ok|FAIL) +checkpatch --strict [^:]*: //; s/, each (check )?explained in its message//')
	fi
	cells=()
	for a in x86_64 um; do
		log=$sc/build-$n-$a.log
		t0=$(date +%s)
		if build_one "$a" "$log"; then
			res=ok
		else
			res=FAILED
			status=1
		fi
		t=$(( $(date +%s) - t0 ))
		if [ "$n" = 0 ]; then
			warnings "$log" > "$sc/base-$a.warnings"
			cells+=("$res ${t}s")
		else
			new_warnings "$a" "$log" > "$sc/new-$n-$a.warnings"
			w=$(wc -l < "$sc/new-$n-$a.warnings")
			[ "$w" = 0 ] || status=1
			cells+=("$res ${t}s, $w new")
			# later builds compare against what this one printed
			warnings "$log" >> "$sc/base-$a.warnings"
		fi
	done
	printf '%-4s %-62s %-22s %-22s %s\n' "$n" "$name" "${cells[0]}" "${cells[1]}" "$cp_res" |
		tee -a "$sc/table"
	[ "$status" = 0 ] || { echo "stopping: see $sc/build-$n-*.log, $sc/new-$n-*.warnings"; break; }
done

# The tree after the last patch is build/src; the suites on these builds.
if [ "$status" = 0 ]; then
	for a in um x86_64; do
		if [ $a = x86_64 ]; then
			args=(--arch=x86_64 --qemu_args="-smp 2" --timeout=1800)
		else
			args=()
		fi
		(cd "$tree" && python3 tools/testing/kunit/kunit.py exec "${args[@]}" \
			--build_dir="$build/series-$a") > "$sc/kunit-$a.log" 2>&1
		rc=$?
		line=$(grep -E 'Testing complete\. Ran [0-9]+ tests' "$sc/kunit-$a.log" | tail -n 1)
		echo "KUnit ($a) on patch $total: ${line#*] }"
		[ "$rc" = 0 ] && [ -n "$line" ] || status=1
	done
fi
echo "series-check: $([ "$status" = 0 ] && echo PASS || echo FAIL) in $(( ($(date +%s) - start) / 60 )) min $(( ($(date +%s) - start) % 60 )) s (logs: $sc)"
exit "$status"
