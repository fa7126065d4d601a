/*
 * Unit tests of out: string escaping, UTF-8 repair and its count, number
 * formatting (layout, and digits against printf's), and flushing to a
 * pipe (blocking and nonblocking), through a buffer larger than the
 * default, to /dev/full and to a closed pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "out.h"
#include "tap.h"

#define ALL ((size_t)-1)

static struct out o;

/* Output is checked in the buffer itself; o.fd is -1 and never flushed. */
static int is(const char *want, size_t wlen)
{
	int r = o.len == wlen && memcmp(o.buf, want, wlen) == 0;

	o.len = 0;
	return r;
}

#define IS(lit) is((lit), sizeof(lit) - 1)

/* The buffer made printable for a failing test's description. */
static const char *shown(void)
{
	static char b[512];
	char *p = b;
	size_t i;

	for (i = 0; i < o.len && p < b + sizeof(b) - 5; i++) {
		unsigned char c = (unsigned char)o.buf[i];

		if (c >= 0x20 && c < 0x7f)
			*p++ = (char)c;
		else
			p += sprintf(p, "\\x%02x", c);
	}
	*p = '\0';
	return b;
}

static void test_escapes(void)
{
	static const char *const ctl[32] = {
		"\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005",
		"\\u0006", "\\u0007", "\\b", "\\t", "\\n", "\\u000b", "\\f",
		"\\r", "\\u000e", "\\u000f", "\\u0010", "\\u0011", "\\u0012",
		"\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017", "\\u0018",
		"\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e",
		"\\u001f",
	};
	char c, want[16];
	int i, bad = 0;

	for (i = 0; i < 128; i++) {
		c = (char)i;
		if (i < 32)
			snprintf(want, sizeof(want), "\"%s\"", ctl[i]);
		else if (c == '"' || c == '\\')
			snprintf(want, sizeof(want), "\"\\%c\"", c);
		else
			snprintf(want, sizeof(want), "\"%c\"", c);
		out_json_str(&o, &c, 1);
		if (!is(want, strlen(want))) {
			ok(0, "escape of byte %d", i);
			bad++;
		}
	}
	ok(bad == 0, "every ASCII byte escapes as JSON wants (DEL as it is)");
	out_json_str(&o, "", 0);
	ok(IS("\"\""), "empty string");
	out_json_str(&o, "say \"hi\"\\\n\tto\x7f/all", 18);
	ok(IS("\"say \\\"hi\\\"\\\\\\n\\tto\x7f/all\""), "mixed: %s", shown());
	out_json_str(&o, "abcdefgh\"ijklmnop\x01qrstuvwxyz0123456789\\", 39);
	ok(IS("\"abcdefgh\\\"ijklmnop\\u0001qrstuvwxyz0123456789\\\\\""),
	    "escapes between 8-byte runs: %s", shown());
	out_json_str(&o, "h\xc3\xa9llo w\xc3\xb6rld \xe2\x82\xac \xf0\x9f\x98\x80", 22);
	ok(IS("\"h\xc3\xa9llo w\xc3\xb6rld \xe2\x82\xac \xf0\x9f\x98\x80\"") &&
	    o.repaired == 0, "valid UTF-8 passes through");
}

