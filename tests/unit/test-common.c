/* Unit tests of opt, tm, buf, htab, line, backoff and bucket. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backoff.h"
#include "bucket.h"
#include "buf.h"
#include "htab.h"
#include "line.h"
#include "opt.h"
#include "tap.h"
#include "tm.h"

static void test_opt(void)
{
	char err[128];
	long long v;
	double d;
	int64_t ms;

	ok(opt_int("42", 0, 100, &v, err, sizeof err) == 0 && v == 42, "int 42");
	ok(opt_int("101", 0, 100, &v, err, sizeof err) < 0 &&
	   strcmp(err, "too large: 101") == 0, "int too large: %s", err);
	ok(opt_int("-1", 0, 100, &v, err, sizeof err) < 0 &&
	   strcmp(err, "too small: -1") == 0, "int too small: %s", err);
	ok(opt_int("99999999999999999999", 0, 100, &v, err, sizeof err) < 0 &&
	   strcmp(err, "too large: 99999999999999999999") == 0, "int overflow");
	ok(opt_int("4x", 0, 100, &v, err, sizeof err) < 0 &&
	   strcmp(err, "not an integer: '4x'") == 0, "int junk: %s", err);
	ok(opt_int("", 0, 100, &v, err, sizeof err) < 0, "int empty");
	ok(opt_double("0.25", 0, 1, &d, err, sizeof err) == 0 && d == 0.25, "double");
	ok(opt_double("nan", 0, 1, &d, err, sizeof err) < 0, "double nan");
	ok(opt_dur("250ms", 0, INT64_MAX, &ms, err, sizeof err) == 0 && ms == 250, "250ms");
	ok(opt_dur("1.5s", 0, INT64_MAX, &ms, err, sizeof err) == 0 && ms == 1500, "1.5s");
	ok(opt_dur("5m", 0, INT64_MAX, &ms, err, sizeof err) == 0 && ms == 300000, "5m");
	ok(opt_dur("2h", 0, INT64_MAX, &ms, err, sizeof err) == 0 && ms == 7200000, "2h");
	ok(opt_dur("1d", 0, INT64_MAX, &ms, err, sizeof err) == 0 && ms == 86400000, "1d");
	ok(opt_dur("10", 0, INT64_MAX, &ms, err, sizeof err) == 0 && ms == 10000, "bare seconds");
	ok(opt_dur("10x", 0, INT64_MAX, &ms, err, sizeof err) < 0 &&
	   strcmp(err, "invalid duration: '10x'") == 0, "dur junk: %s", err);
	ok(opt_dur("-1s", 0, INT64_MAX, &ms, err, sizeof err) < 0, "dur negative");
	ok(opt_dur("0s", 1, INT64_MAX, &ms, err, sizeof err) < 0 &&
	   strcmp(err, "too small: 0s") == 0, "dur too small: %s", err);
	ok(opt_dur("0.1ms", 0, INT64_MAX, &ms, err, sizeof err) < 0, "dur below 1ms");
	ok(opt_size("64k", 0, 1LL << 40, &v, err, sizeof err) == 0 && v == 65536, "64k");
	ok(opt_size("1M", 0, 1LL << 40, &v, err, sizeof err) == 0 && v == 1048576, "1M");
	ok(opt_size("2GB", 0, 1LL << 40, &v, err, sizeof err) == 0 &&
	   v == 2147483648LL, "2GB");
	ok(opt_size("100", 0, 1LL << 40, &v, err, sizeof err) == 0 && v == 100, "100");
	ok(opt_size("1.5k", 0, 1LL << 40, &v, err, sizeof err) < 0, "size fraction");
	ok(opt_size("1T", 0, 1LL << 40, &v, err, sizeof err) < 0 &&
	   strcmp(err, "invalid size: '1T'") == 0, "size unit: %s", err);
	ok(opt_time("2026-11-21T12:00:00Z", &ms, err, sizeof err) == 0 &&
	   ms == 1795262400000, "time RFC 3339");
	ok(opt_time("1795262400.5", &ms, err, sizeof err) == 0 &&
	   ms == 1795262400500, "time epoch seconds");
	ok(opt_time("soon", &ms, err, sizeof err) < 0 &&
	   strcmp(err, "invalid time: 'soon'") == 0, "time junk: %s", err);
	ok(opt_time("-5", &ms, err, sizeof err) < 0 &&
	   strcmp(err, "out of range: '-5'") == 0, "time before the epoch: %s", err);
}

static void test_tm(void)
{
	static const struct { const char *in; int64_t ms; } cases[] = {
		{"1970-01-01T00:00:00Z", 0},
		{"2026-11-21T12:00:00.123Z", 1795262400123},
		{"2026-11-21T12:00:00.1239Z", 1795262400123},
		{"2026-11-21T13:00:00+01:00", 1795262400000},
		{"2026-11-21t12:00:00z", 1795262400000},
		{"2026-11-21 06:30:00-05:30", 1795262400000},
		{"1969-12-31T23:59:59.999Z", -1},
		{"2024-02-29T00:00:00Z", 1709164800000},
		{"2016-12-31T23:59:60Z", 1483228799999},
	};
	static const char *bad[] = {
		"2026-11-21", "2026-11-21T12:00:00", "2026-13-01T00:00:00Z",
		"2025-02-29T00:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21T12:00:00.Z",
		"2026-11-21T12:00:00+0100", "2026-11-21T12:00:00Zjunk", "x026-11-21T12:00:00Z",
	};
	char buf[TM_LEN + 1];
	size_t i;
	int64_t ms;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ok(tm_parse_rfc3339(cases[i].in, strlen(cases[i].in), &ms) == 0 &&
		   ms == cases[i].ms, "parse %s", cases[i].in);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok(tm_parse_rfc3339(bad[i], strlen(bad[i]), &ms) < 0, "reject %s", bad[i]);
	tm_format(1795262400123, buf);
	ok(strcmp(buf, "2026-11-21T12:00:00.123Z") == 0, "format %s", buf);
	tm_format(-1, buf);
	ok(strcmp(buf, "1969-12-31T23:59:59.999Z") == 0, "format negative %s", buf);
	tm_format(951782400000, buf);
	ok(strcmp(buf, "2000-02-29T00:00:00.000Z") == 0, "format leap day %s", buf);
	ok(tm_from_number(1795262400.5, TM_AUTO, &ms) == 0 && ms == 1795262400500,
	   "epoch seconds");
	ok(tm_from_number(1795262400123.0, TM_AUTO, &ms) == 0 && ms == 1795262400123,
	   "epoch millis above 1e11");
	ok(tm_from_number(5000, TM_MILLIS, &ms) == 0 && ms == 5000, "forced millis");
	ok(tm_from_number(1e300, TM_AUTO, &ms) < 0, "out of range number");
	ok(tm_floor(-1, 1000) == -1000 && tm_floor(1999, 1000) == 1000 &&
	   tm_floor(-1000, 1000) == -1000, "floor");
}

static void test_buf(void)
{
	struct buf b = {0};
	int i, good = 1;

	for (i = 0; i < 10000; i++)
		good &= buf_add(&b, "abc", 3) == 0;
	ok(good && b.len == 30000 && memcmp(b.p + 29997, "abc", 3) == 0, "buf grows");
	buf_free(&b);
	ok(b.p == NULL && b.len == 0, "buf free");

	/* One code point of each length, then what UTF-8 cannot hold. */
	good = buf_add_utf8(&b, 0x41) == 0 && buf_add_utf8(&b, 0xe9) == 0 &&
	       buf_add_utf8(&b, 0x20ac) == 0 && buf_add_utf8(&b, 0x1f600) == 0;
	ok(good && b.len == 10 &&
	   memcmp(b.p, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10) == 0,
	   "buf_add_utf8 writes 1 to 4 bytes");
	b.len = 0;
	good = buf_add_utf8(&b, 0xd800) == 0 && buf_add_utf8(&b, 0xdfff) == 0 &&
	       buf_add_utf8(&b, 0x110000) == 0 && buf_add_utf8(&b, 0x10ffff) == 0;
	ok(good && b.len == 13 &&
	   memcmp(b.p, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xf4\x8f\xbf\xbf", 13) == 0,
	   "buf_add_utf8: surrogates and values past U+10FFFF become U+FFFD");
	buf_free(&b);
}

