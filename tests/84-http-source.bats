#!/usr/bin/env bats
# http-source: against tests/helpers/http-server.py, a scripted HTTP/1.1
# server on 127.0.0.1 (port chosen by the kernel) that speaks event
# streams, chunked NDJSON and a polled JSON API, injects faults (bytes one
# at a time, drops mid-event, 429, 304, trickles, garbage), and logs every
# request it gets, so that the tests see what http-source sent.  Every wait
# is bounded (60 s); only lower bounds of time are asserted.

load helper

# Waits until the server has logged request number $1.
wait_requests() {
	wait_for "$T/log" "\"method\": \"GET\", \"n\": $1,"
}

# serve [--tls] SCENARIO: starts the server; sets $port and $url.
serve() {
	local tls=()
	if [ "$1" = --tls ]; then
		tls=(--tls "$FIX/http-tls.crt" "$FIX/http-tls.key")
		shift
	fi
	printf '%s\n' "$1" > "$T/scenario.json"
	rm -f "$T/log" "$T/port"
	python3 "$TOP/tests/helpers/http-server.py" --log "$T/log" "${tls[@]}" \
		"$T/scenario.json" > "$T/port" 2> "$T/server.err" &
	srv=$!
	port=$(first_line "$srv" "$T/port" "$T/server.err")
	url="http://127.0.0.1:$port/stream"
}

# Stops the server.
unserve() {
	kill "$srv"
	wait "$srv" 2>/dev/null || true
	srv=''
}

# The header $1 (lower case) of each request, "-" where it was not sent.
sent() {
	jq -r "select(.method) | .headers[\"$1\"] // \"-\"" "$T/log" | paste -sd ' '
}

# Seconds from the end of response $1 to request $2.
gap() {
	jq -s "(map(select(.method and .n == $2))[0].t) - (map(select(.end and .n == $1))[0].t)" "$T/log"
}

# Serves once an event stream of 20000 events of 100 bytes,
# {"n":N,"pad":"xx..."} with N from 0.
serve_numbered() {
	python3 -c 'print("".join("data: {\"n\":%d,\"pad\":\"%s\"}\n\n" % (i, "x" * 80) for i in range(20000)), end="")' > "$T/body"
	serve '{"responses": [{"headers": {"Content-Type": "text/event-stream"},
		"body_file": "'"$T/body"'", "end": "close"}]}'
}

# An event stream that exercises the parsing rules of the HTML standard:
# a BOM, comments, CR, LF and CRLF line ends, fields without a colon or
# space, unknown fields, id resets, a NUL in an id, data split over lines,
# and an incomplete event at the end.
sse_rules() {
	printf '\357\273\277: a comment first\r\n'
	printf 'data: {"id":1992000000000002768,"user":"ana"}\r\n\r\n'
	printf 'event: delete\nid: 7\ndata: 1992000000000002768\n\n'
	printf ': heartbeat\r\r'
	printf 'data:no space\rdata:  two spaces\r\r'
	printf 'data\ndata\n\n'
	printf 'foo: bar\ngarbage line\ndata: after garbage\n\n'
	printf 'id\ndata: id reset\n\n'
	printf 'id: 8\n\n'
	printf 'id: 9\000x\ndata: nul id\n\n'
	printf 'retry: 10\nevent: update\ndata: {"a":\ndata: [1,\r\ndata: 2]}\n\n'
	printf 'event: lost\ndata: incomplete event at the end'
}

sse_rules_out='{"id":1992000000000002768,"user":"ana"}
{"event":"delete","id":"7","data":"1992000000000002768"}
{"event":"message","id":"7","data":"no space\n two spaces"}
{"event":"message","id":"7","data":"\n"}
{"event":"message","id":"7","data":"after garbage"}
{"event":"message","data":"id reset"}
{"event":"message","id":"8","data":"nul id"}
{"a": [1, 2]}'

@test "usage: -h, -V, missing and extra operands, bad URLs, option rules" {
	run --separate-stderr http-source -h
	[ "$status" -eq 0 ]
	same "${lines[0]}" "usage: http-source [options] URL"
	same "$stderr" ""
	run --separate-stderr http-source -V
	[ "$status" -eq 0 ]
	same "$output" "http-source (rtpipe) 0.1.0"

	usage_error_with_synopsis "http-source: missing operand" http-source
	usage_error_with_synopsis "http-source: too many operands" http-source http://a/ http://b/

	usage_error "http-source: bad URL 'ftp://example.com/': expected http:// or https://" http-source ftp://example.com/
	usage_error "http-source: bad URL 'http://exa mple.com/': Bad hostname" http-source 'http://exa mple.com/'
	usage_error "http-source: --sse and --poll cannot be used together" http-source --sse --poll 1s http://a/
	usage_error "http-source: --event needs --sse" http-source --event update http://a/
	usage_error "http-source: --envelope needs --sse" http-source --poll 1s --envelope http://a/
	usage_error "http-source: --json needs --sse" http-source --json http://a/
	usage_error "http-source: --last-event-id needs --sse" http-source --last-event-id 3 http://a/
	usage_error "http-source: --since needs --poll" http-source --sse --since id http://a/
	usage_error "http-source: --path needs --poll" http-source --path data http://a/
	usage_error "http-source: --poll: too small: 0" http-source --poll 0 http://a/
	usage_error "http-source: --poll: invalid duration: 'soon'" http-source --poll soon http://a/
	usage_error "http-source: --on-full: expected block, drop-oldest or drop-newest: 'wait'" http-source --on-full wait http://a/
	usage_error "http-source: --buffer: too small: 100" http-source --buffer 100 http://a/
	usage_error "http-source: -H: expected 'NAME: VALUE': 'no colon'" http-source -H 'no colon' http://a/
	usage_error "http-source: -H: expected 'NAME: VALUE': 'X Y: z'" http-source -H 'X Y: z' http://a/
	usage_error "http-source: --html-to-text: expected FIELD or FIELD=OUT" http-source --html-to-text content= http://a/
	usage_error "http-source: --html-to-text: 'reblog.content': the text goes to a top-level field; give =OUT" \
		http-source --html-to-text reblog.content http://a/
	HTTP_SOURCE_TOKEN=t HTTP_SOURCE_USER=u usage_error \
		"http-source: a bearer token (HTTP_SOURCE_TOKEN) and HTTP_SOURCE_USER cannot be used together" http-source http://a/
}

