/*
 * bucket: the token bucket behind --rate, which releases at most N records
 * a second so that a burst reaches the next stage as a steady flow.
 *
 * Tokens accrue at the rate, up to a tenth of a second's worth (at least
 * one), so a stage that was held up does not then release a burst.  A
 * rate of 0 means no limit: the bucket is always ready.
 *
 *	bucket_init(&b, rate, now);
 *	bucket_refill(&b, now);
 *	while (bucket_ready(&b) && ...) { ...release one...; bucket_take(&b); }
 *	poll no longer than bucket_due(&b, now) - now
 *
 * Times are monotonic milliseconds (tm_mono).
 */
#ifndef BUCKET_H
#define BUCKET_H

#include <stdint.h>

struct bucket {
	double rate;		/* tokens a second; 0: unlimited */
	double tokens;
	int64_t at;		/* when tokens was last brought up to date */
};

void bucket_init(struct bucket *b, double rate, int64_t now);
void bucket_refill(struct bucket *b, int64_t now);
/* Whether a record may go now (after the last refill). */
int bucket_ready(const struct bucket *b);
void bucket_take(struct bucket *b);
/* When the next token is there: now if one is, else later. */
int64_t bucket_due(const struct bucket *b, int64_t now);

#endif
