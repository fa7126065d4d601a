/*
 * json: a single-pass validator of one NDJSON record.
 *
 * The scanner keeps the kind of each open container in a fixed stack of
 * JSON_MAX_DEPTH bytes instead of recursing, so hostile nesting is a plain
 * error and never a stack overflow.  Strings are skipped 16 bytes at a time
 * with SSE2, 8 without, while they hold nothing that needs a look (quote,
 * backslash, control); on the way the scanner notes whether they hold
 * escapes or non-ASCII bytes.  UTF-8 is not checked here, the writer
 * repairs it on output.
 *
 * Lookups and decoding work on text json_scan has validated, so they only
 * guard against running off the end, never re-check the grammar.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "json.h"

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
#define LOW7	0x7F7F7F7F7F7F7F7FULL

struct scan {
	const char *s, *end;
	char *err;
	size_t errlen;
};

/* The error names the byte at p; running off the end and NUL bytes get
 * their own wording whatever was expected there. */
static int fail(const struct scan *sc, const char *p, const char *why)
{
	if (p >= sc->end)
		why = "unexpected end of line";
	else if (*p == '\0')
		why = "NUL byte";
	if (sc->errlen > 0)
		snprintf(sc->err, sc->errlen, "column %zu: %s",
		    (size_t)(p - sc->s) + 1, why);
	return -1;
}

static const char *failp(const struct scan *sc, const char *p, const char *why)
{
	fail(sc, p, why);
	return NULL;
}

static inline int is_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

static inline const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

/*
 * The high bit of each byte of w (8 bytes as loaded from memory) that is
 * a quote, a backslash or below 0x20.  Exact for every byte, as no sum
 * carries into the next byte, so the first marked byte can be found.
 */
static inline uint64_t stop_bytes(uint64_t w)
{
	uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');

	q = ~(((q & LOW7) + LOW7) | q);
	b = ~(((b & LOW7) + LOW7) | b);
	return (q | b | ~(((w & LOW7) + ONES * 0x60) | w)) & HIGHS;
}

/* The bits of the bytes of a word that come before its first byte marked
 * in m (m != 0, high bits only), in memory order. */
static inline uint64_t before_first(uint64_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return ~(((1ULL << (63 - __builtin_clzll(m))) << 1) - 1);
#else
	return (m & (0 - m)) - 1;
#endif
}

static inline unsigned first_marked(uint64_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (unsigned)__builtin_clzll(m) / 8;
#else
	return (unsigned)__builtin_ctzll(m) / 8;
#endif
}

/*
 * Skips plain string content at p 16 bytes at a time while 16 are left:
 * returns the first quote, backslash or control byte, or where fewer than
 * 16 bytes are left, and sets *high if a byte skipped is above 0x7F.
 */
static inline const char *skip_plain16(const char *p, const char *end,
    int *high)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	const __m128i ctl = _mm_set1_epi8(0x1f);
	__m128i v, stop;
	unsigned m, h = 0;

	while (end - p >= 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)p);
		stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
		    _mm_cmpeq_epi8(v, bslash)),
		    _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v));
		m = (unsigned)_mm_movemask_epi8(stop);
		if (m != 0) {
			h |= (unsigned)_mm_movemask_epi8(v) & ((m & (0 - m)) - 1);
			p += __builtin_ctz(m);
			break;
		}
		h |= (unsigned)_mm_movemask_epi8(v);
		p += 16;
	}
	if (h != 0)
		*high = 1;
#else
	(void)end;
	(void)high;
#endif
	return p;
}

static int hexdig(unsigned char c)
{
	if ((unsigned char)(c - '0') < 10)
		return c - '0';
	c |= 0x20;
	if ((unsigned char)(c - 'a') < 6)
		return c - 'a' + 10;
	return -1;
}

