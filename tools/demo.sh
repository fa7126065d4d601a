#!/bin/sh
# The quick-start demo, offline on the built-in simulators: first live,
# at 500 posts/s, the top hashtags of every two-second batch; then a
# simulated hour of posts through event-time windows, ranked by growth;
# then simulated sensors aggregated per sensor over event-time windows.
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
