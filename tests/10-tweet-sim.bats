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

@test "golden output for --seed 7 -c 5" {
	run --separate-stderr tweet-sim --seed 7 -c 5 --no-pacing
	[ "$status" -eq 0 ]
	same "$output" "$(cat "$FIX/tweet-sim-seed7.ndjson")"
	same "$stderr" ""
}

@test "the same seed gives the same bytes, another seed others" {
	sim_check_seed tweet-sim "-c 20000"
}

@test "a paced run with a fixed start gives the bytes of an unpaced one" {
	sim_check_paced_bytes tweet-sim "-r 1000 -c 50 --start 2026-03-01T00:00:00Z"
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
	[ "$status" -eq 0 ]
	same "$output" "2026-01-01T00:00:04.990Z"
}

@test "-d counts simulated time, or real time when paced; --start takes three forms" {
	sim_check_schedule tweet-sim
}

@test "bad option values are usage errors that name the option" {
	sim_check_bad_values tweet-sim
	usage_error "tweet-sim: --trend-every: too small: 10ms" tweet-sim --trend-every 10ms
}

@test "unknown options, options of filters and operands print the usage; -h, -V" {
	sim_check_usage tweet-sim
}

@test "a full disk is a write error; a reader that goes away ends the stream quietly" {
	sim_check_output tweet-sim
}

@test "SIGUSR1 prints one stats line, --stats one at exit; SIGTERM ends a paced run with status 0" {
	sim_check_signals tweet-sim "" ""
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