/* The value of 4 hex digits at p, or -1. */
static int hex4(const char *p)
{
	int a = hexdig((unsigned char)p[0]), b = hexdig((unsigned char)p[1]);
	int c = hexdig((unsigned char)p[2]), d = hexdig((unsigned char)p[3]);

	if ((a | b | c | d) < 0)
		return -1;
	return a << 12 | b << 8 | c << 4 | d;
}

/* p is at a backslash inside the string opened at q. */
static const char *scan_escape(const struct scan *sc, const char *q,
    const char *p)
{
	if (sc->end - p < 2)
		return failp(sc, q, "unterminated string");
	switch (p[1]) {
	case '"': case '\\': case '/': case 'b':
	case 'f': case 'n': case 'r': case 't':
		return p + 2;
	case 'u':
		if (sc->end - p < 6 || hex4(p + 2) < 0)
			return failp(sc, p, "invalid \\u escape");
		return p + 6;
	default:
		return failp(sc, p, "invalid escape");
	}
}

/*
 * p is at the opening quote; returns the byte after the closing one and
 * adds to *flags JSON_ESC if the string has an escape, JSON_8BIT if it has
 * a byte above 0x7F.
 */
static const char *scan_string(const struct scan *sc, const char *p,
    unsigned char *flags)
{
	const char *q = p++, *end = sc->end;
	uint64_t w, m, high = 0;
	unsigned char c;
	int high16 = 0;

	for (;;) {
		p = skip_plain16(p, end, &high16);
		while (end - p >= 8) {
			memcpy(&w, p, 8);
			if ((m = stop_bytes(w)) != 0)
				break;
			high |= w;
			p += 8;
		}
		if (end - p >= 8) {	/* stopped in w, at its first mark */
			high |= w & before_first(m);
			p += first_marked(m);
			c = (unsigned char)*p;
		} else {
			while (p < end && (c = (unsigned char)*p) >= 0x20 &&
			    c != '"' && c != '\\') {
				high |= c;
				p++;
			}
			if (p == end)
				return failp(sc, q, "unterminated string");
		}
		if (c == '"') {
			if ((high & HIGHS) || high16)
				*flags |= JSON_8BIT;
			return p + 1;
		}
		if (c != '\\')
			return failp(sc, p, "control character in string");
		*flags |= JSON_ESC;
		if ((p = scan_escape(sc, q, p)) == NULL)
			return NULL;
	}
}

/*
 * A string at p that ends within 8 bytes of its opening quote, as keys
 * and many values do, without a call: its end, or NULL when it is longer
 * or holds an escape or a control character (scan_string then judges it).
 */
static inline const char *short_string(const char *p, const char *end,
    unsigned char *flags)
{
	uint64_t w, m;

	if (end - p < 9)
		return NULL;
	memcpy(&w, p + 1, 8);
	if ((m = stop_bytes(w)) == 0 || p[1 + first_marked(m)] != '"')
		return NULL;
	if (w & before_first(m) & HIGHS)
		*flags |= JSON_8BIT;
	return p + 2 + first_marked(m);
}

/* Whether all 8 bytes of w are ASCII digits: 0x30-0x3F, and still below
 * 0x40 with 6 added. */
static inline int word_digits(uint64_t w)
{
	return (w & (ONES * 0xF0)) == ONES * 0x30 &&
	    ((w + ONES * 0x06) & (ONES * 0xF0)) == ONES * 0x30;
}

/* Ids and timestamps are long runs of digits: 8 are checked at a time. */
static const char *scan_digits(const struct scan *sc, const char *p)
{
	uint64_t w;

	if (p == sc->end || !is_digit(*p))
		return failp(sc, p, "expected a digit in number");
	for (p++; sc->end - p >= 8; p += 8) {
		memcpy(&w, p, 8);
		if (!word_digits(w))
			break;
	}
	while (p < sc->end && is_digit(*p))
		p++;
	return p;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static const char *scan_number(const struct scan *sc, const char *p)
{
	const char *end = sc->end;

	if (*p == '-')
		p++;
	if (p < end && *p == '0') {
		if (++p < end && is_digit(*p))
			return failp(sc, p, "leading zero in number");
	} else if ((p = scan_digits(sc, p)) == NULL)
		return NULL;
	if (p < end && *p == '.' && (p = scan_digits(sc, p + 1)) == NULL)
		return NULL;
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		p = scan_digits(sc, p);
	}
	return p;
}

