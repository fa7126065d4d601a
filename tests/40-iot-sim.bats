#!/usr/bin/env bats
# iot-sim: the record format, determinism, the schedule, the value model,
# anomalies, disorder, CSV, and the unhappy paths every tool has.

load helper
bats_require_minimum_version 1.5.0

USAGE='usage: iot-sim [-huV] [-c COUNT] [-d DURATION] [-n SENSORS] [-r RATE] [--no-pacing]
               [--seed N] [--start TIME] [--stats] [--types LIST] [--prefix TEXT]
               [--anomaly-rate P] [--disorder DURATION] [--late-fraction F]
               [--format json|csv]'

ALL=temperature,humidity,pressure,co2,light,power,vibration,voltage

# "COUNT BAD": how many readings of file $1 (of sensor $3, or all) there
# are, and how many come other than $2 ms after the one before.
spacing() {
	jq -r --arg s "${3:-}" 'select($s == "" or .sensor_id == $s) | .ts' "$1" |
		awk -F '[T:.Z]' -v step="$2" '
		{ t = (($2 * 60 + $3) * 60 + $4) * 1000 + $5 }
		NR > 1 && t - p != step { bad++ }
		{ p = t }
		END { print NR, bad + 0 }'
}

# "COUNT BACK LATE WORST" of file $1: how many readings, how many are
# stamped before the latest stamp seen so far, how many more than $2 ms
# before it, and the most any is behind it, in ms (within one day).
lag() {
	jq -r .ts "$1" | awk -F '[T:.Z]' -v bound="$2" '
		{ t = (($2 * 60 + $3) * 60 + $4) * 1000 + $5 }
		NR > 1 && t < max { back++ }
		t > max { max = t }
		max - t > bound { late++ }
		max - t > worst { worst = max - t }
		END { print NR, back + 0, late + 0, worst + 0 }'
}

# Over the sensors of an NDJSON file: "JUMPS RUNS GAPS", the changes of
# value by more than 5, the runs of 5 equal values, and the gaps of more
# than 1.5 s between a sensor's stamps (within one day).
ANOMALIES='
def ms: .ts | (.[11:13] | tonumber) * 3600000 + (.[14:16] | tonumber) * 60000 +
	(.[17:19] | tonumber) * 1000 + (.[20:23] | tonumber);
group_by(.sensor_id) | map(
	. as $r |
	[ ([range(1; length) | select(($r[.].value - $r[. - 1].value) | fabs > 5)] | length),
	  ([range(1; length) | select([$r[. - 1: . + 4][].value] | length == 5 and
		(unique | length) == 1)] | length),
	  ([range(1; length) | select(($r[.] | ms) - ($r[. - 1] | ms) > 1500)] | length) ]) |
transpose | map(add) | @tsv'

@test "golden output for --seed 7 -n 3 -c 12" {
	run --separate-stderr iot-sim --seed 7 -n 3 -c 12 --no-pacing
	[ "$status" -eq 0 ]
	same "$output" "$(cat "$FIX/iot-sim-seed7.ndjson")"
	same "$stderr" ""
	run --separate-stderr iot-sim --seed 7 -n 3 -c 12 --no-pacing --format csv
	[ "$status" -eq 0 ]
	same "$output" "$(cat "$FIX/iot-sim-seed7.csv")"
	same "$stderr" ""
}

@test "the same seed gives the same bytes, another seed others" {
	sim_check_seed iot-sim "-c 20000 -n 50 --types $ALL --anomaly-rate 0.01 --disorder 3s --late-fraction 0.02"
}

@test "a paced run with a fixed start gives the bytes of an unpaced one" {
	sim_check_paced_bytes iot-sim "-r 1000 -c 300 -n 7 --start 2026-03-01T00:00:00Z --anomaly-rate 0.05 --disorder 50ms --late-fraction 0.05"
}

