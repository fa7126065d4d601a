#!/usr/bin/env bats
# JSONTestSuite through a real tool: every y_ object is accepted, every n_
# file is rejected as bad input (reported with its position, kept by
# --dead-letter), and i_ files neither crash a tool nor make it write
# invalid JSON or invalid UTF-8.

load helper

SUITE="$SHARED/JSONTestSuite/test_parsing"

# The lines a tool reads from a file: CR before LF removed, empty ones skipped.
lines_of() {
	LC_ALL=C awk '{ sub(/\r$/, "") } length' "$1"
}

@test "every y_ file whose value is an object is accepted" {
	n=0
	for f in "$SUITE"/y_*.json; do
		[ "$(tr -d ' \t\r\n' < "$f" | head -c 1)" = "{" ] || continue
		# A record is one line; this one spreads an object over three.
		[ "$(basename "$f")" = y_object_with_newlines.json ] && continue
		run --separate-stderr hashtag-count --total --stats "$f"
		[ "$status" -eq 0 ]
		# Accepted as JSON, then found to have no token: not a JSON error.
		same "$(printf '%s\n' "$stderr" | head -n 1)" "hashtag-count: $f:1: no string field 'token'"
		n=$((n + 1))
	done
	[ "$n" -eq 11 ]
}

@test "every y_ file whose value is not an object is rejected as not an object" {
	n=0
	for f in "$SUITE"/y_*.json; do
		[ "$(tr -d ' \t\r\n' < "$f" | head -c 1)" = "{" ] && continue
		[ "$(lines_of "$f" | wc -l)" -eq 1 ] || continue
		run --separate-stderr hashtag-count --total "$f"
		[ "$status" -eq 0 ]
		same "$stderr" "hashtag-count: $f:1: not a JSON object"
		n=$((n + 1))
	done
	[ "$n" -gt 75 ]
}

@test "every n_ file is rejected line by line, reported and kept verbatim" {
	n=0
	for f in "$SUITE"/n_*.json; do
		rm -f "$T/dl"
		run --separate-stderr hashtag-count --total --stats --dead-letter "$T/dl" "$f"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		expect=$(lines_of "$f" | wc -l)
		[[ "$stderr" == *"\"bad_input\":$expect,"* ]] || {
			echo "$f: $stderr"
			return 1
		}
		# Every report names the file, a line number and a JSON reason.
		while IFS= read -r line; do
			case $line in
			'{"tool"'*) ;;
			"hashtag-count: $f:"[0-9]*": invalid JSON: column "*) ;;
			"hashtag-count: $f:"[0-9]*": not a JSON object") ;;
			*) echo "$f: unexpected report: $line"; return 1 ;;
			esac
		done <<< "$stderr"
		if [ "$expect" -gt 0 ]; then
			lines_of "$f" | cmp - "$T/dl"
		fi
		n=$((n + 1))
	done
	[ "$n" -eq 188 ]
}

@test "i_ values copied through a tool come out as valid JSON and valid UTF-8" {
	n=0
	for f in "$SUITE"/i_*.json; do
		# Put the value in a record, as a field that tokenize copies.
		{ printf '{"text":"#t","v":'; tr -d '\n' < "$f"; printf '}\n'; } > "$T/in"
		run --separate-stderr tokenize -k hashtag --keep v "$T/in"
		[ "$status" -eq 0 ]
		if [ -n "$output" ]; then
			# Strict: the bytes must be UTF-8 and the text must decode
			# to Unicode that can be encoded again (no lone surrogates).
			printf '%s\n' "$output" | python3 -c '
import json, sys
for line in sys.stdin.buffer:
    json.dumps(json.loads(line.decode("utf-8")), ensure_ascii=False).encode("utf-8")
'
		else
			[[ "$stderr" == "tokenize: $T/in:1: "* ]]
		fi
		n=$((n + 1))
	done
	[ "$n" -eq 35 ]
}

@test "copied fields keep their exact bytes" {
	printf '%s\n' '{"id":1992000000000002768,"ts":1e400,"text":"#a","x":-0.0,"y":0.1000000000000000055511}' > "$T/in"
	run --separate-stderr tokenize -k hashtag --keep id,ts,x,y "$T/in"
	[ "$status" -eq 0 ]
	same "$output" '{"token":"a","kind":"hashtag","id":1992000000000002768,"ts":1e400,"x":-0.0,"y":0.1000000000000000055511}'
	[ -z "$stderr" ]
}
