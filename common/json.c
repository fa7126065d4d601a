/*
 * json: a single-pass validator of one NDJSON record.
 *
 * The scanner keeps the kind of each open container in a fixed stack of
 * JSON_MAX_DEPTH bytes instead of recursing, so hostile nesting is a plain
 * error and never a stack overflow.  UTF-8 is not checked here, the writer
 * repairs it on output.
 *
 * Strings and numbers are read 16 bytes at a time: a block is turned into
 * bit masks, one bit per byte (with SSE2, or with 64-bit word arithmetic
 * where SSE2 is missing), and the first byte that needs a look is found by
 * counting trailing zeros.  Most keys, string values and numbers end within
 * one block, so a token costs one load and a few operations instead of a
 * branch per byte, and the branches left depend on the token, not on its
 * length.  No block reaches past the line, which need not be terminated:
 * where fewer than 16 bytes are left, the line's last 16 are read and the
 * bytes before the one wanted are shifted out of the masks (a line shorter
 * than 16 bytes is copied first).
 *
 * Lookups and decoding work on text json_scan has validated, so they only
 * guard against running off the end, never re-check the grammar.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "json.h"

struct scan {
	const char *s, *end;
	char *err;
	size_t errlen;
	char pad[16];		/* the block of a line shorter than that */
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

/* The four whitespace bytes of RFC 8259, as bits of a word indexed by
 * the byte (all are below 0x21). */
#define WS_BITS	(1ULL << ' ' | 1ULL << '\n' | 1ULL << '\r' | 1ULL << '\t')

/* Most records have no whitespace between tokens: then one compare. */
static inline int is_ws(char c)
{
	return (unsigned char)c <= ' ' && (WS_BITS >> (unsigned char)c & 1);
}

static inline const char *skip_ws(const char *p, const char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

/* The token fast paths are inlined into json_scan, and the rare paths
 * kept out of it, whatever the compiler would weigh: a call there costs
 * more than the token. */
#ifdef __GNUC__
#define FAST inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))
#else
#define FAST inline
#define NOINLINE
#endif

/* The index of the lowest bit set in m, which is not 0. */
static inline unsigned lowest(unsigned m)
{
#ifdef __GNUC__
	return (unsigned)__builtin_ctz(m);
#else
	unsigned n = 0;

	while (!(m & 1)) {
		m >>= 1;
		n++;
	}
	return n;
#endif
}

/*
 * The 16 bytes at b as masks, bit i for b[i]: str_block marks the bytes a
 * string cannot hold as they are (quote, backslash, below 0x20) and puts
 * the bytes above 0x7F in *high; nondigit_block marks all but '0' to '9'.
 */
#ifdef __SSE2__
static inline __m128i load16(const char *b)
{
	return _mm_loadu_si128((const __m128i *)(const void *)b);
}

static inline __m128i str_stops(__m128i v)
{
	return _mm_or_si128(_mm_or_si128(
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
	    _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v));
}

static inline unsigned str_block(const char *b, unsigned *high)
{
	const __m128i v = load16(b);

	*high = (unsigned)_mm_movemask_epi8(v);
	return (unsigned)_mm_movemask_epi8(str_stops(v));
}

/*
 * Skips 32 bytes at a time from p, while 32 are left and none of them is
 * one that str_block marks: returns where it stopped and sets *high if a
 * byte skipped is above 0x7F.  Long texts spend their time here, so the
 * masks are made once per 32 bytes, not once per block.
 */
static inline const char *skip_plain(const char *p, const char *end,
    unsigned *high)
{
	__m128i a, b, hi = _mm_setzero_si128();

	while (end - p >= 32) {
		a = load16(p);
		b = load16(p + 16);
		if (_mm_movemask_epi8(_mm_or_si128(str_stops(a), str_stops(b))))
			break;
		hi = _mm_or_si128(hi, _mm_or_si128(a, b));
		p += 32;
	}
	*high |= (unsigned)_mm_movemask_epi8(hi);
	return p;
}

static inline unsigned nondigit_block(const char *b)
{
	const __m128i v = _mm_sub_epi8(load16(b), _mm_set1_epi8('0'));

	/* A digit is 0 to 9 once '0' is taken away, unsigned. */
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
	    _mm_min_epu8(v, _mm_set1_epi8(9)), v)) ^ 0xFFFF;
}
#else
#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
#define LOW7	0x7F7F7F7F7F7F7F7FULL

