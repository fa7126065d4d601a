/*
 * stage: the queue, the drops and the way out behind stage.h.
 */
#include "rt.h"
#include "stage.h"

void *stage_push(struct stage *s, size_t n, int64_t now)
{
	void *p;

	if ((p = queue_push(&s->q, n)) == NULL) {
		if (s->on_full == RT_BLOCK)
			return NULL;
		while (s->on_full == RT_DROP_OLDEST &&
		       (p = queue_push(&s->q, n)) == NULL) {
			queue_pop(&s->q);
			s->queued--;
			rt.dropped++;
		}
		if (p == NULL)
			rt.dropped++;
		rt_report_drops(s->on_full, s->what, now);
		if (p == NULL)
			return NULL;
	}
	s->queued++;
	return p;
}

void stage_flush(struct stage *s)
{
	if (out_flush_some(&rt.out) < 0)
		rt_flush();	/* reports the error and ends the tool */
	s->blocked = rt.out.len > 0;
}

void stage_release(struct stage *s, int64_t now)
{
	const void *p;
	size_t n;

	bucket_refill(&s->bucket, now);
	while (bucket_ready(&s->bucket) && (p = queue_peek(&s->q, &n)) != NULL) {
		if (!out_room(&rt.out, s->size(p, n)))
			break;
		s->emit(p, n);
		queue_pop(&s->q);
		s->queued--;
		bucket_take(&s->bucket);
		if (rt.out.unbuffered)
			stage_flush(s);
	}
}

void stage_pump(struct stage *s, int64_t now, int (*feed)(void))
{
	size_t n, len;
	int moved;

	do {
		n = s->q.n;
		len = rt.out.len;
		stage_release(s, now);
		stage_flush(s);
		moved = s->q.n != n || rt.out.len != len;
		if (feed())
			moved = 1;
	} while (moved && !s->blocked);
}

int64_t stage_due(const struct stage *s, int64_t now)
{
	if (s->q.n > 0 && !s->blocked && !bucket_ready(&s->bucket))
		return bucket_due(&s->bucket, now);
	return INT64_MAX;
}
