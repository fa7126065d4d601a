#!/usr/bin/env bats
# The code and the manual pages stay warning-free: clang as well as gcc,
# cppcheck, and mandoc's linter.  Skipped in the sanitizer pass, where
# they would only repeat themselves.

load helper

setup() {
	T="$BATS_TEST_TMPDIR"
	[ "$RTPIPE_BUILD" = build ] || skip "checked once, in the plain build"
}

@test "every manual page is mandoc -T lint clean" {
	run --separate-stderr mandoc -T lint -W warning "$TOP"/man/*.1 "$TOP"/man/rtpipe.7
	same "$output$stderr" ""
	[ "$status" -eq 0 ]
}

@test "every tool has a manual page" {
	for d in "$TOP"/cmd/*/; do
		[ -f "$TOP/man/$(basename "$d").1" ]
	done
}

@test "cppcheck finds nothing" {
	run --separate-stderr cppcheck --enable=warning,performance,portability \
		--error-exitcode=1 -q --inline-suppr -I "$TOP/common" \
		"$TOP/common" "$TOP/cmd"
	same "$output$stderr" ""
	[ "$status" -eq 0 ]
}

@test "clang builds everything with -Wall -Wextra -Werror" {
	run --separate-stderr make -s -C "$TOP" CC=clang BUILD="$T/clang" all
	[ "$status" -eq 0 ]
}
