/*
 * backoff: capped exponential backoff with jitter, for retrying peers.
 *
 * Each delay is drawn from [d/2, d] where d starts at min and doubles per
 * failure up to max, so many clients that failed together do not retry
 * together.  A success resets it.
 *
 *	struct backoff b;
 *	backoff_init(&b, 100, 30000);
 *	on failure: wait backoff_next(&b) ms, then retry
 *	on success: backoff_reset(&b)
 *
 * The jitter comes from a small generator of its own, seeded per process
 * by backoff_init, so it draws nothing from random().
 */
#ifndef BACKOFF_H
#define BACKOFF_H

#include <stdint.h>

struct backoff {
	int64_t min, max;	/* ms */
	int64_t cur;		/* the next delay's upper bound */
	uint64_t seed;
	unsigned failures;	/* since the last reset */
};

void backoff_init(struct backoff *b, int64_t min_ms, int64_t max_ms);
/* The delay before the next attempt, in ms; counts a failure. */
int64_t backoff_next(struct backoff *b);
void backoff_reset(struct backoff *b);

#endif
