/*
 * tok: the twitter-text extraction rules, as a single-pass scanner.
 *
 * twitter-text states its rules as one regular expression per entity kind
 * (hashtag, mention or list, URL, cashtag), each run over the whole text
 * on its own, followed by a pass that sorts all matches by position and
 * drops every entity that overlaps one kept before it.  Here each kind is
 * a small generator that finds its next match the way that expression
 * would (a match consumes the character before it, so the next match of
 * the same kind cannot use it), and tok_scan merges the four streams in
 * text order, dropping overlaps on the way.  No regular expression is
 * run and nothing is allocated.
 *
 * The generators jump from one sign to the next ('#', '@', '$', and '.'
 * for URLs, since every domain has a dot) with a byte search, so ASCII
 * text costs little more than those searches.  Kinds that are not asked
 * for are searched for only around the entities that are (see catch_up).
 * Everything is indexed by byte; an invalid UTF-8 byte reads as U+FFFD, so
 * any input is safe.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "tok.h"
#include "tld.h"

#define NONE		SIZE_MAX
#define END		(-1)		/* "character" past the end of text */
#define BAD_CP		0xFFFD		/* what an invalid byte reads as */
#define MAX_NAME	20		/* screen name, characters */
#define MAX_SLUG	25		/* list slug after '/', characters */
#define MAX_CASHTAG	6		/* letters before an optional ".xx" */
#define MAX_TCO_SLUG	40
#define MAX_URL		4096		/* characters, with a protocol */
#define MAX_LABEL	63		/* bytes of a host label in ASCII form */

struct text {
	const unsigned char *s;
	size_t n;
};

/* One entity a generator found: its span and its token text. */
struct ent {
	size_t start, end;
	size_t tp, tlen;
};

/*
 * A generator's position: the next search starts at pos; from is where
 * its last match ended, so a preceding character must start there or
 * later.
 */
struct gen {
	size_t pos, from;
	int live;		/* e holds an entity not merged yet */
	struct ent e;
};

/*
 * The URL generator remembers one walk over the labels after a dot: the
 * labels up to walk_end all fit a subdomain, and best is the last dot
 * among them that ends a domain name followed by a known TLD (NONE if
 * there is none).  That answer holds for every later dot before walk_end,
 * which keeps long runs of dots linear.
 */
struct urlgen {
	struct gen g;
	size_t walk_from, walk_end, best;
};

struct scan {
	struct text t;
	struct gen hash, mention, cash;
	struct urlgen url;
	struct {
		size_t lo, end;
		unsigned bytes;
	} run;			/* see catch_up */
};

/* Characters */

static inline int a_alpha(int32_t c)
{
	return (uint32_t)((c | 0x20) - 'a') < 26;
}

static inline int a_digit(int32_t c)
{
	return (uint32_t)(c - '0') < 10;
}

static inline int a_alnum(int32_t c)
{
	return a_alpha(c) || a_digit(c);
}

/* Classes of ASCII punctuation. */
enum {
	C_PUNCT = 1,		/* ASCII punctuation, as twitter-text lists it */
	C_PATH = 2,		/* may be in a URL path */
	C_PATH_END = 4,		/* may end a URL path */
	C_QUERY = 8,		/* may be in a query */
	C_QUERY_END = 16,	/* may end a query */
	C_NO_MENTION = 32,	/* may not come right before a mention */
	C_NO_RT = 64		/* may not come right before "RT@name" */
};

static const unsigned char ascii_class[128] = {
	['!'] = C_PUNCT | C_PATH | C_QUERY | C_NO_MENTION,
	['"'] = C_PUNCT,
	['#'] = C_PUNCT | C_PATH | C_PATH_END | C_QUERY | C_QUERY_END |
	    C_NO_MENTION,
	['$'] = C_PUNCT | C_PATH | C_QUERY | C_NO_MENTION,
	['%'] = C_PUNCT | C_PATH | C_QUERY | C_NO_MENTION,
	['&'] = C_PUNCT | C_PATH | C_QUERY | C_QUERY_END | C_NO_MENTION,
	['\''] = C_PUNCT | C_PATH | C_QUERY,
	['('] = C_PUNCT | C_QUERY,
	[')'] = C_PUNCT | C_QUERY,
	['*'] = C_PUNCT | C_PATH | C_QUERY | C_NO_MENTION,
	['+'] = C_PUNCT | C_PATH | C_PATH_END | C_QUERY | C_NO_RT,
	[','] = C_PUNCT | C_PATH | C_QUERY,
	['-'] = C_PUNCT | C_PATH | C_PATH_END | C_QUERY | C_QUERY_END |
	    C_NO_RT,
	['.'] = C_PUNCT | C_PATH | C_QUERY | C_NO_RT,
	['/'] = C_PUNCT | C_PATH | C_PATH_END | C_QUERY | C_QUERY_END,
	[':'] = C_PUNCT | C_PATH | C_QUERY,
	[';'] = C_PUNCT | C_PATH | C_QUERY,
	['<'] = C_PUNCT,
	['='] = C_PUNCT | C_PATH | C_PATH_END | C_QUERY | C_QUERY_END,
	['>'] = C_PUNCT,
	['?'] = C_PUNCT | C_QUERY,
	['@'] = C_PUNCT | C_PATH | C_QUERY | C_NO_MENTION,
	['['] = C_PUNCT | C_PATH | C_QUERY,
	[']'] = C_PUNCT | C_PATH | C_QUERY,
	['^'] = C_PUNCT,
	['_'] = C_PUNCT | C_PATH | C_PATH_END | C_QUERY | C_QUERY_END |
	    C_NO_MENTION | C_NO_RT,
	['`'] = C_PUNCT,
	['{'] = C_PUNCT,
	['|'] = C_PUNCT | C_PATH | C_QUERY,
	['}'] = C_PUNCT,
	['~'] = C_PUNCT | C_PATH | C_QUERY | C_NO_RT,
};

static inline int in_class(int32_t c, int bits)
{
	return c >= 0 && c < 0x80 && (ascii_class[c] & bits) != 0;
}

