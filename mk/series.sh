#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make patches: write the series a maintainer would receive, as
# git format-patch output against the base tree, into build/series/:
# 0000-cover-letter.patch, then one patch per entry of patches/series.
# Each patch adds the overlay files patches/manifest gives it, then makes
# its edits; its message is the one in patches/; From and Signed-off-by
# are the user's git identity (GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL or
# user.name/user.email), refused when unset or a placeholder.  To and Cc
# come from scripts/get_maintainer.pl.
#
#   mk/series.sh            make patches
#   mk/series.sh --check    (make check) the same into build/series-check/
#                           under a test identity, then check it: the
#                           identity refusal, git am onto the base, the tree
#                           after git am equals build/src, checkpatch
#                           --strict per patch; writes build/logs/series.count
#
# The base is a commit of the base tree made here (build/series.git, kept
# between runs): the tree is Debian's linux-source-6.12 (or KDIR), which
# has no upstream history to point to, so base-commit: names that commit.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

check=0
[ "${1:-}" = --check ] && check=1

gitdir=$build/series.git
out=$build/series
[ $check = 1 ] && out=$build/series-check

# identity: prints "Name <email>", or dies saying why it will not do.
identity() {
	local name email

	name=${GIT_AUTHOR_NAME:-$(git -C "$top" config user.name)}
	email=${GIT_AUTHOR_EMAIL:-$(git -C "$top" config user.email)}
	[ -n "$name" ] && [ -n "$email" ] ||
		die "no git identity: set git config user.name and user.email (they become From: and Signed-off-by:)"
	if echo "$name" | grep -q -i -x -E 'dispatcher team|your name|.*placeholder.*|root' ||
	   ! echo "$email" | grep -q -E '^[^@ ]+@[^@ ]+\.[^@ ]+$' ||
	   echo "$email" | grep -q -i -E '(@|\.)(example\.(com|org|net)|example|invalid|test|localhost|local|localdomain|\(none\))$'; then
		die "git identity \"$name <$email>\" is a placeholder; set git config user.name and user.email to your own (they become From: and Signed-off-by:)"
	fi
	echo "$name <$email>"
}

