/*
 * log-parse: log lines to records.  Web server access logs, syslog, CSV,
 * logfmt, JSON lines and line layouts described by a pattern become JSON
 * records, with their time normalised to "ts".
 *
 * Each line is parsed into a list of fields that point into it, and only a
 * line that parses completely is written, straight into the output buffer:
 * a line that does not match leaves no partial record behind, and the hot
 * path neither allocates nor copies.
 */
#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"
#include "tm.h"

#define DAY_MS		86400000LL
#define AUTO_LINES	10	/* lines --auto looks at */

enum fmt {
	F_AUTO, F_COMMON, F_COMBINED, F_NGINX, F_VHOST, F_SYSLOG, F_RFC5424,
	F_CSV, F_LOGFMT, F_JSON, F_PATTERN
};

static const char *const fmt_names[] = {
	"auto", "common", "combined", "nginx", "vhost_combined", "syslog",
	"rfc5424", "csv", "logfmt", "json", "pattern"
};

/* How a field's value is written. */
enum vtype {
	V_STR,		/* text */
	V_ESC,		/* text with backslash escapes to decode */
	V_NUM,		/* a JSON number, its text copied */
	V_INT,		/* a computed integer */
	V_DBL,		/* a computed number */
	V_TIME,		/* epoch milliseconds, written as RFC 3339 */
	V_TRUE,
	V_SD		/* RFC 5424 structured data, already validated */
};

/* Types a user gives to fields (--types, %{name:type}). */
enum ttype { T_AUTO, T_STR, T_INT, T_NUM, T_TIME };

struct field {
	const char *key;	/* '"name":' when kraw, else the bare name */
	size_t klen;
	int kraw;
	enum vtype type;
	const char *v;
	size_t vlen;
	int64_t n;
	double d;
};

/* A key written as it is: the JSON text of a fixed field name. */
#define KEY(s) "\"" s "\":", sizeof("\"" s "\":") - 1, 1

/* One element of a --format pattern. */
struct pel {
	int field;		/* a %{field}, else literal text */
	char *text;		/* the literal text, or the field name */
	size_t len;
	enum ttype type;
	int quoted;		/* between '"' literals: backslash escapes apply */
	int skip;		/* %{_}: matched, not written */
};

struct tspec {
	const char *name;
	size_t len;
	enum ttype type;
};

static enum fmt fmt = F_AUTO;		/* -F, --auto */
static const char *time_field = "ts";	/* -t: event time of csv, logfmt */
static int time_field_given;
static int year;			/* --year: year of the first line */
static const char *columns;		/* --columns: CSV header */
static unsigned char delim = ',';	/* --delimiter */
static int delim_given;
static struct tspec *types;		/* --types */
static size_t ntypes;
static struct pel *pat;			/* -F PATTERN */
static size_t npat;

static struct field *fv;	/* the fields of the line being parsed */
static size_t nf, fcap;
static char why[512];		/* why the last line did not parse */
static int why_full;		/* why is a whole message, not a mismatch */
static struct buf scratch;	/* decoded text of one value */

/* Local time: the zone of --tz or of TZ; a fixed offset skips the C
 * library, and the offset of the last minute converted is remembered. */
static int tz_fixed;
static int64_t tz_fixed_ms;
static int64_t tz_key = INT64_MIN, tz_off;

/* Year of syslog times with --year: a month far below the last one seen
 * starts the next year. */
static int cur_year, last_month;
static int64_t year_now = INT64_MIN;	/* clock second of year_infer */
static int year_infer;			/* year of that second plus a day */

static int vfail(int full, const char *f, va_list ap)
{
	vsnprintf(why, sizeof why, f, ap);
	why_full = full;
	return -1;
}

/* Why a line does not match its format; returns -1. */
static int fail(const char *f, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *f, ...)
{
	va_list ap;
	int rc;

	va_start(ap, f);
	rc = vfail(0, f, ap);
	va_end(ap);
	return rc;
}

/* A reason that needs no "does not match" before it; returns -1. */
static int fail_full(const char *f, ...) __attribute__((format(printf, 1, 2)));
static int fail_full(const char *f, ...)
{
	va_list ap;
	int rc;

	va_start(ap, f);
	rc = vfail(1, f, ap);
	va_end(ap);
	return rc;
}

static void grow_fields(void)
{
	fcap = fcap ? fcap * 2 : 32;
	fv = rt_xrealloc(fv, fcap * sizeof *fv);
}

static inline struct field *add(const char *key, size_t klen, int kraw,
                                enum vtype t, const char *v, size_t vlen)
{
	struct field *f;

	if (nf == fcap)
		grow_fields();
	f = &fv[nf++];
	f->key = key;
	f->klen = klen;
	f->kraw = kraw;
	f->type = t;
	f->v = v;
	f->vlen = vlen;
	return f;
}