static void test_repair(void)
{
	static const struct {
		const char *in, *out;
		int repaired;
		size_t prefix;		/* valid prefix; ALL: the whole */
		const char *what;
	} cases[] = {
		{"\xc3\xa9", "\xc3\xa9", 0, ALL, "2 bytes"},
		{"\xe2\x82\xac", "\xe2\x82\xac", 0, ALL, "3 bytes"},
		{"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", 0, ALL, "4 bytes"},
		{"\xef\xbf\xbf\xf4\x8f\xbf\xbf", "\xef\xbf\xbf\xf4\x8f\xbf\xbf", 0, ALL,
		    "U+FFFF and U+10FFFF"},
		{"\xed\x9f\xbf\xee\x80\x80", "\xed\x9f\xbf\xee\x80\x80", 0, ALL,
		    "U+D7FF and U+E000 around the surrogates"},
		{"\x80", "\xef\xbf\xbd", 1, 0, "lone continuation byte"},
		{"\xbf\x80", "\xef\xbf\xbd\xef\xbf\xbd", 2, 0, "two continuation bytes"},
		{"\xff", "\xef\xbf\xbd", 1, 0, "0xff"},
		{"a\xfe" "b", "a\xef\xbf\xbd" "b", 1, 1, "0xfe between letters"},
		{"\xc0\x80", "\xef\xbf\xbd\xef\xbf\xbd", 2, 0, "overlong NUL"},
		{"\xc1\xbf", "\xef\xbf\xbd\xef\xbf\xbd", 2, 0, "overlong 2 bytes"},
		{"\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3, 0,
		    "overlong 3 bytes"},
		{"\xf0\x80\x80\xaf",
		    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 4, 0,
		    "overlong 4 bytes"},
		{"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3, 0,
		    "encoded high surrogate"},
		{"\xed\xbf\xbf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3, 0,
		    "encoded low surrogate"},
		{"\xf4\x90\x80\x80",
		    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 4, 0,
		    "U+110000"},
		{"\xf5\x80\x80\x80",
		    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 4, 0,
		    "lead byte 0xf5"},
		{"\xf8\x88\x80\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		    "\xef\xbf\xbd\xef\xbf\xbd", 5, 0, "5-byte form"},
		{"\xe2\x82", "\xef\xbf\xbd", 1, 0, "truncated at the end"},
		{"\xe2\x82" "A", "\xef\xbf\xbd" "A", 1, 0, "truncated before ASCII"},
		{"\xf0\x9f\x98", "\xef\xbf\xbd", 1, 0, "truncated 4 bytes"},
		{"\xf0\x9f\x98\"", "\xef\xbf\xbd\\\"", 1, 0, "truncated before a quote"},
		{"\xe2\x82\xc3\xa9", "\xef\xbf\xbd\xc3\xa9", 1, 0,
		    "truncated before a valid sequence"},
		{"\xc3", "\xef\xbf\xbd", 1, 0, "lone lead byte"},
		{"\xe9t\xe9", "\xef\xbf\xbdt\xef\xbf\xbd", 2, 0, "Latin-1 text"},
	};
	char want[64];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o.repaired = 0;
		out_json_str(&o, cases[i].in, strlen(cases[i].in));
		n = (size_t)snprintf(want, sizeof(want), "\"%s\"", cases[i].out);
		ok(is(want, n) && o.repaired == (unsigned)cases[i].repaired,
		    "string repair: %s (%d)", cases[i].what, cases[i].repaired);
		o.repaired = 0;
		out_json_raw(&o, cases[i].in, strlen(cases[i].in));
		if (strchr(cases[i].in, '"'))
			snprintf(want, sizeof(want), "\xef\xbf\xbd\"");
		else
			snprintf(want, sizeof(want), "%s", cases[i].out);
		ok(is(want, strlen(want)) &&
		    o.repaired == (unsigned)cases[i].repaired,
		    "raw repair: %s", cases[i].what);
		n = strlen(cases[i].in);
		ok(utf8_valid_prefix(cases[i].in, n) ==
		    (cases[i].prefix == ALL ? n : cases[i].prefix),
		    "valid prefix: %s", cases[i].what);
	}
	o.repaired = 0;
	out_json_str(&o, "\xe2\x82\xac", 2);
	ok(IS("\"\xef\xbf\xbd\"") && o.repaired == 1,
	    "a sequence is cut at the given length, never read past it");
	o.repaired = 0;
}

