/*
 * out: buffered output and the JSON writer.
 *
 * Strings are escaped straight into the buffer: room for the worst case of
 * a slice of input is made once, then plain ASCII is copied 8 bytes at a
 * time and everything else one sequence at a time, without bounds checks.
 *
 * Invalid UTF-8 is replaced the way Unicode recommends ("U+FFFD
 * substitution of maximal subparts", also what the WHATWG decoder does):
 * each maximal prefix of a sequence that could still have become valid is
 * one U+FFFD, so "\xe2\x82A" gives U+FFFD "A" and an encoded surrogate
 * "\xed\xa0\x80" gives three.
 */
#define _GNU_SOURCE		/* F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out.h"
#include "tm.h"

#define OUT_CAP		(128 * 1024)
#define STR_SLICE	4096
#define PIPE_ROOM	(4 * OUT_FLUSH_AT)

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

static const char fffd[3] = { '\xef', '\xbf', '\xbd' };

/* Two-character escapes; the other controls take the \u00XX form. */
static const char esc2[128] = {
	['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
};

/*
 * A Linux pipe holds 64 KiB by default, about one flush: the writer then
 * waits for the reader to empty it after each write, and the stages of a
 * pipeline take turns instead of running at once.  Room for a few flushes
 * lets them overlap.  Where this fails (other systems, the user's quota of
 * pipe memory) it only costs speed.
 */
static void grow_pipe(int fd)
{
#ifdef F_SETPIPE_SZ
	int n = fcntl(fd, F_GETPIPE_SZ);

	if (n >= 0 && n < PIPE_ROOM)
		(void)fcntl(fd, F_SETPIPE_SZ, PIPE_ROOM);
#else
	(void)fd;
#endif
}

int out_init(struct out *o, int fd)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	if ((o->buf = malloc(OUT_CAP)) == NULL)
		return -1;
	o->cap = OUT_CAP;
	grow_pipe(fd);
	return 0;
}

void out_free(struct out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}