static int is_dash(const char *p, const char *e)
{
	return e - p == 1 && *p == '-';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Text that may hold backslash escapes: V_ESC when it does. */
static enum vtype text_type(const char *p, const char *e)
{
	return memchr(p, '\\', (size_t)(e - p)) ? V_ESC : V_STR;
}

/* Is the character at q escaped by the backslashes before it (back to p)? */
static int escaped(const char *p, const char *q)
{
	size_t n = 0;

	while (q - n > p && q[-1 - (long)n] == '\\')
		n++;
	return n % 2;
}

/* The first quote at or after p that no backslash escapes, or NULL. */
static const char *close_quote(const char *p, const char *e)
{
	const char *q = p;

	while (q < e && (q = memchr(q, '"', (size_t)(e - q))) != NULL) {
		if (!escaped(p, q))
			return q;
		q++;
	}
	return NULL;
}

static int json_int_text(const char *s, size_t n)
{
	size_t i = s[0] == '-';

	if (i == n)
		return 0;
	if (s[i] == '0')
		return i + 1 == n;
	for (; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

static int json_num_text(const char *s, size_t n)
{
	size_t i = 0, d;

	if (n > 0 && s[0] == '-')
		i++;
	if (i == n)
		return 0;
	if (s[i] == '0')
		i++;
	else if (s[i] >= '1' && s[i] <= '9')
		while (i < n && is_digit(s[i]))
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		for (d = ++i; i < n && is_digit(s[i]); i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && is_digit(s[i]); i++)
			;
		if (i == d)
			return 0;
	}
	return i == n;
}

/* Appends the UTF-8 of code point c (a surrogate becomes U+FFFD). */

/* The code point of "\uXXXX" at p, or -1. */
static long u_escape(const char *p, const char *e)
{
	long c = 0;
	int i, h;

	if (e - p < 6 || p[0] != '\\' || p[1] != 'u')
		return -1;
	for (i = 2; i < 6; i++) {
		if ((h = hexval(p[i])) < 0)
			return -1;
		c = c * 16 + h;
	}
	return c;
}

/* Decodes "\uXXXX" at p, or a surrogate pair of two; returns the bytes
 * it used, 0 when there is no such escape. */
static size_t decode_u(const char *p, const char *e, struct buf *b)
{
	long c = u_escape(p, e), lo;

	if (c < 0)
		return 0;
	if (c >= 0xd800 && c < 0xdc00 && (lo = u_escape(p + 6, e)) >= 0xdc00 &&
	    lo < 0xe000) {
		if (buf_add_utf8(b, (unsigned long)(0x10000 + ((c - 0xd800) << 10) +
		                                    (lo - 0xdc00))) < 0)
			rt_oom();
		return 12;
	}
	if (buf_add_utf8(b, (unsigned long)c) < 0)
		rt_oom();
	return 6;
}

/*
 * Decodes the backslash escapes that web servers and logfmt writers use:
 * \" \\ \/ \a \b \f \n \r \t \v, \xHH and \uXXXX.  Any other backslash is
 * kept with the character after it.
 */
static void unescape(const char *s, size_t n, struct buf *b)
{
	static const char simple[128] = {
		['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['a'] = '\a',
		['b'] = '\b', ['f'] = '\f', ['n'] = '\n', ['r'] = '\r',
		['t'] = '\t', ['v'] = '\v',
	};
	const char *e = s + n, *bs;
	size_t u;
	int rc = 0;

	while (rc == 0 && (bs = memchr(s, '\\', (size_t)(e - s))) != NULL) {
		unsigned char c;

		rc = buf_add(b, s, (size_t)(bs - s));
		if (bs + 1 == e) {
			s = bs;
			break;
		}
		c = (unsigned char)bs[1];
		s = bs + 2;
		if (c < 128 && simple[c]) {
			rc |= buf_addc(b, simple[c]);
		} else if (c == 'x' && e - s >= 2 && hexval(s[0]) >= 0 &&
		           hexval(s[1]) >= 0) {
			rc |= buf_addc(b, (char)(hexval(s[0]) * 16 + hexval(s[1])));
			s += 2;
		} else if (c == 'u' && (u = decode_u(bs, e, b)) > 0) {
			s = bs + u;
		} else {
			rc |= buf_add(b, bs, 2);
		}
	}
	if (rc < 0 || buf_add(b, s, (size_t)(e - s)) < 0)
		rt_oom();
}

/* Decodes RFC 5424 parameter values: only \" \\ and \] are escapes. */
static void sd_unescape(const char *s, size_t n, struct buf *b)
{
	const char *e = s + n;
	int rc = 0;

	for (; s < e && rc == 0; s++) {
		if (*s == '\\' && s + 1 < e &&
		    (s[1] == '"' || s[1] == '\\' || s[1] == ']'))
			s++;
		rc = buf_addc(b, *s);
	}
	if (rc < 0)
		rt_oom();
}

/* A structured-data name: printable ASCII but '=', ' ', ']' and '"'. */
static const char *sd_name(const char *p, const char *e)
{
	while (p < e && *p > ' ' && *p < 127 && *p != '=' && *p != ']' &&
	       *p != '"')
		p++;
	return p;
}

/* The end of a parameter value that starts after its quote. */
static const char *sd_value_end(const char *p, const char *e)
{
	while (p < e && *p != '"')
		p += *p == '\\' && p + 1 < e ? 2 : 1;
	return p;
}

/* Writes validated structured data as {"id":{"name":"value",...},...}. */
static void put_sd(const char *p, size_t n)
{
	struct out *o = &rt.out;
	const char *e = p + n, *q;
	int first, inner;

	out_putc(o, '{');
	for (first = 1; p < e && *p == '['; first = 0) {
		q = sd_name(++p, e);
		if (!first)
			out_putc(o, ',');
		out_json_str(o, p, (size_t)(q - p));
		out_lit(o, ":{");
		for (p = q, inner = 1; *p == ' '; p = q + 1, inner = 0) {
			q = sd_name(++p, e);
			if (!inner)
				out_putc(o, ',');
			out_json_str(o, p, (size_t)(q - p));
			out_putc(o, ':');
			p = q + 2;
			q = sd_value_end(p, e);
			scratch.len = 0;
			sd_unescape(p, (size_t)(q - p), &scratch);
			out_json_str(o, scratch.p, scratch.len);
		}
		out_putc(o, '}');
		p++;
	}
	out_putc(o, '}');
}

/* A time as quoted RFC 3339; the last one is kept, since a busy log
 * repeats its second many times. */
static void put_time(int64_t ms)
{
	static int64_t last = INT64_MIN;
	static char text[TM_LEN + 3];

	if (ms != last) {
		text[0] = '"';
		tm_format(ms, text + 1);
		text[TM_LEN + 1] = '"';
		last = ms;
	}
	out_write(&rt.out, text, TM_LEN + 2);
}

static void put_value(const struct field *f)
{
	struct out *o = &rt.out;

	switch (f->type) {
	case V_STR:
		out_json_str(o, f->v, f->vlen);
		break;
	case V_ESC:
		scratch.len = 0;
		unescape(f->v, f->vlen, &scratch);
		out_json_str(o, scratch.p, scratch.len);
		break;
	case V_NUM:
		out_write(o, f->v, f->vlen);
		break;
	case V_INT:
		out_json_int(o, (long long)f->n);
		break;
	case V_DBL:
		out_json_num(o, f->d);
		break;
	case V_TIME:
		put_time(f->n);
		break;
	case V_TRUE:
		out_lit(o, "true");
		break;
	case V_SD:
		put_sd(f->v, f->vlen);
		break;
	}
}

/* Writes the fields of the line just parsed as one record. */
static void emit(void)
{
	struct out *o = &rt.out;
	size_t i;

	out_putc(o, '{');
	for (i = 0; i < nf; i++) {
		const struct field *f = &fv[i];

		if (i > 0)
			out_putc(o, ',');
		if (f->kraw) {
			out_write(o, f->key, f->klen);
		} else {
			out_json_str(o, f->key, f->klen);
			out_putc(o, ':');
		}
		put_value(f);
	}
	out_putc(o, '}');
	rt_emit_end();
}

/*
 * Time.  Every form is rewritten as RFC 3339 text and read by tm, which
 * checks it; a form without a zone is read as UTC and then moved from the
 * local zone.
 */

/* A wall-clock time of the local zone, read as if it were UTC, to UTC. */
static int64_t from_local(int64_t naive)
{
	int64_t key = tm_floor(naive, 60000);

	if (tz_fixed)
		return naive - tz_fixed_ms;
	if (key != tz_key) {
		struct tm tm;
		time_t t = (time_t)(key / 1000);

		gmtime_r(&t, &tm);
		tm.tm_isdst = -1;
		t = mktime(&tm);
		tz_off = key - (int64_t)t * 1000;
		tz_key = key;
	}
	return naive - tz_off;
}

static int month_num(const char *m)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	for (i = 0; i < 12; i++)
		if (memcmp(names + 3 * i, m, 3) == 0)
			return i + 1;
	return 0;
}

static void put2(char *b, int v)
{
	b[0] = (char)('0' + v / 10 % 10);
	b[1] = (char)('0' + v % 10);
}

static void put4(char *b, int v)
{
	put2(b, v / 100);
	put2(b + 2, v % 100);
}

/* Copies "HH:MM:SS" and an optional fraction ('.' or ',') from p into b
 * at 11; returns the length of b so far, or 0, and the end of the input. */
static size_t clock_text(const char *p, const char *e, char *b,
                         const char **end)
{
	size_t j = 19, k;

	if (e - p < 8)
		return 0;
	memcpy(b + 11, p, 8);
	p += 8;
	if (p < e && (*p == '.' || *p == ',') && p + 1 < e && is_digit(p[1])) {
		b[j++] = '.';
		for (k = 0, p++; p < e && is_digit(*p); p++, k++)
			if (k < 9)
				b[j++] = *p;
	}
	*end = p;
	return j;
}

/* A zone "Z", "+HH:MM", "+HHMM" or "+HH" at p into b at j; 0 when none. */
static size_t zone_text(const char *p, const char *e, char *b, size_t j)
{
	if (e - p == 1 && (*p == 'Z' || *p == 'z')) {
		b[j] = 'Z';
		return j + 1;
	}
	if (e - p < 3 || (*p != '+' && *p != '-') || !is_digit(p[1]) ||
	    !is_digit(p[2]))
		return 0;
	memcpy(b + j, p, 3);
	b[j + 3] = ':';
	p += 3;
	if (p < e && *p == ':')
		p++;
	if (e - p == 2) {
		memcpy(b + j + 4, p, 2);
	} else if (p == e) {
		memcpy(b + j + 4, "00", 2);
	} else {
		return 0;
	}
	return j + 6;
}

/* Reads RFC 3339 text built in b; without a zone, the time is local. */
static int read_built(char *b, size_t j, int zoned, int64_t *ms)
{
	if (!zoned)
		b[j++] = 'Z';
	if (tm_parse_rfc3339(b, j, ms) < 0)
		return -1;
	if (!zoned)
		*ms = from_local(*ms);
	return 0;
}

/* "YYYY-MM-DD[T ]HH:MM:SS[.frac][ ][zone]", ISO 8601 as logs write it. */
static int iso_time(const char *s, size_t n, int64_t *ms)
{
	const char *e = s + n, *p;
	char b[48];
	size_t j, z;

	if (n < 19 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
		return -1;
	memcpy(b, s, 10);
	b[10] = 'T';
	if ((j = clock_text(s + 11, e, b, &p)) == 0)
		return -1;
	if (p == e)
		return read_built(b, j, 0, ms);
	if (*p == ' ' && p + 1 < e)
		p++;
	if ((z = zone_text(p, e, b, j)) == 0)
		return -1;
	return read_built(b, z, 1, ms);
}

/* "DD/Mon/YYYY:HH:MM:SS[ +HHMM]", the common log format's time. */
static int clf_time(const char *s, size_t n, int64_t *ms)
{
	char b[48];
	size_t j, z;
	const char *p, *e = s + n;
	int mo;

	if (n < 20 || s[2] != '/' || s[6] != '/' || s[11] != ':' ||
	    (mo = month_num(s + 3)) == 0)
		return -1;
	memcpy(b, s + 7, 4);
	b[4] = '-';
	put2(b + 5, mo);
	b[7] = '-';
	memcpy(b + 8, s, 2);
	b[10] = 'T';
	if ((j = clock_text(s + 12, e, b, &p)) == 0)
		return -1;
	if (p == e)
		return read_built(b, j, 0, ms);
	if (*p != ' ' || (z = zone_text(p + 1, e, b, j)) == 0)
		return -1;
	return read_built(b, z, 1, ms);
}

/* The year a syslog month falls in when --year is not given: the latest
 * one that does not put the time more than a day ahead of the clock. */
static int infer_year(char *b, size_t j, int64_t *ms)
{
	int64_t now = tm_now();
	int y;

	if (now / 1000 != year_now) {
		char t[TM_LEN + 1];

		tm_format(now + DAY_MS, t);
		year_infer = atoi(t);
		year_now = now / 1000;
	}
	for (y = year_infer; y >= year_infer - 1; y--) {
		put4(b, y);
		if (read_built(b, j, 0, ms) == 0 && *ms <= now + DAY_MS)
			return 0;
	}
	return -1;
}

/* "Mon dd HH:MM:SS[.frac]" of RFC 3164, the day padded with a space or a
 * zero; the year from --year or inferred.  Sets *end after it. */
static int syslog_time(const char *p, const char *e, const char **end,
                       int64_t *ms)
{
	char b[48];
	size_t j;
	int mo, d;

	if (e - p < 15 || (mo = month_num(p)) == 0 || p[3] != ' ' ||
	    p[6] != ' ' || !is_digit(p[5]) || (p[4] != ' ' && !is_digit(p[4])))
		return -1;
	d = (p[4] == ' ' ? 0 : p[4] - '0') * 10 + p[5] - '0';
	b[4] = '-';
	put2(b + 5, mo);
	b[7] = '-';
	put2(b + 8, d);
	b[10] = 'T';
	if ((j = clock_text(p + 7, e, b, end)) == 0)
		return -1;
	if (year == 0)
		return infer_year(b, j, ms);
	if (last_month != 0 && mo + 6 < last_month)
		cur_year++;
	else if (last_month != 0 && mo > last_month + 6)
		cur_year--;
	last_month = mo;
	put4(b, cur_year);
	return read_built(b, j, 0, ms);
}

/* A time in any of the forms above, or epoch seconds (milliseconds when
 * above 1e11). */
static int any_time(const char *s, size_t n, int64_t *ms)
{
	const char *end;
	char num[64];

	if (n >= 19 && s[4] == '-')
		return iso_time(s, n, ms);
	if (n >= 20 && s[2] == '/')
		return clf_time(s, n, ms);
	if (n >= 15 && s[3] == ' ')
		return syslog_time(s, s + n, &end, ms) == 0 && end == s + n ?
		       0 : -1;
	if (n > 0 && n < sizeof num && json_num_text(s, n)) {
		memcpy(num, s, n);
		num[n] = '\0';
		return tm_from_number(strtod(num, NULL), TM_AUTO, ms);
	}
	return -1;
}

/* Does s start like a number: a sign, then a digit (or ".5" when dot)? */
static int num_start(const char *s, int dot)
{
	if (*s == '+' || *s == '-')
		s++;
	return is_digit(s[0]) || (dot && s[0] == '.' && is_digit(s[1]));
}

/*
 * Values typed by the user: T_AUTO makes text that reads as a JSON number
 * a number.  Numbers keep their text when it is valid JSON.
 */
static int set_typed(struct field *f, const char *v, size_t n,
                     enum ttype t, int esc)
{
	char num[64];
	char *end;

	f->type = esc ? V_ESC : V_STR;
	switch (t) {
	case T_AUTO:
		if (!esc && json_num_text(v, n))
			f->type = V_NUM;
		return 0;
	case T_STR:
		return 0;
	case T_INT:
		f->type = V_NUM;
		if (json_int_text(v, n))
			return 0;
		f->type = V_INT;
		if (n > 0 && n < sizeof num) {
			memcpy(num, v, n);
			num[n] = '\0';
			errno = 0;
			f->n = strtoll(num, &end, 10);
			if (*end == '\0' && num_start(num, 0) && errno == 0)
				return 0;
		}
		return fail_full("field '%.*s' is not an integer: '%.*s'",
		                 (int)f->klen, f->key, (int)(n > 40 ? 40 : n), v);
	case T_NUM:
		f->type = V_NUM;
		if (json_num_text(v, n))
			return 0;
		f->type = V_DBL;
		if (n > 0 && n < sizeof num) {
			memcpy(num, v, n);
			num[n] = '\0';
			f->d = strtod(num, &end);
			if (*end == '\0' && num_start(num, 1) && f->d - f->d == 0)
				return 0;
		}
		return fail_full("field '%.*s' is not a number: '%.*s'",
		                 (int)f->klen, f->key, (int)(n > 40 ? 40 : n), v);
	case T_TIME:
		f->type = V_TIME;
		if (any_time(v, n, &f->n) == 0)
			return 0;
		return fail_full("field '%.*s' is not a time: '%.*s'",
		                 (int)f->klen, f->key, (int)(n > 40 ? 40 : n), v);
	}
	return 0;
}

static enum ttype type_of(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ntypes; i++)
		if (types[i].len == len && memcmp(types[i].name, name, len) == 0)
			return types[i].type;
	return T_AUTO;
}

/* The -t field: its time, written as "ts". */
static int add_time_field(const char *v, size_t n)
{
	struct field *f = add(KEY("ts"), V_TIME, v, n);

	if (any_time(v, n, &f->n) == 0)
		return 0;
	return fail_full("field '%s' is not a time: '%.*s'", time_field,
	                 (int)(n > 40 ? 40 : n), v);
}

/*
 * Web server access logs: Apache's common, combined and vhost_combined
 * and nginx's combined.  "-" is an absent value.
 */

static const char *tok_end(const char *p, const char *e)
{
	const char *q = memchr(p, ' ', (size_t)(e - p));

	return q ? q : e;
}

static void add_text(const char *key, size_t klen, int kraw,
                     const char *p, const char *e)
{
	if (!is_dash(p, e))
		add(key, klen, kraw, text_type(p, e), p, (size_t)(e - p));
}

/* HTTP's token characters, which a method is made of. */
static int is_method(const char *p, const char *e)
{
	for (; p < e; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      is_digit(*p) || (*p && strchr("!#$%&'*+-.^_`|~", *p))))
			return 0;
	return 1;
}

/* "%r": method, path and protocol, or the whole text as "request" when
 * it is not a request line (a TLS handshake sent to the HTTP port). */
static void request(const char *p, const char *e)
{
	const char *sp, *ls;

	if (p == e || is_dash(p, e))
		return;
	sp = memchr(p, ' ', (size_t)(e - p));
	if (sp == NULL || sp == p || !is_method(p, sp)) {
		add(KEY("request"), text_type(p, e), p, (size_t)(e - p));
		return;
	}
	add(KEY("method"), V_STR, p, (size_t)(sp - p));
	for (ls = e - 1; ls > sp && *ls != ' '; ls--)
		;
	if (ls > sp && e - ls > 5 && memcmp(ls + 1, "HTTP/", 5) == 0) {
		add(KEY("path"), text_type(sp + 1, ls), sp + 1,
		    (size_t)(ls - sp - 1));
		add(KEY("protocol"), V_STR, ls + 1, (size_t)(e - ls - 1));
	} else {
		add(KEY("path"), text_type(sp + 1, e), sp + 1,
		    (size_t)(e - sp - 1));
	}
}

/* "%v:%p " of vhost_combined. */
static int vhost(const char **pp, const char *e)
{
	const char *p = *pp, *t = tok_end(p, e), *c = t;
	int64_t port = 0;

	while (c > p && c[-1] != ':')
		c--;
	if (c - 1 <= p || c == t || t - c > 5 || t == e)
		return fail("expected 'host:port' first");
	add(KEY("vhost"), V_STR, p, (size_t)(c - 1 - p));
	for (p = c; p < t; p++) {
		if (!is_digit(*p))
			return fail("expected 'host:port' first");
		port = port * 10 + (*p - '0');
	}
	add(KEY("port"), V_INT, NULL, 0)->n = port;
	*pp = t + 1;
	return 0;
}

/* "[DD/Mon/YYYY:HH:MM:SS +HHMM]"; the last one read is remembered, since
 * busy logs repeat a second many times. */
static int web_time(const char *p, int64_t *ms)
{
	static char last[26];
	static int64_t last_ms;
	static int have_last;

	if (have_last && memcmp(p, last, 26) == 0) {
		*ms = last_ms;
		return 0;
	}
	if (clf_time(p, 26, ms) < 0)
		return -1;
	memcpy(last, p, 26);
	last_ms = *ms;
	have_last = 1;
	return 0;
}

/* The client, ident and user fields, up to the time's '['. */
static int web_who(const char **pp, const char *e)
{
	const char *p = *pp, *t, *q;

	t = tok_end(p, e);
	if (t == p || t == e)
		return fail("expected the client address");
	add_text(KEY("remote_addr"), p, t);
	p = t + 1;
	t = tok_end(p, e);
	if (t == p || t == e)
		return fail("expected the ident field");
	add_text(KEY("ident"), p, t);
	p = t + 1;
	/* A user name may hold spaces: it ends where the time begins. */
	for (q = p; (q = memchr(q, '[', (size_t)(e - q))) != NULL; q++)
		if (q - 1 > p && q[-1] == ' ')
			break;
	if (q == NULL)
		return fail("expected '[' before the time");
	add_text(KEY("user"), p, q - 1);
	*pp = q + 1;
	return 0;
}

/* A quoted field after ` "`: its text, and *pp after the closing quote. */
static int web_quoted(const char **pp, const char *e, const char *what,
                      const char **v, const char **ve)
{
	const char *p = *pp, *q;

	if (e - p < 2 || p[0] != ' ' || p[1] != '"')
		return fail("expected '\"' before the %s", what);
	p += 2;
	if ((q = close_quote(p, e)) == NULL)
		return fail("unterminated %s", what);
	*v = p;
	*ve = q;
	*pp = q + 1;
	return 0;
}

/* " STATUS BYTES" */
static int web_status(const char **pp, const char *e, enum fmt f)
{
	const char *p = *pp, *t;

	if (e - p < 4 || p[0] != ' ' || !is_digit(p[1]) || !is_digit(p[2]) ||
	    !is_digit(p[3]) || (e - p > 4 && p[4] != ' '))
		return fail("expected a 3-digit status");
	add(KEY("status"), V_INT, NULL, 0)->n =
	    (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
	p += 4;
	if (p == e)
		return fail("expected the byte count");
	t = tok_end(++p, e);
	if (is_dash(p, t) && f != F_NGINX) {
		*pp = t;
		return 0;
	}
	if (t == p)
		return fail("expected the byte count");
	while (p + 1 < t && *p == '0')
		p++;
	add(KEY("bytes"), V_NUM, p, (size_t)(t - p));
	for (; p < t; p++)
		if (!is_digit(*p))
			return fail("expected the byte count");
	*pp = t;
	return 0;
}

static int parse_web(const char *s, size_t n, enum fmt f)
{
	const char *p = s, *e = s + n, *v, *ve;
	int64_t ms;

	if (f == F_VHOST && vhost(&p, e) < 0)
		return -1;
	if (web_who(&p, e) < 0)
		return -1;
	if (e - p < 27 || p[26] != ']' || web_time(p, &ms) < 0)
		return fail("invalid time");
	add(KEY("ts"), V_TIME, NULL, 0)->n = ms;
	p += 27;
	if (web_quoted(&p, e, "request", &v, &ve) < 0)
		return -1;
	request(v, ve);
	if (web_status(&p, e, f) < 0)
		return -1;
	if (f == F_COMMON)
		return p == e ? 0 : fail("unexpected text after the byte count");
	if (web_quoted(&p, e, "referer", &v, &ve) < 0)
		return -1;
	add_text(KEY("referer"), v, ve);
	if (web_quoted(&p, e, "user agent", &v, &ve) < 0)
		return -1;
	add_text(KEY("user_agent"), v, ve);
	return p == e ? 0 : fail("unexpected text after the user agent");
}

/*
 * Syslog: RFC 3164 (BSD) and RFC 5424.
 */

static void add_pri(int pri)
{
	static const char *const fac[] = {
		"kern", "user", "mail", "daemon", "auth", "syslog", "lpr",
		"news", "uucp", "cron", "authpriv", "ftp", "ntp", "security",
		"console", "solaris-cron", "local0", "local1", "local2",
		"local3", "local4", "local5", "local6", "local7"
	};
	static const char *const sev[] = {
		"emerg", "alert", "crit", "err", "warning", "notice", "info",
		"debug"
	};
	const char *f = fac[pri >> 3], *s = sev[pri & 7];

	add(KEY("facility"), V_STR, f, strlen(f));
	add(KEY("severity"), V_STR, s, strlen(s));
}

/* "<PRI>": 1 and *pri when there, 0 when absent, -1 when malformed. */
static int parse_pri(const char **pp, const char *e, int *pri)
{
	const char *p = *pp;
	int v = 0, n = 0;

	if (p == e || *p != '<')
		return 0;
	for (p++; p < e && is_digit(*p) && n < 3; p++, n++)
		v = v * 10 + (*p - '0');
	if (n == 0 || p == e || *p != '>' || v > 191)
		return -1;
	*pri = v;
	*pp = p + 1;
	return 1;
}

/* "TAG[PID]: " or "TAG: " of RFC 3164; the message when it is neither. */
static void syslog_tag(const char *p, const char *e)
{
	const char *q = p, *pid = NULL, *pe = NULL;

	while (q < e && *q != ' ' && *q != ':' && *q != '[')
		q++;
	if (q > p && q < e && *q == '[') {
		pid = q + 1;
		pe = memchr(pid, ']', (size_t)(e - pid));
		if (pe == NULL || pe + 1 == e || pe[1] != ':')
			pe = pid = NULL;
	}
	if (q == p || q == e || (*q != ':' && pid == NULL)) {
		add(KEY("msg"), V_STR, p, (size_t)(e - p));
		return;
	}
	add(KEY("app_name"), V_STR, p, (size_t)(q - p));
	if (pid != NULL) {
		add(KEY("procid"), V_STR, pid, (size_t)(pe - pid));
		q = pe + 1;
	}
	q++;
	if (q < e && *q == ' ')
		q++;
	add(KEY("msg"), V_STR, q, (size_t)(e - q));
}

static int parse_syslog(const char *s, size_t n)
{
	const char *p = s, *e = s + n, *t;
	struct field *ts;
	int pri;

	switch (parse_pri(&p, e, &pri)) {
	case -1:
		return fail("invalid priority");
	case 1:
		add_pri(pri);
		break;
	}
	ts = add(KEY("ts"), V_TIME, NULL, 0);
	if (p < e && is_digit(*p)) {
		/* rsyslog's precise form puts RFC 3339 time here. */
		t = tok_end(p, e);
		if (tm_parse_rfc3339(p, (size_t)(t - p), &ts->n) < 0)
			return fail("invalid time");
	} else if (syslog_time(p, e, &t, &ts->n) < 0) {
		return fail("invalid time");
	}
	p = t;
	if (p == e || *p != ' ' || p + 1 == e || p[1] == ' ')
		return fail("expected a host name after the time");
	t = tok_end(++p, e);
	/* A message sent without a host name starts with its tag. */
	if (t[-1] != ':' && !memchr(p, '[', (size_t)(t - p))) {
		add(KEY("hostname"), V_STR, p, (size_t)(t - p));
		p = t < e ? t + 1 : t;
	}
	syslog_tag(p, e);
	return 0;
}

/* A header field of RFC 5424: printable ASCII, "-" for none, then ' '. */
static int header_5424(const char **pp, const char *e, const char *key,
                       size_t klen, int kraw, const char *what)
{
	const char *p = *pp, *t = p;

	while (t < e && *t > ' ' && *t < 127)
		t++;
	if (t == p || t == e || *t != ' ')
		return fail("expected the %s", what);
	if (!is_dash(p, t))
		add(key, klen, kraw, V_STR, p, (size_t)(t - p));
	*pp = t + 1;
	return 0;
}

/* STRUCTURED-DATA: "-", or "[ID NAME="VALUE" ...]" elements. */
static const char *sd_end(const char *p, const char *e)
{
	const char *q;

	if (p < e && *p == '-')
		return p + 1;
	if (p == e || *p != '[')
		return NULL;
	while (p < e && *p == '[') {
		if ((q = sd_name(p + 1, e)) == p + 1)
			return NULL;
		for (p = q; p < e && *p == ' '; p = q + 1) {
			if ((q = sd_name(p + 1, e)) == p + 1 || e - q < 2 ||
			    q[0] != '=' || q[1] != '"')
				return NULL;
			if ((q = sd_value_end(q + 2, e)) == e)
				return NULL;
		}
		if (p == e || *p != ']')
			return NULL;
		p++;
	}
	return p;
}

static int parse_5424(const char *s, size_t n)
{
	const char *p = s, *e = s + n, *t;
	int pri;

	if (parse_pri(&p, e, &pri) != 1)
		return fail("expected '<PRI>'");
	add_pri(pri);
	for (t = p; t < e && is_digit(*t) && t - p < 3; t++)
		;
	if (t == p || *p == '0' || t == e || *t != ' ')
		return fail("expected the version 1 after '<PRI>'");
	p = t + 1;
	t = tok_end(p, e);
	if (!is_dash(p, t)) {
		struct field *f = add(KEY("ts"), V_TIME, NULL, 0);

		if (tm_parse_rfc3339(p, (size_t)(t - p), &f->n) < 0)
			return fail("invalid time");
	}
	if (t == e)
		return fail("expected the host name");
	p = t + 1;
	if (header_5424(&p, e, KEY("hostname"), "host name") < 0 ||
	    header_5424(&p, e, KEY("app_name"), "app name") < 0 ||
	    header_5424(&p, e, KEY("procid"), "process id") < 0 ||
	    header_5424(&p, e, KEY("msgid"), "message id") < 0)
		return -1;
	if ((t = sd_end(p, e)) == NULL)
		return fail("invalid structured data");
	if (!is_dash(p, t))
		add(KEY("structured_data"), V_SD, p, (size_t)(t - p));
	if (t == e)
		return 0;
	if (*t != ' ')
		return fail("expected ' ' after the structured data");
	p = t + 1;
	if (e - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	add(KEY("msg"), V_STR, p, (size_t)(e - p));
	return 0;
}

/*
 * logfmt: key=value pairs, values quoted with Go's escapes when they hold
 * spaces; a bare key is true.
 */

static int logfmt_pair(const char *k, const char *ke, const char *v,
                       const char *ve, int quoted)
{
	struct field *f;
	size_t kl = (size_t)(ke - k);
	enum ttype t = type_of(k, kl);

	if (kl == strlen(time_field) && memcmp(k, time_field, kl) == 0)
		return add_time_field(v, (size_t)(ve - v));
	/* Quoting makes a value a string, unless --types says otherwise. */
	if (quoted && t == T_AUTO)
		t = T_STR;
	f = add(k, kl, 0, V_STR, v, (size_t)(ve - v));
	return set_typed(f, v, (size_t)(ve - v), t,
	                 quoted && memchr(v, '\\', (size_t)(ve - v)));
}

static int logfmt_bare;		/* bare keys of the last logfmt line */

static int parse_logfmt(const char *s, size_t n)
{
	const char *p = s, *e = s + n, *k, *ke, *v;
	int pairs = 0, have_time = 0;

	logfmt_bare = 0;
	for (;;) {
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if (p == e)
			break;
		for (k = p; p < e && (unsigned char)*p > ' ' && *p != '=' &&
		     *p != '"'; p++)
			;
		if (p == k)
			return fail("expected a key at column %zu",
			            (size_t)(p - s) + 1);
		ke = p;
		if (p == e || *p == ' ' || *p == '\t') {
			add(k, (size_t)(ke - k), 0, V_TRUE, NULL, 0);
			logfmt_bare++;
			continue;
		}
		if (*p == '"')
			return fail("'\"' in a key at column %zu",
			            (size_t)(p - s) + 1);
		if (++p < e && *p == '"') {
			v = ++p;
			if ((p = close_quote(v, e)) == NULL)
				return fail("unterminated value of '%.*s'",
				            (int)(ke - k), k);
			if (p + 1 < e && p[1] != ' ' && p[1] != '\t')
				return fail("expected a space after the value "
				            "of '%.*s'", (int)(ke - k), k);
			if (logfmt_pair(k, ke, v, p++, 1) < 0)
				return -1;
		} else {
			for (v = p; p < e && *p != ' ' && *p != '\t'; p++)
				;
			if (logfmt_pair(k, ke, v, p, 0) < 0)
				return -1;
		}
		have_time |= fv[nf - 1].type == V_TIME && fv[nf - 1].kraw;
		pairs++;
	}
	if (pairs == 0)
		return fail("no key=value pair");
	logfmt_bare -= pairs;
	if (time_field_given && !have_time)
		return fail_full("no field '%s'", time_field);
	return 0;
}

/*
 * Patterns: literal text and %{name[:type]} fields.  A field ends where
 * the text after it is next found; the last field takes the rest of the
 * line, or all but the text that ends the pattern.  A run of spaces in
 * the pattern matches a run of spaces in the line.
 */

/* Where literal l matches at p: the end of the match, or NULL. */
static const char *lit_at(const char *p, const char *e, const struct pel *l)
{
	size_t i;

	for (i = 0; i < l->len; i++) {
		if (l->text[i] != ' ') {
			if (p == e || *p != l->text[i])
				return NULL;
			p++;
			continue;
		}
		if (p == e || *p != ' ')
			return NULL;
		while (p < e && *p == ' ')
			p++;
		while (i + 1 < l->len && l->text[i + 1] == ' ')
			i++;
	}
	return p;
}

/* The first place at or after p where literal l matches (skipping quotes
 * escaped since start when quoted), or NULL. */
static const char *lit_find(const char *start, const char *p, const char *e,
                            const struct pel *l, int quoted)
{
	const char *q;

	while (p < e && (q = memchr(p, l->text[0], (size_t)(e - p))) != NULL) {
		if (!(quoted && escaped(start, q)) && lit_at(q, e, l) != NULL)
			return q;
		p = q + 1;
	}
	return NULL;
}

/* The last place where literal l matches up to the end of the line. */
static const char *lit_last(const char *p, const char *e, const struct pel *l)
{
	const char *q;

	for (q = e; q-- > p;)
		if (*q == l->text[0] && lit_at(q, e, l) == e)
			return q;
	return NULL;
}

static int pat_value(const struct pel *el, const char *v, const char *ve)
{
	struct field *f;
	size_t n = (size_t)(ve - v);

	if (el->skip || is_dash(v, ve))
		return 0;
	f = add(el->text, el->len, 0, V_STR, v, n);
	return set_typed(f, v, n, el->type,
	                 el->quoted && memchr(v, '\\', n) != NULL);
}

static int parse_pattern(const char *s, size_t n)
{
	const char *p = s, *e = s + n, *q;
	size_t i;

	for (i = 0; i < npat; i++) {
		const struct pel *el = &pat[i], *nx = &pat[i + 1];

		if (!el->field) {
			if ((q = lit_at(p, e, el)) == NULL)
				return fail("expected '%s' at column %zu",
				            el->text, (size_t)(p - s) + 1);
			p = q;
			continue;
		}
		if (i + 1 == npat)
			q = e;
		else if (i + 2 == npat)
			q = lit_last(p, e, nx);
		else
			q = lit_find(p, p, e, nx, el->quoted);
		if (q == NULL)
			return fail("expected '%s' after %%{%s}", nx->text,
			            el->text);
		if (pat_value(el, p, q) < 0)
			return -1;
		p = q;
	}
	return p == e ? 0 : fail("unexpected text at column %zu",
	                         (size_t)(p - s) + 1);
}

static enum ttype type_named(const char *s, size_t n)
{
	static const struct { const char *name; enum ttype t; } names[] = {
		{"str", T_STR}, {"int", T_INT}, {"num", T_NUM}, {"time", T_TIME}
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i].name) == n && memcmp(names[i].name, s, n) == 0)
			return names[i].t;
	return T_AUTO;
}

static struct pel *pat_push(void)
{
	pat = rt_xrealloc(pat, (npat + 2) * sizeof *pat);
	memset(&pat[npat], 0, 2 * sizeof *pat);
	return &pat[npat++];
}

/* Reads "%{name[:type]}" at s; returns what it used. */
static size_t pat_field(const char *s)
{
	const char *end = s + strcspn(s, "}"), *colon;
	struct pel *el;

	if (*end == '\0')
		rt_die(2, "-F: unterminated '%%{' in the pattern");
	colon = memchr(s + 2, ':', (size_t)(end - s - 2));
	if (colon == NULL)
		colon = end;
	if (colon == s + 2)
		rt_die(2, "-F: a field without a name in the pattern");
	if (npat > 0 && pat[npat - 1].field)
		rt_die(2, "-F: fields '%s' and '%.*s' need text between them",
		       pat[npat - 1].text, (int)(colon - s - 2), s + 2);
	el = pat_push();
	el->field = 1;
	el->text = rt_xstrndup(s + 2, (size_t)(colon - s - 2));
	el->len = (size_t)(colon - s - 2);
	el->skip = strcmp(el->text, "_") == 0;
	el->type = T_STR;
	if (colon < end &&
	    (el->type = type_named(colon + 1, (size_t)(end - colon - 1))) == T_AUTO)
		rt_die(2, "-F: unknown type '%.*s' of field '%s'",
		       (int)(end - colon - 1), colon + 1, el->text);
	return (size_t)(end - s) + 1;
}

static void pat_literal(struct buf *lit)
{
	struct pel *el;

	if (lit->len == 0)
		return;
	el = pat_push();
	el->text = rt_xstrndup(lit->p, lit->len);
	el->len = lit->len;
	lit->len = 0;
}

static void free_pattern(void)
{
	size_t i;

	for (i = 0; i < npat; i++)
		free(pat[i].text);
	free(pat);
	pat = NULL;
	npat = 0;
}

static void compile_pattern(const char *s)
{
	struct buf lit = {0};
	size_t i;

	free_pattern();
	while (*s != '\0') {
		if (s[0] == '%' && s[1] == '{') {
			pat_literal(&lit);
			s += pat_field(s);
			continue;
		}
		if (buf_addc(&lit, *s) < 0)
			rt_oom();
		s += s[0] == '%' && s[1] == '%' ? 2 : 1;
	}
	pat_literal(&lit);
	buf_free(&lit);
	for (i = 0; i < npat; i++) {
		const struct pel *b = i > 0 ? &pat[i - 1] : NULL;
		const struct pel *a = i + 1 < npat ? &pat[i + 1] : NULL;

		pat[i].quoted = pat[i].field && b && a &&
		    b->text[b->len - 1] == '"' && a->text[0] == '"';
	}
}

static struct json_obj jobj;	/* scan of the last JSON line */

static int parse_json(const char *s, size_t n)
{
	char err[160];
	size_t i = 0;

	if (json_scan(s, n, &jobj, err, sizeof err) == 0)
		return 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == n || s[i] != '{')
		return fail_full("not a JSON object");
	return fail_full("invalid JSON: %s", err);
}

