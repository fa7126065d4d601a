#!/usr/bin/env python3
"""Checks the outputs of the windowed-aggregation benchmark against each
other and prints one line saying what agrees; on a disagreement, prints the
first one to stderr and exits 1.  The outputs hold, per window and sensor,
count, avg_value, min_value and max_value (Miller: value_count, value_mean,
value_min, value_max).

Usage:
  window-check.py same WINDOW OTHER
      OTHER (window.py's output) is WINDOW's result: byte for byte, or else
      the same records with count, min and max equal and avg within a
      relative 1e-9, compared after parsing, whatever the field order.
  window-check.py mlr WINDOW MLR
      Miller's records hold the same counts for the same windows and
      sensors, the same min and max, and avg within a relative 1e-9.
  window-check.py sliding TUMBLING SLIDING SIZE SLIDE
      Every sliding window of SIZE seconds is the merge of the SIZE/SLIDE
      tumbling windows of SLIDE seconds that make it up: counts summed,
      extremes of extremes, avg the count-weighted mean within 1e-9.
  window-check.py keys WINDOW KEYS
      Every window of WINDOW holds KEYS distinct sensors.
"""
import datetime
import functools
import json
import sys

TOLERANCE_TEXT = "1e-9"
TOLERANCE = float(TOLERANCE_TEXT)   # relative, for averages


class Mismatch(Exception):
    pass


@functools.lru_cache(maxsize=None)
def seconds(stamp):
    return int(datetime.datetime.fromisoformat(stamp).timestamp())


def load(path, names=("count", "avg_value", "min_value", "max_value")):
    """{(window_start, window_end, sensor_id): (count, avg, min, max)} of
    an output, the times in epoch seconds."""
    res = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            r = json.loads(line)
            k = (seconds(r["window_start"]), seconds(r["window_end"]),
                 r["sensor_id"])
            if k in res:
                raise Mismatch("%s:%d: a second record for %r" % (path, n, k))
            res[k] = tuple(r[x] for x in names)
    return res


def close(a, b):
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b))


def agree(what, k, want, got):
    """Raises unless got matches want: count, min and max exactly (they are
    one of the values read, or their number), avg within the tolerance."""
    if (want[0] != got[0] or want[2] != got[2] or want[3] != got[3] or
            not close(want[1], got[1])):
        raise Mismatch("%s: %r: %r, expected %r" % (what, k, got, want))


def compare(ref, other, what):
    if len(ref) != len(other):
        raise Mismatch("%s: %d records, expected %d" %
                       (what, len(other), len(ref)))
    for k, want in ref.items():
        got = other.get(k)
        if got is None:
            raise Mismatch("%s: no record for %r" % (what, k))
        agree(what, k, want, got)


def same(window, other):
    with open(window, "rb") as a, open(other, "rb") as b:
        text = a.read()
        if text == b.read():
            return "%d records, byte for byte" % text.count(b"\n")
    ref = load(window)
    compare(ref, load(other), other)
    return "%d records, the same after parsing (avg within %s)" % (
        len(ref), TOLERANCE_TEXT)


def mlr(window, other):
    ref = load(window)
    compare(ref, load(other, ("value_count", "value_mean", "value_min",
                              "value_max")), other)
    return ("%d records, the same counts per window and sensor "
            "(min and max equal, avg within %s)" % (len(ref), TOLERANCE_TEXT))


def sliding(tumbling, slid, size, slide):
    panes = load(tumbling)
    merged = {}
    for (start, end, key), (n, avg, lo, hi) in panes.items():
        for ws in range(end - size, start + 1, slide):
            k = (ws, ws + size, key)
            m = merged.get(k)
            if m is None:
                merged[k] = [n, avg * n, lo, hi]
            else:
                m[0] += n
                m[1] += avg * n
                m[2] = min(m[2], lo)
                m[3] = max(m[3], hi)
    ref = {k: (n, s / n, lo, hi) for k, (n, s, lo, hi) in merged.items()}
    compare(ref, load(slid), slid)
    return "%d records, each the merge of its %d tumbling windows" % (
        len(ref), size // slide)


def keys(window, want):
    per = {}
    for start, end, key in load(window):
        per.setdefault((start, end), set()).add(key)
    for w, ks in sorted(per.items()):
        if len(ks) != want:
            raise Mismatch("%s: window %r: %d keys, expected %d" %
                           (window, w, len(ks), want))
    return "%d records, %d keys in each of %d windows" % (
        sum(len(ks) for ks in per.values()), want, len(per))


def main(argv):
    checks = {"same": (same, 2), "mlr": (mlr, 2), "sliding": (sliding, 4),
              "keys": (keys, 2)}
    if not argv or argv[0] not in checks or len(argv) != checks[argv[0]][1] + 1:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    fn = checks[argv[0]][0]
    args = [int(a) if a.isdigit() else a for a in argv[1:]]
    try:
        print(fn(*args))
    except (Mismatch, OSError, ValueError, KeyError, TypeError) as e:
        sys.stderr.write("window-check: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
