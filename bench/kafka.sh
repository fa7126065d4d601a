#!/bin/sh
# Benchmarks kafka-sink and kafka-source against kcat doing the same work,
# in one run, through the same librdkafka mock cluster (tests/helpers/
# kafka-mock.c, one broker on 127.0.0.1): producing 1,000,000 records of
# 200 bytes from a file, and consuming them back to /dev/null until the end
# of the topic.  Prints a Markdown table of messages per second, the ratios
# to kcat, and whether the target is met: within 20% of kcat both ways
# (kcat does no JSON validation; rtpipe does).
#
# usage: sh bench/kafka.sh BUILD
#
# BENCH_RECORDS     records per run (1000000)
# BENCH_PARTITIONS  partitions of each topic (64: the mock keeps at most
#                   5 MiB per partition, so 200 MB need more than 40)
# BENCH_RUNS        most runs per command, of which the best counts (3)
# BENCH_BUDGET      seconds after which a command is not run again (10)
#
# The mock, the tool and the reader share the CPUs; the mock is the same
# for both tools, so the ratios compare the clients.  kcat -P runs with
# librdkafka's defaults, kafka-sink with its own (idempotent producer);
# a second kcat row has the idempotent producer too.

# The commands are kept in single quotes for sh -c to expand.
# shellcheck disable=SC2016
set -eu

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

records=${BENCH_RECORDS:-1000000}
parts=${BENCH_PARTITIONS:-64}
positive "$records" "$parts"
res=$out/kafka
IN=$res/records.ndjson
export IN

need_built bin/kafka-sink bin/kafka-source helpers/kafka-mock bench/measure
need kcat "install the kcat package"
need awk "install mawk or gawk"
[ "$missing" -eq 0 ] || exit 1
PATH=$build/helpers:$PATH

mkdir -p "$res"
rm -f "$res"/*.time "$res"/*.out "$res"/*.err "$res/results" "$res/ctl"

# Records of exactly 200 bytes before the newline, keyed by one of 1000
# users: {"id":N,"user":"uK","pad":"xx...x"}.
awk -v n="$records" 'BEGIN {
	pad = sprintf("%200s", ""); gsub(/ /, "x", pad)
	for (i = 1; i <= n; i++) {
		s = sprintf("{\"id\":%d,\"user\":\"u%d\",\"pad\":\"", i, i % 1000)
		printf "%s%s\"}\n", s, substr(pad, 1, 200 - length(s) - 2)
	}
}' > "$IN"
[ "$(wc -c < "$IN")" -eq $((records * 201)) ] ||
	{ echo "bench: $IN is not $records records of 200 bytes" >&2; exit 1; }

mkfifo "$res/ctl"
kafka-mock -n 1 < "$res/ctl" > "$res/mock.out" 2> "$res/mock.err" &
mock=$!
exec 6> "$res/ctl"
trap 'kill "$mock" 2>/dev/null; exec 6>&-; rm -f "$res/ctl"' EXIT
started "$res/mock.out" kafka-mock
B=$(head -n 1 "$res/mock.out")
export B
acks=1
# topic NAME: creates a topic of $parts partitions and waits for the mock.
topic() {
	echo "topic $1 $parts" >&6
	acks=$((acks + 1))
	until [ "$(wc -l < "$res/mock.out")" -ge "$acks" ]; do sleep 0.01; done
	[ "$(tail -n 1 "$res/mock.out")" = ok ] ||
		{ echo "bench: kafka-mock: $(tail -n 1 "$res/mock.out")" >&2; exit 1; }
}
for t in sink kcat kcat-idem data; do
	topic "$t"
done

# The topic the consumers read: the records, once.
kafka-sink -b "$B" -t data -k user < "$IN"

cmd_sink='kafka-sink -b "$B" -t sink < "$IN"'
cmd_sink_k='kafka-sink -b "$B" -t sink -k user < "$IN"'
cmd_kcat_p='kcat -b "$B" -t kcat -P < "$IN"'
cmd_kcat_pi='kcat -b "$B" -t kcat-idem -P -X enable.idempotence=true < "$IN"'
cmd_source='kafka-source -b "$B" -t data -e > /dev/null'
cmd_kcat_c='kcat -b "$B" -t data -C -e -q > /dev/null'

# Both consumers read every record (checked once, outside the timing).
for c in 'kafka-source -b "$B" -t data -e' 'kcat -b "$B" -t data -C -e -q'; do
	n=$(sh -c "$c" | wc -l)
	[ "$n" -eq "$records" ] ||
		{ echo "bench: $c read $n records, not $records" >&2; exit 1; }
done

bench sink "kafka-sink (JSON validated, idempotent)" "$cmd_sink"
bench sink-k "kafka-sink -k user (the same, keyed)" "$cmd_sink_k"
bench kcat-p "kcat -P" "$cmd_kcat_p"
bench kcat-pi "kcat -P -X enable.idempotence=true" "$cmd_kcat_pi"
bench source "kafka-source -e (JSON validated)" "$cmd_source"
bench kcat-c "kcat -C -e -q" "$cmd_kcat_c"

echo
echo "$records records of 200 bytes, $parts partitions, one mock broker;" \
	"best of up to $runs runs; $(cpus)."
echo
awk -F'\t' -v n="$records" "$awk_lib"'
{ label[$1] = $2; t[$1] = $3; rss[$1] = $4 }
function rate(k) { return t[k] == "-" || t[k] == 0 ? 0 : n / t[k] }
function row(k, ref) {
	printf "| %s | %s | %s | %s | %.1f |\n", label[k],
	    rate(k) ? commas(rate(k)) : "failed", t[k],
	    rate(k) && rate(ref) ? sprintf("%.2f×", rate(k) / rate(ref)) : "-",
	    rss[k] / 1024
}
END {
	print "| Command | messages/s | seconds | vs kcat | Peak RSS MiB |"
	print "|---|--:|--:|--:|--:|"
	row("sink", "kcat-p"); row("sink-k", "kcat-p"); row("kcat-p", "kcat-p"); row("kcat-pi", "kcat-p")
	row("source", "kcat-c"); row("kcat-c", "kcat-c")
	print ""
	print "Target: within 20% of kcat (at least 0.80×):"
	split("sink kcat-p source kcat-c", k, " ")
	for (i = 1; i <= 3; i += 2) {
		a = rate(k[i]); b = rate(k[i + 1])
		printf "- %s: %s, %s\n", i == 1 ? "produce" : "consume",
		    a && b ? sprintf("%.2f×", a / b) : "-",
		    verdict(a && b && a >= 0.8 * b)
	}
}' "$res/results"
exit "$failed"
