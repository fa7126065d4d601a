# Shared by every suite: the binaries under test come first in PATH, each
# test gets its own temporary directory in $T, and $SHARED points at the
# public conformance data.
# RTPIPE_BUILD names the build directory under test (build, build-asan).
#
# Tools started in the background: bg, bg_into and bg_on_pipe start one
# and set $pid; wait_for, wait_lines and wait_stat wait for what it
# writes; stop and reap end it; teardown ends whatever a test left
# running.  Every wait is bounded (60 s) and fails saying what it waited
# for.
bats_require_minimum_version 1.5.0

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
: "${RTPIPE_BUILD:=build}"
PATH="$TOP/$RTPIPE_BUILD/bin:$TOP/$RTPIPE_BUILD/helpers:$PATH"
SHARED="$TOP/../shared/testdata"
FIX="$TOP/tests/fixtures"
export PATH SHARED FIX TOP
# Sanitizer findings must fail the test, not scroll by.
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

setup() {
	T="$BATS_TEST_TMPDIR"
	pid=''
}

# Nothing a test started in the background may outlive it.
teardown() {
	end_jobs
}

# Kills the background jobs of the test that are still running.
end_jobs() {
	local p
	for p in $(jobs -rp); do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	true
}

# Fails with a readable diff when $1 (actual) and $2 (expected) differ.
same() {
	if [ "$1" != "$2" ]; then
		printf 'expected:\n%s\nactual:\n%s\n' "$2" "$1" >&2
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$1") >&2
		return 1
	fi
}

# run_ok COMMAND ARGS: run --separate-stderr COMMAND ARGS, which must exit
# 0 and write nothing to stderr; $output is what it wrote to stdout.
run_ok() {
	run --separate-stderr "$@"
	[ "$status" -eq 0 ] || { echo "status $status for: $*" >&2; printf '%s\n' "$stderr" >&2; return 1; }
	same "$stderr" ""
}

# usage_error MESSAGE COMMAND ARGS...: COMMAND ARGS exits 2, writes
# nothing to stdout, and MESSAGE is all it writes to stderr.
usage_error() {
	local want=$1
	shift
	run --separate-stderr "$@" < /dev/null
	[ "$status" -eq 2 ] || { echo "status $status for: $*" >&2; return 1; }
	same "$stderr" "$want"
	same "$output" ""
}

# usage_error_with_synopsis MESSAGE COMMAND ARGS...: the same, but the
# usage, as COMMAND -h prints it, follows MESSAGE.
usage_error_with_synopsis() {
	local want=$1 usage
	shift
	usage=$("$1" -h)
	usage_error "$want"$'\n'"$usage" "$@"
}

# help_and_version TOOL: TOOL -h prints its usage to stdout and nothing
# to stderr; TOOL -V prints the version.
help_and_version() {
	run --separate-stderr "$1" -h
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: $1 "* ]]
	same "$stderr" ""
	run --separate-stderr "$1" -V
	[ "$status" -eq 0 ]
	same "$output" "$1 (rtpipe) 0.1.0"
}

# "${VG[@]}" COMMAND ARGS runs COMMAND under valgrind: definite and
# indirect leaks are errors, and any error makes the status 99.  (An
# array, not a function, so that $! of "${VG[@]}" COMMAND & is valgrind.)
VG=(valgrind -q --leak-check=full --show-leak-kinds=definite,indirect
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99)

# Waits until process $1 has installed its SIGUSR1 handler, so that a
# signal sent next is handled rather than fatal.
wait_ready() {
	local i
	for i in $(seq 1000); do
		# SigCgt is a hex mask; SIGUSR1 (10) is bit 9.
		local mask
		mask=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
		[ -n "$mask" ] && [ $((0x$mask & 0x200)) -ne 0 ] && return 0
		sleep 0.01
	done
	return 1
}

# bg COMMAND ARGS: starts COMMAND in the background, output to $T/out,
# diagnostics to $T/err; $pid is its process.  Returns once it handles
# signals.
bg() {
	"$@" > "$T/out" 2> "$T/err" &
	pid=$!
	wait_ready "$pid"
}

# bg_into READER COMMAND ARGS: the same, with the output read through the
# shell command READER into $T/out; $reader is the reader's process.
bg_into() {
	local cmd=$1
	shift
	mkfifo "$T/pipe"
	sh -c "$cmd" < "$T/pipe" > "$T/out" &
	reader=$!
	"$@" > "$T/pipe" 2> "$T/err" &
	pid=$!
	wait_ready "$pid"
}

# bg_on_pipe COMMAND ARGS: like bg, with the input of COMMAND a pipe that
# the test writes to on fd 5; exec 5>&- ends the input.
bg_on_pipe() {
	rm -f "$T/stdin"
	mkfifo "$T/stdin"
	"$@" < "$T/stdin" > "$T/out" 2> "$T/err" &
	pid=$!
	exec 5> "$T/stdin"
	wait_ready "$pid"
}

# A READER for bg_into that reads nothing until the file $T/go exists.
gate() {
	printf "while [ ! -e '%s' ]; do sleep 0.01; done; exec cat" "$T/go"
}

