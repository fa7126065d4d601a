/*
 * out: buffered output and the JSON writer.
 *
 * Records are written straight into the buffer; nothing builds a tree and
 * prints it.  The buffer is flushed when it passes OUT_FLUSH_AT at a record
 * boundary (out_end), when the tool is about to wait for input (the line
 * reader's before_block hook calls out_flush), and after every record when
 * o->unbuffered is set.  Writes loop over partial writes and EINTR.
 *
 * Errors are sticky: the first failed write sets o->err (an errno value) and
 * later writes are dropped; out_flush returns -1 from then on.  The caller
 * decides what that means (EPIPE ends a filter quietly).
 *
 * UTF-8: out_json_str and out_json_raw never write invalid UTF-8.  Each
 * invalid sequence becomes U+FFFD and is counted in o->repaired.
 */
#ifndef OUT_H
#define OUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"

#define OUT_FLUSH_AT (64 * 1024)

struct out {
	int fd;
	char *buf;
	size_t len, cap;
	int unbuffered;
	int err;			/* errno of the first failed write, or 0 */
	unsigned long long repaired;	/* invalid UTF-8 sequences replaced */
	unsigned long long bytes;	/* bytes handed to write(2) */
};

int out_init(struct out *o, int fd);	/* -1 when out of memory */
int out_flush(struct out *o);		/* 0, or -1 with o->err set */
/* For a non-blocking fd: writes what the fd takes now and keeps the rest
 * at the front of the buffer.  Returns 0 when all is written, 1 when the
 * fd would block, -1 with o->err set. */
int out_flush_some(struct out *o);
/* Room for n bytes without a flush, which would block on a non-blocking
 * fd: 1 when they fit now (an empty buffer grows to take them; out of
 * memory is then sticky in o->err, like a failed write), 0 when what the
 * buffer holds must be written first. */
int out_room(struct out *o, size_t n);
/*
 * For a poll loop that must never wait on its output: a pipe or socket at
 * fd is made non-blocking, so that a slow reader leaves data in the buffer
 * (out_flush_some) instead of stopping the loop.  Files, terminals and
 * /dev/null are left alone: they do not hold writes back for long, and a
 * terminal is shared with the shell.  Returns the flags fd had, for
 * out_restore_flags at exit, or -1 when it was left as it was.
 */
int out_nonblocking(int fd);
/* Puts back flags that out_nonblocking returned; -1 does nothing. */
void out_restore_flags(int fd, int flags);
void out_free(struct out *o);		/* does not flush or close */
void out_grow(struct out *o, size_t n);	/* make room for n bytes */

static inline void out_write(struct out *o, const void *p, size_t n)
{
	if (o->cap - o->len < n)
		out_grow(o, n);
	if (o->cap - o->len >= n) {
		memcpy(o->buf + o->len, p, n);
		o->len += n;
	}
}

static inline void out_putc(struct out *o, char c)
{
	if (o->len == o->cap)
		out_grow(o, 1);
	if (o->len < o->cap)
		o->buf[o->len++] = c;
}

#define out_lit(o, s) out_write((o), (s), sizeof(s) - 1)

/* Ends a record with "\n"; flushes when the buffer is large or unbuffered. */
int out_end(struct out *o);

/* A JSON string: quotes, escapes for '"', '\\' and controls (\n, \t, ...
 * and \u00XX), UTF-8 passed through, invalid UTF-8 repaired. */
void out_json_str(struct out *o, const char *s, size_t len);
/* JSON text copied as it is (a scanned value or a whole line), with any
 * invalid UTF-8 inside it repaired, and escaped lone surrogates, which no
 * decoder can turn into text, written as \ufffd (each counted). */
void out_json_raw(struct out *o, const char *s, size_t len);
/* Numbers: the shortest text that reads back to the same double; integral
 * values below 2^53 without exponent or fraction; NaN and infinities as
 * null, since JSON has no spelling for them. */
void out_json_num(struct out *o, double v);
void out_json_int(struct out *o, long long v);
/* A time as a quoted RFC 3339 UTC string with milliseconds. */
void out_json_time(struct out *o, int64_t ms);

/* Length of the longest prefix of s that is valid UTF-8 (fast ASCII path). */
size_t utf8_valid_prefix(const char *s, size_t len);
/* Appends s to b with each invalid UTF-8 sequence replaced by U+FFFD, for
 * code that needs valid text (the tokenizer).  Returns the number of
 * replacements, or -1 when out of memory. */
int utf8_repair(const char *s, size_t len, struct buf *b);

#endif