/* Waits until fd takes data again; 0, or -1 with errno. */
static int wait_writable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	while (poll(&pfd, 1, -1) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/*
 * Writes the buffer from its start until all is written or a write fails;
 * returns how much was.  A full non-blocking fd is waited for, or with
 * nowait set ends the writing: *blocked then tells so.
 */
static size_t write_out(struct out *o, int nowait, int *blocked)
{
	size_t off = 0;
	ssize_t n;

	while (!o->err && off < o->len) {
		n = write(o->fd, o->buf + off, o->len - off);
		if (n > 0) {
			off += (size_t)n;
			o->bytes += (unsigned long long)n;
		} else if (n == 0) {
			o->err = EIO;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (nowait) {
				*blocked = 1;
				break;
			}
			if (wait_writable(o->fd) < 0)
				o->err = errno;
		} else if (errno != EINTR) {
			o->err = errno;
		}
	}
	return off;
}

int out_flush(struct out *o)
{
	write_out(o, 0, NULL);
	o->len = 0;
	return o->err ? -1 : 0;
}

int out_flush_some(struct out *o)
{
	int blocked = 0;
	size_t off = write_out(o, 1, &blocked);

	memmove(o->buf, o->buf + off, o->len - off);
	o->len -= off;
	return o->err ? -1 : blocked;
}

int out_room(struct out *o, size_t n)
{
	if (o->cap - o->len >= n)
		return 1;
	if (o->len > 0)
		return 0;
	out_grow(o, n);
	return 1;
}

int out_nonblocking(int fd)
{
	struct stat st;
	int fl;

	if (fstat(fd, &st) < 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return -1;
	if ((fl = fcntl(fd, F_GETFL)) < 0 || (fl & O_NONBLOCK))
		return -1;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 ? fl : -1;
}

void out_restore_flags(int fd, int flags)
{
	if (flags >= 0)
		(void)fcntl(fd, F_SETFL, flags);
}

/*
 * Called when n bytes do not fit: what is buffered goes out first, so a
 * large record never makes the buffer grow while it holds others; the
 * buffer grows only when n alone is larger.  Out of memory is sticky like
 * a write error, and the bytes are dropped.
 */
void out_grow(struct out *o, size_t n)
{
	size_t cap;
	char *p;

	if (o->len > 0)
		out_flush(o);
	if (o->cap - o->len >= n)
		return;
	for (cap = o->cap ? o->cap : OUT_CAP; cap < n; cap *= 2)
		if (cap > SIZE_MAX / 2) {
			cap = n;
			break;
		}
	if ((p = realloc(o->buf, cap)) == NULL) {
		if (!o->err)
			o->err = ENOMEM;
		return;
	}
	o->buf = p;
	o->cap = cap;
}

int out_end(struct out *o)
{
	out_putc(o, '\n');
	if (o->unbuffered || o->len >= OUT_FLUSH_AT)
		return out_flush(o);
	return o->err ? -1 : 0;
}

/*
 * The UTF-8 sequence at p (p < end, *p >= 0x80): its length when it is
 * valid, else minus the length of its maximal invalid subpart (at least 1).
 * The ranges of the second byte rule out overlong forms, surrogates and
 * code points above U+10FFFF.
 */
static int utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	int n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return -1;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	for (i = 1; i < n; i++) {
		if (end - p <= i || p[i] < lo || p[i] > hi)
			return -i;
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}

/* The index of the first byte of w, as loaded from memory, whose high bit
 * is set in m (m != 0, high bits only). */
static inline unsigned first_high(uint64_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (unsigned)__builtin_clzll(m) / 8;
#else
	return (unsigned)__builtin_ctzll(m) / 8;
#endif
}

/* ASCII is skipped a word at a time, and two-byte sequences, the most
 * common in Latin scripts, are checked in line. */
size_t utf8_valid_prefix(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	uint64_t w;
	int n;

	while (p < end) {
		if (end - p >= 8) {
			memcpy(&w, p, 8);
			if ((w & HIGHS) == 0) {
				p += 8;
				continue;
			}
			p += first_high(w & HIGHS);
		} else if (*p < 0x80) {
			p++;
			continue;
		}
		if (p[0] >= 0xc2 && p[0] <= 0xdf && end - p >= 2 &&
		    (p[1] & 0xc0) == 0x80) {
			p += 2;
			continue;
		}
		if ((n = utf8_seq(p, end)) < 0)
			break;
		p += n;
	}
	return (size_t)(p - (const unsigned char *)s);
}

/* Copies raw JSON text, repairing invalid UTF-8. */
static void raw_utf8(struct out *o, const char *s, size_t len)
{
	size_t n;

	for (;;) {
		n = utf8_valid_prefix(s, len);
		out_write(o, s, n);
		if (n == len)
			return;
		s += n;
		len -= n;
		n = (size_t)-utf8_seq((const unsigned char *)s,
		    (const unsigned char *)s + len);
		out_write(o, fffd, sizeof(fffd));
		o->repaired++;
		s += n;
		len -= n;
	}
}

/* The surrogate a "\uXXXX" escape at p names: 1 high, 2 low, 0 neither. */
static int surrogate_at(const char *p, const char *end)
{
	if (end - p < 6 || p[1] != 'u' || (p[2] != 'd' && p[2] != 'D'))
		return 0;
	switch (p[3]) {
	case '8': case '9': case 'a': case 'b': case 'A': case 'B':
		return 1;
	case 'c': case 'd': case 'e': case 'f':
	case 'C': case 'D': case 'E': case 'F':
		return 2;
	default:
		return 0;
	}
}

/*
 * Valid JSON may escape a lone surrogate ("\ud800"), which no UTF-8
 * decoder can take: such escapes become "\ufffd", paired ones stay.
 * Everything else is copied as it is.
 */
void out_json_raw(struct out *o, const char *s, size_t len)
{
	const char *end = s + len, *p = s, *bs;

	while ((bs = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		int k = surrogate_at(bs, end);

		if (k == 1 && surrogate_at(bs + 6, end) == 2) {
			p = bs + 12;
			continue;
		}
		if (k == 0) {
			p = bs + 2;	/* an escape never ends the text */
			continue;
		}
		raw_utf8(o, s, (size_t)(bs - s));
		out_lit(o, "\\ufffd");
		o->repaired++;
		s = p = bs + 6;
	}
	raw_utf8(o, s, (size_t)(end - s));
}

int utf8_repair(const char *s, size_t len, struct buf *b)
{
	int repaired = 0;
	size_t n;

	for (;;) {
		n = utf8_valid_prefix(s, len);
		if (buf_add(b, s, n) < 0)
			return -1;
		if (n == len)
			return repaired;
		s += n;
		len -= n;
		n = (size_t)-utf8_seq((const unsigned char *)s,
		    (const unsigned char *)s + len);
		if (buf_add(b, fffd, sizeof(fffd)) < 0)
			return -1;
		repaired++;
		s += n;
		len -= n;
	}
}

/* Any byte of w that a JSON string cannot take as it is? */
static inline int word_needs_escape(uint64_t w)
{
	uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');

	return ((((q - ONES) & ~q) | ((b - ONES) & ~b) |
	    ((w - ONES * 0x20) & ~w) | w) & HIGHS) != 0;
}

static inline int byte_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/*
 * Escapes s up to stop into the buffer, which has room for 6 bytes per
 * input byte (the \u00XX form) plus one sequence that runs past stop.
 * Returns where it stopped.
 */
static const unsigned char *str_slice(struct out *o, const unsigned char *p,
    const unsigned char *stop, const unsigned char *end)
{
	static const char hex[] = "0123456789abcdef";
	char *d = o->buf + o->len;
	uint64_t w;
	int n;

	while (p < stop) {
		while (stop - p >= 8) {
			memcpy(&w, p, 8);
			if (word_needs_escape(w))
				break;
			memcpy(d, &w, 8);
			d += 8;
			p += 8;
		}
		while (p < stop && byte_plain(*p))
			*d++ = (char)*p++;
		if (p == stop)
			break;
		if (*p >= 0x80) {
			if ((n = utf8_seq(p, end)) > 0) {
				memcpy(d, p, (size_t)n);
				d += n;
				p += n;
			} else {
				memcpy(d, fffd, sizeof(fffd));
				d += sizeof(fffd);
				p += -n;
				o->repaired++;
			}
		} else if (*p == '"' || *p == '\\') {
			*d++ = '\\';
			*d++ = (char)*p++;
		} else if (esc2[*p]) {
			*d++ = '\\';
			*d++ = esc2[*p++];
		} else {
			memcpy(d, "\\u00", 4);
			d[4] = hex[*p >> 4];
			d[5] = hex[*p & 15];
			d += 6;
			p++;
		}
	}
	o->len = (size_t)(d - o->buf);
	return p;
}

void out_json_str(struct out *o, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t slice, need;

	out_putc(o, '"');
	while (p < end) {
		slice = (size_t)(end - p) < STR_SLICE ? (size_t)(end - p) : STR_SLICE;
		need = 6 * (slice + 3);
		if (o->cap - o->len < need) {
			out_grow(o, need);
			if (o->cap - o->len < need)
				return;
		}
		p = str_slice(o, p, p + slice, end);
	}
	out_putc(o, '"');
}

void out_json_int(struct out *o, long long v)
{
	char tmp[24], *e = tmp + sizeof(tmp), *p = e;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	out_write(o, p, (size_t)(e - p));
}

/*
 * The fewest significant digits that read back to v (> 0), without
 * trailing zeros, and the decimal exponent of the first one.  Fifteen
 * digits always survive a trip through a double, so when the shortest form
 * has at most 15, "%.14e" finds it; otherwise 16 or 17 do.  Subnormals
 * carry fewer digits and are tried from 1 up.  This is the reference that
 * exact_digits below must agree with; it also covers what that leaves out.
 */
static int shortest_digits(double v, char d[18], int *exp10)
{
	char b[40], *p;
	int prec, k = 0;

	for (prec = v < DBL_MIN ? 1 : 15; prec < 17; prec++) {
		snprintf(b, sizeof(b), "%.*e", prec - 1, v);
		if (strtod(b, NULL) == v)
			break;
	}
	if (prec == 17)
		snprintf(b, sizeof(b), "%.16e", v);
	for (p = b; *p != 'e'; p++)
		if (*p != '.')
			d[k++] = *p;
	*exp10 = (int)strtol(p + 1, NULL, 10);
	while (k > 1 && d[k - 1] == '0')
		k--;
	return k;
}

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128;

static const uint64_t pow10_tab[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL,
};

/* 10^s for 0 <= s <= 38. */
static u128 pow10_wide(int s)
{
	if (s < 20)
		return pow10_tab[s];
	return (u128)pow10_tab[s - 19] * pow10_tab[19];
}

/* Writes c (> 0) without its trailing zeros to d; returns their count. */
static int put_digits(uint64_t c, char d[18])
{
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324252627282930"
	    "31323334353637383940414243444546474849505152535455565758596061"
	    "62636465666768697071727374757677787980818283848586878889909192"
	    "93949596979899";
	int k, i;

	while (c % 100000000 == 0)
		c /= 100000000;
	if (c % 10000 == 0)
		c /= 10000;
	if (c % 100 == 0)
		c /= 100;
	if (c % 10 == 0)
		c /= 10;
	for (k = 1; k < 18 && c >= pow10_tab[k]; k++)
		;
	for (i = k; c >= 10; c /= 100) {
		i -= 2;
		memcpy(d + i, pairs + 2 * (c % 100), 2);
	}
	if (i > 0)
		d[0] = (char)('0' + c);
	return k;
}

/*
 * Rounds v 10^s = n + r / 2^p to a multiple of t, ties to even, into *c,
 * and tells whether that decimal reads back as v = m / 2^p.  In units of
 * 2^-p the gap between v and its neighbours is gap (half that below a
 * power of two); strtod takes a decimal within half a gap of v, and one
 * exactly halfway only when m is even.
 */
static inline int round_to(uint64_t n, u128 r, int p, uint64_t t,
    uint64_t m, u128 gap, uint64_t *c)
{
	u128 rem = ((u128)(n % t) << p) + r, unit = (u128)t << p, dist;
	uint64_t q = n / t;
	int up = 2 * rem > unit || (2 * rem == unit && (q & 1));

	*c = (q + (uint64_t)up) * t;
	dist = up ? unit - rem : rem;
	if (!up && m == 1ULL << 52)
		dist *= 2;
	return 2 * dist < gap || (2 * dist == gap && !(m & 1));
}

/*
 * What shortest_digits finds, computed exactly in integers for v > 0 not
 * integral from 2^-17 up (no double from 2^52 up has a fraction): 0 when
 * v is outside that range.  Sensor readings, their sums and averages are
 * inside it, and this is some ten times faster than printing and reading
 * back.
 *
 * v = m / 2^p, so X = m 10^s is v 10^s in units of 2^-p, with s chosen to
 * give v 10^s 17 digits before the point: n, and the rest r / 2^p.
 * Rounding that to 15, 16 and 17 digits, ties to even, is what "%.*e"
 * prints; the gap between doubles is 10^s in units of X.  X stays below
 * 2^127 in this range.
 */
static int exact_digits(double v, char d[18], int *exp10)
{
	uint64_t bits, m, n, c;
	u128 x, gap, r;
	int p, e10;

	memcpy(&bits, &v, sizeof(bits));
	p = 1075 - (int)(bits >> 52);
	if (p < 1 || p > 69)
		return 0;
	m = (bits & ((1ULL << 52) - 1)) | 1ULL << 52;
	/* floor((52 - p) log10 2): the exponent of v, or one below it */
	e10 = p <= 52 ? (52 - p) * 78913 >> 18 :
	    -(((p - 52) * 78913 + (1 << 18) - 1) >> 18);
	gap = pow10_wide(16 - e10);
	x = (u128)m * gap;
	if ((n = (uint64_t)(x >> p)) >= pow10_tab[17]) {
		gap = pow10_wide(16 - ++e10);
		x = (u128)m * gap;
		n = (uint64_t)(x >> p);
	}
	r = x & (((u128)1 << p) - 1);
	if (!round_to(n, r, p, 100, m, gap, &c) &&
	    !round_to(n, r, p, 10, m, gap, &c))
		(void)round_to(n, r, p, 1, m, gap, &c);
	*exp10 = e10 + (c == pow10_tab[17]);
	return put_digits(c, d);
}
#else
static int exact_digits(double v, char d[18], int *exp10)
{
	(void)v;
	(void)d;
	(void)exp10;
	return 0;
}
#endif

/*
 * Laid out as JavaScript prints numbers, so values read naturally:
 * positional from 1e-6 up to 1e21, exponent form outside (1e21, 5e-324,
 * 1.5e-7), with no '+' in the exponent.
 * (snprintf and strtod follow LC_NUMERIC; tools keep the "C" one.)
 */
void out_json_num(struct out *o, double v)
{
	char d[32] = "", b[48], *p = b;
	int k, n, e;

	if (isnan(v) || isinf(v)) {
		out_lit(o, "null");
		return;
	}
	if (v == 0) {
		if (signbit(v))
			out_lit(o, "-0");
		else
			out_putc(o, '0');
		return;
	}
	if (fabs(v) < 9007199254740992.0 && v == (double)(long long)v) {
		out_json_int(o, (long long)v);
		return;
	}
	if (v < 0)
		*p++ = '-';
	if ((k = exact_digits(fabs(v), d, &e)) == 0)
		k = shortest_digits(fabs(v), d, &e);
	n = e + 1;		/* digits before the decimal point */
	if (k <= n && n <= 21) {
		memcpy(p, d, (size_t)k);
		memset(p + k, '0', (size_t)(n - k));
		p += n;
	} else if (0 < n && n < k) {
		/* k <= 17: both parts fit in 16 bytes, copied as a block */
		memcpy(p, d, 16);
		p[n] = '.';
		memcpy(p + n + 1, d + n, 16);
		p += k + 1;
	} else if (-6 < n && n <= 0) {
		memcpy(p, "0.000000", (size_t)(2 - n));
		memcpy(p + 2 - n, d, (size_t)k);
		p += 2 - n + k;
	} else {
		*p++ = d[0];
		if (k > 1) {
			*p++ = '.';
			memcpy(p, d + 1, (size_t)(k - 1));
			p += k - 1;
		}
		p += snprintf(p, sizeof(b) - (size_t)(p - b), "e%d", e);
	}
	out_write(o, b, (size_t)(p - b));
}

void out_json_time(struct out *o, int64_t ms)
{
	char b[TM_LEN + 3];

	b[0] = '"';
	tm_format(ms, b + 1);
	b[TM_LEN + 1] = '"';
	out_write(o, b, TM_LEN + 2);
}
