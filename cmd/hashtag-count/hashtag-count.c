/*
 * hashtag-count: the top hashtags of a stream, per processing-time batch,
 * per event-time window, or since the start.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "htab.h"
#include "rt.h"
#include "tm.h"
#include "tok.h"

#define MAX_DUR (366LL * 86400000)	/* longest window, batch or lateness */

static int64_t batch_ms;	/* -e: micro-batch length, 0 = none */
static int64_t size_ms;		/* -w: event-time window size */
static int64_t slide_ms;	/* -S: window slide (= size: tumbling) */
static int64_t late_ms;		/* -l: allowed lateness */
static int total;		/* --total: running totals */
static long long top_n = 10;	/* -n */
static int trending;		/* --trending: rank by growth */
static double alpha;		/* baseline smoothing, from --baseline */
static long long min_count = 1;	/* --min-count */
static int fold = 1;		/* off with --case-sensitive */
static const char *text_field;	/* -f: count straight from this field */
static const char *time_field = "ts";	/* -t */

/* Counts of one pane: the smallest time slice windows are made of. */
struct pane {
	int64_t start;
	struct htab counts;	/* hashtag -> uint64_t */
};

static struct pane *panes;	/* live panes, sorted by start */
static size_t npanes, panes_cap;
static int64_t pane_ms;		/* gcd(size, slide) */
static int64_t watermark = INT64_MIN;
static int64_t closed_upto = INT64_MIN;	/* end of the last closed window */
static int64_t next_start = INT64_MAX;	/* next window to close */

static struct htab merged;	/* counts of the window being emitted */
static struct htab baseline;	/* hashtag -> double, for --trending */
static struct htab spare;
static struct buf folded;
static struct buf scratch;	/* decoded strings of the current record */
static unsigned long long late, skipped;

struct ranked {
	const char *tag;
	size_t len;
	uint64_t count;
	double base, score;
};
static struct ranked *ranks;
static size_t ranks_cap;

static void *put(struct htab *h, const char *key, size_t len)
{
	void *v = htab_put(h, key, len, NULL);

	if (v == NULL)
		rt_oom();
	return v;
}

