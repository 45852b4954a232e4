#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: what a dispatched call costs on this machine's CPU, in
# userspace (tools/testing/dispatcher/bench).  Installs what it needs,
# builds the benchmark, runs it (timings, then instruction counts under
# callgrind), plots ns per call against the number of targets, and prints
# the markdown table with the CPU model and the kernel's spectre_v2 line.
# Writes build/bench/results.csv, results.md and plot.png; the log is
# build/logs/bench.log.  BENCH_ARGS go to the benchmark (e.g.
# "--samples 71", "--no-callgrind").
set -uo pipefail
. "$(dirname "$0")/lib.sh"

out=$build/bench
dir=$top/tools/testing/dispatcher
log=$logs/bench.log
mkdir -p "$out"

need_packages apt-bench gcc make libc6-dev valgrind gnuplot-nox

echo "== building (log: build/logs/bench.log)"
make -C "$dir" O="$build" -j"$jobs" "$out/dispatcher-bench" > "$log" 2>&1 ||
	{ grep -E 'error' "$log" | head -n 20; die "the benchmark does not build"; }

echo "== running: tools/testing/dispatcher/bench, then callgrind (about a minute)"
# shellcheck disable=SC2086
"$out/dispatcher-bench" --out "$out" ${BENCH_ARGS:-} > "$out/stdout.md" 2>> "$log" ||
	{ tail -n 20 "$log"; die "the benchmark failed"; }

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
spectre=$(cat /sys/devices/system/cpu/vulnerabilities/spectre_v2 2>/dev/null || echo unknown)
gnuplot -e "csv='$out/results.csv'; png='$out/plot.png'; title='$cpu; spectre\\_v2: ${spectre//_/\\\\_}'" \
	"$dir/bench/plot.gp" >> "$log" 2>&1 || echo "warning: no plot (see build/logs/bench.log)"

echo
echo "CPU: $cpu"
echo "spectre_v2: $spectre"
echo
cat "$out/results.md"
echo
echo "results: build/bench/results.csv, build/bench/results.md, build/bench/plot.png"
