/*
 * iot-sim: a deterministic generator of IoT sensor readings.
 *
 * Every reading is one NDJSON record {"ts","sensor_id","type","value",
 * "unit","seq"}, or one CSV row under a header of those names.  Time is a
 * schedule of slots, slot n due at start + n / rate, dealt out to the
 * sensors in one shuffled order over and over, so that every sensor
 * reports each nsensors / rate seconds.  The same options give the same
 * bytes, paced or not.
 *
 * A sensor's value is its baseline, plus a slow drift (a mean-reverting
 * random walk), plus a daily cycle, plus noise, clamped to what is normal
 * for its type and rounded to the type's resolution.  Values are kept as
 * whole steps of that resolution, so they print exactly, in the shortest
 * form that reads back, without floating-point formatting.  Anomalies
 * replace a reading with a spike, freeze a sensor's value for a while, or
 * silence it (a dropout: its slots pass without readings, and its seq,
 * which counts the readings it sent, does not advance).
 *
 * Each concern draws from its own xoshiro256** stream derived from --seed
 * (sensor parameters, sensor order, values, anomalies, arrival delays), so
 * that --disorder sends the same readings in another order, and anomalies
 * leave every other reading as it was: the process a sensor measures goes
 * on while it is stuck or silent.
 *
 * Disorder: with --disorder or --late-fraction a reading gets an arrival
 * time after its event time and waits in a queue until the schedule
 * reaches it; readings are sent in arrival order (ties in the order they
 * were made), and whatever is still held at the end is sent then.
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "buf.h"
#include "out.h"
#include "rt.h"
#include "sim.h"
#include "tm.h"

#define MAX_SENSORS	1000000
#define MAX_PREFIX	100
#define MAX_HELD	10000000	/* readings the reorder queue may hold */
#define DAY_MS		86400000
#define DRIFT_TAU_S	21600.0		/* the drift forgets over about 6 h */
#define LATE_DEFAULT_MS	60000		/* late delay without --disorder */

enum { NONE, SPIKE, STUCK, DROPOUT };

/* What a kind of sensor measures and how its readings behave. */
struct type_def {
	const char *name, *unit;
	int decimals;			/* resolution: 10^-decimals */
	double base_lo, base_hi;	/* range of sensor baselines */
	double swing_lo, swing_hi;	/* range of daily cycle amplitudes */
	double peak_h;			/* hour (UTC) the cycle peaks */
	int cycles;			/* cycles per day */
	double drift, noise;		/* standard deviations */
	double lo, hi;			/* normal readings stay in here */
	double sensor_lo, sensor_hi;	/* what the sensor can report */
	double spike;			/* typical size of a spike */
};

static const struct type_def types[] = {
	{ .name = "temperature", .unit = "\u00b0C", .decimals = 2,
	  .base_lo = 18, .base_hi = 25, .swing_lo = 2, .swing_hi = 5,
	  .peak_h = 15, .cycles = 1, .drift = 1, .noise = 0.05,
	  .lo = -40, .hi = 85, .sensor_lo = -40, .sensor_hi = 85,
	  .spike = 20 },
	{ .name = "humidity", .unit = "%", .decimals = 1,
	  .base_lo = 45, .base_hi = 65, .swing_lo = 5, .swing_hi = 15,
	  .peak_h = 5, .cycles = 1, .drift = 4, .noise = 0.2,
	  .lo = 30, .hi = 90, .sensor_lo = 0, .sensor_hi = 100,
	  .spike = 35 },
	{ .name = "pressure", .unit = "hPa", .decimals = 2,
	  .base_lo = 1005, .base_hi = 1020, .swing_lo = 0.5, .swing_hi = 1.5,
	  .peak_h = 10, .cycles = 2, .drift = 4, .noise = 0.04,
	  .lo = 950, .hi = 1060, .sensor_lo = 300, .sensor_hi = 1100,
	  .spike = 60 },
	{ .name = "co2", .unit = "ppm", .decimals = 0,
	  .base_lo = 420, .base_hi = 650, .swing_lo = 100, .swing_hi = 400,
	  .peak_h = 14, .cycles = 1, .drift = 40, .noise = 8,
	  .lo = 400, .hi = 5000, .sensor_lo = 0, .sensor_hi = 10000,
	  .spike = 2000 },
	{ .name = "light", .unit = "lx", .decimals = 0,
	  .base_lo = 100, .base_hi = 300, .swing_lo = 300, .swing_hi = 700,
	  .peak_h = 13, .cycles = 1, .drift = 30, .noise = 4,
	  .lo = 0, .hi = 100000, .sensor_lo = 0, .sensor_hi = 100000,
	  .spike = 20000 },
	{ .name = "power", .unit = "W", .decimals = 1,
	  .base_lo = 400, .base_hi = 2000, .swing_lo = 100, .swing_hi = 350,
	  .peak_h = 19, .cycles = 1, .drift = 60, .noise = 8,
	  .lo = 0, .hi = 20000, .sensor_lo = 0, .sensor_hi = 20000,
	  .spike = 5000 },
	{ .name = "vibration", .unit = "mm/s", .decimals = 2,
	  .base_lo = 0.8, .base_hi = 4, .swing_lo = 0.1, .swing_hi = 0.5,
	  .peak_h = 11, .cycles = 1, .drift = 0.2, .noise = 0.06,
	  .lo = 0, .hi = 50, .sensor_lo = 0, .sensor_hi = 100,
	  .spike = 20 },
	{ .name = "voltage", .unit = "V", .decimals = 1,
	  .base_lo = 228, .base_hi = 232, .swing_lo = 1, .swing_hi = 3,
	  .peak_h = 4, .cycles = 1, .drift = 1, .noise = 0.3,
	  .lo = 207, .hi = 253, .sensor_lo = 0, .sensor_hi = 300,
	  .spike = 50 },
};

