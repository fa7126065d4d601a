/*
 * sim: what the simulators share.
 *
 * Random numbers: a seeded stream (splitmix64 to seed, xoshiro256** to
 * draw), so that the same seed gives the same bytes on every machine.
 * This part is library code.
 *
 *	struct sim_rng r;
 *	sim_rng_seed(&r, sim_mix(sim.seed, k));
 *	sim_below(&r, n), sim_uniform(&r), sim_next(&r)
 *
 * The rest is tool layer on rt: the options every simulator takes, the
 * schedule they make (slot n is due at start + n / rate, so the same
 * options give the same bytes paced or not), the loop that runs it, and
 * the pieces a record is written from.  A bad option value ends the tool
 * with status 2; running out of memory and write errors end it as rt says.
 *
 *	rt_init("x-sim");
 *	getopt_long(..., longopts with SIM_OPT_SEED, ...):
 *		default: if (!sim_option(c, optarg) && !rt_option(c, optarg))
 *				usage(2);
 *	limit = sim_schedule(cap);
 *	...prepare text with sim_text_add and sim_text_json...
 *	sim_run_init(&run, limit);
 *	while (sim_run_next(&run))
 *		for (; run.n < run.end; run.n++) {
 *			w = sim_rec_begin(max);
 *			...w = sim_put(w, frag), sim_ts_put(&ts, w, ms)...
 *			sim_rec_end(w);
 *		}
 *	sim_text_free();
 *	return rt_finish(0);
 */
#ifndef SIM_H
#define SIM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "rt.h"
#include "tm.h"

/* Random numbers. */

struct sim_rng {
	uint64_t s[4];
};

/* Advances *x and returns the next splitmix64 value. */
uint64_t sim_splitmix(uint64_t *x);
/* Fills the xoshiro state from splitmix64 starting at seed. */
void sim_rng_seed(struct sim_rng *r, uint64_t seed);
/* Value k of seed: each k gives a value independent of the others'. */
uint64_t sim_mix(uint64_t seed, uint64_t k);
/* Fills v with a permutation of 0 .. n - 1 drawn from r (Fisher-Yates). */
void sim_shuffle(struct sim_rng *r, uint32_t *v, uint32_t n);

static inline uint64_t sim_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t sim_next(struct sim_rng *r)
{
	uint64_t *s = r->s, v = sim_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = sim_rotl(s[3], 45);
	return v;
}

/* Uniform in [0, n), by multiplying instead of dividing. */
static inline uint32_t sim_below(struct sim_rng *r, uint32_t n)
{
	return (uint32_t)(((sim_next(r) >> 32) * n) >> 32);
}

/* Uniform in [0, 1). */
static inline double sim_uniform(struct sim_rng *r)
{
	return (double)(sim_next(r) >> 11) * 0x1p-53;
}

/* The options and the schedule. */

/* Values of the long options sim_option handles, besides -c, -d and -r. */
enum { SIM_OPT_SEED = 0x1800, SIM_OPT_START, SIM_OPT_NO_PACING };

struct sim {
	uint64_t seed;		/* --seed */
	int64_t start_ms;	/* --start; -1: not given */
	double rate;		/* -r: slots per second */
	long long count;	/* -c; -1: no limit */
	int64_t duration_ms;	/* -d; -1: no limit */
	int pacing;		/* cleared by --no-pacing */
	double ms_per_slot;	/* the schedule's step, set by sim_schedule */
};

extern struct sim sim;

/*
 * Handles -c, -d, -r, --seed, --start and --no-pacing.  Returns 1 if c
 * was one of them, 0 otherwise; a bad value ends the tool with status 2.
 */
int sim_option(int c, const char *arg);

/*
 * After the options: without --start the schedule starts now when paced,
 * at 2026-01-01T00:00:00Z when not.  Returns how many slots -d and the end
 * of year 9999 allow, at most cap and 2^53 (so that n stays exact as a
 * double).
 */
uint64_t sim_schedule(uint64_t cap);

/* When slot n is due. */
static inline int64_t sim_slot_ms(uint64_t n)
{
	return sim.start_ms + (int64_t)((double)n * sim.ms_per_slot);
}

/*
 * Running the schedule.  Each sim_run_next hands out the slots due now,
 * [n, end), for the tool to make, advancing n; the tool may end the run
 * early by setting limit to n.  Without pacing the batches come as fast as
 * the tool makes them.  With pacing they come when they fall due on the
 * monotonic clock: between batches stdout is flushed and the run sleeps
 * until the next slot is due, or until wake_by if that is earlier, but at
 * least a millisecond, so that high rates go out in batches.  A signal
 * cuts the sleep short.  Between batches a pending SIGUSR1 is handled; a
 * stop signal ends the run.  Returns 0 when the run is over.
 */
struct sim_run {
	uint64_t n, end;	/* slots [n, end) are due */
	uint64_t limit;		/* the run is over when n reaches it */
	int64_t t0, now;	/* paced: the monotonic clock (ns) at the start
				 * and when the batch was handed out */
	int64_t wake_by;	/* paced: the tool's bound on the next sleep */
	double ns_per_slot;
	int started;
};

void sim_run_init(struct sim_run *r, uint64_t limit);
int sim_run_next(struct sim_run *r);

/* The pieces records are written from. */

/* A prepared piece of output text: sim_text.p[off .. off + len). */
struct sim_frag {
	uint32_t off, len;
};

/* Every prepared piece, one after the other in the order added. */
extern struct buf sim_text;

/* Adds s as it is, or as the content of a JSON string (escaped by the
 * one escaper of all output, out_json_str). */
struct sim_frag sim_text_add(const char *s, size_t len);
struct sim_frag sim_text_json(const char *s, size_t len);
void sim_text_free(void);

static inline char *sim_put(char *w, struct sim_frag f)
{
	memcpy(w, sim_text.p + f.off, f.len);
	return w + f.len;
}

/* Room on stdout for one record of at most max bytes, without its
 * newline; returns where it goes. */
static inline char *sim_rec_begin(size_t max)
{
	struct out *o = &rt.out;

	if (o->cap - o->len < max) {
		out_grow(o, max);
		if (o->cap - o->len < max)
			rt_oom();
	}
	return o->buf + o->len;
}

/* Ends the record written up to w. */
static inline void sim_rec_end(char *w)
{
	rt.out.len = (size_t)(w - rt.out.buf);
	rt_emit_end();
}

/*
 * Record times as tm_format writes them, the part up to the second made
 * once per second, as the records of a schedule come in about time order.
 * Start with { .sec = INT64_MIN }.
 */
struct sim_ts {
	int64_t sec;		/* the second head holds */
	char head[20];		/* YYYY-MM-DDTHH:MM:SS. */
};

void sim_ts_format(struct sim_ts *c, int64_t sec);

/* Makes c hold the second of ms; returns 1 if that is another second. */
static inline int sim_ts_move(struct sim_ts *c, int64_t ms)
{
	int64_t sec = tm_floor(ms, 1000);

	if (sec == c->sec)
		return 0;
	sim_ts_format(c, sec);
	return 1;
}

/* Writes the TM_LEN bytes of ms, which is in the second c holds. */
static inline char *sim_ts_put(const struct sim_ts *c, char *w, int64_t ms)
{
	unsigned f = (unsigned)(ms - c->sec);

	memcpy(w, c->head, 20);
	w[20] = (char)('0' + f / 100);
	w[21] = (char)('0' + f / 10 % 10);
	w[22] = (char)('0' + f % 10);
	w[23] = 'Z';
	return w + TM_LEN;
}

#endif