/* Finds or makes the pane that starts at start. */
static struct pane *pane_at(int64_t start)
{
	size_t lo = 0, hi = npanes;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (panes[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < npanes && panes[lo].start == start)
		return &panes[lo];
	if (npanes == panes_cap) {
		panes_cap = panes_cap ? panes_cap * 2 : 16;
		panes = rt_xrealloc(panes, panes_cap * sizeof *panes);
	}
	memmove(&panes[lo + 1], &panes[lo], (npanes - lo) * sizeof *panes);
	npanes++;
	panes[lo].start = start;
	htab_init(&panes[lo].counts, sizeof(uint64_t));
	return &panes[lo];
}

/* Counts are kept under the hashtags as written, so the hot path does no
 * Unicode work; they are folded together when a window is written, once
 * per distinct spelling. */
static void count_into(struct htab *h, const char *tag, size_t len, uint64_t n)
{
	uint64_t *c = put(h, tag, len);

	*c += n;
}

/* Adds the counts of src into dst, under folded hashtags when folding. */
static void merge(const struct htab *src, struct htab *dst)
{
	size_t i, len;

	for (i = 0; i < src->n; i++) {
		const char *k = htab_key(src, i, &len);

		if (fold) {
			folded.len = 0;
			if (tok_fold(k, len, &folded) < 0)
				rt_oom();
			k = folded.p;
			len = folded.len;
		}
		count_into(dst, k, len, *(uint64_t *)htab_val(src, i));
	}
}

/* Orders by score (or count), then by hashtag bytes. */
static int rank_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	c = memcmp(x->tag, y->tag, n);
	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* Folds a window's counts into the smoothed baseline, forgetting tags
 * whose baseline has decayed to nothing. */
static void update_baseline(const struct htab *counts)
{
	size_t i, len;

	htab_clear(&spare);
	for (i = 0; i < baseline.n; i++) {
		const char *k = htab_key(&baseline, i, &len);
		double b = *(double *)htab_val(&baseline, i) * (1 - alpha);
		double *s;

		if (b < 0.01)
			continue;
		s = put(&spare, k, len);
		*s = b;
	}
	for (i = 0; i < counts->n; i++) {
		const char *k = htab_key(counts, i, &len);
		double *s = put(&spare, k, len);

		*s += alpha * (double)*(uint64_t *)htab_val(counts, i);
	}
	{
		struct htab t = baseline;

		baseline = spare;
		spare = t;
	}
}

static double round3(double v)
{
	return (double)(long long)(v * 1000 + (v < 0 ? -0.5 : 0.5)) / 1000;
}

/* Writes the top records of one window's counts. */
static void emit_top(const struct htab *counts, int64_t start, int64_t end)
{
	size_t i, n = 0, len;

	if (counts->n > ranks_cap) {
		free(ranks);
		ranks_cap = counts->n * 2;
		ranks = rt_xrealloc(NULL, ranks_cap * sizeof *ranks);
	}
	for (i = 0; i < counts->n; i++) {
		struct ranked *r = &ranks[n];
		double *b;

		r->tag = htab_key(counts, i, &len);
		r->len = len;
		r->count = *(uint64_t *)htab_val(counts, i);
		if (r->count < (uint64_t)min_count)
			continue;
		r->score = (double)r->count;
		if (trending) {
			b = htab_get(&baseline, r->tag, len);
			r->base = b ? round3(*b) : 0;
			r->score = round3(((double)r->count - r->base) /
			                  sqrt(r->base + 1));
		}
		n++;
	}
	if (n > 1)
		qsort(ranks, n, sizeof *ranks, rank_cmp);
	for (i = 0; i < n && i < (size_t)top_n; i++) {
		out_lit(&rt.out, "{\"window_start\":");
		out_json_time(&rt.out, start);
		out_lit(&rt.out, ",\"window_end\":");
		out_json_time(&rt.out, end);
		out_lit(&rt.out, ",\"rank\":");
		out_json_int(&rt.out, (long long)i + 1);
		out_lit(&rt.out, ",\"hashtag\":");
		out_json_str(&rt.out, ranks[i].tag, ranks[i].len);
		out_lit(&rt.out, ",\"count\":");
		out_json_int(&rt.out, (long long)ranks[i].count);
		if (trending) {
			out_lit(&rt.out, ",\"baseline\":");
			out_json_num(&rt.out, ranks[i].base);
			out_lit(&rt.out, ",\"score\":");
			out_json_num(&rt.out, ranks[i].score);
		}
		out_putc(&rt.out, '}');
		rt_emit_end();
	}
	if (trending)
		update_baseline(counts);
}

static void emit_batch(const struct htab *counts, int64_t start, int64_t end)
{
	htab_clear(&merged);
	merge(counts, &merged);
	emit_top(&merged, start, end);
}

/* Emits every window that ends at or before wm, oldest first, and frees
 * the panes no later window needs. */
static void close_windows(int64_t wm)
{
	while (next_start != INT64_MAX && next_start <= wm - size_ms) {
		int64_t end = next_start + size_ms;
		size_t i;

		htab_clear(&merged);
		for (i = 0; i < npanes && panes[i].start < end; i++)
			if (panes[i].start >= next_start)
				merge(&panes[i].counts, &merged);
		emit_top(&merged, next_start, end);
		closed_upto = end;
		next_start += slide_ms;
		for (i = 0; i < npanes && panes[i].start < next_start; i++)
			htab_free(&panes[i].counts);
		memmove(panes, panes + i, (npanes - i) * sizeof *panes);
		npanes -= i;
		if (npanes == 0) {
			next_start = INT64_MAX;
		} else {
			/* Skip the empty windows of a gap in the data. */
			int64_t s = tm_floor(panes[0].start - size_ms, slide_ms) +
			            slide_ms;

			if (s > next_start)
				next_start = s;
		}
	}
}

static int count_hashtag(void *arg, const struct tok *t)
{
	count_into(arg, t->p, t->len, 1);
	return 0;
}

/* Counts the hashtags of one record into h; 0, or -1 for bad input. */
static int count_record(const struct rt_record *rec, struct htab *h)
{
	struct json_member m;
	const char *p;
	size_t len;

	if (text_field != NULL) {
		if (!json_get(&rec->obj, text_field, &m) ||
		    rt_string(&m, &scratch, &p, &len) < 0)
			return -1;
		tok_scan(p, len, TOK_HASHTAG, count_hashtag, h);
		return 0;
	}
	if (json_get(&rec->obj, "kind", &m) &&
	    !(m.vlen == 9 && memcmp(m.val, "\"hashtag\"", 9) == 0)) {
		skipped++;
		return 0;
	}
	if (!json_get(&rec->obj, "token", &m) || rt_string(&m, &scratch, &p, &len) < 0)
		return -1;
	count_into(h, p, len, 1);
	return 0;
}

static void bad_field(const struct rt_record *rec)
{
	rt_bad(rec->line.ptr, rec->line.len, rec->line.lineno,
	       "no string field '%s'", text_field ? text_field : "token");
}

/* Event-time path: places a record in its pane and advances the watermark. */
static void add_windowed(const struct rt_record *rec)
{
	struct pane *p;
	int64_t t, s;

	if (rt_event_time(&rec->obj, time_field, TM_AUTO, &scratch, &t) < 0) {
		rt_bad(rec->line.ptr, rec->line.len, rec->line.lineno,
		       "no usable time in field '%s'", time_field);
		return;
	}
	if (tm_floor(t, slide_ms) + size_ms <= closed_upto) {
		late++;
		return;
	}
	p = pane_at(tm_floor(t, pane_ms));
	if (count_record(rec, &p->counts) < 0) {
		bad_field(rec);
		return;
	}
	/* The first window holding t that is still open. */
	s = tm_floor(t - size_ms, slide_ms) + slide_ms;
	if (closed_upto != INT64_MIN &&
	    s <= closed_upto - size_ms)
		s = tm_floor(closed_upto - size_ms, slide_ms) + slide_ms;
	if (s < next_start)
		next_start = s;
	if (t - late_ms > watermark) {
		watermark = t - late_ms;
		close_windows(watermark);
	}
}

static void usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f,
	    "usage: hashtag-count [-e DUR | -w SIZE [-S SLIDE] [-l LATENESS] |"
	    " --total [-e DUR]]\n"
	    "                     [-n N] [-f FIELD] [-t FIELD] [--trending"
	    " [--baseline N]]\n"
	    "                     [--min-count N] [--case-sensitive] %s\n"
	    "                     [file ...]\n", RT_USAGE);
	exit(status);
}