/* Decodes the character at i (i < n) and stores its byte length. */
static inline int32_t cp_at(const struct text *t, size_t i, size_t *len)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t r;

	if (t->s[i] < 0x80) {
		*len = 1;
		return t->s[i];
	}
	r = utf8proc_iterate(t->s + i, (utf8proc_ssize_t)(t->n - i), &cp);
	if (r < 1) {
		*len = 1;
		return BAD_CP;
	}
	*len = (size_t)r;
	return cp;
}

/* The character at i, or END. */
static inline int32_t peek(const struct text *t, size_t i)
{
	size_t len;

	return i < t->n ? cp_at(t, i, &len) : END;
}

/* The character that ends at i, and where it starts; END at the start. */
static inline int32_t cp_before(const struct text *t, size_t i,
                                size_t *start)
{
	size_t j, len;
	int32_t c;

	if (i == 0) {
		*start = 0;
		return END;
	}
	j = i - 1;
	if (t->s[j] < 0x80) {
		*start = j;
		return t->s[j];
	}
	while (j > 0 && i - j < 4 && (t->s[j] & 0xC0) == 0x80)
		j--;
	c = cp_at(t, j, &len);
	if (j + len != i) {
		*start = i - 1;
		return BAD_CP;
	}
	*start = j;
	return c;
}

static inline int category(int32_t c)
{
	return c < 0 ? UTF8PROC_CATEGORY_CN : utf8proc_category(c);
}

/* \p{L} or \p{M} */
static inline int is_letter_mark(int32_t c)
{
	if (c < 0x80)
		return a_alpha(c);
	return category(c) >= UTF8PROC_CATEGORY_LU &&
	    category(c) <= UTF8PROC_CATEGORY_ME;
}

/* What a hashtag is made of: letters, marks, decimal digits, and a few
 * joiners and punctuation marks that scripts use inside words. */
static inline int is_hashtag_char(int32_t c)
{
	if (c < 0x80)
		return a_alnum(c) || c == '_';
	if (is_letter_mark(c) || category(c) == UTF8PROC_CATEGORY_ND)
		return 1;
	switch (c) {
	case 0x00B7: case 0x05BE: case 0x05F3: case 0x05F4: case 0x0F0B:
	case 0x0F0C: case 0x200C: case 0x200D: case 0x3003: case 0x301C:
	case 0x309B: case 0x309C: case 0x30A0: case 0x30FB: case 0xA67E:
	case 0xFF5E:
		return 1;
	}
	return 0;
}

/* Latin letters with diacritics, which URL domains and paths accept and
 * which a mention may not be followed by. */
static int is_latin_accent(int32_t c)
{
	if (c < 0xC0)
		return 0;
	if (c <= 0x24F)
		return c != 0xD7 && c != 0xF7;
	switch (c) {
	case 0x253: case 0x254: case 0x256: case 0x257: case 0x259:
	case 0x25B: case 0x263: case 0x268: case 0x26F: case 0x272:
	case 0x289: case 0x28B: case 0x2BB:
		return 1;
	}
	return (c >= 0x300 && c <= 0x36F) || (c >= 0x1E00 && c <= 0x1EFF);
}

static int is_unicode_space(int32_t c)
{
	if (c < 0x80)
		return (c >= 0x09 && c <= 0x0D) || c == ' ';
	return c == 0x85 || c == 0xA0 || c == 0x1680 || c == 0x180E ||
	    (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
	    c == 0x202F || c == 0x205F || c == 0x3000;
}

static int is_directional(int32_t c)
{
	return c == 0x061C || c == 0x200E || c == 0x200F ||
	    (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

static inline int is_java_space(int32_t c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0D);
}

/* Letters of an ASCII domain label: ASCII alphanumerics and Latin accents. */
static inline int is_url_char(int32_t c)
{
	return c < 0x80 ? a_alnum(c) : is_latin_accent(c);
}

/* Inside a subdomain label: also '-' and '_' (not first or last). */
static inline int is_label_char(int32_t c)
{
	return is_url_char(c) || c == '-' || c == '_';
}

/* A label after "http://" may be any run of characters that are not
 * punctuation, space or general punctuation: "http://✪df.ws". */
static int is_unicode_url_char(int32_t c)
{
	int cat;

	if (c < 0x80)
		return c >= 0 && !in_class(c, C_PUNCT) && !is_java_space(c);
	cat = category(c);
	return cat != UTF8PROC_CATEGORY_ZS && cat != UTF8PROC_CATEGORY_ZL &&
	    cat != UTF8PROC_CATEGORY_ZP && !(c >= 0x2000 && c <= 0x206F);
}

/* A URL may not follow a letter, a digit, '@', '$', '#' or a BOM. */
static int url_preceding_ok(int32_t c)
{
	if (c == END)
		return 1;
	if (c < 0x80)
		return !a_alnum(c) && c != '@' && c != '$' && c != '#';
	return c != 0xFF20 && c != 0xFF03 && c != 0xFFFE && c != 0xFEFF &&
	    c != 0xFFFF;
}

static int is_cyrillic(int32_t c)
{
	return c >= 0x400 && c <= 0x4FF;
}

static inline int is_path_char(int32_t c)
{
	if (c < 0x80)
		return a_alnum(c) || in_class(c, C_PATH);
	return c == 0x2013 || is_latin_accent(c) || is_cyrillic(c);
}

static inline int is_path_end(int32_t c)
{
	if (c < 0x80)
		return a_alnum(c) || in_class(c, C_PATH_END);
	return is_latin_accent(c) || is_cyrillic(c);
}

static inline int is_query_char(int32_t c)
{
	return a_alnum(c) || in_class(c, C_QUERY);
}

static inline int is_query_end(int32_t c)
{
	return a_alnum(c) || in_class(c, C_QUERY_END);
}

/* Case-insensitive match of the ASCII lowercase word w (n bytes) at i. */
static int ieq_n(const struct text *t, size_t i, const char *w, size_t n)
{
	size_t k;

	if (t->n - i < n)
		return 0;
	for (k = 0; k < n; k++) {
		unsigned char c = t->s[i + k];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != (unsigned char)w[k])
			return 0;
	}
	return 1;
}

#define ieq_at(t, i, w) ieq_n((t), (i), w, sizeof(w) - 1)

/*
 * The first byte in [i, lim) that is a or 0xEF, the first byte of the
 * fullwidth signs; lim if there is none.  Texts are short, so one pass
 * for both beats two calls of memchr.
 */
static inline size_t find_sign(const unsigned char *s, size_t i, size_t lim,
                               unsigned char a)
{
#ifdef __SSE2__
	const __m128i va = _mm_set1_epi8((char)a);
	const __m128i vf = _mm_set1_epi8((char)0xEF);
	__m128i v;
	unsigned m;

	for (; lim - i >= 16; i += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vf)));
		if (m != 0)
			return i + (unsigned)__builtin_ctz(m);
	}
