/*
 * sim: what the simulators share.
 *
 * A seeded random stream (splitmix64 to seed, xoshiro256** to draw), so
 * that the same seed gives the same bytes on every machine, and the two
 * clock calls real-time pacing needs.
 *
 *	struct sim_rng r;
 *	uint64_t s = seed;
 *	sim_rng_seed(&r, sim_splitmix(&s));
 *	sim_below(&r, n), sim_uniform(&r), sim_next(&r)
 */
#ifndef SIM_H
#define SIM_H

#include <stdint.h>

struct sim_rng {
	uint64_t s[4];
};

/* Advances *x and returns the next splitmix64 value. */
uint64_t sim_splitmix(uint64_t *x);
/* Fills the xoshiro state from splitmix64 starting at seed. */
void sim_rng_seed(struct sim_rng *r, uint64_t seed);

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

/* The monotonic clock in nanoseconds, and a sleep until such an instant
 * (cut short by a signal). */
int64_t sim_mono_ns(void);
void sim_sleep_until(int64_t ns);

#endif