static const char *scan_literal(const struct scan *sc, const char *p,
    const char *lit, size_t n)
{
	if ((size_t)(sc->end - p) < n || memcmp(p, lit, n) != 0)
		return failp(sc, p, "invalid literal");
	return p + n;
}

static struct json_member *add_member(struct json_obj *o)
{
	struct json_member *m;
	size_t cap;

	if (o->n == o->cap) {
		cap = o->cap ? o->cap * 2 : 16;
		if ((m = realloc(o->m, cap * sizeof(*m))) == NULL)
			return NULL;
		o->m = m;
		o->cap = cap;
	}
	return &o->m[o->n++];
}

/*
 * A scalar value at p.  Containers are handled by the caller's loop;
 * *type tells it which one opens here.  A string adds to *flags.
 */
static const char *scan_scalar(const struct scan *sc, const char *p,
    unsigned char *type, unsigned char *flags)
{
	const char *q;

	switch (*p) {
	case '{':
		*type = JSON_OBJECT;
		return p;
	case '[':
		*type = JSON_ARRAY;
		return p;
	case '"':
		*type = JSON_STRING;
		if ((q = short_string(p, sc->end, flags)) != NULL)
			return q;
		return scan_string(sc, p, flags);
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		*type = JSON_NUMBER;
		return scan_number(sc, p);
	case 't':
		*type = JSON_TRUE;
		return scan_literal(sc, p, "true", 4);
	case 'f':
		*type = JSON_FALSE;
		return scan_literal(sc, p, "false", 5);
	case 'n':
		*type = JSON_NULL;
		return scan_literal(sc, p, "null", 4);
	default:
		return failp(sc, p, "expected a value");
	}
}

/*
 * The grammar as a state machine over one line.  kind[d] holds the byte
 * that closes the container open at depth d+1; depth 1 is the record
 * itself, whose members are recorded in o.  vflags gathers the flags of
 * every string inside the current member's value, keys of nested objects
 * included.
 */
