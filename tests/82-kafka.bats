#!/usr/bin/env bats
# kafka-source and kafka-sink against a real Kafka protocol peer: the mock
# cluster of librdkafka (tests/helpers/kafka-mock.c) on 127.0.0.1, with
# ports picked by the kernel.  Errors are injected through the mock's
# command channel (fd 6), each command acknowledged with "ok" before the
# test goes on.  Every wait is bounded (60 s) and no assertion looks at
# the clock.  The mock's group coordinator waits session.timeout.ms - 1 s
# for members to rejoin, so the group tests set a short session timeout.

load helper

# Starts a mock cluster: kafka-mock ARGS; $B is its bootstrap address.
mock() {
	mkfifo "$T/ctl"
	kafka-mock "$@" < "$T/ctl" > "$T/mock.out" 2> "$T/mock.err" &
	mockpid=$!
	exec 6> "$T/ctl"
	B=$(first_line "$mockpid" "$T/mock.out" "$T/mock.err")
	acks=0
}

# Sends a command to the mock and waits for its answer, which must be ok.
ctl() {
	echo "$*" >&6
	acks=$((acks + 1))
	wait_lines $((acks + 1)) "$T/mock.out"
	same "$(tail -n 1 "$T/mock.out")" ok
}

# N records {"id":I,"user":"uK","n":...}, K cycling over 50 users; each
# user's n counts its own records, so order per key can be checked.
records() {
	awk -v n="$1" 'BEGIN {
		for (i = 1; i <= n; i++) {
			u = i % 50; c[u]++
			printf "{\"id\":%d,\"user\":\"u%d\",\"n\":%d}\n", i, u, c[u]
		}
	}'
}

# Fails unless, for every user, n is 1, 2, 3, ... in file $1.
in_order() {
	awk -F'"' '{
		split($0, a, /"n":/); n = a[2] + 0; u = $6
		if (n != ++seen[u]) { printf "user %s: n %d after %d\n", u, n, seen[u] - 1; bad = 1; exit 1 }
	}' "$1"
}

# The partitions a kafka-source -v holds, from its stderr $1.
held() {
	sed -n "s/.*assigned 'jobs' \[\([0-9]*\)\]$/\1/p" "$1" | sort > "$1.a"
	sed -n "s/.*revoked 'jobs' \[\([0-9]*\)\]$/\1/p" "$1" | sort > "$1.r"
	comm -23 "$1.a" "$1.r"
}

# Group members: short sessions and heartbeats for the mock's coordinator.
GROUP_X=(-X session.timeout.ms=3000 -X heartbeat.interval.ms=300)

@test "usage: -h, missing and conflicting options, secrets on the command line" {
	run --separate-stderr kafka-sink -h
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: kafka-sink -b BROKERS -t TOPIC"* ]]
	same "$stderr" ""
	run --separate-stderr kafka-source -h
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: kafka-source -b BROKERS -t TOPIC..."* ]]

	usage_error_with_synopsis "kafka-sink: -t is required" kafka-sink -b 127.0.0.1:1
	usage_error_with_synopsis "kafka-sink: -b is required (or bootstrap.servers in -F or -X)" kafka-sink -t x
	usage_error_with_synopsis "kafka-source: -b is required (or bootstrap.servers in -F or -X)" kafka-source -t x

	usage_error "kafka-sink: -X: 'sasl.password' is a secret: give it in a -F file or in the environment, not on the command line" kafka-sink -b h -t x -X sasl.password=hunter2
	usage_error "kafka-source: -X: 'ssl.key.password' is a secret: give it in a -F file or in the environment, not on the command line" kafka-source -b h -t x -X ssl.key.password=hunter2
	usage_error 'kafka-sink: -X: No such configuration property: "no.such.thing"' kafka-sink -b h -t x -X no.such.thing=1
	usage_error "kafka-sink: -X: expected PROP=VALUE: 'novalue'" kafka-sink -b h -t x -X novalue

	printf '# client\n\nsasl.password = hunter2\nlinger.ms=5\nbogus\n' > "$T/props"
	usage_error "kafka-sink: -F: '$T/props':5: expected PROP=VALUE" kafka-sink -b h -t x -F "$T/props"
	usage_error "kafka-source: -F: cannot open '$T/nope': No such file or directory" kafka-source -b h -t x -F "$T/nope"

	usage_error "kafka-source: -o stored needs -g: offsets are stored per group" kafka-source -b h -t x -o stored
	usage_error "kafka-source: -o OFFSET and -g cannot be used together: a group starts where it committed" kafka-source -b h -t x -g g -o 5
	usage_error "kafka-source: -o: expected beginning, end, stored, an offset or -N: 'later'" kafka-source -b h -t x -o later
	usage_error "kafka-source: --envelope and --position cannot be used together: the envelope has the partition and offset" kafka-source -b h -t x --envelope --position
	usage_error "kafka-source: --position and more than one -t cannot be used together: _partition names no topic" kafka-source -b h -t x -t y --position
	usage_error "kafka-source: -c: too small: 0" kafka-source -b h -t x -c 0
	usage_error "kafka-sink: --on-full: drop-oldest is not possible: librdkafka's queue keeps what it took" kafka-sink -b h -t x --on-full drop-oldest
	usage_error "kafka-sink: --acks: expected all, 1 or 0: '2'" kafka-sink -b h -t x --acks 2
	usage_error "kafka-sink: --drain-timeout: invalid duration: '5x'" kafka-sink -b h -t x --drain-timeout 5x
}

