#!/bin/sh
# Runs the hashtag, mention, URL and cashtag cases of twitter-text's
# conformance file through tokenize (the one in $RTPIPE_BUILD/bin, build/bin
# by default, else the one in PATH) and prints how many pass,
#
#	hashtags: N/M, mentions: N/M, urls: N/M, cashtags: N/M
#
# then, for each case that fails, its group, text, and the tokens expected
# and found.  With -g only the cases of that group run, and only their
# kind is counted.  Exits 0 when the cases could be run, whatever passed.
#
# usage: twitter-text-report.sh [-g GROUP] [extract.json]
set -eu

group=
if [ "${1:-}" = -g ]; then
	group=${2:?usage: twitter-text-report.sh [-g GROUP] [extract.json]}
	shift 2
fi
top=$(cd "$(dirname "$0")/.." && pwd)
json=${1:-$top/../shared/testdata/twitter-text/extract.json}
PATH="$top/${RTPIPE_BUILD:-build}/bin:$PATH"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One record per case: its group and number, the kind its group tests,
# its text, and the tokens expected (indices left out).
jq -c --arg only "$group" '
	def kind:
		if test("^hashtags") then "hashtag"
		elif test("^mentions") then "mention"
		elif test("^(urls|tco_urls)") then "url"
		elif test("^cashtags") then "cashtag"
		else empty end;
	.tests | to_entries[]
	| select($only == "" or .key == $only)
	| .key as $g | ($g | kind) as $k
	| .value | to_entries[]
	| { group: $g, n: .key, kind: $k, text: .value.text,
	    want: [ .value.expected[]
	            | if type == "string" then .
	              else .hashtag // .screen_name // .url // .cashtag end ] }
' "$json" > "$tmp/cases"

tokenize --into -k hashtag,mention,url,cashtag "$tmp/cases" > "$tmp/found"

jq -n -r --slurpfile cases "$tmp/cases" --slurpfile found "$tmp/found" '
	($found | map({ key: "\(.group)/\(.n)", value: . }) | from_entries)
		as $by
	| [ $cases[] | . as $c
	    | ($by["\($c.group)/\($c.n)"][$c.kind + "s"]) as $got
	    | $c + { got: $got, ok: ($got == $c.want) } ] as $all
	| ([ "hashtag", "mention", "url", "cashtag" ]
	   | map(. as $k | [ $all[] | select(.kind == $k) ]
	         | select(length > 0)
	         | "\($k)s: \(map(select(.ok)) | length)/\(length)")
	   | join(", ")),
	  ( $all[] | select(.ok | not)
	    | "FAIL \(.group)[\(.n)]: \(.text | tojson)\n"
	      + "  expected: \(.want | tojson)\n"
	      + "  actual:   \(.got | tojson)" )
'
