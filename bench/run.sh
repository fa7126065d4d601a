#!/bin/sh
# Benchmarks the top-hashtags count of rtpipe against jq, awk, Miller, Python
# and a bare cJSON parse loop, all on the same generated posts, and prints
# Markdown tables: timings and the top 10 of each (see bench/README.md).
#
# usage: sh bench/run.sh BUILD     (make bench builds BUILD and runs this)
#
# BENCH_POSTS   posts to generate (1000000)
# BENCH_RUNS    most runs per command, of which the best counts (3)
# BENCH_BUDGET  seconds after which a command is not run again (10)

# The commands are kept in single quotes for sh -c to expand.
# shellcheck disable=SC2016
set -eu

usage="usage: sh bench/run.sh BUILD"
[ $# -eq 1 ] || { echo "$usage" >&2; exit 2; }
[ -d "$1" ] || { echo "bench: no build directory '$1'; run make first" >&2; exit 1; }
build=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."

posts=${BENCH_POSTS:-1000000}
runs=${BENCH_RUNS:-3}
budget=${BENCH_BUDGET:-10}
for v in "$posts" "$runs" "$budget"; do
	case $v in
	'' | *[!0-9]* | 0) echo "bench: not a positive integer: '$v'" >&2; exit 2 ;;
	esac
done

out=bench/out
POSTS=$out/posts-$posts-seed1.ndjson
# Locale-aware tools ([[:alnum:]] of grep and gawk, sort) see the text as
# UTF-8, as a user's shell would; the C locale would cut "#ação" to "#a".
LC_ALL=C.UTF-8
PATH=$build/bin:$build/bench:$PATH
export LC_ALL PATH POSTS

missing=0
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "bench: '$1' not found: $2" >&2
	missing=1
}
for t in bin/tweet-sim bin/tokenize bin/hashtag-count bench/cjson-parse \
    bench/measure; do
	[ -x "$build/$t" ] && continue
	echo "bench: '$build/$t' not found: build it with make bench" >&2
	missing=1
done
need jq "install the jq package (make deps does)"
need mlr "install the miller package, Miller 6 (make deps does)"
need python3 "install the python3 package (make deps does)"
need awk "install gawk or mawk (make deps installs gawk)"
for t in grep sort uniq head tail wc; do
	need "$t" "install coreutils and grep"
done
[ "$missing" -eq 0 ] || exit 1
mlr --version | grep -q '^mlr 6' ||
	{ echo "bench: Miller 6 needed, found: $(mlr --version)" >&2; exit 1; }