# kept_and_dropped N: once a tool run with --stats by bg_into has ended
# with status 0 and its reader too, $kept records came out and $dropped
# were dropped (some), N in all.
kept_and_dropped() {
	[ "$rc" -eq 0 ]
	wait "$reader"
	kept=$(wc -l < "$T/out")
	dropped=$(stats dropped)
	[ "$dropped" -gt 0 ]
	same "$((kept + dropped))" "$1"
}

# reap [PID]: waits for process PID (default $pid) to end by itself; its
# status goes to $rc.  One that is still there after 60 s is killed, and
# the test fails.
reap() {
	local p=${1:-$pid} i
	for i in $(seq 6000); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.01
	done
	if kill -0 "$p" 2>/dev/null; then
		echo "$(cat "/proc/$p/comm" 2>/dev/null) (process $p) did not end" >&2
		kill -9 "$p" 2>/dev/null || true
		wait "$p" || true
		return 1
	fi
	rc=0
	wait "$p" || rc=$?
	[ -n "${1:-}" ] || pid=''
}

# stop [PID]: ends process PID (default $pid) with SIGTERM and reaps it.
stop() {
	kill -TERM "${1:-$pid}"
	reap "$@"
}

# first_line PID OUT ERR: prints the first line that process PID writes
# to the file OUT (a server's address), once the line is whole.  If PID
# ends first, the test fails at once and shows the file ERR.
first_line() {
	local i
	for i in $(seq 6000); do
		if [ "$(wc -l 2>/dev/null < "$2" || echo 0)" -ge 1 ]; then
			head -n 1 "$2"
			return 0
		fi
		if ! kill -0 "$1" 2>/dev/null; then
			echo "process $1 ended before writing a line to $2:" >&2
			cat "$3" >&2
			return 1
		fi
		sleep 0.01
	done
	echo "timed out waiting for a line in $2" >&2
	return 1
}

# Waits until file $1 has a line matching the extended regex $2.
wait_for() {
	local i
	for i in $(seq 6000); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.01
	done
	echo "timed out waiting for '$2' in $1" >&2
	return 1
}

# Waits until file $2 (default $T/out) has at least $1 lines.
wait_lines() {
	local i f=${2:-$T/out}
	for i in $(seq 6000); do
		[ "$(wc -l 2>/dev/null < "$f" || echo 0)" -ge "$1" ] && return 0
		sleep 0.01
	done
	echo "timed out waiting for $1 lines in $f" >&2
	return 1
}

# Sends SIGUSR1 to $pid until its last stats line in $T/err shows the
# field $1 at $2 or more.
wait_stat() {
	local i v
	for i in $(seq 1200); do
		kill -USR1 "$pid"
		sleep 0.05
		v=$(grep '^{"tool"' "$T/err" | tail -n 1 | jq ".$1")
		[ -n "$v" ] && [ "$v" -ge "$2" ] && return 0
	done
	echo "timed out waiting for $1 >= $2" >&2
	return 1
}

# The field $1 of the last stats line in $T/err, or in $stderr after run.
stats() {
	{ [ -s "$T/err" ] && cat "$T/err"; printf '%s\n' "${stderr:-}"; } |
		grep '^{"tool"' | tail -n 1 | jq ".$1"
}

# What the simulators share (common/sim.c and the conventions of every
# tool), checked alike for each: $1 names the simulator, $USAGE is its
# usage.

# With options $2, the same seed gives the same bytes, another seed others.
sim_check_seed() {
	"$1" --no-pacing $2 --seed 3 > "$T/a"
	"$1" --no-pacing $2 --seed 3 > "$T/b"
	"$1" --no-pacing $2 --seed 4 > "$T/c"
	run --separate-stderr cmp "$T/a" "$T/b"
	[ "$status" -eq 0 ]
	same "$output$stderr" ""
	run --separate-stderr cmp -s "$T/a" "$T/c"
	[ "$status" -eq 1 ]
	same "$output$stderr" ""
}

# With options $2 (a fixed start among them), a paced run gives the bytes
# of an unpaced one.
sim_check_paced_bytes() {
	"$1" --no-pacing $2 > "$T/a"
	run --separate-stderr "$1" $2
	[ "$status" -eq 0 ]
	same "$output" "$(cat "$T/a")"
	same "$stderr" ""
}

