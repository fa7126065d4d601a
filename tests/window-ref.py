#!/usr/bin/env python3
"""A reference for window(1), written from its manual page, not its code.

It keeps every record of every open window and computes each aggregate
from those records when the window closes, the plain way: nothing is
shared between windows, merged or sketched.  The tests run both on the
same input and compare the results.

    window-ref.py (-s SIZE [-S SLIDE] | --session GAP) [-k FIELDS]
                  [-a AGGS] [-t FIELD] [-l LATENESS] [--late FILE] [FILE]
    window-ref.py --same EXPECTED ACTUAL

Keys are compared and printed as compact JSON text, which is the text
itself for the inputs of the tests (compact, no escapes).  --same compares
two outputs record by record: exactly, except the stddev_ fields, which
may differ in the last bits (this one computes them exactly with
statistics.stdev).
"""
import argparse
import decimal
import json
import math
import re
import statistics
import sys


def dur(s):
    m = re.fullmatch(r'(\d+(?:\.\d+)?)(ms|s|m|h|d)?', s)
    if not m:
        raise argparse.ArgumentTypeError('bad duration ' + s)
    unit = {'ms': 1, 's': 1000, 'm': 60000, 'h': 3600000, 'd': 86400000}
    return int(float(m.group(1)) * unit[m.group(2) or 's'])


RFC3339 = re.compile(r'(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)'
                     r'(?:\.(\d+))?(?:([Zz])|([+-])(\d\d):(\d\d))$')


def days_from_civil(y, m, d):
    # Days since 1970-01-01 in the proleptic Gregorian calendar.
    import datetime
    return (datetime.date(y, m, d) - datetime.date(1970, 1, 1)).days