/* Parses a line of a line-based format into the fields.  0, or -1 with
 * the reason in why. */
static int parse(enum fmt f, const char *s, size_t n)
{
	nf = 0;
	switch (f) {
	case F_COMMON:
	case F_COMBINED:
	case F_NGINX:
	case F_VHOST:
		return parse_web(s, n, f);
	case F_SYSLOG:
		return parse_syslog(s, n);
	case F_RFC5424:
		return parse_5424(s, n);
	case F_LOGFMT:
		return parse_logfmt(s, n);
	case F_JSON:
		return parse_json(s, n);
	case F_PATTERN:
		return parse_pattern(s, n);
	default:
		return fail("no format");
	}
}

static void report(const char *s, size_t n, unsigned long long lineno,
                   enum fmt f)
{
	if (why_full)
		rt_bad(s, n, lineno, "%s", why);
	else if (f == F_PATTERN)
		rt_bad(s, n, lineno, "does not match the pattern: %s", why);
	else
		rt_bad(s, n, lineno, "does not match the %s format: %s",
		       fmt_names[f], why);
}

/*
 * CSV, through libcsv: a record may span lines, so the lines are handed
 * to the parser with their newlines, and a record is reported at its
 * first line.  records_in counts records, not lines.
 */

struct cell {
	size_t off, len;
	int null;		/* empty and unquoted: absent */
};

