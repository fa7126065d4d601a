#!/bin/sh
# Benchmarks es-sink against a Python client (standard library only:
# json, urllib; bench/es-bulk.py) posting the same batches of the same
# 1,000,000 small records to the same server: es-server -a, the test
# server in the mode that acknowledges every item without keeping it.
# Both name each record's index from its time (iot-%Y.%m.%d), ask for the
# same filter_path and check every item.  Prints a Markdown table of
# documents per second for a few batch sizes, the CPU time the server
# spent, and whether the target is met: at least 300,000 documents/s.
#
# usage: sh bench/es-sink.sh BUILD
#
# BENCH_DOCS    records per run (1000000)
# BENCH_BATCHES batch sizes in documents ("500 5000 20000")
# BENCH_RUNS    runs per case, of which the best counts (3)
set -eu

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

docs=${BENCH_DOCS:-1000000}
batches=${BENCH_BATCHES:-500 5000 20000}
# The batch sizes are split into words.
# shellcheck disable=SC2086
positive "$docs" $batches

[ -x "$build/bench/measure" ] ||
	make -s --no-print-directory BUILD="$build" "$build/bench/measure" >&2
PATH=$build/helpers:$PATH
for t in es-sink es-server iot-sim measure python3; do
	command -v "$t" >/dev/null 2>&1 && continue
	echo "bench: '$t' not found (make BUILD=$1 all)" >&2
	missing=1
done
[ "$missing" -eq 0 ] || exit 1

res=$out/es-sink
mkdir -p "$res"
rm -f "$res"/*.time "$res"/*.err "$res"/results "$res/port"
input=$out/readings-$docs-es.ndjson
[ -s "$input" ] || iot-sim --no-pacing -n 1000 -c "$docs" --seed 1 > "$input"

es-server -a > "$res/port" 2> "$res/server.err" &
spid=$!
trap 'kill "$spid" 2>/dev/null || true' EXIT INT TERM
started "$res/port" es-server
url=http://127.0.0.1:$(cat "$res/port")

# The server's CPU time so far, in seconds.
server_cpu() {
	awk '{ printf "%.2f\n", ($14 + $15) / 100 }' "/proc/$spid/stat"
}

# once NAME COMMAND: one run; appends "SECONDS SERVER-CPU-S" to NAME.runs.
once() {
	c0=$(server_cpu)
	if ! measure -o "$res/$1.time" sh -c "$2" > "$res/$1.out" 2> "$res/$1.err"; then
		echo "bench: $1 failed:" >&2
		head -n 5 "$res/$1.err" >&2
		exit 1
	fi
	c1=$(server_cpu)
	read -r t k < "$res/$1.time"
	printf '%s %s %s\n' "$t" "$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')" "$k" >> "$res/$1.runs"
}

for b in $batches; do
	for name in es-sink-$b python-$b; do
		rm -f "$res/$name.runs"
		printf '%s ...' "$name" >&2
		n=0
		while [ "$n" -lt "$runs" ]; do
			case $name in
			es-sink-*) once "$name" "es-sink -u $url -i iot-%Y.%m.%d --batch-docs $b --batch-bytes 1G < $input" ;;
			python-*) once "$name" "python3 bench/es-bulk.py $url $b < $input" ;;
			esac
			printf ' %s' "$(tail -n 1 "$res/$name.runs" | cut -d' ' -f1)" >&2
			n=$((n + 1))
		done
		printf '\n' >&2
		sort -n "$res/$name.runs" | head -n 1 | sed "s/^/$name /" >> "$res/results"
	done
done

echo
echo "$docs records ($(($(wc -c < "$input") / 1048576)) MiB, iot-sim), best of $runs runs;" \
	"$(cpus)."
echo "Client and server share the CPUs; server CPU is what es-server -a spent in that run."
echo
awk -v docs="$docs" "$awk_lib"'
{ split($1, p, "-"); b = p[length(p)]; t[$1] = $2; cpu[$1] = $3; rss[$1] = $4
  if (!(b in seen)) { seen[b] = 1; order[++n] = b } }
END {
	print "| batch docs | es-sink docs/s | Python urllib docs/s | es-sink vs Python | es-sink peak RSS MiB | server CPU s (es-sink / Python) |"
	print "|--:|--:|--:|--:|--:|--:|"
	best = 0
	for (i = 1; i <= n; i++) {
		b = order[i]; e = "es-sink-" b; py = "python-" b
		re = docs / t[e]; rp = docs / t[py]
		if (re > best) best = re
		if (i == 1 || re < worst) worst = re
		printf "| %s | %s | %s | %.1f× | %.1f | %.2f / %.2f |\n", commas(b),
		    commas(re), commas(rp), re / rp, rss[e] / 1024, cpu[e], cpu[py]
	}
	print ""
	printf "Target: at least 300,000 documents/s: %s to %s, %s\n", commas(worst),
	    commas(best), worst >= 300000 ? "met at every batch size" : "NOT met at every batch size"
}' "$res/results"