if [ $check = 1 ]; then
	# The identity refusal, as a user would meet it.
	idlog=$logs/series-identity.log
	: > "$idlog"
	rc=0
	for id in "Dispatcher Team|dispatcher@example.org" \
		  "A Developer|dev@users.noreply.seed.example" \
		  "A Developer|" "|dev@kernel.org"; do
		msg=$(GIT_AUTHOR_NAME=${id%|*} GIT_AUTHOR_EMAIL=${id#*|} \
		      GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
		      "$0" --identity 2>&1) && rc=1
		echo "${id/|/ <}>: $msg" >> "$idlog"
		echo "$msg" | grep -q 'user.name and user.email' || rc=1
	done
	msg=$(GIT_AUTHOR_NAME="Ada Lovelace" GIT_AUTHOR_EMAIL=ada@kernel.org \
	      "$0" --identity 2>&1) || rc=1
	echo "accepted: $msg" >> "$idlog"
	[ "$msg" = "Ada Lovelace <ada@kernel.org>" ] || rc=1
	# The series under test is signed by a test identity, never posted.
	author="make check <series-check@dispatcher.invalid>"
elif [ "${1:-}" = --identity ]; then
	identity
	exit
else
	author=$(identity) || exit 1
fi

"$top/mk/assemble.sh" > "$logs/series-assemble.log" 2>&1 ||
	{ cat "$logs/series-assemble.log"; die "assembling build/src failed"; }
base=$(base_tree)

export GIT_DIR=$gitdir GIT_INDEX_FILE=$build/series.index
export GIT_AUTHOR_NAME=${author% <*} GIT_AUTHOR_EMAIL=${author##*<}
GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL%>}
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

# The base commit: every file of the base tree, committed once (about a
# minute) and kept while the base tree is the same.  Its date is the base
# Makefile's, so that the same base gives the same commit everywhere.
stamp="$base $(stat -c '%s %Y' "$base/Makefile" "$base/MAINTAINERS" | tr '\n' ' ')"
if [ ! -f "$gitdir/base-stamp" ] || [ "$(cat "$gitdir/base-stamp")" != "$stamp" ]; then
	echo "committing the base tree $base (once)"
	rm -rf "$gitdir" "$GIT_INDEX_FILE"
	git init -q --bare "$gitdir" || die "git init $gitdir"
	version=$(make -s -C "$base" kernelversion 2> /dev/null)
	date=$(stat -c %Y "$base/Makefile")
	(cd "$base" && git --work-tree=. add -f -A -- . ':!.extracted') ||
		die "git add of $base failed"
	tree=$(git write-tree) || die "git write-tree"
	commit=$(GIT_AUTHOR_NAME=base GIT_AUTHOR_EMAIL=base@base.invalid \
		 GIT_COMMITTER_NAME=base GIT_COMMITTER_EMAIL=base@base.invalid \
		 GIT_AUTHOR_DATE="@$date +0000" GIT_COMMITTER_DATE="@$date +0000" \
		 git commit-tree "$tree" -m "Linux $version, as unpacked from $(basename "$base")") ||
		die "git commit-tree"
	git update-ref refs/heads/base "$commit"
	echo "$stamp" > "$gitdir/base-stamp"
fi
basecommit=$(git rev-parse refs/heads/base)

# The series: for each patch, its new files, its edits (git apply on the
# index: no work tree), its message and the author's sign-off.
git read-tree refs/heads/base || die "git read-tree"
head=$basecommit
tmp=$build/series.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
maint_line="M:	$author"
n=0
while read -r p; do
	n=$((n + 1))
	pf=$top/patches/$p
	awk -v p="$p" '$1 == p { print $2 }' "$build/steps.list" | while read -r f; do
		blob=$(git hash-object -w "$top/$f") &&
		git update-index --add --cacheinfo "100644,$blob,$f" ||
			die "adding $f"
	done || exit 1
	if grep -q '^diff ' "$pf"; then
		git apply --cached "$pf" 2> "$tmp/apply.log" ||
			{ cat "$tmp/apply.log"; die "$p does not apply with git apply"; }
	fi
	# The library's MAINTAINERS entry names the sender as its maintainer.
	if git cat-file -e ":MAINTAINERS" 2> /dev/null &&
	   git show ":MAINTAINERS" | grep -q -x 'DISPATCHER (GENERIC INDIRECT CALL DISPATCH)' &&
	   ! git show ":MAINTAINERS" | grep -q -x -F "$maint_line"; then
		git show ":MAINTAINERS" |
			awk -v m="$maint_line" '{ print } $0 == "DISPATCHER (GENERIC INDIRECT CALL DISPATCH)" { print m }' \
			> "$tmp/MAINTAINERS"
		blob=$(git hash-object -w "$tmp/MAINTAINERS")
		git update-index --cacheinfo "100644,$blob,MAINTAINERS"
	fi
	git mailinfo "$tmp/msg" "$tmp/diff" < "$pf" > "$tmp/info" ||
		die "$p: no mail header"
	subject=$(sed -n 's/^Subject: //p' "$tmp/info")
	date=$(sed -n 's/^Date: //p' "$tmp/info")
	{
		echo "$subject"
		echo
		sed -e '/^Signed-off-by:/d' "$tmp/msg" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
		echo
		echo "Signed-off-by: $author"
	} > "$tmp/commit"
	tree=$(git write-tree)
	head=$(GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date \
	       git commit-tree "$tree" -p "$head" -F "$tmp/commit") ||
		die "$p: git commit-tree"
done < <(grep -v -E '^\s*(#|$)' "$top/patches/series")
git update-ref refs/heads/series "$head"
total=$n

# The anchor keeps the stubs of the BPF dispatcher where bpf.h has them:
# left to itself, git diff shows them moved rather than the trampoline
# stubs after them, and checkpatch reports moved lines as it does new ones.
rm -rf "$out"
git format-patch -q --cover-letter --numbered --base="$basecommit" \
	--anchored='#define BPF_DISPATCHER_FUNC(name) bpf_dispatcher_nop_func' \
	--zero-commit -o "$out" "$basecommit..$head" ||
	die "git format-patch failed"

# Recipients: get_maintainer.pl of the tree the series makes, per patch
# (maintainers To, reviewers and lists Cc), and for the cover letter every
# patch's plus the areas the library builds on without touching their files.
gm() {
	(cd "$src" && perl scripts/get_maintainer.pl --no-git --no-git-fallback \
		--no-rolestats --no-multiline --separator ', ' "$@" 2> /dev/null)
}
declare -A area=(
	["static_call and text patching"]="-f include/linux/static_call.h -f arch/x86/kernel/alternative.c"
	["CFI"]="-f include/linux/cfi.h -f arch/x86/kernel/cfi.c"
	["RCU"]="-f kernel/rcu/tasks.h"
	["x86"]="-f arch/x86/kernel/callthunks.c"
	["bpf"]="-f kernel/bpf/dispatcher.c"
	["netdev and TC"]="-f net/sched/cls_api.c -f net/sched/act_api.c"
)
all_to=
all_cc=
for f in "$out"/0*.patch; do
	case $f in *0000-cover-letter.patch) continue ;; esac
	to=$(gm --m --no-r --no-l "$f")
	cc=$(gm --no-m --r --l "$f")
	all_to="$all_to, $to"
	all_cc="$all_cc, $cc"
	awk -v to="$to" -v cc="$cc" '
		!done && /^Subject:/ { if (to != "") print "To: " to; if (cc != "") print "Cc: " cc; done = 1 }
		{ print }' "$f" > "$tmp/p" && mv "$tmp/p" "$f"
