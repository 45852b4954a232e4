#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Assemble build/src: the base tree, patches/series applied, the overlay
# copied.  Only files whose content changed are written, so kbuild's
# incremental builds stay incremental.  The base tree is never modified.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base=$(base_tree)
if [ -z "${KDIR:-}" ] && [ ! -f "$base/.extracted" ]; then
	[ -f "$deb_tarball" ] || die "$deb_tarball missing: apt-get install linux-source-6.12, or give KDIR=/path/to/linux"
	echo "extracting $deb_tarball"
	rm -rf "$base"
	tar -C "$build" -xf "$deb_tarball"
	touch "$base/.extracted"
fi

# build/src starts as a copy of the base, hard-linked to save space and
# time.  Everything written into it below replaces files (rsync renames
# into place), so the links to the base are broken, never written through.
if [ ! -f "$src/.dispatcher-base" ] || [ "$(cat "$src/.dispatcher-base")" != "$base" ]; then
	echo "copying $base to $src"
	rm -rf "$src"
	mkdir -p "$src"
	if ! cp -al "$base/." "$src/" 2>/dev/null; then
		rm -rf "$src"
		rsync -a --exclude=.git "$base/" "$src/"
	fi
	rm -rf "$src/.git" "$src/.extracted"
	echo "$base" > "$src/.dispatcher-base"
	: > "$src/.dispatcher-manifest"
fi

stage=$build/stage
rm -rf "$stage"
mkdir -p "$stage"

# The series, step by step as patches/manifest says: each patch's new
# files from the overlay, then its edits, applied to copies of the base
# files (or to files an earlier step added).  Then the files kept out of
# the series ("local").
overlay_files > "$build/overlay.list"
python3 "$top/mk/manifest.py" "$top" "$build/overlay.list" > "$build/steps.list" ||
	die "patches/manifest does not cover the overlay (see above)"

add_files() {
	awk -v p="$1" '$1 == p { print $2 }' "$build/steps.list" | while read -r f; do
		mkdir -p "$stage/$(dirname "$f")"
		cp "$top/$f" "$stage/$f"
	done
}

while read -r p; do
	pf=$top/patches/$p
	[ -f "$pf" ] || die "patches/series names $p, which does not exist"
	add_files "$p"
	grep -q '^diff ' "$pf" || continue
	sed -n 's|^--- a/\([^\t]*\).*|\1|p' "$pf" | while read -r f; do
		if [ ! -e "$stage/$f" ] && [ -e "$base/$f" ]; then
			mkdir -p "$stage/$(dirname "$f")"
			cp "$base/$f" "$stage/$f"
		fi
	done
	patch -s -p1 -d "$stage" --no-backup-if-mismatch < "$pf" > "$logs/patch.log" 2>&1 ||
		{ cat "$logs/patch.log"; die "patch $p does not apply to $base"; }
done < <(grep -v -E '^\s*(#|$)' "$top/patches/series")
add_files local

(cd "$stage" && find . -type f | sed 's|^\./||' | sort) > "$build/manifest.new"

# Files we changed last time but not now go back to the base version.
comm -23 <(sort "$src/.dispatcher-manifest") "$build/manifest.new" | while read -r f; do
	if [ -e "$base/$f" ]; then
		rsync -c "$base/$f" "$src/$f"
	else
		rm -f "$src/$f"
	fi
done

rsync -rc "$stage/" "$src/"
mv "$build/manifest.new" "$src/.dispatcher-manifest"
