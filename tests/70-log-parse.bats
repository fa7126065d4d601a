#!/usr/bin/env bats
# log-parse: every format against golden records, odd but legal lines,
# malformed ones, time zones and years, --auto, and the unhappy paths
# every tool has.

load helper

# Zone-less times are local: the tests pin the local zone.
export TZ=UTC

# golden LOG ARGS...: log-parse ARGS on the fixture LOG exits 0, writes
# exactly the fixture of the same name ending in .ndjson, and no message
# to stderr; a stats line of --stats is left in $stderr for the test.
golden() {
	local log=$1
	shift
	run --separate-stderr log-parse "$@" "$FIX/$log"
	if ! { [ "$status" -eq 0 ] &&
		same "$output" "$(cat "$FIX/${log%.*}.ndjson")" &&
		same "$(grep -v '^{"tool"' <<< "$stderr")" ""; }; then
		echo "failed: log-parse $* $log (status $status)" >&2
		return 1
	fi
}

@test "combined: every field, IPv6, escaped quotes, missing values, non-ASCII paths" {
	golden log-combined.log -F combined --stats
	# The TLS handshake's \xfc is not UTF-8: it is repaired, and counted.
	same "$stderr" '{"tool":"log-parse","records_in":12,"records_out":12,"bad_input":0,"dropped":0,"utf8_repaired":1}'
}

@test "a very long URL comes out whole" {
	path="/search?q=$(printf 'a%.0s' $(seq 60000))"
	printf '192.0.2.1 - - [21/Nov/2026:10:00:00 +0000] "GET %s HTTP/1.1" 414 0 "-" "curl/8.5.0"\n' "$path" > "$T/in"
	run --separate-stderr sh -c 'log-parse -F combined "$1" | jq -r ".path | length"' sh "$T/in"
	[ "$status" -eq 0 ]
	same "$output" "${#path}"
	[ -z "$stderr" ]
}

@test "common, nginx and vhost_combined" {
	golden log-common.log -F common
	golden log-nginx.log -F nginx
	golden log-vhost.log -F vhost_combined
}

@test "nginx logs 0 bytes where Apache logs '-': -F nginx takes no '-'" {
	printf '%s\n' '192.0.2.1 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 304 - "-" "curl/8.5.0"' > "$T/in"
	run --separate-stderr log-parse -F nginx "$T/in"
	[ "$status" -eq 0 ]
	same "$stderr" "log-parse: $T/in:1: does not match the nginx format: expected the byte count"
	[ -z "$output" ]
	run --separate-stderr log-parse -F combined "$T/in"
	same "$output" '{"remote_addr":"192.0.2.1","ts":"2026-11-21T10:00:00.000Z","method":"GET","path":"/","protocol":"HTTP/1.1","status":304,"user_agent":"curl/8.5.0"}'
}

@test "common takes no referer, combined needs one" {
	run --separate-stderr log-parse -F common "$FIX/log-combined.log"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	same "$(printf '%s\n' "$stderr" | head -n 1)" "log-parse: $FIX/log-combined.log:1: does not match the common format: unexpected text after the byte count"
	run --separate-stderr log-parse -F combined "$FIX/log-common.log"
	[ -z "$output" ]
	same "$(printf '%s\n' "$stderr" | head -n 1)" "log-parse: $FIX/log-common.log:1: does not match the combined format: expected '\"' before the referer"
}