#endif
	for (; i < lim; i++)
		if (s[i] == a || s[i] == 0xEF)
			return i;
	return lim;
}

/*
 * The next sign at or after i and before lim: the ASCII sign a, or the
 * fullwidth form whose UTF-8 is EF BC fw.  Sets *len to the sign's
 * length.  NONE if there is none.
 */
static size_t next_sign(const struct text *t, size_t i, size_t lim,
                        unsigned char a, unsigned char fw, size_t *len)
{
	for (; (i = find_sign(t->s, i, lim, a)) < lim; i++) {
		if (t->s[i] == a) {
			*len = 1;
			return i;
		}
		if (t->n - i >= 3 && t->s[i + 1] == 0xBC && t->s[i + 2] == fw) {
			*len = 3;
			return i;
		}
	}
	return NONE;
}

/* Whether the character ending at i may precede a match of g: it must not
 * have been consumed by g's previous match. */
static inline int32_t preceding(const struct text *t, const struct gen *g,
                                size_t i, int *usable)
{
	size_t st;
	int32_t c = cp_before(t, i, &st);

	*usable = i == 0 || st >= g->from;
	return c;
}

/* The end of the run of hashtag characters at q; *letter tells whether it
 * holds a letter or mark. */
static size_t hashtag_chars(const struct text *t, size_t q, int *letter)
{
	size_t len;
	int32_t c;

	*letter = 0;
	while (q < t->n) {
		c = t->s[q];
		if (c < 0x80) {
			if (a_alpha(c))
				*letter = 1;
			else if (!a_digit(c) && c != '_')
				break;
			q++;
			continue;
		}
		if (!is_hashtag_char(c = cp_at(t, q, &len)))
			break;
		*letter |= is_letter_mark(c);
		q += len;
	}
	return q;
}

/* Hashtags: "#" or "＃", not after a letter, digit or '&', not a keycap,
 * then a run of hashtag characters with at least one letter, not followed
 * by another hash sign or "://". */
static int hashtag_next(const struct text *t, struct gen *g, size_t lim)
{
	size_t h, q, sl;
	int32_t c;
	int usable, letter;

	while (g->pos < lim) {
		h = next_sign(t, g->pos, lim, '#', 0x83, &sl);
		if (h == NONE)
			break;
		g->pos = h + sl;
		c = preceding(t, g, h, &usable);
		if (!usable || (c != 0xFE0E && c != 0xFE0F &&
		    (c == '&' || is_hashtag_char(c))))
			continue;
		q = h + sl;
		c = peek(t, q);
		if (c == 0xFE0F || c == 0x20E3)
			continue;
		q = hashtag_chars(t, q, &letter);
		if (!letter)
			continue;
		g->pos = g->from = q;
		c = peek(t, q);
		if (c == '#' || c == 0xFF03 || ieq_at(t, q, "://"))
			continue;
		g->e = (struct ent){ h, q, h + sl, q - h - sl };
		return 1;
	}
	g->pos = lim;
	return 0;
}

/* "RT" or "RT:" just before i, itself at the start or after a character
 * that is not part of a word, a URL or an address. */
static int after_retweet(const struct text *t, const struct gen *g, size_t i)
{
	size_t r;
	int32_t c;
	int usable;

	if (i > 0 && t->s[i - 1] == ':')
		i--;
	if (i < 2 || !ieq_at(t, i - 2, "rt"))
		return 0;
	r = i - 2;
	if (r == 0)
		return g->from == 0;
	c = preceding(t, g, r, &usable);
	return usable && !(a_alnum(c) || in_class(c, C_NO_RT));
}

/* Mentions and lists: "@name" or "@name/slug", not after a letter, digit
 * or one of _!#$%&*@ (unless after "RT"), not followed by '@', a Latin
 * accent or "://". */
static int mention_next(const struct text *t, struct gen *g, size_t lim)
{
	size_t a, q, at, sl, k;
	int32_t c;
	int usable;

	while (g->pos < lim) {
		a = next_sign(t, g->pos, lim, '@', 0xA0, &sl);
		if (a == NONE)
			break;
		g->pos = a + sl;
		c = preceding(t, g, a, &usable);
		if (!(usable && !a_alnum(c) && !in_class(c, C_NO_MENTION) &&
		    c != 0xFF20) && !after_retweet(t, g, a))
			continue;
		at = a;
		q = a + sl;
		while ((c = peek(t, q)) == '@' || c == 0xFF20) {
			at = q;
			q += c == '@' ? 1 : 3;
		}
		g->pos = q;
		for (k = 0; q + k < t->n && k < MAX_NAME &&
		    (a_alnum(t->s[q + k]) || t->s[q + k] == '_'); k++)
			;
		if (k == 0)
			continue;
		g->e = (struct ent){ at, q + k, q, k };
		q += k;
		if (peek(t, q) == '/' && a_alpha(peek(t, q + 1))) {
			for (k = 2; q + k < t->n && k < MAX_SLUG + 1 &&
			    (a_alnum(t->s[q + k]) || t->s[q + k] == '_' ||
			    t->s[q + k] == '-');
			    k++)
				;
			q += k;
		}
		g->pos = g->from = g->e.end = q;
		c = peek(t, q);
		if (c == '@' || c == 0xFF20 || is_latin_accent(c) ||
		    ieq_at(t, q, "://"))
			continue;
		return 1;
	}
	g->pos = lim;
	return 0;
}

/* What may follow a cashtag: the end, ASCII space or punctuation. */
static inline int cashtag_follow(const struct text *t, size_t i)
{
	return i >= t->n || is_java_space(t->s[i]) || in_class(t->s[i], C_PUNCT);
}

