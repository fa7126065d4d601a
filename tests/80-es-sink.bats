#!/usr/bin/env bats
# es-sink against es-server (tests/helpers/es-server.c), an Elasticsearch
# stand-in on 127.0.0.1 that keeps what it indexed and fails on demand.
# Each test compares the stored sources with the input, sorted, byte for
# byte: nothing lost, and with ids nothing twice.  Every wait is bounded
# (60 s) and no assertion looks at the clock.

load helper

setup() {
	T="$BATS_TEST_TMPDIR"
	pid='' tpg=''
	iot-sim --no-pacing -n 20 -c 500 --seed 4 > "$T/in"
}

teardown() {
	local g
	# The TLS fronts and the processes they forked, one per connection.
	for g in $tpg; do
		kill -9 -- "-$g" 2>/dev/null
	done
	end_jobs
}

# server ARGS: starts es-server; $U is its URL, $spid its process.
server() {
	rm -f "$T/port"
	es-server -l "$T/log" "$@" > "$T/port" 2> "$T/server.err" &
	spid=$!
	port=$(first_line "$spid" "$T/port" "$T/server.err")
	U=http://127.0.0.1:$port
}

# tls_front ADDR: socat as a TLS front on ADDR for the running server,
# with the certificate of tests/fixtures/es-tls.crt (issued by
# es-tls-ca.crt for 127.0.0.1 and localhost); $S is its URL.  It runs in
# a session of its own, so that teardown ends the forks with it.
tls_front() {
	local front="$T/socat-$1.err"
	setsid socat -d -d "OPENSSL-LISTEN:0,bind=$1,reuseaddr,fork,cert=$FIX/es-tls.crt,key=$FIX/es-tls.key,verify=0" \
		"TCP:127.0.0.1:$port" 2> "$front" &
	wait_for "$front" "socat\[[0-9]+\] N listening on AF=2 $1:[0-9]+\$"
	tpg="$tpg "$(sed -n 's/.*socat\[\([0-9]*\)\] N listening on .*/\1/p' "$front" | head -n 1)
	S=https://$1:$(sed -n 's/.* listening on AF=2 [0-9.]*:\([0-9]*\)$/\1/p' "$front" | head -n 1)
}

stop_server() {
	kill "$spid"
	wait "$spid" || true
	spid=''
}

# Replaces the running server by a new one with ARGS.
restart() {
	stop_server
	server "$@"
}

# The stored sources, sorted.
stored() {
	curl -sf "$U/_sources" | LC_ALL=C sort
}

sorted() {
	LC_ALL=C sort "$@"
}

# The stored documents without their sources: index, id, version.
meta() {
	curl -sf "$U/_dump" | jq -c '[._index, ._id, ._version]'
}

@test "usage: -h, bad options and option rules" {
	run --separate-stderr es-sink -h
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: es-sink [-u URL] [-i INDEX] [-t FIELD] [--time-format FORMAT] [--op index|create]" ]
	[ -z "$stderr" ]

	usage_error_with_synopsis "es-sink: unrecognized option '--bogus'" es-sink --bogus

	usage_error "es-sink: --id-field and --id-hash cannot be used together" es-sink --id-field id --id-hash
	usage_error "es-sink: --cacert and --insecure cannot be used together" es-sink --cacert x.pem --insecure
	usage_error "es-sink: --op: expected index or create: 'upsert'" es-sink --op upsert
	usage_error "es-sink: -i: index names must be lowercase: 'Logs-%Y' gives 'Logs-2026'" es-sink -i 'Logs-%Y'
	usage_error "es-sink: -i: index names must be lowercase: 'logs-%b' gives 'logs-Nov'" es-sink -i 'logs-%b'
	usage_error "es-sink: -i: index names cannot contain ' ': 'a b' gives 'a b'" es-sink -i 'a b'
	usage_error "es-sink: -i: invalid index name: '_x' gives '_x'" es-sink -i '_x'
	usage_error "es-sink: -u: credentials in the URL would show in the process list: use ES_USER and ES_PASSWORD" es-sink -u http://elastic:secret@localhost:9200
	usage_error "es-sink: -u: expected an http or https URL: 'ftp://localhost'" es-sink -u ftp://localhost
	usage_error "es-sink: -u: expected a URL without query or fragment: 'http://localhost:9200/?x=1'" es-sink -u 'http://localhost:9200/?x=1'
	usage_error "es-sink: --batch-docs: too small: 0" es-sink --batch-docs 0
	usage_error "es-sink: --retry-for: invalid duration: '10x'" es-sink --retry-for 10x
	usage_error "es-sink: --buffer: 65536 bytes do not hold a record of --max-line 1048576" es-sink --buffer 64k --max-line 1M
	ES_USER=elastic usage_error "es-sink: ES_USER needs ES_PASSWORD" es-sink
	ES_USER=elastic ES_PASSWORD=x ES_API_KEY=k usage_error \
		"es-sink: ES_API_KEY and ES_USER cannot be used together" es-sink
}

