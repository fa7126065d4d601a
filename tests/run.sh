#!/bin/sh
# Runs every test against each build directory named: the C unit tests of
# common/ (TAP), then the bats suites.  Ends with "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for b in "$@"; do
	echo "== $b"
	for u in "$b"/unit/*; do
		[ -x "$u" ] || continue
		ASAN_OPTIONS=abort_on_error=1 "$u" 2>&1 | tee -a "$log"
	done
	RTPIPE_BUILD=$b bats --tap tests/*.bats 2>&1 | tee -a "$log"
done
skip=$(grep -c '^ok .* # skip' "$log")
pass=$(($(grep -c '^ok ' "$log") - skip))
fail=$(grep -c '^not ok ' "$log")
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
