/*
 * buf: a growable byte buffer, reused across records so that hot loops do
 * not allocate.  buf_reserve returns -1 when memory runs out; the other
 * helpers return what it returns.  Zero-initialise, reset with b->len = 0,
 * release with buf_free.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>
#include <string.h>

struct buf {
	char *p;
	size_t len, cap;
};

int buf_grow(struct buf *b, size_t need);	/* cap >= len + need */

static inline int buf_reserve(struct buf *b, size_t need)
{
	return b->cap - b->len >= need ? 0 : buf_grow(b, need);
}

static inline int buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (buf_reserve(b, n) < 0)
		return -1;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static inline int buf_addc(struct buf *b, char c)
{
	if (buf_reserve(b, 1) < 0)
		return -1;
	b->p[b->len++] = c;
	return 0;
}

/* Appends code point c as UTF-8; a surrogate or a value past U+10FFFF,
 * which UTF-8 cannot hold, becomes U+FFFD. */
int buf_add_utf8(struct buf *b, unsigned long c);

void buf_free(struct buf *b);

#endif