/* Cashtags: "$" at the start or after a space, one to six ASCII letters,
 * optionally '.' or '_' and one or two letters. */
static int cashtag_next(const struct text *t, struct gen *g, size_t lim)
{
	const unsigned char *p;
	size_t d, q, k, m;
	int32_t c;
	int usable;

	while (g->pos < lim) {
		p = memchr(t->s + g->pos, '$', lim - g->pos);
		if (p == NULL)
			break;
		d = (size_t)(p - t->s);
		g->pos = d + 1;
		c = preceding(t, g, d, &usable);
		if (!usable || !(c == END || is_unicode_space(c) ||
		    is_directional(c)))
			continue;
		q = d + 1;
		for (k = 0; q + k < t->n && a_alpha(t->s[q + k]); k++)
			;
		if (k == 0 || k > MAX_CASHTAG)
			continue;
		q += k;
		if (q < t->n && (t->s[q] == '.' || t->s[q] == '_')) {
			for (m = 0; q + 1 + m < t->n && a_alpha(t->s[q + 1 + m]);
			    m++)
				;
			if (m >= 1 && m <= 2 && cashtag_follow(t, q + 1 + m))
				q += 1 + m;
		}
		if (!cashtag_follow(t, q))
			continue;
		g->pos = g->from = q;
		g->e = (struct ent){ d, q, d + 1, q - d - 1 };
		return 1;
	}
	g->pos = lim;
	return 0;
}

/* URLs */

struct key {
	const char *p;
	size_t len;
};

/* Keys hold no NUL (letters, or bytes of non-ASCII characters), so an
 * entry that is shorter differs from them within strncmp. */
static int tld_cmp(const void *k, const void *e)
{
	const struct key *key = k;
	const char *s = *(const char *const *)e;
	int r = strncmp(key->p, s, key->len);

	return r != 0 ? r : -(s[key->len] != '\0');
}

static int is_tld(const char *p, size_t len)
{
	struct key k = { p, len };

	return bsearch(&k, tld_list, TLD_COUNT, sizeof tld_list[0],
	    tld_cmp) != NULL;
}

/* A TLD may not run on into an ASCII letter, digit or one of "@+-". */
static inline int tld_follow(const struct text *t, size_t i)
{
	return i >= t->n || !(a_alnum(t->s[i]) || t->s[i] == '@' ||
	    t->s[i] == '+' || t->s[i] == '-');
}

/*
 * Length of the top-level domain that starts at i, 0 if none: a known
 * TLD (case-insensitive for ASCII; the longest one for IDN TLDs, which
 * may run straight into other text) or, when punycode is set, any
 * "xn--" label.
 */
static size_t tld_at(const struct text *t, size_t i, int punycode)
{
	char low[TLD_MAXLEN];
	size_t k, len, best = 0;

	if (i >= t->n)
		return 0;
	if (t->s[i] < 0x80) {
		for (k = 0; i + k < t->n && a_alpha(t->s[i + k]); k++)
			if (k < TLD_MAXLEN)
				low[k] = (char)(t->s[i + k] | 0x20);
		if (k > 0 && k <= TLD_MAXLEN && tld_follow(t, i + k) &&
		    is_tld(low, k))
			return k;
		if (!punycode || !ieq_at(t, i, "xn--"))
			return 0;
		for (k = 4; i + k < t->n && (a_alnum(t->s[i + k]) ||
		    t->s[i + k] == '-'); k++)
			;
		return k > 4 ? k : 0;
	}
	for (k = 0; i + k < t->n && t->s[i + k] >= 0x80 && k < TLD_MAXLEN;) {
		cp_at(t, i + k, &len);
		k += len;
		if (k <= TLD_MAXLEN && tld_follow(t, i + k) &&
		    is_tld((const char *)t->s + i, k))
			best = k;
	}
	return best;
}

/* End of the run of subdomain-label characters at i (no dots). */
static size_t label_end(const struct text *t, size_t i)
{
	size_t len;

	while (i < t->n && is_label_char(cp_at(t, i, &len)))
		i += len;
	return i;
}

/* A label [a, b) fits a subdomain: it begins and ends with a URL letter
 * (the run it comes from holds only label characters). */
static int subdomain_ok(const struct text *t, size_t a, size_t b)
{
	size_t st;

	return a < b && is_url_char(peek(t, a)) &&
	    is_url_char(cp_before(t, b, &st));
}

/* A domain-name label, the one before the TLD, has no '_'. */
static int domain_name_ok(const struct text *t, size_t a, size_t b)
{
	return subdomain_ok(t, a, b) && memchr(t->s + a, '_', b - a) == NULL;
}

/* Walks the labels after the dot at d; see struct urlgen. */
static void walk_labels(const struct text *t, struct urlgen *u, size_t d)
{
	size_t q = d + 1, r;

	u->walk_from = d;
	u->best = NONE;
	for (;;) {
		r = label_end(t, q);
		if (r >= t->n || t->s[r] != '.' || !subdomain_ok(t, q, r))
			break;
		if (domain_name_ok(t, q, r) && tld_at(t, r + 1, 1) > 0)
			u->best = r;
		q = r + 1;
	}
	u->walk_end = q;
}

/*
 * A domain of ASCII-ish labels that starts at a, whose first dot is d:
 * subdomains, a domain name, then a TLD, taking as many labels as can be
 * taken.  Returns the domain's end, or NONE.
 */
static size_t ascii_domain(const struct text *t, struct urlgen *u, size_t a,
                           size_t d)
{
	size_t k;

	if (!subdomain_ok(t, a, d) || label_end(t, a) != d)
		return NONE;
	if (!(u->walk_from <= d && d < u->walk_end))
		walk_labels(t, u, d);
	if (u->best != NONE && u->best > d)
		return u->best + 1 + tld_at(t, u->best + 1, 1);
	if (domain_name_ok(t, a, d) && (k = tld_at(t, d + 1, 1)) > 0)
		return d + 1 + k;
	return NONE;
}

/* After a protocol only: one label of any letters, then a known TLD
 * ("http://exampleこれは.com", "http://あ-あ.com").  Returns the end or
 * NONE. */
