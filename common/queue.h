/*
 * queue: a bounded FIFO of variable-length records in one ring buffer, the
 * stage buffer of the network tools.
 *
 * A record is stored in one piece (never split at the end of the ring)
 * and 8-byte aligned, so a reader gets one pointer per record and may keep
 * any C struct at its start.  The capacity bounds all the memory records
 * and their bookkeeping take; queue_max gives the largest record that fits
 * an empty queue.  The caller decides what to do when a record does not
 * fit: wait, drop the oldest (queue_pop) or drop the new one.
 *
 *	queue_init(&q, cap)                   -1 when out of memory
 *	if ((p = queue_push(&q, n)) != NULL)  room for n bytes, now queued
 *		...fill p...
 *	while ((p = queue_peek(&q, &n)) != NULL) { ...use p...; queue_pop(&q); }
 *	queue_free(&q)
 */
#ifndef QUEUE_H
#define QUEUE_H

#include <stddef.h>

struct queue {
	char *buf;
	size_t cap;
	size_t head;		/* oldest record */
	size_t tail;		/* where the next record goes */
	size_t end;		/* end of the records before the wrap */
	int wrapped;		/* records run from head to end, then 0 to tail */
	size_t n;		/* records queued */
	size_t used;		/* bytes they take, bookkeeping included */
};

int queue_init(struct queue *q, size_t cap);
void queue_free(struct queue *q);
/* Largest record an empty queue takes. */
size_t queue_max(const struct queue *q);
/* Appends a record of n bytes and returns where to write it, or NULL
 * when it does not fit now. */
void *queue_push(struct queue *q, size_t n);
/* The oldest record and its size, or NULL when the queue is empty. */
void *queue_peek(const struct queue *q, size_t *n);
/* Removes the oldest record (the queue must not be empty). */
void queue_pop(struct queue *q);

#endif