#define NTYPES	(sizeof types / sizeof types[0])

/* Options besides those of every simulator (sim.h). */
static long long nsensors = 10;		/* -n */
static unsigned char type_list[NTYPES] = { 0, 1, 2 };	/* --types */
static unsigned ntype_list = 3;
static const char *prefix = "sensor-";	/* --prefix */
static struct buf prefix_buf;		/* --prefix, repaired */
static double anomaly_rate;		/* --anomaly-rate */
static int64_t disorder_ms;		/* --disorder */
static double late_fraction;		/* --late-fraction */
static int csv;				/* --format csv */

struct sensor {
	double base, swing, peak;	/* peak: fraction of a day */
	double drift;			/* where the drift has got to */
	int32_t last;			/* last value sent, in steps */
	uint64_t seq;			/* readings sent */
	uint32_t left;			/* readings left of the anomaly */
	unsigned char type, anomaly;
};

/* Small, as the reorder queue holds many: the slot gives the time. */
struct reading {
	uint64_t slot, seq;
	int32_t value;			/* in steps of the resolution */
	uint32_t sensor;
};

/* A reading waiting to arrive, at start + key ms. */
struct held {
	uint64_t key;
	struct reading r;
};

struct bucket {
	struct held *h;
	size_t head, len, cap;		/* h[head .. len) are waiting */
	uint64_t min;			/* least key, when not empty */
};

/* The output layout, in the format asked for. */
static struct {
	struct sim_frag open, after_ts, id_open, id_close, close;
	/* Per type: up to the value, and from the unit up to the seq. */
	struct sim_frag type_head[NTYPES], unit_tail[NTYPES];
} lay;

static struct sensor *sensors;
static uint32_t *owner;			/* slot n is owner[n % nsensors]'s */
static struct sim_rng vrng, arng, drng;	/* values, anomalies, delays */
static double step_scale[NTYPES];	/* steps per unit */
static double drift_keep, drift_new;	/* per reading, for every sensor */
static int id_width;
static size_t rec_max;			/* bound on one record's length */
static uint64_t made;			/* readings made (not dropped out) */

static struct bucket queue[64];
static uint64_t queue_used;		/* bit b: queue[b] not empty */
static uint64_t queue_last;		/* the key last taken out */

/* The time of the reading being written. */
static struct sim_ts stamp = { .sec = INT64_MIN };

/* Counters for the stats line. */
static unsigned long long nspikes, nstuck, ndropouts, nlate;

/* Random numbers. */

/* Stream k of the seed: independent of every other stream. */
static void rng_stream(struct sim_rng *r, uint64_t k)
{
	sim_rng_seed(r, sim_mix(sim.seed, k));
}

