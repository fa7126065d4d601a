#include <limits.h>
#include <time.h>

#include "out.h"
#include "rt.h"
#include "sim.h"

#define DEFAULT_START	1767225600000LL	/* 2026-01-01T00:00:00Z */
#define MAX_SLOTS	(1ULL << 53)
#define BATCH		1024		/* slots between signal checks */
#define MIN_SLEEP_NS	1000000		/* paced batches at least 1 ms apart */
#define MAX_SLEEP_NS	200000000	/* bound on a missed signal's delay */

struct sim sim = {
	.seed = 1, .start_ms = -1, .rate = 10, .count = -1, .duration_ms = -1,
	.pacing = 1,
};

struct buf sim_text;
static struct out scratch;		/* sim_text_json's escaper */
static int scratch_ready;

/* Random numbers. */

uint64_t sim_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void sim_rng_seed(struct sim_rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = sim_splitmix(&seed);
}

uint64_t sim_mix(uint64_t seed, uint64_t k)
{
	uint64_t x = seed ^ (k * 0xd1b54a32d192ed03ULL);

	return sim_splitmix(&x);
}

void sim_shuffle(struct sim_rng *r, uint32_t *v, uint32_t n)
{
	uint32_t i, j, t;

	for (i = 0; i < n; i++)
		v[i] = i;
	for (i = n; i > 1; i--) {
		j = sim_below(r, i);
		t = v[i - 1], v[i - 1] = v[j], v[j] = t;
	}
}

/* The options and the schedule. */

int sim_option(int c, const char *arg)
{
	switch (c) {
	case 'c':
		sim.count = rt_opt_int("-c", arg, 0, LLONG_MAX);
		return 1;
	case 'd':
		sim.duration_ms = rt_opt_dur("-d", arg, 0, TM_MAX);
		return 1;
	case 'r':
		sim.rate = rt_opt_double("-r", arg, 0.001, 1e9);
		return 1;
	case SIM_OPT_SEED:
		sim.seed = (uint64_t)rt_opt_int("--seed", arg, 0, LLONG_MAX);
		return 1;
	case SIM_OPT_START:
		sim.start_ms = rt_opt_time("--start", arg);
		return 1;
	case SIM_OPT_NO_PACING:
		sim.pacing = 0;
		return 1;
	}
	return 0;
}

/* Slot n's offset from the start, as sim_slot_ms has it. */
static int64_t offset_ms(uint64_t n)
{
	return (int64_t)((double)n * sim.ms_per_slot);
}

uint64_t sim_schedule(uint64_t cap)
{
	uint64_t limit = cap < MAX_SLOTS ? cap : MAX_SLOTS, n;
	int64_t end;
	double k;

	if (sim.start_ms < 0)
		sim.start_ms = sim.pacing ? tm_now() : DEFAULT_START;
	sim.ms_per_slot = 1000.0 / sim.rate;
	end = TM_MAX - sim.start_ms + 1;
	if (sim.duration_ms >= 0 && sim.duration_ms < end)
		end = sim.duration_ms;
	/* The slots are those due before start + end. */
	k = (double)end / sim.ms_per_slot;
	if (k >= (double)limit)
		return limit;
	n = (uint64_t)k;
	while (n > 0 && offset_ms(n - 1) >= end)
		n--;
	while (offset_ms(n) < end)
		n++;
	return n < limit ? n : limit;
}

/* Running the schedule. */

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_until(int64_t ns)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ns / 1000000000);
	ts.tv_nsec = (long)(ns % 1000000000);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

void sim_run_init(struct sim_run *r, uint64_t limit)
{
	memset(r, 0, sizeof *r);
	r->limit = limit;
	r->wake_by = INT64_MAX;
	if (sim.pacing) {
		r->ns_per_slot = 1e9 / sim.rate;
		r->t0 = r->now = mono_ns();
	}
}

/* Sleeps until the next slot is due, unless it is due already. */
static void pace(struct sim_run *r)
{
	int64_t wake = r->t0 + (int64_t)((double)r->n * r->ns_per_slot);

	if (r->wake_by < wake)
		wake = r->wake_by;
	if (wake <= r->now)
		return;
	rt_flush();
	if (wake < r->now + MIN_SLEEP_NS)
		wake = r->now + MIN_SLEEP_NS;
	if (wake > r->now + MAX_SLEEP_NS)
		wake = r->now + MAX_SLEEP_NS;
	sleep_until(wake);
}

int sim_run_next(struct sim_run *r)
{
	uint64_t due;

	if (!sim.pacing) {
		if (r->n >= r->limit || rt_stop)
			return 0;
		rt_check_signals();
		r->end = r->limit - r->n > BATCH ? r->n + BATCH : r->limit;
		return 1;
	}
	if (r->started) {
		rt_check_signals();
		if (r->n >= r->limit || rt_stop)
			return 0;
		pace(r);
	}
	r->started = 1;
	if (r->n >= r->limit || rt_stop)
		return 0;
	r->now = mono_ns();
	due = (uint64_t)((double)(r->now - r->t0) / r->ns_per_slot) + 1;
	if (due > r->limit)
		due = r->limit;
	if (due > r->n + BATCH)
		due = r->n + BATCH;
	r->end = due;
	return 1;
}

/* The pieces records are written from. */

struct sim_frag sim_text_add(const char *s, size_t len)
{
	struct sim_frag f;

	if (sim_text.len + len > UINT32_MAX || buf_add(&sim_text, s, len) < 0)
		rt_oom();
	f.off = (uint32_t)(sim_text.len - len);
	f.len = (uint32_t)len;
	return f;
}

struct sim_frag sim_text_json(const char *s, size_t len)
{
	if (!scratch_ready) {
		if (out_init(&scratch, -1) < 0)
			rt_oom();
		scratch_ready = 1;
	}
	scratch.len = 0;
	out_json_str(&scratch, s, len);
	if (scratch.err)
		rt_oom();
	return sim_text_add(scratch.buf + 1, scratch.len - 2);
}

void sim_text_free(void)
{
	buf_free(&sim_text);
	if (scratch_ready)
		out_free(&scratch);
	scratch_ready = 0;
}

void sim_ts_format(struct sim_ts *c, int64_t sec)
{
	char t[TM_LEN + 1];

	c->sec = sec;
	tm_format(sec, t);
	memcpy(c->head, t, sizeof c->head);
}
