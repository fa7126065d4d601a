/*
 * Unit tests of json: every error class and its column, the whole
 * JSONTestSuite parsing corpus (read from the shared test data at run
 * time), lookups, unescaping and numbers, and the block reads of the
 * scanner: each kind of byte it looks for at every offset in and across
 * its 16- and 32-byte blocks, and at every distance from the end of a line
 * that is scanned in a buffer of its exact size, so that the sanitizer
 * build sees any read past it.
 */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "tap.h"

static struct json_obj obj;
static char err[256];

static int scan(const char *s, size_t len)
{
	err[0] = '\0';
	return json_scan(s, len, &obj, err, sizeof(err));
}

static int scans(const char *s)
{
	return scan(s, strlen(s));
}

/* The input made printable for a test description. */
static const char *show(const char *s, size_t len)
{
	static char b[4][256];
	static int k;
	char *d = b[k++ & 3], *p = d;
	unsigned char c;

	while (len-- > 0 && p < d + sizeof(b[0]) - 5) {
		c = (unsigned char)*s++;
		if (c >= 0x20 && c < 0x7f)
			*p++ = (char)c;
		else
			p += sprintf(p, "\\x%02x", c);
	}
	*p = '\0';
	return d;
}

static void test_errors(void)
{
	static const struct { const char *in, *err; } cases[] = {
		{"", "column 1: not an object"},
		{"   ", "column 1: not an object"},
		{"[1]", "column 1: not an object"},
		{" \t1", "column 3: not an object"},
		{"\"x\"", "column 1: not an object"},
		{"\xef\xbb\xbf{}", "column 1: not an object"},
		{"{", "column 2: unexpected end of line"},
		{"{ ", "column 3: unexpected end of line"},
		{"{\"a\"", "column 5: unexpected end of line"},
		{"{\"a\":", "column 6: unexpected end of line"},
		{"{\"a\":1", "column 7: unexpected end of line"},
		{"{\"a\":[1", "column 8: unexpected end of line"},
		{"{\"a\":-", "column 7: unexpected end of line"},
		{"{\"a\":tr", "column 6: invalid literal"},
		{"{a:1}", "column 2: expected a key or '}'"},
		{"{'a':1}", "column 2: expected a key or '}'"},
		{"{\"a\":1,b:2}", "column 8: expected a key"},
		{"{\"a\":1,}", "column 8: trailing comma"},
		{"{\"a\":1 , }", "column 10: trailing comma"},
		{"{\"a\":[1,]}", "column 9: trailing comma"},
		{"{\"a\":[,1]}", "column 7: expected a value"},
		{"{\"a\" 1}", "column 6: expected ':' after key"},
		{"{\"user\",\"name\":1}", "column 8: expected ':' after key"},
		{"{\"a\":}", "column 6: expected a value"},
		{"{\"a\"::1}", "column 6: expected a value"},
		{"{\"a\":'x'}", "column 6: expected a value"},
		{"{\"a\":1 \"b\":2}", "column 8: expected ',' or '}'"},
		{"{\"a\":1]", "column 7: expected ',' or '}'"},
		{"{\"a\":[1 2]}", "column 9: expected ',' or ']'"},
		{"{\"a\":[1}", "column 8: expected ',' or ']'"},
		{"{\"a\":01}", "column 7: leading zero in number"},
		{"{\"a\":-01}", "column 8: leading zero in number"},
		{"{\"a\":+1}", "column 6: expected a value"},
		{"{\"a\":-x}", "column 7: expected a digit in number"},
		{"{\"a\":.5}", "column 6: expected a value"},
		{"{\"a\":1.}", "column 8: expected a digit in number"},
		{"{\"a\":1.e5}", "column 8: expected a digit in number"},
		{"{\"a\":1e}", "column 8: expected a digit in number"},
		{"{\"a\":1e+}", "column 9: expected a digit in number"},
		{"{\"a\":0x1}", "column 7: expected ',' or '}'"},
		{"{\"a\":1.5.2}", "column 9: expected ',' or '}'"},
		{"{\"a\":NaN}", "column 6: expected a value"},
		{"{\"a\":nul}", "column 6: invalid literal"},
		{"{\"a\":True}", "column 6: expected a value"},
		{"{\"a\":truex}", "column 10: expected ',' or '}'"},
		{"{\"a\":\"x\ty\"}", "column 8: control character in string"},
		{"{\"a\":\"x\ny\"}", "column 8: control character in string"},
		{"{\"a\x1f\":1}", "column 4: control character in string"},
		{"{\"a\":\"\\x\"}", "column 7: invalid escape"},
		{"{\"a\":\"\\'\"}", "column 7: invalid escape"},
		{"{\"a\":\"\\U0041\"}", "column 7: invalid escape"},
		{"{\"a\":\"\\u12G4\"}", "column 7: invalid \\u escape"},
		{"{\"a\":\"\\u12\"}", "column 7: invalid \\u escape"},
		{"{\"a\":\"\\u12", "column 7: invalid \\u escape"},
		{"{\"a\":\"abc}", "column 6: unterminated string"},
		{"{\"a\":\"abc\\", "column 6: unterminated string"},
		{"{\"abc", "column 2: unterminated string"},
		{"{\"a\":1}x", "column 8: unexpected data after the object"},
		{"{\"a\":1} {}", "column 9: unexpected data after the object"},
		{"{}}", "column 3: unexpected data after the object"},
		{"{} /* c */", "column 4: unexpected data after the object"},
		{"{\"a\":1}\n{\"b\":2}", "column 9: unexpected data after the object"},
		{"{\"a\":1,\"a\"}", "column 11: expected ':' after key"},
		{"{\v}", "column 2: expected a key or '}'"},
		{"{\f}", "column 2: expected a key or '}'"},
		{"{\"a\":\xc2\xa0" "1}", "column 6: expected a value"},
	};
	static const struct { const char *in; size_t len; const char *err; } nul[] = {
		{"{\"a\":1}\0", 8, "column 8: NUL byte"},
		{"{\"a\":\"x\0\"}", 10, "column 8: NUL byte"},
		{"{\"a\":1\0}", 8, "column 7: NUL byte"},
		{"{\"a\0\":1}", 8, "column 4: NUL byte"},
		{"{\0}", 3, "column 2: NUL byte"},
		{"\0{}", 3, "column 1: NUL byte"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(scans(cases[i].in) < 0 && strcmp(err, cases[i].err) == 0,
		    "error '%s' -> '%s' (got '%s')",
		    show(cases[i].in, strlen(cases[i].in)), cases[i].err, err);
	for (i = 0; i < sizeof(nul) / sizeof(nul[0]); i++)
		ok(scan(nul[i].in, nul[i].len) < 0 && strcmp(err, nul[i].err) == 0,
		    "error '%s' -> '%s' (got '%s')", show(nul[i].in, nul[i].len),
		    nul[i].err, err);
	ok(json_scan("{", 1, &obj, NULL, 0) < 0, "no error buffer is fine");
}

/* A record nested n levels deep: {"a":[[[...1...]]]} (arrays below). */
static char *nested(int n, size_t *len)
{
	char *s = malloc(2 * (size_t)n + 16), *p = s;
	int i;

	p += sprintf(p, "{\"a\":");
	for (i = 1; i < n; i++)
		*p++ = '[';
	*p++ = '1';
	for (i = 1; i < n; i++)
		*p++ = ']';
	*p++ = '}';
	*len = (size_t)(p - s);
	return s;
}

static void test_depth(void)
{
	size_t len, i;
	char *s;

	s = nested(JSON_MAX_DEPTH, &len);
	ok(scan(s, len) == 0 && obj.n == 1 && obj.m[0].vlen == len - 6,
	    "nesting of exactly %d is fine (%s)", JSON_MAX_DEPTH, err);
	free(s);
	s = nested(JSON_MAX_DEPTH + 1, &len);
	ok(scan(s, len) < 0 && strcmp(err, "nesting deeper than 512") == 0,
	    "nesting of %d: %s", JSON_MAX_DEPTH + 1, err);
	free(s);

	len = 100000;
	s = malloc(len * 5);
	for (i = 0; i < len; i++)
		memcpy(s + 5 * i, "{\"a\":", 5);
	ok(scan(s, len * 5) < 0 && strcmp(err, "nesting deeper than 512") == 0,
	    "100000 open objects: %s", err);
	free(s);
}

static const char *type_name(int t)
{
	static const char *const names[] = {
		"null", "false", "true", "number", "string", "array", "object"
	};

	return t >= 0 && t <= JSON_OBJECT ? names[t] : "?";
}

static int member_is(const struct json_member *m, const char *key,
    const char *val, int type)
{
	return m->klen == strlen(key) && memcmp(m->key, key, m->klen) == 0 &&
	    m->vlen == strlen(val) && memcmp(m->val, val, m->vlen) == 0 &&
	    m->type == type;
}

static void test_members(void)
{
	static const char line[] = " { \"n\" : null , \"f\":false,\"t\":true,"
	    "\"i\":1992000000000002768,\"x\":-1.5e-3,\"s\":\"a\\\"b\","
	    "\"a\":[1,{\"b\":[]}],\"o\":{\"p\":{}},\"e\\u0301\":\"\","
	    "\"big\":1e400 } \r\n";
	static const struct { const char *key, *val; int type; } want[] = {
		{"n", "null", JSON_NULL},
		{"f", "false", JSON_FALSE},
		{"t", "true", JSON_TRUE},
		{"i", "1992000000000002768", JSON_NUMBER},
		{"x", "-1.5e-3", JSON_NUMBER},
		{"s", "\"a\\\"b\"", JSON_STRING},
		{"a", "[1,{\"b\":[]}]", JSON_ARRAY},
		{"o", "{\"p\":{}}", JSON_OBJECT},
		{"e\\u0301", "\"\"", JSON_STRING},
		{"big", "1e400", JSON_NUMBER},
	};
	size_t i;

	ok(scans(line) == 0 && obj.n == 10, "members scanned (%s, n=%zu)",
	    err, obj.n);
	for (i = 0; i < obj.n && i < 10; i++)
		ok(member_is(&obj.m[i], want[i].key, want[i].val, want[i].type) &&
		    obj.m[i].kesc == (i == 8),
		    "member %zu: key %s, %s %s", i, want[i].key,
		    type_name(want[i].type), want[i].val);
	ok(scans("{}") == 0 && obj.n == 0, "empty object, the member list is reset");
	ok(scans("{ }") == 0 && obj.n == 0, "empty object with a space");
	ok(scans("{\"\":0}") == 0 && obj.n == 1 && obj.m[0].klen == 0,
	    "empty key");
	ok(scans("{\"a\":\"\xff\xfe\xc0\x80\"}") == 0,
	    "invalid UTF-8 in strings is left to the writer");
	ok(scans("{\"\xed\xa0\x80\":\"\x7f\"}") == 0,
	    "encoded surrogate in a key, DEL in a value");
}

static void test_many_members(void)
{
	char line[64 * 1024], *p = line;
	struct json_member m;
	int i;

	*p++ = '{';
	for (i = 0; i < 1000; i++)
		p += sprintf(p, "%s\"k%d\":%d", i ? "," : "", i, i);
	*p++ = '}';
	ok(scan(line, (size_t)(p - line)) == 0 && obj.n == 1000,
	    "1000 members (%s)", err);
	ok(json_get(&obj, "k777", &m) == 1 && m.vlen == 3 &&
	    memcmp(m.val, "777", 3) == 0, "lookup among 1000 members");
}

static int get_is(const char *path, const char *val, int type)
{
	struct json_member m;

	if (json_get(&obj, path, &m) != 1)
		return val == NULL;
	return val != NULL && m.vlen == strlen(val) &&
	    memcmp(m.val, val, m.vlen) == 0 && m.type == type;
}

static void test_get(void)
{
	static const char line[] = "{\"user\":{\"name\":\"ana\",\"id\":7,"
	    "\"geo\":{\"lat\":1.5 , \"tags\" : [\"x\",{\"y\":1}]}},"
	    "\"ts\":\"2026-11-21T12:00:00Z\",\"dup\":1,\"dup\":2,"
	    "\"n\":{\"d\":1,\"d\":{\"e\":true}},"
	    "\"caf\\u00e9\":\"c1\",\"q\\\"k\":3,\"s\\/l\":4,"
	    "\"\\u0061\\u0062\":5,\"a.b\":6,\"\":7,"
	    "\"str\":\"{\\\"fake\\\":1}\",\"arr\":[{\"in\":1}],"
	    "\"pair\\ud83d\\ude00\":8,\"lone\\ud800\":9}";
	struct json_member m;

	ok(scans(line) == 0, "lookup record scans (%s)", err);
	ok(get_is("ts", "\"2026-11-21T12:00:00Z\"", JSON_STRING), "top-level");
	ok(get_is("user.name", "\"ana\"", JSON_STRING), "user.name");
	ok(get_is("user.id", "7", JSON_NUMBER), "user.id");
	ok(get_is("user.geo.lat", "1.5", JSON_NUMBER), "three levels");
	ok(get_is("user.geo.tags", "[\"x\",{\"y\":1}]", JSON_ARRAY),
	    "array value with spaces around the colon");
	ok(get_is("user.geo", "{\"lat\":1.5 , \"tags\" : [\"x\",{\"y\":1}]}",
	    JSON_OBJECT), "object value");
	ok(get_is("dup", "2", JSON_NUMBER), "duplicate key: the last wins");
	ok(get_is("n.d.e", "true", JSON_TRUE), "nested duplicate: the last wins");
	ok(get_is("caf\xc3\xa9", "\"c1\"", JSON_STRING), "key with \\u00e9");
	ok(get_is("q\"k", "3", JSON_NUMBER), "key with \\\"");
	ok(get_is("s/l", "4", JSON_NUMBER), "key with \\/");
	ok(get_is("ab", "5", JSON_NUMBER), "fully escaped key");
	ok(get_is("a", NULL, 0), "escaped key prefix does not match");
	ok(get_is("pair\xf0\x9f\x98\x80", "8", JSON_NUMBER), "surrogate pair key");
	ok(get_is("lone\xef\xbf\xbd", "9", JSON_NUMBER), "lone surrogate key");
	ok(get_is("a.b", NULL, 0), "a dot always separates levels");
	ok(get_is("", "7", JSON_NUMBER), "empty key");
	ok(get_is("missing", NULL, 0), "missing key");
	ok(get_is("user.missing", NULL, 0), "missing nested key");
	ok(get_is("user.name.first", NULL, 0), "descending into a string");
	ok(get_is("str.fake", NULL, 0), "descending into a string of JSON");
	ok(get_is("arr.in", NULL, 0), "descending into an array");
	ok(get_is("user.", NULL, 0), "trailing dot");
	ok(get_is("use", NULL, 0), "key prefix");
	ok(get_is("username", NULL, 0), "longer key");
	ok(json_get(&obj, "user.geo.tags", &m) == 1 && m.klen == 4 &&
	    memcmp(m.key, "tags", 4) == 0 && m.kesc == 0, "nested key text");
	ok(json_get(&obj, "caf\xc3\xa9", &m) == 1 && m.kesc == 1 &&
	    m.klen == 9 && memcmp(m.key, "caf\\u00e9", 9) == 0,
	    "key text is as written");

	ok(scans("{\"o\":{\"\\u0078\":1,\"x\":2,\"\\u0078\":{}}}") == 0 &&
	    get_is("o.x", "{}", JSON_OBJECT), "nested escaped duplicates");
	ok(scans("{\"o\":{}}") == 0 && get_is("o.x", NULL, 0),
	    "empty nested object");
	ok(scans("{\"o\":{ \"x\" : \"a\\\\\" , \"y\" : [ ] }}") == 0 &&
	    get_is("o.y", "[ ]", JSON_ARRAY) &&
	    get_is("o.x", "\"a\\\\\"", JSON_STRING),
	    "nested members with whitespace and an escaped backslash");
}

static int unescape_is(const char *val, const char *want, size_t wlen)
{
	struct buf b = {0};
	int r;

	r = json_unescape(val, strlen(val), &b) == 0 && b.len == wlen &&
	    (wlen == 0 || memcmp(b.p, want, wlen) == 0);
	buf_free(&b);
	return r;
}

#define UNESC(val, want, what) \
	ok(unescape_is((val), (want), sizeof(want) - 1), "unescape %s", (what))

static void test_unescape(void)
{
	struct buf b = {0};

	UNESC("\"\"", "", "empty");
	UNESC("\"plain text\"", "plain text", "plain");
	UNESC("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", "simple escapes");
	UNESC("\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac", "BMP escapes");
	UNESC("\"\\ud83d\\ude00!\"", "\xf0\x9f\x98\x80!", "surrogate pair");
	UNESC("\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf", "last surrogate pair");
	UNESC("\"\\ud800x\"", "\xef\xbf\xbdx", "lone high surrogate");
	UNESC("\"\\ud800\"", "\xef\xbf\xbd", "lone high surrogate at the end");
	UNESC("\"\\udc00\\ud800\"", "\xef\xbf\xbd\xef\xbf\xbd",
	    "inverted surrogates");
	UNESC("\"\\ud800\\u0041\"", "\xef\xbf\xbd" "A", "high then non-surrogate");
	UNESC("\"\\ud800\\ud800\\udc00\"",
	    "\xef\xbf\xbd\xf0\x90\x80\x80", "high, then a pair");
	UNESC("\"\\u0000\"", "\0", "escaped NUL");
	UNESC("\"\\uFFFF\"", "\xef\xbf\xbf", "noncharacter U+FFFF");
	UNESC("\"\xff\xc3\xa9\"", "\xff\xc3\xa9", "raw bytes as they are");
	UNESC("\"a\\u0062c\\\\\"", "abc\\", "mixed");

	buf_add(&b, "x", 1);
	ok(json_unescape("\"y\"", 3, &b) == 0 && b.len == 2 &&
	    memcmp(b.p, "xy", 2) == 0, "unescape appends");
	buf_free(&b);
}

/* json_value_end on the start of s, which must end after n bytes, or not
 * be found (n < 0). */
static void value_end_is(const char *s, int n)
{
	/* An exact-size copy, so that ASan sees any read past the end. */
	size_t len = strlen(s);
	char *c = malloc(len > 0 ? len : 1);
	const char *e;

	memcpy(c, s, len);
	e = json_value_end(c, c + len);
	ok(n < 0 ? e == NULL : e == c + n, "value end of %s: %d", s, n);
	free(c);
}

static void test_value_end(void)
{
	value_end_is("1,2", 1);
	value_end_is("-1.5e3]", 6);
	value_end_is("true}", 4);
	value_end_is("null", 4);
	value_end_is("\"a,]\\\"b\",1", 8);
	value_end_is("{\"a\":[1,{\"b\":\"}]\"}]}, 2", 20);
	value_end_is("[[],{}] ", 7);
	value_end_is("", -1);
	value_end_is(",", -1);
	value_end_is("\"open", -1);
	value_end_is("\"ends in a backslash\\", -1);
	value_end_is("{\"a\":1", -1);
	value_end_is("[1}", -1);
	value_end_is("{]", -1);
}

static void test_number(void)
{
	static const struct { const char *in; int rc; double v; } cases[] = {
		{"0", 0, 0}, {"-0", 0, -0.0}, {"1", 0, 1}, {"-1", 0, -1},
		{"0.1", 0, 0.1}, {"1E+2", 0, 100}, {"1e-2", 0, 0.01},
		{"2.5e3", 0, 2500},
		{"123456789012345678", 0, 123456789012345678.0},
		{"1992000000000002768", 0, 1992000000000002768.0},
		{"1.7976931348623157e308", 0, 1.7976931348623157e308},
		{"4.9406564584124654e-324", 0, 4.9406564584124654e-324},
		{"1e-400", 0, 0},
		{"1e400", -1, 0}, {"-1e400", -1, 0}, {"1.8e308", -1, 0},
		{"", -1, 0}, {"-", -1, 0}, {"01", -1, 0}, {"1.", -1, 0},
		{".5", -1, 0}, {"+1", -1, 0}, {"0x10", -1, 0}, {"nan", -1, 0},
		{"inf", -1, 0}, {" 1", -1, 0}, {"1 ", -1, 0}, {"1e", -1, 0},
		{"\"1\"", -1, 0}, {"true", -1, 0},
	};
	char lng[400];
	double d;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = 12345;
		rc = json_number(cases[i].in, strlen(cases[i].in), &d);
		ok(rc == cases[i].rc && (rc < 0 ? d == 12345 :
		    d == cases[i].v && signbit(d) == signbit(cases[i].v)),
		    "number '%s' -> %d %.17g", cases[i].in, rc, d);
	}
	ok(json_number("12345", 2, &d) == 0 && d == 12,
	    "number stops at vlen");
	memset(lng, '0', sizeof(lng));
	lng[0] = '1';
	memcpy(lng + 1, ".", 1);
	memcpy(lng + sizeof(lng) - 3, "1e1", 3);
	ok(json_number(lng, sizeof(lng), &d) == 0 && d == 10,
	    "a 400-byte number");
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (s = malloc((size_t)n + 1)) != NULL) {
		*len = fread(s, 1, (size_t)n, f);
		if (*len != (size_t)n) {
			free(s);
			s = NULL;
		}
	}
	fclose(f);
	return s;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Members of an accepted record must lie inside it and look like their type. */
static int members_sane(const char *s, size_t len)
{
	static const char first[] = "nftd\"[{";
	const struct json_member *m;
	size_t i;

	for (i = 0; i < obj.n; i++) {
		m = &obj.m[i];
		if (m->key <= s || m->key + m->klen >= s + len ||
		    m->val <= s || m->val + m->vlen >= s + len || m->vlen == 0)
			return 0;
		if (m->type == JSON_NUMBER ? !(m->val[0] == '-' ||
		    (m->val[0] >= '0' && m->val[0] <= '9')) :
		    m->val[0] != first[m->type])
			return 0;
	}
	return 1;
}

struct tally {
	int y_obj, y_ok, y_arr, y_rej, n_all, n_rej, i_acc, i_rej;
};

/*
 * The corpus as it is, where only y_ files holding an object are
 * records, and once more with each file as the value of a member
 * ({"k":FILE}), so that the cases about arrays and scalars reach the
 * grammar instead of stopping at "not an object".
 */
static void suite_file(const char *name, const char *s, size_t len, int wrap,
    struct tally *t)
{
	const char *how = wrap ? "as a member value" : "";
	size_t k = 0;
	int rc = scan(s, len);

	while (k < len && strchr(" \t\r\n", s[k]))
		k++;
	switch (name[0]) {
	case 'y':
		if (wrap || (k < len && s[k] == '{')) {
			t->y_obj++;
			t->y_ok += rc == 0;
			ok(rc == 0 && members_sane(s, len), "%s accepted %s%s",
			    name, how, err);
		} else {
			t->y_arr++;
			t->y_rej += rc < 0;
			ok(rc < 0 && strstr(err, ": not an object"), "%s: %s",
			    name, err);
		}
		break;
	case 'n':
		t->n_all++;
		t->n_rej += rc < 0;
		ok(rc < 0, "%s rejected %s: %s", name, how, err);
		break;
	default:
		if (rc == 0)
			t->i_acc++;
		else
			t->i_rej++;
		ok(rc == 0 ? members_sane(s, len) : err[0] != '\0',
		    "%s %s %s %s", name, rc ? "rejected" : "accepted", how, err);
	}
}

static void test_suite(void)
{
	const char *top = getenv("SHARED_TESTDATA");
	char dir[4096], path[4400], *names[1024], *s, *w;
	struct tally t[2] = {{0}};
	size_t n = 0, i, len;
	struct dirent *de;
	int j;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/JSONTestSuite/test_parsing",
	    top ? top : "../shared/testdata");
	if ((d = opendir(dir)) == NULL) {
		ok(0, "JSONTestSuite at %s", dir);
		return;
	}
	while ((de = readdir(d)) != NULL && n < 1024)
		if (strstr(de->d_name, ".json") && strchr("yni", de->d_name[0]) &&
		    de->d_name[1] == '_')
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	ok(n >= 300, "JSONTestSuite: %zu files in %s", n, dir);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((s = slurp(path, &len)) == NULL) {
			ok(0, "read %s", names[i]);
			free(names[i]);
			continue;
		}
		suite_file(names[i], s, len, 0, &t[0]);
		w = malloc(len + 7);
		memcpy(w, "{\"k\":", 5);
		memcpy(w + 5, s, len);
		w[len + 5] = '}';
		suite_file(names[i], w, len + 6, 1, &t[1]);
		free(w);
		free(s);
		free(names[i]);
	}
	for (j = 0; j < 2; j++)
		printf("# JSONTestSuite%s: y %d/%d accepted, %d/%d non-objects "
		    "rejected; n %d/%d rejected; i %d accepted, %d rejected\n",
		    j ? " as member values" : "", t[j].y_ok, t[j].y_obj,
		    t[j].y_rej, t[j].y_arr, t[j].n_rej, t[j].n_all,
		    t[j].i_acc, t[j].i_rej);
}

