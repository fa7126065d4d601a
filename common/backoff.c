#include <time.h>
#include <unistd.h>

#include "backoff.h"

void backoff_init(struct backoff *b, int64_t min_ms, int64_t max_ms)
{
	struct timespec ts;

	if (min_ms < 1)
		min_ms = 1;
	if (max_ms < min_ms)
		max_ms = min_ms;
	b->min = min_ms;
	b->max = max_ms;
	clock_gettime(CLOCK_REALTIME, &ts);
	b->seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
	          ((uint64_t)getpid() << 40);
	backoff_reset(b);
}

void backoff_reset(struct backoff *b)
{
	b->cur = b->min;
	b->failures = 0;
}

/* splitmix64: plenty for spreading retries apart. */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

int64_t backoff_next(struct backoff *b)
{
	int64_t d = b->cur / 2 +
	            (int64_t)(next_rand(&b->seed) % (uint64_t)(b->cur / 2 + 1));

	b->failures++;
	b->cur = b->cur > b->max / 2 ? b->max : b->cur * 2;
	return d;
}
