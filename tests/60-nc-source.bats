#!/usr/bin/env bats
# nc-source: real sockets on 127.0.0.1 and Unix sockets in the test's own
# directory.  Listening ports are chosen by the kernel (port 0) and read
# from the -v line "listening on ADDR:PORT", so that runs never collide.
# Every wait is bounded (60 s), and only the --rate test looks at the clock.

load helper

# Waits until a socket listens at the path $1, without connecting to it:
# /proc/net/unix shows the path with the listening flag (__SO_ACCEPTCON).
# (The socket file alone is not enough: a stale one may be there already,
# and the tool starts listening after it handles signals.)
wait_sock() {
	local i
	for i in $(seq 6000); do
		awk -v p="$1" '$NF == p && $4 == "00010000" { f = 1 } END { exit !f }' \
			/proc/net/unix && return 0
		sleep 0.01
	done
	echo "timed out waiting for a listener on $1" >&2
	return 1
}

# listen_unix ARGS: bg nc-source -l -U $T/s ARGS, returning once it listens.
listen_unix() {
	bg nc-source -l -U "$T/s" "$@"
	wait_sock "$T/s"
}

# Starts nc FLAGS 127.0.0.1 0 with its input from the file $1, listening
# on a port of the kernel's choosing: $ncport, with $ncpid its process.
nc_listen() {
	nc "$2" 127.0.0.1 0 < "$1" > /dev/null 2> "$T/nc.err" &
	ncpid=$!
	wait_for "$T/nc.err" '^Listening on '
	ncport=$(awk '/^Listening on/ { print $NF; exit }' "$T/nc.err")
}

# The port of a listening nc-source started with -v.
listen_port() {
	wait_for "$T/err" '^nc-source: listening on ' || return 1
	port=$(sed -nE 's/^nc-source: listening on .*:([0-9]+)( \(UDP\))?$/\1/p' "$T/err")
	[ -n "$port" ]
}

# The drop tests: 20000 lines sent to nc-source --on-full $1 while its
# reader is stalled, then the reader goes on and nc-source is stopped;
# sets $kept and $dropped as kept_and_dropped does.
flood_stalled() {
	bg_into "$(gate)" nc-source -l -v --stats --buffer 64k --on-full "$1" 0
	listen_port
	run timeout 60 flood -n 20000 -s 100 127.0.0.1 "$port"
	[ "$status" -eq 0 ]
	wait_stat records_in 20000
	touch "$T/go"
	stop
	kept_and_dropped 20000
}

# stderr without the -v chatter about connections and without stats lines.
quiet_err() {
	grep -Ev -e '^nc-source: (listening on|connection from|connected to) ' \
		-e '^nc-source: .*: closed(; reconnecting)?$' -e '^\{"tool"' "$T/err" || true
}