static void test_htab(void)
{
	struct htab h;
	char key[16];
	int i, good = 1, created;
	uint64_t *v;
	size_t len;

	htab_init(&h, sizeof(uint64_t));
	ok(htab_get(&h, "x", 1) == NULL, "empty table finds nothing");
	v = htab_put(&h, "", 0, &created);
	ok(v != NULL && created && *v == 0, "empty key is a key");
	*v = 7;
	v = htab_put(&h, "", 0, &created);
	ok(v != NULL && !created && *v == 7, "empty key found again");
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		v = htab_put(&h, key, strlen(key), NULL);
		good &= v != NULL && *v == 0;
		*v = (uint64_t)i;
	}
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		v = htab_get(&h, key, strlen(key));
		good &= v != NULL && *v == (uint64_t)i;
	}
	ok(good && h.n == 5001, "5000 keys survive growth: %zu", h.n);
	ok(memcmp(htab_key(&h, 1, &len), "k0", 2) == 0 && len == 2,
	   "entries keep insertion order");
	htab_clear(&h);
	ok(h.n == 0 && htab_get(&h, "k1", 2) == NULL, "clear forgets");
	htab_free(&h);
}

/* Writes data to a temporary file and returns its path. */
static char *tmpfile_with(const char *data, size_t len)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/rtpipe-unit-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
	return path;
}