/*
 * Nearly normal, mean 0 and variance 1: the sum of four uniform 16-bit
 * draws (Irwin-Hall), one draw in all and no libm.  Its tails end at 3.46:
 * noise never strays far, wild values are the anomalies' business.
 */
static inline double gauss(struct sim_rng *r)
{
	uint64_t x = sim_next(r);
	uint64_t s = (x & 0xffff) + (x >> 16 & 0xffff) + (x >> 32 & 0xffff) +
	             (x >> 48);

	return ((double)s - 131070.0) * (1.7320508075688772 / 65536.0);
}

/* Startup. */

/* Fields that a CSV reader would split, cut or trim are quoted by libcsv;
 * the others are written as they are. */
static int csv_needs_quotes(const char *s, size_t len)
{
	return strpbrk(s, ",\"\r\n") != NULL || (len > 0 &&
	    (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
	    s[len - 1] == '\t'));
}

static struct sim_frag csv_frag(const char *s, size_t len)
{
	size_t n;

	if (!csv_needs_quotes(s, len))
		return sim_text_add(s, len);
	n = csv_write(NULL, 0, s, len);
	if (n > UINT32_MAX || buf_reserve(&sim_text, n) < 0)
		rt_oom();
	csv_write(sim_text.p + sim_text.len, n, s, len);
	sim_text.len += n;
	return (struct sim_frag){ (uint32_t)(sim_text.len - n), (uint32_t)n };
}

/* lead + field + tail, one piece of text, the field in the format. */
static struct sim_frag text(const char *lead, const char *field,
                            const char *tail)
{
	struct sim_frag f = sim_text_add(lead, strlen(lead));

	if (csv)
		f.len += csv_frag(field, strlen(field)).len;
	else
		f.len += sim_text_json(field, strlen(field)).len;
	f.len += sim_text_add(tail, strlen(tail)).len;
	return f;
}

static void layout_json(void)
{
	size_t i;

	lay.open = sim_text_add("{\"ts\":\"", 7);
	lay.after_ts = sim_text_add("\",\"sensor_id\":\"", 15);
	lay.id_open = sim_text_json(prefix, strlen(prefix));
	lay.id_close = sim_text_add("", 0);
	lay.close = sim_text_add("}", 1);
	for (i = 0; i < NTYPES; i++) {
		lay.type_head[i] = text("\",\"type\":\"", types[i].name,
		                        "\",\"value\":");
		lay.unit_tail[i] = text(",\"unit\":\"", types[i].unit,
		                        "\",\"seq\":");
	}
}

static void layout_csv(void)
{
	size_t i;

	lay.open = sim_text_add("", 0);
	lay.after_ts = sim_text_add(",", 1);
	/* Digits need no quoting: a quoted id is the quoted prefix without
	 * its closing quote, the digits, and the closing quote. */
	lay.id_open = csv_frag(prefix, strlen(prefix));
	if (csv_needs_quotes(prefix, strlen(prefix))) {
		lay.id_open.len--;
		lay.id_close = sim_text_add("\"", 1);
	} else {
		lay.id_close = sim_text_add("", 0);
	}
	lay.close = sim_text_add("", 0);
	for (i = 0; i < NTYPES; i++) {
		lay.type_head[i] = text(",", types[i].name, ",");
		lay.unit_tail[i] = text(",", types[i].unit, ",");
	}
}

/* The longest record any reading can make, so a reading needs one check. */
static size_t record_bound(void)
{
	uint32_t head = 0, tail = 0;
	size_t i;

	for (i = 0; i < NTYPES; i++) {
		if (lay.type_head[i].len > head)
			head = lay.type_head[i].len;
		if (lay.unit_tail[i].len > tail)
			tail = lay.unit_tail[i].len;
	}
	return lay.open.len + TM_LEN + lay.after_ts.len + lay.id_open.len +
	       (size_t)id_width + lay.id_close.len + head + 24 + tail + 20 +
	       lay.close.len + 1;
}