/* 8 bytes with b[0] lowest, whatever the byte order (compilers make
 * this one load on little-endian machines). */
static inline uint64_t load8(const char *b)
{
	const unsigned char *u = (const unsigned char *)b;

	return (uint64_t)u[0] | (uint64_t)u[1] << 8 | (uint64_t)u[2] << 16 |
	    (uint64_t)u[3] << 24 | (uint64_t)u[4] << 32 |
	    (uint64_t)u[5] << 40 | (uint64_t)u[6] << 48 | (uint64_t)u[7] << 56;
}

/* The high bit of each byte of w gathered into 8 bits, byte i to bit i:
 * the multiplication moves each into the top byte, where none overlap. */
static inline unsigned gather(uint64_t w)
{
	return (unsigned)((((w & HIGHS) >> 7) * 0x0102040810204080ULL) >> 56);
}

/* The high bit of each byte of w that equals c, exactly: no sum carries
 * into the next byte. */
static inline uint64_t eq_bytes(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (ONES * c);

	return ~(((x & LOW7) + LOW7) | x) & HIGHS;
}

static inline unsigned str_word(uint64_t w, unsigned *high)
{
	*high = gather(w);
	return gather(eq_bytes(w, '"') | eq_bytes(w, '\\') |
	    ~(((w & LOW7) + ONES * 0x60) | w));
}

static inline unsigned str_block(const char *b, unsigned *high)
{
	unsigned h0, h1, m = str_word(load8(b), &h0);

	m |= str_word(load8(b + 8), &h1) << 8;
	*high = h0 | h1 << 8;
	return m;
}

/* A digit is 0 to 9 once '0' is taken away: adding 0x76 to the low 7 bits
 * sets the high bit of any other byte, and cannot carry. */
static inline unsigned nondigit_word(uint64_t w)
{
	uint64_t x = w ^ (ONES * '0');

	return gather(((x & LOW7) + ONES * 0x76) | x);
}

static inline unsigned nondigit_block(const char *b)
{
	return nondigit_word(load8(b)) | nondigit_word(load8(b + 8)) << 8;
}

/* As the SSE2 skip_plain, one block at a time. */
static inline const char *skip_plain(const char *p, const char *end,
    unsigned *high)
{
	unsigned h;

	while (end - p >= 16 && str_block(p, &h) == 0) {
		*high |= h;
		p += 16;
	}
	return p;
}
#endif

/* A line shorter than 16 bytes: its last left bytes, from p, copied to
 * the end of the pad. */
static NOINLINE const char *short_window(struct scan *sc, const char *p,
    size_t left)
{
	memset(sc->pad, 0, sizeof(sc->pad));
	memcpy(sc->pad + sizeof(sc->pad) - left, p, left);
	return sc->pad;
}

/*
 * Where to read the block of the bytes from p when fewer than 16 are left:
 * the line's last 16, with *sh bytes before p that the caller shifts out
 * of its masks (the bits past the end are then 0).
 */
static inline const char *tail_block(struct scan *sc, const char *p,
    unsigned *sh)
{
	size_t left = (size_t)(sc->end - p);

	*sh = 16 - (unsigned)left;
	if (sc->end - sc->s >= 16)
		return sc->end - 16;
	return short_window(sc, p, left);
}

/*
 * The masks of str_block for the bytes from p on: 16 of them, or *n < 16
 * at the end of the line.  The usual case has no shift, which would
 * lengthen the chain from one token to the next.
 */
static inline unsigned str_at(struct scan *sc, const char *p,
    unsigned *high, unsigned *n)
{
	unsigned sh, m;
	const char *b;

	if (sc->end - p >= 16) {
		*n = 16;
		return str_block(p, high);
	}
	b = tail_block(sc, p, &sh);
	m = str_block(b, high) >> sh;
	*high >>= sh;
	*n = 16 - sh;
	return m;
}