static struct csv_parser csvp;
static struct buf craw;			/* the lines of the open record */
static struct buf cvals;		/* its field values */
static struct cell *cells;
static size_t ncells, cells_cap;
static unsigned long long cfirst, clast; /* its first line; last line fed */
static int copen;			/* a record is open */
static int csv_ready;			/* csvp is initialised */
static int cinput = -1;			/* operand the lines come from */
static struct buf hnames;		/* header names */
static struct cell *hcells;
static enum ttype *htypes;
static size_t ncols;
static long tcol = -1;			/* column of -t, or -1 */
static int have_header;

static int never(unsigned char c)
{
	(void)c;
	return 0;
}

static int is_lf(unsigned char c)
{
	return c == '\n';
}

static void csv_start(void)
{
	if (csv_init(&csvp, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0)
		rt_oom();
	csv_set_delim(&csvp, delim);
	/* RFC 4180: spaces belong to the field; only a newline ends a
	 * record, so that a lone carriage return is data. */
	csv_set_space_func(&csvp, never);
	csv_set_term_func(&csvp, is_lf);
	csv_ready = 1;
}

static void csv_reset(void)
{
	csv_free(&csvp);
	csv_start();
	ncells = 0;
	cvals.len = 0;
	copen = 0;
}

static void csv_bad(const char *f, ...) __attribute__((format(printf, 1, 2)));
static void csv_bad(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	rt_vbad(craw.p, craw.len, cfirst, f, ap);
	va_end(ap);
}

static void csv_cell(void *s, size_t n, void *arg)
{
	struct cell *c;

	(void)arg;
	if (ncells == cells_cap) {
		size_t cap = cells_cap ? cells_cap * 2 : 32;

		cells = rt_xrealloc(cells, cap * sizeof *cells);
		cells_cap = cap;
	}
	c = &cells[ncells++];
	c->off = cvals.len;
	c->len = n;
	c->null = s == NULL;
	if (s != NULL && buf_add(&cvals, s, n) < 0)
		rt_oom();
}

/* Gives a copy of the cells to the header, and types to its columns. */
static void set_header(const struct cell *c, size_t n, const char *text)
{
	size_t i;

	hnames.len = 0;
	free(hcells);
	free(htypes);
	hcells = rt_xrealloc(NULL, n * sizeof *hcells);
	htypes = rt_xrealloc(NULL, n * sizeof *htypes);
	tcol = -1;
	for (i = 0; i < n; i++) {
		const char *name = text + c[i].off;
		size_t len = c[i].null ? 0 : c[i].len;
		char num[24];

		/* An empty name is the column's number. */
		if (len == 0) {
			len = (size_t)snprintf(num, sizeof num, "%zu", i + 1);
			name = num;
		}
		hcells[i].off = hnames.len;
		hcells[i].len = len;
		if (buf_add(&hnames, name, len) < 0)
			rt_oom();
		htypes[i] = type_of(name, len);
		if (tcol < 0 && len == strlen(time_field) &&
		    memcmp(name, time_field, len) == 0)
			tcol = (long)i;
	}
	ncols = n;
	have_header = 1;
}

static int csv_fields(void)
{
	size_t i;

	nf = 0;
	if (ncells != ncols)
		return fail("%zu fields where the header has %zu", ncells, ncols);
	if (tcol < 0 && time_field_given)
		return fail_full("no field '%s'", time_field);
	for (i = 0; i < ncells; i++) {
		const char *v = cvals.p + cells[i].off;
		struct field *f;

		if (cells[i].null)
			continue;
		if ((long)i == tcol) {
			if (add_time_field(v, cells[i].len) < 0)
				return -1;
			continue;
		}
		f = add(hnames.p + hcells[i].off, hcells[i].len, 0, V_STR, v,
		        cells[i].len);
		if (set_typed(f, v, cells[i].len, htypes[i], 0) < 0)
			return -1;
	}
	return 0;
}

static void csv_row(int term, void *arg)
{
	(void)term;
	(void)arg;
	copen = 0;
	if (!have_header) {
		set_header(cells, ncells, cvals.p);
		rt.records_in--;
	} else if (csv_fields() == 0) {
		emit();
	} else if (why_full) {
		csv_bad("%s", why);
	} else {
		csv_bad("does not match the csv header: %s", why);
	}
	ncells = 0;
	cvals.len = 0;
}

static int csv_feed(const char *s, size_t n)
{
	if (csv_parse(&csvp, s, n, csv_cell, csv_row, NULL) == n)
		return 0;
	if (csv_error(&csvp) == CSV_ENOMEM)
		rt_oom();
	return -1;
}

/* At the end of an input, a record still open has an unclosed quote. */
static void csv_end_input(void)
{
	if (copen) {
		csv_bad("does not match the csv format: unterminated quoted field");
		csv_reset();
	}
	if (columns == NULL)
		have_header = 0;
}

static void csv_line(const struct line *l, int input, int cut)
{
	const char *s = l->ptr;
	size_t n = l->len;

	if (!csv_ready)
		csv_start();
	if (input != cinput) {
		csv_end_input();
		cinput = input;
		clast = 0;
		if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
			s += 3, n -= 3;
	}
	/* Lines the reader skipped: empty ones belong to a quoted field. */
	if (copen && l->lineno > clast + 1 && cut) {
		csv_bad("does not match the csv format: record cut by an overlong line");
		csv_reset();
	}
	for (; copen && clast + 1 < l->lineno; clast++)
		if (buf_addc(&craw, '\n') < 0 || csv_feed("\n", 1) < 0)
			rt_oom();
	if (!copen) {
		craw.len = 0;
		cfirst = l->lineno;
	} else {
		if (buf_addc(&craw, '\n') < 0)
			rt_oom();
		rt.records_in--;
	}
	if (buf_add(&craw, s, n) < 0)
		rt_oom();
	clast = l->lineno;
	copen = 1;
	if (csv_feed(s, n) < 0 || csv_feed("\n", 1) < 0) {
		csv_bad("does not match the csv format: malformed quotes");
		csv_reset();
	} else if (copen && craw.len > rt.max_line) {
		csv_bad("does not match the csv format: record longer than %zu "
		        "bytes (an unclosed quote?)", rt.max_line);
		csv_reset();
	}
}

static void handle(const struct line *l, int input, int cut)
{
	if (fmt == F_CSV) {
		csv_line(l, input, cut);
		return;
	}
	if (parse(fmt, l->ptr, l->len) < 0) {
		report(l->ptr, l->len, l->lineno, fmt);
	} else if (fmt == F_JSON) {
		out_json_raw(&rt.out, l->ptr, l->len);
		rt_emit_end();
	} else {
		emit();
	}
}

/*
 * --auto: the first lines that are ready (up to AUTO_LINES) are held,
 * every format is tried on them, the one that parses most of them wins
 * (the earlier in this list on a tie), if it parses half of them at
 * least, and the held lines are then handled as if just read.  Free text
 * with a few "a=b" in it is not logfmt: a logfmt line counts when it has
 * more pairs than bare keys.
 */
static const enum fmt candidates[] = {
	F_JSON, F_RFC5424, F_SYSLOG, F_VHOST, F_COMBINED, F_COMMON, F_LOGFMT
};

struct held {
	size_t off, len;
	unsigned long long lineno;
	const char *name;
	int input, cut;
};

/* Could the line be a CSV header: two names or more, none of them a
 * number or a time? */
static int csv_header_like(const char *s, size_t n)
{
	const char *e = s + n, *c;
	int64_t ms;

	if (memchr(s, delim, n) == NULL)
		return 0;
	for (;; s = c + 1) {
		if ((c = memchr(s, delim, (size_t)(e - s))) == NULL)
			c = e;
		if (json_num_text(s, (size_t)(c - s)) ||
		    any_time(s, (size_t)(c - s), &ms) == 0)
			return 0;
		if (c == e)
			return 1;
	}
}

static enum fmt detect(const struct held *h, int n, const char *text)
{
	int saved_year = cur_year, saved_month = last_month;
	int i, best = 0, k;
	size_t c;
	enum fmt f = F_AUTO;

	for (c = 0; c < sizeof candidates / sizeof candidates[0]; c++) {
		for (i = k = 0; i < n; i++)
			k += parse(candidates[c], text + h[i].off, h[i].len) == 0 &&
			     (candidates[c] != F_LOGFMT || logfmt_bare < 0);
		if (k > best && 2 * k >= n) {
			best = k;
			f = candidates[c];
		}
		cur_year = saved_year;
		last_month = saved_month;
	}
	if (f == F_AUTO && csv_header_like(text, h[0].len))
		f = F_CSV;
	if (f == F_AUTO)
		rt_die(1, "%s: cannot tell the log format from the first %d "
		       "lines; name it with -F", h[0].name, n);
	return f;
}

static void run_auto(void)
{
	struct held h[AUTO_LINES];
	struct buf text = {0};
	struct line l;
	unsigned long long bad0 = rt.bad_input;
	const char *name;
	int n = 0, i;

	while (n < AUTO_LINES && rt_next_line(&l, n == 0 ? -1 : 0) == LINE_OK) {
		h[n].off = text.len;
		h[n].len = l.len;
		h[n].lineno = l.lineno;
		h[n].name = rt.in.name;
		h[n].input = rt.in.next;
		h[n].cut = rt.bad_input != bad0;
		bad0 = rt.bad_input;
		if (buf_add(&text, l.ptr, l.len) < 0 || buf_addc(&text, '\0') < 0)
			rt_oom();
		n++;
	}
	if (n > 0)
		fmt = detect(h, n, text.p);
	name = rt.in.name;
	for (i = 0; i < n; i++) {
		l.ptr = text.p + h[i].off;
		l.len = h[i].len;
		l.lineno = h[i].lineno;
		rt.in.name = h[i].name;
		handle(&l, h[i].input, h[i].cut);
	}
	rt.in.name = name;
	buf_free(&text);
}

/*
 * Options.
 */

static void set_format(const char *s)
{
	size_t i;

	if (strcmp(s, "rfc3164") == 0)
		s = "syslog";
	for (i = F_COMMON; i < F_PATTERN; i++) {
		if (strcmp(s, fmt_names[i]) == 0) {
			fmt = (enum fmt)i;
			return;
		}
	}
	if (strstr(s, "%{") == NULL)
		rt_die(2, "-F: unknown format '%s' (a pattern needs a %%{field})", s);
	fmt = F_PATTERN;
	compile_pattern(s);
}

/* "+HH:MM", "-HHMM", "+HH", "UTC" or "Z": a fixed offset in *ms. */
static int fixed_offset(const char *s, int64_t *ms)
{
	char b[32] = "2000-01-01T00:00:00";
	int64_t t;

	if (strcmp(s, "UTC") == 0 || strcmp(s, "Z") == 0 ||
	    strcmp(s, "GMT") == 0) {
		*ms = 0;
		return 0;
	}
	if (zone_text(s, s + strlen(s), b, 19) != 25 ||
	    tm_parse_rfc3339(b, 25, &t) < 0)
		return -1;
	*ms = 946684800000LL - t;
	return 0;
}

static void set_tz(const char *z)
{
	const char *dir = getenv("TZDIR");
	char path[4096];
	struct stat st;

	if (fixed_offset(z, &tz_fixed_ms) == 0) {
		tz_fixed = 1;
		return;
	}
	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	if (z[0] == '/')
		snprintf(path, sizeof path, "%s", z);
	else
		snprintf(path, sizeof path, "%s/%s", dir, z);
	if (*z == '\0' || strstr(z, "..") != NULL || stat(path, &st) < 0 ||
	    !S_ISREG(st.st_mode))
		rt_die(2, "--tz: unknown time zone: '%s'", z);
	if (setenv("TZ", z, 1) < 0)
		rt_oom();
}

static enum ttype type_or_die(const char *s, size_t n)
{
	enum ttype t = type_named(s, n);

	if (t == T_AUTO)
		rt_die(2, "--types: unknown type '%.*s'", (int)n, s);
	return t;
}

/* "NAME:TYPE,..."; the names point into arg, which lives as long. */
static void set_types(const char *arg)
{
	const char *p = arg, *c, *colon;

	while (*p != '\0') {
		c = strchr(p, ',');
		if (c == NULL)
			c = p + strlen(p);
		for (colon = c; colon > p && colon[-1] != ':'; colon--)
			;
		if (colon - 1 <= p)
			rt_die(2, "--types: expected NAME:TYPE, not '%.*s'",
			       (int)(c - p), p);
		types = rt_xrealloc(types, (ntypes + 1) * sizeof *types);
		types[ntypes].name = p;
		types[ntypes].len = (size_t)(colon - 1 - p);
		types[ntypes].type = type_or_die(colon, (size_t)(c - colon));
		ntypes++;
		p = *c ? c + 1 : c;
	}
}

static void set_delim(const char *s)
{
	if (strcmp(s, "tab") == 0 || strcmp(s, "\\t") == 0)
		s = "\t";
	if (strlen(s) != 1 || *s == '"' || *s == '\n' || *s == '\r')
		rt_die_opt("--delimiter", "expected one character");
	delim = (unsigned char)*s;
	delim_given = 1;
}

static void usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f,
	    "usage: log-parse [-F FORMAT | -F PATTERN | --auto] [-t FIELD]"
	    " [--tz ZONE]\n"
	    "                 [--year YEAR] [--columns NAMES]"
	    " [--types NAME:TYPE,...]\n"
	    "                 [--delimiter CHAR] %s\n"
	    "                 [file ...]\n", RT_USAGE);
	exit(status);
}

