# SPDX-License-Identifier: GPL-2.0-only
# Shared settings for the mk/ scripts; sourced, not run.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$top/build
src=$build/src
logs=$build/logs
jobs=$(nproc)
deb_tarball=/usr/src/linux-source-6.12.tar.xz
deb_base=$build/linux-source-6.12
mkdir -p "$logs"

# The kunitconfigs of each KUnit tier, as kunit.py options (mk/kunit.sh;
# mk/run.sh builds the x86_64 kernel with the same ones, to share it).
kunitconfigs_um=(--kunitconfig=lib/dispatcher/kunit)
kunitconfigs_um_nonet=(--kunitconfig=lib/dispatcher/kunit/nonet.kunitconfig)
kunitconfigs_x86_64=(--kunitconfig=lib/dispatcher/kunit
		     --kunitconfig=lib/dispatcher/kunit/x86_64.kunitconfig)
kunitconfigs_x86_64_cfi=(--kunitconfig=lib/dispatcher/kunit
			 --kunitconfig=lib/dispatcher/kunit/cfi.kunitconfig)
# The clang of the CFI tier (kCFI needs clang 16 or later) and its tools.
cfi_llvm=-16
cfi_packages="clang-16 lld-16 llvm-16"

# Kernel reports that fail a run when they reach a console log: KASAN,
# lockdep, RCU, sleeping in atomic, an oops or a panic.
kernel_reports='BUG: KASAN|WARNING: possible (circular|recursive)|inconsistent lock state|suspicious RCU usage|BUG: sleeping function|Oops|BUG: unable to handle|Kernel panic'

die() {
	echo "error: $*" >&2
	exit 1
}

# The base tree: the user's KDIR (read only) or Debian's linux-source-6.12.
base_tree() {
	if [ -n "${KDIR:-}" ]; then
		[ -f "$KDIR/Makefile" ] || die "KDIR=$KDIR is not a kernel tree"
		(cd "$KDIR" && pwd)
	else
		echo "$deb_base"
	fi
}

# Files of ours that go into the kernel tree at the same path.
overlay_files() {
	(cd "$top" && git ls-files --cached --others --exclude-standard) |
		grep -v -E '^(Makefile|README\.md|mk/|patches/|\.ci/|\.gitignore)' |
		while read -r f; do [ -f "$top/$f" ] && echo "$f"; done
}

# need_packages <log name> <package>...: apt-get install the Debian
# packages that are missing (through sudo when not root); dies on failure.
need_packages() {
	local name=$1 missing= p sudo=
	shift
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0

	echo "installing:$missing"
	[ "$(id -u)" = 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $missing \
		> "$logs/$name.log" 2>&1 ||
		{ tail -n 20 "$logs/$name.log"; die "apt-get install$missing failed"; }
}

# result <status> <what> <log>: count one check, passed if status is 0,
# and print it; a failure shows the first lines of its log.
pass=0
fail=0
result() {
	if [ "$1" = 0 ]; then
		pass=$((pass + 1))
		echo "ok   $2"
	else
		fail=$((fail + 1))
		echo "FAIL $2"
		sed 's/^/     /' "$3" | head -n 40
	fi
}