@test "--sse: the event-stream rules of the HTML standard, record by record" {
	sse_rules > "$T/body"
	serve '{"responses": [{"headers": {"Content-Type": "text/event-stream; charset=utf-8"},
		"body_file": "'"$T/body"'", "end": "close"}]}'
	run --separate-stderr timeout 60 http-source --sse --once --stats "$url"
	[ "$status" -eq 0 ]
	same "$output" "$sse_rules_out"
	same "$stderr" '{"tool":"http-source","records_in":8,"records_out":8,"bad_input":0,"dropped":0,"utf8_repaired":0,"requests":1,"connections":1,"failures":0,"bytes":'"$(wc -c < "$T/body")"',"events":8,"filtered":0,"queued":0,"paused":0}'
	same "$(sent accept) $(sent cache-control) $(sent last-event-id)" "text/event-stream no-cache -"
}

@test "--sse: the same stream split at every byte boundary, and in odd pieces" {
	sse_rules > "$T/body"
	for split in 1 2 3 7; do
		rm -f "$T/log"
		serve '{"responses": [{"headers": {"Content-Type": "text/event-stream"},
			"body_file": "'"$T/body"'", "split": '$split', "delay": 0.002, "end": "close"}]}'
		run --separate-stderr timeout 60 http-source --sse --once "$url"
		[ "$status" -eq 0 ]
		same "$output" "$sse_rules_out"
		same "$stderr" ""
		unserve
	done
}

@test "--sse: connections dropped mid-event resume with Last-Event-ID: nothing lost or repeated" {
	python3 -c '
import json
ev = [{"id": str(i), "event": "update",
       "data": json.dumps({"id": str(1992000000000000000 + i), "content": "<p>post %d</p>" % i})}
      for i in range(1, 41)]
ev[9]["data"] = "{\"id\":\"x10\",\n\"multi\": \"line\"}"
print(json.dumps({"responses": [{"headers": {"Content-Type": "text/event-stream"},
    "sse": {"events": ev}, "drop_after": [37, 100, 5, 250, 61, 0, 1, 404], "end": "close"}]}))
' > "$T/scn"
	serve "$(cat "$T/scn")"
	bg http-source --sse --stats "$url"
	wait_lines 40
	wait_requests 10
	stop
	[ "$rc" -eq 0 ]
	same "$(jq -r .id "$T/out" | paste -sd ' ')" \
		"$(for i in $(seq 1 40); do [ "$i" = 10 ] && echo x10 || echo $((1992000000000000000 + i)); done | paste -sd ' ')"
	same "$(sed -n 10p "$T/out")" '{"id":"x10", "multi": "line"}'
	# Where each connection broke, and so where the next one resumed.
	same "$(sent last-event-id | cut -d ' ' -f 1-10)" "- - 1 1 3 3 3 3 7 40"
	# The connection that brought no byte of data counts as a failure.
	same "$(grep -v '^{"tool"' "$T/err")" "http-source: '$url': Transferred a partial file (retrying)
http-source: '$url': receiving again"
	same "$(stats records_out) $(stats bad_input) $(stats failures)" "40 0 1"
}

@test "--sse: retry: sets the reconnection delay; a retry that is not all digits is ignored" {
	serve '{"responses": [
		{"headers": {"Content-Type": "text/event-stream"}, "body": "retry: 800\ndata: one\n\n", "end": "close"},
		{"headers": {"Content-Type": "text/event-stream"}, "body": "retry: 5x\nretry: -1\nretry:\ndata: two\n\n", "end": "close"},
		{"headers": {"Content-Type": "text/event-stream"}, "body": "retry: 0\ndata: three\n\n", "end": "close"}],
		"then": {"headers": {"Content-Type": "text/event-stream"}, "body": "", "end": "hold"}}'
	bg http-source --sse "$url"
	wait_lines 3
	wait_requests 4
	stop
	[ "$rc" -eq 0 ]
	same "$(jq -r .data "$T/out" | paste -sd ' ')" "one two three"
	jq -e '. >= 0.75' <<< "$(gap 1 2)"
	jq -e '. >= 0.75' <<< "$(gap 2 3)"
	same "$(cat "$T/err")" ""
}

@test "--sse: --event filters, --envelope wraps every event, --json makes text bad input" {
	printf '%s\n' 'event: update' 'id: 1' 'data: {"id":"1","content":"a"}' '' \
		'event: delete' 'id: 2' 'data: 109' '' \
		'event: notification' 'id: 3' 'data: {"type":"follow"}' '' \
		'event: update' 'id: 4' 'data: {"id":"4", "bad"}' '' \
		'data: plain text' '' > "$T/body"
	serve '{"responses": [{"headers": {"Content-Type": "text/event-stream"},
		"body_file": "'"$T/body"'", "end": "close"}]}'
	run --separate-stderr timeout 60 http-source --sse --once --event update,delete --event message --stats "$url"
	[ "$status" -eq 0 ]
	same "$output" '{"id":"1","content":"a"}
{"event":"delete","id":"2","data":"109"}
{"event":"message","id":"4","data":"plain text"}'
	same "$(grep -v '^{"tool"' <<< "$stderr")" "http-source: $url: event 4: invalid JSON: column 17: expected ':' after key"
	same "$(stats filtered) $(stats events) $(stats bad_input)" "1 5 1"

	run --separate-stderr timeout 60 http-source --sse --once --envelope --event update,delete "$url"
	[ "$status" -eq 0 ]
	same "$output" '{"event":"update","id":"1","data":{"id":"1","content":"a"}}
{"event":"delete","id":"2","data":"109"}'

	run --separate-stderr timeout 60 http-source --sse --once --json --dead-letter "$T/dl" "$url"
	[ "$status" -eq 0 ]
	same "$output" '{"id":"1","content":"a"}
{"type":"follow"}'
	same "$stderr" "http-source: $url: event 2: not a JSON object