done
areas=
for a in "${!area[@]}"; do
	# shellcheck disable=SC2086
	who=$(gm --m --r --l ${area[$a]})
	areas="$areas- $a: $who
"
	all_cc="$all_cc, $who"
done
uniq_list() {
	echo "$1" | tr ',' '\n' | sed 's/^ *//; s/ *$//' | grep -v '^$' | awk '!seen[$0]++' |
		paste -s -d, | sed 's/,/, /g'
}
all_to=$(uniq_list "$all_to")
all_cc=$(uniq_list "$all_cc")

# The cover letter: patches/cover-letter with the numbers filled in.
cover=$out/0000-cover-letter.patch
goals=$(sed -n '/^### Goals/,/^Why, where/p' "$top/tools/testing/dispatcher/results/results.md" |
	grep '^|' | sed 's/\*\*//g; s/ (issue [0-9]* too)//')
machine=$(sed -n '/^- CPU:/p; /^- spectre_v2:/p' "$top/tools/testing/dispatcher/results/results.md")
subject=$(sed -n '1p' "$top/patches/cover-letter")
# The generated code: an image of three targets from the userspace
# harness (the JIT built against its shims), decoded by objdump.
make -C "$top/tools/testing/dispatcher" O="$build/harness" -j"$jobs" all \
	> "$tmp/harness.log" 2>&1 &&
DT_OBJDUMP_DIR=$tmp "$build/harness/nopie/harness" --run jit_objdump \
	> "$tmp/objdump.log" 2>&1 && [ -s "$tmp/image-3.txt" ] ||
	{ cat "$tmp/harness.log" "$tmp/objdump.log"; die "no image listing from the harness (tools/testing/dispatcher)"; }
{
	sed -n '3,$p' "$top/patches/cover-letter" |
	while IFS= read -r l; do
		case $l in
		@GOALS@) echo "$goals" ;;
		@MACHINE@) echo "$machine" ;;
		@GENERATED@) sed 's/^/  /' "$tmp/image-3.txt" ;;
		@AREAS@) printf '%s' "$areas" | sort ;;
		*) echo "$l" ;;
		esac
	done
} > "$tmp/body"
awk -v s="$subject" -v to="$all_to" -v cc="$all_cc" -v bodyf="$tmp/body" '
	/^Subject:/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, s); print "To: " to; print "Cc: " cc; print; next }
	/^\*\*\* BLURB HERE \*\*\*$/ { while ((getline l < bodyf) > 0) print l; next }
	{ print }' "$cover" > "$tmp/cover" && mv "$tmp/cover" "$cover"

echo "wrote $out: cover letter and $total patches, from $author, base-commit $basecommit"

[ $check = 1 ] || exit 0

# --check: count each check, as mk/lint.sh does.
[ $rc = 0 ]; result $? "make patches refuses a missing or placeholder identity" "$idlog"

python3 "$top/mk/manifest.py" "$top" "$build/overlay.list" > /dev/null 2> "$tmp/manifest.log"
result $? "patches/manifest: every overlay file in exactly one patch" "$tmp/manifest.log"

