# Shared by every suite: the binaries under test come first in PATH, each
bats_require_minimum_version 1.5.0
# test gets its own temporary directory in $T, and $SHARED points at the
# public conformance data.
# RTPIPE_BUILD names the build directory under test (build, build-asan).

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
: "${RTPIPE_BUILD:=build}"
PATH="$TOP/$RTPIPE_BUILD/bin:$TOP/$RTPIPE_BUILD/helpers:$PATH"
SHARED="$TOP/../shared/testdata"
FIX="$TOP/tests/fixtures"
export PATH SHARED FIX TOP
# Sanitizer findings must fail the test, not scroll by.
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

setup() {
	T="$BATS_TEST_TMPDIR"
}

# Fails with a readable diff when $1 (actual) and $2 (expected) differ.
same() {
	if [ "$1" != "$2" ]; then
		printf 'expected:\n%s\nactual:\n%s\n' "$2" "$1" >&2
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$1") >&2
		return 1
	fi
}

# Waits until process $1 has installed its SIGUSR1 handler, so that a
# signal sent next is handled rather than fatal.
wait_ready() {
	local i
	for i in $(seq 1000); do
		# SigCgt is a hex mask; SIGUSR1 (10) is bit 9.
		local mask
		mask=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
		[ -n "$mask" ] && [ $((0x$mask & 0x200)) -ne 0 ] && return 0
		sleep 0.01
	done
	return 1
}