http-source: $url: event 4: invalid JSON: column 17: expected ':' after key
http-source: $url: event 5: not a JSON object"
	same "$(cat "$T/dl")" '109
{"id":"4", "bad"}
plain text'
}

@test "--sse: overlong lines and events are bad input; long comments are padding" {
	{
		printf ': %0100d\n' 0
		printf 'data: %050d\n\n' 1
		printf 'data: 123456789\ndata: 123456789\ndata: 123456789\n\n'
		printf 'data: short\n\n'
		printf 'data: %0100d' 2
	} > "$T/body"
	serve '{"responses": [{"headers": {"Content-Type": "text/event-stream"},
		"body_file": "'"$T/body"'", "split": 16, "end": "close"}]}'
	run --separate-stderr timeout 60 http-source --sse --once --max-line 24 --dead-letter "$T/dl" "$url"
	[ "$status" -eq 0 ]
	same "$output" '{"event":"message","data":"short"}'
	same "$stderr" "http-source: $url: event 1: line too long (over 24 bytes)
http-source: $url: event 2: event too long (over 24 bytes)"
	same "$(cat "$T/dl")" "data: $(printf '%018d' 0)
123456789 123456789 "
}

@test "--sse: invalid UTF-8 is repaired, and the output is valid JSON" {
	printf 'data: caf\351 \355\240\200 ok\n\ndata: {"t":"\377x"}\n\n' > "$T/body"
	serve '{"responses": [{"headers": {"Content-Type": "text/event-stream"},
		"body_file": "'"$T/body"'", "end": "close"}]}'
	run --separate-stderr timeout 60 http-source --sse --once --stats "$url"
	[ "$status" -eq 0 ]
	same "$output" '{"event":"message","data":"caf� ��� ok"}
{"t":"�x"}'
	jq -e . <<< "$output" > /dev/null
	same "$(stats utf8_repaired)" 5
}

@test "--html-to-text: Mastodon statuses become text; entities decoded, tags stripped" {
	python3 -c '
import json
content = ("<p>Hello <span class=\"h-card\"><a href=\"https://x.social/@bob\" class=\"u-url mention\">@<span>bob</span></a></span> &amp; all,"
           " caf&#233; &#x1F600; &lt;3 &quot;q&quot; &apos;a&apos; a&nbsp;b &bogus; &#0; AT&T</p>"
           "<p>Line two<br>line three<br />"
           "<a href=\"https://x.social/tags/Rust\" class=\"mention hashtag\" rel=\"tag\">#<span>Rust</span></a> "
           "<a href=\"https://e.com/a/b\"><span class=\"invisible\">https://</span><span class=\"ellipsis\">e.com/a</span><span class=\"invisible\">/b</span></a></p>"
           "<!-- gone --><script>gone()</script><p>  spaced \n  out  </p>")
s = json.dumps({"id": "1", "content": content, "text": "old", "n": 1992000000000002768})
s = s.replace("1992000000000002768\"", "1992000000000002768")
s = s.replace("<", "\\u003c").replace(">", "\\u003e")
print("event: update\ndata: " + s.replace("\"1992000000000002768", "1992000000000002768") + "\n")
print("event: update\ndata: {\"id\":\"2\",\"content\":\"\",\"x\":{}}\n")
print("event: update\ndata: {\"id\":\"3\"}\n")
print("event: update\ndata: {\"id\":\"4\",\"content\":7}\n")
' > "$T/body"
	serve '{"responses": [{"headers": {"Content-Type": "text/event-stream"},
		"body_file": "'"$T/body"'", "end": "close"}]}'
	run --separate-stderr timeout 60 http-source --sse --once --html-to-text content=text "$url"
	[ "$status" -eq 0 ]
	same "$stderr" ""
	nbsp=$(printf '\302\240')
	same "$(jq -r .text <<< "$output")" "Hello @bob & all, café 😀 <3 \"q\" 'a' a${nbsp}b &bogus; � AT&T

Line two
line three
#Rust https://e.com/a/b

spaced out

null
null"
	# The other fields pass through byte for byte; text is put in place.
	same "$(head -n 1 <<< "$output" | grep -o '"n": 1992000000000002768')" '"n": 1992000000000002768'
	same "$(sed -n 2,4p <<< "$output")" '{"id":"2","content":"","x":{},"text":""}
{"id":"3"}
{"id":"4","content":7}'

	run --separate-stderr timeout 60 http-source --sse --once --html-to-text content "$url"
	[ "$status" -eq 0 ]
	same "$(head -n 1 <<< "$output" | jq -r .content | tail -n 1)" "spaced out"
	same "$(sed -n 2p <<< "$output")" '{"id":"2","content":"","x":{}}'
}