@test "a round trip of 100,000 records: nothing lost, order kept per key, keys from -k" {
	mock -n 3 -t events:4
	records 100000 > "$T/in"
	run --separate-stderr kafka-sink -b "$B" -t events -k user --stats < "$T/in"
	[ "$status" -eq 0 ]
	same "$stderr" '{"tool":"kafka-sink","records_in":100000,"records_out":100000,"bad_input":0,"dropped":0,"utf8_repaired":0,"failed":0,"paused":0,"in_flight":0}'
	kafka-source -b "$B" -t events -e --envelope > "$T/env" 2> "$T/err"
	same "$(cat "$T/err")" ""
	same "$(wc -l < "$T/env")" 100000
	# Every record came back byte for byte, as the value of its envelope.
	same "$(jq -c .value "$T/env" | sort)" "$(sort "$T/in")"
	# The key is the user, and one user's records share one partition.
	same "$(jq -r 'select(.key != .value.user) | .offset' "$T/env" | head -n 3)" ""
	same "$(jq -r '"\(.key) \(.partition)"' "$T/env" | sort -u | cut -d' ' -f1 | uniq -d)" ""
	# All four partitions were used, and each user's records are in order.
	same "$(jq .partition "$T/env" | sort -u | tr '\n' ' ')" "0 1 2 3 "
	jq -c .value "$T/env" > "$T/values"
	in_order "$T/values"
}

@test "kcat interop: kcat -P into kafka-source, kafka-sink into kcat -C" {
	mock -t a:2 -t b:2
	records 1000 > "$T/in"
	kcat -b "$B" -t a -P < "$T/in"
	run --separate-stderr kafka-source -b "$B" -t a -e
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$(printf '%s\n' "$output" | sort)" "$(sort "$T/in")"

	run --separate-stderr kafka-sink -b "$B" -t b -k id < "$T/in"
	[ "$status" -eq 0 ]
	same "$stderr" ""
	run --separate-stderr kcat -b "$B" -t b -C -e -q -f '%k %s\n'
	[ "$status" -eq 0 ]
	same "$(printf '%s\n' "$output" | sort -n)" "$(awk -F'[:,]' '{ print $2, $0 }' "$T/in" | sort -n)"
}