static size_t unicode_domain(const struct text *t, size_t a, size_t d)
{
	size_t i, len, st, k;
	int32_t c;

	if (a >= d || peek(t, a) == '-' || cp_before(t, d, &st) == '-')
		return NONE;
	for (i = a; i < d; i += len) {
		c = cp_at(t, i, &len);
		if (c != '-' && !is_unicode_url_char(c))
			return NONE;
	}
	k = tld_at(t, d + 1, 0);
	return k > 0 ? d + 1 + k : NONE;
}

/* A balanced "(...)" group of a path at i, one level of nesting at most.
 * Returns its end, or NONE. */
static size_t balanced_parens(const struct text *t, size_t i)
{
	size_t q = i + 1, n1, n2, len;
	int32_t c;

	for (n1 = 0; q < t->n && is_path_char(c = cp_at(t, q, &len)); n1++)
		q += len;
	if (peek(t, q) == ')')
		return n1 > 0 ? q + 1 : NONE;
	if (peek(t, q) != '(')
		return NONE;
	q++;
	for (n2 = 0; q < t->n && is_path_char(c = cp_at(t, q, &len)); n2++)
		q += len;
	if (n2 == 0 || peek(t, q) != ')')
		return NONE;
	q++;
	while (q < t->n && is_path_char(c = cp_at(t, q, &len)))
		q += len;
	return peek(t, q) == ')' ? q + 1 : NONE;
}

/* A path at the '/' at i: the longest run of path characters and balanced
 * parentheses that ends in a character that may end a path. */
static size_t path_end(const struct text *t, size_t i)
{
	size_t q = i + 1, end = q, len, b;
	int32_t c;

	while (q < t->n) {
		c = cp_at(t, q, &len);
		if (c == '(' && (b = balanced_parens(t, q)) != NONE) {
			q = end = b;
		} else if (is_path_char(c)) {
			q += len;
			if (is_path_end(c))
				end = q;
		} else {
			break;
		}
	}
	return end;
}

/* A query at the '?' at i, not past lim: the end, or i if there is none. */
static size_t query_end(const struct text *t, size_t i, size_t lim)
{
	size_t q, end = i;

	for (q = i + 1; q < lim && is_query_char(t->s[q]); q++)
		if (is_query_end(t->s[q]))
			end = q + 1;
	return end;
}

/* "http(s)://t.co/slug": the URL stops after the slug and any query; a slug
 * longer than 40 characters makes no URL (NONE).  Other URLs keep end. */
static size_t tco_end(const struct text *t, size_t us, size_t end)
{
	size_t q, k;

	if (ieq_at(t, us, "http://t.co/"))
		q = us + 12;
	else if (ieq_at(t, us, "https://t.co/"))
		q = us + 13;
	else
		return end;
	for (k = 0; q + k < end && a_alnum(t->s[q + k]); k++)
		;
	if (k == 0)
		return end;
	if (k > MAX_TCO_SLUG)
		return NONE;
	q += k;
	return q < end && t->s[q] == '?' ? query_end(t, q, end) : q;
}

/* The length of a label's punycode (RFC 3492) encoding, without "xn--". */
static size_t punycode_len(const utf8proc_int32_t *cp, size_t n)
{
	enum { BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700 };
	uint64_t delta = 0, q, t, d, m, cur = 128;
	size_t i, h = 0, b, out, bias = 72, k;

	for (i = 0; i < n; i++)
		h += cp[i] < 0x80;
	b = h;
	out = b + (b > 0);
	while (h < n) {
		m = UINT32_MAX;
		for (i = 0; i < n; i++)
			if ((uint64_t)cp[i] >= cur && (uint64_t)cp[i] < m)
				m = (uint64_t)cp[i];
		delta += (m - cur) * (h + 1);
		cur = m;
		for (i = 0; i < n; i++) {
			if ((uint64_t)cp[i] < cur)
				delta++;
			if ((uint64_t)cp[i] != cur)
				continue;
			for (q = delta, k = BASE;; k += BASE) {
				t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX :
				    k - bias;
				if (q < t)
					break;
				out++;
				q = (q - t) / (BASE - t);
			}
			out++;
			d = h == b ? delta / DAMP : delta / 2;
			d += d / (h + 1);
			for (bias = 0; d > ((BASE - TMIN) * TMAX) / 2; bias += BASE)
				d /= BASE - TMIN;
			bias += (BASE - TMIN + 1) * d / (d + SKEW);
			delta = 0;
			h++;
		}
		delta++;
		cur++;
	}
	return out;
}

/*
 * The ASCII (IDNA) length of one host label, 0 if IDNA rejects it: after
 * NFKC and case folding, a non-ASCII label may not already look encoded
 * ("xn--"), may not mix right-to-left and left-to-right letters (and must
 * begin and end with right-to-left ones if it has any), and must encode
 * to at most 63 bytes.
 */
static size_t label_ace_len(const unsigned char *p, size_t n)
{
	/* Room for 63 characters however far NFKC decomposes them. */
	utf8proc_int32_t cp[MAX_LABEL * 18 + 1];
	const utf8proc_option_t opt = UTF8PROC_STABLE | UTF8PROC_COMPAT |
	    UTF8PROC_CASEFOLD;
	utf8proc_ssize_t k, i;
	size_t out;
	int is_rtl, any_rtl = 0, first_rtl = 0, last_rtl = 0, ltr = 0, ascii = 1;
	struct text lab = { p, n };

	for (i = 0; i < (utf8proc_ssize_t)n; i++)
		ascii &= p[i] < 0x80;
	if (ascii)
		return n <= MAX_LABEL ? n : 0;
	if (ieq_at(&lab, 0, "xn--"))
		return 0;
	k = utf8proc_decompose(p, (utf8proc_ssize_t)n, cp,
	    (utf8proc_ssize_t)(sizeof cp / sizeof cp[0]), opt);
	if (k < 1 || k > (utf8proc_ssize_t)(sizeof cp / sizeof cp[0]))
		return 0;
	k = utf8proc_normalize_utf32(cp, k, opt | UTF8PROC_COMPOSE);
	if (k < 1 || k > MAX_LABEL)
		return 0;
	for (i = 0; i < k; i++) {
		switch (utf8proc_get_property(cp[i])->bidi_class) {
		case UTF8PROC_BIDI_CLASS_R:
		case UTF8PROC_BIDI_CLASS_AL:
			is_rtl = 1;
			break;
		case UTF8PROC_BIDI_CLASS_L:
			ltr = 1;
			/* fall through */
		default:
			is_rtl = 0;
		}
		if (i == 0)
			first_rtl = is_rtl;
		last_rtl = is_rtl;
		any_rtl |= is_rtl;
		ascii &= cp[i] < 0x80;
	}
	if (any_rtl && (ltr || !first_rtl || !last_rtl))
		return 0;
	out = ascii ? (size_t)k : 4 + punycode_len(cp, (size_t)k);
	return out <= MAX_LABEL ? out : 0;
}

