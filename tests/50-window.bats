#!/usr/bin/env bats
# window: tumbling, sliding and session windows against an independent
# reference, every aggregate, lateness, emit modes, checkpoints (options
# refused, damage, kill -9 and replay), and the unhappy paths every tool
# has.

load helper

REF="$TOP/tests/window-ref.py"
GEN="$FIX/window-gen.py"
ALL=count,sum:v,avg:v,min:v,max:v,first:v,last:v,distinct:code,p50:v,p95:v,p99:v,stddev:v

w() { printf '"window_start":"%s","window_end":"%s"' "$1" "$2"; }
E0=1970-01-01T00:00:00.000Z

# Runs window and the reference with the same options on $T/in and
# compares the results and the late records.
against_ref() {
	rm -f "$T/c.late" "$T/r.late"
	window "$@" --late "$T/c.late" "$T/in" > "$T/c.out"
	python3 "$REF" "$@" --late "$T/r.late" "$T/in" > "$T/r.out"
	[ -s "$T/r.out" ]
	python3 "$REF" --same "$T/r.out" "$T/c.out"
	touch "$T/c.late" "$T/r.late"
	cmp "$T/r.late" "$T/c.late"
}

@test "tumbling windows give the reference's results on disordered input" {
	for seed in 1 2 3; do
		python3 "$GEN" "$seed" 4000 > "$T/in"
		against_ref -s 10s -k sensor,type -a "$ALL"
		against_ref -s 10s -l 5s -k sensor,type -a "$ALL"
		against_ref -s 1s -l 2s -k type -a "$ALL"
	done
	[ "$(wc -l < "$T/c.late")" -gt 100 ]
}

@test "sliding windows give the reference's results on disordered input" {
	for seed in 1 2 3; do
		python3 "$GEN" "$seed" 4000 > "$T/in"
		against_ref -s 30s -S 10s -l 2s -k sensor,type -a "$ALL"
		against_ref -s 10s -S 4s -l 3s -k sensor -a "$ALL"
		against_ref -s 7s -S 3s -k type,sensor -a "$ALL"
	done
}

@test "session windows give the reference's results on disordered input" {
	for seed in 1 2 3; do
		python3 "$GEN" "$seed" 4000 > "$T/in"
		against_ref --session 2s -k sensor,type -a "$ALL"
		against_ref --session 500ms -l 4s -k sensor -a "$ALL"
		against_ref --session 1s -l 30s -k type -a "$ALL"
	done
}

@test "keys that come and go are forgotten, and results stay the reference's" {
	python3 -c '
import random
r = random.Random(3)
for i in range(30000):
    k = i // 3 if r.random() < 0.9 else r.randint(0, 50)
    print("{\"ts\":%d,\"k\":\"u%d\",\"v\":%d}" % (1700000000000 + i * 10 + r.randint(-50, 50), k, r.randint(0, 9)))
' > "$T/in"
	against_ref -s 1s -k k -a count,sum:v,p50:v,distinct:v
	against_ref -s 2s -S 500ms -k k -a count,sum:v,p50:v,distinct:v
	against_ref --session 100ms -l 200ms -k k -a count,sum:v,p50:v,distinct:v
}

