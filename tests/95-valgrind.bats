#!/usr/bin/env bats
# Each tool once under valgrind, on good and bad input: no invalid reads
# or writes, no leaks.  Plain build only (the sanitizer build has its own
# checks and cannot run under valgrind).

load helper

setup() {
	T="$BATS_TEST_TMPDIR"
	[ "$RTPIPE_BUILD" = build ] || skip "checked once, in the plain build"
	tweet-sim --no-pacing -c 500 --seed 5 > "$T/posts"
	printf '%s\n' 'not json' '{"text":"caf\xe9 #Ça va @x https://e.com/#y $ABC"}' \
		'{"text":"x"' '{"id":1}' >> "$T/posts"
}

vg() {
	valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99 "$@"
}

@test "tweet-sim under valgrind" {
	run vg tweet-sim --no-pacing -c 2000 --stats
	[ "$status" -eq 0 ]
}

@test "iot-sim under valgrind" {
	run vg iot-sim --no-pacing -c 20000 --stats --anomaly-rate 0.01 --disorder 2s --late-fraction 0.05
	[ "$status" -eq 0 ]
	run vg iot-sim --no-pacing -c 2000 --format csv
	[ "$status" -eq 0 ]
}

@test "tokenize under valgrind" {
	run vg tokenize --fold --stats --dead-letter "$T/dl" "$T/posts"
	[ "$status" -eq 0 ]
	run vg tokenize --into -k hashtag,url "$T/posts"
	[ "$status" -eq 0 ]
}

@test "window under valgrind" {
	iot-sim --no-pacing -n 20 -c 5000 --disorder 2s --late-fraction 0.02 > "$T/iot"
	printf '%s\n' 'junk' '{"ts":"x","value":1}' >> "$T/iot"
	run vg window -s 10s -S 2s -l 1s -k sensor_id -a count,avg:value,p95:value,distinct:value,stddev:value \
		--late "$T/late" --checkpoint "$T/ck" "$T/iot"
	[ "$status" -eq 0 ]
	run vg window --session 3s -k sensor_id -a count,first:value,last:value "$T/iot"
	[ "$status" -eq 0 ]
}

@test "hashtag-count under valgrind" {
	run vg hashtag-count -f text -w 10s -S 2s --trending "$T/posts"
	[ "$status" -eq 0 ]
	run sh -c 'tokenize -k hashtag "$1" | valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 hashtag-count --total --stats' sh "$T/posts"
	[ "$status" -eq 0 ]
}
