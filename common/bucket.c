#include "bucket.h"

void bucket_init(struct bucket *b, double rate, int64_t now)
{
	b->rate = rate;
	b->tokens = 1;
	b->at = now;
}

void bucket_refill(struct bucket *b, int64_t now)
{
	double burst = b->rate / 10 > 1 ? b->rate / 10 : 1;

	if (b->rate <= 0)
		return;
	b->tokens += (double)(now - b->at) * b->rate / 1000;
	b->at = now;
	if (b->tokens > burst)
		b->tokens = burst;
}

int bucket_ready(const struct bucket *b)
{
	return b->rate <= 0 || b->tokens >= 1;
}

void bucket_take(struct bucket *b)
{
	if (b->rate > 0)
		b->tokens -= 1;
}

int64_t bucket_due(const struct bucket *b, int64_t now)
{
	if (bucket_ready(b))
		return now;
	return now + (int64_t)((1 - b->tokens) * 1000 / b->rate) + 1;
}