# -d counts simulated time without pacing, real time with it; --start
# takes RFC 3339, epoch seconds and epoch milliseconds.
sim_check_schedule() {
	run --separate-stderr sh -c '"$1" --no-pacing -r 10 -d 1m | jq -r .ts |
		sed -n "1p;\$p;\$="' sh "$1"
	[ "$status" -eq 0 ]
	same "$output" "2026-01-01T00:00:00.000Z
2026-01-01T00:00:59.900Z
600"
	same "$stderr" ""
	run --separate-stderr sh -c '"$1" --no-pacing -r 3 -d 1s -c 100 | jq -r .ts' sh "$1"
	[ "$status" -eq 0 ]
	same "$output" "2026-01-01T00:00:00.000Z
2026-01-01T00:00:00.333Z
2026-01-01T00:00:00.666Z"
	same "$stderr" ""
	run --separate-stderr sh -c '"$1" -r 40 -d 250ms | wc -l' sh "$1"
	[ "$status" -eq 0 ]
	same "$output" "10"
	same "$stderr" ""
	run --separate-stderr sh -c '
		"$1" --no-pacing --start 2020-02-29T23:59:59.95+00:00 -r 20 -c 3 | jq -r .ts
		"$1" --no-pacing --start 1700000000 -c 1 | jq -r .ts
		"$1" --no-pacing --start 1700000000123 -c 1 | jq -r .ts' sh "$1"
	[ "$status" -eq 0 ]
	same "$output" "2020-02-29T23:59:59.950Z
2020-03-01T00:00:00.000Z
2020-03-01T00:00:00.050Z
2023-11-14T22:13:20.000Z
2023-11-14T22:13:20.123Z"
	same "$stderr" ""
}

# Bad values of the options every simulator takes.
sim_check_bad_values() {
	usage_error "$1: -c: too small: -1" "$1" -c -1
	usage_error "$1: -r: too small: 0" "$1" -r 0
	usage_error "$1: -r: not a number: 'abc'" "$1" -r abc
	usage_error "$1: -d: invalid duration: '10x'" "$1" -d 10x
	usage_error "$1: --seed: too small: -3" "$1" --seed -3
	usage_error "$1: --seed: not an integer: 'x'" "$1" --seed x
	usage_error "$1: --start: invalid time: 'yesterday'" "$1" --start yesterday
}

# Unknown options, options of filters and operands print the usage; -h
# and --help print it to stdout, -V the version.
sim_check_usage() {
	local h
	usage_error_with_synopsis "$1: invalid option -- 'x'" "$1" -x
	usage_error_with_synopsis "$1: unrecognized option '--strict'" "$1" --strict
	usage_error_with_synopsis "$1: option requires an argument -- 'c'" "$1" -c
	usage_error_with_synopsis "$1: unexpected operand: 'input.ndjson'" "$1" input.ndjson
	for h in -h --help; do
		run --separate-stderr "$1" "$h"
		[ "$status" -eq 0 ]
		same "$output" "$USAGE"
		same "$stderr" ""
	done
	help_and_version "$1"
}

# A full disk is a write error; a reader that goes away ends the stream
# quietly, paced or not.
sim_check_output() {
	local first
	run --separate-stderr sh -c '"$1" --no-pacing -c 10 > /dev/full' sh "$1"
	[ "$status" -eq 1 ]
	same "$output" ""
	same "$stderr" "$1: write error: No space left on device"
	run --separate-stderr sh -c '"$1" --no-pacing > /dev/full' sh "$1"
	[ "$status" -eq 1 ]
	same "$stderr" "$1: write error: No space left on device"
	first=$("$1" --no-pacing -c 1)
	run --separate-stderr bash -c '"$1" --no-pacing | head -n1
		echo "${PIPESTATUS[0]}"' bash "$1"
	[ "$status" -eq 0 ]
	same "$output" "$first
0"
	same "$stderr" ""
	run --separate-stderr bash -c '"$1" -r 1000 | head -n1 | jq -c keys_unsorted
		echo "${PIPESTATUS[0]}"' bash "$1"
	[ "$status" -eq 0 ]
	same "$output" "$(printf '%s\n' "$first" | jq -c keys_unsorted)
0"
	same "$stderr" ""
}

# SIGUSR1 prints one stats line; --stats prints one at exit, with the
# simulator's own counters $3.  SIGTERM ends a paced run (with options
# $2) with status 0 and whole records, left in $T/out.
sim_check_signals() {
	bg "$1" -r 100
	wait_lines 1
	kill -USR1 "$pid"
	wait_for "$T/err" '^[{]"tool"'
	stop
	run --separate-stderr jq -c '[.tool, .records_in, .records_out > 0, .bad_input, .dropped]' "$T/err"
	[ "$status" -eq 0 ]
	same "$output" "[\"$1\",0,true,0,0]"
	same "$stderr" ""
	run --separate-stderr "$1" --no-pacing -c 3 --stats
	[ "$status" -eq 0 ]
	same "$(printf '%s\n' "$output" | wc -l)" "3"
	same "$stderr" "{\"tool\":\"$1\",\"records_in\":0,\"records_out\":3,\"bad_input\":0,\"dropped\":0,\"utf8_repaired\":0$3}"
	bg "$1" -r 200 $2
	wait_lines 1
	stop
	[ "$rc" -eq 0 ]
	same "$(cat "$T/err")" ""
	[ "$(tail -c 1 "$T/out" | od -An -c | tr -d ' ')" = '\n' ]
	run --separate-stderr sh -c 'jq -c keys_unsorted "$1" | sort -u' sh "$T/out"
	[ "$status" -eq 0 ]
	same "$output" "$("$1" --no-pacing -c 1 | jq -c keys_unsorted)"
	same "$stderr" ""
}