/* Invalid bytes at every offset around the 8-byte fast paths. */
static void test_offsets(void)
{
	char in[40], want[64];
	size_t at, good = 0, n;

	for (at = 0; at < 24; at++) {
		memset(in, 'x', 24);
		in[at] = '\xff';
		n = (size_t)snprintf(want, sizeof(want), "\"%.*s\xef\xbf\xbd%.*s\"",
		    (int)at, in, (int)(23 - at), in + at + 1);
		o.repaired = 0;
		out_json_str(&o, in, 24);
		good += is(want, n) && o.repaired == 1 &&
		    utf8_valid_prefix(in, 24) == at;
		in[at] = '\n';
		out_json_str(&o, in, 24);
		n = (size_t)snprintf(want, sizeof(want), "\"%.*s\\n%.*s\"",
		    (int)at, in, (int)(23 - at), in + at + 1);
		good += is(want, n);
	}
	ok(good == 48, "special bytes at every offset of a 24-byte run");
	o.repaired = 0;
}

static void test_raw(void)
{
	static const char rec[] = "{\"a\":[1,2.5e3,true,null],\"s\":\"x\\u0000\","
	    "\"t\":\"caf\xc3\xa9\"}";

	out_json_raw(&o, rec, sizeof(rec) - 1);
	ok(IS(rec) && o.repaired == 0, "valid JSON text passes as it is");
	out_json_raw(&o, "{\"k\":\"a\xff\"}", 10);
	ok(IS("{\"k\":\"a\xef\xbf\xbd\"}") && o.repaired == 1,
	    "invalid byte in a raw string repaired");
	o.repaired = 0;
	ok(utf8_valid_prefix("", 0) == 0, "valid prefix of nothing");
	ok(utf8_valid_prefix("abcdefghijklmnop\xc3\xa9qrstuvw", 25) == 25,
	    "valid prefix of valid text");
	ok(utf8_valid_prefix("abcdefghijklmnop\xc3\xa9qrst\xc3", 23) == 22,
	    "valid prefix stops at a truncated sequence");
}

/*
 * Does the text of v read back as v, with the significant digits of the
 * shortest "%.*e" that does?  That is the contract, checked without
 * depending on how out_json_num finds the digits.
 */