static void make_sensors(void)
{
	struct sim_rng p, q;
	uint32_t i;

	sensors = rt_xcalloc((size_t)nsensors, sizeof *sensors);
	owner = rt_xcalloc((size_t)nsensors, sizeof *owner);
	rng_stream(&p, 1);
	for (i = 0; i < nsensors; i++) {
		struct sensor *s = &sensors[i];
		const struct type_def *d;

		s->type = type_list[i % ntype_list];
		d = &types[s->type];
		s->base = d->base_lo + (d->base_hi - d->base_lo) * sim_uniform(&p);
		s->swing = d->swing_lo + (d->swing_hi - d->swing_lo) * sim_uniform(&p);
		/* Peaks spread over two hours around the type's. */
		s->peak = (d->peak_h + 2 * sim_uniform(&p) - 1) / 24;
		s->drift = d->drift * gauss(&p);
	}
	/* The order in which sensors take their slots. */
	rng_stream(&q, 2);
	sim_shuffle(&q, owner, (uint32_t)nsensors);
}

static void setup(void)
{
	double keep;
	size_t i;
	long long n;

	for (id_width = 1, n = nsensors; n >= 10; n /= 10)
		id_width++;
	if (csv)
		layout_csv();
	else
		layout_json();
	rec_max = record_bound();
	for (i = 0; i < NTYPES; i++)
		step_scale[i] = pow(10, types[i].decimals);
	/* The drift is an Ornstein-Uhlenbeck process sampled once per
	 * reading: it keeps part of itself and takes fresh noise so that its
	 * spread stays the type's drift. */
	keep = exp(-(double)nsensors * sim.ms_per_slot / 1000 / DRIFT_TAU_S);
	drift_keep = keep;
	drift_new = sqrt(1 - keep * keep);
	make_sensors();
	rng_stream(&vrng, 3);
	rng_stream(&arng, 4);
	rng_stream(&drng, 5);
}

static void cleanup(void)
{
	size_t i;

	free(sensors);
	free(owner);
	for (i = 0; i < 64; i++)
		free(queue[i].h);
	sim_text_free();
	buf_free(&prefix_buf);
}

/* Writing a reading. */

static char *put_u64(char *w, uint64_t v)
{
	char t[20], *p = t + sizeof t;
	size_t n;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	n = (size_t)(t + sizeof t - p);
	memcpy(w, p, n);
	return w + n;
}

/* v in exactly width digits, zeros in front. */
static char *put_padded(char *w, uint64_t v, int width)
{
	char *p = w + width;

	while (p > w) {
		*--p = (char)('0' + v % 10);
		v /= 10;
	}
	return w + width;
}

/*
 * k steps of 10^-decimals, as the shortest decimal that reads back to the
 * double k / 10^decimals: with so few digits that is the decimal itself,
 * without trailing zeros, which is what out_json_num prints.
 */
static char *put_steps(char *w, int32_t k, int decimals)
{
	static const uint64_t pow10[] = { 1, 10, 100, 1000, 10000 };
	uint64_t u = k < 0 ? 0 - (uint64_t)k : (uint64_t)k, frac;

	if (k < 0)
		*w++ = '-';
	w = put_u64(w, u / pow10[decimals]);
	frac = u % pow10[decimals];
	if (frac == 0)
		return w;
	while (frac % 10 == 0) {
		frac /= 10;
		decimals--;
	}
	*w++ = '.';
	return put_padded(w, frac, decimals);
}

static void emit(const struct reading *r)
{
	unsigned t = sensors[r->sensor].type;
	int64_t ms = sim_slot_ms(r->slot);
	char *w = sim_rec_begin(rec_max);

	sim_ts_move(&stamp, ms);
	w = sim_put(w, lay.open);
	w = sim_ts_put(&stamp, w, ms);
	w = sim_put(w, lay.after_ts);
	w = sim_put(w, lay.id_open);
	w = put_padded(w, (uint64_t)r->sensor + 1, id_width);
	w = sim_put(w, lay.id_close);
	w = sim_put(w, lay.type_head[t]);
	w = put_steps(w, r->value, types[t].decimals);
	w = sim_put(w, lay.unit_tail[t]);
	w = put_u64(w, r->seq);
	w = sim_put(w, lay.close);
	sim_rec_end(w);
}

/*
 * The reorder queue is a radix heap, which serves priority queues whose
 * least key never goes back: readings are released up to a time that
 * only moves on, and arrive after the time they are made.  Bucket b > 0
 * holds the keys that first differ from queue_last in bit b - 1, bucket 0
 * the keys equal to it.  When bucket 0 runs dry, the first bucket in use
 * whose least key is due is spread over the buckets below it, relative to
 * that key.  A key moves at most once per bit, and buckets are appended to
 * and read in order, so readings of one arrival time keep the order they
 * were made in.  Keys count milliseconds from the start, below 2^49:
 * buckets past 50 stay unused.
 */