@test "-c gives exactly that many readings, through dropouts; -c 0 none" {
	run --separate-stderr sh -c 'iot-sim --no-pacing -c 1234 | wc -l;
		iot-sim --no-pacing -c 1234 --anomaly-rate 0.2 --disorder 1s | wc -l'
	[ "$status" -eq 0 ]
	same "$output" "1234
1234"
	same "$stderr" ""
	run --separate-stderr iot-sim --no-pacing -c 0
	[ "$status" -eq 0 ]
	same "$output$stderr" ""
	run --separate-stderr iot-sim --no-pacing -c 0 --format csv
	[ "$status" -eq 0 ]
	same "$output" "ts,sensor_id,type,value,unit,seq"
	same "$stderr" ""
}

@test "every line holds the six fields; every type has its unit and resolution" {
	iot-sim --no-pacing -c 8000 -n 16 --types "$ALL" --anomaly-rate 0.01 > "$T/r"
	run --separate-stderr sh -c 'jq -c "[keys_unsorted, (.ts|type), (.sensor_id|type),
		(.type|type), (.value|type), (.unit|type), (.seq|type)]" "$1" | sort | uniq -c' sh "$T/r"
	[ "$status" -eq 0 ]
	same "$output" '   8000 [["ts","sensor_id","type","value","unit","seq"],"string","string","string","number","string","number"]'
	same "$stderr" ""
	# Per type: its unit, and the most decimals any value has.
	run --separate-stderr sh -c 'jq -r "[.type, .unit, (.value | tostring |
		if test(\"[.]\") then sub(\"^[^.]*[.]\"; \"\") | length else 0 end)] | @tsv" "$1" |
		sort | awk -F "\t" "{ d[\$1 \" \" \$2] = \$3 > d[\$1 \" \" \$2] ? \$3 : d[\$1 \" \" \$2] }
		END { for (k in d) print k, d[k] + 0 }" | sort' sh "$T/r"
	[ "$status" -eq 0 ]
	same "$output" "co2 ppm 0
humidity % 1
light lx 0
power W 1
pressure hPa 2
temperature °C 2
vibration mm/s 2
voltage V 1"
	same "$stderr" ""
}

@test "sensor ids are numbered from 1, zero-padded to the width of -n, types in turn" {
	run --separate-stderr sh -c 'iot-sim --no-pacing -n 12 -c 12 --types co2,light,power |
		jq -r "[.sensor_id, .type] | @tsv" | sort'
	[ "$status" -eq 0 ]
	same "$output" "sensor-01	co2
sensor-02	light
sensor-03	power
sensor-04	co2
sensor-05	light
sensor-06	power
sensor-07	co2
sensor-08	light
sensor-09	power
sensor-10	co2
sensor-11	light
sensor-12	power"
	same "$stderr" ""
	run --separate-stderr sh -c 'iot-sim --no-pacing -n 1000 -c 1000 | jq -r .sensor_id | sort | sed -n "1p;\$p"'
	same "$output" "sensor-0001
sensor-1000"
	run --separate-stderr sh -c 'iot-sim --no-pacing -n 1 -c 2 --prefix "" | jq -r .sensor_id'
	same "$output" "1
1"
}

@test "seq counts each sensor's readings from 1 without gaps, whatever happens" {
	for extra in "" "--anomaly-rate 0.05" "--anomaly-rate 0.05 --disorder 20s --late-fraction 0.1"; do
		iot-sim --no-pacing -c 20000 -n 37 $extra > "$T/r"
		run --separate-stderr jq -s -c 'group_by(.sensor_id) |
			map((map(.seq) | sort) == [range(1; length + 1)]) | unique' "$T/r"
		[ "$status" -eq 0 ]
		same "$output" "[true]"
		same "$stderr" ""
	done
}

@test "sensors take the slots in turn, each every n / rate seconds" {
	iot-sim --no-pacing -n 4 -r 8 -c 400 > "$T/r"
	run --separate-stderr spacing "$T/r" 125
	[ "$status" -eq 0 ]
	same "$output" "400 0"
	same "$stderr" ""
	for s in 1 2 3 4; do
		run --separate-stderr spacing "$T/r" 500 sensor-$s
		[ "$status" -eq 0 ]
		same "$output" "100 0"
		same "$stderr" ""
	done
}

