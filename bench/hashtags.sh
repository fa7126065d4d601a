#!/bin/sh
# Benchmarks the top-hashtags count of rtpipe against jq, awk, Miller, Python
# and a bare cJSON parse loop, all on the same generated posts, and prints
# Markdown tables: timings and the top 10 of each (see bench/README.md).
#
# usage: sh bench/hashtags.sh BUILD     (bench/run.sh runs this)
#
# BENCH_POSTS   posts to generate (1000000)
# BENCH_RUNS    most runs per command, of which the best counts (3)
# BENCH_BUDGET  seconds after which a command is not run again (10)

# The commands are kept in single quotes for sh -c to expand.
# shellcheck disable=SC2016
set -eu

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

posts=${BENCH_POSTS:-1000000}
positive "$posts"
POSTS=$out/posts-$posts-seed1.ndjson
export POSTS

need_built bin/tweet-sim bin/tokenize bin/hashtag-count bench/cjson-parse \
    bench/measure
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
	read -r t _ < "$out/gen.time"
	gen="generated in $t s by tweet-sim --no-pacing -c $posts --seed 1"
else
	gen="reused from an earlier run"
fi
lines=$(wc -l < "$POSTS")
[ "$lines" -eq "$posts" ] ||
	{ echo "bench: $POSTS has $lines lines, not $posts" >&2; exit 1; }
cat "$POSTS" > /dev/null	# into the page cache before the first timing

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
echo "$(cpus); best of up to $runs runs, LC_ALL=$LC_ALL."
echo
awk -F'\t' -v posts="$posts" "$awk_lib"'
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
awk -F'\t' -v posts="$posts" "$awk_lib"'
{ t[$1] = $3 }
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
