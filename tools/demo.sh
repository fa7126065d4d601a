#!/bin/sh
# The quick-start demo: trending hashtags of a simulated social stream,
# offline.  First live, at 500 posts/s, the top hashtags of every
# two-second batch; then a simulated hour through event-time windows,
# ranked by growth.
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