@test "values stay in realistic ranges and follow a daily cycle" {
	iot-sim --no-pacing -n 16 -r 0.2 -d 1d --types "$ALL" > "$T/day"
	run --separate-stderr jq -r -s 'group_by(.type)[] | [.[0].type,
		(map(.value) | min), (map(.value) | max)] | @tsv' "$T/day"
	[ "$status" -eq 0 ]
	same "$stderr" ""
	# Lower and upper bounds each type must keep to.
	same "$(printf '%s\n' "$output" | awk -F '\t' '
		BEGIN {
			lo["co2"] = 400; hi["co2"] = 1500
			lo["humidity"] = 30; hi["humidity"] = 90
			lo["light"] = 0; hi["light"] = 1200
			lo["power"] = 0; hi["power"] = 3000
			lo["pressure"] = 980; hi["pressure"] = 1045
			lo["temperature"] = 10; hi["temperature"] = 35
			lo["vibration"] = 0; hi["vibration"] = 6
			lo["voltage"] = 215; hi["voltage"] = 245
		}
		{ print $1, ($2 >= lo[$1] && $3 <= hi[$1] && $2 < $3) ? "ok" : "out: " $2 " " $3 }')" \
		"co2 ok
humidity ok
light ok
power ok
pressure ok
temperature ok
vibration ok
voltage ok"
	# Afternoons are warmer than nights; light is 0 at night only.
	run --separate-stderr jq -r -s '
		def avg(h): map(select(.ts[11:13] | tonumber | h)) | map(.value) | add / length;
		[ (map(select(.type == "temperature")) | avg(. >= 13 and . < 17) - avg(. >= 1 and . < 5) > 3),
		  (map(select(.type == "light")) | avg(. >= 0 and . < 4) == 0 and avg(. >= 11 and . < 15) > 300),
		  (map(select(.type == "humidity")) | avg(. >= 3 and . < 7) > avg(. >= 15 and . < 19)) ]' "$T/day"
	[ "$status" -eq 0 ]
	same "$output" '[
  true,
  true,
  true
]'
	same "$stderr" ""
}

@test "without --anomaly-rate there are no spikes, stuck values or gaps" {
	iot-sim --no-pacing -c 20000 -n 10 --types temperature --stats > "$T/r" 2> "$T/err"
	run --separate-stderr jq -r -s "$ANOMALIES" "$T/r"
	[ "$status" -eq 0 ]
	same "$output" "0	0	0"
	same "$stderr" ""
	run --separate-stderr jq -c '[.spikes, .stuck, .dropouts, .late]' "$T/err"
	same "$output" "[0,0,0,0]"
}

@test "--anomaly-rate makes spikes, stuck values and dropouts, never nulls" {
	iot-sim --no-pacing -c 20000 -n 10 --types temperature --anomaly-rate 0.01 --stats \
		> "$T/r" 2> "$T/err"
	run --separate-stderr jq -c '[.spikes, .stuck, .dropouts]' "$T/err"
	same "$output" "[108,41,51]"
	# A spike makes two jumps, there and back (fewer when spikes meet); a
	# stuck value repeats at least 5 times; each dropout leaves one gap.
	run --separate-stderr jq -r -s "$ANOMALIES" "$T/r"
	[ "$status" -eq 0 ]
	same "$stderr" ""
	set -- $output
	[ "$1" -ge 200 ] && [ "$1" -le 216 ]
	[ "$2" -ge 41 ]
	[ "$3" -eq 51 ]
	run --separate-stderr jq -s '[.[] | select(.value | type != "number")] | length' "$T/r"
	same "$output" "0"
}

@test "anomalies leave the other readings as they were" {
	iot-sim --no-pacing -c 5000 -n 10 > "$T/clean"
	iot-sim --no-pacing -c 5000 -n 10 --anomaly-rate 0.01 > "$T/odd"
	run --separate-stderr jq -r -n '
		[inputs | {key: (.sensor_id + .ts), value: .value}] as $all |
		($all[:5000] | from_entries) as $a | ($all[5000:] | from_entries) as $b |
		[$b | to_entries[] | select($a[.key] != null) | $a[.key] == .value] |
		[length, (map(select(.)) | length)] | @tsv' "$T/clean" "$T/odd"
	[ "$status" -eq 0 ]
	same "$stderr" ""
	set -- $output
	# Most readings of the anomalous run are in the clean one, unchanged.
	[ "$1" -ge 4500 ] && [ "$2" -ge $(($1 * 9 / 10)) ]
}