/* The separators IDNA splits labels on: . 。 ． ｡ */
static size_t label_dot(const struct text *t, size_t i)
{
	if (t->s[i] == '.')
		return 1;
	if (t->n - i >= 3 && ((t->s[i] == 0xE3 && t->s[i + 1] == 0x80 &&
	    t->s[i + 2] == 0x82) || (t->s[i] == 0xEF && ((t->s[i + 1] == 0xBC &&
	    t->s[i + 2] == 0x8E) || (t->s[i + 1] == 0xBD &&
	    t->s[i + 2] == 0xA1)))))
		return 3;
	return 0;
}

static size_t count_chars(const struct text *t, size_t a, size_t b)
{
	size_t n = 0;

	for (; a < b; a++)
		n += (t->s[a] & 0xC0) != 0x80;
	return n;
}

/* Whether the host [a, b) converts to ASCII and the URL [us, ue), with
 * its host in ASCII form and a protocol, fits in 4096 characters. */
static int host_ok(const struct text *t, size_t a, size_t b, size_t us,
                   size_t ue, int proto)
{
	size_t i, l = a, sep, ace = 0, k;

	/* The common case: a short URL with a host of short ASCII labels. */
	for (i = a; i < b && t->s[i] < 0x80 && i - l <= MAX_LABEL; i++)
		if (t->s[i] == '.')
			l = i + 1;
	if (i == b && b - l <= MAX_LABEL && ue - us + 8 <= MAX_URL)
		return 1;
	l = a;

	for (i = a; i <= b; i++) {
		sep = i < b ? label_dot(t, i) : 1;
		if (sep == 0)
			continue;
		if ((k = label_ace_len(t->s + l, i - l)) == 0)
			return 0;
		ace += k + (i < b);
		l = i + sep;
		i = l - 1;
	}
	return count_chars(t, us, ue) + ace - count_chars(t, a, b) +
	    (proto ? 0 : 8) <= MAX_URL;
}

/*
 * The rest of a URL after its domain [ds, de): port, path, query.  The
 * match ends the generator's previous-character window whether or not it
 * makes a URL: a protocol-less URL right after "-", "_", "." or "/", a bad
 * t.co slug or a bad host name drop it.  Returns 1 with u->g.e set.
 */
static int url_finish(const struct text *t, struct urlgen *u, size_t us,
                      size_t ds, size_t de, int proto)
{
	size_t q = de, end, st;
	int32_t c;

	if (q + 1 < t->n && t->s[q] == ':' && a_digit(t->s[q + 1]))
		for (q++; q < t->n && a_digit(t->s[q]); q++)
			;
	if (q < t->n && t->s[q] == '/')
		q = path_end(t, q);
	if (q < t->n && t->s[q] == '?')
		q = query_end(t, q, t->n);
	u->g.pos = u->g.from = q;
	c = cp_before(t, us, &st);
	if (!proto && (c == '-' || c == '_' || c == '.' || c == '/'))
		return 0;
	end = proto ? tco_end(t, us, q) : q;
	if (end == NONE || !host_ok(t, ds, de, us, end, proto))
		return 0;
	u->g.e = (struct ent){ us, end, us, end - us };
	return 1;
}

/* The protocol that ends right at a, if a match may start there. */
static size_t protocol_before(const struct text *t, const struct gen *g,
                              size_t lo, size_t a)
{
	size_t ps;
	int32_t c;
	int usable;

	if (a >= lo + 7 && ieq_at(t, a - 7, "http://"))
		ps = a - 7;
	else if (a >= lo + 8 && ieq_at(t, a - 8, "https://"))
		ps = a - 8;
	else
		return NONE;
	c = preceding(t, g, ps, &usable);
	return usable && url_preceding_ok(c) ? ps : NONE;
}

/* Whether "http://" or "https://" ends at a. */
static int protocol_ends_at(const struct text *t, size_t a)
{
	return (a >= 7 && ieq_at(t, a - 7, "http://")) ||
	    (a >= 8 && ieq_at(t, a - 8, "https://"));
}

/*
 * A URL without protocol at s, whose first dot is d; with unicode, the
 * single-label form is allowed too (right after "http://" that could not
 * start a match itself, which only ever makes a match that is dropped).
 * Returns as url_at_dot does.
 */
static int url_try(const struct text *t, struct urlgen *u, size_t s,
                   size_t d, int unicode)
{
	size_t de = NONE;
	int32_t c;
	int usable;

	c = preceding(t, &u->g, s, &usable);
	if (!usable || !url_preceding_ok(c))
		return -1;
	if (is_url_char(peek(t, s)))
		de = ascii_domain(t, u, s, d);
	if (de == NONE && unicode)
		de = unicode_domain(t, s, d);
	return de == NONE ? -1 : url_finish(t, u, s, s, de, 0);
}

/*
 * Tries every place a URL whose first dot is d may start, in text order:
 * a protocol before the run of domain characters that ends at d, then each
 * place in the run's tail of label characters.  Returns 1 with an entity,
 * 0 when a match was dropped (u->g.pos is then past it), -1 when nothing
 * matched.
 */