/* The first failure of a group of cases, for its one test line. */
static char first_bad[512];
static int bad_cases;

static void expect(int cond, const char *what, const char *s, size_t len)
{
	if (cond)
		return;
	if (bad_cases++ == 0)
		snprintf(first_bad, sizeof(first_bad), "%s: '%s' (err '%s')",
		    what, show(s, len), err);
}

static void group_done(const char *name)
{
	ok(bad_cases == 0, "%s%s%s", name, bad_cases ? ", first bad: " : "",
	    bad_cases ? first_bad : "");
	bad_cases = 0;
}

/*
 * Scans s[0..len) from a buffer of exactly len bytes, with no terminator,
 * so that a read past the line is a heap overflow for the sanitizer.
 */
static int scan_exact(const char *s, size_t len)
{
	char *b = malloc(len ? len : 1);
	size_t i;
	int rc;

	memcpy(b, s, len);
	rc = scan(b, len);
	/* Members must point into the copy; make them point into s. */
	for (i = 0; rc == 0 && i < obj.n; i++) {
		obj.m[i].key = s + (obj.m[i].key - b);
		obj.m[i].val = s + (obj.m[i].val - b);
	}
	free(b);
	return rc;
}

static int err_is(const char *fmt, size_t col)
{
	char want[128];

	snprintf(want, sizeof(want), fmt, col);
	return strcmp(err, want) == 0;
}

