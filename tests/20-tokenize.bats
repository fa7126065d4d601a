#!/usr/bin/env bats
# tokenize: each kind of token, kept fields, --into, --fold, and the
# unhappy paths every tool has.

load helper
bats_require_minimum_version 1.5.0

POST='{"id":1,"text":"RT @ana: #Rust e #rust_lang, não #2026! Veja https://example.com/a_(b)?x=1. e t.co/Ab12 ou http://t.co/xYz9?a=1#f), $BRK.B sobe; @bob/lista-1 olá"}'

@test "every kind, in text order, by default" {
	run --separate-stderr tokenize --keep id <<< "$POST"
	[ "$status" -eq 0 ]
	same "$stderr" ""
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
	run --separate-stderr tokenize -k all --keep id <<< "$POST"
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" "$(tokenize --keep id <<< "$POST")"
	run --separate-stderr tokenize --kinds=url,cashtag --keep= <<< "$POST"
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" '{"token":"https://example.com/a_(b)?x=1","kind":"url"}
{"token":"t.co/Ab12","kind":"url"}
{"token":"http://t.co/xYz9?a=1#f","kind":"url"}
{"token":"BRK.B","kind":"cashtag"}'
}

@test "hashtags: Unicode letters, no digits only, not after a letter or '&', not in a URL" {
	run --separate-stderr tokenize -k hashtag --keep= <<'EOF'
{"text":"#Café #mañana #日本語 ＃ｈａｓｈ #트위터 #ශ්‍රීලංකා #1st #16 a#b &#c #d#e"}
{"text":"#keycap #️⃣ ✌️#emoji http://x.com/#frag #http://y.com (#paren) #A𐒠"}
EOF
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" '{"token":"Café","kind":"hashtag"}
{"token":"mañana","kind":"hashtag"}
{"token":"日本語","kind":"hashtag"}
{"token":"ｈａｓｈ","kind":"hashtag"}
{"token":"트위터","kind":"hashtag"}
{"token":"ශ්‍රීලංකා","kind":"hashtag"}
{"token":"1st","kind":"hashtag"}
{"token":"keycap","kind":"hashtag"}
{"token":"emoji","kind":"hashtag"}
{"token":"paren","kind":"hashtag"}
{"token":"A𐒠","kind":"hashtag"}'
}

@test "mentions: screen names, RT, lists, and the addresses that are not" {
	run --separate-stderr tokenize -k mention --keep= <<'EOF'
{"text":"@ana RT@bob rt:@cid ＠dee @e_1/list-x mail@example.com @x@y f!@no @café @http://a.b @abcdefghijklmnopqrstuvwxyz"}
EOF
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" '{"token":"ana","kind":"mention"}
{"token":"bob","kind":"mention"}
{"token":"cid","kind":"mention"}
{"token":"dee","kind":"mention"}
{"token":"e_1","kind":"mention"}
{"token":"abcdefghijklmnopqrst","kind":"mention"}'
}

@test "URLs: protocols, bare domains, IDN, ports, paths, trailing punctuation, t.co" {
	run --separate-stderr tokenize -k url --keep= <<'EOF'
{"text":"See http://example.com/path.., (https://en.wikipedia.org/wiki/Primer_(film)) and foo.co.uk!"}
{"text":"http://foobar.中国/ ELPAÍS.com exampleですexample.com/x http://localhost:8080 https://host.org:8080/a?b=c&d=e."}
{"text":"no.such.tld ab_cd.com http://ab_cd.com a@b.com $x.com #y.com -z.com http://-bad.com http://t.co/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}
EOF
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" '{"token":"http://example.com/path","kind":"url"}
{"token":"https://en.wikipedia.org/wiki/Primer_(film)","kind":"url"}
{"token":"foo.co.uk","kind":"url"}
{"token":"http://foobar.中国/","kind":"url"}
{"token":"ELPAÍS.com","kind":"url"}
{"token":"example.com/x","kind":"url"}
{"token":"https://host.org:8080/a?b=c&d=e","kind":"url"}'
}

@test "cashtags: one to six letters, an optional class, after a space" {
	run --separate-stderr tokenize -k cashtag --keep= <<'EOF'
{"text":"$AAPL $brk.b $X_Y $TOOLONG $12 a$B $C$D $E. $F"}
EOF
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" '{"token":"AAPL","kind":"cashtag"}
{"token":"brk.b","kind":"cashtag"}
{"token":"X_Y","kind":"cashtag"}
{"token":"C","kind":"cashtag"}
{"token":"E","kind":"cashtag"}
{"token":"F","kind":"cashtag"}'
}

@test "words: letters, marks and digits outside every entity, apostrophes inside" {
	run --separate-stderr tokenize -k word --keep= <<'EOF'
{"text":"Don't l’eau il·lusió snake_case half-time 3.14 e\u0301t\u00e9 می‌خواهم ภาษาไทย ❤️ #tag @at $AT x.com/y"}
EOF
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" '{"token":"Don'"'"'t","kind":"word"}
{"token":"l’eau","kind":"word"}
{"token":"il·lusió","kind":"word"}
{"token":"snake","kind":"word"}
{"token":"case","kind":"word"}
{"token":"half","kind":"word"}
{"token":"time","kind":"word"}
{"token":"3","kind":"word"}
{"token":"14","kind":"word"}
{"token":"'"$(printf 'e\314\201t\303\251')"'","kind":"word"}
{"token":"می‌خواهم","kind":"word"}
{"token":"ภาษาไทย","kind":"word"}'
}