static int shortest_as_printf(double v)
{
	char b[40], want[40], got[40], *p;
	int prec, nw = 0, ng = 0, good;

	for (prec = 1; prec < 17; prec++) {
		snprintf(b, sizeof(b), "%.*e", prec - 1, v);
		if (strtod(b, NULL) == v)
			break;
	}
	snprintf(b, sizeof(b), "%.*e", prec - 1, v);
	for (p = b; *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			want[nw++] = *p;
	while (nw > 1 && want[nw - 1] == '0')
		nw--;
	out_json_num(&o, v);
	out_putc(&o, '\0');
	for (p = o.buf; *p != '\0' && *p != 'e' && ng < 40; p++)
		if ((*p >= '1' && *p <= '9') || (*p == '0' && ng > 0))
			got[ng++] = *p;
	while (ng > 1 && got[ng - 1] == '0')
		ng--;
	good = strtod(o.buf, NULL) == v && nw == ng &&
	    memcmp(want, got, (size_t)nw) == 0;
	if (!good)
		printf("# %.17g -> %s\n", v, o.buf);
	o.len = 0;
	return good;
}

/* Values tools compute: readings with a few decimals, their neighbours,
 * sums and averages, and fractions of powers of two. */
static void test_shortest(void)
{
	double sum = 0, v;
	int i, bad = 0;

	srand(11);
	for (i = 0; i < 20000 && bad < 5; i++) {
		v = (double)(rand() % 10000000 - 2000000) / pow(10, rand() % 5);
		sum += v;
		bad += !shortest_as_printf(v);
		bad += !shortest_as_printf(nextafter(v, 0));
		bad += !shortest_as_printf(sum);
		bad += !shortest_as_printf(sum / (i + 1));
		bad += !shortest_as_printf(ldexp(rand() + 1.0, -(rand() % 90)));
	}
	ok(bad == 0, "100000 computed values print as the shortest %%.*e");
}

static void test_numbers(void)
{
	static const struct { double v; const char *want; } cases[] = {
		{0.0, "0"}, {-0.0, "-0"}, {1, "1"}, {-1, "-1"}, {42, "42"},
		{0.1, "0.1"}, {-0.1, "-0.1"}, {0.5, "0.5"}, {1.5e-7, "1.5e-7"},
		{0.1 + 0.2, "0.30000000000000004"}, {1.0 / 3, "0.3333333333333333"},
		{2.0 / 3, "0.6666666666666666"}, {100.25, "100.25"},
		{1e21, "1e21"}, {1e22, "1e22"}, {-1e21, "-1e21"},
		{1e16, "10000000000000000"}, {1e20, "100000000000000000000"},
		{1.5e20, "150000000000000000000"}, {1e-5, "0.00001"},
		{1e-6, "0.000001"}, {-1.25e-6, "-0.00000125"}, {1e-7, "1e-7"},
		{1.25e-10, "1.25e-10"}, {1e100, "1e100"},
		{123456789012345678.0, "123456789012345680"},
		{9007199254740991.0, "9007199254740991"},
		{-9007199254740991.0, "-9007199254740991"},
		{9007199254740992.0, "9007199254740992"},
		{9007199254740994.0, "9007199254740994"},
		{1992000000000002768.0, "1992000000000002800"},
		{5e-324, "5e-324"}, {-5e-324, "-5e-324"},
		{1e-310, "1e-310"}, {2.2250738585072014e-308, "2.2250738585072014e-308"},
		{2.225073858507201e-308, "2.225073858507201e-308"},
		{1.7976931348623157e308, "1.7976931348623157e308"},
		{-1.7976931348623157e308, "-1.7976931348623157e308"},
		{123.456, "123.456"}, {21.433333333333334, "21.433333333333334"},
		{1e15 + 0.5, "1000000000000000.5"}, {4.35, "4.35"},
		{NAN, "null"}, {INFINITY, "null"}, {-INFINITY, "null"},
		{22.03, "22.03"}, {-17.25, "-17.25"}, {0.07, "0.07"},
		{1014.7360000000001, "1014.7360000000001"},
		{62.89600000000001, "62.89600000000001"},
		{0.1 + 0.7, "0.7999999999999999"}, {4.35 * 100, "434.99999999999994"},
		{1234567.891, "1234567.891"}, {123456789012.5, "123456789012.5"},
		{0.000123, "0.000123"}, {1 - 0x1p-53, "0.9999999999999999"},
		{0.5 + 0x1p-53, "0.5000000000000001"},
		{1 + 0x1p-16, "1.0000152587890625"},
		{1 + 0x1p-17, "1.0000076293945312"},
		{0x1p-17, "0.00000762939453125"},
		{0x1.fffffffffffffp-18, "0.000007629394531249999"},
		{0x1.0000000000001p-16, "0.000015258789062500003"},
		{4503599627370495.5, "4503599627370495.5"},
		{999999999999999.5, "999999999999999.5"},
	};
	size_t i;
	char *end;
	int bad = 0;
	double v;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out_json_num(&o, cases[i].v);
		ok(o.len == strlen(cases[i].want) &&
		    memcmp(o.buf, cases[i].want, o.len) == 0,
		    "number %.17g -> %s (got %.*s)", cases[i].v, cases[i].want,
		    (int)o.len, o.buf);
		o.len = 0;
	}
	/* Round trips of awkward values. */
	srand(7);
	for (i = 0; i < 20000; i++) {
		uint64_t bits = (uint64_t)rand() << 42 ^ (uint64_t)rand() << 21 ^
		    (uint64_t)rand();
		double d;

		memcpy(&d, &bits, sizeof(d));
		if (isnan(d) || isinf(d))
			continue;
		out_json_num(&o, d);
		out_putc(&o, '\0');
		v = strtod(o.buf, &end);
		if (v != d || *end != '\0' || strchr(o.buf, '+') ||
		    strlen(o.buf) > 25) {
			if (bad++ < 5)
				printf("# %.17g -> %s\n", d, o.buf);
		}
		o.len = 0;
	}
	ok(bad == 0, "20000 random doubles read back exactly (%d bad)", bad);

	out_json_int(&o, 0);
	ok(IS("0"), "int 0");
	out_json_int(&o, -7);
	ok(IS("-7"), "int -7");
	out_json_int(&o, LLONG_MAX);
	ok(IS("9223372036854775807"), "int max");
	out_json_int(&o, LLONG_MIN);
	ok(IS("-9223372036854775808"), "int min");
	out_json_time(&o, 0);
	ok(IS("\"1970-01-01T00:00:00.000Z\""), "time 0");
	out_json_time(&o, 1795262400123);
	ok(IS("\"2026-11-21T12:00:00.123Z\""), "time with milliseconds");
	out_json_time(&o, -1);
	ok(IS("\"1969-12-31T23:59:59.999Z\""), "time before the epoch");
}