/* The same for nondigit_block. */
static inline unsigned nondigit_at(struct scan *sc, const char *p,
    unsigned *n)
{
	unsigned sh;
	const char *b;

	if (sc->end - p >= 16) {
		*n = 16;
		return nondigit_block(p);
	}
	b = tail_block(sc, p, &sh);
	*n = 16 - sh;
	return nondigit_block(b) >> sh;
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
 * Any string, q at its opening quote, read on from p, where high holds the
 * high bits of the bytes before: returns the byte after the closing quote
 * and adds to *flags JSON_ESC if the string has an escape, JSON_8BIT if it
 * has a byte above 0x7F.
 */
static NOINLINE const char *scan_long_string(struct scan *sc, const char *q,
    const char *p, unsigned high, unsigned char *flags)
{
	const char *end = sc->end;
	unsigned stop, h, n, i;

	for (;;) {
		if ((stop = str_at(sc, p, &h, &n)) == 0) {
			if (n < 16)
				return failp(sc, q, "unterminated string");
			high |= h;
			p = skip_plain(p + 16, end, &high);
			continue;
		}
		i = lowest(stop);
		high |= h & ((1u << i) - 1);
		p += i;
		if (*p == '"') {
			if (high != 0)
				*flags |= JSON_8BIT;
			return p + 1;
		}
		if (*p != '\\')
			return failp(sc, p, "control character in string");
		*flags |= JSON_ESC;
		if ((p = scan_escape(sc, q, p)) == NULL)
			return NULL;
	}
}

/*
 * A string at p, as scan_long_string.  Keys and most values close within
 * the block after the quote, without an escape: that case is done here.
 */
static FAST const char *scan_string(struct scan *sc, const char *p,
    unsigned char *flags)
{
	unsigned stop, high, n, i;

	if ((stop = str_at(sc, p + 1, &high, &n)) != 0) {
		i = lowest(stop);
		/* The bytes up to the stop, which is below 0x80 itself. */
		high &= stop ^ (stop - 1);
		if (p[1 + i] == '"') {
			if (high != 0)
				*flags |= JSON_8BIT;
			return p + 2 + i;
		}
	} else
		i = n;
	/* Only this path takes the address of a flags byte, so that the
	 * caller's stay in registers.  It goes on after the block read. */
	{
		unsigned char f = 0;

		p = scan_long_string(sc, p, p + 1 + i, high, &f);
		*flags |= f;
		return p;
	}
}

/* The first byte from p on that is not a digit, or the end. */
static inline const char *skip_digits(struct scan *sc, const char *p)
{
	unsigned n, i;

	/* A text shorter than a block, as json_number is mostly given, is
	 * read a byte at a time rather than copied to the pad. */
	if (sc->end - sc->s < 16) {
		while (p < sc->end && is_digit(*p))
			p++;
		return p;
	}
	for (;;) {
		i = nondigit_at(sc, p, &n);
		/* The bit past the last byte of the block stops the count. */
		i = lowest(i | 1u << n);
		p += i;
		if (i < 16)
			return p;
	}
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static NOINLINE const char *scan_any_number(struct scan *sc, const char *p)
{
	const char *end = sc->end, *d;

	if (*p == '-')
		p++;
	if ((d = skip_digits(sc, p)) == p)
		return failp(sc, p, "expected a digit in number");
	if (*p == '0' && d - p > 1)
		return failp(sc, p + 1, "leading zero in number");
	p = d;
	if (p < end && *p == '.') {
		p++;
		if ((d = skip_digits(sc, p)) == p)
			return failp(sc, p, "expected a digit in number");
		p = d;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if ((d = skip_digits(sc, p)) == p)
			return failp(sc, p, "expected a digit in number");
		p = d;
	}
	return p;
}

/*
 * A number at p, as scan_any_number.  Most are integers or decimals that
 * end inside the block at p, without an exponent: that case is read here
 * off the block's mask of non-digits, and any other (a number that ends
 * the line too) is left to scan_any_number, errors included.
 */
static FAST const char *scan_number(struct scan *sc, const char *p)
{
	unsigned nd, n, neg = *p == '-', i, j, k;

	/* Bit n, past the block's last byte, stops the counts; the sign's
	 * bit is cleared, so that j is where the integer part ends. */
	nd = nondigit_at(sc, p, &n);
	nd = (nd | 1u << n) & ~neg;
	j = lowest(nd);
	i = j - neg;
	if (i == 0 || j >= n || (i > 1 && p[neg] == '0'))
		return scan_any_number(sc, p);
	if (p[j] == '.') {
		/* The first non-digit after the point. */
		k = lowest(nd & ~1u << j);
		if (k == j + 1 || k >= n)
			return scan_any_number(sc, p);
		j = k;
	}
	if ((p[j] | 0x20) == 'e')
		return scan_any_number(sc, p);
	return p + j;
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
static inline const char *scan_scalar(struct scan *sc, const char *p,
    unsigned char *type, unsigned char *flags)
{
	switch (*p) {
	case '{':
		*type = JSON_OBJECT;
		return p;
	case '[':
		*type = JSON_ARRAY;
		return p;
	case '"':
		*type = JSON_STRING;
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
	struct scan sc = { .s = s, .end = s + len, .err = err, .errlen = errlen };
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
	if (p < end && *p == '"')
		goto key;
	p = skip_ws(p, end);
	if (p < end && *p == '}') {
		p++;
		goto close;
	}
	if (p == end || *p != '"')
		return fail(&sc, p, "expected a key or '}'");
	goto key;
obj_next:
	if (p < end && *p == '"')
		goto key;
	p = skip_ws(p, end);
	if (p < end && *p == '}')
		return fail(&sc, p, "trailing comma");
	if (p == end || *p != '"')
		return fail(&sc, p, "expected a key");
key:
	q = p;
	kflags = 0;
	if ((p = scan_string(&sc, q, &kflags)) == NULL)
		return -1;
	if (depth > 1)
		vflags |= kflags;
	else {
		if ((m = add_member(o)) == NULL)
			goto oom;
		m->key = q + 1;
		m->klen = (size_t)(p - q) - 2;
		m->kesc = (kflags & JSON_ESC) != 0;
		vflags = 0;
	}
	if (p == end || *p != ':') {
		p = skip_ws(p, end);
		if (p == end || *p != ':')
			return fail(&sc, p, "expected ':' after key");
	}
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
after_ws:
	if (p < end) {
		if (*p == ',') {
			p++;
			if (kind[depth - 1] == '}')
				goto obj_next;
			goto arr_next;
		}
		if (*p == kind[depth - 1]) {
			p++;
			goto close;
		}
		if (is_ws(*p)) {
			p = skip_ws(p + 1, end);
			goto after_ws;
		}
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
	return (size_t)utf8proc_encode_char((utf8proc_int32_t)c,
	                                    (utf8proc_uint8_t *)u);
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
	struct scan sc = { .s = val, .end = val + vlen };
	char tmp[64], *buf = tmp;
	double d;

	if (vlen == 0 || scan_any_number(&sc, val) != val + vlen)
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

/* Past the closing quote of the string at p, or NULL. */
static const char *string_close(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '"')
			return p + 1;
		if (*p == '\\' && ++p == end)
			break;
	}
	return NULL;
}

const char *json_value_end(const char *p, const char *end)
{
	char stack[JSON_MAX_DEPTH];
	int depth = 0;

	if (p == end)
		return NULL;
	if (*p == '"')
		return string_close(p, end);
	if (*p != '{' && *p != '[') {
		const char *s = p;

		while (p < end && !strchr(",]} \t\r\n", *p))
			p++;
		return p > s ? p : NULL;
	}
	for (; p < end; p++) {
		if (*p == '"') {
			if ((p = string_close(p, end)) == NULL)
				return NULL;
			p--;
		} else if (*p == '{' || *p == '[') {
			if (depth == JSON_MAX_DEPTH)
				return NULL;
			stack[depth++] = *p;
		} else if (*p == '}' || *p == ']') {
			if (depth == 0 || stack[--depth] != (*p == '}' ? '{' : '['))
				return NULL;
			if (depth == 0)
				return p + 1;
		}
	}
	return NULL;
}
