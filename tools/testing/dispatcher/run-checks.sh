#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: run both harness builds, then the build-time cases of
# lib/dispatcher/kunit/dispatcher_build_test.c compiled against the shims
# (case 0 must compile, every other case must fail with the message in its
# comment).  Prints "ok   NAME" / "FAIL NAME" / "skip NAME" per case, with
# details in between, and "N passed, N failed, N skipped" last.
#
#   run-checks.sh OBJDIR CC "CPPFLAGS WARNFLAGS"
set -uo pipefail

obj=$1
cc=$2
flags=$3
here=$(cd "$(dirname "$0")" && pwd)
top=$here/../../..
pass=0
fail=0
skip=0

count() {
	case "$1" in
	ok*) pass=$((pass + 1)) ;;
	FAIL*) fail=$((fail + 1)) ;;
	skip*) skip=$((skip + 1)) ;;
	esac
}

for v in pie nopie; do
	if [ ! -x "$obj/$v/harness" ]; then
		echo "FAIL $v/harness (not built)"
		fail=$((fail + 1))
		continue
	fi
	# Each case runs in a child of its own; its details go to stderr.
	while IFS= read -r line; do
		case "$line" in
		"ok   "* | "FAIL "* | "skip "*)
			line="${line:0:5}$v/${line:5}"
			count "$line"
			;;
		*" passed, "*" failed, "*" skipped")
			continue
			;;
		esac
		echo "$line"
	done < <("$obj/$v/harness" 2>&1)
done

file=$top/lib/dispatcher/kunit/dispatcher_build_test.c
if [ -f "$file" ]; then
	cases=$(sed -n 's/^#\(el\)\{0,1\}if DISPATCHER_BUILD_CASE == \([0-9]*\)$/\2/p' "$file" | sort -nu)
	for c in $cases; do
		# The expected message is the comment line after the case's #if.
		want=$(awk -v c="$c" '
			$0 ~ "DISPATCHER_BUILD_CASE == " c "$" { getline; print; exit }' "$file" |
			sed -n 's|.*/\* "\([^"]*\)".*|\1|p')
		# shellcheck disable=SC2086
		out=$(cd "$here" && $cc $flags -std=gnu11 -fsyntax-only \
			-DDISPATCHER_BUILD_CASE="$c" "$file" 2>&1)
		rc=$?
		ok=false
		if [ "$c" = 0 ]; then
			[ "$rc" = 0 ] && ok=true
		else
			[ "$rc" != 0 ] && grep -qF "$want" <<< "$out" && ok=true
		fi
		if $ok; then
			line="ok   build/case $c${want:+ fails with: $want}"
		else
			line="FAIL build/case $c${want:+ fails with: $want}"
			echo "$out" | head -n 20 | sed 's/^/    /'
		fi
		count "$line"
		echo "$line"
	done
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