@test "every record arrives once, byte for byte, on one connection, in an index per day" {
	server
	printf '%s\n' '{"ts":"2026-03-01T23:59:59.999+00:00","id":1992000000000002768,"n":1e400}' \
		'{"ts":1772409600,"k":"\u00e9\"\\"}' >> "$T/in"
	run --separate-stderr es-sink -u "$U" -i 'iot-%Y.%m.%d' --stats < "$T/in"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# One connection for es-sink, one for this question.
	same "$(curl -sf "$U/_stats" | jq -c '{requests, items, docs, connections}')" \
		'{"requests":1,"items":502,"docs":502,"connections":2}'
	same "$(stored)" "$(sorted "$T/in")"
	same "$(meta | jq -r '.[0]' | sort | uniq -c | sed 's/^ *//')" "500 iot-2026.01.01
1 iot-2026.03.01
1 iot-2026.03.02"
	# bytes: the records, their newlines and the action lines.
	same "$stderr" "$(printf '{"tool":"es-sink","records_in":502,"records_out":0,"bad_input":0,"dropped":0,"utf8_repaired":0,"indexed":502,"retried":0,"rejected":0,"expired":0,"undelivered":0,"already_indexed":0,"no_time":0,"requests":1,"bytes":%d}' "$(($(wc -c < "$T/in") + 502 * 38))")"
}

@test "batches close by count, by bytes and by the flush interval" {
	server
	run --separate-stderr es-sink -u "$U" -i iot --batch-docs 200 < "$T/in"
	[ "$status" -eq 0 ]
	same "$(cat "$T/log")" "req=1 items=200 status=200
req=2 items=200 status=200
req=3 items=100 status=200"
	: > "$T/log"
	run --separate-stderr es-sink -u "$U" -i iot --batch-bytes 10k < "$T/in"
	[ "$status" -eq 0 ]
	# Each request stays within 10 KiB of bulk body: action lines are
	# {"index":{"_index":"iot"}} plus a newline, 27 bytes.
	awk '{ sub(/^.*items=/, ""); sub(/ .*/, ""); print }' "$T/log" > "$T/sizes"
	[ "$(wc -l < "$T/sizes")" -gt 1 ]
	[ "$(paste -sd+ "$T/sizes" | bc)" -eq 500 ]
	# A quiet stream: the first record goes after the flush interval,
	# while the input stays open.
	before=$(curl -sf "$U/_stats" | jq .docs)
	bg_on_pipe es-sink -u "$U" -i quiet --flush-interval 100ms
	head -n 1 "$T/in" >&5
	for i in $(seq 6000); do
		[ "$(curl -sf "$U/_stats" | jq .docs)" -eq $((before + 1)) ] && break
		sleep 0.01
	done
	[ "$(curl -sf "$U/_stats" | jq .docs)" -eq $((before + 1)) ]
	exec 5>&-
	reap
	[ "$rc" -eq 0 ]
}

@test "a record without a usable time goes to the index of the time it was read" {
	server
	printf '%s\n' '{"a":1}' '{"ts":"yesterday"}' '{"ts":"2026-01-02T00:00:00Z"}' > "$T/few"
	year=$(date -u +%Y)
	run --separate-stderr es-sink -u "$U" -i 'x-%Y' --stats < "$T/few"
	[ "$status" -eq 0 ]
	[ "$(date -u +%Y)" = "$year" ] || skip "the year turned during the run"
	same "$(meta | jq -r '.[0]' | sort)" "x-2026
x-$year
x-$year"
	same "${stderr_lines[0]}" "es-sink: <stdin>:1: no usable time in 'ts': indexed by the time it was read"
	same "${stderr_lines[1]}" "es-sink: 2 records without a usable time in 'ts' were indexed by the time they were read"
	[ "$(jq .no_time <<< "${stderr_lines[2]}")" -eq 2 ]
	# -t names another field; --time-format s reads epoch seconds.
	printf '%s\n' '{"at":86400}' > "$T/few"
	run --separate-stderr es-sink -u "$U" -i 'y-%Y.%m.%d' -t at --time-format s < "$T/few"
	[ "$status" -eq 0 ]
	[ "$(meta | jq -r '.[0]' | grep '^y-')" = y-1970.01.02 ]
}

@test "--id-field and --id-hash: a second run overwrites instead of duplicating" {
	server
	run --separate-stderr es-sink -u "$U" -i iot --id-field seq < <(awk '{ sub(/"seq":[0-9]+/, "\"seq\":\"s" NR "\""); print }' "$T/in")
	[ "$status" -eq 0 ]
	same "$(meta | head -n 2)" '["iot","s1",1]
["iot","s2",1]'
	run --separate-stderr es-sink -u "$U" -i iot --id-field seq < <(awk '{ sub(/"seq":[0-9]+/, "\"seq\":\"s" NR "\""); print }' "$T/in")
	[ "$status" -eq 0 ]
	[ "$(curl -sf "$U/_stats" | jq .docs)" -eq 500 ]
	same "$(meta | jq '.[2]' | sort -u)" 2

	# The hash is MurmurHash3 x64 128 of the record's bytes, h1 then h2.
	printf '{"a":1}\n' | es-sink -u "$U" -i h --id-hash
	run --separate-stderr es-sink -u "$U" -i h --id-hash < "$T/in"
	run --separate-stderr es-sink -u "$U" -i h --id-hash < "$T/in"
	[ "$status" -eq 0 ]
	[ "$(meta | grep -c '^\["h"')" -eq 501 ]
	same "$(meta | grep '^\["h"' | head -n 1)" '["h","75b4c446ea7e78a0ed33cf94515d0333",1]'
	[ "$(meta | grep '^\["h"' | jq '.[2]' | sort -u | tr '\n' ' ')" = "1 2 " ]

	# Ids that cannot be: bad input, kept, counted; the exit status says so.
	printf '%s\n' '{"seq":"ok"}' '{"x":1}' '{"seq":[1]}' '{"seq":""}' '{"seq":7}' > "$T/few"
	run --separate-stderr es-sink -u "$U" -i ids --id-field seq --dead-letter "$T/dl" < "$T/few"
	[ "$status" -eq 1 ]
	same "$stderr" "es-sink: <stdin>:2: no id field 'seq'
es-sink: <stdin>:3: id field 'seq' is not a string or number
es-sink: <stdin>:4: id field 'seq' is empty
es-sink: 3 records not delivered: kept in '$T/dl'"
	same "$(cat "$T/dl")" '{"x":1}
{"seq":[1]}
{"seq":""}'
	same "$(meta | grep '^\["ids"')" '["ids","ok",1]
["ids","7",1]'
}

