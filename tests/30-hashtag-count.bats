#!/usr/bin/env bats
# hashtag-count: batches, event-time windows, totals, trending, and the
# unhappy paths every tool has.

load helper

W0='"window_start":"2026-01-01T00:00:00.000Z","window_end":"2026-01-01T00:00:10.000Z"'
W1='"window_start":"2026-01-01T00:00:10.000Z","window_end":"2026-01-01T00:00:20.000Z"'
W2='"window_start":"2026-01-01T00:00:20.000Z","window_end":"2026-01-01T00:00:30.000Z"'

# Drops the processing-time fields, which change from run to run.
untimed() {
	jq -c 'del(.window_start, .window_end)'
}

@test "tumbling event-time windows close on the watermark; late records are counted" {
	run --separate-stderr hashtag-count -w 10s -n 2 --stats "$FIX/hc-events.ndjson"
	[ "$status" -eq 0 ]
	same "$output" "{$W0,\"rank\":1,\"hashtag\":\"b\",\"count\":2}
{$W0,\"rank\":2,\"hashtag\":\"a\",\"count\":1}
{$W1,\"rank\":1,\"hashtag\":\"a\",\"count\":1}
{$W2,\"rank\":1,\"hashtag\":\"c\",\"count\":1}"
	same "$stderr" '{"tool":"hashtag-count","records_in":7,"records_out":4,"bad_input":0,"dropped":0,"utf8_repaired":0,"late":1,"skipped":1}'
}

@test "lateness keeps a window open for records that arrive behind" {
	run --separate-stderr hashtag-count -w 10s -l 5s -n 3 "$FIX/hc-events.ndjson"
	[ "$status" -eq 0 ]
	same "$output" "{$W0,\"rank\":1,\"hashtag\":\"b\",\"count\":2}
{$W0,\"rank\":2,\"hashtag\":\"a\",\"count\":1}
{$W0,\"rank\":3,\"hashtag\":\"c\",\"count\":1}
{$W1,\"rank\":1,\"hashtag\":\"a\",\"count\":1}
{$W2,\"rank\":1,\"hashtag\":\"c\",\"count\":1}"
	[ -z "$stderr" ]
}

@test "sliding windows count each record in every window that holds it" {
	run --separate-stderr hashtag-count -w 10s -S 5s -n 2 "$FIX/hc-events.ndjson"
	[ "$status" -eq 0 ]
	w() { printf '"window_start":"%s","window_end":"%s"' "$1" "$2"; }
	same "$output" "{$(w 2025-12-31T23:59:55.000Z 2026-01-01T00:00:05.000Z),\"rank\":1,\"hashtag\":\"a\",\"count\":1}
{$(w 2025-12-31T23:59:55.000Z 2026-01-01T00:00:05.000Z),\"rank\":2,\"hashtag\":\"b\",\"count\":1}
{$W0,\"rank\":1,\"hashtag\":\"b\",\"count\":2}
{$W0,\"rank\":2,\"hashtag\":\"a\",\"count\":1}
{$(w 2026-01-01T00:00:05.000Z 2026-01-01T00:00:15.000Z),\"rank\":1,\"hashtag\":\"a\",\"count\":1}
{$(w 2026-01-01T00:00:05.000Z 2026-01-01T00:00:15.000Z),\"rank\":2,\"hashtag\":\"b\",\"count\":1}
{$W1,\"rank\":1,\"hashtag\":\"a\",\"count\":1}
{$W2,\"rank\":1,\"hashtag\":\"c\",\"count\":1}
{$(w 2026-01-01T00:00:25.000Z 2026-01-01T00:00:35.000Z),\"rank\":1,\"hashtag\":\"c\",\"count\":1}"
}

@test "totals fold case and NFC, and break ties by hashtag" {
	run --separate-stderr sh -c 'hashtag-count --total "$FIX/hc-case.ndjson" | jq -c "del(.window_start, .window_end)"'
	[ "$status" -eq 0 ]
	same "$output" '{"rank":1,"hashtag":"rust","count":3}
{"rank":2,"hashtag":"ada","count":2}
{"rank":3,"hashtag":"go","count":2}
{"rank":4,"hashtag":"ça","count":2}
{"rank":5,"hashtag":"zig","count":1}'
	[ -z "$stderr" ]
}

@test "--case-sensitive counts hashtags as written; -n limits the ranks" {
	run --separate-stderr sh -c 'hashtag-count --total --case-sensitive -n 4 "$FIX/hc-case.ndjson" | jq -c "del(.window_start, .window_end)"'
	[ "$status" -eq 0 ]
	same "$output" '{"rank":1,"hashtag":"Ada","count":1}
{"rank":2,"hashtag":"Go","count":1}
{"rank":3,"hashtag":"RUST","count":1}
{"rank":4,"hashtag":"Rust","count":1}'
}

@test "--trending ranks by growth over the smoothed baseline" {
	{
		echo '{"token":"a","ts":1}'
		for i in 1 2 3; do echo '{"token":"b","ts":11}'; done
		echo '{"token":"a","ts":12}'
		for i in 1 2 3 4; do echo '{"token":"a","ts":21}'; done
		for i in 1 2 3; do echo '{"token":"b","ts":22}'; done
	} > "$T/in"
	run --separate-stderr sh -c 'hashtag-count -w 10s --trending --baseline 1 "$1" | jq -c "del(.window_start)"' sh "$T/in"
	[ "$status" -eq 0 ]
	same "$output" '{"window_end":"1970-01-01T00:00:10.000Z","rank":1,"hashtag":"a","count":1,"baseline":0,"score":1}
{"window_end":"1970-01-01T00:00:20.000Z","rank":1,"hashtag":"b","count":3,"baseline":0,"score":3}
{"window_end":"1970-01-01T00:00:20.000Z","rank":2,"hashtag":"a","count":1,"baseline":1,"score":0}
{"window_end":"1970-01-01T00:00:30.000Z","rank":1,"hashtag":"a","count":4,"baseline":1,"score":2.121}
{"window_end":"1970-01-01T00:00:30.000Z","rank":2,"hashtag":"b","count":3,"baseline":3,"score":0}'
}

@test "--min-count leaves out rare hashtags" {
	run --separate-stderr sh -c 'hashtag-count --total --min-count 2 "$FIX/hc-case.ndjson" | jq -c .hashtag'
	[ "$status" -eq 0 ]
	same "$output" '"rust"
"ada"
"go"
"ça"'
}

@test "counting from the text field gives what tokenize | hashtag-count gives" {
	tweet-sim --no-pacing -c 20000 --seed 3 > "$T/posts"
	tokenize -k hashtag "$T/posts" | hashtag-count --total -n 50 | untimed > "$T/a"
	hashtag-count --total -n 50 -f text "$T/posts" | untimed > "$T/b"
	[ "$(wc -l < "$T/a")" -eq 50 ]
	cmp "$T/a" "$T/b"
	tokenize -k hashtag "$T/posts" | hashtag-count -w 1m -n 5 > "$T/c"
	hashtag-count -w 1m -n 5 -f text "$T/posts" > "$T/d"
	[ "$(wc -l < "$T/c")" -gt 5 ]
	cmp "$T/c" "$T/d"
}

@test "a micro-batch is written on time while the input stays open" {
	mkfifo "$T/gate"
	# The writer holds the pipe open until the first batch has come out;
	# a tool that waited for more input would never let it finish.
	run --separate-stderr timeout 60 sh -c '
		{ echo "{\"token\":\"now\"}"; cat "$1/gate" >/dev/null; } |
		hashtag-count -e 200ms |
		{ read -r first; echo > "$1/gate"; echo "$first"; cat; }' sh "$T"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"rank":1,"hashtag":"now","count":1}' ]]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
}

@test "bad lines are reported with their position, kept, and do not stop the count" {
	printf '%s\n' '{"token":"a","kind":"hashtag"}' 'not json' '{"token":1,"kind":"hashtag"}' \
		'{"token":"a"}' '[1,2]' '{"token":"a","kind":"hashtag"' > "$T/in"
	printf '{"token":"b"}' >> "$T/in"
	run --separate-stderr sh -c 'hashtag-count --total --stats --dead-letter "$1/dl" < "$1/in" | jq -c "del(.window_start, .window_end)"' sh "$T"
	[ "$status" -eq 0 ]
	same "$output" '{"rank":1,"hashtag":"a","count":2}
{"rank":2,"hashtag":"b","count":1}'
	same "$stderr" "hashtag-count: <stdin>:2: not a JSON object
hashtag-count: <stdin>:3: no string field 'token'
hashtag-count: <stdin>:5: not a JSON object
hashtag-count: <stdin>:6: invalid JSON: column 30: unexpected end of line
{\"tool\":\"hashtag-count\",\"records_in\":7,\"records_out\":2,\"bad_input\":4,\"dropped\":0,\"utf8_repaired\":0,\"late\":0,\"skipped\":0}"
	same "$(cat "$T/dl")" 'not json
{"token":1,"kind":"hashtag"}
[1,2]
{"token":"a","kind":"hashtag"'
}

@test "--strict stops at the first bad line with status 1" {
	printf '%s\n' '{"token":"a"}' 'oops' '{"token":"b"}' > "$T/in"
	run --separate-stderr hashtag-count --total --strict "$T/in"
	[ "$status" -eq 1 ]
	same "$stderr" "hashtag-count: $T/in:2: not a JSON object"
	[ -z "$output" ]
}

@test "event-time windows need a time: records without one are bad input" {
	printf '%s\n' '{"token":"a","ts":"yesterday"}' '{"token":"a"}' '{"token":"a","ts":5}' > "$T/in"
	run --separate-stderr hashtag-count -w 10s "$T/in"
	[ "$status" -eq 0 ]
	same "$stderr" "hashtag-count: $T/in:1: no usable time in field 'ts'
hashtag-count: $T/in:2: no usable time in field 'ts'"
	same "$output" '{"window_start":"1970-01-01T00:00:00.000Z","window_end":"1970-01-01T00:00:10.000Z","rank":1,"hashtag":"a","count":1}'
}

@test "overlong lines are skipped to the next newline and kept whole" {
	long=$(printf '{"token":"%0200d"}' 0)
	printf '%s\n%s\n%s\n' '{"token":"a"}' "$long" '{"token":"a"}' > "$T/in"
	run --separate-stderr sh -c 'hashtag-count --total --max-line 100 --dead-letter "$1/dl" "$1/in" | jq -c .count' sh "$T"
	[ "$status" -eq 0 ]
	same "$output" 2
	same "$stderr" "hashtag-count: $T/in:2: line too long (over 100 bytes)"
	same "$(cat "$T/dl")" "$long"
}

@test "invalid UTF-8 never reaches the output" {
	printf '{"token":"caf\xe9"}\n{"token":"ok\xff"}\n' > "$T/in"
	run --separate-stderr sh -c 'hashtag-count --total --case-sensitive --stats "$1" | jq -c .hashtag' sh "$T/in"
	[ "$status" -eq 0 ]
	same "$output" '"caf�"
"ok�"'
	[[ "$stderr" == *'"utf8_repaired":2'* ]]
}

@test "a full disk is a write error with status 1" {
	run --separate-stderr sh -c 'hashtag-count -w 10s "$1" > /dev/full' sh "$FIX/hc-events.ndjson"
	[ "$status" -eq 1 ]
	same "$stderr" "hashtag-count: write error: No space left on device"
}

@test "a reader that goes away ends the tool quietly" {
	tweet-sim --no-pacing -c 50000 > "$T/posts"
	run --separate-stderr bash -c 'hashtag-count -f text -w 1s -n 100 "$1" 2> "$2" | head -n 1 > /dev/null; echo "${PIPESTATUS[0]}"' sh "$T/posts" "$T/err"
	[ "$status" -eq 0 ]
	same "$output" 0
	same "$(cat "$T/err")" ""
}

@test "SIGTERM drains the open batch and exits 0" {
	bg_on_pipe hashtag-count -e 1h
	echo '{"token":"drained"}' >&5
	# Wait until the record has been read, then stop the tool.
	wait_stat records_in 1
	kill -TERM "$pid"
	wait "$pid"
	exec 5>&-
	same "$(jq -c 'del(.window_start, .window_end)' "$T/out")" '{"rank":1,"hashtag":"drained","count":1}'
}

@test "SIGUSR1 writes one stats line and the stream goes on" {
	bg_on_pipe hashtag-count --total
	echo '{"token":"x"}' >&5
	wait_stat records_in 1
	echo '{"token":"x"}' >&5
	exec 5>&-
	wait "$pid"
	same "$(grep -c . "$T/err" | tr -d ' ')" "$(grep -c '"records_in":1' "$T/err" | tr -d ' ')"
	same "$(jq -c .count "$T/out")" 2
}

@test "usage errors exit 2 and name the option" {
	usage_error "hashtag-count: -w: too small: 0" hashtag-count -w 0
	usage_error "hashtag-count: -n: too small: 0" hashtag-count -n 0
	usage_error "hashtag-count: -e: invalid duration: '2x'" hashtag-count -e 2x
	usage_error "hashtag-count: -S needs -w" hashtag-count -S 5s
	usage_error "hashtag-count: -S: slide larger than the window size -w" hashtag-count -w 5s -S 10s
	usage_error "hashtag-count: -w and -e cannot be used together" hashtag-count -w 10s -e 1s
	usage_error_with_synopsis "hashtag-count: unrecognized option '--bogus'" hashtag-count --bogus
}

@test "-h prints the usage to stdout; -V the version" {
	help_and_version hashtag-count
}

@test "an input file that cannot be opened is an error, the others are read" {
	run --separate-stderr sh -c 'hashtag-count --total "$1/none" "$2" | jq -c .count' sh "$T" "$FIX/hc-case.ndjson"
	[ "$status" -eq 0 ]
	same "$output" '3
2
2
2
1'
	same "$stderr" "hashtag-count: cannot open '$T/none': No such file or directory"
	run --separate-stderr hashtag-count --total "$T/none"
	[ "$status" -eq 1 ]
}
