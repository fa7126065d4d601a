#!/bin/sh
# Benchmarks log-parse -F combined against an awk field split, Miller and a
# Python regex parser, all making the same records from the same generated
# access log, in one run, and prints a Markdown table, whether the records
# agree, and whether the targets are met.
#
# usage: sh bench/log-parse.sh BUILD
#
# BENCH_LINES   access log lines to generate (1000000)
# BENCH_RUNS    most runs per command, of which the best counts (3)
# BENCH_BUDGET  seconds after which a command is not run again (10)
#
# The generator, the Python parser, the awk program and the Miller program
# are written to bench/out/ by this script, so that it stands alone.

# The commands are kept in single quotes for sh -c to expand.
# shellcheck disable=SC2016
set -eu

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

lines=${BENCH_LINES:-1000000}
positive "$lines"
LOG=$out/access-$lines-seed1.log
res=$out/log-parse
export LOG

[ -x "$build/bench/measure" ] ||
	make --no-print-directory -s BUILD="$1" "$1/bench/measure" >&2 ||
	{ echo "bench: cannot build $1/bench/measure" >&2; exit 1; }
missing=0
for t in log-parse measure python3 gawk mlr cmp; do
	command -v "$t" >/dev/null 2>&1 && continue
	echo "bench: '$t' not found (make deps installs python3, gawk, miller)" >&2
	missing=1
done
[ "$missing" -eq 0 ] || exit 1

# The access log: a day of a busy site in Apache's combined format, with
# IPv6 clients, users, HEAD/POST/PUT, 304s without a body, referers and
# user agents as they come.  Python's Random is the same everywhere.
cat > "$out/gen-access.py" <<'EOF'
import random
import sys
import time

r = random.Random(1)
n = int(sys.argv[1])
agents = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0", "python-requests/2.32.3", "Go-http-client/2.0", "-"]
paths = ["/", "/index.html", "/static/css/site.css", "/static/js/app.js",
         "/favicon.ico", "/api/v1/orders/%d", "/api/v1/users/%d/profile",
         "/search?q=%s&page=%d", "/products/%d?ref=home", "/blog/2026/11/%s",
         "/wp-login.php", "/robots.txt"]
words = ["shoes", "caf%C3%A9", "rust", "summer+sale", "gift", "usb-c"]
referers = ["-", "-", "https://www.example.com/", "https://www.google.com/",
            "https://shop.example.com/cart", "https://news.example.org/a/123"]
users = ["-"] * 19 + ["alice"]
months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
start = 1795219200  # 2026-11-21T00:00:00Z, written in +01:00
w = sys.stdout.write
last, stamp = None, None
for i in range(n):
    t = start + i * 86400 // n + 3600
    if t != last:
        g = time.gmtime(t)
        stamp = "%02d/%s/%d:%02d:%02d:%02d +0100" % (
            g.tm_mday, months[g.tm_mon - 1], g.tm_year, g.tm_hour, g.tm_min, g.tm_sec)
        last = t
    if r.random() < 0.05:
        ip = "2001:db8:%x::%x" % (r.randrange(65536), r.randrange(65536))
    else:
        ip = "%d.%d.%d.%d" % (r.randrange(1, 224), r.randrange(256),
                              r.randrange(256), r.randrange(1, 255))
    p = r.choice(paths)
    if "%s" in p and "%d" in p:
        p = p % (r.choice(words), r.randrange(1, 20))
    elif "%d" in p:
        p = p % r.randrange(1, 100000)
    elif "%s" in p:
        p = p % r.choice(words)
    x = r.random()
    method = "GET" if x < 0.85 else "POST" if x < 0.95 else r.choice(["HEAD", "PUT", "DELETE"])
    x = r.random()
    proto = "HTTP/1.1" if x < 0.7 else "HTTP/2.0" if x < 0.95 else "HTTP/1.0"
    x = r.random()
    status = 200 if x < 0.8 else 304 if x < 0.88 else 404 if x < 0.93 else \
        r.choice([301, 302, 400, 403, 500, 503])
    size = "-" if status == 304 else str(r.randrange(120, 250000))
    w('%s - %s [%s] "%s %s %s" %d %s "%s" "%s"\n' % (
        ip, r.choice(users), stamp, method, p, proto, status, size,
        r.choice(referers), r.choice(agents)))
EOF

# The Python parser a Python programmer would write: one regular
# expression per line, the request split as log-parse splits it, times
# converted by datetime (remembered, since a busy log repeats a second),
# json.dumps per record.
cat > "$out/combined.py" <<'EOF'
import functools
import json
import re
import sys
from datetime import datetime, timezone