@test "--disorder: stamps go back, never more than the bound behind the latest" {
	iot-sim --no-pacing -c 20000 -n 10 -r 100 --disorder 2s > "$T/r"
	run --separate-stderr lag "$T/r" 2000
	[ "$status" -eq 0 ]
	same "$stderr" ""
	set -- $output
	[ "$1" -eq 20000 ] && [ "$2" -gt 10000 ] && [ "$3" -eq 0 ] && [ "$4" -gt 1900 ]
	# The same readings as without disorder, in another order.
	iot-sim --no-pacing -c 20000 -n 10 -r 100 > "$T/plain"
	run --separate-stderr cmp -s "$T/plain" "$T/r"
	[ "$status" -eq 1 ]
	sort "$T/r" > "$T/a"
	sort "$T/plain" > "$T/b"
	run --separate-stderr cmp "$T/a" "$T/b"
	[ "$status" -eq 0 ]
	same "$output$stderr" ""
}

@test "--late-fraction: that fraction of readings comes more than the bound late" {
	iot-sim --no-pacing -c 20000 -n 10 -r 100 --disorder 2s --late-fraction 0.05 --stats \
		> "$T/r" 2> "$T/err"
	same "$(jq .late "$T/err")" "973"
	# Late ones are 10 to 40 s late; near the end a few are let out with
	# less.
	run --separate-stderr lag "$T/r" 2000
	[ "$status" -eq 0 ]
	same "$stderr" ""
	set -- $output
	[ "$1" -eq 20000 ] && [ "$3" -ge 900 ] && [ "$3" -le 1100 ] && [ "$4" -le 40000 ]
	# Without --disorder, late ones come a minute after their stamp,
	# which is one slot less behind the latest stamp before them.
	iot-sim --no-pacing -c 20000 -n 10 -r 100 --late-fraction 0.05 > "$T/r"
	run --separate-stderr lag "$T/r" 0
	[ "$status" -eq 0 ]
	set -- $output
	[ "$1" -eq 20000 ] && [ "$2" -eq "$3" ] && [ "$3" -ge 900 ] && [ "$3" -le 1100 ]
	same "$4" "59990"
}

@test "--format csv: a header, the JSON values, fields quoted where they must be" {
	opts="--no-pacing -c 3000 -n 20 --types $ALL --anomaly-rate 0.01"
	iot-sim $opts --prefix 'plant "A", line 2/' --format csv > "$T/c"
	iot-sim $opts --prefix 'plant "A", line 2/' > "$T/j"
	run --separate-stderr head -n 3 "$T/c"
	[ "$status" -eq 0 ]
	same "$output" 'ts,sensor_id,type,value,unit,seq
2026-01-01T00:00:00.000Z,"plant ""A"", line 2/05",light,0,lx,1
2026-01-01T00:00:00.100Z,"plant ""A"", line 2/07",vibration,2.27,mm/s,1'
	same "$stderr" ""
	run --separate-stderr python3 - "$T/c" "$T/j" <<-'EOF'
	import csv, json, sys
	rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
	recs = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
	same = sum(1 for r, j in zip(rows, recs)
	           if list(r) == list(j) and json.loads(r["value"]) == j["value"] and
	           int(r["seq"]) == j["seq"] and
	           all(r[k] == j[k] for k in ("ts", "sensor_id", "type", "unit")))
	print(len(rows), len(recs), same)
	EOF
	[ "$status" -eq 0 ]
	same "$output" "3000 3000 3000"
	same "$stderr" ""
	# Plain ids stay unquoted; line breaks and outer blanks are quoted.
	run --separate-stderr sh -c 'iot-sim --no-pacing -c 2 -n 2 --format csv --prefix " x
y"'
	same "$output" 'ts,sensor_id,type,value,unit,seq
2026-01-01T00:00:00.000Z," x
y2",humidity,63.2,%,1
2026-01-01T00:00:00.100Z," x
y1",temperature,22.07,°C,1'
	run --separate-stderr mlr --icsv --ojson head -n 1 then cut -f sensor_id,value "$FIX/iot-sim-seed7.csv"
	[ "$status" -eq 0 ]
	same "$output" '[
{
  "sensor_id": "sensor-2",
  "value": 50
}
]'
}

