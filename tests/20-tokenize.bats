#!/usr/bin/env bats
# tokenize: each kind of token, kept fields, --into, --fold, and the
# unhappy paths every tool has.

load helper

POST='{"id":1,"text":"RT @ana: #Rust e #rust_lang, não #2026! Veja https://example.com/a_(b)?x=1. e t.co/Ab12 ou http://t.co/xYz9?a=1#f), $BRK.B sobe; @bob/lista-1 olá"}'

# The records of tokens $2... of kind $1, without kept fields.
tokens() {
	local kind=$1 t
	shift
	for t; do
		printf '{"token":"%s","kind":"%s"}\n' "$t" "$kind"
	done
}

@test "every kind, in text order, by default" {
	run_ok tokenize --keep id <<< "$POST"
	same "$output" '{"token":"RT","kind":"word","id":1}
{"token":"ana","kind":"mention","id":1}
{"token":"Rust","kind":"hashtag","id":1}
{"token":"e","kind":"word","id":1}
{"token":"rust_lang","kind":"hashtag","id":1}
{"token":"não","kind":"word","id":1}
{"token":"2026","kind":"word","id":1}
{"token":"Veja","kind":"word","id":1}
{"token":"https://example.com/a_(b)?x=1","kind":"url","id":1}
{"token":"e","kind":"word","id":1}
{"token":"t.co/Ab12","kind":"url","id":1}
{"token":"ou","kind":"word","id":1}
{"token":"http://t.co/xYz9?a=1#f","kind":"url","id":1}
{"token":"BRK.B","kind":"cashtag","id":1}
{"token":"sobe","kind":"word","id":1}
{"token":"bob","kind":"mention","id":1}
{"token":"olá","kind":"word","id":1}'
}

@test "-k all is the default, and -k picks kinds without changing what is found" {
	run_ok tokenize -k all --keep id <<< "$POST"
	same "$output" "$(tokenize --keep id <<< "$POST")"
	run_ok tokenize --kinds=url,cashtag --keep= <<< "$POST"
	same "$output" '{"token":"https://example.com/a_(b)?x=1","kind":"url"}
{"token":"t.co/Ab12","kind":"url"}
{"token":"http://t.co/xYz9?a=1#f","kind":"url"}
{"token":"BRK.B","kind":"cashtag"}'
}

@test "hashtags: Unicode letters, no digits only, not after a letter or '&', not in a URL" {
	run_ok tokenize -k hashtag --keep= <<'EOF'
{"text":"#Café #mañana #日本語 ＃ｈａｓｈ #트위터 #ශ්‍රීලංකා #1st #16 a#b &#c #d#e"}
{"text":"#keycap #️⃣ ✌️#emoji http://x.com/#frag #http://y.com (#paren) #A𐒠"}
EOF
	same "$output" "$(tokens hashtag Café mañana 日本語 ｈａｓｈ 트위터 ශ්‍රීලංකා 1st keycap emoji paren A𐒠)"
}

@test "mentions: screen names, RT, lists, and the addresses that are not" {
	run_ok tokenize -k mention --keep= <<'EOF'
{"text":"@ana RT@bob rt:@cid ＠dee @e_1/list-x mail@example.com @x@y f!@no @café @http://a.b @abcdefghijklmnopqrstuvwxyz"}
EOF
	same "$output" "$(tokens mention ana bob cid dee e_1 abcdefghijklmnopqrst)"
}