static int url_at_dot(const struct text *t, struct urlgen *u, size_t d)
{
	size_t lo = u->g.pos, a = d, c0, s, st, len, de, ps;
	int32_t c;
	int r, tried = 0;

	while (a > lo) {
		c = cp_before(t, a, &st);
		if (st < lo || !(is_label_char(c) || is_unicode_url_char(c)))
			break;
		a = st;
	}
	ps = protocol_before(t, &u->g, lo, a);
	if (ps != NONE) {
		de = ascii_domain(t, u, a, d);
		if (de == NONE)
			de = unicode_domain(t, a, d);
		if (de != NONE)
			return url_finish(t, u, ps, a, de, 1);
	} else if (protocol_ends_at(t, a)) {
		if ((r = url_try(t, u, a, d, 1)) >= 0)
			return r;
		tried = 1;
	}
	c0 = d;
	while (c0 > a && is_label_char(cp_before(t, c0, &st)))
		c0 = st;
	for (s = c0; s < d; s += len) {
		cp_at(t, s, &len);
		/* Inside an ASCII word no URL can start. */
		if (s > c0 && a_alnum(t->s[s - 1]))
			continue;
		if (!(s == a && tried) && (r = url_try(t, u, s, d, 0)) >= 0)
			return r;
	}
	return -1;
}

/* The next URL whose first dot lies before lim. */
static int url_next(const struct text *t, struct urlgen *u, size_t lim)
{
	const unsigned char *p;
	size_t d;
	int r;

	while (u->g.pos < lim) {
		p = memchr(t->s + u->g.pos, '.', lim - u->g.pos);
		if (p == NULL)
			break;
		d = (size_t)(p - t->s);
		/* A label or a TLD must follow the first dot of a domain;
		 * this skips the full stops of sentences cheaply. */
		if (d + 1 < t->n && (t->s[d + 1] >= 0x80 || a_alnum(t->s[d + 1])))
			r = url_at_dot(t, u, d);
		else
			r = -1;
		if (r == 1)
			return 1;
		if (r < 0)
			u->g.pos = d + 1;
	}
	u->g.pos = lim;
	return 0;
}

/* Words */

/* Letters and decimal digits. */
static inline int is_word_start(int32_t c)
{
	int cat;

	if (c < 0x80)
		return a_alnum(c);
	cat = category(c);
	return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
	    cat == UTF8PROC_CATEGORY_ND;
}

/* Letters, marks and decimal digits. */
static inline int is_word_char(int32_t c)
{
	return c < 0x80 ? a_alnum(c) : is_letter_mark(c) ||
	    category(c) == UTF8PROC_CATEGORY_ND;
}

/* Inside a word between two of its letters: "don't", "l’eau", "il·lusió",
 * and the joiners of Persian and Indic scripts. */
static inline int is_word_joiner(int32_t c)
{
	return c == '\'' || c == 0x2019 || c == 0xB7 || c == 0x200C ||
	    c == 0x200D;
}

/* Calls fn for each word in [a, b). */
static int scan_words(const struct text *t, size_t a, size_t b, tok_fn fn,
                      void *arg)
{
	struct tok tk;
	size_t i = a, ws, we, len, len2;
	int32_t c;
	int r;

	tk.kind = TOK_WORD;
	while (i < b) {
		c = cp_at(t, i, &len);
		if (!is_word_start(c)) {
			i += len;
			continue;
		}
		ws = i;
		we = i += len;
		while (i < b) {
			c = cp_at(t, i, &len);
			if (is_word_char(c)) {
				we = i += len;
			} else if (is_word_joiner(c) && i + len < b &&
			    is_word_start(cp_at(t, i + len, &len2))) {
				i += len;
			} else {
				break;
			}
		}
		tk.p = (const char *)t->s + ws;
		tk.len = we - ws;
		tk.start = ws;
		tk.end = we;
		if ((r = fn(arg, &tk)) != 0)
			return r;
	}
	return 0;
}

/* Merging */

enum { G_URL, G_HASH, G_MENTION, G_CASH, NGEN };

/* The generator whose pending entity starts first, among those in the
 * bit set gens, or NULL. */
static struct gen *first_pending(struct gen *g[NGEN], unsigned gens)
{
	struct gen *best = NULL;
	int i;

	for (i = 0; i < NGEN; i++)
		if ((gens >> i & 1) && g[i]->live &&
		    (best == NULL || g[i]->e.start < best->e.start))
			best = g[i];
	return best;
}

/* The next entity of generator i whose sign or dot lies before lim. */
static int refill(struct scan *sc, int i, size_t lim)
{
	switch (i) {
	case G_HASH:
		return hashtag_next(&sc->t, &sc->hash, lim);
	case G_MENTION:
		return mention_next(&sc->t, &sc->mention, lim);
	case G_CASH:
		return cashtag_next(&sc->t, &sc->cash, lim);
	default:
		return url_next(&sc->t, &sc->url, lim);
	}
}

/* What catch_up looks for: the spaces that bound a run, and what each
 * generator's matches start from (a sign, 0xEF for the fullwidth ones, or
 * a URL's dot). */
enum { B_SPACE = 1, B_DOT = 2, B_HASH = 4, B_AT = 8, B_DOLLAR = 16,
	B_FULLWIDTH = 32 };

static const unsigned char run_byte[256] = {
	['\t'] = B_SPACE, ['\n'] = B_SPACE, ['\v'] = B_SPACE,
	['\f'] = B_SPACE, ['\r'] = B_SPACE, [' '] = B_SPACE,
	['.'] = B_DOT, ['#'] = B_HASH, ['@'] = B_AT, ['$'] = B_DOLLAR,
	[0xEF] = B_FULLWIDTH,
};

static const unsigned char gen_bytes[NGEN] = {
	[G_URL] = B_DOT, [G_HASH] = B_HASH | B_FULLWIDTH,
	[G_MENTION] = B_AT | B_FULLWIDTH, [G_CASH] = B_DOLLAR
};

/*
 * Entities of kinds not asked for matter only where they overlap one of a
 * kind that is, and no entity holds ASCII space.  So their generators are
 * lazy: before the entity at s is merged, they search just the run of
 * non-space bytes around s, and skip it at once when it holds none of
 * their signs.  A match, and every character that decides whether there
 * is one, lies in one run or is the space that bounds it, so a run is
 * searched exactly as a full scan would search it, whatever was skipped
 * before.  sc->run keeps the end of the current run and the signs between
 * run.lo and it, for the next entity in the same run.
 */
