/*
 * stage: the stage buffer of a network source (nc-source, http-source):
 * a bounded queue of records between what the network brings and a
 * non-blocking standard output (out_nonblocking), with the --on-full
 * policy for a full queue and the --rate bucket on the way out.
 *
 * This is the tool layer, like rt: it writes rt.out, counts rt.dropped,
 * reports drops (rt_report_drops), and a write error on stdout ends the
 * tool (rt_flush).  The tool fills in the fields, then:
 *
 *	queue_init(&s.q, cap); bucket_init(&s.bucket, rate, now);
 *	if ((p = stage_push(&s, n, now)) != NULL) ...fill p...
 *	each turn of the loop:
 *		stage_pump(&s, now, feed)	queue to stdout, feed to queue
 *		poll stdout for POLLOUT when s.blocked
 *		wait no later than stage_due(&s, now)
 *
 * A record's bytes in the queue are the tool's own: size tells how many
 * bytes it may take on stdout at most (room is made for that many before
 * it is written, so that writing never flushes, which would block), emit
 * writes it to rt.out.  Times are monotonic milliseconds (tm_mono).
 */
#ifndef STAGE_H
#define STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "bucket.h"
#include "queue.h"

struct stage {
	struct queue q;
	struct bucket bucket;		/* --rate */
	int on_full;			/* --on-full: enum rt_on_full */
	const char *what;		/* the records, in drop reports */
	size_t (*size)(const void *rec, size_t n);
	void (*emit)(const void *rec, size_t n);
	int blocked;			/* stdout said EAGAIN */
	unsigned long long queued;	/* records in the queue (a stat) */
};

/*
 * Room for a record of n bytes at the back of the queue, to fill, or NULL
 * when the queue is full: then under block the record must wait, and
 * under drop-newest it was dropped, counted and reported.  Drop-oldest
 * drops as many records from the front as it takes, counted and reported.
 */
void *stage_push(struct stage *s, size_t n, int64_t now);
/* Writes what rt.out holds, as far as stdout takes it now (s->blocked
 * tells whether it held some back). */
void stage_flush(struct stage *s);
/* Moves records from the queue to rt.out, as many as --rate allows and as
 * fit; with -u each is flushed. */
void stage_release(struct stage *s, int64_t now);
/*
 * Moves records along as far as they go without waiting: queue to
 * stdout, then, through feed, records that waited for room into the
 * queue, and again.  feed returns whether anything moved.  It stops when
 * nothing moves, or when stdout is full.
 */
void stage_pump(struct stage *s, int64_t now, int (*feed)(void));
/* When --rate lets the next queued record go (INT64_MAX: nothing waits
 * for the bucket). */
int64_t stage_due(const struct stage *s, int64_t now);

#endif
