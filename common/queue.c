#include <stdint.h>
#include <stdlib.h>

#include "queue.h"

#define ALIGN 8
#define HDR ALIGN	/* each record starts with its size, padded */

static size_t span(size_t n)
{
	return HDR + ((n + ALIGN - 1) & ~(size_t)(ALIGN - 1));
}

int queue_init(struct queue *q, size_t cap)
{
	q->cap = cap & ~(size_t)(ALIGN - 1);
	q->head = q->tail = q->end = q->n = q->used = 0;
	q->wrapped = 0;
	q->buf = malloc(q->cap > 0 ? q->cap : 1);
	return q->buf != NULL ? 0 : -1;
}

void queue_free(struct queue *q)
{
	free(q->buf);
	q->buf = NULL;
}

size_t queue_max(const struct queue *q)
{
	return q->cap >= HDR ? q->cap - HDR : 0;
}

void *queue_push(struct queue *q, size_t n)
{
	size_t need, at;

	if (n > queue_max(q))
		return NULL;
	need = span(n);
	if (!q->wrapped && q->cap - q->tail >= need) {
		at = q->tail;
	} else if (!q->wrapped && q->head >= need) {
		/* The rest of the ring is too short: start again at 0. */
		q->end = q->tail;
		q->wrapped = 1;
		at = 0;
	} else if (q->wrapped && q->head - q->tail >= need) {
		at = q->tail;
	} else {
		return NULL;
	}
	q->tail = at + need;
	q->n++;
	q->used += need;
	*(size_t *)(void *)(q->buf + at) = n;
	return q->buf + at + HDR;
}

void *queue_peek(const struct queue *q, size_t *n)
{
	if (q->n == 0)
		return NULL;
	*n = *(const size_t *)(const void *)(q->buf + q->head);
	return q->buf + q->head + HDR;
}

void queue_pop(struct queue *q)
{
	size_t s = span(*(const size_t *)(const void *)(q->buf + q->head));

	q->head += s;
	q->used -= s;
	if (--q->n == 0) {
		q->head = q->tail = q->end = 0;
		q->wrapped = 0;
	} else if (q->wrapped && q->head == q->end) {
		q->head = 0;
		q->wrapped = 0;
	}
}