@test "every aggregate on a small input, exactly" {
	run --separate-stderr window -s 10s -k k --stats \
		-a count,sum:v,avg:v,min:v,max:v,first:v,last:v,distinct:v,p50:v,p95:v,stddev:v \
		"$FIX/window-small.ndjson"
	[ "$status" -eq 0 ]
	W0=$(w 2026-01-01T00:00:00.000Z 2026-01-01T00:00:10.000Z)
	W1=$(w 2026-01-01T00:00:10.000Z 2026-01-01T00:00:20.000Z)
	same "$output" "{$W0,\"k\":\"a\",\"count\":4,\"sum_v\":11,\"avg_v\":2.75,\"min_v\":-2,\"max_v\":10,\"first_v\":-2,\"last_v\":10,\"distinct_v\":3,\"p50_v\":1.5,\"p95_v\":10,\"stddev_v\":5.107184482014854}
{$W0,\"k\":\"b\",\"count\":1,\"sum_v\":4,\"avg_v\":4,\"min_v\":4,\"max_v\":4,\"first_v\":4,\"last_v\":4,\"distinct_v\":1,\"p50_v\":4,\"p95_v\":4,\"stddev_v\":null}
{$W1,\"k\":\"a\",\"count\":1,\"sum_v\":7,\"avg_v\":7,\"min_v\":7,\"max_v\":7,\"first_v\":7,\"last_v\":7,\"distinct_v\":1,\"p50_v\":7,\"p95_v\":7,\"stddev_v\":null}
{$W1,\"k\":\"b\",\"count\":5,\"sum_v\":1.1,\"avg_v\":0.22000000000000003,\"min_v\":0.1,\"max_v\":0.35,\"first_v\":0.1,\"last_v\":0.35,\"distinct_v\":5,\"p50_v\":0.2,\"p95_v\":0.35,\"stddev_v\":0.10368220676663858}"
	same "$stderr" '{"tool":"window","records_in":12,"records_out":4,"bad_input":0,"dropped":0,"utf8_repaired":0,"late":1,"windows":2,"keys":0,"skipped":0}'
}

@test "percentiles by nearest rank; distinct counts numbers by value and any JSON value" {
	for v in 5 1 4 2 3 1.0 '"1"' '[1]' 1e0; do
		printf '{"ts":1,"v":%s,"n":%s}\n' "$v" "$(echo "$v" | tr -d '"[]')"
	done > "$T/in"
	run --separate-stderr window -s 10s -a p1:n,p50:n,p90:n,p100:n,distinct:v,distinct:n=dn "$T/in"
	[ "$status" -eq 0 ]
	same "$output" "{$(w $E0 1970-01-01T00:00:10.000Z),\"p1_n\":1,\"p50_n\":1,\"p90_n\":5,\"p100_n\":5,\"distinct_v\":7,\"dn\":5}"
}

@test "renamed aggregates; a sum too large for a double is null" {
	printf '%s\n' '{"ts":1,"v":1e308}' '{"ts":2,"v":1e308}' > "$T/in"
	run --separate-stderr window -s 10s -a count=n,sum:v=total,max:v "$T/in"
	[ "$status" -eq 0 ]
	same "$output" "{$(w $E0 1970-01-01T00:00:10.000Z),\"n\":2,\"total\":null,\"max_v\":1e308}"
}

@test "keys keep their bytes, missing ones group under null, order is by JSON text" {
	printf '%s\n' '{"ts":1,"id":1992000000000002768}' '{"ts":1,"id":1.0}' \
		'{"ts":1,"id":"1.0"}' '{"ts":1,"id":{"x": 1}}' '{"ts":1}' \
		'{"ts":1,"id":null}' '{"ts":1,"id":1.0}' > "$T/in"
	run --separate-stderr window -s 10s -k id "$T/in"
	[ "$status" -eq 0 ]
	W0=$(w $E0 1970-01-01T00:00:10.000Z)
	same "$output" "{$W0,\"id\":\"1.0\",\"count\":1}
{$W0,\"id\":1.0,\"count\":2}
{$W0,\"id\":1992000000000002768,\"count\":1}
{$W0,\"id\":null,\"count\":2}
{$W0,\"id\":{\"x\": 1},\"count\":1}"
}

@test "dotted key paths, several keys, ordered field by field" {
	printf '%s\n' '{"ts":1,"u":{"name":"b"},"t":"x"}' '{"ts":1,"u":{"name":"a"},"t":"y"}' \
		'{"ts":1,"u":{"name":"a"},"t":"x"}' '{"ts":1,"u":{"name":"a"},"t":"x"}' \
		'{"ts":1,"u":"flat","t":"x"}' > "$T/in"
	run --separate-stderr window -s 10s -k u.name,t "$T/in"
	[ "$status" -eq 0 ]
	W0=$(w $E0 1970-01-01T00:00:10.000Z)
	same "$output" "{$W0,\"u.name\":\"a\",\"t\":\"x\",\"count\":2}
{$W0,\"u.name\":\"a\",\"t\":\"y\",\"count\":1}
{$W0,\"u.name\":\"b\",\"t\":\"x\",\"count\":1}
{$W0,\"u.name\":null,\"t\":\"x\",\"count\":1}"
}

@test "a sliding-window record still counts in its open windows; late ones are counted" {
	printf '%s\n' '{"ts":1}' '{"ts":12}' '{"ts":7}' '{"ts":3}' > "$T/in"
	run --separate-stderr window -s 10s -S 5s --stats "$T/in"
	[ "$status" -eq 0 ]
	same "$output" "{$(w 1969-12-31T23:59:55.000Z 1970-01-01T00:00:05.000Z),\"count\":1}
{$(w $E0 1970-01-01T00:00:10.000Z),\"count\":1}
{$(w 1970-01-01T00:00:05.000Z 1970-01-01T00:00:15.000Z),\"count\":2}
{$(w 1970-01-01T00:00:10.000Z 1970-01-01T00:00:20.000Z),\"count\":1}"
	same "$stderr" '{"tool":"window","records_in":4,"records_out":4,"bad_input":0,"dropped":0,"utf8_repaired":0,"late":1,"windows":4,"keys":0,"skipped":0}'
}

@test "sessions extend, merge, and are never reopened once written" {
	printf '%s\n' '{"ts":0,"u":"x"}' '{"ts":8,"u":"x"}' '{"ts":4,"u":"x"}' \
		'{"ts":30,"u":"x"}' '{"ts":11,"u":"x"}' '{"ts":18,"u":"x"}' '{"ts":2,"u":"y"}' > "$T/in"
	run --separate-stderr window --session 5s -l 10s -k u -a count,first:ts,last:ts --stats "$T/in"
	[ "$status" -eq 0 ]
	same "$output" "{$(w $E0 1970-01-01T00:00:13.000Z),\"u\":\"x\",\"count\":3,\"first_ts\":0,\"last_ts\":8}
{$(w 1970-01-01T00:00:18.000Z 1970-01-01T00:00:23.000Z),\"u\":\"x\",\"count\":1,\"first_ts\":18,\"last_ts\":18}
{$(w 1970-01-01T00:00:30.000Z 1970-01-01T00:00:35.000Z),\"u\":\"x\",\"count\":1,\"first_ts\":30,\"last_ts\":30}"
	same "$stderr" '{"tool":"window","records_in":7,"records_out":3,"bad_input":0,"dropped":0,"utf8_repaired":0,"late":2,"windows":3,"keys":0,"skipped":0}'
}

@test "late records go to --late verbatim and are counted" {
	printf '%s\n' '{"ts":1, "v":1}' '{"ts":15,"v":2}' '{ "ts" : 3 ,"v":3 }' \
		'{"ts":9.999,"v":4}' '{"ts":10,"v":5}' '{"ts":"1970-01-01T00:00:05Z","v":"x"}' > "$T/in"
	echo '{"old":1}' > "$T/late"
	run --separate-stderr window -s 10s -l 5s -a sum:v --late "$T/late" --stats "$T/in"
	[ "$status" -eq 0 ]
	same "$output" "{$(w $E0 1970-01-01T00:00:10.000Z),\"sum_v\":1}
{$(w 1970-01-01T00:00:10.000Z 1970-01-01T00:00:20.000Z),\"sum_v\":7}"
	same "$(cat "$T/late")" '{"old":1}
{ "ts" : 3 ,"v":3 }
{"ts":9.999,"v":4}'
	same "$stderr" "window: $T/in:6: no numeric field 'v'
{\"tool\":\"window\",\"records_in\":6,\"records_out\":2,\"bad_input\":1,\"dropped\":0,\"utf8_repaired\":0,\"late\":2,\"windows\":2,\"keys\":0,\"skipped\":0}"
}

@test "--emit update writes each change of the open windows" {
	printf '%s\n' '{"ts":1}' '{"ts":12}' '{"ts":7}' '{"ts":3}' > "$T/in"
	run --separate-stderr window -s 10s -S 5s --emit update "$T/in"
	[ "$status" -eq 0 ]
	same "$output" "{$(w 1969-12-31T23:59:55.000Z 1970-01-01T00:00:05.000Z),\"count\":1}
{$(w $E0 1970-01-01T00:00:10.000Z),\"count\":1}
{$(w 1970-01-01T00:00:05.000Z 1970-01-01T00:00:15.000Z),\"count\":1}
{$(w 1970-01-01T00:00:10.000Z 1970-01-01T00:00:20.000Z),\"count\":1}
{$(w 1970-01-01T00:00:05.000Z 1970-01-01T00:00:15.000Z),\"count\":2}"
	printf '%s\n' '{"ts":0,"u":"x"}' '{"ts":8,"u":"x"}' '{"ts":4,"u":"x"}' > "$T/in"
	run --separate-stderr window --session 5s -l 10s -k u --emit update "$T/in"
	[ "$status" -eq 0 ]
	same "$output" "{$(w $E0 1970-01-01T00:00:05.000Z),\"u\":\"x\",\"count\":1}
{$(w 1970-01-01T00:00:08.000Z 1970-01-01T00:00:13.000Z),\"u\":\"x\",\"count\":1}
{$(w $E0 1970-01-01T00:00:13.000Z),\"u\":\"x\",\"count\":3}"
}

@test "--emit every writes early results while a window is open, and the result at its close" {
	bg_on_pipe window -s 1h -k k --emit every=50ms
	echo '{"ts":1,"k":"a"}' >&5
	wait_lines 1
	echo '{"ts":2,"k":"a"}' >&5
	echo '{"ts":3,"k":"b"}' >&5
	exec 5>&-
	wait "$pid"
	W0=$(w $E0 1970-01-01T01:00:00.000Z)
	same "$(head -n 1 "$T/out")" "{$W0,\"k\":\"a\",\"count\":1}"
	same "$(tail -n 2 "$T/out")" "{$W0,\"k\":\"a\",\"count\":2}
{$W0,\"k\":\"b\",\"count\":1}"
	same "$(cat "$T/err")" ""
}

@test "--idle closes the last windows of a quiet stream" {
	mkfifo "$T/gate"
	run --separate-stderr timeout 60 sh -c '
		{ echo "{\"ts\":9.95}"; cat "$1/gate" >/dev/null; } |
		window -s 10s --idle 100ms |
		{ read -r first; echo > "$1/gate"; echo "$first"; cat; }' sh "$T"
	[ "$status" -eq 0 ]
	same "$output" "{$(w $E0 1970-01-01T00:00:10.000Z),\"count\":1}"
}

@test "--processing-time writes windows on time without input" {
	mkfifo "$T/gate"
	run --separate-stderr timeout 60 sh -c '
		{ echo "{\"k\":\"now\"}"; cat "$1/gate" >/dev/null; } |
		window -s 200ms --processing-time -k k |
		{ read -r first; echo > "$1/gate"; echo "$first"; cat; }' sh "$T"
	[ "$status" -eq 0 ]
	same "$(echo "$output" | jq -c 'del(.window_start, .window_end)')" '{"k":"now","count":1}'
	[ "$(echo "$output" | jq '(.window_end | sub("Z$"; "") | sub("\\.[0-9]+$"; "")) != null')" = true ]
}

@test "a checkpoint carries open windows into the next run" {
	printf '%s\n' '{"ts":1,"k":"a"}' '{"ts":2,"k":"b"}' > "$T/a"
	printf '%s\n' '{"ts":3,"k":"a"}' '{"ts":15,"k":"a"}' > "$T/b"
	run --separate-stderr window -s 10s -k k --checkpoint "$T/ck" "$T/a"
	[ "$status" -eq 0 ]
	W0=$(w $E0 1970-01-01T00:00:10.000Z)
	same "$output" "{$W0,\"k\":\"a\",\"count\":1}
{$W0,\"k\":\"b\",\"count\":1}"
	[ -f "$T/ck" ] && [ ! -e "$T/ck.prev" ] && [ ! -e "$T/ck.tmp" ]
	run --separate-stderr window -s 10s -k k --checkpoint "$T/ck" --stats "$T/b"
	[ "$status" -eq 0 ]
	same "$output" "{$W0,\"k\":\"a\",\"count\":2}
{$W0,\"k\":\"b\",\"count\":1}
{$(w 1970-01-01T00:00:10.000Z 1970-01-01T00:00:20.000Z),\"k\":\"a\",\"count\":1}"
	same "$stderr" '{"tool":"window","records_in":2,"records_out":3,"bad_input":0,"dropped":0,"utf8_repaired":0,"late":0,"windows":2,"keys":0,"skipped":0}'
	[ -f "$T/ck.prev" ]
}

@test "a checkpoint written with other window options is refused" {
	echo '{"ts":1,"v":1}' > "$T/in"
	window -s 10s -a count,avg:v --checkpoint "$T/ck" "$T/in" > /dev/null
	cp "$T/ck" "$T/ck.orig"
	run --separate-stderr window -s 20s -a count,avg:v --checkpoint "$T/ck" "$T/in"
	[ "$status" -eq 1 ]
	same "$stderr" "window: cannot restore '$T/ck': it was written with other window options (-s 10000ms -S 10000ms -t ts --time-format auto -l 0ms -a count,avg:v), not (-s 20000ms -S 20000ms -t ts --time-format auto -l 0ms -a count,avg:v)"
	same "$output" ""
	cmp "$T/ck" "$T/ck.orig"
	run --separate-stderr window --session 5s -k v --checkpoint "$T/ck" "$T/in"
	[ "$status" -eq 1 ]
	same "$stderr" "window: cannot restore '$T/ck': it was written with other window options (-s 10000ms -S 10000ms -t ts --time-format auto -l 0ms -a count,avg:v), not (--session 5000ms -t ts --time-format auto -l 0ms -k v -a count)"
	# Renaming an output field changes nothing that the state depends on.
	run --separate-stderr window -s 10s -a count=n,avg:v=mean --checkpoint "$T/ck" < /dev/null
	[ "$status" -eq 0 ]
	same "$output" "{$(w $E0 1970-01-01T00:00:10.000Z),\"n\":1,\"mean\":1}"
}

@test "a damaged checkpoint is refused and the previous good one restored" {
	for t in 1 2; do echo "{\"ts\":$t,\"k\":\"a\"}"; done > "$T/a"
	echo '{"ts":3,"k":"a"}' > "$T/b"
	window -s 10s -k k --checkpoint "$T/ck" < /dev/null > /dev/null
	window -s 10s -k k --checkpoint "$T/ck" "$T/a" > /dev/null
	window -s 10s -k k --checkpoint "$T/ck" "$T/b" > /dev/null
	# ck holds 3 records, ck.prev 2.
	cp "$T/ck" "$T/good"
	size=$(stat -c %s "$T/ck")
	printf 'X' | dd of="$T/ck" bs=1 seek=$((size - 3)) conv=notrunc 2> /dev/null
	run --separate-stderr window -s 10s -k k --checkpoint "$T/ck" < /dev/null
	[ "$status" -eq 0 ]
	same "$stderr" "window: cannot restore '$T/ck': checksum mismatch; restored '$T/ck.prev' instead"
	same "$output" "{$(w $E0 1970-01-01T00:00:10.000Z),\"k\":\"a\",\"count\":2}"
	# That run saved a good checkpoint of its own over the damaged one.
	run --separate-stderr window -s 10s -k k --checkpoint "$T/ck" < /dev/null
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" "{$(w $E0 1970-01-01T00:00:10.000Z),\"k\":\"a\",\"count\":2}"
	cp "$T/good" "$T/ck"
	head -c 40 "$T/good" > "$T/ck"
	run --separate-stderr window -s 10s -k k --checkpoint "$T/ck" < /dev/null
	[ "$status" -eq 0 ]
	same "$stderr" "window: cannot restore '$T/ck': truncated (16 of $((size - 24)) bytes); restored '$T/ck.prev' instead"
}

@test "when no checkpoint is usable the tool stops and leaves the files alone" {
	echo '{"ts":1,"k":"a"}' > "$T/a"
	window -s 10s -k k --checkpoint "$T/ck" "$T/a" > /dev/null
	window -s 10s -k k --checkpoint "$T/ck" "$T/a" > /dev/null
	printf 'X' | dd of="$T/ck" bs=1 seek=30 conv=notrunc 2> /dev/null
	head -c 10 "$T/ck.prev" > "$T/p" && mv "$T/p" "$T/ck.prev"
	cp "$T/ck" "$T/ck.orig"
	cp "$T/ck.prev" "$T/prev.orig"
	run --separate-stderr window -s 10s -k k --checkpoint "$T/ck" "$T/a"
	[ "$status" -eq 1 ]
	same "$stderr" "window: cannot restore '$T/ck': checksum mismatch"
	same "$output" ""
	cmp "$T/ck" "$T/ck.orig"
	cmp "$T/ck.prev" "$T/prev.orig"
	echo 'state' > "$T/ck2"
	run --separate-stderr window -s 10s --checkpoint "$T/ck2" "$T/a"
	[ "$status" -eq 1 ]
	same "$stderr" "window: cannot restore '$T/ck2': not a checkpoint file"
	: > "$T/ck3"
	run --separate-stderr window -s 10s --checkpoint "$T/ck3" "$T/a"
	[ "$status" -eq 1 ]
	same "$stderr" "window: cannot restore '$T/ck3': truncated (0 bytes)"
}

@test "a checkpoint that cannot be saved at exit makes the status 1" {
	echo '{"ts":1}' > "$T/in"
	run --separate-stderr window -s 10s --checkpoint "$T/none/ck" "$T/in"
	[ "$status" -eq 1 ]
	same "$stderr" "window: cannot write '$T/none/ck.tmp': No such file or directory"
	same "$output" "{$(w $E0 1970-01-01T00:00:10.000Z),\"count\":1}"
}

# Writes $1 slowly, so that a kill lands in the middle of the stream.
slow_feed() {
	python3 -c '
import sys, time
for i, line in enumerate(open(sys.argv[1])):
    sys.stdout.write(line)
    if i % 25 == 0:
        sys.stdout.flush()
        time.sleep(0.01)
' "$1" 2> /dev/null
}

@test "kill -9 at random points, then a full replay, gives the uninterrupted results" {
	python3 "$GEN" 7 3000 > "$T/in"
	opts=(-s 10s -S 5s -l 2s -k sensor -a count,sum:v,p50:v,distinct:code,stddev:v
	      --position-field seq --partition-field sensor)
	window "${opts[@]}" --checkpoint "$T/whole.ck" "$T/in" | sort -u > "$T/whole"
	[ "$(wc -l < "$T/whole")" -gt 100 ]
	mid=0
	for seed in 1 2 3 4 5 6; do
		rm -f "$T"/ck*
		slow_feed "$T/in" | window "${opts[@]}" --checkpoint "$T/ck" \
			--checkpoint-every 20ms > "$T/a" &
		pid=$!
		sleep "$(awk -v s="$seed" 'BEGIN { srand(s); printf "%.2f", 0.1 + rand() * 1.2 }')"
		kill -9 "$pid"
		wait "$pid" || true
		window "${opts[@]}" --checkpoint "$T/ck" --stats "$T/in" > "$T/b" 2> "$T/err"
		# A kill in the middle of a large write may cut the last record.
		grep '}$' "$T/a" | sort -u - "$T/b" > "$T/union"
		cmp "$T/union" "$T/whole"
		skipped=$(jq .skipped "$T/err")
		[ "$skipped" -gt 0 ] && [ "$skipped" -lt 3000 ] && mid=$((mid + 1))
	done
	# The kills landed mid-stream, after a checkpoint, at least once.
	[ "$mid" -gt 0 ]
}

@test "records at or below their partition's position are skipped" {
	printf '%s\n' '{"ts":1,"p":"x","o":1}' '{"ts":1,"p":"y","o":1}' '{"ts":1,"p":"x","o":1}' \
		'{"ts":1,"p":"x","o":2}' '{"ts":1,"o":5}' '{"ts":1,"o":4}' '{"ts":1,"p":"x","o":"3"}' \
		'{"ts":1,"p":"x","o":2.5}' '{"ts":1,"p":"x","o":99999999999999999999}' > "$T/in"
	run --separate-stderr window -s 10s --checkpoint "$T/ck" --position-field o \
		--partition-field p --stats "$T/in"
	[ "$status" -eq 0 ]
	same "$output" "{$(w $E0 1970-01-01T00:00:10.000Z),\"count\":4}"
	same "$stderr" "window: $T/in:7: no integer position in field 'o'
window: $T/in:8: no integer position in field 'o'
window: $T/in:9: no integer position in field 'o'
{\"tool\":\"window\",\"records_in\":9,\"records_out\":1,\"bad_input\":3,\"dropped\":0,\"utf8_repaired\":0,\"late\":0,\"windows\":1,\"keys\":0,\"skipped\":2}"
}

@test "--max-keys drops the records of new keys, counted, until windows close" {
	printf '%s\n' '{"ts":1,"k":"a"}' '{"ts":2,"k":"b"}' '{"ts":3,"k":"c"}' '{"ts":4,"k":"c"}' \
		'{"ts":5,"k":"a"}' '{"ts":12,"k":"a"}' '{"ts":13,"k":"d"}' > "$T/in"
	run --separate-stderr window -s 10s -k k --max-keys 2 --stats "$T/in"
	[ "$status" -eq 0 ]
	W0=$(w $E0 1970-01-01T00:00:10.000Z)
	W1=$(w 1970-01-01T00:00:10.000Z 1970-01-01T00:00:20.000Z)
	same "$output" "{$W0,\"k\":\"a\",\"count\":2}
{$W0,\"k\":\"b\",\"count\":1}
{$W1,\"k\":\"a\",\"count\":1}
{$W1,\"k\":\"d\",\"count\":1}"
	same "$stderr" 'window: --max-keys 2 reached: dropping the records of new keys
{"tool":"window","records_in":7,"records_out":4,"bad_input":0,"dropped":2,"utf8_repaired":0,"late":0,"windows":2,"keys":0,"skipped":0}'
}

@test "records without a usable time or numeric field are bad input, kept and reported" {
	printf '%s\n' '{"ts":1,"v":1}' '{"v":2}' '{"ts":"yesterday","v":3}' '{"ts":true,"v":3}' \
		'{"ts":2,"v":"4"}' '{"ts":2}' '{"ts":2,"v":1e999}' '{"ts":3,"v":5,"u":1}' '{"ts":4,"v":6}' > "$T/in"
	run --separate-stderr window -s 10s -a sum:v,distinct:u --dead-letter "$T/dl" --stats "$T/in"
	[ "$status" -eq 0 ]
	same "$output" "{$(w $E0 1970-01-01T00:00:10.000Z),\"sum_v\":5,\"distinct_u\":1}"
	same "$stderr" "window: $T/in:1: no field 'u'
window: $T/in:2: no usable time in field 'ts'
window: $T/in:3: no usable time in field 'ts'
window: $T/in:4: no usable time in field 'ts'
window: $T/in:5: no numeric field 'v'
window: $T/in:6: no numeric field 'v'
window: $T/in:7: no numeric field 'v'
window: $T/in:9: no field 'u'
{\"tool\":\"window\",\"records_in\":9,\"records_out\":1,\"bad_input\":8,\"dropped\":0,\"utf8_repaired\":0,\"late\":0,\"windows\":1,\"keys\":0,\"skipped\":0}"
	same "$(cat "$T/dl")" "$(sed -e 8d "$T/in")"
}

@test "--time-format forces one reading of the time" {
	printf '%s\n' '{"ts":1500}' '{"ts":"1970-01-01T00:00:03Z"}' > "$T/in"
	run --separate-stderr window -s 10s --time-format ms "$T/in"
	[ "$status" -eq 0 ]
	same "$output" "{$(w $E0 1970-01-01T00:00:10.000Z),\"count\":1}"
	same "$stderr" "window: $T/in:2: no usable time in field 'ts'"
	run --separate-stderr window -s 10s --time-format rfc3339 -t ts "$T/in"
	same "$stderr" "window: $T/in:1: no usable time in field 'ts'"
}

@test "invalid JSON, other values, overlong lines and a missing final newline" {
	long=$(printf '{"ts":1,"pad":"%0200d"}' 0)
	{
		printf '%s\n' '{"ts":1}' 'not json' '[1,2]' '{"ts":1' "$long" '  {"ts":2}  '
		printf '{"ts":3}'
	} > "$T/in"
	run --separate-stderr window -s 10s --max-line 100 --stats --dead-letter "$T/dl" "$T/in"
	[ "$status" -eq 0 ]
	same "$output" "{$(w $E0 1970-01-01T00:00:10.000Z),\"count\":3}"
	same "$stderr" "window: $T/in:2: not a JSON object
window: $T/in:3: not a JSON object
window: $T/in:4: invalid JSON: column 8: unexpected end of line
window: $T/in:5: line too long (over 100 bytes)
{\"tool\":\"window\",\"records_in\":7,\"records_out\":1,\"bad_input\":4,\"dropped\":0,\"utf8_repaired\":0,\"late\":0,\"windows\":1,\"keys\":0,\"skipped\":0}"
	same "$(cat "$T/dl")" "not json
[1,2]
{\"ts\":1
$long"
}

@test "invalid UTF-8 and lone surrogates in keys never reach the output and group alike" {
	printf '{"ts":1,"k":"caf\xe9"}\n{"ts":2,"k":"caf\xff"}\n{"ts":3,"k":"\\ud800"}\n{"ts":4,"k":"\\udc00x"}\n{"ts":5,"k":"\\udc00"}\n{"ts":6,"k":"\\ud83d\\ude00"}\n' > "$T/in"
	run --separate-stderr window -s 10s -k k --stats "$T/in"
	[ "$status" -eq 0 ]
	W0=$(w $E0 1970-01-01T00:00:10.000Z)
	same "$output" "{$W0,\"k\":\"\\ud83d\\ude00\",\"count\":1}
{$W0,\"k\":\"\\ufffd\",\"count\":2}
{$W0,\"k\":\"\\ufffdx\",\"count\":1}
{$W0,\"k\":\"caf�\",\"count\":2}"
	same "$stderr" '{"tool":"window","records_in":6,"records_out":4,"bad_input":0,"dropped":0,"utf8_repaired":5,"late":0,"windows":1,"keys":0,"skipped":0}'
	echo "$output" | jq -e . > /dev/null
}

@test "a full disk is a write error with status 1" {
	run --separate-stderr sh -c 'window -s 10s -k k "$1" > /dev/full' sh "$FIX/window-small.ndjson"
	[ "$status" -eq 1 ]
	same "$stderr" "window: write error: No space left on device"
}

@test "a reader that goes away ends the tool quietly" {
	python3 "$GEN" 3 50000 > "$T/in"
	run --separate-stderr bash -c 'window -s 1s -k sensor,type -a count,avg:v "$1" 2> "$2" | head -n 1 > /dev/null; echo "${PIPESTATUS[0]}"' sh "$T/in" "$T/err"
	[ "$status" -eq 0 ]
	same "$output" 0
	same "$(cat "$T/err")" ""
}

@test "SIGTERM saves the checkpoint, writes the open windows and exits 0" {
	bg_on_pipe window -s 1h -k k --checkpoint "$T/ck"
	echo '{"ts":1,"k":"drained"}' >&5
	wait_stat records_in 1
	kill -TERM "$pid"
	wait "$pid"
	exec 5>&-
	same "$(cat "$T/out")" "{$(w $E0 1970-01-01T01:00:00.000Z),\"k\":\"drained\",\"count\":1}"
	run --separate-stderr window -s 1h -k k --checkpoint "$T/ck" < /dev/null
	same "$output" "{$(w $E0 1970-01-01T01:00:00.000Z),\"k\":\"drained\",\"count\":1}"
}

@test "SIGUSR1 writes one stats line and the stream goes on" {
	bg_on_pipe window -s 10s
	echo '{"ts":1}' >&5
	wait_stat records_in 1
	echo '{"ts":2}' >&5
	exec 5>&-
	wait "$pid"
	same "$(grep -c . "$T/err" | tr -d ' ')" "$(grep -c '"records_in":1,.*"keys":1' "$T/err" | tr -d ' ')"
	same "$(jq -c .count "$T/out")" 2
}

@test "usage errors exit 2 and name the option" {
	usage_error "window: one of -s and --session is needed" window
	usage_error "window: -s: too small: 0" window -s 0
	usage_error "window: -s: invalid duration: '10x'" window -s 10x
	usage_error "window: -S needs -s" window -S 5s
	usage_error "window: -S: slide larger than the window size -s" window -s 5s -S 10s
	usage_error "window: -s and --session cannot be used together" window -s 5s --session 1s
	usage_error "window: -a: unknown aggregate 'median'" window -s 5s -a count,median:v
	usage_error "window: -a: 'avg' needs a field: avg:FIELD" window -s 5s -a avg
	usage_error "window: -a: 'count' takes no field" window -s 5s -a count:v
	usage_error "window: -a: unknown aggregate 'p0'" window -s 5s -a p0:v
	usage_error "window: -a: unknown aggregate 'p101'" window -s 5s -a p101:v
	usage_error "window: -a: empty name after '='" window -s 5s -a sum:v=
	usage_error "window: -k: empty item in 'a,,b'" window -s 5s -k a,,b
	usage_error "window: output field 'count' appears twice (rename an aggregate with =NAME)" window -s 5s -a count,count
	usage_error "window: output field 'window_end' appears twice (rename an aggregate with =NAME)" window -s 5s -k window_end
	usage_error "window: --emit: expected close, update or every=DUR: 'sometimes'" window -s 5s --emit sometimes
	usage_error "window: --emit: too small: 0" window -s 5s --emit every=0
	usage_error "window: --time-format: expected auto, s, ms or rfc3339: 'iso'" window -s 5s --time-format iso
	usage_error "window: -l and --processing-time cannot be used together" window -s 5s -l 1s --processing-time
	usage_error "window: --idle and --processing-time cannot be used together" window -s 5s --idle 1s --processing-time
	usage_error "window: --position-field needs --checkpoint" window -s 5s --position-field seq
	usage_error "window: --partition-field needs --position-field" window -s 5s --checkpoint x --partition-field p
	usage_error "window: --checkpoint-every needs --checkpoint" window -s 5s --checkpoint-every 1s
	usage_error "window: --max-keys: too small: 0" window -s 5s --max-keys 0
	usage_error_with_synopsis "window: unrecognized option '--bogus'" window -s 5s --bogus
}

@test "-h prints the usage to stdout; -V the version" {
	help_and_version window
}