/*
 * {"k":"aaa<X>aaa"}<tail>: one special sequence X at every offset of a
 * string of up to 80 bytes, with tails that leave the string's end at
 * every distance from the end of the line (or run off it).
 */
static void test_string_blocks(void)
{
#define KIND(x, name, err, flags) { x, sizeof(x) - 1, name, err, flags }
	static const struct {
		const char *x;
		size_t xlen;
		const char *name, *err;	/* err: NULL when accepted */
		int flags;
	} kinds[] = {
		KIND("", "plain", NULL, 0),
		KIND("\\\\", "escaped backslash", NULL, JSON_ESC),
		KIND("\\\"", "escaped quote", NULL, JSON_ESC),
		KIND("\\n", "escape", NULL, JSON_ESC),
		KIND("\\u00e9", "\\u escape", NULL, JSON_ESC),
		KIND("\xc3\xa9", "UTF-8", NULL, JSON_8BIT),
		KIND("\xff", "invalid UTF-8", NULL, JSON_8BIT),
		KIND("\x7f", "DEL", NULL, 0),
		KIND("\x01", "control", "column %zu: control character in string", 0),
		KIND("\x1f", "control 0x1f", "column %zu: control character in string", 0),
		KIND("\t", "tab", "column %zu: control character in string", 0),
		KIND("\0", "NUL", "column %zu: NUL byte", 0),
		KIND("\\x", "bad escape", "column %zu: invalid escape", 0),
		KIND("\\u12x4", "bad \\u", "column %zu: invalid \\u escape", 0),
	};
#undef KIND
	static const char *const tails[] = {
		"}", " }", "}  \r\n", ",\"z\":1}", ",\"z\":\"0123456789abcdef\"}",
	};
	char line[256], body[128];
	size_t k, t, len, xlen, blen, off, n;
	int rc;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		xlen = kinds[k].xlen;
		for (blen = 0; blen <= 80; blen++) {
			for (off = 0; off <= blen; off++) {
				if (xlen == 0 && off > 0)
					break;
				memset(body, 'a', blen);
				memcpy(body + off, kinds[k].x, xlen);
				memset(body + off + xlen, 'b', blen - off);
				n = blen + xlen;
				for (t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
					len = (size_t)sprintf(line, "{\"k\":\"");
					memcpy(line + len, body, n);
					len += n;
					line[len++] = '"';
					len += (size_t)sprintf(line + len, "%s", tails[t]);
					rc = scan_exact(line, len);
					if (kinds[k].err == NULL)
						expect(rc == 0 && obj.n >= 1 &&
						    obj.m[0].vlen == n + 2 &&
						    obj.m[0].vflags == kinds[k].flags &&
						    obj.m[0].type == JSON_STRING &&
						    json_obj_plain(&obj) == (kinds[k].flags == 0),
						    kinds[k].name, line, len);
					else
						expect(rc < 0 && err_is(kinds[k].err, 7 + off),
						    kinds[k].name, line, len);
				}
				/* Cut inside the string: it never ends. */
				len = 6 + n;
				rc = scan_exact(line, len);
				if (kinds[k].err == NULL || strstr(kinds[k].err, "escape"))
					expect(rc < 0 && (err_is("column %zu: unterminated string", 6) ||
					    strstr(err, "escape")),
					    "cut string", line, len);
			}
		}
		group_done(kinds[k].name);
	}
}