static inline unsigned bucket_of(uint64_t key)
{
	return key == queue_last ? 0 :
	       64 - (unsigned)__builtin_clzll(key ^ queue_last);
}

static void bucket_add(const struct held *h)
{
	struct bucket *b = &queue[bucket_of(h->key)];

	if (b->len == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 256;
		b->h = rt_xrealloc(b->h, b->cap * sizeof *b->h);
	}
	if (b->len == b->head || h->key < b->min)
		b->min = h->key;
	b->h[b->len++] = *h;
	queue_used |= UINT64_C(1) << (b - queue);
}

static void bucket_clear(struct bucket *b)
{
	b->head = b->len = 0;
	queue_used &= ~(UINT64_C(1) << (b - queue));
}

static void hold(const struct reading *r, int64_t arrival)
{
	struct held h = { (uint64_t)(arrival - sim.start_ms), *r };

	bucket_add(&h);
}

/* The least key held; UINT64_MAX when nothing is. */
static uint64_t held_min(void)
{
	if (queue_used == 0)
		return UINT64_MAX;
	return queue[__builtin_ctzll(queue_used)].min;
}

/* Sends the held readings that have arrived by time t, in arrival order. */
static void release(int64_t t)
{
	uint64_t due = t == INT64_MAX ? UINT64_MAX :
	               (uint64_t)(t - sim.start_ms);
	struct bucket *b;
	size_t i;

	while (queue_used != 0) {
		b = &queue[__builtin_ctzll(queue_used)];
		if (b->min > due)
			return;
		if (b == queue) {
			emit(&b->h[b->head++].r);
			if (b->head == b->len)
				bucket_clear(b);
			continue;
		}
		queue_last = b->min;
		for (i = b->head; i < b->len; i++)
			bucket_add(&b->h[i]);
		bucket_clear(b);
	}
}

/*
 * A reading arrives up to --disorder after its event time, or, for the
 * late fraction, 5 to 20 times that (a minute without --disorder).
 */
static void deliver(const struct reading *r, int64_t ts)
{
	int64_t delay;

	if (disorder_ms == 0 && late_fraction == 0) {
		emit(r);
		return;
	}
	if (late_fraction > 0 && sim_uniform(&drng) < late_fraction) {
		nlate++;
		delay = disorder_ms == 0 ? LATE_DEFAULT_MS : 5 * disorder_ms +
		        sim_below(&drng, (uint32_t)(15 * disorder_ms + 1));
	} else {
		delay = sim_below(&drng, (uint32_t)disorder_ms + 1);
	}
	hold(r, ts + delay);
}

/* Making a reading. */

static int32_t to_steps(double x, double lo, double hi, double scale)
{
	if (x < lo)
		x = lo;
	else if (x > hi)
		x = hi;
	return (int32_t)floor(x * scale + 0.5);
}

/* What the sensor measures at time ts; advances its drift. */
static double measure(struct sensor *s, const struct type_def *d, int64_t ts)
{
	double day = (double)(ts - tm_floor(ts, DAY_MS)) / DAY_MS;
	double cycle = sin(2 * M_PI * (d->cycles * (day - s->peak) + 0.25));

	s->drift = s->drift * drift_keep + d->drift * drift_new * gauss(&vrng);
	return s->base + s->drift + s->swing * cycle + d->noise * gauss(&vrng);
}

/*
 * An anomaly starts: half are spikes, which change this reading only (and
 * may leave the normal range for the sensor's); a quarter freeze the value
 * and a quarter silence the sensor, for 5 to 50 readings from this one.
 * Returns 1 for a spike.
 */
static int begin_anomaly(struct sensor *s, const struct type_def *d,
                         double *x)
{
	uint32_t r = sim_below(&arng, 4);

	if (r < 2) {
		double size = d->spike * (0.5 + sim_uniform(&arng));

		*x += r == 0 ? size : -size;
		nspikes++;
		return 1;
	}
	s->anomaly = r == 2 ? STUCK : DROPOUT;
	s->left = 5 + sim_below(&arng, 46);
	if (r == 2)
		nstuck++;
	else
		ndropouts++;
	return 0;
}