@test "--keep copies fields byte for byte and leaves out missing ones" {
	run --separate-stderr tokenize -k hashtag --keep id,ts,x,user.name,n <<'EOF'
{"id":1992000000000002768,"ts":1e400,"x":-0.0,"user":{"name":"Zé \"Z\"","n":[1, 2]},"n":{"a" : [ 1.50 ]},"text":"#a"}
{"ts":"2026-01-01T00:00:00Z","text":"#b #c"}
EOF
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" '{"token":"a","kind":"hashtag","id":1992000000000002768,"ts":1e400,"x":-0.0,"user.name":"Zé \"Z\"","n":{"a" : [ 1.50 ]}}
{"token":"b","kind":"hashtag","ts":"2026-01-01T00:00:00Z"}
{"token":"c","kind":"hashtag","ts":"2026-01-01T00:00:00Z"}'
}

@test "ts and id are kept by default; -f takes a dotted path" {
	run --separate-stderr tokenize -f user.bio -k hashtag <<'EOF'
{"ts":"2026-01-01T00:00:00.000Z","id":7,"text":"#no","user":{"bio":"#yes \u0023escaped"}}
EOF
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" '{"token":"yes","kind":"hashtag","ts":"2026-01-01T00:00:00.000Z","id":7}
{"token":"escaped","kind":"hashtag","ts":"2026-01-01T00:00:00.000Z","id":7}'
}

@test "--into adds one array per kind to the record as it came" {
	run --separate-stderr tokenize --into -k hashtag,url,word <<'EOF'
{ "id" : 1992000000000002768, "text":"#A b.com c" , "z":1e400 }  
{"text":"","id":-0.0}
EOF
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" '{ "id" : 1992000000000002768, "text":"#A b.com c" , "z":1e400 ,"hashtags":["A"],"urls":["b.com"],"words":["c"]}
{"text":"","id":-0.0,"hashtags":[],"urls":[],"words":[]}'
	run --separate-stderr tokenize --into <<< "$POST"
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" '{"id":1,"text":"RT @ana: #Rust e #rust_lang, não #2026! Veja https://example.com/a_(b)?x=1. e t.co/Ab12 ou http://t.co/xYz9?a=1#f), $BRK.B sobe; @bob/lista-1 olá","hashtags":["Rust","rust_lang"],"mentions":["ana","bob"],"urls":["https://example.com/a_(b)?x=1","t.co/Ab12","http://t.co/xYz9?a=1#f"],"cashtags":["BRK.B"],"words":["RT","e","não","2026","Veja","e","ou","sobe","olá"]}'
}

@test "--fold: NFC and case folding, whatever the spelling" {
	run --separate-stderr tokenize --fold -k hashtag,word --keep= <<'EOF'
{"text":"#Ça #c\u0327a #ÇA Straße ΣΊΣΥΦΟΣ WORLD"}
EOF
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" '{"token":"ça","kind":"hashtag"}
{"token":"ça","kind":"hashtag"}
{"token":"ça","kind":"hashtag"}
{"token":"strasse","kind":"word"}
{"token":"σίσυφοσ","kind":"word"}
{"token":"world","kind":"word"}'
	run --separate-stderr tokenize --fold --into -k hashtag <<< '{"text":"#Ça #c\u0327a"}'
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" '{"text":"#Ça #c\u0327a","hashtags":["ça","ça"]}'
}

@test "without --fold, tokens are written as they came" {
	run --separate-stderr tokenize -k hashtag --keep= <<< '{"text":"#Ça #c\u0327a"}'
	[ "$status" -eq 0 ]
	same "$stderr" ""
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
	run --separate-stderr tokenize --into -k hashtag "$T/in"
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" '{"id":"�","text":"caf� #t�st wé","hashtags":["t"]}'
}

