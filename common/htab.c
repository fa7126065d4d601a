#include <stdlib.h>
#include <string.h>

#include "htab.h"

void htab_init(struct htab *h, size_t vsize)
{
	memset(h, 0, sizeof *h);
	h->vsize = vsize;
}

/* FNV-1a over 8-byte words with a final mix: quick for short keys. */
uint64_t htab_hash(const char *key, size_t len)
{
	uint64_t x = 0xcbf29ce484222325ULL ^ len;
	uint64_t w;

	for (; len >= 8; key += 8, len -= 8) {
		memcpy(&w, key, 8);
		x = (x ^ w) * 0x100000001b3ULL;
		x ^= x >> 29;
	}
	w = 0;
	memcpy(&w, key, len);
	x = (x ^ w) * 0x100000001b3ULL;
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ULL;
	x ^= x >> 32;
	return x;
}

static size_t find_slot(const struct htab *h, const char *key, size_t len,
                        uint64_t hash)
{
	size_t i = (size_t)hash & h->mask;

	for (;; i = (i + 1) & h->mask) {
		uint32_t e = h->slots[i];
		const struct htab_ent *ent;

		if (e == 0)
			return i;
		ent = &h->ents[e - 1];
		if (ent->hash == hash && ent->len == len &&
		    (len == 0 || memcmp(h->keys.p + ent->off, key, len) == 0))
			return i;
	}
}

/* Doubles the slots (kept at most half full) and the entry arrays. */
static int grow(struct htab *h)
{
	size_t nslots = h->mask ? (h->mask + 1) * 2 : 64, i;
	size_t cap = nslots / 2;
	uint32_t *slots = calloc(nslots, sizeof *slots);
	struct htab_ent *ents;
	char *vals;

	if (slots == NULL)
		return -1;
	ents = realloc(h->ents, cap * sizeof *ents);
	if (ents == NULL) {
		free(slots);
		return -1;
	}
	h->ents = ents;
	vals = realloc(h->vals, cap * h->vsize);
	if (vals == NULL) {
		free(slots);
		return -1;
	}
	h->vals = vals;
	free(h->slots);
	h->slots = slots;
	h->mask = nslots - 1;
	h->cap = cap;
	for (i = 0; i < h->n; i++)
		h->slots[find_slot(h, NULL, (size_t)-1, h->ents[i].hash)] =
			(uint32_t)(i + 1);
	return 0;
}

void *htab_put(struct htab *h, const char *key, size_t len, int *created)
{
	uint64_t hash = htab_hash(key, len);
	size_t s;
	struct htab_ent *ent;

	if (h->slots != NULL) {
		s = find_slot(h, key, len, hash);
		if (h->slots[s] != 0) {
			if (created != NULL)
				*created = 0;
			return htab_val(h, h->slots[s] - 1);
		}
	}
	if (h->n == h->cap && grow(h) < 0)
		return NULL;
	if (buf_add(&h->keys, key, len) < 0)
		return NULL;
	s = find_slot(h, key, len, hash);
	ent = &h->ents[h->n];
	ent->hash = hash;
	ent->off = h->keys.len - len;
	ent->len = len;
	h->slots[s] = (uint32_t)++h->n;
	memset(htab_val(h, h->n - 1), 0, h->vsize);
	if (created != NULL)
		*created = 1;
	return htab_val(h, h->n - 1);
}

void *htab_get(const struct htab *h, const char *key, size_t len)
{
	size_t s;

	if (h->n == 0)
		return NULL;
	s = find_slot(h, key, len, htab_hash(key, len));
	return h->slots[s] ? htab_val(h, h->slots[s] - 1) : NULL;
}

void htab_clear(struct htab *h)
{
	if (h->slots != NULL)
		memset(h->slots, 0, (h->mask + 1) * sizeof *h->slots);
	h->n = 0;
	h->keys.len = 0;
}

void htab_free(struct htab *h)
{
	free(h->slots);
	free(h->ents);
	free(h->vals);
	buf_free(&h->keys);
	htab_init(h, h->vsize);
}