@test "NDJSON stream: objects pass, bad lines go to the dead letter, keep-alives are skipped" {
	{
		printf '\357\273\277{"id":1,"text":"caf\303\251"}\n\r\n\n'
		printf 'not json\n{"id":2,\n[1,2]\n'
		printf '{"id":3,"text":"bad \377 byte"}\n'
		printf '{"id":4,"pad":"%080d"}\n' 0
		printf '{"id":5}\r\n{"id":6}'
	} > "$T/body"
	serve '{"responses": [{"headers": {"Content-Type": "application/x-ndjson"},
		"body_file": "'"$T/body"'", "split": 5, "end": "close"}]}'
	run --separate-stderr timeout 60 http-source --once --max-line 64 --dead-letter "$T/dl" --stats "$url"
	[ "$status" -eq 0 ]
	same "$output" '{"id":1,"text":"café"}
{"id":3,"text":"bad � byte"}
{"id":5}
{"id":6}'
	same "$(grep -v '^{"tool"' <<< "$stderr")" "http-source: $url:4: not a JSON object
http-source: $url:5: invalid JSON: column 9: unexpected end of line
http-source: $url:6: not a JSON object
http-source: $url:8: line too long (over 64 bytes)"
	same "$(cat "$T/dl")" "not json
{\"id\":2,
[1,2]
{\"id\":4,\"pad\":\"$(printf '%049d' 0)"
	same "$(stats records_in) $(stats records_out) $(stats bad_input) $(stats utf8_repaired)" "8 4 4 1"
	same "$(sent accept)" "application/x-ndjson, application/json"
}

@test "NDJSON stream: a slow trickle, a byte at a time, then a reconnect; --strict ends it" {
	printf '{"n":%d,"text":"são paulo"}\n' $(seq 1 20) > "$T/body"
	serve '{"responses": [{"headers": {"Content-Type": "application/x-ndjson"},
		"body_file": "'"$T/body"'", "split": 1, "delay": 0.001, "end": "close"},
		{"body": "{\"n\":21}\nbad\n{\"n\":22}\n", "end": "close"}],
		"then": {"body": "", "end": "hold"}}'
	bg http-source --strict "$url"
	reap
	[ "$rc" -eq 1 ]
	same "$(jq -r .n "$T/out" | paste -sd ' ')" "$(seq 1 21 | paste -sd ' ')"
	same "$(head -n 1 "$T/out")" '{"n":1,"text":"são paulo"}'
	same "$(cat "$T/err")" "http-source: $url:2: not a JSON object"
}

@test "--poll: ETag and 304, 429 with Retry-After, --since emits only what is new, in order" {
	serve '{"responses": [
		{"etag": "\"v1\"", "length": true, "body": "[{\"id\":\"10\",\"t\":\"a\"},{\"id\":\"9\",\"t\":\"b\"},{\"id\":\"8\",\"t\":\"c\"}]"},
		{"etag": "\"v1\"", "length": true, "body": "[]"},
		{"status": 429, "reason": "Too Many Requests", "headers": {"Retry-After": "1"}, "length": true, "body": "slow\r\ndown"},
		{"etag": "\"v2\"", "length": true, "body": "[{\"id\":\"12\"},{\"id\":\"11\"},{\"id\":\"10\",\"t\":\"a\"},{\"id\":\"9\",\"t\":\"b\"}]"}],
		"then": {"etag": "\"v2\"", "length": true, "body": "[]"}}'
	bg http-source --poll 100ms --since id --stats "$url"
	wait_requests 6
	stop
	[ "$rc" -eq 0 ]
	same "$(cat "$T/out")" '{"id":"8","t":"c"}
{"id":"9","t":"b"}
{"id":"10","t":"a"}
{"id":"11"}
{"id":"12"}'
	same "$(sent if-none-match | cut -d ' ' -f 1-6)" '- "v1" "v1" "v1" "v2" "v2"'
	same "$(sent accept | cut -d ' ' -f 1)" "application/json"
	jq -e '. >= 0.95' <<< "$(gap 3 4)"
	same "$(grep -v '^{"tool"' "$T/err")" "http-source: '$url': HTTP 429 Too Many Requests: slow  down (retrying)
http-source: '$url': receiving again"
	same "$(stats records_out) $(stats skipped) $(stats failures)" "5 2 1"
	[ "$(stats not_modified)" -ge 2 ]
}

