# Sourced by each benchmark script after `set -eu`, with the script's
# arguments: checks that the one argument is a build directory, moves to the
# top of the tree and sets up what all benchmarks share: the locale, PATH,
# the knobs BENCH_RUNS and BENCH_BUDGET, need(), bench(), started(), cpus()
# and the awk functions of the tables, $awk_lib.
#
# bench() writes to $res, bench/out unless the script sets another.
# shellcheck shell=sh
# The variables set here are for the scripts that source this file.
# shellcheck disable=SC2034

usage="usage: sh $0 BUILD"
[ $# -eq 1 ] || { echo "$usage" >&2; exit 2; }
[ -d "$1" ] || { echo "bench: no build directory '$1'; run make first" >&2; exit 1; }
build=$(cd "$1" && pwd)
cd "$(dirname "$0")/.." || exit 1

runs=${BENCH_RUNS:-3}
budget=${BENCH_BUDGET:-10}
# positive VALUE...: exits 2 unless every VALUE is a positive integer.
positive() {
	for v in "$@"; do
		case $v in
		'' | *[!0-9]* | 0) echo "bench: not a positive integer: '$v'" >&2; exit 2 ;;
		esac
	done
}
positive "$runs" "$budget"

out=bench/out
res=$out
# Locale-aware tools ([[:alnum:]] of grep and gawk, sort) see the text as
# UTF-8, as a user's shell would; the C locale would cut "#ação" to "#a".
LC_ALL=C.UTF-8
PATH=$build/bin:$build/bench:$PATH
export LC_ALL PATH

missing=0
# need COMMAND HINT: notes a missing COMMAND; the script exits after all
# were checked, so that the reader learns of every one at once.
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "bench: '$1' not found: $2" >&2
	missing=1
}
# need_built PATH...: the same for programs of the build directory.
need_built() {
	for t in "$@"; do
		[ -x "$build/$t" ] && continue
		echo "bench: '$build/$t' not found: build it with make bench" >&2
		missing=1
	done
}

failed=0
# bench NAME LABEL COMMAND: runs COMMAND with sh -c, stdout to $res/NAME.out,
# up to $runs times while the time spent on it stays under $budget seconds.
# Appends "NAME LABEL best-wall-s largest-peak-RSS-KiB runs", tab-separated,
# to $res/results.
bench() {
	name=$1 label=$2 cmd=$3
	best='' rss=0 n=0 spent=0
	printf '%s ...' "$label" >&2
	while [ "$n" -lt "$runs" ]; do
		n=$((n + 1))
		if ! measure -o "$res/$name.time" sh -c "$cmd" \
		    > "$res/$name.out" 2> "$res/$name.err"; then
			printf ' FAILED:\n' >&2
			head -n 5 "$res/$name.err" >&2
			failed=1
			printf '%s\t%s\t-\t-\t%s\n' "$name" "$label" "$n" \
				>> "$res/results"
			return 0
		fi
		read -r t k < "$res/$name.time"
		printf ' %s' "$t" >&2
		read -r best rss spent <<-EOF
		$(awk -v t="$t" -v k="$k" -v b="${best:-$t}" -v r="$rss" \
		    -v s="$spent" 'BEGIN {
			print (t < b ? t : b), (k > r ? k : r), s + t }')
		EOF
		awk -v s="$spent" -v b="$budget" 'BEGIN { exit !(s >= b) }' && break
	done
	printf '\n' >&2
	if [ -s "$res/$name.err" ]; then
		echo "bench: $label wrote to stderr:" >&2
		head -n 5 "$res/$name.err" >&2
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$label" "$best" "$rss" "$n" \
		>> "$res/results"
}

# started FILE NAME: waits up to 10 seconds for the server NAME, started in
# the background, to write FILE (its port or address); exits when it does
# not.
started() {
	i=0
	until [ -s "$1" ]; do
		i=$((i + 1))
		[ "$i" -lt 1000 ] || { echo "bench: $2 did not start" >&2; exit 1; }
		sleep 0.01
	done
}

# cpus: prints "N CPUs (MODEL)", the machine of the timings, for the line
# under each table.
cpus() {
	echo "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
}

# The functions the tables' awk programs share, to put before a program's
# text: awk "$awk_lib"'PROGRAM'.
# commas(N): the integer part of N with thousands separators, "1,234,567".
# ratio(A, B): A / B as "1.23×"; "-" when A or B is not a number (a
# failed run: "-" or "failed: WHY") or B is 0.
# verdict(OK): "met" or "NOT met".
awk_lib='
function commas(n,    s) {
	s = sprintf("%d", n)
	while (s ~ /[0-9][0-9][0-9][0-9]/)
		sub(/[0-9][0-9][0-9]($|,)/, ",&", s)
	return s
}
function ratio(a, b) {
	if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b == 0)
		return "-"
	return sprintf("%.2f×", a / b)
}
function verdict(ok) { return ok ? "met" : "NOT met" }
'
