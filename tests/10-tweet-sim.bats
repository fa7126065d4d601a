#!/usr/bin/env bats
# tweet-sim: the record format, determinism, the schedule, the hashtag
# laws, and the unhappy paths every tool has.

load helper
bats_require_minimum_version 1.5.0

USAGE='usage: tweet-sim [-huV] [-c COUNT] [-d DURATION] [-r RATE] [--no-pacing]
                 [--seed N] [--start TIME] [--stats] [--trend-every DURATION]'

# "MINUTE TAG" for every hashtag of every post on stdin (case-folded as
# far as jq can: ASCII letters), skipping URL fragments.
tags_by_minute() {
	jq -r '.ts[14:16] as $m | .text | scan("(?:^|\\s)#(\\w+)") |
		"\($m) \(.[0] | ascii_downcase)"'
}

# Waits (without a deadline of its own) until file $1 is not empty.
wait_for() {
	while [ ! -s "$1" ]; do
		sleep 0.05
	done
}

@test "golden output for --seed 7 -c 5" {
	run --separate-stderr tweet-sim --seed 7 -c 5 --no-pacing
	[ "$status" -eq 0 ]
	same "$output" "$(cat "$FIX/tweet-sim-seed7.ndjson")"
	same "$stderr" ""
}

@test "the same seed gives the same bytes, another seed others" {
	tweet-sim --no-pacing -c 20000 --seed 3 > "$T/a"
	tweet-sim --no-pacing -c 20000 --seed 3 > "$T/b"
	tweet-sim --no-pacing -c 20000 --seed 4 > "$T/c"
	run --separate-stderr cmp "$T/a" "$T/b"
	[ "$status" -eq 0 ]
	same "$output$stderr" ""
	run --separate-stderr cmp -s "$T/a" "$T/c"
	[ "$status" -eq 1 ]
	same "$output$stderr" ""
}

@test "a paced run with a fixed start gives the bytes of an unpaced one" {
	tweet-sim --no-pacing -r 1000 -c 50 --start 2026-03-01T00:00:00Z > "$T/a"
	run --separate-stderr tweet-sim -r 1000 -c 50 --start 2026-03-01T00:00:00Z
	[ "$status" -eq 0 ]
	same "$output" "$(cat "$T/a")"
	same "$stderr" ""
}

@test "-c gives exactly that many posts; -c 0 none" {
	run --separate-stderr sh -c 'tweet-sim --no-pacing -c 1234 | wc -l'
	[ "$status" -eq 0 ]
	same "$output" "1234"
	same "$stderr" ""
	run --separate-stderr tweet-sim --no-pacing -c 0
	[ "$status" -eq 0 ]
	same "$output$stderr" ""
}

@test "every line is a JSON object of the five fields, ids are big integers" {
	tweet-sim --no-pacing -c 5000 > "$T/p"
	run --separate-stderr sh -c 'jq -c "[keys, (.id|type), (.ts|type),
		(.user|type), (.lang|type), (.text|type)]" "$1" | sort | uniq -c' sh "$T/p"
	[ "$status" -eq 0 ]
	same "$output" '   5000 [["id","lang","text","ts","user"],"number","string","string","string","string"]'
	same "$stderr" ""
	# Ids are 19 digits (above 2^53) and increase; compared as text,
	# since jq 1.6 would round them.
	run --separate-stderr sh -c 'cut -d, -f1 "$1" | cut -d: -f2 |
		awk "length(\$0) != 19 || (NR > 1 && (\$0 \"\") <= (p \"\")) { bad++ }
		{ p = \$0 } END { print NR, bad + 0 }"' sh "$T/p"
	[ "$status" -eq 0 ]
	same "$output" "5000 0"
	same "$stderr" ""
}

@test "posts come in Portuguese, English and Spanish" {
	run --separate-stderr sh -c 'tweet-sim --no-pacing -c 1000 | jq -r .lang | sort -u'
	[ "$status" -eq 0 ]
	same "$output" "en
es
pt"
	same "$stderr" ""
}

@test "texts carry accents, emoji sequences, quotes, line breaks, mentions and URLs" {
	tweet-sim --no-pacing -c 20000 > "$T/p"
	zwj=$(printf '\342\200\215')
	vs16=$(printf '\357\270\217')
	found=
	for pat in 'ã' 'ñ' 'é' "$zwj" "$vs16" '\\"' '\\n' ' @[A-Za-z0-9_]' \
		'RT @' 'https://t\.co/' 'https://[^ "]*?[^ "]*#' 'https://[^ "]*/[^ "]*ã'; do
		grep -q -- "$pat" "$T/p" && found="$found+" || found="$found-"
	done
	same "$found" "++++++++++++"
}

