#!/bin/sh
# Benchmarks windowed aggregation: `window` over generated sensor readings,
# tumbling and sliding, against a Python script and Miller computing the same
# result and a bare cJSON parse loop, all on the same file; then its memory
# with many keys.  Checks that the results agree and prints a Markdown table
# and whether the targets are met (see bench/README.md).
#
# usage: sh bench/window.sh BUILD     (bench/run.sh runs this)
#
# BENCH_READINGS  readings to generate (2000000)
# BENCH_SENSORS   sensors of the main file, each reporting once a second
#                 (10000)
# BENCH_KEYS      sensors of the many-keys file, each reporting once a
#                 second for 20 seconds (100000)
# BENCH_RUNS      most runs per command, of which the best counts (3)
# BENCH_BUDGET    seconds after which a command is not run again (10)

# The commands are kept in single quotes for sh -c to expand.
# shellcheck disable=SC2016
set -eu

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

readings=${BENCH_READINGS:-2000000}
sensors=${BENCH_SENSORS:-10000}
keys=${BENCH_KEYS:-100000}
positive "$readings" "$sensors" "$keys"
# Two full 10-second windows of every key: each holds all of them at once.
key_readings=$((20 * keys))
READINGS=$out/readings-$sensors-$readings-seed1.ndjson
KEYS=$out/readings-$keys-$key_readings-seed1.ndjson
res=$out/window
export READINGS KEYS

need_built bin/iot-sim bin/window bench/cjson-parse bench/measure
need mlr "install the miller package, Miller 6 (make deps does)"
need python3 "install the python3 package (make deps does)"
for t in wc find; do
	need "$t" "install coreutils and findutils"
done
[ "$missing" -eq 0 ] || exit 1
mlr --version | grep -q '^mlr 6' ||
	{ echo "bench: Miller 6 needed, found: $(mlr --version)" >&2; exit 1; }

