/*
 * ckpt: checkpoint files that are either the old state or the new one,
 * never a mixture, and that tell corruption from content.
 *
 *	struct ckpt c;
 *	ckpt_init(&c, "state.ckpt");
 *	rc = ckpt_load(&c, &data, err, sizeof err);
 *		CKPT_NONE: no checkpoint yet; CKPT_OK: data holds the payload;
 *		CKPT_PREV: the newest file was bad (err says why) and data
 *		holds the one before it; CKPT_BAD: nothing usable (err)
 *	ckpt_save(&c, payload, len, err, sizeof err) as often as wanted
 *	ckpt_free(&c)
 *
 * A save writes PATH.tmp in the same directory, fsyncs it, keeps the
 * current good file as PATH.prev (a hard link renamed into place), renames
 * the new file over PATH and fsyncs the directory.  A crash at any point
 * leaves PATH and PATH.prev each either absent or complete and valid, so
 * a checkpoint that fails its checksum was damaged after it was written;
 * the previous generation is then the best state there is.
 *
 * The file is a 24-byte header (magic "RTPCKPT\n", version, CRC-32 of the
 * payload, payload length, all little-endian) and the payload, which is
 * the caller's.  The ckpt_put_* and ckpt_get_* helpers encode integers,
 * doubles and byte strings in a fixed little-endian layout, so payloads
 * read the same on every machine; the getters fail, and stay failed, on a
 * payload that ends early.
 *
 * Functions return 0 (or a CKPT_ code) and fill err on failure; they never
 * print and never exit.  ckpt_put_* return -1 when memory runs out.
 */
#ifndef CKPT_H
#define CKPT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define CKPT_VERSION 1

enum { CKPT_OK, CKPT_NONE, CKPT_PREV, CKPT_BAD = -1 };

struct ckpt {
	char *path, *tmp, *prev, *prevtmp;
	int cur_good;		/* PATH held a valid checkpoint when last seen */
};

int ckpt_init(struct ckpt *c, const char *path, char *err, size_t errlen);
int ckpt_load(struct ckpt *c, struct buf *data, char *err, size_t errlen);
int ckpt_save(struct ckpt *c, const void *data, size_t len,
              char *err, size_t errlen);
void ckpt_free(struct ckpt *c);

/* CRC-32 (the polynomial of zlib and PNG), for callers that need one. */
uint32_t ckpt_crc32(uint32_t crc, const void *p, size_t len);

int ckpt_put_u64(struct buf *b, uint64_t v);
int ckpt_put_i64(struct buf *b, int64_t v);
int ckpt_put_f64(struct buf *b, double v);
int ckpt_put_str(struct buf *b, const void *p, size_t len);	/* length + bytes */

/* A reader over a payload; ok drops to 0 at the first short read, after
 * which every getter returns zeros. */
struct ckpt_rd {
	const unsigned char *p;
	size_t len, off;
	int ok;
};

void ckpt_rd_init(struct ckpt_rd *r, const void *p, size_t len);
uint64_t ckpt_get_u64(struct ckpt_rd *r);
int64_t ckpt_get_i64(struct ckpt_rd *r);
double ckpt_get_f64(struct ckpt_rd *r);
/* A string put by ckpt_put_str: points into the payload; NULL when short. */
const char *ckpt_get_str(struct ckpt_rd *r, size_t *len);

#endif
