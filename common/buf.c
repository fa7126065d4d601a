#include <stdlib.h>
#include <utf8proc.h>

#include "buf.h"

int buf_grow(struct buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (need > (size_t)-1 / 2 - b->len)
		return -1;
	while (cap - b->len < need)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

int buf_add_utf8(struct buf *b, unsigned long c)
{
	if ((c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		c = 0xfffd;
	if (buf_reserve(b, 4) < 0)
		return -1;
	b->len += (size_t)utf8proc_encode_char((utf8proc_int32_t)c,
	                                       (utf8proc_uint8_t *)b->p + b->len);
	return 0;
}

void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