/* A pattern that shows lost, doubled or reordered bytes. */
static char pat(size_t i)
{
	return (char)('a' + (i * 7 + i / 4099) % 26);
}

/*
 * Writes total bytes through o (in records of reclen bytes, one big one
 * when reclen is 0) to a child that reads them slowly and checks them.
 */
static int through_pipe(size_t total, size_t reclen, int nonblock)
{
	char *rec = malloc(total);
	size_t i, got = 0;
	int fd[2], status, good = 1;
	ssize_t n;
	pid_t pid;

	if (rec == NULL || pipe(fd) < 0)
		return 0;
	for (i = 0; i < total; i++)
		rec[i] = pat(i);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		char b[3000];

		close(fd[1]);
		while ((n = read(fd[0], b, sizeof(b))) > 0) {
			for (i = 0; i < (size_t)n; i++)
				good &= b[i] == pat(got + i);
			got += (size_t)n;
			if (got < 200000)
				usleep(100);
		}
		free(rec);
		_exit(!(good && got == total && n == 0));
	}
	close(fd[0]);
	if (nonblock)
		fcntl(fd[1], F_SETFL, fcntl(fd[1], F_GETFL) | O_NONBLOCK);
	if (out_init(&o, fd[1]) < 0)
		return 0;
	if (reclen == 0)
		out_write(&o, rec, total);
	else
		for (i = 0; i < total; i += reclen)
			out_write(&o, rec + i, total - i < reclen ? total - i : reclen);
	good = out_flush(&o) == 0 && o.err == 0 && o.bytes == total;
	out_free(&o);
	close(fd[1]);
	free(rec);
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0 && good;
}

static void test_flush(void)
{
	struct out f;
	int fd, i, p[2];

	ok(through_pipe(1000000, 1000, 0), "1 MB in records to a pipe");
	ok(through_pipe(1000000, 1000, 1), "1 MB to a nonblocking pipe");
	ok(through_pipe(3 * 128 * 1024 + 17, 0, 1),
	    "one record larger than the buffer, nonblocking");
	ok(through_pipe(300000, 70000, 0), "records that straddle the buffer");

	if ((fd = open("/dev/full", O_WRONLY)) < 0) {
		ok(0, "open /dev/full");
		return;
	}
	out_init(&f, fd);
	out_lit(&f, "{\"a\":1}");
	ok(out_end(&f) == 0 && f.len == 8, "out_end keeps a small record");
	ok(out_flush(&f) < 0 && f.err == ENOSPC && f.len == 0,
	    "/dev/full: ENOSPC");
	out_lit(&f, "{\"b\":2}");
	ok(out_end(&f) < 0 && f.err == ENOSPC, "error is sticky in out_end");
	ok(out_flush(&f) < 0 && f.err == ENOSPC && f.len == 0 && f.bytes == 0,
	    "error is sticky in out_flush, later writes dropped");
	for (i = 0; i < 100000; i++)
		out_lit(&f, "0123456789");
	ok(f.len < f.cap && f.cap == 128 * 1024,
	    "a failed writer does not grow (cap %zu)", f.cap);
	out_free(&f);
	close(fd);

	signal(SIGPIPE, SIG_IGN);
	if (pipe(p) < 0) {
		ok(0, "pipe");
		return;
	}
	close(p[0]);
	out_init(&f, p[1]);
	out_lit(&f, "x");
	ok(out_flush(&f) < 0 && f.err == EPIPE, "closed pipe: EPIPE");
	out_free(&f);
	close(p[1]);
}