# git format-patch pads n to the width of N ([PATCH 01/10]).
grep -q -E "\[PATCH 0+/$total\]" "$cover" && grep -q "^base-commit: $basecommit" "$cover" &&
	[ "$(grep -l -E "^Subject: \[PATCH 0*[1-9][0-9]*/$total\]" "$out"/0*.patch | wc -l)" = "$total" ]
result $? "series: cover letter, [PATCH n/$total] subjects, base-commit" "$cover"

# git am onto the base, in a work tree holding only the files the series
# touches (sparse checkout): the rest of the base cannot matter to it.
am=$build/series-am
rm -rf "$am"
git worktree prune
git log --format= --name-only "$basecommit..$head" | sort -u > "$tmp/touched"
(
	unset GIT_DIR GIT_INDEX_FILE
	git --git-dir="$gitdir" worktree add -q --no-checkout --detach "$am" "$basecommit" &&
	cd "$am" &&
	git sparse-checkout set --no-cone $(sed 's|^|/|' "$tmp/touched") &&
	git checkout -q --detach "$basecommit" &&
	git am -q $(ls "$out"/0*.patch | grep -v 0000-cover-letter)
) > "$tmp/am.log" 2>&1
result $? "git am of the $total patches onto base $basecommit" "$tmp/am.log"

# The tree after git am is build/src, but for the sender's M: line.
: > "$tmp/tree.log"
while read -r f; do
	if [ "$f" = MAINTAINERS ]; then
		grep -v -x -F "$maint_line" "$am/$f" | cmp -s - "$src/$f" ||
			echo "differs: $f" >> "$tmp/tree.log"
	elif [ -e "$am/$f" ]; then
		cmp -s "$am/$f" "$src/$f" || echo "differs: $f" >> "$tmp/tree.log"
	elif [ -e "$src/$f" ]; then
		echo "not in the series: $f" >> "$tmp/tree.log"
	fi
done < "$tmp/touched"
# Everything build/src changes from the base is in the series.
awk '$1 != "local" { print $2 }' "$build/steps.list" > "$tmp/owned"
comm -23 <(sort "$src/.dispatcher-manifest") <(sort -u "$tmp/touched" "$tmp/owned") |
	while read -r f; do
		awk -v f="$f" '$2 == f && $1 == "local" { found = 1 } END { exit !found }' "$build/steps.list" ||
			echo "in build/src, in no patch: $f"
	done >> "$tmp/tree.log"
[ ! -s "$tmp/tree.log" ]
result $? "the tree after git am equals build/src (make tree)" "$tmp/tree.log"

# checkpatch --strict on each patch, outside any git tree (it would ask
# git about the commits it names): no errors, no warnings, and each kind
# of check it reports named in the patch's message, which says why it
# stays.
unset GIT_DIR GIT_INDEX_FILE
for f in "$out"/0*.patch; do
	case $f in *0000-cover-letter.patch) continue ;; esac
	(cd "$tmp" && perl "$src/scripts/checkpatch.pl" --strict --show-types \
		--no-summary -q "$f") > "$tmp/cp.log" 2>&1
	sed -n '/^Subject:/,/^---$/p' "$f" > "$tmp/cp.msg"
	grep -E '^(ERROR|WARNING|CHECK):' "$tmp/cp.log" | cut -d: -f1,2 | sort | uniq -c > "$tmp/cp.types"
	ok=0
	while read -r count lt; do
		case $lt in
		CHECK:*)
			grep -q -w "${lt#*:}" "$tmp/cp.msg" ||
				{ ok=1; echo "not explained in the message: $count $lt" >> "$tmp/cp.log"; } ;;
		*)	ok=1; echo "must be fixed: $count $lt" >> "$tmp/cp.log" ;;
		esac
	done < "$tmp/cp.types"
	summary=$(awk '{ split($2, a, ":"); n[a[1]] += $1 }
		END { printf "%d errors, %d warnings, %d checks", n["ERROR"], n["WARNING"], n["CHECK"] }' "$tmp/cp.types")
	result $ok "checkpatch --strict $(basename "$f"): $summary, each check explained in its message" "$tmp/cp.log"
done

echo "$pass $fail" > "$logs/series.count"
[ "$fail" = 0 ]
