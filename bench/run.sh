#!/bin/sh
# Runs every benchmark in turn, each printing its Markdown tables (see
# bench/README.md): the top-hashtags count (bench/hashtags.sh), windowed
# aggregation (bench/window.sh), log parsing, socket ingestion
# (bench/nc-source.sh), Elasticsearch delivery (bench/es-sink.sh), Kafka
# in and out (bench/kafka.sh), streaming HTTP input
# (bench/http-source.sh) and the JSON scanner alone (bench/json-scan.sh).
# Fails when any of them does, after running
# them all.
#
# usage: sh bench/run.sh BUILD     (make bench builds BUILD and runs this)
#
# The knobs are those of the scripts: BENCH_POSTS, BENCH_READINGS,
# BENCH_SENSORS, BENCH_KEYS, BENCH_RUNS and BENCH_BUDGET.
set -eu

[ $# -eq 1 ] || { echo "usage: sh bench/run.sh BUILD" >&2; exit 2; }
dir=$(dirname "$0")
status=0
sh "$dir/hashtags.sh" "$1" || status=1
echo
echo "## Windowed aggregation"
sh "$dir/window.sh" "$1" || status=1
echo
echo "## Log parsing"
sh "$dir/log-parse.sh" "$1" || status=1
echo
echo "## Socket ingestion"
sh "$dir/nc-source.sh" "$1" || status=1
echo
echo "## Elasticsearch delivery"
sh "$dir/es-sink.sh" "$1" || status=1
echo
echo "## Kafka in and out"
sh "$dir/kafka.sh" "$1" || status=1
echo
echo "## Streaming HTTP input"
sh "$dir/http-source.sh" "$1" || status=1
echo
echo "## The JSON scanner alone"
sh "$dir/json-scan.sh" "$1" || status=1
exit "$status"