@test "malformed lines are reported with the reason and position, kept, and counted" {
	run --separate-stderr log-parse -F combined --stats --dead-letter "$T/dl" "$FIX/log-combined-bad.log"
	[ "$status" -eq 0 ]
	same "$output" '{"remote_addr":"192.0.2.1","ts":"2026-11-21T08:14:02.000Z","method":"GET","path":"/","protocol":"HTTP/1.1","status":200,"bytes":512,"user_agent":"curl/8.5.0"}
{"remote_addr":"192.0.2.2","ts":"2026-11-21T08:14:03.000Z","method":"GET","path":"/ok","protocol":"HTTP/1.1","status":200,"bytes":1024,"user_agent":"curl/8.5.0"}'
	f="log-parse: $FIX/log-combined-bad.log"
	same "$stderr" "$f:2: does not match the combined format: expected '[' before the time
$f:3: does not match the combined format: invalid time
$f:4: does not match the combined format: expected '\"' before the request
$f:5: does not match the combined format: unterminated request
$f:6: does not match the combined format: expected a 3-digit status
$f:7: does not match the combined format: expected the byte count
$f:8: does not match the combined format: expected '\"' before the referer
$f:9: does not match the combined format: unexpected text after the user agent
$f:10: does not match the combined format: unterminated user agent
$f:11: does not match the combined format: invalid time
{\"tool\":\"log-parse\",\"records_in\":12,\"records_out\":2,\"bad_input\":10,\"dropped\":0,\"utf8_repaired\":0}"
	same "$(cat "$T/dl")" "$(sed -n '2,11p' "$FIX/log-combined-bad.log")"
}

@test "--strict stops at the first line that does not match" {
	run --separate-stderr log-parse -F combined --strict "$FIX/log-combined-bad.log"
	[ "$status" -eq 1 ]
	same "$stderr" "log-parse: $FIX/log-combined-bad.log:2: does not match the combined format: expected '[' before the time"
	same "$output" '{"remote_addr":"192.0.2.1","ts":"2026-11-21T08:14:02.000Z","method":"GET","path":"/","protocol":"HTTP/1.1","status":200,"bytes":512,"user_agent":"curl/8.5.0"}'
}

@test "syslog: with and without <PRI>, padded days, no host, across a year boundary" {
	golden log-syslog.log -F syslog --year 2025 --stats
	same "$stderr" '{"tool":"log-parse","records_in":11,"records_out":11,"bad_input":0,"dropped":0,"utf8_repaired":1}'
	# --year is the year of the first line; lines out of order across the
	# boundary go back to it.
	printf '%s\n' 'Dec 31 23:59:59 h a: 1' 'Jan  1 00:00:01 h a: 2' 'Dec 31 23:59:58 h a: 3' 'Jan  1 00:00:02 h a: 4' > "$T/in"
	run --separate-stderr sh -c 'log-parse -F syslog --year 1999 "$1" | jq -r .ts' sh "$T/in"
	same "$output" '1999-12-31T23:59:59.000Z
2000-01-01T00:00:01.000Z
1999-12-31T23:59:58.000Z
2000-01-01T00:00:02.000Z'
}

@test "syslog without --year: the latest year that puts no line in the future" {
	# Both times come from one reading of the clock, so the expected
	# values cannot fall a second behind the input.
	now=$(date -u +%s)
	past=@$((now - 86400)) future=@$((now + 40 * 86400))
	printf '%s host app: a\n%s host app: b\n' \
		"$(date -u -d "$past" '+%b %e %H:%M:%S')" \
		"$(date -u -d "$future" '+%b %e %H:%M:%S')" > "$T/in"
	run --separate-stderr sh -c 'log-parse -F syslog "$1" | jq -r .ts' sh "$T/in"
	[ "$status" -eq 0 ]
	same "$output" "$(date -u -d "$past" '+%Y-%m-%dT%H:%M:%S.000Z')
$(($(date -u -d "$future" +%Y) - 1))$(date -u -d "$future" '+-%m-%dT%H:%M:%S.000Z')"
	[ -z "$stderr" ]
}

@test "syslog lines that do not match" {
	printf '%s\n' '<192>Jan  1 00:00:00 h a: pri too large' '<13 Jan  1 00:00:00 h a: x' \
		'Jnu  1 00:00:00 h a: month' 'Jan  1 00:00:00' 'Jan  1 00:00:00  h a: two spaces' \
		'2026-01-01T00:00:00 h a: no zone' > "$T/in"
	run --separate-stderr log-parse -F syslog --year 2026 "$T/in"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	same "$stderr" "log-parse: $T/in:1: does not match the syslog format: invalid priority
log-parse: $T/in:2: does not match the syslog format: invalid priority
log-parse: $T/in:3: does not match the syslog format: invalid time
log-parse: $T/in:4: does not match the syslog format: expected a host name after the time
log-parse: $T/in:5: does not match the syslog format: expected a host name after the time
log-parse: $T/in:6: does not match the syslog format: invalid time"
}

@test "--tz reads zone-less times in a zone, with its daylight saving time" {
	run --separate-stderr sh -c 'log-parse -F syslog --year 2025 --tz America/New_York "$1" | head -n 3 | jq -r .ts' sh "$FIX/log-syslog.log"
	[ "$status" -eq 0 ]
	same "$output" '2026-01-01T04:59:58.000Z
2026-01-01T04:59:59.000Z
2026-01-01T05:00:00.000Z'
	# Lisbon moves from +00:00 to +01:00 at 01:00 UTC on 29 March 2026.
	printf '%s\n' t 2026-03-29T00:30:00 2026-03-29T02:30:00 2026-07-01T12:00:00 2026-07-01T12:00:00Z > "$T/in"
	run --separate-stderr sh -c 'log-parse -F csv --tz Europe/Lisbon -t t "$1" | jq -r .ts' sh "$T/in"
	same "$output" '2026-03-29T00:30:00.000Z
2026-03-29T01:30:00.000Z
2026-07-01T11:00:00.000Z
2026-07-01T12:00:00.000Z'
	run --separate-stderr sh -c 'log-parse -F csv --tz +05:30 -t t "$1" | jq -r .ts' sh "$T/in"
	same "$output" '2026-03-28T19:00:00.000Z
2026-03-28T21:00:00.000Z
2026-07-01T06:30:00.000Z
2026-07-01T12:00:00.000Z'
	# A time that carries its offset keeps it.
	run --separate-stderr sh -c 'log-parse -F combined --tz Asia/Tokyo "$1" | head -n 1 | jq -r .ts' sh "$FIX/log-combined.log"
	same "$output" '2026-11-21T08:14:02.000Z'
	run --separate-stderr log-parse --tz Mars/Olympus_Mons "$FIX/log-common.log"
	[ "$status" -eq 2 ]
	same "$stderr" "log-parse: --tz: unknown time zone: 'Mars/Olympus_Mons'"
}

@test "rfc5424: structured data, NILVALUE, fractions and offsets, BOM" {
	golden log-rfc5424.log -F rfc5424
}

@test "rfc5424 lines that do not match" {
	printf '%s\n' 'Jan  1 00:00:00 h a: 3164' '<13>2026-11-21T00:00:00Z h a - - - x' \
		'<13>1 2026-11-21 00:00:00Z h a - - - x' '<13>1 2026-11-21T00:00:00Z h a - -' \
		'<13>1 2026-11-21T00:00:00Z h a - - [id a="1"' '<13>1 2026-11-21T00:00:00Z h a - - [id a=1] x' \
		'<13>1 2026-11-21T00:00:00Z h a - - [ a="1"] x' '<13>1 2026-11-21T00:00:00Z h a - - -x' > "$T/in"
	run --separate-stderr log-parse -F rfc5424 "$T/in"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	same "$stderr" "log-parse: $T/in:1: does not match the rfc5424 format: expected '<PRI>'
log-parse: $T/in:2: does not match the rfc5424 format: expected the version 1 after '<PRI>'
log-parse: $T/in:3: does not match the rfc5424 format: invalid time
log-parse: $T/in:4: does not match the rfc5424 format: expected the message id
log-parse: $T/in:5: does not match the rfc5424 format: invalid structured data
log-parse: $T/in:6: does not match the rfc5424 format: invalid structured data
log-parse: $T/in:7: does not match the rfc5424 format: invalid structured data
log-parse: $T/in:8: does not match the rfc5424 format: expected ' ' after the structured data"
}

@test "csv: header, quotes, embedded newlines, numbers kept as written" {
	golden log-events.csv -F csv --stats
	same "$stderr" '{"tool":"log-parse","records_in":5,"records_out":5,"bad_input":0,"dropped":0,"utf8_repaired":0}'
}

@test "csv rows that do not fit are reported at their first line and kept whole" {
	run --separate-stderr log-parse -F csv --stats --dead-letter "$T/dl" "$FIX/log-bad.csv"
	[ "$status" -eq 0 ]
	same "$output" '{"ts":"2026-11-21T12:00:00.000Z","host":"web01","status":200}
{"ts":"2026-11-21T12:00:05.000Z","host":"web01\ncontinued","status":200}'
	f="log-parse: $FIX/log-bad.csv"
	same "$stderr" "$f:3: does not match the csv header: 2 fields where the header has 3
$f:4: does not match the csv format: malformed quotes
$f:5: does not match the csv header: 4 fields where the header has 3
$f:6: field 'ts' is not a time: 'yesterday'
$f:9: does not match the csv format: unterminated quoted field
{\"tool\":\"log-parse\",\"records_in\":7,\"records_out\":2,\"bad_input\":5,\"dropped\":0,\"utf8_repaired\":0}"
	same "$(cat "$T/dl")" '2026-11-21T12:00:01Z,web01
2026-11-21T12:00:02Z,"web""01"x,200
2026-11-21T12:00:03Z,web01,200,extra
yesterday,web01,200
2026-11-21T12:00:06Z,"never closed,200
2026-11-21T12:00:07Z,web01,200'
}

@test "csv: --columns, --types, -t, --delimiter, and a header per file" {
	printf 'web01;200;02134;"a;b"\n' > "$T/in"
	run --separate-stderr log-parse --columns host,status,zip,note --delimiter ';' --types status:str,zip:int "$T/in"
	[ "$status" -eq 0 ]
	same "$output" '{"host":"web01","status":"200","zip":2134,"note":"a;b"}'
	printf 'when,n\n21/Nov/2026:10:00:00 +0100,1\n1795255200,2\n1795255200500,3\n' > "$T/a.csv"
	printf 'n,when\n4,Nov 21 10:00:00\n' > "$T/b.csv"
	run --separate-stderr log-parse -F csv -t when --year 2026 "$T/a.csv" "$T/b.csv"
	[ "$status" -eq 0 ]
	same "$output" '{"ts":"2026-11-21T09:00:00.000Z","n":1}
{"ts":"2026-11-21T10:00:00.000Z","n":2}
{"ts":"2026-11-21T10:00:00.500Z","n":3}
{"n":4,"ts":"2026-11-21T10:00:00.000Z"}'
	[ -z "$stderr" ]
	printf 'n,m\n1,x\n' > "$T/c.csv"
	run --separate-stderr log-parse -F csv -t when --types m:num "$T/c.csv"
	same "$stderr" "log-parse: $T/c.csv:2: no field 'when'"
	run --separate-stderr log-parse -F csv --types m:num "$T/c.csv"
	same "$stderr" "log-parse: $T/c.csv:2: field 'm' is not a number: 'x'"
}

@test "logfmt: quoted values with escapes, bare keys, numbers" {
	golden log-app.logfmt -F logfmt
	printf '%s\n' 'time="2026-11-21 10:00:00" lvl=info n=007 id=12 q="42"' 'lvl=warn' 'a="open' '=x' 'k"=v' 'only words here' 'a="b"c' > "$T/in"
	run --separate-stderr log-parse -F logfmt -t time --types n:int,id:str,q:num "$T/in"
	[ "$status" -eq 0 ]
	same "$output" '{"ts":"2026-11-21T10:00:00.000Z","lvl":"info","n":7,"id":"12","q":42}'
	same "$stderr" "log-parse: $T/in:2: no field 'time'
log-parse: $T/in:3: does not match the logfmt format: unterminated value of 'a'
log-parse: $T/in:4: does not match the logfmt format: expected a key at column 1
log-parse: $T/in:5: does not match the logfmt format: '\"' in a key at column 2
log-parse: $T/in:6: does not match the logfmt format: no key=value pair
log-parse: $T/in:7: does not match the logfmt format: expected a space after the value of 'a'"
}

@test "json: objects pass through as they are, anything else is bad input" {
	printf '%s\n' '{"ts":"2026-11-21T10:00:00Z","id":1992000000000002768,"n":1.50}' '[1]' '{"a":' \
		'  {"b" : "caf\u00e9"}  ' > "$T/in"
	run --separate-stderr log-parse -F json "$T/in"
	[ "$status" -eq 0 ]
	same "$output" '{"ts":"2026-11-21T10:00:00Z","id":1992000000000002768,"n":1.50}
  {"b" : "caf\u00e9"}  '
	same "$stderr" "log-parse: $T/in:2: not a JSON object
log-parse: $T/in:3: invalid JSON: column 6: unexpected end of line"
}

@test "a pattern names the fields of other layouts" {
	golden log-python.log -F '%{ts:time} - %{logger} - %{level} - %{msg}'
}

@test "pattern types, quoted fields, skipped fields and literal percent signs" {
	printf '%s\n' \
		'10.0.0.1 [21/Nov/2026:10:00:00 +0100] "GET /a?q=\"x\" HTTP/1.1" 200 0.004 100% "Mozilla/5.0 \"x\""' \
		'10.0.0.2 [21/Nov/2026:10:00:01 +0100] "GET / HTTP/1.1" 20x 0.004 100% "-"' \
		'10.0.0.3 [21/Nov/2026:10:00:02 +0100] "GET / HTTP/1.1" 200 .5 100% "-"' \
		'10.0.0.4 [21/Nov/2026:10:00:03 +0100] "GET / HTTP/1.1" 200 fast 100% "-"' \
		'10.0.0.5 [someday] "GET / HTTP/1.1" 200 1 100% "-"' \
		'10.0.0.6 (21/Nov/2026:10:00:05 +0100) "GET / HTTP/1.1" 200 1 100% "-"' > "$T/in"
	run --separate-stderr log-parse -F '%{addr} [%{ts:time}] "%{request}" %{status:int} %{rt:num} %{_}%% "%{ua}"' "$T/in"
	[ "$status" -eq 0 ]
	same "$output" '{"addr":"10.0.0.1","ts":"2026-11-21T09:00:00.000Z","request":"GET /a?q=\"x\" HTTP/1.1","status":200,"rt":0.004,"ua":"Mozilla/5.0 \"x\""}
{"addr":"10.0.0.3","ts":"2026-11-21T09:00:02.000Z","request":"GET / HTTP/1.1","status":200,"rt":0.5}'
	same "$stderr" "log-parse: $T/in:2: field 'status' is not an integer: '20x'
log-parse: $T/in:4: field 'rt' is not a number: 'fast'
log-parse: $T/in:5: field 'ts' is not a time: 'someday'
log-parse: $T/in:6: does not match the pattern: expected ' [' after %{addr}"
}

@test "--auto tells every format from the first lines" {
	golden log-combined.log
	golden log-common.log --auto
	golden log-nginx.log
	golden log-vhost.log
	golden log-syslog.log --year 2025
	golden log-rfc5424.log --auto
	golden log-events.csv
	golden log-app.logfmt
	printf '%s\n' '{"a":1}' 'not json' '{"b":2}' > "$T/in"
	run --separate-stderr log-parse "$T/in"
	same "$output" '{"a":1}
{"b":2}'
	same "$stderr" "log-parse: $T/in:2: not a JSON object"
}

@test "--auto names what it cannot tell, and takes no -F" {
	run --separate-stderr log-parse "$FIX/log-python.log"
	[ "$status" -eq 1 ]
	same "$stderr" "log-parse: $FIX/log-python.log: cannot tell the log format from the first 4 lines; name it with -F"
	[ -z "$output" ]
	run --separate-stderr log-parse --auto -F combined "$FIX/log-python.log"
	[ "$status" -eq 2 ]
	same "$stderr" "log-parse: -F and --auto cannot be used together"
	run --separate-stderr log-parse < /dev/null
	[ "$status" -eq 0 ]
	[ -z "$output$stderr" ]
}

@test "tail -F of a growing, rotated access log feeds a window" {
	log="$T/access.log"
	line() {
		printf '192.0.2.1 - - [21/Nov/2026:10:%s +0000] "GET / HTTP/1.1" %s 100 "-" "curl/8.5.0"\n' "$1" "$2"
	}
	lines_in() {
		local i
		for i in $(seq 1200); do
			[ "$(wc -l < "$1")" -ge "$2" ] && return 0
			sleep 0.05
		done
		return 1
	}
	{ line 00:01 200; line 00:30 404; line 00:59 200; } > "$log"
	: > "$T/out"
	mkfifo "$T/fifo"
	tail -n +1 -F -s 0.05 "$log" > "$T/fifo" 2> /dev/null &
	tailpid=$!
	log-parse -F combined < "$T/fifo" 2> "$T/err" | window -s 1m -k status -a count > "$T/out" &
	winpid=$!
	# A line of the next minute closes the first while tail still runs.
	line 01:00 200 >> "$log"
	lines_in "$T/out" 2
	mv "$log" "$log.1"
	{ line 01:10 500; line 02:00 200; } > "$log"
	lines_in "$T/out" 4
	kill "$tailpid"
	wait "$winpid"
	w() { printf '{"window_start":"2026-11-21T10:%s:00.000Z","window_end":"2026-11-21T10:%s:00.000Z","status":%s,"count":%s}' "$@"; }
	same "$(cat "$T/out")" "$(w 00 01 200 2)
$(w 00 01 404 1)
$(w 01 02 200 1)
$(w 01 02 500 1)
$(w 02 03 200 1)"
	same "$(cat "$T/err")" ""
}

@test "overlong lines are skipped to the next newline and kept whole" {
	long=$(printf '192.0.2.1 - - [21/Nov/2026:10:00:00 +0000] "GET /%0200d HTTP/1.1" 200 1 "-" "-"' 0)
	{ sed -n 1p "$FIX/log-common.log"; echo "$long"; sed -n 2p "$FIX/log-common.log"; } > "$T/in"
	run --separate-stderr sh -c 'log-parse -F common --max-line 150 --dead-letter "$1/dl" "$1/in" | jq -c .status' sh "$T"
	[ "$status" -eq 0 ]
	same "$output" '200
404'
	same "$stderr" "log-parse: $T/in:2: line too long (over 150 bytes)"
	same "$(cat "$T/dl")" "$long"
}

@test "a full disk is a write error with status 1" {
	run --separate-stderr sh -c 'log-parse -F combined "$1" > /dev/full' sh "$FIX/log-combined.log"
	[ "$status" -eq 1 ]
	same "$stderr" "log-parse: write error: No space left on device"
}

@test "a reader that goes away ends the tool quietly" {
	for i in $(seq 3000); do cat "$FIX/log-combined.log"; done > "$T/in"
	run --separate-stderr bash -c 'log-parse -F combined "$1" 2> "$2" | head -n 1 > /dev/null; echo "${PIPESTATUS[0]}"' sh "$T/in" "$T/err"
	[ "$status" -eq 0 ]
	same "$output" 0
	same "$(cat "$T/err")" ""
}

@test "SIGTERM ends the stream with the records made so far, status 0" {
	bg_on_pipe log-parse -F common
	sed -n 1p "$FIX/log-common.log" >&5
	wait_stat records_in 1
	kill -TERM "$pid"
	wait "$pid"
	exec 5>&-
	same "$(cat "$T/out")" "$(sed -n 1p "$FIX/log-common.ndjson")"
	grep -q '"records_out":1' "$T/err"
}

@test "usage errors exit 2 and name the option" {
	usage_error "log-parse: -F: unknown format 'xml' (a pattern needs a %{field})" log-parse -F xml
	usage_error "log-parse: -F: fields 'a' and 'b' need text between them" log-parse -F '%{a}%{b}'
	usage_error "log-parse: -F: unknown type 'float' of field 'a'" log-parse -F '%{a:float} x'
	usage_error "log-parse: -F: unterminated '%{' in the pattern" log-parse -F 'x %{a'
	usage_error "log-parse: -F: a field without a name in the pattern" log-parse -F 'x %{} y'
	usage_error "log-parse: --year: too small: 0" log-parse --year 0
	usage_error "log-parse: --columns needs -F csv" log-parse -F combined --columns a,b
	usage_error "log-parse: -t needs -F csv or -F logfmt" log-parse -F syslog -t time
	usage_error "log-parse: --types needs -F csv or -F logfmt" log-parse -F json --types a:int
	usage_error "log-parse: --types: unknown type 'float'" log-parse -F csv --types a:float
	usage_error "log-parse: --types: expected NAME:TYPE, not 'a'" log-parse -F csv --types a
	usage_error "log-parse: --delimiter: expected one character" log-parse -F csv --delimiter ab
	usage_error_with_synopsis "log-parse: unrecognized option '--bogus'" log-parse --bogus
}

@test "-h prints the usage to stdout; -V the version" {
	help_and_version log-parse
}

@test "an input file that cannot be opened is an error, the others are read" {
	run --separate-stderr log-parse -F common "$T/none" "$FIX/log-common.log"
	[ "$status" -eq 1 ]
	same "$output" "$(cat "$FIX/log-common.ndjson")"
	same "$stderr" "log-parse: cannot open '$T/none': No such file or directory"
}

@test "log-parse under valgrind" {
	[ "$RTPIPE_BUILD" = build ] || skip "checked once, in the plain build"
	run "${VG[@]}" log-parse -F combined --dead-letter "$T/dl" "$FIX/log-combined.log" "$FIX/log-combined-bad.log"
	[ "$status" -eq 0 ]
	run "${VG[@]}" log-parse --year 2025 "$FIX/log-syslog.log"
	[ "$status" -eq 0 ]
	run "${VG[@]}" log-parse -F rfc5424 "$FIX/log-rfc5424.log"
	[ "$status" -eq 0 ]
	run "${VG[@]}" log-parse -t ts --types zip:str "$FIX/log-events.csv" "$FIX/log-bad.csv"
	[ "$status" -eq 0 ]
	run "${VG[@]}" log-parse --tz Europe/Lisbon "$FIX/log-app.logfmt"
	[ "$status" -eq 0 ]
	run "${VG[@]}" log-parse -F '%{ts:time} - %{logger} - %{level} - %{msg}' "$FIX/log-python.log"
	[ "$status" -eq 0 ]
}