@test "--poll --once: --path, objects, bad elements, and --since on big ids, times and strings" {
	serve '{"responses": [{"length": true, "body": "{\"data\":[{\"id\":1},2,{\"id\":\"x\"},\"s\",[]],\"next\":null}"}]}'
	run --separate-stderr timeout 60 http-source --poll 1s --once --path data --dead-letter "$T/dl" "$url"
	[ "$status" -eq 0 ]
	same "$output" '{"id":1}
{"id":"x"}'
	same "$stderr" "http-source: $url: element 1: not a JSON object
http-source: $url: element 3: not a JSON object
http-source: $url: element 4: not a JSON object"
	same "$(cat "$T/dl")" '2
"s"
[]'

	run --separate-stderr timeout 60 http-source --poll 1s --once --path nope "$url"
	[ "$status" -eq 0 ]
	same "$stderr" "http-source: $url: no array at 'nope'"

	unserve
	serve '{"responses": [{"length": true, "body": "[{\"id\":1992000000000002769},{\"id\":1992000000000002768},{\"id\":99},{\"id\":-5},{\"id\":\"100\"},{\"id\":null}]"}]}'
	run --separate-stderr timeout 60 http-source --poll 1s --once --since id "$url"
	[ "$status" -eq 0 ]
	same "$output" '{"id":-5}
{"id":99}
{"id":"100"}
{"id":1992000000000002768}
{"id":1992000000000002769}'
	same "$stderr" "http-source: $url: element 5: no 'id' to compare"

	unserve
	serve '{"responses": [{"length": true, "body": "[{\"ts\":\"2026-01-01T00:00:00.5Z\"},{\"ts\":\"2026-01-01T01:00:00+02:00\"},{\"ts\":\"2026-01-01T00:00:00Z\"}]"}]}'
	run --separate-stderr timeout 60 http-source --poll 1s --once --since ts "$url"
	same "$output" '{"ts":"2026-01-01T01:00:00+02:00"}
{"ts":"2026-01-01T00:00:00Z"}
{"ts":"2026-01-01T00:00:00.5Z"}'

	unserve
	serve '{"responses": [{"length": true, "body": "[{\"id\":1},{\"bad\"},7]"}]}'
	run --separate-stderr timeout 60 http-source --poll 1s --once "$url"
	[ "$status" -eq 0 ]
	same "$output" '{"id":1}'
	same "$stderr" "http-source: $url: element 1: invalid JSON: column 7: expected ':' after key
http-source: $url: element 2: not a JSON object"
	unserve
	serve '{"responses": [{"length": true, "body": "[{\"id\":1},{\"bad\"},7]"}]}'
	run --separate-stderr timeout 60 http-source --poll 1s --once --dead-letter "$T/dl2" "$url"
	[ "$status" -eq 0 ]
	same "$output" '{"id":1}'
	same "$stderr" "http-source: $url: element 1: invalid JSON: column 7: expected ':' after key
http-source: $url: element 2: not a JSON object"
	same "$(cat "$T/dl2")" '{"bad"}
7'
	unserve
	serve '{"responses": [{"length": true, "body": "garbage"}]}'
	run --separate-stderr timeout 60 http-source --poll 1s --once "$url"
	[ "$status" -eq 0 ]
	same "$stderr" "http-source: $url: not a JSON array or object"
	unserve
	serve '{"responses": [{"length": true, "body": "[{\"a\":1},{\"a\":2} {\"a\":3}]"}]}'
	run --separate-stderr timeout 60 http-source --poll 1s --once "$url"
	same "$output" ""
	same "$stderr" "http-source: $url: invalid JSON: malformed array"
	unserve
	serve '{"responses": [{"length": true, "body": "[{\"a\":\"'"$(printf '%0100d' 0)"'\"}]"}]}'
	run --separate-stderr timeout 60 http-source --poll 1s --once --max-line 64 "$url"
	same "$stderr" "http-source: $url: response too long (over 64 bytes)"
}

@test "--poll without --since: a sliding list gives each element once; an unchanged answer gives nothing" {
	serve '{"responses": [
		{"length": true, "body": "[{\"id\":\"A\"},{\"id\":\"B\"},{\"id\":\"C\"}]"},
		{"length": true, "body": "[{\"id\":\"B\"},{\"id\":\"C\"},{\"id\":\"D\"}]"},
		{"length": true, "body": "[{\"id\":\"C\"},{\"id\":\"D\"},{\"id\":\"E\"}]"}]}'
	bg http-source --poll 50ms --stats "$url"
	wait_stat skipped 10
	stop
	[ "$rc" -eq 0 ]
	same "$(cat "$T/out")" '{"id":"A"}
{"id":"B"}
{"id":"C"}
{"id":"D"}
{"id":"E"}'
	same "$(grep -v '^{"tool"' "$T/err")" ""
	# 2 and 2 of the second and third answers, then 3 of each like them.
	skipped=$(stats skipped)
	same "$(((skipped - 4) % 3))" 0
	same "$(stats records_in) $(stats records_out) $(stats not_modified)" "5 5 0"
	same "$(sent if-none-match | cut -d ' ' -f 1-4)" "- - - -"
}

@test "--poll without --since: what leaves the answer and comes back is new; bad elements, 304, one object" {
	serve '{"responses": [
		{"etag": "\"v1\"", "length": true, "body": "[{\"id\":\"A\"},{\"id\":\"B\"},7]"},
		{"etag": "\"v1\"", "length": true, "body": "[]"},
		{"etag": "\"v2\"", "length": true, "body": "[{\"id\":\"B\"},7,{\"id\":\"B\"}]"},
		{"etag": "\"v3\"", "length": true, "body": "[{\"id\":\"A\"},{\"id\":\"B\"},7]"}],
		"then": {"etag": "\"v3\"", "length": true, "body": "[]"}}'
	bg http-source --poll 50ms --stats "$url"
	wait_requests 6
	stop
	[ "$rc" -eq 0 ]
	same "$(cat "$T/out")" '{"id":"A"}
{"id":"B"}
{"id":"A"}'
	same "$(grep -v '^{"tool"' "$T/err")" "http-source: $url: element 2: not a JSON object"
	same "$(sent if-none-match | cut -d ' ' -f 1-6)" '- "v1" "v1" "v2" "v3" "v3"'
	same "$(stats records_out) $(stats bad_input) $(stats skipped)" "3 1 5"
	[ "$(stats not_modified)" -ge 2 ]

	unserve
	# White space around an answer that is one object is not part of it.
	serve '{"responses": [{"length": true, "body": "{\"v\":1}\n"}, {"length": true, "body": "{\"v\":1}"},
		{"length": true, "body": " {\"v\":2} "}, {"length": true, "body": "[{\"v\":2},{\"v\":2}]"}]}'
	bg http-source --poll 50ms "$url"
	wait_requests 6
	stop
	[ "$rc" -eq 0 ]
	same "$(cat "$T/out")" '{"v":1}
{"v":2}'
	same "$(cat "$T/err")" ""
}

