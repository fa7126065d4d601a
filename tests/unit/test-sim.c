/* Unit tests of sim: random numbers, options, schedule, run, text, times. */
#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include "sim.h"
#include "tap.h"

static void test_random(void)
{
	struct sim_rng a, b;
	uint64_t x = 0, y = 7;
	uint32_t v[1000], seen[1000] = { 0 };
	int i, same = 1, in_range = 1, perm = 1;

	ok(sim_splitmix(&x) == 0xe220a8397b1dcdafULL, "splitmix64 of 0");
	ok(sim_mix(7, 0) == sim_splitmix(&y), "value 0 of a seed is its splitmix");
	ok(sim_mix(7, 1) != sim_mix(7, 2) && sim_mix(7, 1) != sim_mix(8, 1),
	   "values differ by k and by seed");
	sim_rng_seed(&a, 42);
	sim_rng_seed(&b, 42);
	for (i = 0; i < 1000; i++)
		if (sim_next(&a) != sim_next(&b))
			same = 0;
	for (i = 0; i < 1000; i++) {
		double u = sim_uniform(&a);

		if (u < 0 || u >= 1 || sim_below(&a, 10) >= 10)
			in_range = 0;
	}
	ok(same, "the same seed draws the same numbers");
	ok(in_range, "uniform in [0, 1), below n in [0, n)");
	sim_shuffle(&a, v, 1000);
	for (i = 0; i < 1000; i++)
		if (v[i] >= 1000 || seen[v[i]]++)
			perm = 0;
	ok(perm, "shuffle makes a permutation");
	sim_shuffle(&a, v, 1);
	ok(v[0] == 0, "shuffle of one");
	sim_shuffle(&a, v, 0);
	ok(1, "shuffle of none");
}

static void test_options(void)
{
	ok(sim.seed == 1 && sim.start_ms == -1 && sim.rate == 10 &&
	   sim.count == -1 && sim.duration_ms == -1 && sim.pacing == 1,
	   "defaults");
	ok(sim_option('c', "5") && sim.count == 5, "-c");
	ok(sim_option('d', "1m") && sim.duration_ms == 60000, "-d");
	ok(sim_option('r', "2.5") && sim.rate == 2.5, "-r");
	ok(sim_option(SIM_OPT_SEED, "42") && sim.seed == 42, "--seed");
	ok(sim_option(SIM_OPT_START, "1970-01-01T00:00:01Z") &&
	   sim.start_ms == 1000, "--start");
	ok(sim_option(SIM_OPT_NO_PACING, NULL) && sim.pacing == 0,
	   "--no-pacing");
	ok(!sim_option('n', "3") && !sim_option(RT_OPT_STATS, NULL),
	   "other options are not sim's");
}

static void test_schedule(void)
{
	sim.pacing = 0;
	sim.start_ms = -1;
	sim.rate = 10;
	sim.duration_ms = 60000;
	ok(sim_schedule(UINT64_MAX) == 600, "-r 10 -d 1m: 600 slots");
	ok(sim.start_ms == 1767225600000LL, "unpaced, the default start");
	ok(sim_slot_ms(599) == sim.start_ms + 59900, "slot 599 at 59.9 s");
	ok(sim_schedule(5) == 5, "at most cap");
	sim.rate = 3;
	sim.duration_ms = 1000;
	ok(sim_schedule(UINT64_MAX) == 3 && sim_slot_ms(2) == sim.start_ms + 666,
	   "-r 3 -d 1s: 0, 333 and 666 ms");
	sim.duration_ms = -1;
	sim.start_ms = TM_MAX - 999;
	sim.rate = 1000;
	ok(sim_schedule(UINT64_MAX) == 1000, "no slot after year 9999");
	sim.start_ms = 0;
	sim.rate = 1e9;
	ok(sim_schedule(UINT64_MAX) == 1ULL << 53, "at most 2^53");
}

static void test_run(void)
{
	struct sim_run r;
	uint64_t total = 0;
	int batches = 0, ordered = 1;

	sim.pacing = 0;
	sim.start_ms = 0;
	sim.rate = 10;
	sim_run_init(&r, 2500);
	while (sim_run_next(&r)) {
		if (r.n != total || r.end - r.n > 1024)
			ordered = 0;
		batches++;
		total += r.end - r.n;
		r.n = r.end;
	}
	ok(ordered && batches == 3 && total == 2500,
	   "unpaced: every slot once, in batches");
	sim_run_init(&r, 2500);
	batches = 0;
	while (sim_run_next(&r)) {
		batches++;
		r.n++;
		r.limit = r.n;
	}
	ok(batches == 1 && r.n == 1, "setting limit to n ends the run");
	sim.pacing = 1;
	sim.rate = 1e6;
	sim_run_init(&r, 3000);
	total = 0;
	ordered = 1;
	while (sim_run_next(&r)) {
		if (r.n != total || r.end <= r.n || r.end - r.n > 1024)
			ordered = 0;
		total += r.end - r.n;
		r.n = r.end;
	}
	ok(ordered && total == 3000, "paced: every slot once, in batches");
	sim_run_init(&r, 0);
	ok(!sim_run_next(&r), "no slots, no batch");
}

static void test_text(void)
{
	struct sim_frag a, b, c;
	char w[64], *e;

	a = sim_text_add("{\"x\":\"", 6);
	b = sim_text_json("a\"\\\n\xff", 5);
	c = sim_text_add("", 0);
	ok(a.off == 0 && a.len == 6 && b.off == 6 && c.off == b.off + b.len,
	   "pieces follow one another");
	e = sim_put(sim_put(w, a), b);
	*e = '\0';
	ok(strcmp(w, "{\"x\":\"a\\\"\\\\\\n\xef\xbf\xbd") == 0,
	   "JSON content escaped and repaired: %s", w);
	sim_text_free();
	ok(sim_text.p == NULL && sim_text.len == 0, "freed");
	ok(sim_text_json("b", 1).off == 0, "usable again after free");
	sim_text_free();
}

static void test_times(void)
{
	struct sim_ts c = { .sec = INT64_MIN };
	char w[TM_LEN + 1];

	ok(sim_ts_move(&c, 1767225600123LL) == 1, "a first second");
	ok(sim_ts_move(&c, 1767225600999LL) == 0, "the same second");
	w[TM_LEN] = '\0';
	ok(sim_ts_put(&c, w, 1767225600999LL) == w + TM_LEN &&
	   strcmp(w, "2026-01-01T00:00:00.999Z") == 0, "time text: %s", w);
	ok(sim_ts_move(&c, 1767225601000LL) == 1, "the next second");
	sim_ts_put(&c, w, 1767225601007LL);
	ok(strcmp(w, "2026-01-01T00:00:01.007Z") == 0, "time text: %s", w);
}

int main(void)
{
	rt_init("test-sim");
	test_random();
	test_options();
	test_schedule();
	test_run();
	test_text();
	test_times();
	return tap_done();
}