int json_scan(const char *s, size_t len, struct json_obj *o,
              char *err, size_t errlen)
{
	struct scan sc = { s, s + len, err, errlen };
	const char *p, *end = s + len, *q;
	char kind[JSON_MAX_DEPTH];
	struct json_member *m = NULL;
	unsigned char type, kflags, vflags = 0;
	int depth = 1;

	o->n = 0;
	p = skip_ws(s, end);
	if (p == end || *p != '{') {
		if (p < end)
			return fail(&sc, p, "not an object");
		if (errlen > 0)
			snprintf(err, errlen, "column 1: not an object");
		return -1;
	}
	kind[0] = '}';
	p++;
obj_first:
	p = skip_ws(p, end);
	if (p < end && *p == '}') {
		p++;
		goto close;
	}
	if (p == end || *p != '"')
		return fail(&sc, p, "expected a key or '}'");
	goto key;
obj_next:
	p = skip_ws(p, end);
	if (p < end && *p == '}')
		return fail(&sc, p, "trailing comma");
	if (p == end || *p != '"')
		return fail(&sc, p, "expected a key");
key:
	q = p;
	kflags = 0;
	if ((p = short_string(q, end, depth == 1 ? &kflags : &vflags)) == NULL &&
	    (p = scan_string(&sc, q, depth == 1 ? &kflags : &vflags)) == NULL)
		return -1;
	if (depth == 1) {
		if ((m = add_member(o)) == NULL)
			goto oom;
		m->key = q + 1;
		m->klen = (size_t)(p - q) - 2;
		m->kesc = (kflags & JSON_ESC) != 0;
		vflags = 0;
	}
	if (p < end && (unsigned char)*p <= ' ')
		p = skip_ws(p, end);
	if (p == end || *p != ':')
		return fail(&sc, p, "expected ':' after key");
	p++;
	goto value;
arr_first:
	p = skip_ws(p, end);
	if (p < end && *p == ']') {
		p++;
		goto close;
	}
	goto value;
arr_next:
	p = skip_ws(p, end);
	if (p < end && *p == ']')
		return fail(&sc, p, "trailing comma");
value:
	if (p < end && (unsigned char)*p <= ' ')
		p = skip_ws(p, end);
	if (p == end)
		return fail(&sc, p, "expected a value");
	q = p;
	if ((p = scan_scalar(&sc, p, &type, &vflags)) == NULL)
		return -1;
	if (depth == 1) {
		m->val = q;
		m->type = type;
	}
	if (type >= JSON_ARRAY) {
		if (depth == JSON_MAX_DEPTH) {
			if (errlen > 0)
				snprintf(err, errlen, "nesting deeper than %d",
				    JSON_MAX_DEPTH);
			return -1;
		}
		kind[depth++] = type == JSON_ARRAY ? ']' : '}';
		p++;
		if (type == JSON_ARRAY)
			goto arr_first;
		goto obj_first;
	}
after:
	if (depth == 1) {
		m->vlen = (size_t)(p - m->val);
		m->vflags = vflags;
	}
	if (p < end && (unsigned char)*p <= ' ')
		p = skip_ws(p, end);
	if (p < end && *p == ',') {
		p++;
		if (kind[depth - 1] == '}')
			goto obj_next;
		goto arr_next;
	}
	if (p < end && *p == kind[depth - 1]) {
		p++;
		goto close;
	}
	return fail(&sc, p, kind[depth - 1] == '}' ?
	    "expected ',' or '}'" : "expected ',' or ']'");
close:
	if (--depth > 0)
		goto after;
	p = skip_ws(p, end);
	if (p != end)
		return fail(&sc, p, "unexpected data after the object");
	return 0;
oom:
	if (errlen > 0)
		snprintf(err, errlen, "out of memory");
	return -1;
}

int json_obj_plain(const struct json_obj *o)
{
	size_t i, k;

	for (i = 0; i < o->n; i++) {
		const struct json_member *m = &o->m[i];

		if (m->vflags != 0 || m->kesc)
			return 0;
		for (k = 0; k < m->klen; k++)
			if ((unsigned char)m->key[k] >= 0x80)
				return 0;
	}
	return 1;
}

void json_obj_free(struct json_obj *o)
{
	free(o->m);
	o->m = NULL;
	o->n = o->cap = 0;
}