@test "--prefix: escaped in JSON, invalid UTF-8 repaired and counted" {
	run --separate-stderr iot-sim --no-pacing -c 1 -n 1 --prefix "$(printf 'a"\\\t\377/')" --stats
	[ "$status" -eq 0 ]
	same "$output" '{"ts":"2026-01-01T00:00:00.000Z","sensor_id":"a\"\\\t�/1","type":"temperature","value":22.14,"unit":"°C","seq":1}'
	same "$stderr" '{"tool":"iot-sim","records_in":0,"records_out":1,"bad_input":0,"dropped":0,"utf8_repaired":1,"spikes":0,"stuck":0,"dropouts":0,"late":0}'
}

@test "-d counts simulated time, or real time when paced; --start takes three forms" {
	sim_check_schedule iot-sim
}

@test "bad option values are usage errors that name the option" {
	sim_check_bad_values iot-sim
	usage_error "iot-sim: -n: too small: 0" iot-sim -n 0
	usage_error "iot-sim: -n: too large: 1000001" iot-sim -n 1000001
	usage_error "iot-sim: --late-fraction: too large: 2" iot-sim --late-fraction 2
	usage_error "iot-sim: --anomaly-rate: too small: -0.1" iot-sim --anomaly-rate -0.1
	usage_error "iot-sim: --format: unknown format: 'xml'" iot-sim --format xml
	usage_error "iot-sim: --types: unknown type: 'bogus'" iot-sim --types bogus
	usage_error "iot-sim: --types: unknown type: ''" iot-sim --types temperature,,co2
	usage_error "iot-sim: --types: repeated type: 'co2'" iot-sim --types co2,light,co2
	usage_error "iot-sim: --disorder: invalid duration: '10x'" iot-sim --disorder 10x
	usage_error "iot-sim: --disorder: too large: 2d" iot-sim --disorder 2d
	usage_error "iot-sim: --prefix: too long (over 100 bytes)" iot-sim --prefix "$(printf '%0101d' 0)"
	usage_error "iot-sim: -r and --disorder: over 10000000 readings would be held back at once" \
		iot-sim -r 1e6 --disorder 1h
	usage_error "iot-sim: -r and --late-fraction: over 10000000 readings would be held back at once" \
		iot-sim -r 1e6 --late-fraction 0.5
}

@test "unknown options, options of filters and operands print the usage; -h, -V" {
	sim_check_usage iot-sim
	usage_error_with_synopsis "iot-sim: option requires an argument -- 'n'" iot-sim -n
}

@test "a full disk is a write error; a reader that goes away ends the stream quietly" {
	sim_check_output iot-sim
	for opts in "--disorder 1s" "-c 0 --format csv"; do
		run --separate-stderr sh -c 'iot-sim --no-pacing $1 > /dev/full' sh "$opts"
		[ "$status" -eq 1 ]
		same "$output" ""
		same "$stderr" "iot-sim: write error: No space left on device"
	done
	run --separate-stderr bash -c 'iot-sim -r 1000 --format csv | head -n1; echo "${PIPESTATUS[0]}"'
	[ "$status" -eq 0 ]
	same "$output" "ts,sensor_id,type,value,unit,seq
0"
	same "$stderr" ""
}

@test "SIGUSR1 prints one stats line, --stats one at exit; SIGTERM ends a paced run, nothing held back" {
	sim_check_signals iot-sim "-n 5 --disorder 2s --late-fraction 0.2" \
		',"spikes":0,"stuck":0,"dropouts":0,"late":0'
	# Readings held back come out at the end: no sensor misses a seq.
	run --separate-stderr jq -s -c 'group_by(.sensor_id) |
		map((map(.seq) | sort) == [range(1; length + 1)]) | unique' "$T/out"
	[ "$status" -eq 0 ]
	same "$output" '[true]'
	same "$stderr" ""
}
