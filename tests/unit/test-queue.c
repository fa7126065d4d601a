/*
 * Unit tests of queue: records come out in order and intact, the capacity
 * is never exceeded, an empty queue takes any record up to queue_max, and
 * a long random run of pushes and pops agrees with a plain model FIFO.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"
#include "tap.h"

#define MODEL 100000

/* The model: sizes and fill bytes of the records queued, oldest first. */
static size_t msize[MODEL];
static unsigned char mfill[MODEL];
static size_t mhead, mtail;

static int check_peek(const struct queue *q)
{
	size_t n, i;
	const unsigned char *p = queue_peek(q, &n);

	if (mhead == mtail)
		return p == NULL;
	if (p == NULL || n != msize[mhead] || ((uintptr_t)p & 7) != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] != mfill[mhead])
			return 0;
	return 1;
}

static void basics(void)
{
	struct queue q;
	size_t n;
	char *p;
	int i, full = 0;

	ok(queue_init(&q, 1000) == 0, "init");
	ok(q.cap == 1000 && queue_max(&q) == 992, "capacity aligned, max %zu",
	   queue_max(&q));
	ok(queue_peek(&q, &n) == NULL, "empty queue has nothing to peek");
	ok(queue_push(&q, 993) == NULL, "a record over the max never fits");
	p = queue_push(&q, 992);
	ok(p != NULL && q.used == 1000, "a record of exactly the max fits");
	ok(queue_push(&q, 0) == NULL, "nothing fits a full queue");
	queue_pop(&q);
	ok(q.n == 0 && q.used == 0, "pop empties it");
	for (i = 0; i < 100; i++) {
		p = queue_push(&q, 3);
		if (p == NULL) {
			full = i;
			break;
		}
		memcpy(p, &i, sizeof(char));
	}
	ok(full == 62, "62 records of 3 bytes take 16 bytes each: %d", full);
	for (i = 0; i < full; i++) {
		p = queue_peek(&q, &n);
		if (p == NULL || n != 3 || *p != (char)i)
			break;
		queue_pop(&q);
	}
	ok(i == full && q.n == 0, "they come out in order");
	queue_free(&q);
}

/* Records that do not fit at the end of the ring start again at 0. */
static void wrap(void)
{
	struct queue q;
	size_t n;
	char *a, *b, *c;

	queue_init(&q, 256);
	a = queue_push(&q, 100);	/* 0..112 */
	b = queue_push(&q, 100);	/* 112..224 */
	memset(a, 'a', 100);
	memset(b, 'b', 100);
	ok(queue_push(&q, 100) == NULL, "no room at the end or the start");
	queue_pop(&q);
	c = queue_push(&q, 100);
	ok(c == a, "the third record wraps to the start");
	memset(c, 'c', 100);
	ok(q.used == 224 + 0 && q.wrapped, "wrapped, %zu bytes used", q.used);
	b = queue_peek(&q, &n);
	ok(b != NULL && *b == 'b', "the oldest is still the second");
	queue_pop(&q);
	c = queue_peek(&q, &n);
	ok(c != NULL && *c == 'c' && !q.wrapped, "then the third, unwrapped");
	queue_free(&q);
}

/* Random pushes and pops against the model. */
static void random_run(void)
{
	struct queue q;
	unsigned long seed = 12345;
	int i, bad = 0, over = 0, refused_empty = 0;

	queue_init(&q, 4096);
	for (i = 0; i < 200000 && mtail < MODEL; i++) {
		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		if ((seed >> 33) % 3 != 0) {
			size_t n = (seed >> 40) % 700;
			unsigned char *p = queue_push(&q, n);

			if (p == NULL) {
				refused_empty += mhead == mtail;
				continue;
			}
			msize[mtail] = n;
			mfill[mtail] = (unsigned char)(seed >> 20);
			memset(p, mfill[mtail], n);
			mtail++;
		} else if (mhead != mtail) {
			bad += !check_peek(&q);
			queue_pop(&q);
			mhead++;
		}
		over += q.used > q.cap;
		bad += q.n != mtail - mhead;
	}
	while (mhead != mtail) {
		bad += !check_peek(&q);
		queue_pop(&q);
		mhead++;
	}
	ok(bad == 0, "random run agrees with the model (%d mismatches)", bad);
	ok(over == 0, "never more than the capacity used");
	ok(refused_empty == 0, "an empty queue never refuses a record");
	ok(q.used == 0 && q.head == 0 && q.tail == 0, "ends empty and reset");
	queue_free(&q);
}

int main(void)
{
	basics();
	wrap();
	random_run();
	return tap_done();
}
