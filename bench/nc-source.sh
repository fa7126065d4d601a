#!/bin/sh
# Benchmarks nc-source as a TCP listener against nc -lk (netcat-openbsd)
# and socat doing the same: lines sent over 127.0.0.1 by one sender and by
# 20 senders at once, received into /dev/null.  Prints a Markdown table of
# lines per second and the receiver's peak RSS, and whether the targets are
# met: nc-source at least as fast as nc for JSON lines while validating
# them, and at least 1,000,000 lines/s of 100-byte lines.
#
# usage: sh bench/nc-source.sh BUILD
#
# BENCH_LINES  lines per run, spread over the senders (2000000)
# BENCH_SIZE   bytes per line, before the newline (100)
# BENCH_RUNS   runs per case, of which the best counts (3)
#
# The senders are the test helper flood (tests/helpers/flood.c): all
# connections open at once, each written as fast as it takes data from one
# poll loop; a run ends when every connection has been closed by the
# receiver after reading all of it, so the time covers the receiving.  The
# peak RSS comes from bench/measure (ru_maxrss of the receiver and of the
# processes it waited for, such as socat's forks).

# The receivers' commands are kept in single quotes for sh -c.
# shellcheck disable=SC2016
set -eu

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

lines=${BENCH_LINES:-2000000}
size=${BENCH_SIZE:-100}
positive "$lines" "$size"
[ $((lines % 20)) -eq 0 ] || { echo "bench: BENCH_LINES must be a multiple of 20" >&2; exit 2; }

# measure is built by make bench; build it here when it is missing.
[ -x "$build/bench/measure" ] ||
	make -s --no-print-directory BUILD="$build" "$build/bench/measure" >&2
PATH=$build/helpers:$PATH

for t in nc-source flood measure nc socat ps; do
	command -v "$t" >/dev/null 2>&1 && continue
	echo "bench: '$t' not found (nc: netcat-openbsd, socat: socat, flood: make)" >&2
	missing=1
done
[ "$missing" -eq 0 ] || exit 1
nc -h 2>&1 | grep -q 'OpenBSD netcat' ||
	{ echo "bench: nc is not netcat-openbsd" >&2; exit 1; }

