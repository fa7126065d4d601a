#!/bin/sh
# Benchmarks http-source receiving a million tweet-sim posts over HTTP on
# 127.0.0.1, as an NDJSON stream and as a server-sent event stream, against
# curl -sN moving the same bytes into /dev/null and curl -sN | jq -c .
# parsing them.  Prints a Markdown table of records per second, ratios and
# peak RSS, and whether http-source wrote the posts back byte for byte.
#
# usage: sh bench/http-source.sh BUILD
#
# BENCH_POSTS   posts per stream (1000000)
# BENCH_RUNS    most runs per command, of which the best counts (3)
# BENCH_BUDGET  seconds after which a command is not run again (120)
#
# The server is the test server tests/helpers/http-server.py, one per
# stream: it reads the body file once, keeps it, and writes it chunked in
# 64 KiB pieces, so it costs next to nothing per request.  curl alone
# reading into /dev/null is the ceiling of server and loopback together;
# a receiver far below it is not held back by the server.  The event
# stream is the posts as "data: POST" and an empty line each; jq cannot
# read that framing, so sed takes it off first.  The posts are those of
# bench/hashtags.sh, bench/out/posts-1000000-seed1.ndjson.

# The commands are kept in single quotes for sh -c to expand.
# shellcheck disable=SC2016
set -eu

BENCH_BUDGET=${BENCH_BUDGET:-120}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

posts=${BENCH_POSTS:-1000000}
positive "$posts"
POSTS=$out/posts-$posts-seed1.ndjson
res=$out/http-source
EVENTS=$res/posts-$posts-seed1.sse

[ -x "$build/bench/measure" ] ||
	make --no-print-directory -s BUILD="$1" "$1/bench/measure" >&2 ||
	{ echo "bench: cannot build $1/bench/measure" >&2; exit 1; }
need_built bin/tweet-sim bin/http-source bench/measure
need curl "install the curl package (make deps does)"
need jq "install the jq package (make deps does)"
need python3 "install the python3 package (make deps does)"
for t in sed cmp wc; do
	need "$t" "install coreutils and sed"
done
[ "$missing" -eq 0 ] || exit 1