@test "HTTP errors: 401 and 403 end it; 404 is retried and reported once; --once gives up" {
	serve '{"responses": [{"status": 401, "reason": "Unauthorized", "length": true,
		"body": "{\"error\":\"The access token is invalid\"}"}]}'
	run --separate-stderr timeout 60 http-source --sse "$url"
	[ "$status" -eq 1 ]
	same "$stderr" "http-source: '$url': HTTP 401 Unauthorized: {\"error\":\"The access token is invalid\"}"
	unserve

	serve '{"responses": [{"status": 403, "reason": "Forbidden", "body": ""}]}'
	run --separate-stderr timeout 60 http-source --poll 1s "$url"
	[ "$status" -eq 1 ]
	same "$stderr" "http-source: '$url': HTTP 403 Forbidden"
	unserve

	serve '{"responses": [
		{"status": 404, "reason": "Not Found", "body": "no such stream"},
		{"status": 503, "reason": "Service Unavailable", "headers": {"Retry-After": "Thu, 01 Jan 1970 00:00:00 GMT"}, "body": ""},
		{"status": 500, "reason": "Internal Server Error", "body": ""},
		{"headers": {"Content-Type": "text/event-stream"}, "body": "data: {\"ok\":1}\n\n", "end": "hold"}]}'
	bg http-source --sse "$url"
	wait_lines 1
	stop
	[ "$rc" -eq 0 ]
	same "$(cat "$T/out")" '{"ok":1}'
	same "$(cat "$T/err")" "http-source: '$url': HTTP 404 Not Found: no such stream (retrying)
http-source: '$url': receiving again"

	unserve
	serve '{"responses": [{"status": 404, "reason": "Not Found", "body": "no such stream"}]}'
	run --separate-stderr timeout 60 http-source --once "$url"
	[ "$status" -eq 1 ]
	same "$stderr" "http-source: '$url': HTTP 404 Not Found: no such stream"
}

@test "Retry-After as an HTTP date: the next request is not made before it" {
	serve '{"responses": [
		{"status": 503, "reason": "Service Unavailable", "retry_after_date": 2, "length": true, "body": ""},
		{"body": "{\"ok\":1}\n", "end": "close"}],
		"then": {"body": "", "end": "hold"}}'
	bg http-source "$url"
	wait_lines 1
	stop
	[ "$rc" -eq 0 ]
	same "$(cat "$T/out")" '{"ok":1}'
	same "$(cat "$T/err")" "http-source: '$url': HTTP 503 Service Unavailable (retrying)
http-source: '$url': receiving again"
	# The date is a whole second, one to two seconds ahead when it was
	# sent; the backoff alone would have asked again after 100 ms or so.
	jq -se '(map(select(.method and .n == 2))[0].wall) >=
		(map(select(.end and .n == 1))[0].retry_at) - 0.1' "$T/log"
}

@test "--sse: a reply that is not an event stream ends it; 204 means do not reconnect" {
	serve '{"responses": [{"headers": {"Content-Type": "text/html"}, "body": "<html>"}]}'
	run --separate-stderr timeout 60 http-source --sse "$url"
	[ "$status" -eq 1 ]
	same "$stderr" "http-source: '$url': not an event stream: Content-Type 'text/html'"
	unserve
	serve '{"responses": [{"status": 204, "reason": "No Content", "length": true}]}'
	run --separate-stderr timeout 60 http-source --sse "$url"
	[ "$status" -eq 0 ]
	same "$stderr" "http-source: '$url': HTTP 204 No Content: the server asks not to reconnect"
	same "$(grep -c '"method"' "$T/log")" 1
}

@test "a server that refuses: retried with backoff and reported once; --once exits 1" {
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	url="http://127.0.0.1:$port/"
	run --separate-stderr timeout 60 http-source --once "$url"
	[ "$status" -eq 1 ]
	same "$stderr" "http-source: '$url': Couldn't connect to server"
	bg http-source --sse --backoff-max 200ms --stats "$url"
	wait_stat failures 4
	stop
	[ "$rc" -eq 0 ]
	same "$(grep -v '^{"tool"' "$T/err")" "http-source: '$url': Couldn't connect to server (retrying)"
	same "$(cat "$T/out")" ""
	run --separate-stderr timeout 60 http-source --once http://127.0.0.1:1:2/
	[ "$status" -eq 2 ]
}

@test "--idle-timeout: a silent connection is dropped and made again; heartbeats keep it" {
	serve '{"responses": [{"headers": {"Content-Type": "text/event-stream"}, "body": "", "end": "hold"}]}'
	run --separate-stderr timeout 60 http-source --sse --once --idle-timeout 300ms "$url"
	[ "$status" -eq 1 ]
	same "$stderr" "http-source: '$url': no data for 300ms"
	bg http-source --sse --idle-timeout 200ms "$url"
	wait_requests 4
	stop
	[ "$rc" -eq 0 ]
	same "$(cat "$T/err")" "http-source: '$url': no data for 200ms (retrying)"
	unserve
	rm "$T/log"

	python3 -c 'print("{\"responses\": [{\"headers\": {\"Content-Type\": \"text/event-stream\"}, \"body\": \"" + ": hb\\n" * 30 + "data: done\\n\\n\", \"split\": 4, \"delay\": 0.02, \"end\": \"close\"}]}")' > "$T/scn"
	serve "$(cat "$T/scn")"
	run --separate-stderr timeout 60 http-source --sse --once --idle-timeout 2s "$url"
	[ "$status" -eq 0 ]
	same "$output" '{"event":"message","data":"done"}'
	same "$stderr" ""
}

