#!/usr/bin/env python3
"""The yardstick for bench/es-sink.sh: what a script with nothing but the
standard library does to load NDJSON into Elasticsearch.

usage: python3 bench/es-bulk.py URL BATCH_DOCS < records.ndjson

Each record is parsed for its "ts", which names its index (iot-%Y.%m.%d,
UTC, as es-sink -i does); batches of BATCH_DOCS documents are posted to
URL/_bulk with urllib, asking for the same filter_path as es-sink; every
item's status is checked.  Prints "DOCS SECONDS DOCS/S" and exits 1 if
any document was not indexed.
"""
import datetime
import json
import sys
import time
import urllib.request


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: python3 es-bulk.py URL BATCH_DOCS < records.ndjson")
    url = sys.argv[1].rstrip("/") + \
        "/_bulk?filter_path=errors,items.*.error,items.*.status"
    size = int(sys.argv[2])
    headers = {"Content-Type": "application/x-ndjson"}
    actions = {}
    sent = failed = 0
    start = time.monotonic()

    def post(lines):
        nonlocal failed
        req = urllib.request.Request(url, data=b"".join(lines),
                                     headers=headers, method="POST")
        with urllib.request.urlopen(req) as resp:
            answer = json.loads(resp.read())
        for item in answer["items"]:
            status = next(iter(item.values()))["status"]
            if not 200 <= status < 300:
                failed += 1

    batch = []
    for line in sys.stdin.buffer:
        rec = json.loads(line)
        day = rec["ts"][:10]
        action = actions.get(day)
        if action is None:
            d = datetime.datetime.fromisoformat(rec["ts"].replace("Z", "+00:00"))
            action = json.dumps({"index": {"_index": d.astimezone(
                datetime.timezone.utc).strftime("iot-%Y.%m.%d")}}).encode() + b"\n"
            actions[day] = action
        batch.append(action)
        batch.append(line if line.endswith(b"\n") else line + b"\n")
        if len(batch) == 2 * size:
            post(batch)
            sent += size
            batch = []
    if batch:
        post(batch)
        sent += len(batch) // 2
    secs = time.monotonic() - start
    print(sent, "%.3f" % secs, int(sent / secs))
    sys.exit(1 if failed else 0)


main()