@test "with --no-pacing -r 100 stamps are 10 ms apart" {
	run --separate-stderr sh -c 'tweet-sim --no-pacing -r 100 -c 500 | jq -r .ts |
		awk -F "[T:.Z]" "{ t = ((\$2 * 60 + \$3) * 60 + \$4) * 1000 + \$5 }
		NR > 1 && t - p != 10 { bad++ } { p = t } END { print NR, bad + 0 }"'
	[ "$status" -eq 0 ]
	same "$output" "500 0"
	same "$stderr" ""
	run --separate-stderr sh -c 'tweet-sim --no-pacing -r 100 -c 500 | tail -n1 | jq -r .ts'
	same "$output" "2026-01-01T00:00:04.990Z"
}

@test "--start takes RFC 3339, epoch seconds and epoch milliseconds" {
	run --separate-stderr sh -c 'tweet-sim --no-pacing --start 2020-02-29T23:59:59.95+00:00 -r 20 -c 3 | jq -r .ts'
	[ "$status" -eq 0 ]
	same "$output" "2020-02-29T23:59:59.950Z
2020-03-01T00:00:00.000Z
2020-03-01T00:00:00.050Z"
	same "$stderr" ""
	run --separate-stderr sh -c 'tweet-sim --no-pacing --start 1700000000 -c 1 | jq -r .ts;
		tweet-sim --no-pacing --start 1700000000123 -c 1 | jq -r .ts'
	[ "$status" -eq 0 ]
	same "$output" "2023-11-14T22:13:20.000Z
2023-11-14T22:13:20.123Z"
	same "$stderr" ""
}

@test "-d with --no-pacing counts simulated time" {
	run --separate-stderr sh -c 'tweet-sim --no-pacing -r 10 -d 1m | jq -r .ts | sed -n "1p;\$p;\$="'
	[ "$status" -eq 0 ]
	same "$output" "2026-01-01T00:00:00.000Z
2026-01-01T00:00:59.900Z
600"
	same "$stderr" ""
	run --separate-stderr sh -c 'tweet-sim --no-pacing -r 3 -d 1s -c 100 | jq -r .ts'
	same "$output" "2026-01-01T00:00:00.000Z
2026-01-01T00:00:00.333Z
2026-01-01T00:00:00.666Z"
}

@test "-d paces in real time" {
	run --separate-stderr sh -c 'tweet-sim -r 40 -d 250ms | wc -l'
	[ "$status" -eq 0 ]
	same "$output" "10"
	same "$stderr" ""
}

@test "bad option values are usage errors that name the option" {
	run --separate-stderr tweet-sim -c -1
	[ "$status" -eq 2 ]
	same "$output" ""
	same "$stderr" "tweet-sim: -c: too small: -1"
	run --separate-stderr tweet-sim -r 0
	[ "$status" -eq 2 ]
	same "$stderr" "tweet-sim: -r: too small: 0"
	run --separate-stderr tweet-sim -r abc
	[ "$status" -eq 2 ]
	same "$stderr" "tweet-sim: -r: not a number: 'abc'"
	run --separate-stderr tweet-sim -d 10x
	[ "$status" -eq 2 ]
	same "$stderr" "tweet-sim: -d: invalid duration: '10x'"
	run --separate-stderr tweet-sim --seed -3
	[ "$status" -eq 2 ]
	same "$stderr" "tweet-sim: --seed: too small: -3"
	run --separate-stderr tweet-sim --start yesterday
	[ "$status" -eq 2 ]
	same "$stderr" "tweet-sim: --start: invalid time: 'yesterday'"
	run --separate-stderr tweet-sim --trend-every 10ms
	[ "$status" -eq 2 ]
	same "$stderr" "tweet-sim: --trend-every: too small: 10ms"
	same "$output" ""
}

@test "unknown options, options of filters and operands print the usage" {
	run --separate-stderr tweet-sim -x
	[ "$status" -eq 2 ]
	same "$output" ""
	same "$stderr" "tweet-sim: invalid option -- 'x'
$USAGE"
	run --separate-stderr tweet-sim --strict
	[ "$status" -eq 2 ]
	same "$stderr" "tweet-sim: unrecognized option '--strict'
$USAGE"
	run --separate-stderr tweet-sim -c
	[ "$status" -eq 2 ]
	same "$stderr" "tweet-sim: option requires an argument -- 'c'
$USAGE"
	run --separate-stderr tweet-sim posts.ndjson
	[ "$status" -eq 2 ]
	same "$stderr" "tweet-sim: unexpected operand: 'posts.ndjson'
$USAGE"
	same "$output" ""
}

@test "-h prints the usage to stdout, -V the version" {
	run --separate-stderr tweet-sim -h
	[ "$status" -eq 0 ]
	same "$output" "$USAGE"
	same "$stderr" ""
	run --separate-stderr tweet-sim --help
	[ "$status" -eq 0 ]
	same "$output" "$USAGE"
	run --separate-stderr tweet-sim -V
	[ "$status" -eq 0 ]
	same "$output" "tweet-sim (rtpipe) 0.1.0"
	same "$stderr" ""
}