QUOTED = r'"((?:[^"\\]|\\.)*)"'
LINE = re.compile(r'(\S+) (\S+) (.+?) \[([^\]]*)\] %s (\d{3}) (\S+) %s %s\Z'
                  % (QUOTED, QUOTED, QUOTED))
METHOD = re.compile(r"[-!#$%&'*+.^_`|~0-9A-Za-z]+\Z")
ESCAPE = re.compile(r'\\(x[0-9A-Fa-f]{2}|.)')
SIMPLE = {'"': '"', '\\': '\\', 'n': '\n', 'r': '\r', 't': '\t'}


def unescape(s):
    if "\\" not in s:
        return s
    return ESCAPE.sub(lambda m: chr(int(m.group(1)[1:], 16)) if len(m.group(1)) == 3
                      else SIMPLE.get(m.group(1), m.group(0)), s)


@functools.lru_cache(maxsize=1024)
def iso(t):
    d = datetime.strptime(t, "%d/%b/%Y:%H:%M:%S %z").astimezone(timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)


def request(rec, req):
    if req in ("", "-"):
        return
    sp = req.find(" ")
    if sp <= 0 or not METHOD.match(req, 0, sp):
        rec["request"] = unescape(req)
        return
    rec["method"] = req[:sp]
    ls = req.rfind(" ")
    if ls > sp and req.startswith("HTTP/", ls + 1):
        rec["path"] = unescape(req[sp + 1:ls])
        rec["protocol"] = req[ls + 1:]
    else:
        rec["path"] = unescape(req[sp + 1:])


def main(path):
    out = sys.stdout
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = LINE.match(line.rstrip("\n"))
            if m is None:
                print("combined.py: %s:%d: no match" % (path, n), file=sys.stderr)
                continue
            addr, ident, user, t, req, status, size, ref, agent = m.groups()
            rec = {}
            if addr != "-":
                rec["remote_addr"] = addr
            if ident != "-":
                rec["ident"] = ident
            if user != "-":
                rec["user"] = unescape(user)
            rec["ts"] = iso(t)
            request(rec, req)
            rec["status"] = int(status)
            if size != "-":
                rec["bytes"] = int(size)
            if ref != "-":
                rec["referer"] = unescape(ref)
            if agent != "-":
                rec["user_agent"] = unescape(agent)
            out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")


main(sys.argv[1])
EOF

# awk splits on the quotes and then on spaces, which is all it can do:
# no escapes are decoded or written, a user name has no spaces and a
# request line has three words.  gawk for mktime's UTC flag.
cat > "$out/combined.awk" <<'EOF'
BEGIN {
	FS = "\""
	split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", m, " ")
	for (i = 1; i <= 12; i++)
		month[m[i]] = i
}
function iso(t, z,    s, off) {
	s = mktime(substr(t, 8, 4) " " month[substr(t, 4, 3)] " " substr(t, 1, 2) " " \
	    substr(t, 13, 2) " " substr(t, 16, 2) " " substr(t, 19, 2), 1)
	off = (substr(z, 2, 2) * 3600 + substr(z, 4, 2) * 60) * (substr(z, 1, 1) == "-" ? -1 : 1)
	return strftime("%Y-%m-%dT%H:%M:%S.000Z", s - off, 1)
}
{
	split($1, a, " ")
	if (a[4] a[5] != stamp) {
		stamp = a[4] a[5]
		ts = iso(substr(a[4], 2), a[5])
	}
	split($2, r, " ")
	split($3, s, " ")
	o = "{\"remote_addr\":\"" a[1] "\""
	if (a[3] != "-")
		o = o ",\"user\":\"" a[3] "\""
	o = o ",\"ts\":\"" ts "\",\"method\":\"" r[1] "\",\"path\":\"" r[2] \
	    "\",\"protocol\":\"" r[3] "\",\"status\":" s[1]
	if (s[2] != "-")
		o = o ",\"bytes\":" s[2]
	if ($4 != "-")
		o = o ",\"referer\":\"" $4 "\""
	if ($6 != "-")
		o = o ",\"user_agent\":\"" $6 "\""
	print o "}"
}
EOF

# Miller reads the line as space-separated CSV, whose quotes hold the
# request, referer and user agent (Apache's \" escapes it cannot read),
# and builds the record in its DSL.
cat > "$out/combined.mlr" <<'EOF'
map r = {"remote_addr": $1};
if ($3 != "-") {
	r["user"] = $3;
}
t = strptime(sub($4, "^\[", "") . " " . sub($5, "\]$", ""), "%d/%b/%Y:%H:%M:%S %z");
r["ts"] = strftime(t, "%Y-%m-%dT%H:%M:%3SZ");
q = splitax($6, " ");
r["method"] = q[1];
r["path"] = q[2];
r["protocol"] = q[3];
r["status"] = $7;
if ($8 != "-") {
	r["bytes"] = $8;
}
if ($9 != "-") {
	r["referer"] = $9;
}
if ($10 != "-") {
	r["user_agent"] = $10;
}
emit r;
EOF

