/*
 * loop: the one wait of a poll loop that signals must be able to cut
 * short (nc-source, es-sink, http-source).
 *
 * The signals that stop a tool or ask for its stats (SIGINT, SIGTERM,
 * SIGUSR1) are blocked while the loop works and let in only while it
 * waits, in ppoll, so that one that comes after the loop looked at
 * rt_stop is not slept through: the wait then ends at once, and the loop
 * looks again.
 *
 * This is the tool layer, like rt: before waiting, the dead-letter file is
 * flushed (rt_dead_flush); a failing poll ends the tool; after it, a
 * SIGUSR1 prints the stats line (rt_check_signals).
 *
 *	struct loop l;
 *	loop_begin(&l);			the signals held back from here
 *	for (;;) {
 *		...check rt_stop, work, fill pfd...
 *		if (loop_wait(&l, pfd, n, due, now) > 0)
 *			...act on pfd...
 *	}
 *	loop_end(&l);			the mask as it was
 *
 * Times are monotonic milliseconds (tm_mono); a due of INT64_MAX waits
 * with no limit.
 */
#ifndef LOOP_H
#define LOOP_H

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct loop {
	sigset_t waitmask;	/* the mask before loop_begin */
};

void loop_begin(struct loop *l);
void loop_end(const struct loop *l);
/* poll(2)'s timeout for a wait until due: -1 for INT64_MAX, 0 when due
 * has come, at most INT32_MAX. */
int loop_timeout(int64_t due, int64_t now);
/* Waits for pfd, no later than due, with the signals let in.  Returns
 * how many entries are ready, 0 when due came or a signal ended it. */
int loop_wait(const struct loop *l, struct pollfd *pfd, size_t n,
              int64_t due, int64_t now);

#endif