@test "auth from the environment or a file, headers from -H and -H @FILE" {
	serve '{"responses": [{"body": "{\"a\":1}\n", "end": "close"}]}'
	HTTP_SOURCE_TOKEN=s3cret run --separate-stderr timeout 60 http-source --once -H 'X-Trace: 1' "$url"
	[ "$status" -eq 0 ]
	same "$output" '{"a":1}'
	printf 'fromfile\n' > "$T/token"
	run --separate-stderr timeout 60 http-source --once --token-file "$T/token" "$url"
	[ "$status" -eq 0 ]
	HTTP_SOURCE_USER=ana HTTP_SOURCE_PASSWORD=pw run --separate-stderr timeout 60 http-source --once "$url"
	[ "$status" -eq 0 ]
	printf 'X-Api-Key: k1\n\nAccept: application/json\n' > "$T/headers"
	run --separate-stderr timeout 60 http-source --once -H @"$T/headers" "$url"
	[ "$status" -eq 0 ]
	same "$(sent authorization)" "Bearer s3cret Bearer fromfile Basic YW5hOnB3 -"
	same "$(sent x-trace) / $(sent x-api-key) / $(sent accept)" \
		"1 - - - / - - - k1 / application/x-ndjson, application/json application/x-ndjson, application/json application/x-ndjson, application/json application/json"

	run --separate-stderr http-source --once --token-file "$T/none" "$url"
	[ "$status" -eq 1 ]
	same "$stderr" "http-source: cannot open '$T/none': No such file or directory"
	: > "$T/empty"
	run --separate-stderr http-source --once --token-file "$T/empty" "$url"
	[ "$status" -eq 1 ]
	same "$stderr" "http-source: '$T/empty': no token in the file"
	printf 'bad header\n' > "$T/headers"
	run --separate-stderr http-source -H @"$T/headers" "$url"
	[ "$status" -eq 2 ]
	same "$stderr" "http-source: -H: expected 'NAME: VALUE' in '$T/headers': 'bad header'"
}

@test "TLS: the server's certificate is checked; --cacert and --insecure" {
	serve --tls '{"responses": [{"body": "{\"tls\":true}\n", "end": "close"}]}'
	url="https://127.0.0.1:$port/stream"
	run --separate-stderr timeout 60 http-source --once "$url"
	[ "$status" -eq 1 ]
	same "$stderr" "http-source: '$url': SSL peer certificate or SSH remote key was not OK"
	run --separate-stderr timeout 60 http-source --once --cacert "$FIX/http-tls.crt" "$url"
	[ "$status" -eq 0 ]
	same "$output" '{"tls":true}'
	run --separate-stderr timeout 60 http-source --once --insecure "$url"
	[ "$status" -eq 0 ]
	same "$output" '{"tls":true}'
}

@test "SIGTERM mid-stream: complete events are written, the incomplete one is not, exit 0" {
	serve '{"responses": [{"headers": {"Content-Type": "text/event-stream"},
		"body": "id: 1\ndata: {\"n\":1}\n\nid: 2\ndata: {\"n\":2}\n\nid: 3\ndata: {\"n\":3}\n\nid: 4\ndata: {\"n\":", "end": "hold"}]}'
	bg http-source --sse -v "$url"
	wait_lines 3
	wait_for "$T/log" '"end": "hold"'
	stop
	[ "$rc" -eq 0 ]
	same "$(cat "$T/out")" '{"n":1}
{"n":2}
{"n":3}'
	same "$(cat "$T/err")" "http-source: connected to '$url' (HTTP 200)
http-source: last event id '3'"
}

@test "--last-event-id resumes a stream from the start" {
	serve '{"responses": [{"headers": {"Content-Type": "text/event-stream"},
		"sse": {"events": [{"id": "a", "data": "1"}, {"id": "b", "data": "2"}, {"id": "c", "data": "3"}]}, "end": "close"}]}'
	run --separate-stderr timeout 60 http-source --sse --once --last-event-id b "$url"
	[ "$status" -eq 0 ]
	same "$output" '{"event":"message","id":"c","data":"3"}'
	same "$(sent last-event-id)" "b"
}

@test "output errors: >/dev/full exits 1; | head -n1 ends quietly" {
	python3 -c 'print("\n".join("data: {\"n\":%d}\n" % i for i in range(3000)))' > "$T/body"
	serve '{"responses": [{"headers": {"Content-Type": "text/event-stream"},
		"body_file": "'"$T/body"'", "split": 500, "delay": 0.005, "end": "close"}]}'
	run --separate-stderr bash -c 'timeout 60 http-source --sse --once "$1" > /dev/full' sh "$url"
	[ "$status" -eq 1 ]
	same "$stderr" "http-source: write error: No space left on device"
	run --separate-stderr bash -c 'timeout 60 http-source --sse "$1" | head -n 1; echo "status ${PIPESTATUS[0]}"' sh "$url"
	same "$output" '{"n":0}
status 0'
	same "$stderr" ""
}

@test "a slow reader: the queue fills, the transfer pauses, nothing is lost" {
	serve_numbered
	bg_into 'exec slowcat 16384 2' http-source --sse --once --stats --buffer 16k "$url"
	reap
	[ "$rc" -eq 0 ]
	wait "$reader"
	run jq -r .n "$T/out"
	same "$(awk 'NR - 1 != $1 { bad++ } END { print NR, bad + 0 }' <<< "$output")" "20000 0"
	[ "$(stats paused)" -gt 0 ]
	same "$(stats dropped)" 0
}

@test "--on-full drop-newest: a blocked reader loses records, counted and reported" {
	serve_numbered
	bg_into "$(gate)" http-source --sse --once --stats --buffer 16k --on-full drop-newest "$url"
	wait_for "$T/log" '"end": "close"'
	wait_stat dropped 1
	touch "$T/go"
	reap
	kept_and_dropped 20000
	same "$(jq -r .n "$T/out" | awk 'NR > 1 && $1 <= prev { bad++ } { prev = $1 } END { print bad + 0 }')" 0
	same "$(grep -v '^{"tool"' "$T/err")" "http-source: buffer full: dropping the newest records
http-source: dropped $dropped records in all: buffer full (--on-full drop-newest)"
}