/* The reading of slot n, at time ts; 0 when its sensor is silent. */
static int make(uint64_t n, int64_t ts, struct reading *r)
{
	uint32_t i = owner[n % (uint64_t)nsensors];
	struct sensor *s = &sensors[i];
	const struct type_def *d = &types[s->type];
	double x = measure(s, d, ts);
	int32_t v;

	if (s->left == 0 && anomaly_rate > 0 &&
	    sim_uniform(&arng) < anomaly_rate && begin_anomaly(s, d, &x))
		v = to_steps(x, d->sensor_lo, d->sensor_hi, step_scale[s->type]);
	else
		v = to_steps(x, d->lo, d->hi, step_scale[s->type]);
	if (s->left > 0) {
		s->left--;
		if (s->anomaly == DROPOUT)
			return 0;
		/* Stuck at the last value sent (or at this one, if none). */
		if (s->seq > 0)
			v = s->last;
	}
	r->slot = n;
	r->value = s->last = v;
	r->seq = ++s->seq;
	r->sensor = i;
	return 1;
}

/* Running the schedule. */

static void slot(uint64_t n)
{
	int64_t ts = sim_slot_ms(n);
	struct reading r;

	if (queue_used != 0)
		release(ts);
	if (make(n, ts, &r)) {
		made++;
		deliver(&r, ts);
	}
}

/*
 * Runs the schedule until count readings are made.  Paced, each batch
 * also sends the held readings that have arrived by the schedule's time
 * so far (those not made yet all arrive later, or tie and were made
 * later), and the run wakes for the next held one to arrive if that comes
 * before the next slot.
 */
static void run(uint64_t limit, uint64_t count)
{
	struct sim_run r;
	int64_t sched;
	uint64_t key;

	/* -c 0 makes no reading, so it needs no slot. */
	sim_run_init(&r, count == 0 ? 0 : limit);
	while (sim_run_next(&r)) {
		for (; r.n < r.end && made < count; r.n++)
			slot(r.n);
		if (sim.pacing) {
			sched = sim.start_ms + (r.now - r.t0) / 1000000;
			if (r.n < r.limit && sim_slot_ms(r.n) < sched)
				sched = sim_slot_ms(r.n);
			release(sched);
			key = held_min();
			r.wake_by = key == UINT64_MAX ? INT64_MAX :
			            r.t0 + (int64_t)key * 1000000;
		}
		if (made == count)
			r.limit = r.n;
	}
}

/* Options. */

/* --types temperature,humidity: each known, none twice. */
static void parse_types(const char *arg)
{
	char why[160];
	const char *p = arg, *e;
	unsigned seen = 0, i;

	ntype_list = 0;
	for (;;) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		for (i = 0; i < NTYPES; i++)
			if (strlen(types[i].name) == (size_t)(e - p) &&
			    strncmp(types[i].name, p, (size_t)(e - p)) == 0)
				break;
		if (i == NTYPES || (seen & 1U << i)) {
			snprintf(why, sizeof why, "%s type: '%.*s'",
			         i == NTYPES ? "unknown" : "repeated",
			         (int)(e - p > 60 ? 60 : e - p), p);
			rt_die_opt("--types", why);
		}
		seen |= 1U << i;
		type_list[ntype_list++] = (unsigned char)i;
		if (*e == '\0')
			return;
		p = e + 1;
	}
}

/* The prefix as valid UTF-8 (repairs counted like any other). */
static void parse_prefix(const char *arg)
{
	int n;

	if (strlen(arg) > MAX_PREFIX)
		rt_die_opt("--prefix", "too long (over 100 bytes)");
	prefix_buf.len = 0;
	if ((n = utf8_repair(arg, strlen(arg), &prefix_buf)) < 0 ||
	    buf_addc(&prefix_buf, '\0') < 0)
		rt_oom();
	rt.out.repaired += (unsigned)n;
	prefix = prefix_buf.p;
}

static void parse_format(const char *arg)
{
	char why[160];

	if (strcmp(arg, "json") == 0) {
		csv = 0;
	} else if (strcmp(arg, "csv") == 0) {
		csv = 1;
	} else {
		snprintf(why, sizeof why, "unknown format: '%.60s'", arg);
		rt_die_opt("--format", why);
	}
}