@test "a client's lines: text is wrapped with ts, line and peer; JSON objects pass through" {
	listen_unix
	printf 'hello world\n{"id":1992000000000002768,"x":[1,2]}\n\n  \r\nwin\r\n{"a":1} trailing\nlast' > "$T/in"
	timeout 60 nc -NU "$T/s" < "$T/in"
	wait_lines 6
	stop
	[ "$rc" -eq 0 ]
	# Passed through byte for byte: jq would round the id.
	same "$(sed -n 2p "$T/out")" '{"id":1992000000000002768,"x":[1,2]}'
	same "$(sed 2d "$T/out" | jq -c 'del(.ts)')" "{\"line\":\"hello world\",\"peer\":\"$T/s\"}
{\"line\":\"  \",\"peer\":\"$T/s\"}
{\"line\":\"win\",\"peer\":\"$T/s\"}
{\"line\":\"{\\\"a\\\":1} trailing\",\"peer\":\"$T/s\"}
{\"line\":\"last\",\"peer\":\"$T/s\"}"
	# The arrival time, RFC 3339 UTC with milliseconds, comes first.
	same "$(head -c 41 "$T/out" | sed -E 's/[0-9]/9/g')" '{"ts":"9999-99-99T99:99:99.999Z","line":"'
	same "$(cat "$T/err")" ""
	[ ! -e "$T/s" ]
}

@test "--raw wraps JSON lines too; --tag adds fields; --json makes other lines bad input" {
	printf '{"a":1}\nplain\n' > "$T/in"
	listen_unix --raw --tag src=lab --tag 'k"=v\'
	timeout 60 nc -NU "$T/s" < "$T/in"
	wait_lines 2
	stop
	same "$(jq -c 'del(.ts)' "$T/out")" "{\"line\":\"{\\\"a\\\":1}\",\"peer\":\"$T/s\",\"src\":\"lab\",\"k\\\"\":\"v\\\\\"}
{\"line\":\"plain\",\"peer\":\"$T/s\",\"src\":\"lab\",\"k\\\"\":\"v\\\\\"}"

	printf '{"a":1}\nplain\n{"a":\n[1]\n{"b":2}\n' > "$T/in"
	listen_unix --json --stats --dead-letter "$T/dl"
	timeout 60 nc -NU "$T/s" < "$T/in"
	wait_lines 2
	wait_stat bad_input 3
	stop
	same "$(cat "$T/out")" '{"a":1}
{"b":2}'
	same "$(quiet_err)" "nc-source: $T/s:2: not a JSON object
nc-source: $T/s:3: invalid JSON: column 6: unexpected end of line
nc-source: $T/s:4: not a JSON object"
	same "$(cat "$T/dl")" 'plain
{"a":
[1]'
	same "$(tail -n 1 "$T/err")" '{"tool":"nc-source","records_in":5,"records_out":2,"bad_input":3,"dropped":0,"utf8_repaired":0,"connections":1,"bytes":32,"lines":5,"queued":0,"paused":0}'
}

@test "a person typing into nc -lk: nc-source | tokenize | window counts the words" {
	mkfifo "$T/keys" "$T/src"
	# Open for reading too, so that opening does not wait for nc.
	exec 5<> "$T/keys"
	nc_listen "$T/keys" -lvk
	tee "$T/seen" < "$T/src" | tokenize -f line -k word |
		window --processing-time -s 10s -k token -a count > "$T/out" &
	pipeline=$!
	nc-source 127.0.0.1 "$ncport" > "$T/src" 2> "$T/err" &
	pid=$!
	wait_ready "$pid"
	wait_for "$T/nc.err" '^Connection received'
	echo 'hello world' >&5
	sleep 0.2
	echo 'the world says hello' >&5
	sleep 0.2
	printf 'world\r\n' >&5
	wait_lines 3 "$T/seen"
	stop
	[ "$rc" -eq 0 ]
	exec 5>&-
	wait "$pipeline"
	# Sums over windows, in case the typing crossed a window's end.
	same "$(jq -s -c 'group_by(.token) | map({(.[0].token): (map(.count) | add)}) | add' "$T/out")" \
		'{"hello":2,"says":1,"the":1,"world":3}'
	same "$(jq -r .peer "$T/seen" | sort -u)" "127.0.0.1:$ncport"
	same "$(cat "$T/err")" ""
}

@test "50 clients at once, 20000 lines each: every line arrives exactly once, in order" {
	bg nc-source -l -v 0
	listen_port
	run timeout 120 flood -c 50 -n 20000 127.0.0.1 "$port"
	[ "$status" -eq 0 ]
	stop
	[ "$rc" -eq 0 ]
	# {"c":C,"i":I,"p":""}: each connection's numbers must run 0, 1, ...
	run awk -F'[:,]' '{
		if (!($2 in next_i)) { next_i[$2] = 0; clients++ }
		if ($4 != next_i[$2]) bad++
		next_i[$2] = $4 + 1; n++
	} END {
		for (c in next_i) if (next_i[c] != 20000) bad++
		print n, clients, bad + 0
	}' "$T/out"
	same "$output" "1000000 50 0"
	same "$(quiet_err)" ""
	same "$(grep -c '^nc-source: connection from 127.0.0.1:' "$T/err")" 50
}

@test "a slow reader: the queue fills, reading pauses, senders wait, nothing is lost" {
	bg_into 'exec slowcat 8192 2' nc-source -l -v --stats --buffer 64k 0
	listen_port
	run timeout 120 flood -c 4 -n 10000 -s 100 127.0.0.1 "$port"
	[ "$status" -eq 0 ]
	stop
	[ "$rc" -eq 0 ]
	wait "$reader"
	run awk -F'[:,]' '{
		if (!($2 in next_i)) next_i[$2] = 0
		if ($4 != next_i[$2]) bad++
		next_i[$2] = $4 + 1; n++
	} END { print n, bad + 0 }' "$T/out"
	same "$output" "40000 0"
	[ "$(stats paused)" -gt 0 ]
	same "$(stats dropped)" 0
	same "$(quiet_err)" ""
}

@test "drop-newest: with the reader stalled the first lines are kept, the rest counted" {
	flood_stalled drop-newest
	# The kept lines are exactly lines 0 .. kept-1.
	same "$(jq -r .i "$T/out" | awk -v k="$kept" '$1 != NR - 1 { bad++ } END { print NR == k && !bad }')" 1
	same "$(quiet_err)" "nc-source: buffer full: dropping the newest lines
nc-source: dropped $dropped lines in all: buffer full (--on-full drop-newest)"
}

@test "drop-oldest: with the reader stalled the lines written and the newest are kept" {
	flood_stalled drop-oldest
	# Lines 0 .. P-1 (already on their way out), then the newest up to
	# 19999: one gap, of exactly the dropped lines.
	same "$(jq -r .i "$T/out" | awk '
		NR > 1 && $1 != prev + 1 { gaps++; gap = $1 - prev - 1 }
		{ prev = $1 } END { print gaps, gap, prev }')" "1 $dropped 19999"
	same "$(quiet_err)" "nc-source: buffer full: dropping the oldest lines
nc-source: dropped $dropped lines in all: buffer full (--on-full drop-oldest)"
}

@test "lines split across writes at every byte boundary are joined" {
	printf 'h\xc3\xa9llo w\xc3\xb6rld\n{"a":"\xc3\xa7"}\r\nlast \xf0\x9f\x92\xa1 line\n' > "$T/msg"
	n=$(wc -c < "$T/msg")
	bg nc-source -l -v 0
	listen_port
	timeout 60 dribble -d 1000 "$T/msg" 127.0.0.1 "$port"
	wait_lines $((3 * (n - 1)))
	stop
	[ "$rc" -eq 0 ]
	expected=$(for i in $(seq $((n - 1))); do printf '%s\n' 'héllo wörld' 'ç' 'last 💡 line'; done)
	same "$(jq -r '.line // .a' "$T/out")" "$expected"
	same "$(jq -r .peer "$T/out" | sort -u | grep -c '^127\.0\.0\.1:[0-9]*$')" 1
	same "$(quiet_err)" ""
}

@test "peers that vanish mid-line: what they sent of it is a line" {
	bg nc-source -l -v 0
	listen_port
	timeout 60 flood -t -c 2 -n 2 -e 'cut off' 127.0.0.1 "$port"
	timeout 60 flood -t -n 2 -e 'reset' -R 127.0.0.1 "$port"
	wait_lines 9
	stop
	[ "$rc" -eq 0 ]
	same "$(jq -r '"\(.peer) \(.line)"' "$T/out" | sort | awk '{ $1 = ""; print }' | sort)" \
" c=0 i=0
 c=0 i=0
 c=0 i=1
 c=0 i=1
 c=1 i=0
 c=1 i=1
 cut off
 cut off
 reset"
	# Each peer's lines keep their order, the piece last.
	for p in $(jq -r .peer "$T/out" | sort -u); do
		last=$(jq -r --arg p "$p" 'select(.peer == $p) | .line' "$T/out" | tail -n 1)
		[[ "$last" == "cut off" || "$last" == "reset" ]]
	done
	[[ "$(quiet_err)" =~ ^nc-source:\ cannot\ read\ from\ 127\.0\.0\.1:[0-9]+:\ Connection\ reset\ by\ peer$ ]]
}

@test "a client reconnects with backoff after the server restarts" {
	printf 'one\n' > "$T/1"
	printf 'two\n' > "$T/2"
	nc_listen "$T/1" -lvN
	bg nc-source 127.0.0.1 "$ncport"
	wait_lines 1
	# The first server is gone: the reconnects are refused until the
	# second one listens on the same port.
	wait_for "$T/err" 'Connection refused'
	nc -lN 127.0.0.1 "$ncport" < "$T/2" > /dev/null &
	wait_lines 2
	stop
	[ "$rc" -eq 0 ]
	same "$(jq -r .line "$T/out")" 'one
two'
	same "$(cat "$T/err")" "nc-source: cannot connect to '127.0.0.1:$ncport': Connection refused (retrying)
nc-source: connected to 127.0.0.1:$ncport"
}

@test "--once exits 0 at the peer's EOF, and 1 when it cannot connect" {
	printf 'a\nb' > "$T/1"
	nc_listen "$T/1" -lvN
	run --separate-stderr timeout 60 sh -c 'nc-source --once 127.0.0.1 "$1" | jq -r .line' sh "$ncport"
	[ "$status" -eq 0 ]
	same "$output" 'a
b'
	same "$stderr" ""
	wait "$ncpid"
	run --separate-stderr timeout 60 nc-source --once 127.0.0.1 "$ncport"
	[ "$status" -eq 1 ]
	same "$stderr" "nc-source: cannot connect to '127.0.0.1:$ncport': Connection refused"
	same "$output" ""
}

@test "a client of a Unix socket; IPv6 peers are written in brackets" {
	printf 'over unix\n' > "$T/1"
	nc -lNU "$T/s" < "$T/1" > /dev/null &
	wait_sock "$T/s"
	run --separate-stderr timeout 60 nc-source --once -U "$T/s"
	[ "$status" -eq 0 ]
	same "$(printf '%s\n' "$output" | jq -c 'del(.ts)')" "{\"line\":\"over unix\",\"peer\":\"$T/s\"}"

	grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null || skip "no IPv6 loopback"
	bg nc-source -l -v -b ::1 0
	listen_port
	same "$(head -n 1 "$T/err")" "nc-source: listening on [::1]:$port"
	echo v6 | timeout 60 nc -N ::1 "$port"
	wait_lines 1
	stop
	[[ "$(jq -r .peer "$T/out")" =~ ^\[::1\]:[0-9]+$ ]]
}

@test "UDP: a datagram may hold several lines; the sender is the peer" {
	bg nc-source -l -u -v 0
	listen_port
	same "$(head -n 1 "$T/err")" "nc-source: listening on 127.0.0.1:$port (UDP)"
	timeout 60 flood -u -t -k 3 -n 6 127.0.0.1 "$port"
	printf 'no newline at the end' | timeout 60 nc -uN -w1 127.0.0.1 "$port" || true
	wait_lines 7
	stop
	[ "$rc" -eq 0 ]
	same "$(jq -r .line "$T/out")" 'c=0 i=0 
c=0 i=1 
c=0 i=2 
c=0 i=3 
c=0 i=4 
c=0 i=5 
no newline at the end'
	same "$(jq -r .peer "$T/out" | grep -c '^127\.0\.0\.1:[0-9]*$')" 7
}

@test "UDP bursts: every line is output, dropped by the queue, or dropped by the kernel, counted" {
	bg_into "$(gate)" nc-source -l -u -v --stats --buffer 64k 0
	listen_port
	# Stopped, it leaves the burst to the socket's buffer, which overflows.
	kill -STOP "$pid"
	run timeout 60 flood -u -k 10 -n 300000 -s 50 -P 50 127.0.0.1 "$port"
	kill -CONT "$pid"
	[ "$status" -eq 0 ]
	for i in $(seq 1200); do
		kill -USR1 "$pid"
		sleep 0.05
		s=$(grep '^{"tool"' "$T/err" | tail -n 1)
		[ -n "$s" ] && [ $(($(jq .records_in <<< "$s") + 10 * $(jq .kernel_dropped <<< "$s"))) -ge 300000 ] && break
	done
	touch "$T/go"
	stop
	[ "$rc" -eq 0 ]
	wait "$reader"
	out=$(wc -l < "$T/out")
	dropped=$(stats dropped)
	kdropped=$(stats kernel_dropped)
	[ "$dropped" -gt 0 ]
	[ "$kdropped" -gt 0 ]
	same "$((out + dropped + 10 * kdropped))" 300000
	same "$(stats datagrams)" $((30000 - kdropped))
	# The two kinds of dropping start in either order.
	same "$(quiet_err | sort)" "nc-source: buffer full: dropping the newest lines
nc-source: dropped $dropped lines in all: buffer full (--on-full drop-newest)
nc-source: receive buffer full: the kernel is dropping datagrams
nc-source: the kernel dropped $kdropped datagrams: receive buffer full"
}

@test "overlong lines and binary garbage: reported, dead-lettered, repaired" {
	{
		printf 'ok\n'
		printf 'y%.0s' $(seq 300)
		printf '\n'
		printf 'bin\000\001\xff\xfe\033[31m\tx\n'
		printf '{"k":"caf\xe9"}\n'
		printf '{"broken":\n'
		printf 'z%.0s' $(seq 150)
	} > "$T/in"
	listen_unix --max-line 100 --dead-letter "$T/dl" --stats
	timeout 60 nc -NU "$T/s" < "$T/in"
	wait_lines 4
	wait_stat bad_input 2
	stop
	[ "$rc" -eq 0 ]
	same "$(jq -c 'del(.ts)' "$T/out")" "{\"line\":\"ok\",\"peer\":\"$T/s\"}
{\"line\":\"bin\\u0000\\u0001��\\u001b[31m\\tx\",\"peer\":\"$T/s\"}
{\"k\":\"caf�\"}
{\"line\":\"{\\\"broken\\\":\",\"peer\":\"$T/s\"}"
	same "$(quiet_err)" "nc-source: $T/s:2: line too long (over 100 bytes)
nc-source: $T/s:6: line too long (over 100 bytes)"
	same "$(tail -n 1 "$T/err")" '{"tool":"nc-source","records_in":6,"records_out":4,"bad_input":2,"dropped":0,"utf8_repaired":3,"connections":1,"bytes":493,"lines":6,"queued":0,"paused":0}'
	# The dead letter keeps the first --max-line bytes of each.
	same "$(cat "$T/dl")" "$(printf 'y%.0s' $(seq 100))
$(printf 'z%.0s' $(seq 100))"
}

@test "--strict ends at the first bad line with status 1" {
	listen_unix --json --strict
	printf '{"a":1}\nnope\n{"b":2}\n' | timeout 60 nc -NU "$T/s"
	reap
	[ "$rc" -eq 1 ]
	same "$(cat "$T/out")" '{"a":1}'
	same "$(cat "$T/err")" "nc-source: $T/s:2: not a JSON object"
	[ ! -e "$T/s" ]
}

@test "--rate releases the lines as a steady flow within 10% of the rate" {
	bg_into 'exec linerate' nc-source -l -v --rate 2000 0
	listen_port
	run timeout 60 flood -n 8000 -s 20 127.0.0.1 "$port"
	[ "$status" -eq 0 ]
	# SIGTERM: the lines still queued go out at the same rate.
	stop
	[ "$rc" -eq 0 ]
	wait "$reader"
	read -r n r < "$T/out"
	same "$n" 8000
	awk -v r="$r" 'BEGIN { exit !(r >= 1800 && r <= 2200) }' || {
		echo "rate $r lines/s, not 2000 +-10%" >&2
		false
	}
}

@test "memory stays bounded by --buffer while flooded" {
	[ "$RTPIPE_BUILD" = build ] || skip "sanitizers change the memory figures"
	bg_into "$(gate)" nc-source -l -v --stats --buffer 4M --on-full drop-newest 0
	listen_port
	run timeout 120 flood -c 10 -n 50000 -s 200 127.0.0.1 "$port"
	[ "$status" -eq 0 ]
	wait_stat records_in 500000
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
	touch "$T/go"
	stop
	[ "$rc" -eq 0 ]
	# 100 MB came in; the queue holds 4 MiB, the rest is fixed buffers.
	[ "$(stats dropped)" -gt 400000 ]
	[ "$hwm" -lt $((4096 + 8192)) ] || { echo "peak RSS $hwm KiB" >&2; false; }
}

@test "SIGTERM: stop accepting, emit the lines and the partial line received, exit 0" {
	mkfifo "$T/keys"
	listen_unix
	nc -U "$T/s" < "$T/keys" > /dev/null &
	exec 5> "$T/keys"
	printf 'a\nb\npart' >&5
	wait_lines 2
	stop
	exec 5>&-
	[ "$rc" -eq 0 ]
	same "$(jq -r .line "$T/out")" 'a
b
part'
	same "$(cat "$T/err")" ""
	[ ! -e "$T/s" ]
}

@test "SIGUSR1 prints the stats: connections, bytes, lines, dropped, bad input" {
	listen_unix --max-line 10
	printf 'a\n\n0123456789ABC\nb\n' | timeout 60 nc -NU "$T/s"
	printf 'c\n' | timeout 60 nc -NU "$T/s"
	wait_lines 3
	wait_stat lines 5
	stop
	[ "$rc" -eq 0 ]
	same "$(grep '^{"tool"' "$T/err" | tail -n 1)" '{"tool":"nc-source","records_in":4,"records_out":3,"bad_input":1,"dropped":0,"utf8_repaired":0,"connections":2,"bytes":21,"lines":5,"queued":0,"paused":0}'
	same "$(quiet_err)" "nc-source: $T/s:3: line too long (over 10 bytes)"
}

@test "--max-clients: a client over the limit waits until one leaves" {
	mkfifo "$T/keys"
	listen_unix -v --max-clients 1
	nc -NU "$T/s" < "$T/keys" > /dev/null &
	exec 5> "$T/keys"
	echo first >&5
	wait_lines 1
	# (Not holding the first client's stdin open.)
	printf 'second\n' | timeout 60 nc -NU "$T/s" 5>&- &
	sleep 0.2
	echo third >&5
	wait_lines 2
	exec 5>&-
	wait_lines 3
	stop
	same "$(jq -r .line "$T/out")" 'first
third
second'
	same "$(grep -c 'connection from' "$T/err")" 2
}

@test "a Unix socket left behind is replaced; one in use is an error" {
	listen_unix
	kill -9 "$pid"
	wait "$pid" || true
	[ -S "$T/s" ]
	listen_unix
	run --separate-stderr timeout 60 nc-source -l -U "$T/s"
	[ "$status" -eq 1 ]
	same "$stderr" "nc-source: cannot listen on '$T/s': Address already in use"
	echo still | timeout 60 nc -NU "$T/s"
	wait_lines 1
	stop
	[ "$rc" -eq 0 ]
	same "$(jq -r .line "$T/out")" still
}

@test "a full disk is a write error with status 1" {
	nc-source -l -U "$T/s" > /dev/full 2> "$T/err" &
	pid=$!
	wait_ready "$pid"
	wait_sock "$T/s"
	echo x | timeout 60 nc -NU "$T/s"
	reap
	[ "$rc" -eq 1 ]
	same "$(cat "$T/err")" "nc-source: write error: No space left on device"
	[ ! -e "$T/s" ]
}

@test "a reader that goes away ends the tool quietly" {
	mkfifo "$T/pipe"
	head -n 1 < "$T/pipe" > "$T/out" &
	nc-source -l -U "$T/s" > "$T/pipe" 2> "$T/err" &
	pid=$!
	wait_ready "$pid"
	wait_sock "$T/s"
	timeout 60 flood -U "$T/s" -n 100000 2> /dev/null || true
	reap
	[ "$rc" -eq 0 ]
	same "$(cat "$T/out")" '{"c":0,"i":0,"p":""}'
	same "$(cat "$T/err")" ""
}

@test "usage errors exit 2 and name the option" {
	usage_error "nc-source: -u needs -l: a UDP source receives on a local port" nc-source -u 9999
	usage_error "nc-source: -u and -U cannot be used together" nc-source -l -u -U x
	usage_error "nc-source: -b needs -l" nc-source -b ::1 h 1
	usage_error "nc-source: -b and -U cannot be used together" nc-source -l -b ::1 -U x
	usage_error "nc-source: --once and --reconnect cannot be used together" nc-source --once --reconnect h 1
	usage_error "nc-source: --once and -l cannot be used together" nc-source -l --once 1
	usage_error "nc-source: --backoff-max and -l cannot be used together" nc-source -l --backoff-max 5s 1
	usage_error "nc-source: --max-clients needs -l with TCP or -U" nc-source --max-clients 5 h 1
	usage_error "nc-source: --raw and --json cannot be used together" nc-source -l --raw --json 1
	usage_error "nc-source: --on-full block and -u cannot be used together: UDP senders cannot be slowed down" nc-source -l -u --on-full block 1
	usage_error "nc-source: --on-full: expected block, drop-oldest or drop-newest: 'sometimes'" nc-source -l --on-full sometimes 1
	usage_error "nc-source: --buffer: too small: 1k" nc-source -l --buffer 1k 1
	usage_error "nc-source: --buffer: 65536 bytes do not hold a line of --max-line 1048576" nc-source -l --buffer 64k --max-line 1M 1
	usage_error "nc-source: --rate: too small: 0" nc-source -l --rate 0 1
	usage_error "nc-source: --tag: expected KEY=VALUE: 'novalue'" nc-source -l --tag novalue 1
	usage_error "nc-source: --tag: 'line' is a field of the record already" nc-source -l --tag line=x 1
	usage_error "nc-source: --tag: 'a' given twice" nc-source -l --tag a=1 --tag a=2 1
	usage_error_with_synopsis "nc-source: missing operand" nc-source localhost
	usage_error_with_synopsis "nc-source: too many operands" nc-source -l 1 2
	usage_error_with_synopsis "nc-source: unrecognized option '--bogus'" nc-source --bogus
	usage_error_with_synopsis "nc-source: too many operands" nc-source h 1 2
}

@test "runtime errors exit 1: a port in use, a name that does not resolve" {
	bg nc-source -l -v 0
	listen_port
	run --separate-stderr timeout 60 nc-source -l "$port"
	[ "$status" -eq 1 ]
	same "$stderr" "nc-source: cannot listen on '127.0.0.1:$port': Address already in use"
	stop
	run --separate-stderr timeout 60 nc-source --once no-such-host.invalid 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == "nc-source: cannot resolve 'no-such-host.invalid' port '1': "* ]]
}

@test "-h prints the usage to stdout; -V the version" {
	run --separate-stderr nc-source -h
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: nc-source [options] HOST PORT"* ]]
	same "$stderr" ""
	run --separate-stderr nc-source -V
	[ "$status" -eq 0 ]
	same "$output" "nc-source (rtpipe) 0.1.0"
	# -u is UDP here, as in nc; --unbuffered keeps its meaning.
	listen_unix --unbuffered
	echo x | timeout 60 nc -NU "$T/s"
	wait_lines 1
	stop
	[ "$rc" -eq 0 ]
}

@test "nc-source under valgrind: clients, bad input, SIGTERM" {
	[ "$RTPIPE_BUILD" = build ] || skip "checked once, in the plain build"
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 nc-source -l -U "$T/s" --max-line 50 --json \
		--dead-letter "$T/dl" > "$T/out" 2> "$T/err" &
	pid=$!
	wait_sock "$T/s"
	timeout 60 flood -U "$T/s" -c 3 -n 1000 -e '{"x":1}'
	printf 'not json\n%0100d\n{"a":"\xff"}\n' 0 | timeout 60 nc -NU "$T/s"
	wait_lines 3004
	stop
	[ "$rc" -eq 0 ]
	same "$(cat "$T/err")" "nc-source: $T/s:1: not a JSON object
nc-source: $T/s:2: line too long (over 50 bytes)"
}
