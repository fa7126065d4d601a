#!/usr/bin/env python3
"""Tumbling-window aggregates of NDJSON readings, the plain-Python way:
json.loads per line, the RFC 3339 ts floored to the window, a dict keyed
by (window, key value) holding count, sum, min and max.

Usage: window.py [-s SECONDS] [-k FIELD] [-f FIELD] [FILE]
       (defaults: -s 10 -k sensor_id -f value; stdin when FILE is "-")

It computes what `window -s 10s -k sensor_id -a count,avg:value,min:value,
max:value` writes, in the same form, so that the two outputs can be compared
line by line: one record per window and key, ordered by window end and then
by the key's JSON text; the key written as its JSON text; numbers in the
shortest form that reads back to the same double, integral ones without a
fraction.  It is a batch: the results come out at the end of input.
"""
import datetime
import json
import sys
import time


def number(x):
    """The double x as window writes it: the shortest digits that read back
    to it, which repr() finds, laid out as ECMAScript's Number#toString
    does (exponent from 1e21 and below 1e-6, without "+"); -0 kept."""
    if x != x or x in (float("inf"), float("-inf")):
        return "null"
    if x == 0:
        return "-0" if str(float(x)).startswith("-") else "0"
    if abs(x) < 2.0**53 and x == int(x):
        return str(int(x))
    sign = "-" if x < 0 else ""
    mant, _, exp = repr(abs(float(x))).partition("e")
    whole, _, frac = mant.partition(".")
    digits = (whole + frac).lstrip("0")
    n = len(whole) + int(exp or 0) - (len(whole + frac) - len(digits))
    digits = digits.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        s = digits + "0" * (n - k)
    elif 0 < n < k:
        s = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        s = "0." + "0" * -n + digits
    else:
        s = digits[0] + ("." + digits[1:] if k > 1 else "")
        s += "e" + str(n - 1)
    return sign + s


def stamp(secs):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(secs))


def aggregate(stream, size, key, field):
    groups = {}
    for line in stream:
        rec = json.loads(line)
        t = datetime.datetime.fromisoformat(rec["ts"]).timestamp()
        g = (int(t // size) * size, rec.get(key))
        x = float(rec[field])   # as window reads numbers: doubles
        a = groups.get(g)
        if a is None:
            groups[g] = [1, x, x, x]
        else:
            a[0] += 1
            a[1] += x
            if x < a[2]:
                a[2] = x
            if x > a[3]:
                a[3] = x
    return groups


def write(groups, size, key, field):
    out = sys.stdout
    names = (json.dumps(key), "avg_" + field, "min_" + field, "max_" + field)
    res = [(start, json.dumps(k, ensure_ascii=False), a)
           for (start, k), a in groups.items()]
    res.sort(key=lambda r: (r[0], r[1]))
    for start, k, (n, s, lo, hi) in res:
        out.write('{"window_start":"%s","window_end":"%s",%s:%s,"count":%d,'
                  '"%s":%s,"%s":%s,"%s":%s}\n'
                  % (stamp(start), stamp(start + size), names[0], k, n,
                     names[1], number(s / n), names[2], number(lo),
                     names[3], number(hi)))


def main(argv):
    size, key, field = 10, "sensor_id", "value"
    while len(argv) >= 2 and argv[0] in ("-s", "-k", "-f"):
        if argv[0] == "-s":
            size = int(argv[1])
        elif argv[0] == "-k":
            key = argv[1]
        else:
            field = argv[1]
        argv = argv[2:]
    path = argv[0] if argv else "-"
    if path == "-":
        stream = open(sys.stdin.fileno(), encoding="utf-8", closefd=False)
    else:
        stream = open(path, encoding="utf-8")
    with stream:
        groups = aggregate(stream, size, key, field)
    write(groups, size, key, field)


if __name__ == "__main__":
    main(sys.argv[1:])