static _Noreturn void usage(int status)
{
	FILE *f = status == 0 ? stdout : stderr;

	fprintf(f,
	    "usage: iot-sim [-huV] [-c COUNT] [-d DURATION] [-n SENSORS] "
	    "[-r RATE] [--no-pacing]\n"
	    "               [--seed N] [--start TIME] [--stats] "
	    "[--types LIST] [--prefix TEXT]\n"
	    "               [--anomaly-rate P] [--disorder DURATION] "
	    "[--late-fraction F]\n"
	    "               [--format json|csv]\n");
	exit(status == 0 && fflush(stdout) != 0 ? 1 : status);
}

enum {
	OPT_TYPES = 0x2000, OPT_PREFIX, OPT_ANOMALY_RATE, OPT_DISORDER,
	OPT_LATE_FRACTION, OPT_FORMAT
};

static const struct option longopts[] = {
	{"count", required_argument, NULL, 'c'},
	{"duration", required_argument, NULL, 'd'},
	{"sensors", required_argument, NULL, 'n'},
	{"rate", required_argument, NULL, 'r'},
	{"seed", required_argument, NULL, SIM_OPT_SEED},
	{"start", required_argument, NULL, SIM_OPT_START},
	{"no-pacing", no_argument, NULL, SIM_OPT_NO_PACING},
	{"types", required_argument, NULL, OPT_TYPES},
	{"prefix", required_argument, NULL, OPT_PREFIX},
	{"anomaly-rate", required_argument, NULL, OPT_ANOMALY_RATE},
	{"disorder", required_argument, NULL, OPT_DISORDER},
	{"late-fraction", required_argument, NULL, OPT_LATE_FRACTION},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{"unbuffered", no_argument, NULL, 'u'},
	{"stats", no_argument, NULL, RT_OPT_STATS},
	{NULL, 0, NULL, 0},
};

static void parse_option(int c, const char *arg)
{
	switch (c) {
	case 'n':
		nsensors = rt_opt_int("-n", arg, 1, MAX_SENSORS);
		break;
	case OPT_TYPES:
		parse_types(arg);
		break;
	case OPT_PREFIX:
		parse_prefix(arg);
		break;
	case OPT_ANOMALY_RATE:
		anomaly_rate = rt_opt_double("--anomaly-rate", arg, 0, 1);
		break;
	case OPT_DISORDER:
		disorder_ms = rt_opt_dur("--disorder", arg, 0, DAY_MS);
		break;
	case OPT_LATE_FRACTION:
		late_fraction = rt_opt_double("--late-fraction", arg, 0, 1);
		break;
	case OPT_FORMAT:
		parse_format(arg);
		break;
	case 'h':
		usage(0);
	default:
		if (!sim_option(c, arg) && !rt_option(c, arg))
			usage(2);
	}
}

/* The reorder queue holds up to rate x delay readings, each in memory. */
static void check_options(void)
{
	double late_ms = disorder_ms == 0 ? LATE_DEFAULT_MS : 20.0 * disorder_ms;
	double held_ms = (double)disorder_ms + late_fraction * late_ms;

	if (sim.rate * held_ms / 1000 > MAX_HELD)
		rt_die(2, "-r and %s: over %d readings would be held back at once",
		       disorder_ms > 0 ? "--disorder" : "--late-fraction", MAX_HELD);
}

int main(int argc, char **argv)
{
	uint64_t limit, count;
	int c;

	rt_init("iot-sim");
	while ((c = getopt_long(argc, argv, "c:d:hn:r:uV", longopts, NULL)) != -1)
		parse_option(c, optarg);
	if (optind < argc) {
		rt_warn("unexpected operand: '%s'", argv[optind]);
		usage(2);
	}
	check_options();
	limit = sim_schedule(UINT64_MAX);
	count = sim.count >= 0 ? (uint64_t)sim.count : UINT64_MAX;
	rt_stat("spikes", &nspikes);
	rt_stat("stuck", &nstuck);
	rt_stat("dropouts", &ndropouts);
	rt_stat("late", &nlate);
	setup();
	if (csv) {
		out_lit(&rt.out, "ts,sensor_id,type,value,unit,seq\n");
		rt_flush();
	}
	run(limit, count);
	release(INT64_MAX);
	cleanup();
	return rt_finish(0);
}