struct spilled { char data[8192]; size_t len; int lasts; };

static void spill(void *arg, const char *p, size_t n, int last)
{
	struct spilled *s = arg;

	memcpy(s->data + s->len, p, n);
	s->len += n;
	s->lasts += last;
}

static void test_line(void)
{
	static const char data[] = "a\r\nbb\n\nccc\n0123456789ABCDEF\nend";
	struct spilled sp = {{0}, 0, 0};
	struct line_reader r;
	struct line l;
	char *paths[2];
	char got[1024] = "";
	int rc;

	paths[0] = tmpfile_with(data, sizeof data - 1);
	paths[1] = "/nonexistent/x";
	ok(line_open(&r, paths, 2, 8) == 0, "line_open");
	r.on_long = spill;
	r.arg = &sp;
	while ((rc = line_next(&r, &l, -1)) != LINE_EOF) {
		char item[300];

		if (rc == LINE_OK)
			snprintf(item, sizeof item, "%llu:%.*s|", l.lineno, (int)l.len, l.ptr);
		else if (rc == LINE_LONG)
			snprintf(item, sizeof item, "%llu:LONG|", l.lineno);
		else
			snprintf(item, sizeof item, "ERR(%s)|", r.err);
		strcat(got, item);
	}
	ok(strcmp(got, "1:a|2:bb|3:|4:ccc|5:LONG|6:end|"
	           "ERR(cannot open '/nonexistent/x': No such file or directory)|") == 0,
	   "lines, CRLF, long, final line, open error: %s", got);
	ok(sp.len == 17 && memcmp(sp.data, "0123456789ABCDEF\n", 17) == 0 &&
	   sp.lasts == 1, "overlong line spilled whole");
	line_close(&r);
	unlink(paths[0]);
}

static void test_line_huge(void)
{
	/* An overlong line much bigger than the buffer, then a good line. */
	size_t n = 3 * 1024 * 1024, i;
	char *data = malloc(n + 8);
	struct line_reader r;
	struct line l;
	char *path;
	int rc, longs = 0, oks = 0;

	for (i = 0; i < n; i++)
		data[i] = 'x';
	memcpy(data + n, "\nok\n", 4);
	path = tmpfile_with(data, n + 4);
	free(data);
	line_open(&r, &path, 1, 1000);
	while ((rc = line_next(&r, &l, -1)) != LINE_EOF) {
		longs += rc == LINE_LONG;
		oks += rc == LINE_OK && l.len == 2 && l.lineno == 2;
	}
	ok(longs == 1 && oks == 1, "3 MiB line skipped with bounded buffer");
	ok(r.cap <= 1024 * 1024, "buffer stayed small: %zu", r.cap);
	line_close(&r);
	unlink(path);
}

static void test_backoff(void)
{
	struct backoff b;
	int64_t d, top = 100;
	int i, good = 1;

	backoff_init(&b, 100, 1000);
	for (i = 0; i < 12; i++) {
		d = backoff_next(&b);
		/* Each delay lies in [bound/2, bound]; the bound doubles to 1 s. */
		if (d < top / 2 || d > top)
			good = 0;
		top = top * 2 > 1000 ? 1000 : top * 2;
	}
	ok(good, "backoff: delays within [d/2, d], d doubling up to the cap");
	ok(b.failures == 12, "backoff: failures counted");
	backoff_reset(&b);
	d = backoff_next(&b);
	ok(d >= 50 && d <= 100 && b.failures == 1, "backoff: reset starts over");
}

static void test_bucket(void)
{
	struct bucket b;
	int n = 0;

	bucket_init(&b, 0, 0);
	ok(bucket_ready(&b) && bucket_due(&b, 5) == 5, "bucket: rate 0 is no limit");
	bucket_init(&b, 100, 1000);
	while (bucket_ready(&b)) {
		bucket_take(&b);
		n++;
	}
	ok(n == 1, "bucket: one token at start");
	ok(bucket_due(&b, 1000) == 1011, "bucket: the next token in 10 ms");
	bucket_refill(&b, 1010);
	ok(bucket_ready(&b), "bucket: ready after 10 ms at 100/s");
	bucket_refill(&b, 61000);
	for (n = 0; bucket_ready(&b); n++)
		bucket_take(&b);
	ok(n == 10, "bucket: a long pause gives at most 100 ms worth (%d)", n);
}

int main(void)
{
	test_opt();
	test_tm();
	test_buf();
	test_htab();
	test_line();
	test_line_huge();
	test_backoff();
	test_bucket();
	return tap_done();
}