if [ ! -s "$LOG" ] || [ "$(wc -l < "$LOG")" -ne "$lines" ]; then
	measure -o "$out/access-gen.time" \
		python3 "$out/gen-access.py" "$lines" > "$LOG.tmp" ||
		{ echo "bench: generating the access log failed" >&2; rm -f "$LOG.tmp"; exit 1; }
	mv "$LOG.tmp" "$LOG"
	read -r t k < "$out/access-gen.time"
	gen="generated in $t s by bench/out/gen-access.py"
else
	gen="reused from an earlier run"
fi
cat "$LOG" > /dev/null	# into the page cache before the first timing

mkdir -p "$res"
rm -f "$res"/*.out "$res"/*.err "$res"/*.time "$res"/*.norm "$res/results"

cmd_lp='log-parse -F combined "$LOG"'
cmd_auto='log-parse "$LOG"'
cmd_awk='gawk -f bench/out/combined.awk "$LOG"'
cmd_mlr='mlr --icsv --implicit-csv-header --headerless-csv-input --ifs space --ojsonl put -q -f bench/out/combined.mlr "$LOG"'
cmd_python='python3 bench/out/combined.py "$LOG"'

bench lp "log-parse -F combined" "$cmd_lp"
bench auto "log-parse (--auto)" "$cmd_auto"
bench awk "gawk field split ($(gawk --version | head -n 1 | cut -d, -f1))" "$cmd_awk"
bench mlr "mlr put (Miller $(mlr --version | cut -d' ' -f2))" "$cmd_mlr"
bench python "python3 regex parser ($(python3 -V | cut -d' ' -f2))" "$cmd_python"

# The records must be the same: byte for byte for awk and Python, after
# taking out the spaces of Miller's JSON Lines.
python3 -c '
import json, sys
for line in sys.stdin:
    print(json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":")))
' < "$res/mlr.out" > "$res/mlr.norm" 2>/dev/null || : > "$res/mlr.norm"
agree() {
	f=$res/$1.out
	[ "$1" = mlr ] && f=$res/mlr.norm
	if cmp -s "$res/lp.out" "$f"; then echo yes; else echo NO; failed=1; fi
}
same_auto=$(agree auto) same_awk=$(agree awk) same_mlr=$(agree mlr)
same_python=$(agree python)

size=$(wc -c < "$LOG")
echo
echo "$lines combined-format lines, $((size / 1048576)) MiB ($gen);"
echo "$(cpus); best of up to $runs runs, output to a file, LC_ALL=$LC_ALL."
echo
awk -F'\t' -v lines="$lines" -v sa="$same_auto" -v sw="$same_awk" \
    -v sm="$same_mlr" -v sp="$same_python" "$awk_lib"'
{ name[NR] = $1; label[NR] = $2; t[NR] = $3; k[NR] = $4; n[NR] = $5; idx[$1] = NR }
END {
	same["lp"] = "(reference)"; same["auto"] = sa; same["awk"] = sw
	same["mlr"] = sm; same["python"] = sp
	py = t[idx["python"]]
	print "| Command | Wall s | Lines/s | Peak RSS MiB | vs Python | Same records | Runs |"
	print "|---|--:|--:|--:|--:|---|--:|"
	for (i = 1; i <= NR; i++) {
		if (t[i] == "-") {
			printf "| %s | failed | | | | | %d |\n", label[i], n[i]
			continue
		}
		printf "| %s | %.3f | %s | %.1f | %s | %s | %d |\n", label[i], t[i],
		    commas(lines / t[i]), k[i] / 1024,
		    py == "-" ? "-" : sprintf("%.1f×", py / t[i]), same[name[i]], n[i]
	}
	print ""
	lp = t[idx["lp"]]
	if (lp != "-") {
		printf "- log-parse -F combined at least 1,000,000 lines/s: %s lines/s, %s\n",
		    commas(lines / lp), verdict(lines / lp >= 1000000)
		if (py != "-")
			printf "- at least 10× the Python parser: %.1f×, %s\n", py / lp,
			    verdict(py / lp >= 10)
	}
}' "$res/results"

echo
echo "Commands (\$LOG=$LOG):"
for n in lp auto awk mlr python; do
	eval "echo \"    \$cmd_$n\""
done
exit "$failed"