res=$out/nc-source
mkdir -p "$res"
rm -f "$res"/*

# waitport FILE SED: the port a receiver printed on its stderr FILE.
waitport() {
	i=0
	while [ "$i" -lt 1000 ]; do
		p=$(sed -n "$2" "$1" 2>/dev/null || true)
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.01
		i=$((i + 1))
	done
	echo "bench: no port in $1" >&2
	return 1
}

# once NAME SENDERS FLOODARGS RECEIVER SED: one run.  Appends the lines/s
# (or "failed: WHY") and the peak RSS in KiB to $res/NAME.runs.
once() {
	name=$1 senders=$2 fargs=$3 recv=$4 sedport=$5
	measure -o "$res/$name.time" sh -c "exec $recv > /dev/null" \
		2> "$res/$name.err" &
	mpid=$!
	port=$(waitport "$res/$name.err" "$sedport")
	# shellcheck disable=SC2086
	if timeout 600 flood -r -I -c "$senders" -n $((lines / senders)) \
	    -s "$size" $fargs 127.0.0.1 "$port" > "$res/$name.flood" \
	    2> "$res/$name.ferr"; then
		read -r _ _ rate < "$res/$name.flood"
		result=$rate
	else
		result="failed: $(tail -n 1 "$res/$name.ferr")"
	fi
	rpid=$(ps -o pid= --ppid "$mpid" | tr -d ' ')
	kill -TERM "$rpid" 2>/dev/null || true
	wait "$mpid" || true
	read -r t k < "$res/$name.time"
	printf '%s\t%s\n' "$result" "$k" >> "$res/$name.runs"
}

# bench NAME SENDERS FLOODARGS RECEIVER SED: $runs runs; the best rate and
# the largest RSS go to results.  It takes the place of lib.sh's bench,
# which times commands that end by themselves.
bench() {
	printf '%s ...' "$1" >&2
	n=0
	while [ "$n" -lt "$runs" ]; do
		once "$@"
		printf ' %s' "$(tail -n 1 "$res/$1.runs" | cut -f1)" >&2
		n=$((n + 1))
	done
	printf '\n' >&2
	awk -F'\t' -v name="$1" '
		$1 ~ /^failed/ { why = $1; k = $2 > k ? $2 : k; next }
		{ ok = 1; best = $1 > best ? $1 : best; k = $2 > k ? $2 : k }
		END { printf "%s\t%s\t%d\n", name, ok ? best : why, k }' \
		"$res/$1.runs" >> "$res/results"
}

sed_ncsource='s/^nc-source: listening on .*:\([0-9]*\)$/\1/p'
sed_nc='s/^Listening on .* \([0-9]*\)$/\1/p'
sed_socat='s/.* listening on AF=2 .*:\([0-9]*\)$/\1/p'
recv_ncsource='nc-source -l -v 0'
recv_nc='nc -dlvk 127.0.0.1 0'
recv_socat='socat -d -d -u TCP-LISTEN:0,bind=127.0.0.1,fork,reuseaddr STDOUT'

for s in 1 20; do
	bench "ncsource-json-$s" "$s" "" "$recv_ncsource" "$sed_ncsource"
	bench "ncsource-text-$s" "$s" "-t" "$recv_ncsource" "$sed_ncsource"
	bench "nc-json-$s" "$s" "" "$recv_nc" "$sed_nc"
	bench "socat-json-$s" "$s" "" "$recv_socat" "$sed_socat"
done

echo
echo "$lines lines of $size bytes per run, best of $runs runs; $(cpus)."
echo "Senders and receiver share the CPUs."
echo
awk -F'\t' "$awk_lib"'
function cell(v) { return v ~ /^failed/ ? v : commas(v) }
{ rate[$1] = $2; rss[$1] = $3 }
END {
	label["ncsource-json"] = "nc-source -l: JSON lines, validated, passed through"
	label["ncsource-text"] = "nc-source -l: text lines, wrapped as {ts,line,peer}"
	label["nc-json"] = "nc -dlk (netcat-openbsd): JSON lines"
	label["socat-json"] = "socat -u TCP-LISTEN,fork STDOUT: JSON lines"
	split("ncsource-json ncsource-text nc-json socat-json", order, " ")
	print "| Receiver | 1 sender lines/s | 20 senders lines/s | vs nc, 1 | vs nc, 20 | Peak RSS MiB (1 / 20) |"
	print "|---|--:|--:|--:|--:|--:|"
	for (i = 1; i <= 4; i++) {
		n = order[i]
		printf "| %s | %s | %s | %s | %s | %.1f / %.1f |\n", label[n],
		    cell(rate[n "-1"]), cell(rate[n "-20"]),
		    ratio(rate[n "-1"], rate["nc-json-1"]),
		    ratio(rate[n "-20"], rate["nc-json-20"]),
		    rss[n "-1"] / 1024, rss[n "-20"] / 1024
	}
	print ""
	print "Targets:"
	for (s = 1; s <= 20; s += 19) {
		a = rate["ncsource-json-" s]; b = rate["nc-json-" s]
		if (b ~ /^failed/)
			printf "- at least as fast as nc, %d sender(s): nc %s; nc-source %s lines/s\n", s, b, cell(a)
		else
			printf "- at least as fast as nc, %d sender(s): %s, %s\n", s, ratio(a, b),
			    verdict(a !~ /^failed/ && a + 0 >= b + 0)
		printf "- at least 1,000,000 lines/s, %d sender(s): %s lines/s, %s\n", s, cell(a),
		    verdict(a !~ /^failed/ && a + 0 >= 1000000)
	}
}' "$res/results"