static void test_end(void)
{
	int fd = open("/dev/null", O_WRONLY), p[2];
	size_t i;
	char b[16];

	if (fd < 0 || out_init(&o, fd) < 0) {
		ok(0, "open /dev/null");
		return;
	}
	for (i = 0; o.len + 10 < OUT_FLUSH_AT; i++) {
		out_lit(&o, "{}");
		out_end(&o);
	}
	ok(o.bytes == 0 && o.len == 3 * i, "records below OUT_FLUSH_AT stay");
	while (o.bytes == 0) {
		out_lit(&o, "{}");
		out_end(&o);
	}
	ok(o.len == 0 && o.bytes >= OUT_FLUSH_AT && o.bytes % 3 == 0,
	    "out_end flushes at OUT_FLUSH_AT, whole records");
	out_free(&o);
	close(fd);

	if (pipe(p) < 0 || out_init(&o, p[1]) < 0) {
		ok(0, "pipe");
		return;
	}
	o.unbuffered = 1;
	out_lit(&o, "{}");
	ok(out_end(&o) == 0 && o.len == 0 && o.bytes == 3 &&
	    read(p[0], b, sizeof(b)) == 3 && memcmp(b, "{}\n", 3) == 0,
	    "unbuffered: every record flushed");
	out_free(&o);
	close(p[0]);
	close(p[1]);
}

/* A non-blocking pipe takes part of a large buffer; the rest waits at
 * the front until the reader makes room. */
static void test_flush_some(void)
{
	static char big[1 << 20], got[1 << 20];
	struct out w;
	size_t have = 0, i;
	ssize_t n;
	int fd[2], rc, good = 1;

	for (i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	if (pipe(fd) < 0 || out_init(&w, fd[1]) < 0)
		return;
	fcntl(fd[1], F_SETFL, O_NONBLOCK);
	fcntl(fd[0], F_SETFL, O_NONBLOCK);
	out_write(&w, big, sizeof big);
	rc = out_flush_some(&w);
	ok(rc == 1 && w.len > 0 && w.len < sizeof big,
	   "flush_some: a full pipe keeps the rest (%d, %zu)", rc, w.len);
	ok(memcmp(w.buf, big + (sizeof big - w.len), w.len) == 0,
	   "flush_some: the rest is at the front, in order");
	while (rc != 0 && good) {
		while ((n = read(fd[0], got + have, sizeof got - have)) > 0)
			have += (size_t)n;
		rc = out_flush_some(&w);
		good = rc >= 0;
	}
	while ((n = read(fd[0], got + have, sizeof got - have)) > 0)
		have += (size_t)n;
	ok(good && rc == 0 && w.len == 0 && have == sizeof big &&
	   memcmp(got, big, sizeof big) == 0 && w.bytes == sizeof big,
	   "flush_some: everything arrives once, in order");
	close(fd[0]);
	rc = out_flush_some(&w);
	out_putc(&w, 'x');
	rc = out_flush_some(&w);
	ok(rc == -1 && w.err == EPIPE, "flush_some: a closed reader is EPIPE");
	out_free(&w);
	close(fd[1]);
}

int main(void)
{
	if (out_init(&o, -1) < 0)
		return 1;
	test_escapes();
	test_repair();
	test_offsets();
	test_raw();
	test_numbers();
	test_shortest();
	out_free(&o);
	test_flush();
	test_flush_some();
	test_end();
	return tap_done();
}