/* Writes code point c as UTF-8 into u; returns the length. */
static size_t utf8_put(uint32_t c, char u[4])
{
	if (c < 0x80) {
		u[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		u[0] = (char)(0xc0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		u[0] = (char)(0xe0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	u[0] = (char)(0xf0 | c >> 18);
	u[1] = (char)(0x80 | (c >> 12 & 0x3f));
	u[2] = (char)(0x80 | (c >> 6 & 0x3f));
	u[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/*
 * Decodes the escape at p (a backslash) into u, *n bytes; returns the
 * bytes consumed.  A high surrogate takes the low one after it; any
 * surrogate left alone becomes U+FFFD.  A malformed escape (only possible
 * in text that was not scanned) stands for itself.
 */
static size_t unescape1(const char *p, const char *end, char u[4], size_t *n)
{
	static const char plain[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *c;
	int hi, lo;

	*n = 1;
	if (end - p < 2) {
		u[0] = '\\';
		return 1;
	}
	if (p[1] != 'u') {
		c = p[1] ? strchr(plain, p[1]) : NULL;
		u[0] = c ? to[c - plain] : p[1];
		return 2;
	}
	if (end - p < 6 || (hi = hex4(p + 2)) < 0) {
		u[0] = '\\';
		return 1;
	}
	if (hi < 0xd800 || hi > 0xdfff) {
		*n = utf8_put((uint32_t)hi, u);
		return 6;
	}
	if (hi < 0xdc00 && end - p >= 12 && p[6] == '\\' && p[7] == 'u' &&
	    (lo = hex4(p + 8)) >= 0xdc00 && lo <= 0xdfff) {
		*n = utf8_put(0x10000 + ((uint32_t)(hi - 0xd800) << 10) +
		    (uint32_t)(lo - 0xdc00), u);
		return 12;
	}
	*n = utf8_put(0xfffd, u);
	return 6;
}

/* Does the key as written, with escapes, decode to seg? */
static int escaped_key_eq(const char *k, size_t klen, const char *seg,
    size_t slen)
{
	const char *end = k + klen, *s = seg, *send = seg + slen;
	char u[4];
	size_t n;

	while (k < end) {
		if (*k != '\\') {
			if (s == send || *s != *k)
				return 0;
			s++;
			k++;
			continue;
		}
		k += unescape1(k, end, u, &n);
		if ((size_t)(send - s) < n || memcmp(s, u, n) != 0)
			return 0;
		s += n;
	}
	return s == send;
}

/* Is m's key seg? */
static inline int key_is(const struct json_member *m, const char *seg,
    size_t slen)
{
	if (m->kesc)
		return escaped_key_eq(m->key, m->klen, seg, slen);
	return m->klen == slen && (slen == 0 || (m->key[0] == seg[0] &&
	    memcmp(m->key + 1, seg + 1, slen - 1) == 0));
}

/* The length of the path segment at seg, up to a dot or the end. */
static inline size_t seg_len(const char *seg)
{
	size_t n = 0;

	while (seg[n] != '\0' && seg[n] != '.')
		n++;
	return n;
}

/* End of the scanned string opened at p; adds its flags to *flags. */
static const char *skip_string(const char *p, const char *end,
    unsigned char *flags)
{
	unsigned char high = 0;

	for (p++; p < end && *p != '"'; p++) {
		high |= (unsigned char)*p;
		if (*p == '\\') {
			*flags |= JSON_ESC;
			p++;
		}
	}
	if (high & 0x80)
		*flags |= JSON_8BIT;
	return p < end ? p + 1 : end;
}

/* End of the scanned value at p, its type and flags. */
static const char *skip_value(const char *p, const char *end,
    unsigned char *type, unsigned char *flags)
{
	int depth = 0;

	switch (*p) {
	case '"':
		*type = JSON_STRING;
		return skip_string(p, end, flags);
	case 't':
		*type = JSON_TRUE;
		return p + 4;
	case 'f':
		*type = JSON_FALSE;
		return p + 5;
	case 'n':
		*type = JSON_NULL;
		return p + 4;
	case '{':
	case '[':
		*type = *p == '{' ? JSON_OBJECT : JSON_ARRAY;
		do {
			if (*p == '"') {
				p = skip_string(p, end, flags);
				continue;
			}
			if (*p == '{' || *p == '[')
				depth++;
			else if (*p == '}' || *p == ']')
				depth--;
			p++;
		} while (depth > 0 && p < end);
		return p;
	default:
		*type = JSON_NUMBER;
		while (p < end && (is_digit(*p) || *p == '-' || *p == '+' ||
		    *p == '.' || *p == 'e' || *p == 'E'))
			p++;
		return p;
	}
}

/* Finds the last member named seg in the scanned object text at p. */
static int find_member(const char *p, size_t len, const char *seg,
    size_t slen, struct json_member *out)
{
	const char *end = p + len;
	struct json_member m;
	unsigned char kflags;
	int found = 0;

	for (p = skip_ws(p + 1, end); p < end && *p == '"';
	    p = skip_ws(p + 1, end)) {
		kflags = 0;
		m.key = p + 1;
		p = skip_string(p, end, &kflags);
		m.klen = (size_t)(p - m.key) - 1;
		m.kesc = (kflags & JSON_ESC) != 0;
		p = skip_ws(skip_ws(p, end) + 1, end);
		if (p >= end)
			break;
		m.val = p;
		m.vflags = 0;
		p = skip_value(p, end, &m.type, &m.vflags);
		if (p > end)
			p = end;
		m.vlen = (size_t)(p - m.val);
		if (key_is(&m, seg, slen)) {
			*out = m;
			found = 1;
		}
		p = skip_ws(p, end);
		if (p == end || *p != ',')
			break;
	}
	return found;
}

int json_get(const struct json_obj *o, const char *path,
             struct json_member *out)
{
	const char *seg = path;
	size_t slen = seg_len(seg), i;
	struct json_member cur;

	for (i = o->n; i-- > 0;)
		if (key_is(&o->m[i], seg, slen))
			break;
	if (i == (size_t)-1)
		return 0;
	cur = o->m[i];
	while (seg[slen] == '.') {
		if (cur.type != JSON_OBJECT)
			return 0;
		seg += slen + 1;
		slen = seg_len(seg);
		if (!find_member(cur.val, cur.vlen, seg, slen, &cur))
			return 0;
	}
	*out = cur;
	return 1;
}

int json_unescape(const char *val, size_t vlen, struct buf *b)
{
	const char *p = val, *end = val + vlen, *bs;
	char u[4];
	size_t n;

	if (vlen >= 2 && p[0] == '"' && end[-1] == '"') {
		p++;
		end--;
	}
	while (p < end) {
		if ((bs = memchr(p, '\\', (size_t)(end - p))) == NULL)
			bs = end;
		if (bs > p && buf_add(b, p, (size_t)(bs - p)) < 0)
			return -1;
		if (bs == end)
			break;
		p = bs + unescape1(bs, end, u, &n);
		if (buf_add(b, u, n) < 0)
			return -1;
	}
	return 0;
}

/*
 * strtod needs a terminated string and would take hex, "inf" and "nan",
 * so the text is checked against the JSON grammar and copied first.
 * (strtod follows LC_NUMERIC; tools keep the "C" numeric locale.)
 */
/*
 * Digits that fit in a double's mantissa, divided by an exact power of ten,
 * give the correctly rounded value (Clinger's fast path): most numbers in
 * records are like that.  Anything else goes to strtod.
 */
static int fast_number(const char *s, size_t n, double *out)
{
	static const double p10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15
	};
	const char *p = s, *end = s + n;
	uint64_t m = 0;
	int digits = 0, frac = 0;
	double v;

	if (p < end && *p == '-')
		p++;
	for (; p < end && *p >= '0' && *p <= '9'; p++, digits++)
		m = m * 10 + (uint64_t)(*p - '0');
	if (p < end && *p == '.')
		for (p++; p < end && *p >= '0' && *p <= '9'; p++, digits++, frac++)
			m = m * 10 + (uint64_t)(*p - '0');
	if (p != end || digits > 15)
		return -1;
	v = (double)m / p10[frac];
	*out = *s == '-' ? -v : v;
	return 0;
}

int json_number(const char *val, size_t vlen, double *out)
{
	struct scan sc = { val, val + vlen, NULL, 0 };
	char tmp[64], *buf = tmp;
	double d;

	if (vlen == 0 || scan_number(&sc, val) != val + vlen)
		return -1;
	if (fast_number(val, vlen, out) == 0)
		return 0;
	if (vlen >= sizeof(tmp) && (buf = malloc(vlen + 1)) == NULL)
		return -1;
	memcpy(buf, val, vlen);
	buf[vlen] = '\0';
	d = strtod(buf, NULL);
	if (buf != tmp)
		free(buf);
	if (isinf(d))
		return -1;
	*out = d;
	return 0;
}