mkdir -p "$res"
rm -f "$res"/*.time "$res"/*.out "$res"/*.err "$res/results"

# generate FILE SENSORS COUNT: writes to FILE COUNT readings of SENSORS
# sensors that each report once a second, unless FILE is newer than
# iot-sim; sets $gen to say which.
generate() {
	file=$1 args="--no-pacing -n $2 -r $2 -c $3 --seed 1"
	if [ -s "$file" ] &&
	    [ -z "$(find "$build/bin/iot-sim" -newer "$file")" ]; then
		gen="reused from an earlier run"
	else
		# shellcheck disable=SC2086
		measure -o "$res/gen.time" iot-sim $args > "$file.tmp" ||
			{ echo "bench: iot-sim failed" >&2; rm -f "$file.tmp"; exit 1; }
		mv "$file.tmp" "$file"
		read -r t _ < "$res/gen.time"
		gen="generated in $t s by iot-sim $args"
	fi
	lines=$(wc -l < "$file")
	[ "$lines" -eq "$3" ] ||
		{ echo "bench: $file has $lines lines, not $3" >&2; exit 1; }
	cat "$file" > /dev/null	# into the page cache before the first timing
}
generate "$KEYS" "$keys" "$key_readings"
gen_keys=$gen
generate "$READINGS" "$sensors" "$readings"

# The commands, as a reader would type them: $READINGS and $KEYS are
# expanded by sh -c.
aggs='-k sensor_id -a count,avg:value,min:value,max:value'
cmd_tumbling="window -s 10s $aggs"' "$READINGS"'
cmd_sliding="window -s 60s -S 10s $aggs"' "$READINGS"'
cmd_python='python3 bench/window.py "$READINGS"'
cmd_mlr='mlr --ijsonl --ojsonl put -f bench/window.mlr then stats1 -a count,mean,min,max -f value -g window_start,window_end,sensor_id then sort -f window_end,sensor_id "$READINGS"'
cmd_cjson='cjson-parse "$READINGS"'
cmd_keys="window -s 10s $aggs"' "$KEYS"'

bench tumbling "window -s 10s (tumbling)" "$cmd_tumbling"
bench sliding "window -s 60s -S 10s (sliding)" "$cmd_sliding"
bench python "python3 window.py ($(python3 -V | cut -d' ' -f2))" "$cmd_python"
bench mlr "mlr put then stats1 then sort (Miller $(mlr --version | cut -d' ' -f2))" \
	"$cmd_mlr"
bench cjson "cjson-parse (bare cJSON parse loop)" "$cmd_cjson"
bench keys "window -s 10s, $keys keys" "$cmd_keys"

size=$(wc -c < "$READINGS")
echo
echo "$readings readings of $sensors sensors, each once a second," \
	"$((size / 1048576)) MiB ($gen);"
echo "and $key_readings readings of $keys sensors, each once a second," \
	"$(($(wc -c < "$KEYS") / 1048576)) MiB ($gen_keys);"
echo "$(cpus); best of up to $runs runs, LC_ALL=$LC_ALL."
echo
awk -F'\t' -v readings="$readings" -v kr="$key_readings" "$awk_lib"'
{ name[NR] = $1; label[NR] = $2; t[NR] = $3; k[NR] = $4; n[NR] = $5; idx[$1] = NR }
END {
	py = t[idx["python"]]; cj = t[idx["cjson"]]
	print "| Command | Wall s | Readings/s | Peak RSS MiB | vs Python | vs cJSON parse | Runs |"
	print "|---|--:|--:|--:|--:|--:|--:|"
	for (i = 1; i <= NR; i++) {
		if (t[i] == "-") {
			printf "| %s | failed | | | | | %d |\n", label[i], n[i]
			continue
		}
		# The many-keys run reads another file: no ratios.
		other = name[i] == "keys"
		printf "| %s | " (t[i] < 1 ? "%.3f" : "%.2f") " | %s | %.1f | %s | %s | %d |\n",
		    label[i], t[i], commas((other ? kr : readings) / t[i]), k[i] / 1024,
		    other ? "-" : ratio(py, t[i]), other ? "-" : ratio(cj, t[i]),
		    n[i]
	}
}' "$res/results"

# Targets from the issue.
echo
awk -F'\t' -v readings="$readings" -v keys="$keys" "$awk_lib"'
{ t[$1] = $3; k[$1] = $4 }
END {
	w = t["tumbling"]
	if (w != "-")
		printf "- window at least 2,000,000 readings/s: %s readings/s, %s\n",
		    commas(readings / w), verdict(readings / w >= 2000000)
	if (w != "-" && t["python"] != "-")
		printf "- window at least 10× the Python script: %.2f×, %s\n",
		    t["python"] / w, verdict(t["python"] / w >= 10)
	if (w != "-" && t["cjson"] != "-")
		printf "- window at least as fast as the bare cJSON parse: %.2f×, %s\n",
		    t["cjson"] / w, verdict(w <= t["cjson"])
	if (w != "-" && t["sliding"] != "-")
		printf "- sliding 60s/10s at most 1.5× the cost of the tumbling window: %.2f×, %s\n",
		    t["sliding"] / w, verdict(t["sliding"] / w <= 1.5)
	if (t["keys"] != "-")
		printf "- peak RSS of window with %s distinct keys: %.1f MiB\n",
		    commas(keys), k["keys"] / 1024
}' "$res/results"

# check WHAT ARGS...: one line saying whether the outputs agree.
check() {
	what=$1
	shift
	if line=$(python3 bench/window-check.py "$@" 2> "$res/check.err"); then
		echo "- $what: $line"
	else
		echo "- $what: NO, see below"
		sed 's/^/  /' "$res/check.err"
		failed=1
	fi
}
check "window.py gives window's result" same "$res/tumbling.out" \
	"$res/python.out"
check "mlr gives window's result" mlr "$res/tumbling.out" "$res/mlr.out"
check "the sliding windows are merges of the tumbling ones" sliding \
	"$res/tumbling.out" "$res/sliding.out" 60 10
check "every window of the many-keys run holds every key" keys \
	"$res/keys.out" "$keys"

echo
echo "Commands (\$READINGS=$READINGS, \$KEYS=$KEYS):"
for n in tumbling sliding python mlr cjson keys; do
	eval "echo \"    \$cmd_$n\""
done
exit "$failed"
