/*
 * json: strict validation of one NDJSON record, without building a tree.
 *
 * json_scan checks that a line is exactly one JSON object per RFC 8259
 * (nothing but whitespace around it, no trailing commas, no leading zeros,
 * no control characters in strings, valid escapes, nesting at most
 * JSON_MAX_DEPTH) and records where each top-level member's key and value
 * lie in the line.  Nothing is copied or converted: a tool that passes a
 * field on copies its exact bytes, so a 64-bit id or "1e400" survives.
 * Invalid UTF-8 inside strings is accepted here; the output writer repairs
 * it (see out.h).  What the scan learns on the way is kept per member in
 * vflags, so that a value without escapes or non-ASCII bytes, the common
 * case, can be used as it is without being read again.
 *
 *	struct json_obj o = {0};
 *	if (json_scan(line, len, &o, err, sizeof err) < 0) -> bad input (err)
 *	json_get(&o, "user.name", &m) -> 1 and m.val/m.vlen/m.type, or 0
 *	json_obj_free(&o) once at the end (o is reused across lines)
 *
 * Member pointers point into the scanned line and are valid while it is.
 * When a key appears twice, lookups find the last one, as jq does.
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include "buf.h"

#define JSON_MAX_DEPTH 512

enum json_type {
	JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING,
	JSON_ARRAY, JSON_OBJECT
};

/* vflags: what the strings inside a value hold (keys of nested objects
 * included); neither bit set means the value text is plain ASCII that needs
 * no decoding. */
enum {
	JSON_ESC = 1,		/* a backslash escape */
	JSON_8BIT = 2		/* a byte above 0x7F (UTF-8 not checked) */
};

struct json_member {
	const char *key;	/* key text between the quotes, escapes as written */
	size_t klen;
	const char *val;	/* value text as written (strings with quotes) */
	size_t vlen;
	unsigned char type;	/* enum json_type */
	unsigned char kesc;	/* key contains a backslash escape */
	unsigned char vflags;	/* JSON_ESC, JSON_8BIT */
};

struct json_obj {
	struct json_member *m;
	size_t n, cap;
};

/* Returns 0, or -1 with a reason in err ("column 17: expected ':'",
 * "not an object", "nesting deeper than 512"); -1 with "out of memory" too. */
int json_scan(const char *s, size_t len, struct json_obj *o,
              char *err, size_t errlen);
void json_obj_free(struct json_obj *o);
/* Whether a scanned object holds nothing but ASCII and no escapes, so that
 * its line can be copied as it is, with no UTF-8 repair. */
int json_obj_plain(const struct json_obj *o);

/* Looks up a dotted path ("user.name") in a scanned object, descending into
 * nested objects.  Returns 1 and fills *out (key, val, type), or 0. */
int json_get(const struct json_obj *o, const char *path,
             struct json_member *out);

/*
 * The end of the JSON value at p (white space before it not skipped), or
 * NULL when its quotes or brackets do not close before end, or nest
 * deeper than JSON_MAX_DEPTH.  Only the structure is followed: a scalar
 * ends at the first ',', ']', '}' or white space.  For walking the
 * elements of an array, each of which json_scan can then check.
 */
const char *json_value_end(const char *p, const char *end);

/* Appends the decoded UTF-8 of a string value (with its quotes) to b.
 * Escaped lone surrogates become U+FFFD.  Returns 0, -1 out of memory. */
int json_unescape(const char *val, size_t vlen, struct buf *b);

/* Converts a number value.  Returns 0, or -1 if it overflows a double. */
int json_number(const char *val, size_t vlen, double *out);

#endif