enum { OPT_TOTAL = 1, OPT_TRENDING, OPT_BASELINE, OPT_MIN_COUNT, OPT_CASE };

static const struct option longopts[] = {
	RT_LONGOPTS,
	{"every", required_argument, NULL, 'e'},
	{"window", required_argument, NULL, 'w'},
	{"slide", required_argument, NULL, 'S'},
	{"lateness", required_argument, NULL, 'l'},
	{"top", required_argument, NULL, 'n'},
	{"field", required_argument, NULL, 'f'},
	{"time-field", required_argument, NULL, 't'},
	{"total", no_argument, NULL, OPT_TOTAL},
	{"trending", no_argument, NULL, OPT_TRENDING},
	{"baseline", required_argument, NULL, OPT_BASELINE},
	{"min-count", required_argument, NULL, OPT_MIN_COUNT},
	{"case-sensitive", no_argument, NULL, OPT_CASE},
	{NULL, 0, NULL, 0}
};

int main(int argc, char **argv)
{
	struct rt_record rec = {0};
	struct htab batch;
	long long nbase = 10;
	int64_t run_start, bstart = 0, tick = INT64_MAX;
	int c, n, rc = LINE_OK;

	rt_init("hashtag-count");
	while ((c = getopt_long(argc, argv, "he:w:S:l:n:f:t:uV", longopts,
	                        NULL)) != -1) {
		switch (c) {
		case 'h': usage(0); break;
		case 'e': batch_ms = rt_opt_dur("-e", optarg, 1, MAX_DUR); break;
		case 'w': size_ms = rt_opt_dur("-w", optarg, 1, MAX_DUR); break;
		case 'S': slide_ms = rt_opt_dur("-S", optarg, 1, MAX_DUR); break;
		case 'l': late_ms = rt_opt_dur("-l", optarg, 0, MAX_DUR); break;
		case 'n': top_n = rt_opt_int("-n", optarg, 1, 1000000); break;
		case 'f': text_field = optarg; break;
		case 't': time_field = optarg; break;
		case OPT_TOTAL: total = 1; break;
		case OPT_TRENDING: trending = 1; break;
		case OPT_BASELINE:
			nbase = rt_opt_int("--baseline", optarg, 1, 10000);
			break;
		case OPT_MIN_COUNT:
			min_count = rt_opt_int("--min-count", optarg, 1, INT64_MAX);
			break;
		case OPT_CASE: fold = 0; break;
		default:
			if (!rt_option(c, optarg))
				usage(2);
		}
	}
	if (size_ms && batch_ms)
		rt_die(2, "-w and -e cannot be used together");
	if (size_ms && total)
		rt_die(2, "-w and --total cannot be used together");
	if (slide_ms && !size_ms)
		rt_die(2, "-S needs -w");
	if (late_ms && !size_ms)
		rt_die(2, "-l needs -w");
	if (slide_ms > size_ms)
		rt_die(2, "-S: slide larger than the window size -w");
	if (trending && total)
		rt_die(2, "--trending and --total cannot be used together");
	if (!size_ms && !batch_ms && !total)
		batch_ms = 2000;
	if (!slide_ms)
		slide_ms = size_ms;
	pane_ms = size_ms ? tm_gcd(size_ms, slide_ms) : 0;
	alpha = 2.0 / ((double)nbase + 1);
	rt_stat("late", &late);
	rt_stat("skipped", &skipped);
	htab_init(&batch, sizeof(uint64_t));
	htab_init(&merged, sizeof(uint64_t));
	htab_init(&baseline, sizeof(double));
	htab_init(&spare, sizeof(double));

	rt_open_input(argc - optind, argv + optind);
	run_start = tm_now();
	if (batch_ms) {
		bstart = total ? run_start : tm_floor(run_start, batch_ms);
		tick = tm_floor(run_start, batch_ms) + batch_ms;
	}
	for (;;) {
		int timeout = -1;

		if (batch_ms) {
			int64_t now = tm_now();

			if (now >= tick) {
				emit_batch(&batch, bstart, tick);
				if (!total) {
					htab_clear(&batch);
					bstart = tick;
				}
				tick = tm_floor(now, batch_ms) + batch_ms;
				rt_flush();
			}
			timeout = (int)(tick - now);
			if (timeout < 0)
				timeout = 0;
		}
		/* Look at the clock again after a run of records, or as soon
		 * as the input has nothing ready. */
		for (n = 0; n < 64; n++) {
			rc = rt_next(&rec, n == 0 ? timeout : 0);
			if (rc != LINE_OK)
				break;
			if (size_ms)
				add_windowed(&rec);
			else if (count_record(&rec, &batch) < 0)
				bad_field(&rec);
		}
		if (rc == LINE_EOF)
			break;
	}
	if (size_ms)
		close_windows(INT64_MAX);
	else
		emit_batch(&batch, total ? run_start : bstart, tm_now());
	json_obj_free(&rec.obj);
	htab_free(&batch);
	htab_free(&merged);
	htab_free(&baseline);
	htab_free(&spare);
	for (n = 0; n < (int)npanes; n++)
		htab_free(&panes[n].counts);
	free(panes);
	free(ranks);
	buf_free(&folded);
	buf_free(&scratch);
	return rt_finish(0);
}
