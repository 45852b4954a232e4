#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build-time tests: compile lib/dispatcher/kunit/dispatcher_build_test.c
# with the exact kbuild command line of the KUnit suites (that of
# dispatcher_kunit_fixtures.c, one of the objects of the composite module
# dispatcher_kunit, from the UML build), once per case.  Case 0 must
# compile; every other case must fail with the message in its comment.
# Writes "<passed> <failed>" to build/logs/build-tests.count.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

obj=$build/kunit-um/lib/dispatcher/kunit
file=lib/dispatcher/kunit/dispatcher_build_test.c
count=$logs/build-tests.count
echo "0 1" > "$count"

cmdfile=$obj/.dispatcher_kunit_fixtures.o.cmd
[ -f "$cmdfile" ] || die "no $cmdfile: the UML KUnit build is missing"
# The compiler invocation, without its output and input.
cmd=$(sed -n 's/^savedcmd_[^ ]* := //p' "$cmdfile" |
	sed -e 's/ -Wp,-MMD,[^ ]*//' -e 's/ -o [^ ]*\.o / /' -e 's/ [^ ]*dispatcher_kunit_fixtures\.c *$//')

for c in $(sed -n 's/^#elif DISPATCHER_BUILD_CASE == \([0-9]*\)$/\1/p;s/^#if DISPATCHER_BUILD_CASE == \([0-9]*\)$/\1/p' "$top/$file" | sort -nu); do
	# The expected message is the comment line after the case's #if.
	want=$(awk -v c="$c" '
		$0 ~ "DISPATCHER_BUILD_CASE == " c "$" { getline; print; exit }' "$top/$file" |
		sed -n 's|.*/\* "\([^"]*\)".*|\1|p')
	# kbuild compiles in the object tree, with paths relative to it.
	(cd "$build/kunit-um" && eval "$cmd -DDISPATCHER_BUILD_CASE=$c -o /dev/null $src/$file") \
		> "$logs/build-test-$c.log" 2>&1
	rc=$?
	if [ "$c" = 0 ]; then
		[ "$rc" = 0 ]
	else
		[ "$rc" != 0 ] && grep -qF "$want" "$logs/build-test-$c.log"
	fi
	result $? "build case $c${want:+ fails with: $want}" "$logs/build-test-$c.log"
done
echo "$pass $fail" > "$count"
[ "$fail" = 0 ]