@test "kafka-source: bad values are bad input; --raw wraps them; --envelope; --position; tombstones" {
	mock -t t:1
	printf '%s\n' '{"id":1992000000000002768,"a":[1,2]}' 'plain text' '{"a":' '[1,2]' > "$T/vals"
	kcat -b "$B" -t t -P -p 0 -K '|' <<-'EOF'
	k1|{"id":1992000000000002768,"a":[1,2]}
	k2|plain text
	k3|{"a":
	|[1,2]
	EOF
	printf '{"s":"caf\xe9"}' | kcat -b "$B" -t t -P -p 0
	printf '{\n  "pretty": true\n}\n' | kcat -b "$B" -t t -P -p 0 -D '\0'
	printf 'k7|' | kcat -b "$B" -t t -P -p 0 -K '|' -Z -D '\0'

	run --separate-stderr kafka-source -b "$B" -t t -e --stats --dead-letter "$T/dl"
	[ "$status" -eq 0 ]
	same "$output" '{"id":1992000000000002768,"a":[1,2]}
{"s":"caf�"}
{   "pretty": true } '
	same "$stderr" 'kafka-source: t[0]@1: not a JSON object
kafka-source: t[0]@2: invalid JSON: column 6: unexpected end of line
kafka-source: t[0]@3: not a JSON object
kafka-source: t[0]@6: empty value
{"tool":"kafka-source","records_in":7,"records_out":3,"bad_input":4,"dropped":0,"utf8_repaired":1,"partitions":1,"rebalances":0,"commits":0,"commit_failed":0}'
	# The tombstone is kept as an empty line.
	same "$(sed 's/^$/(empty)/' "$T/dl")" 'plain text
{"a":
[1,2]
(empty)'

	run --separate-stderr kafka-source -b "$B" -t t -e --raw -c 4
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$(printf '%s\n' "$output" | sed -E 's/,"timestamp":"[0-9T:.-]{23}Z"//')" '{"id":1992000000000002768,"a":[1,2]}
{"topic":"t","partition":0,"offset":1,"key":"k2","value":"plain text"}
{"topic":"t","partition":0,"offset":2,"key":"k3","value":"{\"a\":"}
{"topic":"t","partition":0,"offset":3,"key":"","value":"[1,2]"}'

	run --separate-stderr kafka-source -b "$B" -t t -o 4 -e --envelope --raw
	[ "$status" -eq 0 ]
	same "$(printf '%s\n' "$output" | sed -E 's/"timestamp":"[0-9T:.-]{23}Z"/"timestamp":"T"/')" '{"topic":"t","partition":0,"offset":4,"key":null,"timestamp":"T","value":{"s":"caf�"}}
{"topic":"t","partition":0,"offset":5,"key":null,"timestamp":"T","value":{   "pretty": true } }
{"topic":"t","partition":0,"offset":6,"key":"k7","timestamp":"T","value":null}'

	run --separate-stderr kafka-source -b "$B" -t t -o -3 -e --position
	[ "$status" -eq 0 ]
	same "$output" '{"s":"caf�","_partition":0,"_offset":4}
{   "pretty": true ,"_partition":0,"_offset":5}'
	same "$stderr" "kafka-source: t[0]@6: empty value"
}

@test "kafka-source --position feeds window --position-field: a replay skips what was counted" {
	mock -t iot:2
	iot-sim --no-pacing -n 4 -c 400 --seed 3 | kafka-sink -b "$B" -t iot -k sensor_id
	kafka-source -b "$B" -t iot -e --position | head -n 200 |
		window -s 1m -k sensor_id -a count --checkpoint "$T/ck" \
		--position-field _offset --partition-field _partition > "$T/first"
	kafka-source -b "$B" -t iot -e --position |
		window -s 1m -k sensor_id -a count --checkpoint "$T/ck" \
		--position-field _offset --partition-field _partition > "$T/second"
	kafka-source -b "$B" -t iot -e |
		window -s 1m -k sensor_id -a count > "$T/once"
	# The replay skipped the 200 records counted before the checkpoint:
	# its windows are those of one uninterrupted run.
	[ -s "$T/first" ]
	same "$(sort "$T/second")" "$(sort "$T/once")"
	same "$(jq -s 'map(.count) | add' "$T/once")" 400
}

@test "two kafka-source in one group share 4 partitions; one is killed and the other takes over" {
	mock -n 2 -t jobs:4
	records 2000 > "$T/in"
	head -n 1000 "$T/in" | kafka-sink -b "$B" -t jobs -k user
	kafka-source -b "$B" -t jobs -g workers -v "${GROUP_X[@]}" > "$T/out1" 2> "$T/err1" &
	first=$!
	wait_for "$T/err1" "assigned 'jobs' \[3\]"
	kafka-source -b "$B" -t jobs -g workers -v "${GROUP_X[@]}" > "$T/out2" 2> "$T/err2" &
	second=$!
	# Cooperative rebalancing: the first gives up two partitions, the
	# second gets them, and nobody stops reading the rest.
	for i in $(seq 6000); do
		[ "$(grep -c "assigned" "$T/err2")" -ge 2 ] && break
		sleep 0.01
	done
	same "$(grep -c "assigned" "$T/err2")" 2
	same "$(grep -c "revoked" "$T/err1")" 2
	same "$( (held "$T/err1"; held "$T/err2") | sort | tr '\n' ' ')" "0 1 2 3 "
	wait_lines 1000 "$T/out1"
	# Records written after the split go to both.
	tail -n 1000 "$T/in" | kafka-sink -b "$B" -t jobs -k user
	for i in $(seq 6000); do
		[ "$(cat "$T/out1" "$T/out2" | sort -u | wc -l)" -ge 2000 ] && break
		sleep 0.01
	done
	[ -s "$T/out2" ]
	# The first dies without a word; its partitions move to the second
	# when its session times out, from the last committed offsets.
	kill -9 "$first"
	wait "$first" 2>/dev/null || true
	records 3000 | tail -n 1000 | tee -a "$T/in" | kafka-sink -b "$B" -t jobs -k user
	for i in $(seq 6000); do
		[ "$(cat "$T/out1" "$T/out2" | sort -u | wc -l)" -ge 3000 ] && break
		sleep 0.01
	done
	stop "$second"
	[ "$rc" -eq 0 ]
	# Nothing was lost; what the first wrote but had not committed may
	# come again from the second (at least once), never anything else.
	same "$(cat "$T/out1" "$T/out2" | sort -u)" "$(sort "$T/in")"
	same "$(grep -c "assigned" "$T/err2")" 4
	# -v also shows commits refused while the group moves (their offsets
	# go with the next commit); nothing else may be said.
	same "$(grep -hv -e assigned -e revoked \
		-e 'cannot commit offsets: Broker: Group rebalance in progress$' \
		-e 'cannot commit offsets: Broker: Specified group generation id is not valid$' \
		-e 'cannot commit offsets: Broker: Unknown member$' \
		"$T/err1" "$T/err2")" ""
}

@test "kafka-source: SIGTERM commits what was written; a restart in the group goes on from there" {
	mock -t log:2
	records 600 > "$T/in"
	head -n 500 "$T/in" | kafka-sink -b "$B" -t log -k user
	kafka-source -b "$B" -t log -g g1 "${GROUP_X[@]}" > "$T/first" 2> "$T/err" &
	pid=$!
	wait_lines 500 "$T/first"
	stop
	[ "$rc" -eq 0 ]
	same "$(cat "$T/err")" ""
	same "$(sort "$T/first")" "$(head -n 500 "$T/in" | sort)"
	# Everything written was committed: a restart finds nothing old.
	run --separate-stderr kafka-source -b "$B" -t log -g g1 "${GROUP_X[@]}" -e
	[ "$status" -eq 0 ]
	same "$output" ""
	same "$stderr" ""
	tail -n 100 "$T/in" | kafka-sink -b "$B" -t log -k user
	run --separate-stderr kafka-source -b "$B" -t log -g g1 "${GROUP_X[@]}" -e --stats
	[ "$status" -eq 0 ]
	same "$(printf '%s\n' "$output" | sort)" "$(tail -n 100 "$T/in" | sort)"
	same "$(printf '%s\n' "$stderr" | jq -c '[.records_out, .partitions, .commit_failed]')" "[100,0,0]"
	[ "$(printf '%s\n' "$stderr" | jq .commits)" -ge 1 ]
}

@test "kafka-source: a group error that names no topic is reported, and the group joins after it" {
	mock -t jobs:2
	printf '{"a":%d}\n' 1 2 3 | kafka-sink -b "$B" -t jobs
	ctl error JoinGroup 1 GROUP_AUTHORIZATION_FAILED
	run --separate-stderr kafka-source -b "$B" -t jobs -g g -c 3 "${GROUP_X[@]}"
	[ "$status" -eq 0 ]
	same "$stderr" "kafka-source: kafka: JoinGroup failed: Broker: Group authorization failed"
	same "$(printf '%s\n' "$output" | sort)" '{"a":1}
{"a":2}
{"a":3}'
}

@test "kafka-sink: injected broker errors are retried; permanent ones go to the dead letter, exit 1" {
	mock -n 3 -t t:2
	records 300 > "$T/in"
	ctl error Produce 3 NOT_LEADER_FOR_PARTITION
	ctl error Fetch 2 NOT_LEADER_FOR_PARTITION
	run --separate-stderr kafka-sink -b "$B" -t t -k user < "$T/in"
	[ "$status" -eq 0 ]
	same "$stderr" ""
	run --separate-stderr kafka-source -b "$B" -t t -e
	[ "$status" -eq 0 ]
	same "$(printf '%s\n' "$output" | sort)" "$(sort "$T/in")"

	ctl error Produce 20 NOT_ENOUGH_REPLICAS
	run --separate-stderr kafka-sink -b "$B" -t u -X retries=2 -X retry.backoff.ms=10 --dead-letter "$T/dl" < "$T/in"
	[ "$status" -eq 1 ]
	same "$stderr" "kafka-sink: 'u': record not delivered: Broker: Not enough in-sync replicas
kafka-sink: 300 records not delivered: kept in '$T/dl'"
	same "$(sort "$T/dl")" "$(sort "$T/in")"

	ctl clear Produce
	ctl topic v 1
	ctl error Produce 1 TOPIC_AUTHORIZATION_FAILED
	printf '%s\n' '{"a":1}' 'oops' '{"a":2}' > "$T/in2"
	run --separate-stderr kafka-sink -b "$B" -t v --dead-letter "$T/dl2" --stats < "$T/in2"
	[ "$status" -eq 1 ]
	same "$stderr" "kafka-sink: <stdin>:2: not a JSON object
kafka-sink: 'v': record not delivered: Broker: Topic authorization failed
kafka-sink: 3 records not delivered: kept in '$T/dl2'
{\"tool\":\"kafka-sink\",\"records_in\":3,\"records_out\":0,\"bad_input\":1,\"dropped\":0,\"utf8_repaired\":0,\"failed\":2,\"paused\":0,\"in_flight\":0}"
	same "$(cat "$T/dl2")" 'oops
{"a":1}
{"a":2}'
}

@test "kafka-sink: bad input alone makes the exit status 1" {
	mock -t t:1
	printf '%s\n' '{"a":1}' '{"a":' '{"a":2}' > "$T/in"
	run --separate-stderr kafka-sink -b "$B" -t t --dead-letter "$T/dl" < "$T/in"
	[ "$status" -eq 1 ]
	same "$stderr" "kafka-sink: <stdin>:2: invalid JSON: column 6: unexpected end of line
kafka-sink: 1 record not delivered: kept in '$T/dl'"
	same "$(cat "$T/dl")" '{"a":'
	run --separate-stderr kafka-source -b "$B" -t t -e
	[ "$status" -eq 0 ]
	same "$output" '{"a":1}
{"a":2}'
}

@test "kafka-sink: a missing topic (auto-create off) makes every record undeliverable" {
	mock -t t:1
	# The mock creates any topic a client asks for; a broker with
	# auto.create.topics.enable=false answers UNKNOWN_TOPIC_OR_PART.
	ctl topic-error absent UNKNOWN_TOPIC_OR_PART
	records 50 > "$T/in"
	run --separate-stderr kafka-sink -b "$B" -t absent -X message.timeout.ms=1000 \
		--dead-letter "$T/dl" < "$T/in"
	[ "$status" -eq 1 ]
	same "$stderr" "kafka-sink: 'absent': record not delivered: Local: Message timed out
kafka-sink: 50 records not delivered: kept in '$T/dl'"
	same "$(cat "$T/dl")" "$(cat "$T/in")"
}

@test "kafka-sink: SIGTERM delivers what was read; with the brokers down, the drain timeout ends it, exit 1" {
	mock -t t:2
	bg_on_pipe kafka-sink -b "$B" -t t --stats
	records 100 >&5
	for i in $(seq 6000); do
		[ "$(kafka-source -b "$B" -t t -e | wc -l)" -ge 100 ] && break
		sleep 0.05
	done
	stop
	exec 5>&-
	[ "$rc" -eq 0 ]
	same "$(cat "$T/err")" '{"tool":"kafka-sink","records_in":100,"records_out":100,"bad_input":0,"dropped":0,"utf8_repaired":0,"failed":0,"paused":0,"in_flight":0}'

	ctl down -1
	bg_on_pipe kafka-sink -b "$B" -t t --drain-timeout 500ms --dead-letter "$T/dl"
	records 20 >&5
	wait_stat records_in 20
	stop
	exec 5>&-
	[ "$rc" -eq 1 ]
	same "$(grep -v -e '^kafka-sink: kafka: ' -e '^{"tool"' "$T/err")" "kafka-sink: drain timed out after 500 ms: 20 records still in flight
kafka-sink: 't': record not delivered: Local: Purged in queue
kafka-sink: 20 records not delivered: kept in '$T/dl'"
	same "$(cat "$T/dl")" "$(records 20)"
}

@test "kafka-sink: a full buffer blocks reading; --on-full drop-newest drops and counts" {
	mock -t t:1
	ctl rtt -1 300
	records 3000 > "$T/in"
	run --separate-stderr kafka-sink -b "$B" -t t --buffer 8k -X batch.size=4096 --stats < "$T/in"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$stderr" | jq .paused)" -gt 0 ]
	same "$(printf '%s\n' "$stderr" | jq -c '[.records_in, .records_out, .failed, .dropped]')" "[3000,3000,0,0]"

	run --separate-stderr kafka-sink -b "$B" -t t --buffer 8k --on-full drop-newest --stats < "$T/in"
	[ "$status" -eq 0 ]
	same "$(printf '%s\n' "$stderr" | head -n 1)" "kafka-sink: buffer full: dropping the newest records"
	same "$(printf '%s\n' "$stderr" | tail -n 1 | jq -c '[.records_in, .records_out + .dropped, .failed]')" "[3000,3000,0]"
	[ "$(printf '%s\n' "$stderr" | tail -n 1 | jq .dropped)" -gt 0 ]
}

@test "kafka-source: -c and -e, | head -n1 ends quietly, >/dev/full fails" {
	mock -t t:3
	records 300 | kafka-sink -b "$B" -t t -k user
	run --separate-stderr kafka-source -b "$B" -t t -c 7
	[ "$status" -eq 0 ]
	same "$(printf '%s\n' "$output" | wc -l)" 7
	run --separate-stderr sh -c 'kafka-source -b "$1" -t t | head -n 1' sh "$B"
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$(printf '%s\n' "$output" | wc -l)" 1
	run --separate-stderr sh -c 'kafka-source -b "$1" -t t -e > /dev/full' sh "$B"
	[ "$status" -eq 1 ]
	same "$stderr" "kafka-source: write error: No space left on device"
	run --separate-stderr kafka-source -b "$B" -t t -e -o end
	[ "$status" -eq 0 ]
	same "$output" ""
}

@test "secrets from the environment and from -F, redacted in librdkafka's configuration dump" {
	mock -t t:1
	printf 'sasl.username = user\n' > "$T/props"
	KAFKA_SASL_PASSWORD=hunter2 run --separate-stderr kafka-source -b "$B" -t t -e \
		-F "$T/props" -X debug=conf -v
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"sasl.username = [redacted]"* ]]
	[[ "$stderr" == *"sasl.password = [redacted]"* ]]
	[[ "$stderr" != *hunter2* ]]
}

@test "valgrind: kafka-sink and kafka-source leak nothing of their own" {
	[[ "$RTPIPE_BUILD" != *asan* ]] || skip "the sanitizer build has its own checks"
	mock -t t:2
	records 2000 > "$T/in"
	printf 'junk\n' >> "$T/in"
	run "${VG[@]}" kafka-sink -b "$B" -t t -k user --dead-letter "$T/dl" < "$T/in"
	[ "$status" -eq 1 ]	# the junk line was not delivered
	run "${VG[@]}" kafka-source -b "$B" -t t -e --envelope
	[ "$status" -eq 0 ]
	run "${VG[@]}" kafka-source -b "$B" -t t -g vg "${GROUP_X[@]}" -e --position
	[ "$status" -eq 0 ]
}
