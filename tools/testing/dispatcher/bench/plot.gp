# SPDX-License-Identifier: GPL-2.0
#
# ns per call against the number of registered targets, one panel per
# pattern, one line per method, from results.csv (bench/bench.c).
#   gnuplot -e "csv='results.csv'; png='plot.png'; title='...'" plot.gp

set terminal pngcairo size 1800,1000 font ",11"
set output png
set datafile separator ","
set multiplot layout 2,3 title title
set logscale x 2
set xrange [0.8:1300]
set xtics (1, 2, 4, 8, 16, 32, 64, 256, 1024)
set xlabel "registered targets N"
set ylabel "ns per call (minimum)"
set yrange [0:*]
set grid

methods = "direct indirect retpoline icall4 tree dispatcher"
titles = "direct indirect retpoline INDIRECT\\_CALL\\_4 tree learned\\_dispatcher"
# The rows of one pattern and method, so that each line is unbroken.
rows(p, m) = sprintf("< awk -F, '$1 == \"%s\" && $3 == \"%s\"' %s", p, m, csv)

do for [p in "hot uniform zipf unregistered roundrobin tcchain"] {
	# One legend, where the first panel has room for it.
	if (p eq "hot") { set key right center opaque box } else { unset key }
	set title (p eq "hot" ? "one hot target (1 of N used)" : \
		   p eq "uniform" ? "uniform random over N targets" : \
		   p eq "zipf" ? "Zipf-like (s = 1) over N targets" : \
		   p eq "unregistered" ? "a target never registered" : \
		   p eq "roundrobin" ? "round-robin over N targets" : \
		   "tc-like chain: 4 of N, fixed order")
	plot for [i = 1:6] rows(p, word(methods, i)) using 2:4 \
		with linespoints lw 2 pt 7 title word(titles, i)
}
unset multiplot