@test "--on-full drop-oldest: a blocked reader gets the first records and the newest, the rest counted" {
	serve_numbered
	bg_into "$(gate)" http-source --sse --once --stats --buffer 16k --on-full drop-oldest "$url"
	# Every byte is in, so every record was queued or dropped.
	wait_stat bytes "$(wc -c < "$T/body")"
	touch "$T/go"
	reap
	kept_and_dropped 20000
	# What stdout took before the reader stopped, from the first record on;
	# then what the buffer held: the newest, up to the last.
	run awk 'NR == 1 { first = $1 } NR > 1 && $1 != prev + 1 { gaps++; tail = 0 }
		{ prev = $1; tail++ } END { print first, prev, gaps + 0; print tail }' <(jq -r .n "$T/out")
	same "${lines[0]}" "0 19999 1"
	# The buffer was full of the newest: 16k holds 146 records of 100
	# bytes, each taking 112 with its 8 bytes of bookkeeping, 8-aligned.
	same "${lines[1]}" 146
	same "$(grep -v '^{"tool"' "$T/err")" "http-source: buffer full: dropping the oldest records
http-source: dropped $dropped records in all: buffer full (--on-full drop-oldest)"
}

@test "--rate: records are released at the rate asked" {
	python3 -c 'print("".join("data: {\"n\":%d}\n\n" % i for i in range(30)), end="")' > "$T/body"
	serve '{"responses": [{"headers": {"Content-Type": "text/event-stream"},
		"body_file": "'"$T/body"'", "end": "close"}]}'
	start=$(date +%s%N)
	run --separate-stderr timeout 60 http-source --sse --once --rate 20 "$url"
	end=$(date +%s%N)
	[ "$status" -eq 0 ]
	same "$(jq -r .n <<< "$output" | paste -sd ' ')" "$(seq 0 29 | paste -sd ' ')"
	[ $(((end - start) / 1000000)) -ge 1000 ]
}

@test "the live pipeline: Mastodon-style updates through tokenize to hashtags" {
	python3 -c '
import json
tags = ["Rust", "rust", "Linux", "Rust"]
for i, t in enumerate(tags):
    c = "<p>post %d <a href=\"https://x.social/tags/%s\" class=\"mention hashtag\" rel=\"tag\">#<span>%s</span></a></p>" % (i, t.lower(), t)
    print("event: update\nid: %d\ndata: %s\n" % (i, json.dumps({"id": str(100 + i), "created_at": "2026-11-21T12:00:0%dZ" % i, "content": c})))
    print(": thump\n")
    print("event: delete\ndata: %d\n" % (90 + i))
' > "$T/body"
	serve '{"responses": [{"headers": {"Content-Type": "text/event-stream"},
		"body_file": "'"$T/body"'", "split": 64, "end": "close"}]}'
	run --separate-stderr bash -c 'timeout 60 http-source --sse --once --event update --html-to-text content=text "$1" |
		tokenize -k hashtag --fold | jq -r .token | sort | uniq -c | sort -rn' sh "$url"
	[ "$status" -eq 0 ]
	same "$(awk '{ print $1, $2 }' <<< "$output")" "3 rust
1 linux"
	same "$stderr" ""
	same "$(sent authorization)" "-"
}

@test "http-source under valgrind: streams, drops, polls, HTML, --rate" {
	case $RTPIPE_BUILD in *asan*) skip "valgrind cannot run a sanitizer build" ;; esac
	command -v valgrind > /dev/null || skip "no valgrind"
	python3 -c '
import json
ev = [{"id": str(i), "event": "update", "data": json.dumps({"id": i, "content": "<p>a &amp; b<br>#x &#233;</p>"})} for i in range(1, 30)]
ev[3]["data"] = "not json"
ev[4]["data"] = "{\"broken\""
print(json.dumps({"responses": [{"headers": {"Content-Type": "text/event-stream"},
    "sse": {"events": ev}, "drop_after": [100, 7], "split": 50, "end": "close"}]}))' > "$T/scn"
	serve "$(cat "$T/scn")"
	"${VG[@]}" http-source --sse --html-to-text content=text --buffer 4k --max-line 64 --stats \
		"$url" > "$T/out" 2> "$T/err" &
	pid=$!
	wait_lines 28
	wait_requests 4
	stop
	[ "$rc" -eq 0 ]
	same "$(jq -r .id "$T/out" | paste -sd ' ')" "$(seq 1 29 | grep -vx 5 | paste -sd ' ')"
	same "$(sed -n 4p "$T/out")" '{"event":"update","id":"4","data":"not json"}'
	same "$(head -n 1 "$T/out" | jq -r .text)" "a & b
#x é"
	unserve
	serve '{"responses": [{"etag": "\"e\"", "length": true, "body": "[{\"id\":3},{\"id\":\"2\"},{\"id\":1},7]"}]}'
	run --separate-stderr "${VG[@]}" http-source --poll 1s --once --since id --stats "$url"
	[ "$status" -eq 0 ]
	same "$output" '{"id":1}
{"id":"2"}
{"id":3}'
	unserve
	serve '{"responses": [{"length": true, "body": "[{\"id\":1},{\"id\":2},7]"},
		{"length": true, "body": "[{\"id\":2},7,{\"id\":3}]"}]}'
	"${VG[@]}" http-source --poll 100ms --rate 1000 "$url" > "$T/out" 2> "$T/err" &
	pid=$!
	wait_requests 4
	stop
	[ "$rc" -eq 0 ]
	same "$(cat "$T/out")" '{"id":1}
{"id":2}
{"id":3}'
	same "$(cat "$T/err")" "http-source: $url: element 2: not a JSON object"
}