enum {
	OPT_AUTO = 1, OPT_TZ, OPT_YEAR, OPT_COLUMNS, OPT_TYPES, OPT_DELIM
};

static const struct option longopts[] = {
	RT_LONGOPTS,
	{"format", required_argument, NULL, 'F'},
	{"time-field", required_argument, NULL, 't'},
	{"auto", no_argument, NULL, OPT_AUTO},
	{"tz", required_argument, NULL, OPT_TZ},
	{"year", required_argument, NULL, OPT_YEAR},
	{"columns", required_argument, NULL, OPT_COLUMNS},
	{"types", required_argument, NULL, OPT_TYPES},
	{"delimiter", required_argument, NULL, OPT_DELIM},
	{NULL, 0, NULL, 0}
};

/* --columns: the header, names separated by commas. */
static void set_columns(void)
{
	const char *p = columns, *c;
	struct cell *cs = NULL;
	size_t n = 0;

	fmt = F_CSV;
	for (;; p = c + 1) {
		if ((c = strchr(p, ',')) == NULL)
			c = p + strlen(p);
		cs = rt_xrealloc(cs, (n + 1) * sizeof *cs);
		cs[n].off = (size_t)(p - columns);
		cs[n].len = (size_t)(c - p);
		cs[n].null = 0;
		n++;
		if (*c == '\0')
			break;
	}
	set_header(cs, n, columns);
	free(cs);
}