static void catch_up(struct scan *sc, struct gen *g[NGEN], unsigned lazy,
                     size_t s)
{
	const struct text *t = &sc->t;
	size_t lo = s, rs, re;
	unsigned need = 0, bytes = 0, b;
	int i;

	for (i = 0; i < NGEN; i++)
		if ((lazy >> i & 1) && !g[i]->live && g[i]->pos <= s) {
			need |= 1u << i;
			if (g[i]->pos < lo)
				lo = g[i]->pos;
		}
	if (need == 0)
		return;
	for (rs = s; rs > lo && !((b = run_byte[t->s[rs - 1]]) & B_SPACE); rs--)
		bytes |= b;
	if (!(sc->run.lo <= s && s < sc->run.end)) {
		sc->run.bytes = 0;
		for (re = s; re < t->n &&
		    !((b = run_byte[t->s[re]]) & B_SPACE); re++)
			sc->run.bytes |= b;
		sc->run.lo = s;
		sc->run.end = re;
	}
	bytes |= sc->run.bytes;
	re = sc->run.end;
	for (i = 0; i < NGEN; i++) {
		if (!(need >> i & 1))
			continue;
		if (!(bytes & gen_bytes[i])) {
			g[i]->pos = re;
			continue;
		}
		if (g[i]->pos < rs)
			g[i]->pos = rs;
		g[i]->live = refill(sc, i, re);
	}
}

int tok_scan(const char *text, size_t len, unsigned kinds, tok_fn fn, void *arg)
{
	static const enum tok_kind kind_of[NGEN] = {
		[G_URL] = TOK_URL, [G_HASH] = TOK_HASHTAG,
		[G_MENTION] = TOK_MENTION, [G_CASH] = TOK_CASHTAG
	};
	struct scan sc;
	struct gen *g[NGEN], *e;
	struct tok tk;
	size_t done = 0;
	unsigned lazy = 0;
	int i, r;

	/* Only the fields read before they are written are set: clearing
	 * all of the state was a measurable part of a short text's scan. */
	sc.t.s = (const unsigned char *)text;
	sc.t.n = len;
	sc.url.walk_from = sc.url.walk_end = 0;
	sc.run.lo = sc.run.end = 0;
	g[G_URL] = &sc.url.g;
	g[G_HASH] = &sc.hash;
	g[G_MENTION] = &sc.mention;
	g[G_CASH] = &sc.cash;
	for (i = 0; i < NGEN; i++) {
		g[i]->pos = g[i]->from = 0;
		g[i]->live = 0;
		if (!(kinds & (kind_of[i] | TOK_WORD)))
			lazy |= 1u << i;
		else
			g[i]->live = refill(&sc, i, len);
	}
	for (;;) {
		if (lazy != 0) {
			if ((e = first_pending(g, ~lazy)) == NULL)
				break;
			catch_up(&sc, g, lazy, e->e.start);
		}
		if ((e = first_pending(g, ~0u)) == NULL)
			break;
		tk.start = e->e.start;
		tk.end = e->e.end;
		tk.p = text + e->e.tp;
		tk.len = e->e.tlen;
		for (i = 0; g[i] != e; i++)
			;
		tk.kind = kind_of[i];
		e->live = lazy >> i & 1 ? 0 : refill(&sc, i, len);
		if (tk.start < done)
			continue;
		if ((kinds & TOK_WORD) &&
		    (r = scan_words(&sc.t, done, tk.start, fn, arg)) != 0)
			return r;
		done = tk.end;
		if ((kinds & tk.kind) && (r = fn(arg, &tk)) != 0)
			return r;
	}
	if (kinds & TOK_WORD)
		return scan_words(&sc.t, done, len, fn, arg);
	return 0;
}

/* Folding */

static int fold_valid(const unsigned char *s, size_t len, struct buf *b)
{
	utf8proc_uint8_t *m = NULL;
	utf8proc_ssize_t r;
	int rc;

	if (len == 0)
		return 0;
	r = utf8proc_map(s, (utf8proc_ssize_t)len, &m, UTF8PROC_STABLE |
	    UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
	if (r < 0)
		return r == UTF8PROC_ERROR_NOMEM ? -1 : buf_add(b, s, len);
	rc = buf_add(b, m, (size_t)r);
	free(m);
	return rc;
}

int tok_fold(const char *s, size_t len, struct buf *b)
{
	const unsigned char *p = (const unsigned char *)s;
	utf8proc_int32_t c;
	utf8proc_ssize_t r;
	size_t i, run;

	for (i = 0; i < len && p[i] < 0x80; i++)
		;
	if (i == len) {
		if (buf_reserve(b, len) < 0)
			return -1;
		for (i = 0; i < len; i++)
			b->p[b->len++] = (char)(p[i] >= 'A' && p[i] <= 'Z' ?
			    p[i] + ('a' - 'A') : p[i]);
		return 0;
	}
	/* Invalid bytes are kept as they are (the writer repairs them) and
	 * split the text into valid runs that are folded each. */
	for (i = run = 0; i < len; i += (size_t)r) {
		r = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &c);
		if (r > 0)
			continue;
		if (fold_valid(p + run, i - run, b) < 0 || buf_addc(b, s[i]) < 0)
			return -1;
		r = 1;
		run = i + 1;
	}
	return fold_valid(p + run, len - run, b);
}

/* Kind names */

static const struct {
	enum tok_kind kind;
	const char *name;
} kind_names[] = {
	{ TOK_HASHTAG, "hashtag" }, { TOK_MENTION, "mention" },
	{ TOK_URL, "url" }, { TOK_CASHTAG, "cashtag" }, { TOK_WORD, "word" },
};

const char *tok_kind_name(enum tok_kind k)
{
	size_t i;

	for (i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
		if (kind_names[i].kind == k)
			return kind_names[i].name;
	return "?";
}

enum tok_kind tok_kind_parse(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
		if (strlen(kind_names[i].name) == len &&
		    memcmp(kind_names[i].name, name, len) == 0)
			return kind_names[i].kind;
	return 0;
}
