#!/bin/sh
# The quick-start demo, offline on the built-in simulators: first live,
# at 500 posts/s, the top hashtags of every two-second batch; then a
# simulated hour of posts through event-time windows, ranked by growth;
# then simulated sensors aggregated per sensor over event-time windows;
# last, readings through Kafka and into Elasticsearch, on the test peers.
set -eu
bin=$1
PATH="$bin:$PATH"

echo "== live: top 5 hashtags every 2 seconds (10 seconds, Ctrl-C to stop)"
tweet-sim -r 500 -d 10s |
	tokenize -k hashtag |
	hashtag-count -e 2s -n 5 |
	jq -r '"\(.window_end)  #\(.rank)  \(.count)\t#\(.hashtag)"'

echo
echo "== a simulated hour: trending hashtags per 10-minute window"
tweet-sim --no-pacing -r 50 -d 1h |
	hashtag-count -f text -w 10m --trending -n 3 |
	jq -r '"\(.window_end)  #\(.rank)  \(.count) (baseline \(.baseline))\t#\(.hashtag)"'

echo
echo "== IoT: 4 sensors for a simulated half hour, out of order by up to 5 s;"
echo "   per-sensor 10-minute windows in event time, 10 s allowed lateness"
iot-sim --no-pacing -n 4 -r 4 -d 30m --disorder 5s --anomaly-rate 0.001 |
	window -s 10m -l 10s -k sensor_id,type -a count,avg:value,min:value,max:value |
	jq -r '"\(.window_end)  \(.sensor_id) \(.type)\tn=\(.count) avg=\(.avg_value * 100 | round / 100) min=\(.min_value) max=\(.max_value)"'

# The last demo needs the test peers, built by make all in ../helpers.
helpers=$bin/../helpers
dir=$(mktemp -d)
cleanup() {
	[ -n "${es:-}" ] && kill "$es" 2>/dev/null
	[ -n "${kafka:-}" ] && kill "$kafka" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
# waitfile FILE: until FILE has its first line, the peer's address.
waitfile() {
	i=0
	until [ -s "$1" ]; do
		i=$((i + 1))
		[ "$i" -lt 500 ] || { echo "demo: no address in $1" >&2; exit 1; }
		sleep 0.02
	done
}

echo
echo "== Kafka to Elasticsearch, on local stand-ins: readings into a keyed topic;"
echo "   read back, aggregated per 10 minutes, indexed while a quarter of the"
echo "   documents are refused with 429 and retried"
"$helpers/kafka-mock" -t readings:4 > "$dir/kafka" & kafka=$!
"$helpers/es-server" --item-fail 429:0.25 > "$dir/es" & es=$!
waitfile "$dir/kafka"
waitfile "$dir/es"
b=$(head -n 1 "$dir/kafka")
u=http://127.0.0.1:$(cat "$dir/es")
iot-sim --no-pacing -n 8 -r 8 -d 30m | kafka-sink -b "$b" -t readings -k sensor_id
kafka-source -b "$b" -t readings -e |
	window -s 10m -l 30m -k sensor_id -a count,avg:value |
	es-sink -u "$u" -i iot-%Y.%m.%d -t window_end --id-hash --stats 2> "$dir/err"
curl -s "$u/_dump" |
	jq -r '"\(._index)  \(._source.window_end)  \(._source.sensor_id)\tn=\(._source.count) avg=\(._source.avg_value * 100 | round / 100)"' |
	sort
tail -n 1 "$dir/err" |
	jq -r '"es-sink: \(.indexed) indexed, \(.retried) retries, \(.undelivered) not delivered"'