@test "a full disk is a write error" {
	run --separate-stderr sh -c 'tweet-sim --no-pacing -c 10 > /dev/full'
	[ "$status" -eq 1 ]
	same "$output" ""
	same "$stderr" "tweet-sim: write error: No space left on device"
	run --separate-stderr sh -c 'tweet-sim --no-pacing > /dev/full'
	[ "$status" -eq 1 ]
	same "$stderr" "tweet-sim: write error: No space left on device"
}

@test "a reader that goes away ends the stream quietly" {
	first=$(tweet-sim --no-pacing -c 1)
	run --separate-stderr bash -c 'tweet-sim --no-pacing | head -n1; echo "${PIPESTATUS[0]}"'
	[ "$status" -eq 0 ]
	same "$output" "$first
0"
	same "$stderr" ""
	run --separate-stderr bash -c 'tweet-sim -r 1000 | head -n1 | jq -r .lang; echo "${PIPESTATUS[0]}"'
	[ "$status" -eq 0 ]
	same "$output" "$(tweet-sim --no-pacing -c 1 | jq -r .lang)
0"
	same "$stderr" ""
}

@test "SIGTERM ends a paced run with status 0 and whole lines" {
	tweet-sim -r 200 > "$T/out" 2> "$T/err" &
	pid=$!
	wait_for "$T/out"
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 0 ]
	same "$(cat "$T/err")" ""
	[ "$(tail -c 1 "$T/out" | od -An -c | tr -d ' ')" = '\n' ]
	run --separate-stderr sh -c 'jq -c "keys" "$1" | sort -u' sh "$T/out"
	[ "$status" -eq 0 ]
	same "$output" '["id","lang","text","ts","user"]'
	same "$stderr" ""
}

@test "SIGUSR1 prints one stats line; --stats one at exit" {
	tweet-sim -r 100 > "$T/out" 2> "$T/err" &
	pid=$!
	wait_for "$T/out"
	kill -USR1 "$pid"
	wait_for "$T/err"
	kill -TERM "$pid"
	wait "$pid"
	run --separate-stderr jq -c '[.tool, .records_in, .records_out > 0, .bad_input, .dropped]' "$T/err"
	[ "$status" -eq 0 ]
	same "$output" '["tweet-sim",0,true,0,0]'
	same "$stderr" ""
	run --separate-stderr tweet-sim --no-pacing -c 3 --stats
	[ "$status" -eq 0 ]
	same "$(printf '%s\n' "$output" | wc -l)" "3"
	same "$stderr" '{"tool":"tweet-sim","records_in":0,"records_out":3,"bad_input":0,"dropped":0,"utf8_repaired":0}'
}

@test "hashtags follow a Zipf law, each in three spellings of case" {
	tweet-sim --no-pacing -c 20000 | tags_by_minute > "$T/tags"
	# The most frequent hashtag against the 50th.
	run --separate-stderr sh -c 'cut -d" " -f2 "$1" | sort | uniq -c | sort -rn |
		awk "NR == 1 { top = \$1 } NR == 50 { print (top > 10 * \$1) ? \"steep\" : \"flat\" }"' sh "$T/tags"
	[ "$status" -eq 0 ]
	same "$output" "steep"
	same "$stderr" ""
	run --separate-stderr sh -c 'tweet-sim --no-pacing -c 20000 --seed 2 |
		grep -o -e "#WorldCup\b" -e "#worldcup\b" -e "#WORLDCUP\b" -e "#São_João\b" \
			-e "#são_joão\b" -e "#SÃO_JOÃO\b" | sort -u'
	[ "$status" -eq 0 ]
	same "$output" "#SÃO_JOÃO
#São_João
#WORLDCUP
#WorldCup
#são_joão
#worldcup"
	same "$stderr" ""
}

@test "trending hashtags rise, peak and fade by the minute" {
	tweet-sim --no-pacing -c 20000 | tags_by_minute > "$T/tags"
	# A trend here: absent in the first and the last minute, at least 60
	# in its best minute.  Rising then falling: its first and last
	# minutes hold under a third of its peak, which lies between them.
	run --separate-stderr awk '
		{ c[$2, $1 + 0]++; tag[$2] = 1 }
		END {
			for (t in tag) {
				peak = 0; first = -1
				for (m = 0; m <= 33; m++) {
					n = c[t, m] + 0
					if (n > 0 && first < 0) first = m
					if (n > 0) last = m
					if (n > peak) { peak = n; at = m }
				}
				if (c[t, 0] + 0 > 0 || c[t, 33] + 0 > 0 || peak < 60)
					continue
				ok = first < at && at < last &&
				    3 * c[t, first] < peak && 3 * c[t, last] < peak
				print t, ok ? "rises-and-falls" : "no"
			}
		}' "$T/tags"
	[ "$status" -eq 0 ]
	same "$(printf '%s\n' "$output" | sort)" "sanfermines rises-and-falls
superbowllx rises-and-falls
terremotochile rises-and-falls"
	same "$stderr" ""
}