@test "a last line without newline and CRLF lines are read; files and - in order" {
	printf '{"text":"#crlf"}\r\n{"text":"#last"}' > "$T/a"
	run --separate-stderr sh -c 'printf "{\"text\":\"#stdin\"}\n" | tokenize -k hashtag --keep= "$1" - "$1"' sh "$T/a"
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" '{"token":"crlf","kind":"hashtag"}
{"token":"last","kind":"hashtag"}
{"token":"stdin","kind":"hashtag"}
{"token":"crlf","kind":"hashtag"}
{"token":"last","kind":"hashtag"}'
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
	run --separate-stderr bash -c 'tweet-sim --no-pacing -c 20000 | tokenize | head -n1 | jq -r .kind; echo "${PIPESTATUS[1]}"'
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" "hashtag
0"
}

# Starts tokenize on a pipe that stays open, feeds it a post, and waits
# until the post's tokens are out.
start_on_pipe() {
	mkfifo "$T/in"
	tokenize "$@" < "$T/in" > "$T/out" 2> "$T/err" &
	pid=$!
	exec 5> "$T/in"
	printf '%s\n' '{"id":1,"text":"#one two"}' >&5
	while [ "$(wc -l < "$T/out")" -lt 2 ]; do
		sleep 0.05
	done
}

@test "SIGTERM stops reading, writes what was read, and exits 0" {
	start_on_pipe -k hashtag,word --stats
	printf '%s\n' '{"id":2,"text":"#three"}' >&5
	while ! grep -q three "$T/out"; do
		sleep 0.05
	done
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	exec 5>&-
	[ "$st" -eq 0 ]
	same "$(cat "$T/out")" '{"token":"one","kind":"hashtag","id":1}
{"token":"two","kind":"word","id":1}
{"token":"three","kind":"hashtag","id":2}'
	same "$(cat "$T/err")" '{"tool":"tokenize","records_in":2,"records_out":3,"bad_input":0,"dropped":0,"utf8_repaired":0,"tokens":3}'
}

@test "SIGUSR1 prints one stats line and the stream goes on" {
	start_on_pipe
	kill -USR1 "$pid"
	while [ ! -s "$T/err" ]; do
		sleep 0.05
	done
	printf '%s\n' '{"id":2,"text":"#more"}' >&5
	exec 5>&-
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 0 ]
	same "$(cat "$T/err")" '{"tool":"tokenize","records_in":1,"records_out":2,"bad_input":0,"dropped":0,"utf8_repaired":0,"tokens":2}'
	same "$(cat "$T/out")" '{"token":"one","kind":"hashtag","id":1}
{"token":"two","kind":"word","id":1}
{"token":"more","kind":"hashtag","id":2}'
}

@test "usage errors exit 2 and name the option" {
	run --separate-stderr tokenize -k hashtag,tags
	[ "$status" -eq 2 ]
	same "$output" ""
	same "$stderr" "tokenize: -k: unknown kind: 'tags'"
	run --separate-stderr tokenize -k ""
	[ "$status" -eq 2 ]
	same "$stderr" "tokenize: -k: unknown kind: ''"
	run --separate-stderr tokenize -f ""
	[ "$status" -eq 2 ]
	same "$stderr" "tokenize: -f: empty field name"
	run --separate-stderr tokenize --into --keep id
	[ "$status" -eq 2 ]
	same "$stderr" "tokenize: --keep and --into cannot be used together"
	run --separate-stderr tokenize --max-line 0
	[ "$status" -eq 2 ]
	same "$stderr" "tokenize: --max-line: too small: 0"
	run --separate-stderr tokenize --colour
	[ "$status" -eq 2 ]
	same "$output" ""
	same "${stderr%%$'\n'*}" "tokenize: unrecognized option '--colour'"
	same "${stderr#*$'\n'}" "$(tokenize -h)"
	run --separate-stderr tokenize -k
	[ "$status" -eq 2 ]
	same "${stderr%%$'\n'*}" "tokenize: option requires an argument -- 'k'"
}

@test "-h prints the usage to stdout, -V the version" {
	run --separate-stderr tokenize -h
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" "usage: tokenize [-f FIELD] [-k KINDS] [--keep FIELDS | --into] [--fold]
                [-uV] [--stats] [--strict] [--dead-letter FILE] [--max-line SIZE]
                [file ...]"
	run --separate-stderr tokenize --version
	[ "$status" -eq 0 ]
	same "$stderr" ""
	same "$output" "tokenize (rtpipe) 0.1.0"
}

@test "a simulated stream tokenizes the same with -u, and hashtags agree with --into" {
	tweet-sim --no-pacing -c 300 --seed 7 > "$T/posts"
	run --separate-stderr tokenize -k hashtag "$T/posts"
	[ "$status" -eq 0 ]
	same "$stderr" ""
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