@test "--op create: an existing id is a 409 conflict, kept in the dead letter" {
	server
	printf '%s\n' '{"id":"a","v":1}' '{"id":"b","v":1}' > "$T/one"
	printf '%s\n' '{"id":"a","v":2}' '{"id":"c","v":2}' > "$T/two"
	run --separate-stderr es-sink -u "$U" -i ds --op create --id-field id < "$T/one"
	[ "$status" -eq 0 ]
	run --separate-stderr es-sink -u "$U" -i ds --op create --id-field id --dead-letter "$T/dl" < "$T/two"
	[ "$status" -eq 1 ]
	same "$stderr" "es-sink: <stdin>:1: rejected: 409 version_conflict_engine_exception: [a]: version conflict, document already exists (current version [1])
es-sink: 1 record not delivered: kept in '$T/dl'"
	same "$(cat "$T/dl")" '{"id":"a","v":2}'
	same "$(stored)" '{"id":"a","v":1}
{"id":"b","v":1}
{"id":"c","v":2}'
	# With --id-hash the same id is the same record: already there.
	run --separate-stderr es-sink -u "$U" -i h --op create --id-hash < "$T/in"
	run --separate-stderr es-sink -u "$U" -i h --op create --id-hash --stats < "$T/in"
	[ "$status" -eq 0 ]
	[ "$(jq .already_indexed <<< "$stderr")" -eq 500 ]
}

