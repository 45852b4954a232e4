#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Resolve patches/manifest: which step of the series adds each overlay file.

patches/manifest names each patch of patches/series on a line of its own,
followed by indented paths: the overlay files that patch adds (or, for a
file the base already has, replaces wholesale).  A path ending in "/"
stands for every overlay file under it; the longest matching path wins.
The pseudo-patch "local" holds files kept out of the series (they are
still copied into build/src, last).

Usage: manifest.py <top> <overlay file list>
Prints "<patch> <file>" per overlay file, in series order, or dies
naming every problem: a file no entry covers, an entry covering no file,
a path listed twice, a patch not in patches/series.
"""
import sys


def main():
    top, listing = sys.argv[1], sys.argv[2]
    with open(f"{top}/patches/series") as f:
        series = [ln.strip() for ln in f
                  if ln.strip() and not ln.lstrip().startswith("#")]
    with open(listing) as f:
        files = [ln.strip() for ln in f if ln.strip()]

    errors = []
    entries = {}
    patch = None
    with open(f"{top}/patches/manifest") as f:
        for n, ln in enumerate(f, 1):
            if not ln.strip() or ln.lstrip().startswith("#"):
                continue
            if not ln[0].isspace():
                patch = ln.strip()
                if patch != "local" and patch not in series:
                    errors.append(f"manifest:{n}: {patch} is not in patches/series")
                continue
            path = ln.strip()
            if patch is None:
                errors.append(f"manifest:{n}: {path} before any patch")
            elif path in entries:
                errors.append(f"manifest:{n}: {path} listed twice")
            else:
                entries[path] = patch

    used = set()
    owner = {}
    for fn in files:
        best = None
        for path in entries:
            if fn == path or (path.endswith("/") and fn.startswith(path)):
                if best is None or len(path) > len(best):
                    best = path
        if best is None:
            errors.append(f"{fn}: in no patch of patches/manifest")
            continue
        used.add(best)
        owner[fn] = entries[best]
    for path in entries:
        if path not in used:
            errors.append(f"manifest: {path} matches no overlay file")

    if errors:
        for e in errors:
            print(f"error: {e}", file=sys.stderr)
        sys.exit(1)

    order = {p: i for i, p in enumerate(series + ["local"])}
    for fn in sorted(files, key=lambda fn: (order[owner[fn]], fn)):
        print(owner[fn], fn)


main()