mkdir -p "$res"
rm -f "$res"/*.time "$res"/*.out "$res"/*.err "$res/results"

# The posts are generated again only when tweet-sim is newer than them.
if [ ! -s "$POSTS" ] ||
    [ -n "$(find "$build/bin/tweet-sim" -newer "$POSTS")" ]; then
	tweet-sim --no-pacing -c "$posts" --seed 1 > "$POSTS.tmp" ||
		{ echo "bench: tweet-sim failed" >&2; rm -f "$POSTS.tmp"; exit 1; }
	mv "$POSTS.tmp" "$POSTS"
fi
[ "$(wc -l < "$POSTS")" -eq "$posts" ] ||
	{ echo "bench: $POSTS does not have $posts lines" >&2; exit 1; }
if [ ! -s "$EVENTS" ] || [ -n "$(find "$POSTS" -newer "$EVENTS")" ]; then
	sed 's/^/data: /; s/$/\n/' "$POSTS" > "$EVENTS.tmp"
	mv "$EVENTS.tmp" "$EVENTS"
fi

# serve NAME BODY CONTENT-TYPE: starts a server for BODY; its URL goes to
# the variable URL_NAME, its process to the list servers.
servers=''
trap 'kill $servers 2>/dev/null || :' EXIT
trap 'exit 130' INT TERM
serve() {
	printf '{"responses": [{"headers": {"Content-Type": "%s"}, "body_file": "%s", "split": 65536}]}\n' \
		"$3" "$PWD/$2" > "$res/$1.json"
	rm -f "$res/$1.port"
	python3 tests/helpers/http-server.py "$res/$1.json" > "$res/$1.port" &
	servers="$servers $!"
	i=0
	while ! grep -q '^[0-9][0-9]*$' "$res/$1.port" 2>/dev/null &&
	    [ "$i" -lt 1000 ]; do
		sleep 0.01
		i=$((i + 1))
	done
	grep -q '^[0-9][0-9]*$' "$res/$1.port" ||
		{ echo "bench: the $1 server did not start" >&2; exit 1; }
	eval "URL_$1=http://127.0.0.1:$(cat "$res/$1.port")/$1"
	# The first request makes the server read the file.
	eval "curl -sSf -o /dev/null \"\$URL_$1\""
}
serve ndjson "$POSTS" application/x-ndjson
serve sse "$EVENTS" text/event-stream
export URL_ndjson URL_sse

cmd_hs_ndjson='http-source --once "$URL_ndjson" > /dev/null'
cmd_curl_ndjson='curl -sN "$URL_ndjson" > /dev/null'
cmd_jq_ndjson='curl -sN "$URL_ndjson" | jq -c . > /dev/null'
cmd_hs_sse='http-source --sse --once "$URL_sse" > /dev/null'
cmd_curl_sse='curl -sN "$URL_sse" > /dev/null'
cmd_jq_sse='curl -sN "$URL_sse" | sed -n "s/^data: //p" | jq -c . > /dev/null'

bench hs_ndjson "http-source --once" "$cmd_hs_ndjson"
bench curl_ndjson "curl -sN > /dev/null (bytes only)" "$cmd_curl_ndjson"
bench jq_ndjson "curl -sN \\| jq -c . (parse)" "$cmd_jq_ndjson"
bench hs_sse "http-source --sse --once" "$cmd_hs_sse"
bench curl_sse "curl -sN > /dev/null (bytes only)" "$cmd_curl_sse"
bench jq_sse "curl -sN \\| sed \\| jq -c . (parse)" "$cmd_jq_sse"

# http-source passes the posts through unchanged, so its output is the
# posts file, from either stream.
agree() {
	if http-source --once "$@" | cmp -s - "$POSTS"; then
		echo yes
	else
		echo NO
		failed=1
	fi
}
same_ndjson=$(agree "$URL_ndjson")
same_sse=$(agree --sse "$URL_sse")

echo
echo "$posts posts ($(($(wc -c < "$POSTS") / 1048576)) MiB as NDJSON," \
	"$(($(wc -c < "$EVENTS") / 1048576)) MiB as events) over 127.0.0.1;"
echo "$(cpus); best of up to $runs runs; server and receiver share the CPUs."
echo
awk -F'\t' -v posts="$posts" -v nd="$(wc -c < "$POSTS")" \
    -v ev="$(wc -c < "$EVENTS")" -v sn="$same_ndjson" -v ss="$same_sse" "$awk_lib"'
{ label[$1] = $2; t[$1] = $3; k[$1] = $4; n[$1] = $5 }
END {
	print "| Stream | Receiver | Wall s | Records/s | MiB/s | vs curl alone | vs curl + jq | Peak RSS MiB | Runs |"
	print "|---|---|--:|--:|--:|--:|--:|--:|--:|"
	split("ndjson sse", fmt, " ")
	for (f = 1; f <= 2; f++) {
		s = fmt[f]
		bytes = s == "ndjson" ? nd : ev
		split("hs curl jq", who, " ")
		for (w = 1; w <= 3; w++) {
			x = who[w] "_" s
			if (t[x] == "-") {
				printf "| %s | %s | failed | | | | | | %d |\n",
				    s == "ndjson" ? "NDJSON" : "SSE", label[x], n[x]
				continue
			}
			printf "| %s | %s | %.3f | %s | %.0f | %s | %s | %.1f | %d |\n",
			    s == "ndjson" ? "NDJSON" : "SSE", label[x], t[x],
			    commas(posts / t[x]), bytes / 1048576 / t[x],
			    ratio(t["curl_" s], t[x]), ratio(t["jq_" s], t[x]),
			    k[x] / 1024, n[x]
		}
	}
	print ""
	print "Ratios are speeds: above 1× is faster than curl alone (which only"
	print "moves the bytes) or than curl piped into jq (which parses them)."
	printf "http-source wrote the posts back byte for byte: NDJSON %s, SSE %s.\n", sn, ss
	if (t["hs_sse"] != "-" && t["hs_ndjson"] != "-")
		printf "SSE events/s against NDJSON records/s: %.2f×.\n", t["hs_ndjson"] / t["hs_sse"]
}' "$res/results"

echo
echo "Commands (URL_ndjson=$URL_ndjson, URL_sse=$URL_sse):"
for n in hs_ndjson curl_ndjson jq_ndjson hs_sse curl_sse jq_sse; do
	eval "echo \"    \$cmd_$n\""
done
exit "$failed"