@test "URLs: protocols, bare domains, IDN, ports, paths, trailing punctuation, t.co" {
	run_ok tokenize -k url --keep= <<'EOF'
{"text":"See http://example.com/path.., (https://en.wikipedia.org/wiki/Primer_(film)) and foo.co.uk!"}
{"text":"http://foobar.中国/ ELPAÍS.com exampleですexample.com/x http://localhost:8080 https://host.org:8080/a?b=c&d=e."}
{"text":"no.such.tld ab_cd.com http://ab_cd.com a@b.com $x.com #y.com -z.com http://-bad.com http://t.co/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}
EOF
	same "$output" "$(tokens url http://example.com/path 'https://en.wikipedia.org/wiki/Primer_(film)' foo.co.uk http://foobar.中国/ ELPAÍS.com example.com/x 'https://host.org:8080/a?b=c&d=e')"
}

@test "cashtags: one to six letters, an optional class, after a space" {
	run_ok tokenize -k cashtag --keep= <<'EOF'
{"text":"$AAPL $brk.b $X_Y $TOOLONG $12 a$B $C$D $E. $F"}
EOF
	same "$output" "$(tokens cashtag AAPL brk.b X_Y C E F)"
}

@test "words: letters, marks and digits outside every entity, apostrophes inside" {
	run_ok tokenize -k word --keep= <<'EOF'
{"text":"Don't l’eau il·lusió snake_case half-time 3.14 e\u0301t\u00e9 می‌خواهم ภาษาไทย ❤️ #tag @at $AT x.com/y"}
EOF
	same "$output" "$(tokens word "Don't" l’eau il·lusió snake case half time 3 14 "$(printf 'e\314\201t\303\251')" می‌خواهم ภาษาไทย)"
}

@test "--keep copies fields byte for byte and leaves out missing ones" {
	run_ok tokenize -k hashtag --keep id,ts,x,user.name,n <<'EOF'
{"id":1992000000000002768,"ts":1e400,"x":-0.0,"user":{"name":"Zé \"Z\"","n":[1, 2]},"n":{"a" : [ 1.50 ]},"text":"#a"}
{"ts":"2026-01-01T00:00:00Z","text":"#b #c"}
EOF
	same "$output" '{"token":"a","kind":"hashtag","id":1992000000000002768,"ts":1e400,"x":-0.0,"user.name":"Zé \"Z\"","n":{"a" : [ 1.50 ]}}
{"token":"b","kind":"hashtag","ts":"2026-01-01T00:00:00Z"}
{"token":"c","kind":"hashtag","ts":"2026-01-01T00:00:00Z"}'
}

@test "ts and id are kept by default; -f takes a dotted path" {
	run_ok tokenize -f user.bio -k hashtag <<'EOF'
{"ts":"2026-01-01T00:00:00.000Z","id":7,"text":"#no","user":{"bio":"#yes \u0023escaped"}}
EOF
	same "$output" '{"token":"yes","kind":"hashtag","ts":"2026-01-01T00:00:00.000Z","id":7}
{"token":"escaped","kind":"hashtag","ts":"2026-01-01T00:00:00.000Z","id":7}'
}

@test "--into adds one array per kind to the record as it came" {
	run_ok tokenize --into -k hashtag,url,word <<'EOF'
{ "id" : 1992000000000002768, "text":"#A b.com c" , "z":1e400 }  
{"text":"","id":-0.0}
EOF
	same "$output" '{ "id" : 1992000000000002768, "text":"#A b.com c" , "z":1e400 ,"hashtags":["A"],"urls":["b.com"],"words":["c"]}
{"text":"","id":-0.0,"hashtags":[],"urls":[],"words":[]}'
	run_ok tokenize --into <<< "$POST"
	same "$output" '{"id":1,"text":"RT @ana: #Rust e #rust_lang, não #2026! Veja https://example.com/a_(b)?x=1. e t.co/Ab12 ou http://t.co/xYz9?a=1#f), $BRK.B sobe; @bob/lista-1 olá","hashtags":["Rust","rust_lang"],"mentions":["ana","bob"],"urls":["https://example.com/a_(b)?x=1","t.co/Ab12","http://t.co/xYz9?a=1#f"],"cashtags":["BRK.B"],"words":["RT","e","não","2026","Veja","e","ou","sobe","olá"]}'
}

@test "--fold: NFC and case folding, whatever the spelling" {
	run_ok tokenize --fold -k hashtag,word --keep= <<'EOF'
{"text":"#Ça #c\u0327a #ÇA Straße ΣΊΣΥΦΟΣ WORLD"}
EOF
	same "$output" "$(tokens hashtag ça ça ça; tokens word strasse σίσυφοσ world)"
	run_ok tokenize --fold --into -k hashtag <<< '{"text":"#Ça #c\u0327a"}'
	same "$output" '{"text":"#Ça #c\u0327a","hashtags":["ça","ça"]}'
}

@test "without --fold, tokens are written as they came" {
	run_ok tokenize -k hashtag --keep= <<< '{"text":"#Ça #c\u0327a"}'
	same "$output" "$(printf '{"token":"\303\207a","kind":"hashtag"}\n{"token":"c\314\247a","kind":"hashtag"}')"
}

@test "bad input is reported, counted, and skipped; the stream goes on" {
	run --separate-stderr tokenize -k hashtag --keep= --stats <<'EOF'
{"text":"#one"}
{"text":"#two"
[1, 2]
"text"
{"text":2}
{"id":1}

{"text":"#three", }
{"text":"#four"}
EOF
	[ "$status" -eq 0 ]
	same "$output" '{"token":"one","kind":"hashtag"}
{"token":"four","kind":"hashtag"}'
	same "$stderr" "tokenize: <stdin>:2: invalid JSON: column 15: unexpected end of line
tokenize: <stdin>:3: not a JSON object
tokenize: <stdin>:4: not a JSON object
tokenize: <stdin>:5: no string field 'text'
tokenize: <stdin>:6: no string field 'text'
tokenize: <stdin>:8: invalid JSON: column 19: trailing comma
"'{"tool":"tokenize","records_in":8,"records_out":2,"bad_input":6,"dropped":0,"utf8_repaired":0,"tokens":2}'
}

@test "a flood of bad input: ten reports, then at most one a second, and the total at the end" {
	seq 1000 | sed 's/.*/{bad &/' > "$T/in"
	run --separate-stderr tokenize "$T/in"
	[ "$status" -eq 0 ]
	same "$output" ""
	same "$(printf '%s\n' "${stderr_lines[@]:0:10}")" \
		"$(seq 10 | sed "s|.*|tokenize: $T/in:&: invalid JSON: column 2: expected a key or '}'|")"
	# On a slow machine a report a second may come between; each says
	# how many it follows, and every line is accounted for.
	local n=${#stderr_lines[@]} i shown=10 hidden=0 m
	for ((i = 10; i < n - 1; i++)); do
		m=$(sed -nE "s|^tokenize: $T/in:[0-9]+: invalid JSON: column 2: expected a key or '\}' \(and ([0-9]+) more bad input lines not shown\)$|\1|p" <<< "${stderr_lines[i]}")
		[ -n "$m" ] || { echo "unexpected: ${stderr_lines[i]}" >&2; false; }
		shown=$((shown + 1)) hidden=$((hidden + m))
	done
	same "${stderr_lines[n - 1]}" "tokenize: 1000 bad input lines in all ($((1000 - shown - hidden)) not shown)"
	[ $((1000 - shown - hidden)) -gt 0 ]
}

@test "--dead-letter keeps bad lines verbatim, overlong ones too" {
	printf '{"text":"#a"}\n{"text": 1}\n{"text":"%s"}\nnot json\r\n{"text":"#b"}' \
		"$(printf '%0100d' 0)" > "$T/in"
	run --separate-stderr tokenize -k hashtag --keep= --max-line 60 --dead-letter "$T/dead" "$T/in"
	[ "$status" -eq 0 ]
	same "$output" '{"token":"a","kind":"hashtag"}
{"token":"b","kind":"hashtag"}'
	same "$stderr" "tokenize: $T/in:2: no string field 'text'
tokenize: $T/in:3: line too long (over 60 bytes)
tokenize: $T/in:4: not a JSON object"
	same "$(cat "$T/dead")" "{\"text\": 1}
{\"text\":\"$(printf '%0100d' 0)\"}
not json"
}

@test "--strict makes the first bad line fatal" {
	run --separate-stderr tokenize --strict -k hashtag --keep= <<'EOF'
{"text":"#a"}
{"text":null}
{"text":"#b"}
EOF
	[ "$status" -eq 1 ]
	same "$output" '{"token":"a","kind":"hashtag"}'
	same "$stderr" "tokenize: <stdin>:2: no string field 'text'"
}

@test "invalid UTF-8 comes out repaired" {
	printf '{"id":"\377","text":"caf\303 #t\351st w\303\251"}\n' > "$T/in"
	run --separate-stderr tokenize --stats "$T/in"
	[ "$status" -eq 0 ]
	same "$output" '{"token":"caf","kind":"word","id":"�"}
{"token":"t","kind":"hashtag","id":"�"}
{"token":"st","kind":"word","id":"�"}
{"token":"wé","kind":"word","id":"�"}'
	[ "$(jq .utf8_repaired <<< "$stderr")" -gt 0 ]
	run_ok tokenize --into -k hashtag "$T/in"
	same "$output" '{"id":"�","text":"caf� #t�st wé","hashtags":["t"]}'
}

@test "a last line without newline and CRLF lines are read; files and - in order" {
	printf '{"text":"#crlf"}\r\n{"text":"#last"}' > "$T/a"
	run_ok sh -c 'printf "{\"text\":\"#stdin\"}\n" | tokenize -k hashtag --keep= "$1" - "$1"' sh "$T/a"
	same "$output" "$(tokens hashtag crlf last stdin crlf last)"
}

@test "a file that cannot be read is an error; the others are still read" {
	printf '{"text":"#ok"}\n' > "$T/a"
	run --separate-stderr tokenize -k hashtag --keep= "$T/missing" "$T/a"
	[ "$status" -eq 1 ]
	same "$output" '{"token":"ok","kind":"hashtag"}'
	same "$stderr" "tokenize: cannot open '$T/missing': No such file or directory"
}

@test ">/dev/full exits 1 with a message" {
	run --separate-stderr sh -c 'tokenize > /dev/full' <<< "$POST"
	[ "$status" -eq 1 ]
	same "$output" ""
	same "$stderr" "tokenize: write error: No space left on device"
}

@test "a reader that goes away ends tokenize quietly with status 0" {
	run_ok bash -c 'tweet-sim --no-pacing -c 20000 | tokenize | head -n1 | jq -r .kind; echo "${PIPESTATUS[1]}"'
	same "$output" "hashtag
0"
}

# Starts tokenize on a pipe that stays open, feeds it a post, and waits
# until the post's tokens are out.
start_on_pipe() {
	bg_on_pipe tokenize "$@"
	printf '%s\n' '{"id":1,"text":"#one two"}' >&5
	wait_lines 2
}

@test "SIGTERM stops reading, writes what was read, and exits 0" {
	start_on_pipe -k hashtag,word --stats
	printf '%s\n' '{"id":2,"text":"#three"}' >&5
	wait_for "$T/out" three
	stop
	exec 5>&-
	[ "$rc" -eq 0 ]
	same "$(cat "$T/out")" '{"token":"one","kind":"hashtag","id":1}
{"token":"two","kind":"word","id":1}
{"token":"three","kind":"hashtag","id":2}'
	same "$(cat "$T/err")" '{"tool":"tokenize","records_in":2,"records_out":3,"bad_input":0,"dropped":0,"utf8_repaired":0,"tokens":3}'
}

@test "SIGUSR1 prints one stats line and the stream goes on" {
	start_on_pipe
	kill -USR1 "$pid"
	wait_lines 1 "$T/err"
	printf '%s\n' '{"id":2,"text":"#more"}' >&5
	exec 5>&-
	reap
	[ "$rc" -eq 0 ]
	same "$(cat "$T/err")" '{"tool":"tokenize","records_in":1,"records_out":2,"bad_input":0,"dropped":0,"utf8_repaired":0,"tokens":2}'
	same "$(cat "$T/out")" '{"token":"one","kind":"hashtag","id":1}
{"token":"two","kind":"word","id":1}
{"token":"more","kind":"hashtag","id":2}'
}

@test "usage errors exit 2 and name the option" {
	usage_error "tokenize: -k: unknown kind: 'tags'" tokenize -k hashtag,tags
	usage_error "tokenize: -k: unknown kind: ''" tokenize -k ""
	usage_error "tokenize: -f: empty field name" tokenize -f ""
	usage_error "tokenize: --keep and --into cannot be used together" tokenize --into --keep id
	usage_error "tokenize: --max-line: too small: 0" tokenize --max-line 0
	usage_error_with_synopsis "tokenize: unrecognized option '--colour'" tokenize --colour
	usage_error_with_synopsis "tokenize: option requires an argument -- 'k'" tokenize -k
}

@test "-h prints the usage to stdout, -V the version" {
	run_ok tokenize -h
	same "$output" "usage: tokenize [-f FIELD] [-k KINDS] [--keep FIELDS | --into] [--fold]
                [-uV] [--stats] [--strict] [--dead-letter FILE] [--max-line SIZE]
                [file ...]"
	run_ok tokenize --version
	same "$output" "tokenize (rtpipe) 0.1.0"
}

@test "a simulated stream tokenizes the same with -u, and hashtags agree with --into" {
	tweet-sim --no-pacing -c 300 --seed 7 > "$T/posts"
	run_ok tokenize -k hashtag "$T/posts"
	same "$output" "$(tokenize -u -k hashtag "$T/posts")"
	same "$(jq -r .token <<< "$output")" \
		"$(tokenize --into -k hashtag "$T/posts" | jq -r '.hashtags[]')"
	[ "${#lines[@]}" -gt 300 ]
}

@test "without -f, a record with no text is read by its line field" {
	printf '%s\n' '{"ts":1,"line":"hi #There","peer":"127.0.0.1:9"}' '{"ts":2,"text":"#a","line":"#b"}' > "$T/in"
	run --separate-stderr tokenize -k hashtag,word "$T/in"
	[ "$status" -eq 0 ]
	same "$output" '{"token":"hi","kind":"word","ts":1}
{"token":"There","kind":"hashtag","ts":1}
{"token":"a","kind":"hashtag","ts":2}'
	[ -z "$stderr" ]
	run --separate-stderr tokenize -f text "$T/in"
	[ "$status" -eq 0 ]
	same "$output" '{"token":"a","kind":"hashtag","ts":2}'
	same "$stderr" "tokenize: $T/in:1: no string field 'text'"
}