/* Rejects options that the chosen format would ignore. */
static void check_options(int auto_given, int format_given)
{
	int csv_like = fmt == F_CSV || fmt == F_LOGFMT || fmt == F_AUTO;

	if (auto_given && format_given)
		rt_die(2, "-F and --auto cannot be used together");
	if ((columns || delim_given) && fmt != F_CSV && fmt != F_AUTO)
		rt_die(2, "%s needs -F csv", columns ? "--columns" : "--delimiter");
	if (ntypes > 0 && !csv_like)
		rt_die(2, "--types needs -F csv or -F logfmt");
	if (time_field_given && !csv_like)
		rt_die(2, "-t needs -F csv or -F logfmt");
	if (columns != NULL)
		set_columns();
}

/* Frees what the run used, so that leak checkers see nothing; 0. */
static int cleanup(void)
{
	if (csv_ready)
		csv_free(&csvp);
	json_obj_free(&jobj);
	free_pattern();
	free(types);
	free(fv);
	free(cells);
	free(hcells);
	free(htypes);
	buf_free(&scratch);
	buf_free(&craw);
	buf_free(&cvals);
	buf_free(&hnames);
	return 0;
}

int main(int argc, char **argv)
{
	struct line l;
	int c, auto_given = 0, format_given = 0;
	unsigned long long bad0;

	rt_init("log-parse");
	while ((c = getopt_long(argc, argv, "hF:t:uV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(0); break;
		case 'F': set_format(optarg); format_given = 1; break;
		case 't':
			if (*optarg == '\0')
				rt_die_opt("-t", "empty field name");
			time_field = optarg;
			time_field_given = 1;
			break;
		case OPT_AUTO: auto_given = 1; break;
		case OPT_TZ: set_tz(optarg); break;
		case OPT_YEAR: year = (int)rt_opt_int("--year", optarg, 1, 9999); break;
		case OPT_COLUMNS: columns = optarg; break;
		case OPT_TYPES: set_types(optarg); break;
		case OPT_DELIM: set_delim(optarg); break;
		default:
			if (!rt_option(c, optarg))
				usage(2);
		}
	}
	check_options(auto_given, format_given);
	cur_year = year;
	tzset();

	rt_open_input(argc - optind, argv + optind);
	if (fmt == F_AUTO)
		run_auto();
	for (;;) {
		bad0 = rt.bad_input;
		if (rt_next_line(&l, -1) != LINE_OK)
			break;
		handle(&l, rt.in.next, rt.bad_input != bad0);
	}
	if (csv_ready)
		csv_end_input();
	return rt_finish(cleanup());
}