@test "per-item 429 and 500: only those are sent again, and all arrive once" {
	server -s 7 --item-fail 429:0.3 --item-fail 500:0.1
	run --separate-stderr es-sink -u "$U" -i iot --backoff-max 100ms --batch-docs 100 --stats < "$T/in"
	[ "$status" -eq 0 ]
	same "$(stored)" "$(sorted "$T/in")"
	stats=${stderr_lines[${#stderr_lines[@]}-1]}
	retried=$(jq .retried <<< "$stats")
	[ "$retried" -gt 0 ]
	# Items the server saw: every document once, plus the retries.
	[ "$(curl -sf "$U/_stats" | jq .items)" -eq $((500 + retried)) ]
	grep -Eq "^es-sink: '$U': [0-9]+ of [0-9]+ documents failed with (429 es_rejected_execution_exception|500 exception): .*: retrying them$" <<< "$stderr"
	[ "$(grep -vc "retrying them$" <<< "$stderr")" -eq 1 ]
}

@test "per-item retries keep their order and go first" {
	server --item-if flaky:429:2
	printf '%s\n' '{"n":1}' '{"n":2,"flaky":1}' '{"n":3}' '{"n":4,"flaky":1}' '{"n":5}' > "$T/few"
	run --separate-stderr es-sink -u "$U" -i o --backoff-max 100ms < "$T/few"
	[ "$status" -eq 0 ]
	same "$stderr" "es-sink: '$U': 2 of 5 documents failed with 429 es_rejected_execution_exception: rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=0, max_coordinating_and_primary_bytes=0]: retrying them"
	same "$(cat "$T/log")" "req=1 items=5 status=200
req=2 items=2 status=200"
	same "$(curl -sf "$U/_sources")" '{"n":1}
{"n":3}
{"n":5}
{"n":2,"flaky":1}
{"n":4,"flaky":1}'
}

@test "whole requests refused with 429 and 503 are sent again whole" {
	server --on 1-2:429 --on 3:503
	run --separate-stderr es-sink -u "$U" -i iot --backoff-max 100ms < "$T/in"
	[ "$status" -eq 0 ]
	same "$(stored)" "$(sorted "$T/in")"
	same "$stderr" "es-sink: '$U': HTTP 429: es_rejected_execution_exception: rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=0, max_coordinating_and_primary_bytes=0]: retrying 500 documents
es-sink: '$U': HTTP 429: es_rejected_execution_exception: rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=0, max_coordinating_and_primary_bytes=0]: retrying 500 documents
es-sink: '$U': HTTP 503: cluster_block_exception: blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];: retrying 500 documents"
	same "$(cut -d' ' -f3 "$T/log" | tr '\n' ' ')" "status=429 status=429 status=503 status=200 "
}

@test "whole-request faults by fraction: no loss, and with ids no duplicate" {
	server -s 3 --req-fail 503:0.2 --req-fail drop:0.1 --req-fail drop-after:0.1 --req-fail 500:0.1
	run --separate-stderr es-sink -u "$U" -i iot --id-hash --batch-docs 50 --backoff-max 100ms --retries 50 < "$T/in"
	[ "$status" -eq 0 ]
	same "$(stored)" "$(sorted "$T/in")"
	grep -q 'status=drop-after' "$T/log"
	grep -q 'status=503' "$T/log"
	[ "$(meta | jq '.[2]' | sort -u | tr '\n' ' ')" != "1 " ]
}

@test "a connection dropped before an answer: sent again, nothing lost or doubled" {
	server --on 1:drop --on 4:drop
	run --separate-stderr es-sink -u "$U" -i iot --batch-docs 100 --backoff-max 100ms < "$T/in"
	[ "$status" -eq 0 ]
	same "$(stored)" "$(sorted "$T/in")"
	# On a new connection es-sink sees the drop; on a reused one curl
	# sends the request again at once by itself.
	same "$stderr" "es-sink: '$U': Server returned nothing (no headers, no data): retrying 100 documents"
	same "$(cut -d' ' -f3 "$T/log" | tr '\n' ' ')" "status=drop status=200 status=200 status=drop status=200 status=200 status=200 "
	# Dropped after indexing: ids make the resend harmless, create or not.
	restart --on 1:drop-after --on 3:drop-after
	run --separate-stderr es-sink -u "$U" -i iot --op create --id-field seq --batch-docs 100 --backoff-max 100ms < <(awk '{ sub(/"seq":[0-9]+/, "\"seq\":" NR); print }' "$T/in")
	[ "$status" -eq 0 ]
	[ "$(curl -sf "$U/_stats" | jq .docs)" -eq 500 ]
}

@test "a slow server: the request times out and is sent again" {
	server --on 1:slow=3000
	run --separate-stderr es-sink -u "$U" -i iot --id-hash --timeout 300ms --backoff-max 100ms < "$T/in"
	[ "$status" -eq 0 ]
	same "$(stored)" "$(sorted "$T/in")"
	same "$stderr" "es-sink: '$U': Timeout was reached: retrying 500 documents"
}

@test "400 items go to the dead letter verbatim, with their reasons on stderr" {
	server --item-if bad:400 --item-if worse:404
	printf '%s\n' '{"n":1}' '{"n":2,"bad":true}' '{"n":3}' '{"n":4,"worse":1}' > "$T/few"
	run --separate-stderr es-sink -u "$U" -i iot --dead-letter "$T/dl" < "$T/few"
	[ "$status" -eq 1 ]
	same "$stderr" "es-sink: <stdin>:2: rejected: 400 document_parsing_exception: [1:2] failed to parse: injected by es-server
es-sink: <stdin>:4: rejected: 404 index_not_found_exception: no such index [missing]
es-sink: 2 records not delivered: kept in '$T/dl'"
	same "$(cat "$T/dl")" '{"n":2,"bad":true}
{"n":4,"worse":1}'
	same "$(stored)" '{"n":1}
{"n":3}'
	# The dead letter can be fed back once the cause is gone.
	restart
	run --separate-stderr es-sink -u "$U" -i iot < "$T/dl"
	[ "$status" -eq 0 ]
	same "$(stored)" '{"n":2,"bad":true}
{"n":4,"worse":1}'
}

@test "a whole request refused with 400 or 404: its documents go to the dead letter, the rest goes on" {
	server --on 2:404 --on 3:400
	printf '{"n":%d}\n' 1 2 3 4 5 6 7 > "$T/few"
	run --separate-stderr es-sink -u "$U" -i iot --batch-docs 2 --backoff-max 100ms --dead-letter "$T/dl" --stats < "$T/few"
	[ "$status" -eq 1 ]
	same "${stderr_lines[0]}" "es-sink: <stdin>:3: rejected: HTTP 404: index_not_found_exception: no such index [missing]"
	same "${stderr_lines[1]}" "es-sink: <stdin>:4: rejected: HTTP 404: index_not_found_exception: no such index [missing]"
	same "${stderr_lines[2]}" "es-sink: <stdin>:5: rejected: HTTP 400: illegal_argument_exception: the whole request refused: injected by es-server"
	same "${stderr_lines[3]}" "es-sink: <stdin>:6: rejected: HTTP 400: illegal_argument_exception: the whole request refused: injected by es-server"
	same "${stderr_lines[4]}" "es-sink: 4 records not delivered: kept in '$T/dl'"
	same "$(jq -c '{indexed, retried, rejected, undelivered, requests}' <<< "${stderr_lines[5]}")" '{"indexed":3,"retried":0,"rejected":4,"undelivered":4,"requests":4}'
	[ "${#stderr_lines[@]}" -eq 6 ]
	same "$(cat "$T/dl")" '{"n":3}
{"n":4}
{"n":5}
{"n":6}'
	same "$(stored)" '{"n":1}
{"n":2}
{"n":7}'
	# Not sent again: one request per batch.
	same "$(cut -d' ' -f2,3 "$T/log")" "items=2 status=200
items=0 status=404
items=0 status=400
items=1 status=200"
}

@test "retries run out: --retries and --retry-for" {
	server --item-if flaky:429
	printf '%s\n' '{"n":1}' '{"n":2,"flaky":1}' > "$T/few"
	run --separate-stderr es-sink -u "$U" -i iot --retries 2 --backoff-max 100ms --dead-letter "$T/dl" --stats < "$T/few"
	[ "$status" -eq 1 ]
	same "${stderr_lines[2]}" "es-sink: <stdin>:2: not delivered after 3 attempts: 429 es_rejected_execution_exception: rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=0, max_coordinating_and_primary_bytes=0]"
	same "${stderr_lines[3]}" "es-sink: 1 record not delivered: kept in '$T/dl'"
	same "$(cat "$T/dl")" '{"n":2,"flaky":1}'
	same "$(jq -c '{indexed, retried, expired, undelivered}' <<< "${stderr_lines[4]}")" '{"indexed":1,"retried":2,"expired":1,"undelivered":1}'
	same "$(stored)" '{"n":1}'

	restart --on 1-1000000:503
	run --separate-stderr es-sink -u "$U" -i iot --retry-for 300ms --backoff-max 100ms --dead-letter "$T/dl2" < "$T/few"
	[ "$status" -eq 1 ]
	same "${stderr_lines[${#stderr_lines[@]}-1]}" "es-sink: 2 records not delivered: kept in '$T/dl2'"
	grep -Eq "^es-sink: <stdin>:1: not delivered after [0-9]+ attempts: HTTP 503: cluster_block_exception: " <<< "$stderr"
	same "$(cat "$T/dl2")" "$(cat "$T/few")"
}

@test "413: the batch is split until it fits; a document too large alone is kept" {
	server --max-body 20000
	run --separate-stderr es-sink -u "$U" -i iot < "$T/in"
	[ "$status" -eq 0 ]
	same "$(stored)" "$(sorted "$T/in")"
	grep -Eq "^es-sink: '$U': HTTP 413: a request of [0-9]+ bytes is too large: sending at most [0-9]+ from now on$" <<< "$stderr"
	[ "$(grep -c 'status=413' "$T/log")" -ge 2 ]

	restart --max-body 1000
	{ printf '{"n":1}\n'; printf '{"big":"%01200d"}\n' 0; printf '{"n":3}\n'; } > "$T/few"
	run --separate-stderr es-sink -u "$U" -i iot --dead-letter "$T/dl" < "$T/few"
	[ "$status" -eq 1 ]
	same "$(sed -n 2p "$T/few")" "$(cat "$T/dl")"
	same "${stderr_lines[1]}" "es-sink: <stdin>:2: rejected: HTTP 413: larger than the server takes in one request"
	same "$(stored)" '{"n":1}
{"n":3}'
}

@test "authentication: API key and basic from the environment; a refusal stops with exit 1" {
	server --api-key c2VjcmV0 --basic elastic:pw
	run --separate-stderr es-sink -u "$U" -i iot --dead-letter "$T/dl" < "$T/in"
	[ "$status" -eq 1 ]
	same "$stderr" "es-sink: '$U': HTTP 401: security_exception: missing authentication credentials for REST request [/_bulk]: check ES_API_KEY, or ES_USER and ES_PASSWORD
es-sink: 500 records not delivered: kept in '$T/dl'"
	same "$(cat "$T/dl")" "$(cat "$T/in")"
	[ "$(curl -sf "$U/_stats" | jq .docs)" -eq 0 ]
	ES_API_KEY=wrong run --separate-stderr es-sink -u "$U" -i iot < "$T/in"
	[ "$status" -eq 1 ]

	ES_API_KEY=c2VjcmV0 run --separate-stderr es-sink -u "$U" -i iot < "$T/in"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	ES_USER=elastic ES_PASSWORD=pw run --separate-stderr es-sink -u "$U" -i iot2 < "$T/in"
	[ "$status" -eq 0 ]
	[ "$(curl -sf "$U/_stats" | jq .docs)" -eq 1000 ]

	restart --on 1:403
	run --separate-stderr es-sink -u "$U" -i iot < "$T/in"
	[ "$status" -eq 1 ]
	same "${stderr_lines[0]}" "es-sink: '$U': HTTP 403: security_exception: action [indices:data/write/bulk] is unauthorized for user [elastic]: the user may not write to these indices"
}

@test "TLS: --cacert verifies the server, --insecure does not; a certificate that fails is not retried" {
	server
	tls_front 127.0.0.1
	run --separate-stderr es-sink -u "$S" -i iot --cacert "$FIX/es-tls-ca.crt" < "$T/in"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	same "$(stored)" "$(sorted "$T/in")"
	run --separate-stderr es-sink -u "$S" -i iot2 --insecure < "$T/in"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(curl -sf "$U/_stats" | jq .docs)" -eq 1000 ]

	# Not signed by the CA given: refused at once, without a retry,
	# everything read kept.
	restart
	tls_front 127.0.0.1
	run --separate-stderr es-sink -u "$S" -i iot --cacert "$FIX/http-tls.crt" --dead-letter "$T/dl" --stats < "$T/in"
	[ "$status" -eq 1 ]
	same "${stderr_lines[0]}" "es-sink: '$S': SSL certificate problem: unable to get local issuer certificate: check --cacert"
	same "${stderr_lines[1]}" "es-sink: 500 records not delivered: kept in '$T/dl'"
	same "$(jq -c '{indexed, retried, undelivered, requests}' <<< "${stderr_lines[2]}")" '{"indexed":0,"retried":0,"undelivered":500,"requests":1}'
	[ "${#stderr_lines[@]}" -eq 3 ]
	same "$(cat "$T/dl")" "$(cat "$T/in")"
	# Without --cacert the system's CAs do not know it either (the text
	# depends on whether the system has a CA bundle).
	run --separate-stderr es-sink -u "$S" -i iot < "$T/in"
	[ "$status" -eq 1 ]
	[[ "${stderr_lines[0]}" =~ ^es-sink:\ \'$S\':\ .*:\ check\ --cacert$ ]]
	same "${stderr_lines[1]}" "es-sink: 500 records not delivered"
	[ "$(curl -sf "$U/_stats" | jq '[.requests, .docs]' -c)" = '[0,0]' ]

	# An endless input ends too, and says it was not read to its end.
	run --separate-stderr bash -c "yes '{\"n\":1}' | es-sink -u '$S' -i y --cacert '$FIX/http-tls.crt' --buffer 1M --dead-letter '$T/dl2'"
	[ "$status" -eq 1 ]
	same "${stderr_lines[0]}" "es-sink: '$S': SSL certificate problem: unable to get local issuer certificate: check --cacert"
	same "${stderr_lines[1]}" "es-sink: stopped before the end of the input"
	same "${stderr_lines[2]}" "es-sink: $(wc -l < "$T/dl2") records not delivered: kept in '$T/dl2'"
	[ "$(sort -u "$T/dl2")" = '{"n":1}' ]

	# The right CA, but not for that name.
	tls_front 127.0.0.2
	run --separate-stderr es-sink -u "$S" -i iot --cacert "$FIX/es-tls-ca.crt" < "$T/in"
	[ "$status" -eq 1 ]
	same "${stderr_lines[0]}" "es-sink: '$S': SSL: no alternative certificate subject name matches target host name '127.0.0.2': check the host name in -u"

	run --separate-stderr es-sink -u "$S" --cacert "$T/nope.pem" < "$T/in"
	[ "$status" -eq 1 ]
	same "$stderr" "es-sink: --cacert: cannot open '$T/nope.pem': No such file or directory"
	[ "$(curl -sf "$U/_stats" | jq .requests)" -eq 0 ]
}

@test "the server is down at start and comes back" {
	server
	stop_server
	es-sink -u "$U" -i iot --backoff-max 200ms --retries 1000 < "$T/in" 2> "$T/err" &
	pid=$!
	wait_for "$T/err" "Couldn't connect to server: retrying 500 documents"
	es-server -p "$port" > /dev/null &
	spid=$!
	reap
	[ "$rc" -eq 0 ]
	same "$(stored)" "$(sorted "$T/in")"
	same "$(sort -u "$T/err")" "es-sink: '$U': Couldn't connect to server: retrying 500 documents"
}

@test "the server never comes: every record in the dead letter, exit 1" {
	server
	stop_server
	run --separate-stderr es-sink -u "$U" -i iot --retries 2 --backoff-max 100ms --dead-letter "$T/dl" < "$T/in"
	[ "$status" -eq 1 ]
	same "$(cat "$T/dl")" "$(cat "$T/in")"
	same "${stderr_lines[0]}" "es-sink: '$U': Couldn't connect to server: retrying 500 documents"
	same "${stderr_lines[2]}" "es-sink: <stdin>:1: not delivered after 3 attempts: Couldn't connect to server"
	same "${stderr_lines[${#stderr_lines[@]}-1]}" "es-sink: 500 records not delivered: kept in '$T/dl'"
	same "${stderr_lines[${#stderr_lines[@]}-2]}" "es-sink: 500 failures in all (490 not shown)"
	# No dead letter: the records are lost, and it says how many.
	run --separate-stderr es-sink -u "$U" -i iot --retries 0 < "$T/in"
	[ "$status" -eq 1 ]
	same "${stderr_lines[${#stderr_lines[@]}-1]}" "es-sink: 500 records not delivered"
}

@test "SIGTERM sends what is buffered, then exits 0" {
	server
	bg_on_pipe es-sink -u "$U" -i iot --echo --flush-interval 1h
	cat "$T/in" >&5
	wait_lines 500
	[ "$(curl -sf "$U/_stats" | jq .docs)" -eq 0 ]
	stop
	exec 5>&-
	[ "$rc" -eq 0 ]
	same "$(stored)" "$(sorted "$T/in")"
	same "$(cat "$T/out")" "$(cat "$T/in")"
	same "$(cat "$T/err")" ""
}

@test "SIGTERM with a server that keeps refusing: --drain-timeout, then the dead letter" {
	server --on 1-1000000:503
	bg_on_pipe es-sink -u "$U" -i iot --drain-timeout 300ms --backoff-max 100ms --dead-letter "$T/dl"
	cat "$T/in" >&5
	wait_for "$T/err" "retrying 500 documents"
	stop
	exec 5>&-
	[ "$rc" -eq 1 ]
	same "$(cat "$T/dl")" "$(cat "$T/in")"
	same "$(grep -v 'retrying 500 documents$' "$T/err")" "es-sink: drain timeout: 500 documents not delivered
es-sink: 500 records not delivered: kept in '$T/dl'"
}

@test "invalid UTF-8 is repaired on the way, kept verbatim in the dead letter; bad JSON is bad input" {
	server --item-if reject:400
	printf '{"a":"caf\xe9"}\n{"b":"\\ud800 x"}\nnot json\n{"c":1\n{"reject":"\xff"}\n' > "$T/few"
	run --separate-stderr es-sink -u "$U" -i iot --dead-letter "$T/dl" --stats < "$T/few"
	[ "$status" -eq 1 ]
	same "$(stored)" "$(printf '{"a":"caf\xef\xbf\xbd"}\n{"b":"\\ufffd x"}')"
	same "${stderr_lines[0]}" "es-sink: <stdin>:3: not a JSON object"
	same "${stderr_lines[1]}" "es-sink: <stdin>:4: invalid JSON: column 7: unexpected end of line"
	same "${stderr_lines[2]}" "es-sink: <stdin>:5: rejected: 400 document_parsing_exception: [1:2] failed to parse: injected by es-server"
	same "${stderr_lines[3]}" "es-sink: 3 records not delivered: kept in '$T/dl'"
	same "$(cat "$T/dl")" "$(printf 'not json\n{"c":1\n{"reject":"\xff"}')"
	same "$(jq -c '{bad_input, utf8_repaired, indexed, rejected}' <<< "${stderr_lines[4]}")" '{"bad_input":2,"utf8_repaired":3,"indexed":2,"rejected":1}'
}

@test "--strict: the first bad record ends the input; what came before is delivered" {
	server
	{ head -n 3 "$T/in"; echo 'oops'; tail -n 2 "$T/in"; } > "$T/few"
	run --separate-stderr es-sink -u "$U" -i iot --strict < "$T/few"
	[ "$status" -eq 1 ]
	same "$(stored)" "$(head -n 3 "$T/in" | sorted)"
	same "$stderr" "es-sink: <stdin>:4: not a JSON object
es-sink: 1 record not delivered"
}

@test "--strict: a bad record ends the input while the stream is quiet" {
	server
	bg_on_pipe es-sink -u "$U" -i iot --strict
	{ head -n 2 "$T/in"; echo 'oops'; } >&5
	# The pipe stays open: es-sink must end without waiting for more.
	reap
	exec 5>&-
	[ "$rc" -eq 1 ]
	same "$(stored)" "$(head -n 2 "$T/in" | sorted)"
	same "$(cat "$T/err")" "es-sink: <stdin>:3: not a JSON object
es-sink: 1 record not delivered"
	same "$(cat "$T/out")" ""
}

@test "huge documents: within --max-line they go alone and whole; beyond it, bad input" {
	server
	awk 'BEGIN { s = sprintf("%0600000d", 7); printf "{\"n\":1,\"big\":\"%s%s%s\"}\n{\"n\":2}\n", s, s, s }' > "$T/big"
	run --separate-stderr es-sink -u "$U" -i iot --max-line 4M --batch-bytes 1M < "$T/big"
	[ "$status" -eq 0 ]
	[ "$(stored | md5sum)" = "$(sorted "$T/big" | md5sum)" ]
	run --separate-stderr es-sink -u "$U" -i iot2 --dead-letter "$T/dl" < "$T/big"
	[ "$status" -eq 1 ]
	same "${stderr_lines[0]}" "es-sink: <stdin>:1: line too long (over 1048576 bytes)"
	cmp "$T/dl" <(head -n 1 "$T/big")
}

@test "--gzip, --pipeline, and a server that does not say it is Elasticsearch" {
	server --pipeline enrich
	run --separate-stderr es-sink -u "$U/" -i iot --gzip --pipeline enrich < "$T/in"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	same "$(cat "$T/log")" "req=1 items=500 status=200 pipeline=enrich gzip"
	same "$(stored)" "$(sorted "$T/in")"
	head -n 1 "$T/in" > "$T/one"
	run --separate-stderr es-sink -u "$U" -i iot --pipeline 'no such' < "$T/one"
	[ "$status" -eq 1 ]
	same "${stderr_lines[0]}" "es-sink: <stdin>:1: rejected: 400 illegal_argument_exception: pipeline with id [no such] does not exist"

	restart --no-product
	run --separate-stderr es-sink -u "$U" -i iot < "$T/one"
	[ "$status" -eq 0 ]
	same "$stderr" "es-sink: '$U': no X-Elastic-Product header: the server may not be Elasticsearch"
}

@test "es-server takes chunked request bodies, trailers and pipelined requests" {
	server
	# Two chunks, one with an extension, a trailer, and the next
	# request in the same write: both answered, on one connection.
	exec 6<> "/dev/tcp/127.0.0.1/$port"
	printf 'POST /_bulk?filter_path=errors,items.*.status HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\n{"ind\r\n32\r\nex":{"_index":"pipe","_id":"p1"}}\n{"n":1,"a":"b"}\n\r\n0\r\nX-Trailer: t\r\n\r\nGET /_sources HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' >&6
	timeout 60 cat <&6 | tr -d '\r' > "$T/raw"
	exec 6<&-
	same "$(cat "$T/raw")" 'HTTP/1.1 200 OK
X-Elastic-Product: Elasticsearch
content-type: application/json
content-length: 51

{"errors":false,"items":[{"index":{"status":201}}]}HTTP/1.1 200 OK
content-type: application/x-ndjson
content-length: 16

{"n":1,"a":"b"}'
	# curl sends a file of 500 documents in chunks of its own.
	awk '{ print "{\"index\":{\"_index\":\"chunked\"}}"; print }' "$T/in" > "$T/bulk"
	run --separate-stderr curl -sS -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/x-ndjson' --data-binary @"$T/bulk" "$U/_bulk?filter_path=errors"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	same "$output" '{"errors":false}'
	same "$(stored)" "$( { echo '{"n":1,"a":"b"}'; cat "$T/in"; } | sorted)"
	same "$(meta | jq -r '.[0]' | sort | uniq -c | sed 's/^ *//')" "500 chunked
1 pipe"
}

@test "--echo: records pass through; a closed or full stdout does not stop delivery" {
	server
	run --separate-stderr es-sink -u "$U" -i iot --echo < "$T/in"
	[ "$status" -eq 0 ]
	same "$output" "$(cat "$T/in")"
	set -o pipefail
	run --separate-stderr bash -c "es-sink -u '$U' -i iot2 --echo < '$T/in' | head -n 1"
	[ "$status" -eq 0 ]
	same "$output" "$(head -n 1 "$T/in")"
	[ -z "$stderr" ]
	run --separate-stderr bash -c "es-sink -u '$U' -i iot3 --echo < '$T/in' > /dev/full"
	[ "$status" -eq 1 ]
	same "$stderr" "es-sink: write error: No space left on device: echo stopped"
	[ "$(curl -sf "$U/_stats" | jq .docs)" -eq 1500 ]
}

@test "a small --buffer blocks the input; --on-full drop-newest drops, keeps and says so" {
	server --delay 20
	iot-sim --no-pacing -n 20 -c 5000 --seed 4 > "$T/many"
	run --separate-stderr es-sink -u "$U" -i iot --buffer 64k --max-line 8k --batch-docs 100 < "$T/many"
	[ "$status" -eq 0 ]
	same "$(stored)" "$(sorted "$T/many")"

	restart --delay 300
	run --separate-stderr es-sink -u "$U" -i iot --buffer 64k --max-line 8k --batch-docs 100 --on-full drop-newest --dead-letter "$T/dl" --stats < "$T/many"
	[ "$status" -eq 1 ]
	same "${stderr_lines[0]}" "es-sink: buffer full: dropping the newest records (kept in the dead letter, if any)"
	dropped=$(jq .dropped <<< "${stderr_lines[2]}")
	[ "$dropped" -gt 0 ]
	same "${stderr_lines[1]}" "es-sink: $dropped records not delivered: kept in '$T/dl'"
	same "$( { stored; cat "$T/dl"; } | sorted)" "$(sorted "$T/many")"
}

@test "--on-full drop-oldest: the oldest records go to the dead letter, the newest are indexed" {
	server
	iot-sim --no-pacing -n 20 -c 5000 --seed 4 > "$T/many"
	# A file is read whole before the first request: what is dropped is
	# exactly the oldest records, those that do not fit the buffer.
	run --separate-stderr es-sink -u "$U" -i iot --buffer 64k --max-line 8k --batch-docs 100 --on-full drop-oldest --dead-letter "$T/dl" --stats < "$T/many"
	[ "$status" -eq 1 ]
	same "${stderr_lines[0]}" "es-sink: buffer full: dropping the oldest records (kept in the dead letter, if any)"
	dropped=$(jq .dropped <<< "${stderr_lines[2]}")
	[ "$dropped" -gt 0 ] && [ "$dropped" -lt 5000 ]
	same "${stderr_lines[1]}" "es-sink: $dropped records not delivered: kept in '$T/dl'"
	[ "${#stderr_lines[@]}" -eq 3 ]
	same "$(jq -c '{records_in, indexed, undelivered}' <<< "${stderr_lines[2]}")" "{\"records_in\":5000,\"indexed\":$((5000 - dropped)),\"undelivered\":$dropped}"
	cmp "$T/dl" <(head -n "$dropped" "$T/many")
	same "$(stored)" "$(tail -n +$((dropped + 1)) "$T/many" | sorted)"

	# From a pipe, while requests are in flight: whatever the timing,
	# each record is stored or in the dead letter, once, and the newest
	# record is never the one dropped.
	restart --delay 100
	run --separate-stderr bash -c "cat '$T/many' | es-sink -u '$U' -i iot --buffer 64k --max-line 8k --batch-docs 100 --on-full drop-oldest --dead-letter '$T/dl2' --stats"
	[ "$status" -eq 1 ]
	dropped=$(jq .dropped <<< "${stderr_lines[2]}")
	same "${stderr_lines[1]}" "es-sink: $dropped records not delivered: kept in '$T/dl2'"
	[ "$(wc -l < "$T/dl2")" -eq "$dropped" ]
	[ "$(jq .indexed <<< "${stderr_lines[2]}")" -eq $((5000 - dropped)) ]
	same "$( { stored; cat "$T/dl2"; } | sorted)" "$(sorted "$T/many")"
	stored | grep -qxF "$(tail -n 1 "$T/many")"
}

@test "--rate spreads the documents over more requests" {
	server
	head -n 30 "$T/in" > "$T/few"
	run --separate-stderr es-sink -u "$U" -i iot --rate 100 --flush-interval 50ms < "$T/few"
	[ "$status" -eq 0 ]
	same "$(stored)" "$(sorted "$T/few")"
	[ "$(wc -l < "$T/log")" -gt 1 ]
}

@test "files as operands, and SIGUSR1 stats" {
	server
	head -n 10 "$T/in" > "$T/a"
	tail -n 5 "$T/in" > "$T/b"
	run --separate-stderr es-sink -u "$U" -i iot "$T/a" - "$T/b" < /dev/null
	[ "$status" -eq 0 ]
	same "$(stored)" "$( cat "$T/a" "$T/b" | sorted)"
	run --separate-stderr es-sink -u "$U" -i iot "$T/nope"
	[ "$status" -eq 1 ]
	same "$stderr" "es-sink: cannot open '$T/nope': No such file or directory"

	bg_on_pipe es-sink -u "$U" -i iot
	cat "$T/a" >&5
	wait_stat indexed 10
	grep -q '^{"tool":"es-sink","records_in":10,.*"indexed":10,' "$T/err"
	exec 5>&-
	reap
	[ "$rc" -eq 0 ]
}

@test "es-sink and es-server under valgrind" {
	[[ "$RTPIPE_BUILD" == *asan* ]] && skip "the sanitizer build has its own checks"
	"${VG[@]}" es-server -s 2 --item-fail 429:0.2 --on 2:drop --on 3:413 --item-if bad:400 > "$T/port" 2> "$T/server.err" &
	spid=$!
	U=http://127.0.0.1:$(first_line "$spid" "$T/port" "$T/server.err")
	printf '{"bad":1}\n{"x":"\xff"}\nnot json\n' >> "$T/in"
	run --separate-stderr "${VG[@]}" es-sink -u "$U" -i 'iot-%Y.%m' --id-hash --gzip --batch-docs 100 --backoff-max 100ms --dead-letter "$T/dl" --echo --stats < "$T/in"
	[ "$status" -eq 1 ]
	same "$(cat "$T/dl")" 'not json
{"bad":1}'
	[ "$(curl -sf "$U/_stats" | jq .docs)" -eq 501 ]
	stop "$spid"
	[ "$rc" -eq 0 ]
	same "$(cat "$T/server.err")" ""
}