/* The same for keys, which say whether they hold an escape. */
static void test_key_blocks(void)
{
	char line[256];
	size_t len, klen, off;
	int rc, esc;

	for (klen = 0; klen <= 40; klen++)
		for (off = 0; off <= klen; off++)
			for (esc = 0; esc < 3; esc++) {
				memset(line, 'k', sizeof(line));
				line[0] = '{';
				line[1] = '"';
				if (esc == 1)
					memcpy(line + 2 + off, "\\/", 2);
				else if (esc == 2)
					memcpy(line + 2 + off, "\xc3\xa9", 2);
				len = 2 + klen + (esc ? 2 : 0);
				len += (size_t)sprintf(line + len, "\":%d}",
				    (int)off);
				rc = scan_exact(line, len);
				expect(rc == 0 && obj.n == 1 &&
				    obj.m[0].klen == klen + (esc ? 2 : 0) &&
				    obj.m[0].kesc == (esc == 1) &&
				    obj.m[0].vflags == 0 &&
				    json_obj_plain(&obj) == (esc == 0),
				    "key", line, len);
				/* The line cut before the key's closing quote. */
				rc = scan_exact(line, 2 + klen + (esc ? 2 : 0));
				expect(rc < 0 && strcmp(err,
				    "column 2: unterminated string") == 0,
				    "cut key", line, 2 + klen);
			}
	group_done("keys of every length, an escape or UTF-8 at every offset");
}