def event_time(v):
    """Milliseconds since the epoch, or None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        ms = v if abs(v) > 1e11 else v * 1000
        return math.floor(ms)
    if not isinstance(v, str):
        return None
    m = RFC3339.match(v)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(m.group(i)) for i in range(1, 7))
    try:
        days = days_from_civil(y, mo, d)
    except ValueError:
        return None
    if s == 60:
        s, frac = 59, 999
    else:
        frac = int((m.group(7) or '0')[:3].ljust(3, '0'))
    off = 0
    if m.group(9):
        off = (int(m.group(10)) * 60 + int(m.group(11)))
        off = off if m.group(9) == '+' else -off
    return ((days * 86400 + h * 3600 + mi * 60 + s - off * 60) * 1000) + frac


def get(obj, path):
    for seg in path.split('.'):
        if not isinstance(obj, dict) or seg not in obj:
            return None, False
        obj = obj[seg]
    return obj, True


def jtext(v):
    return json.dumps(v, ensure_ascii=False, separators=(',', ':'))


def num(v):
    """A number as out_json_num writes it: the shortest digits that read
    back, laid out as JavaScript lays them out but with "e21", "e-7"."""
    if v is None or math.isnan(v) or math.isinf(v):
        return 'null'
    if v == 0:
        return '-0' if math.copysign(1, v) < 0 else '0'
    if v.is_integer() and abs(v) < 2 ** 53:
        return str(int(v))
    sign = '-' if v < 0 else ''
    d = decimal.Decimal(repr(abs(v))).normalize().as_tuple()
    digits = ''.join(map(str, d.digits))
    k = len(digits)
    n = k + d.exponent          # digits before the decimal point
    if k <= n <= 21:
        s = digits + '0' * (n - k)
    elif 0 < n < k:
        s = digits[:n] + '.' + digits[n:]
    elif -6 < n <= 0:
        s = '0.' + '0' * (-n) + digits
    else:
        s = digits[0] + ('.' + digits[1:] if k > 1 else '') + 'e' + str(n - 1)
    return sign + s


class Agg:
    def __init__(self, spec):
        name = None
        if '=' in spec:
            spec, name = spec.split('=', 1)
        kind, _, field = spec.partition(':')
        self.kind, self.field = kind, field or None
        self.name = name or (kind if kind == 'count' else kind + '_' + field)

    def numeric(self):
        return self.kind not in ('count', 'distinct')

    def value(self, recs):
        """recs: (t, arrival, values) in arrival order."""
        if self.kind == 'count':
            return str(len(recs))
        xs = [r[2][self.field] for r in recs]
        if self.numeric():
            xs = [float(x) for x in xs]
        k = self.kind
        if k == 'sum':
            return num(math.fsum(xs))
        if k == 'avg':
            return num(math.fsum(xs) / len(xs))
        if k == 'min':
            return num(min(xs))
        if k == 'max':
            return num(max(xs))
        if k == 'first':
            return num(float(min(recs, key=lambda r: (r[0], r[1]))[2][self.field]))
        if k == 'last':
            return num(float(max(recs, key=lambda r: (r[0], r[1]))[2][self.field]))
        if k == 'distinct':
            seen = set()
            for x in xs:
                if isinstance(x, bool) or not isinstance(x, (int, float)):
                    seen.add(('j', jtext(x)) if not isinstance(x, str)
                             else ('s', x))
                else:
                    seen.add(('n', float(x)))
            return str(len(seen))
        if k == 'stddev':
            return num(statistics.stdev(xs)) if len(xs) > 1 else 'null'
        if k[0] == 'p':
            p = int(k[1:])
            s = sorted(xs)
            return num(s[math.ceil(p * len(s) / 100) - 1])
        raise ValueError(k)


class Ref:
    def __init__(self, a):
        self.a = a
        self.aggs = [Agg(x) for spec in a.a for x in spec.split(',')] \
            or [Agg('count')]
        self.keys = [k for spec in a.k for k in spec.split(',')]
        self.wm = None
        self.arrival = 0
        self.open = {}        # (start, end, key) -> [records]
        self.late = []
        self.out = []

    def keyorder(self, key):
        return [t.encode() for t in key]

    def record(self, line):
        try:
            obj = json.loads(line)
        except ValueError:
            return
        if not isinstance(obj, dict):
            return
        v, ok = get(obj, self.a.t)
        t = event_time(v) if ok else None
        if t is None:
            return
        vals = {}
        for g in self.aggs:
            if g.field is None:
                continue
            x, ok = get(obj, g.field)
            if not ok:
                return
            if g.numeric() and (isinstance(x, bool) or
                                not isinstance(x, (int, float))):
                return
            vals[g.field] = x
        key = tuple(jtext(get(obj, k)[0]) if get(obj, k)[1] else 'null'
                    for k in self.keys)
        self.arrival += 1
        rec = (t, self.arrival, vals)
        if self.a.session:
            self.add_session(line, key, rec)
        else:
            self.add_windows(line, key, rec)
        w = t - self.a.l
        if self.wm is None or w > self.wm:
            self.wm = w
            self.close(self.wm)

    def closed(self, end):
        return self.wm is not None and end <= self.wm

    def add_windows(self, line, key, rec):
        t = rec[0]
        size, slide = self.a.s, self.a.S or self.a.s
        starts = []
        s = (t // slide) * slide
        while s > t - size:
            starts.append(s)
            s -= slide
        live = [s for s in starts if not self.closed(s + size)]
        if not live:
            self.late.append(line)
            return
        for s in live:
            self.open.setdefault((s, s + size, key), []).append(rec)

    def add_session(self, line, key, rec):
        t, gap = rec[0], self.a.session
        mine = [w for w in self.open if w[2] == key]
        over = [w for w in mine
                if w[0] < t + gap and t < w[1]]
        if not over and self.closed(t + gap):
            self.late.append(line)
            return
        recs = [rec]
        for w in over:
            recs += self.open.pop(w)
        first = min(r[0] for r in recs)
        last = max(r[0] for r in recs)
        recs.sort(key=lambda r: r[1])
        self.open[(first, last + gap, key)] = recs

    def close(self, wm):
        done = [w for w in self.open if wm is None or w[1] <= wm]
        done.sort(key=lambda w: (w[1], self.keyorder(w[2]), w[0]))
        for w in done:
            self.emit(w, self.open.pop(w))

    def emit(self, w, recs):
        fields = ['"window_start":' + jtext(fmt_time(w[0])),
                  '"window_end":' + jtext(fmt_time(w[1]))]
        for name, text in zip(self.keys, w[2]):
            fields.append(jtext(name) + ':' + text)
        for g in self.aggs:
            fields.append(jtext(g.name) + ':' + g.value(recs))
        self.out.append('{' + ','.join(fields) + '}')


def fmt_time(ms):
    import datetime
    d = datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=ms)
    return d.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (ms % 1000)


def same(expected, actual):
    a = open(expected, encoding='utf-8').read().splitlines()
    b = open(actual, encoding='utf-8').read().splitlines()
    bad = 0
    if len(a) != len(b):
        print('%d records expected, %d written' % (len(a), len(b)))
        bad = 1
    for i, (x, y) in enumerate(zip(a, b)):
        if x == y:
            continue
        jx, jy = json.loads(x), json.loads(y)
        if list(jx) == list(jy) and all(
                jx[f] == jy[f] or (f.startswith('stddev_') and
                                   jx[f] is not None and jy[f] is not None and
                                   math.isclose(jx[f], jy[f], rel_tol=1e-9))
                for f in jx):
            continue
        print('record %d differs:\n  expected %s\n  written  %s' % (i + 1, x, y))
        bad = 1
    return bad


def main():
    if len(sys.argv) == 4 and sys.argv[1] == '--same':
        sys.exit(same(sys.argv[2], sys.argv[3]))
    p = argparse.ArgumentParser()
    p.add_argument('-s', type=dur)
    p.add_argument('-S', type=dur)
    p.add_argument('--session', type=dur)
    p.add_argument('-k', action='append', default=[])
    p.add_argument('-a', action='append', default=[])
    p.add_argument('-t', default='ts')
    p.add_argument('-l', type=dur, default=0)
    p.add_argument('--late')
    p.add_argument('file', nargs='?')
    a = p.parse_args()
    r = Ref(a)
    src = open(a.file, encoding='utf-8') if a.file else sys.stdin
    for line in src:
        line = line.rstrip('\n')
        if line.strip():
            r.record(line)
    r.close(None)
    sys.stdout.write(''.join(x + '\n' for x in r.out))
    if a.late:
        with open(a.late, 'a', encoding='utf-8') as f:
            f.write(''.join(x + '\n' for x in r.late))


if __name__ == '__main__':
    main()
