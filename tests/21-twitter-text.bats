#!/usr/bin/env bats
# tokenize against twitter-text's conformance file: every hashtag,
# mention, URL and cashtag case, run through the binary by
# tests/twitter-text-report.sh.  Every hashtag case must pass; the other
# kinds must not pass fewer cases than they do today (all of them:
# mentions 31, URLs 108, cashtags 10).

load helper
bats_require_minimum_version 1.5.0

setup() {
	T="$BATS_TEST_TMPDIR"
	EXTRACT="$SHARED/twitter-text/extract.json"
	REPORT="$TOP/tests/twitter-text-report.sh"
}

# Runs the cases of one hashtag group; all must pass.  A failure shows
# each failing case with its text and the tokens expected and found.
hashtag_group() {
	local group=$1 total

	total=$(jq ".tests.$group | length" "$EXTRACT")
	[ "$total" -gt 0 ]
	run --separate-stderr sh "$REPORT" -g "$group" "$EXTRACT"
	printf '%s\n' "$output" >&2
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" "hashtags: $total/$total"
}

# The number of passing cases of kind $1 in the report in $output.
passed() {
	printf '%s\n' "$output" | head -n1 | tr ',' '\n' |
		sed -n "s|^ *$1: \([0-9]*\)/[0-9]*\$|\1|p"
}

@test "twitter-text hashtags: every case passes" {
	hashtag_group hashtags
}

@test "twitter-text hashtags_from_astral: every case passes" {
	hashtag_group hashtags_from_astral
}

@test "twitter-text hashtags_with_indices: every case passes" {
	hashtag_group hashtags_with_indices
}

@test "twitter-text: every hashtag group of the file is run" {
	run --separate-stderr jq -r '.tests | keys[] | select(startswith("hashtags"))' \
		"$EXTRACT"
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" "hashtags
hashtags_from_astral
hashtags_with_indices"
}

@test "twitter-text: mentions, URLs and cashtags pass no fewer cases" {
	run --separate-stderr sh "$REPORT" "$EXTRACT"
	printf '%s\n' "$output" >&2
	[ "$status" -eq 0 ]
	same "$stderr" ""
	[[ "${lines[0]}" =~ ^hashtags:\ [0-9]+/[0-9]+,\ mentions:\ [0-9]+/[0-9]+,\ urls:\ [0-9]+/[0-9]+,\ cashtags:\ [0-9]+/[0-9]+$ ]]
	[ "$(passed mentions)" -ge 31 ]
	[ "$(passed urls)" -ge 108 ]
	[ "$(passed cashtags)" -ge 10 ]
	[ "$(passed hashtags)" -eq "$(jq '[.tests.hashtags, .tests.hashtags_from_astral,
		.tests.hashtags_with_indices] | add | length' "$EXTRACT")" ]
}

@test "twitter-text: the report lists a failing case with its tokens" {
	jq '.tests.hashtags = [{"description": "d", "text": "a #b c",
		"expected": ["x"]}]' "$EXTRACT" > "$T/extract.json"
	run --separate-stderr sh "$REPORT" -g hashtags "$T/extract.json"
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" 'hashtags: 0/1
FAIL hashtags[0]: "a #b c"
  expected: ["x"]
  actual:   ["b"]'
}