/*
 * Numbers of every length at every distance from the end of the line,
 * accepted, and cut (the line then ends in the number).
 */
static void test_number_blocks(void)
{
	static const char *const nums[] = {
		"0", "-0", "7", "-7", "12", "0.5", "-0.25", "17.53", "1014.73",
		"123456789012345", "1234567890123456", "12345678901234567",
		"2006515713441021952", "-2006515713441021952",
		"3.14159265358979323846", "123456789012345.5", "1.2345678901234567",
		"1e5", "1E+5", "-2.5e-3", "1234567890123456e10", "0.000000000000001e-10",
	};
	/* at: where the byte named lies in the number. */
	static const struct { const char *in; size_t at; const char *err; } bad[] = {
		{"01", 1, "leading zero in number"},
		{"-01", 2, "leading zero in number"},
		{"00000000000000000", 1, "leading zero in number"},
		{"1.", 2, "expected a digit in number"},
		{"1.e5", 2, "expected a digit in number"},
		{"-", 1, "expected a digit in number"},
		{"-a", 1, "expected a digit in number"},
		{"1e", 2, "expected a digit in number"},
		{"1e+", 3, "expected a digit in number"},
		{"12345678901234567.", 18, "expected a digit in number"},
		{"1234567890123456.x", 17, "expected a digit in number"},
	};
	char line[256], want[128];
	size_t i, pad, len, nlen;
	int rc;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		nlen = strlen(nums[i]);
		for (pad = 0; pad <= 40; pad++) {
			/* {"kkk":NUM} and {"kkk":NUM,"z":0}: the key's length
			 * moves the number against the blocks. */
			len = (size_t)sprintf(line, "{\"%.*s\":%s}", (int)pad,
			    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", nums[i]);
			rc = scan_exact(line, len);
			expect(rc == 0 && obj.n == 1 && obj.m[0].vlen == nlen &&
			    obj.m[0].type == JSON_NUMBER, "number", line, len);
			len = (size_t)sprintf(line, "{\"%.*s\":%s,\"z\":0}",
			    (int)pad, "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
			    nums[i]);
			rc = scan_exact(line, len);
			expect(rc == 0 && obj.n == 2 && obj.m[0].vlen == nlen,
			    "number before another", line, len);
			/* Cut after the number: the line ends in it. */
			len = (size_t)sprintf(line, "{\"%.*s\":%s", (int)pad,
			    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", nums[i]);
			rc = scan_exact(line, len);
			expect(rc < 0 && err_is("column %zu: unexpected end of line",
			    len + 1), "number at the end", line, len);
		}
	}
	group_done("numbers of every length at every offset and at the end");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (pad = 0; pad <= 40; pad++) {
			len = (size_t)sprintf(line, "{\"%.*s\":%s}", (int)pad,
			    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", bad[i].in);
			rc = scan_exact(line, len);
			/* {" key ": is 4 + pad bytes; columns count from 1. */
			snprintf(want, sizeof(want), "column %zu: %s",
			    5 + pad + bad[i].at, bad[i].err);
			expect(rc < 0 && strcmp(err, want) == 0, "bad number",
			    line, len);
			nlen = strlen(bad[i].in);
			/* json_number says no, from a buffer of its size. */
			{
				char *b = malloc(nlen);
				double d = 5;

				memcpy(b, bad[i].in, nlen);
				expect(json_number(b, nlen, &d) < 0 && d == 5,
				    "json_number", bad[i].in, nlen);
				free(b);
			}
		}
	group_done("bad numbers at every offset");

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		char *b;
		double d = 0, want = strtod(nums[i], NULL);

		nlen = strlen(nums[i]);
		b = malloc(nlen);
		memcpy(b, nums[i], nlen);
		expect(json_number(b, nlen, &d) == 0 && d == want, "json_number",
		    nums[i], nlen);
		free(b);
	}
	group_done("json_number reads only its bytes");
}

/*
 * Lines shorter than a block and every prefix of a few records: all
 * prefixes are rejected, none is read past.
 */
static void test_short_and_cut(void)
{
	static const char *const recs[] = {
		"{}", "{\"a\":1}", "{\"ab\":\"c\"}", "{\"a\":-0.5}", "{\"a\":[]}",
		"{\"a\":true}", "{\"\\u00e9\":null}", "{\"a\":{\"b\":false}}",
		"{\"id\":2006515713441021952,\"ts\":\"2026-01-01T00:00:00.000Z\","
		    "\"text\":\"caf\xc3\xa9 \\\"x\\\" #tag https://example.com/a?b=c\","
		    "\"v\":[1.5e3,{\"k\":\"\\ud83d\\ude00\"}]}",
	};
	size_t i, n, len;
	int rc;

	for (i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		len = strlen(recs[i]);
		rc = scan_exact(recs[i], len);
		expect(rc == 0, "whole record", recs[i], len);
		for (n = 0; n < len; n++) {
			rc = scan_exact(recs[i], n);
			expect(rc < 0 && (size_t)atoi(err + 7) <= n + 1,
			    "prefix", recs[i], n);
		}
	}
	group_done("short lines, and every prefix of a record rejected");

	/* What follows the line in memory is not part of it. */
	ok(scan("{\"a\":\"xyz\"}", 9) < 0 &&
	    strcmp(err, "column 6: unterminated string") == 0,
	    "a quote after the end of the line is not read (%s)", err);
	ok(scan("{\"a\":12}", 7) < 0 &&
	    strcmp(err, "column 8: unexpected end of line") == 0,
	    "a number ends with the line (%s)", err);
	ok(scan("{\"a\":\"0123456789abcdefghij\"}", 25) < 0 &&
	    strcmp(err, "column 6: unterminated string") == 0,
	    "a long string cut by the line's end (%s)", err);
}

int main(void)
{
	test_errors();
	test_depth();
	test_members();
	test_many_members();
	test_get();
	test_unescape();
	test_value_end();
	test_number();
	test_string_blocks();
	test_key_blocks();
	test_number_blocks();
	test_short_and_cut();
	test_suite();
	json_obj_free(&obj);
	return tap_done();
}