mkdir -p "$out"
rm -f "$out"/*.time "$out"/*.out "$out"/*.err "$out"/*.top "$out/results"

# The posts are generated again only when tweet-sim is newer than them.
if [ ! -s "$POSTS" ] ||
    [ -n "$(find "$build/bin/tweet-sim" -newer "$POSTS")" ]; then
	measure -o "$out/gen.time" \
		tweet-sim --no-pacing -c "$posts" --seed 1 > "$POSTS.tmp" ||
		{ echo "bench: tweet-sim failed" >&2; rm -f "$POSTS.tmp"; exit 1; }
	mv "$POSTS.tmp" "$POSTS"
	read -r t k < "$out/gen.time"
	gen="generated in $t s by tweet-sim --no-pacing -c $posts --seed 1"
else
	gen="reused from an earlier run"
fi
lines=$(wc -l < "$POSTS")
[ "$lines" -eq "$posts" ] ||
	{ echo "bench: $POSTS has $lines lines, not $posts" >&2; exit 1; }
cat "$POSTS" > /dev/null	# into the page cache before the first timing

failed=0
# bench NAME LABEL COMMAND: runs COMMAND with sh -c, stdout to $out/NAME.out,
# up to $runs times while the time spent on it stays under $budget seconds.
# Appends "NAME LABEL best-wall-s largest-peak-RSS-KiB runs", tab-separated,
# to results.
bench() {
	name=$1 label=$2 cmd=$3
	best='' rss=0 n=0 spent=0
	printf '%s ...' "$label" >&2
	while [ "$n" -lt "$runs" ]; do
		n=$((n + 1))
		if ! measure -o "$out/$name.time" sh -c "$cmd" \
		    > "$out/$name.out" 2> "$out/$name.err"; then
			printf ' FAILED:\n' >&2
			head -n 5 "$out/$name.err" >&2
			failed=1
			printf '%s\t%s\t-\t-\t%s\n' "$name" "$label" "$n" \
				>> "$out/results"
			return 0
		fi
		read -r t k < "$out/$name.time"
		printf ' %s' "$t" >&2
		read -r best rss spent <<-EOF
		$(awk -v t="$t" -v k="$k" -v b="${best:-$t}" -v r="$rss" \
		    -v s="$spent" 'BEGIN {
			print (t < b ? t : b), (k > r ? k : r), s + t }')
		EOF
		awk -v s="$spent" -v b="$budget" 'BEGIN { exit !(s >= b) }' && break
	done
	printf '\n' >&2
	if [ -s "$out/$name.err" ]; then
		echo "bench: $label wrote to stderr:" >&2
		head -n 5 "$out/$name.err" >&2
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$label" "$best" "$rss" "$n" \
		>> "$out/results"
}

# The commands, as a reader would type them: $POSTS is expanded by sh -c.
cmd_rtpipe='tokenize -k hashtag "$POSTS" | hashtag-count --total -n 10'
cmd_hcount='hashtag-count --total -n 10 -f text "$POSTS"'
cmd_jq='jq -r .text "$POSTS" | grep -oE '\''#[[:alnum:]_]+'\'' | sort | uniq -c | sort -rn | head'
cmd_awk='awk -f bench/hashtags.awk "$POSTS" | sort -rn | head'
cmd_mlr='mlr --ijsonl --onidx --ofs " " put -q -f bench/hashtags.mlr then sort -nr count then head -n 10 then reorder -f count "$POSTS"'
cmd_python='python3 bench/hashtags.py "$POSTS"'
cmd_cjson='cjson-parse "$POSTS"'
cmd_tokenize='tokenize -k hashtag "$POSTS" > /dev/null'

bench rtpipe "tokenize -k hashtag | hashtag-count --total" "$cmd_rtpipe"
bench hcount "hashtag-count --total -f text" "$cmd_hcount"
bench jq "jq -r .text | grep -oE | sort | uniq -c" "$cmd_jq"
bench awk "awk ($(basename "$(readlink -f "$(command -v awk)")")) | sort -rn" \
	"$cmd_awk"
bench mlr "mlr put -q (Miller $(mlr --version | cut -d' ' -f2))" "$cmd_mlr"
bench python "python3 hashtags.py ($(python3 -V | cut -d' ' -f2))" "$cmd_python"
bench cjson "cjson-parse (bare cJSON parse loop)" "$cmd_cjson"
bench tokenize "tokenize -k hashtag > /dev/null" "$cmd_tokenize"

# Every top 10 as "COUNT #TAG" lines.
top() {
	[ -s "$out/$1.out" ] || { : > "$out/$1.top"; return 0; }
	case $1 in
	rtpipe | hcount)
		jq -r '"\(.count) #\(.hashtag)"' "$out/$1.out" | tail -n 10 ;;
	*)
		awk '{ print $1, $2 }' "$out/$1.out" ;;
	esac > "$out/$1.top"
	if [ "$(wc -l < "$out/$1.top")" -ne 10 ]; then
		echo "bench: $1: not a top 10 in $out/$1.out" >&2
		failed=1
	fi
}
for n in rtpipe hcount jq awk mlr python; do
	top "$n"
done

size=$(wc -c < "$POSTS")
echo
echo "$posts posts, $((size / 1048576)) MiB ($gen);"
echo "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'));" \
	"best of up to $runs runs, LC_ALL=$LC_ALL."
echo
awk -F'\t' -v posts="$posts" '
function commas(n,    s) {
	s = sprintf("%d", n)
	while (s ~ /[0-9][0-9][0-9][0-9]/)
		sub(/[0-9][0-9][0-9]($|,)/, ",&", s)
	return s
}
function ratio(a, b) {
	return (a == "-" || b == "-") ? "-" : sprintf("%.2f×", a / b)
}
{ name[NR] = $1; label[NR] = $2; gsub(/\|/, "\\|", label[NR]); t[NR] = $3; k[NR] = $4; n[NR] = $5; idx[$1] = NR }
END {
	jq = t[idx["jq"]]; cj = t[idx["cjson"]]
	print "| Command | Wall s | Posts/s | Peak RSS MiB | vs jq | vs cJSON parse | Runs |"
	print "|---|--:|--:|--:|--:|--:|--:|"
	for (i = 1; i <= NR; i++) {
		if (t[i] == "-") {
			printf "| %s | failed | | | | | %d |\n", label[i], n[i]
			continue
		}
		printf "| %s | " (t[i] < 1 ? "%.3f" : "%.2f") " | %s | %.1f | %s | %s | %d |\n", label[i], t[i],
		    commas(posts / t[i]), k[i] / 1024, ratio(jq, t[i]),
		    ratio(cj, t[i]), n[i]
	}
}' "$out/results"

echo
echo "| # | tokenize \\| hashtag-count | hashtag-count -f text | jq \\| grep | awk | mlr | python3 |"
echo "|--:|---|---|---|---|---|---|"
i=1
while [ "$i" -le 10 ]; do
	row="| $i |"
	for n in rtpipe hcount jq awk mlr python; do
		cell=$(sed -n "${i}p" "$out/$n.top" | awk '{ print $2, $1 }')
		row="$row ${cell:--} |"
	done
	echo "$row"
	i=$((i + 1))
done

# Targets from the issue.
echo
awk -F'\t' -v posts="$posts" '
{ t[$1] = $3 }
function verdict(ok) { return ok ? "met" : "NOT met" }
function commas(n,    s) {
	s = sprintf("%d", n)
	while (s ~ /[0-9][0-9][0-9][0-9]/)
		sub(/[0-9][0-9][0-9]($|,)/, ",&", s)
	return s
}
END {
	if (t["rtpipe"] != "-" && t["jq"] != "-")
		printf "- rtpipe pipeline at least 5× the jq pipeline: %.2f×, %s\n",
		    t["jq"] / t["rtpipe"], verdict(t["jq"] / t["rtpipe"] >= 5)
	if (t["rtpipe"] != "-" && t["cjson"] != "-")
		printf "- rtpipe pipeline at least as fast as the bare cJSON parse: %.2f×, %s\n",
		    t["cjson"] / t["rtpipe"], verdict(t["rtpipe"] <= t["cjson"])
	if (t["tokenize"] != "-")
		printf "- tokenize alone at least 1,000,000 posts/s: %s posts/s, %s\n",
		    commas(posts / t["tokenize"]), verdict(posts / t["tokenize"] >= 1000000)
}' "$out/results"
if cmp -s "$out/rtpipe.top" "$out/hcount.top"; then
	echo "- the two rtpipe commands give the same top 10"
else
	echo "- the two rtpipe commands give DIFFERENT top 10s"
	failed=1
fi

echo
echo "Commands (\$POSTS=$POSTS):"
for n in rtpipe hcount jq awk mlr python cjson tokenize; do
	eval "echo \"    \$cmd_$n\""
done
exit "$failed"
