#!/bin/sh
# Benchmarks the JSON scanner by itself (bench/json-scan.c) on the records
# the tools pass each other: tweet-sim's posts, iot-sim's readings,
# log-parse's access log records and the 100-byte lines that
# bench/nc-source.sh sends.  Prints a Markdown table of the best time per
# line over the runs and, when valgrind is installed, the instructions per
# line that callgrind counts inside json_scan, which unlike the time do not
# depend on what else the machine is doing.  Beside it, the time a bare
# cJSON parse (tree built and freed) of the same lines takes, the
# yardstick of the other benchmarks.
#
# usage: sh bench/json-scan.sh BUILD
#
# BENCH_LINES   lines of each kind (20000)
# BENCH_PASSES  passes over the lines per timed run (20)
# BENCH_RUNS    timed runs, of which the best counts (5 here)

set -eu

BENCH_RUNS=${BENCH_RUNS:-5}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

lines=${BENCH_LINES:-20000}
passes=${BENCH_PASSES:-20}
positive "$lines" "$passes"
res=$out/json-scan
mkdir -p "$res"

[ -x "$build/bench/json-scan" ] ||
	make --no-print-directory -s BUILD="$1" "$1/bench/json-scan" >&2 ||
	{ echo "bench: cannot build $1/bench/json-scan" >&2; exit 1; }
need_built bin/tweet-sim bin/iot-sim bin/log-parse bench/json-scan
need python3 "make deps installs it"
[ "$missing" -eq 0 ] || exit 1

# The inputs, made again each time: they are small.
tweet-sim --no-pacing -c "$lines" --seed 1 > "$res/tweets.ndjson"
iot-sim --no-pacing -n 1000 -c "$lines" --seed 1 > "$res/readings.ndjson"
# The access log of bench/log-parse.sh, from the generator kept there
# (the $out in the pattern is text to match).
# shellcheck disable=SC2016
sed -n '/^cat > "$out\/gen-access.py"/,/^EOF$/p' bench/log-parse.sh |
	sed '1d;$d' > "$res/gen-access.py"
python3 "$res/gen-access.py" "$lines" > "$res/access.log"
log-parse -F combined "$res/access.log" > "$res/log.ndjson"
# tests/helpers/flood.c's lines: {"c":C,"i":I,"p":"xxx..."}, 100 bytes.
awk -v n="$lines" 'BEGIN {
	for (i = 0; i < n; i++) {
		s = "{\"c\":0,\"i\":" i ",\"p\":\""
		while (length(s) < 98)
			s = s "x"
		print s "\"}"
	}
}' > "$res/flood.ndjson"

kinds="tweets readings log flood"
for k in $kinds; do
	json-scan -r "$runs" -n "$passes" "$res/$k.ndjson" > "$res/$k.time"
	json-scan -c -r "$runs" -n "$passes" "$res/$k.ndjson" > "$res/$k.cjson"
	if command -v valgrind >/dev/null 2>&1; then
		valgrind -q --tool=callgrind --toggle-collect=json_scan \
			--callgrind-out-file="$res/$k.callgrind" \
			json-scan -r 1 -n 1 "$res/$k.ndjson" > /dev/null
		sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$res/$k.callgrind" \
			> "$res/$k.ir"
	else
		echo - > "$res/$k.ir"
	fi
done

echo "| Input | Lines | Bytes/line | ns/line | MB/s | Instructions/line | cJSON parse, ns/line | vs cJSON |"
echo "|---|--:|--:|--:|--:|--:|--:|--:|"
for k in $kinds; do
	read -r _ n b ns mbs bad < "$res/$k.time"
	read -r ir < "$res/$k.ir"
	read -r _ _ _ cns _ cbad < "$res/$k.cjson"
	[ "$cbad" -eq 0 ] || { echo "bench: cJSON rejects $cbad lines in $k" >&2; exit 1; }
	[ "$bad" -eq 0 ] || { echo "bench: $bad invalid lines in $k" >&2; exit 1; }
	awk -v k="$k" -v n="$n" -v b="$b" -v ns="$ns" -v mbs="$mbs" -v ir="$ir" \
	    -v cns="$cns" \
	    'BEGIN { printf "| %s | %d | %s | %s | %s | %s | %s | %.1f× |\n", k, n,
		b, ns, mbs, ir == "-" ? "-" : sprintf("%.0f", ir / n), cns,
		cns / ns }'
done
echo
echo "Best of $runs runs of $passes passes; $(cpus)."
