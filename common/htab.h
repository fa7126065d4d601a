/*
 * htab: a hash table from byte-string keys to fixed-size values, for
 * counting and grouping in hot loops.
 *
 *	struct htab h;
 *	htab_init(&h, sizeof(uint64_t));
 *	uint64_t *c = htab_put(&h, key, len, NULL);   -> zeroed when new
 *	for (i = 0; i < h.n; i++) htab_key(&h, i, &len), htab_val(&h, i)
 *	htab_clear(&h) to reuse the memory, htab_free(&h) at the end
 *
 * The table copies keys into its own arena.  Entries are numbered in
 * insertion order and never removed one by one: a table that must forget
 * keys is rebuilt (clear, or put the survivors into a second table).
 * Value pointers are valid until the next htab_put.  htab_put returns NULL
 * when memory runs out.
 */
#ifndef HTAB_H
#define HTAB_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct htab_ent {
	uint64_t hash;
	size_t off, len;	/* key bytes in keys.p */
};

struct htab {
	uint32_t *slots;	/* entry number + 1; 0 is empty */
	size_t mask;		/* slot count - 1 (a power of two) */
	struct htab_ent *ents;
	char *vals;		/* n values of vsize bytes */
	size_t n, cap, vsize;
	struct buf keys;
};

void htab_init(struct htab *h, size_t vsize);
void *htab_put(struct htab *h, const char *key, size_t len, int *created);
void *htab_get(const struct htab *h, const char *key, size_t len);
void htab_clear(struct htab *h);
void htab_free(struct htab *h);
uint64_t htab_hash(const char *key, size_t len);

static inline const char *htab_key(const struct htab *h, size_t i, size_t *len)
{
	*len = h->ents[i].len;
	return h->keys.p + h->ents[i].off;
}

static inline void *htab_val(const struct htab *h, size_t i)
{
	return h->vals + i * h->vsize;
}

#endif
