/*
 * window: aggregates of a stream over tumbling, sliding or session
 * windows of event time (or processing time), grouped by key, with
 * checkpointed state.
 *
 * Tumbling and sliding windows are made of panes of tm_gcd(size, slide): a
 * record updates one pane's state for its key, and a window is the merge
 * of its panes when it is written, so a record costs the same whatever
 * size / slide is.  Sessions keep one state per session and merge states
 * when sessions come to overlap.  Every aggregate state is therefore
 * mergeable: counts, sums, extremes, first and last by event time, the
 * mean and squared deviations (Chan's pairwise update), the set of
 * distinct values and the values themselves for exact percentiles.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"
#include "htab.h"
#include "rt.h"
#include "tm.h"

#define MAX_DUR (366LL * 86400000)	/* longest window, gap or lateness */
#define MAX_FIELDS 32			/* group-by fields, aggregated fields */
#define MAX_AGGS 64
#define KEY_DEAD INT64_MIN		/* keyent.last of a key without state */
#define BATCH 64			/* records between looks at the clock */

enum { A_COUNT, A_SUM, A_AVG, A_MIN, A_MAX, A_FIRST, A_LAST, A_DISTINCT,
       A_PCT, A_STDDEV };
static const char *const agg_names[] = {
	"count", "sum", "avg", "min", "max", "first", "last", "distinct", "p",
	"stddev"
};

/* What a field's state must hold. */
enum { N_SUM = 1, N_MIN = 2, N_MAX = 4, N_FIRST = 8, N_LAST = 16,
       N_DIST = 32, N_VALS = 64, N_STD = 128 };

struct agg {
	int kind, pct, field;
	char *name;			/* output field name */
	size_t namelen;
};

struct field {
	char *path;
	unsigned need;
	int numeric;			/* must be a number (all but distinct) */
	int o_sum, o_min, o_max, o_first, o_last, o_mean, o_dist, o_vals;
	double x;			/* the current record's value */
	struct buf dv;			/* its distinct-value bytes */
};

/* A state is an array of nslots slots; slot 0 counts the records. */
union slot {
	double d;
	int64_t i;
	uint64_t u;
	void *p;
};
enum { S_PLAIN, S_SET, S_VEC };	/* what a slot holds, for copies */

struct dvec {
	double *v;
	size_t n, cap;
};

/* A set of byte strings, for distinct counts: open addressing over
 * entries packed in one array (a 4-byte length, then the bytes), so that
 * the many small sets of a window's keys stay small. */
struct vset {
	uint32_t n, mask;
	uint32_t *slot;			/* entry offset + 1; 0 is empty */
	char *p;
	size_t len, cap;
};

/* The states of one pane, one entry per key that has records in it. */
struct pane {
	int64_t start;
	uint32_t n, cap;
	uint32_t *kid;			/* key of each entry */
	union slot *st;			/* nslots per entry */
	unsigned char *dirty;		/* --emit every: changed since written */
	uint32_t *tab;			/* key id -> entry + 1 */
	uint32_t tbits;
};

struct sess {
	int64_t first, last;
	uint64_t serial;
	unsigned char dirty;
	union slot st[];
};

struct keyent {
	int64_t last;			/* newest pane holding the key; KEY_DEAD */
	int64_t cpane;			/* pane of centry, the last one used */
	uint32_t centry;
	uint32_t rank;			/* place in key order */
	uint32_t stamp;
	uint32_t nsess, capsess;
	struct sess **sess;		/* open sessions, by start */
};

struct heapent {
	int64_t end;
	uint64_t serial;
	uint32_t kid;
};

/* A session to write, with what orders it among the others. */
struct closing {
	int64_t start, end;
	uint32_t kid, rank;
	struct sess *s;
};

/* Options. */
static int64_t size_ms;			/* -s: window size */
static int64_t slide_ms;		/* -S: slide (= size: tumbling) */
static int64_t gap_ms;			/* --session: gap; 0 = not sessions */
static int64_t late_ms;			/* -l: allowed lateness */
static int64_t idle_ms;			/* --idle: quiet time before the clock moves */
static int64_t every_ms;		/* --emit every=DUR */
static int64_t ckpt_every_ms = 10000;	/* --checkpoint-every */
static int proc_time;			/* --processing-time */
static enum { EMIT_CLOSE, EMIT_UPDATE, EMIT_EVERY } emit_mode;
static const char *time_field = "ts";	/* -t */
static enum tm_mode time_mode = TM_AUTO;	/* --time-format */
static const char *time_format = "auto";
static const char *late_path;		/* --late */
static const char *ckpt_path;		/* --checkpoint */
static const char *pos_field;		/* --position-field */
static const char *part_field;		/* --partition-field */
static long long max_keys;		/* --max-keys; 0 = no bound */

static char *kf[MAX_FIELDS];		/* -k: group-by paths */
static size_t kflen[MAX_FIELDS];
static int nkf;
static struct agg aggs[MAX_AGGS];	/* -a */
static int naggs;
static struct field fields[MAX_FIELDS];
static int nfields;
static int nslots;
static unsigned char slot_kind[1 + 9 * MAX_FIELDS];

/* Window state. */
static int64_t pane_ms;			/* gcd(size, slide) */
static int64_t wm = INT64_MIN;		/* watermark */
static int64_t max_t = INT64_MIN;	/* largest event time seen */
static int64_t cursor = INT64_MIN;	/* start of the next window to close */
static struct pane *panes;		/* live panes, by start */
static size_t npanes, panes_cap, last_pane;
static struct pane *spare;		/* freed panes, memory kept */
static size_t nspare, spare_cap;

static struct heapent *heap;		/* sessions by end (lazily updated) */
static size_t nheap, heap_cap;
static uint64_t serial;
static struct sess *free_sess;		/* freed sessions (linked by .st[0].p) */

static struct htab keys;		/* key bytes -> struct keyent */
static uint32_t *order;			/* key ids in key order */
static size_t sorted_upto, order_cap;	/* ids below it are in order */
static uint32_t stamp_gen;
static struct htab parts;		/* partition -> int64 greatest position */

/* Scratch, reused across records and windows. */
static struct buf kbuf, scratch, tbuf, ckbuf;
static union slot *mst;			/* a merged state */
static struct dvec *mvec;		/* merged values, per field */
static struct vset *mset;		/* merged distinct sets, per field */
static struct dvec sorted;
static uint64_t *items;
static size_t items_cap;
static uint32_t *byrank;
static size_t byrank_cap;
static struct closing *closing;
static size_t nclosing, closing_cap;
static struct dvec *vec_pool[256];
static struct vset *set_pool[256];
static int nvec_pool, nset_pool;

/* Output and stats. */
static struct out late_out;
static void (*rt_before_block)(void *);
static unsigned long long late, windows, nlive, skipped;
static int warned_max_keys;
static struct ckpt ck;
static char fingerprint[2048];

static struct keyent *ke(uint32_t kid)
{
	return htab_val(&keys, kid);
}

static int key_live(const struct keyent *k)
{
	return gap_ms ? k->nsess > 0 : k->last != KEY_DEAD;
}

/* ---- Values: vectors and sets kept in states ---- */

static struct dvec *vec_new(void)
{
	struct dvec *v = nvec_pool ? vec_pool[--nvec_pool] : rt_xcalloc(1, sizeof *v);

	v->n = 0;
	return v;
}

static void vec_release(struct dvec *v)
{
	if (v == NULL)
		return;
	if (nvec_pool < (int)(sizeof vec_pool / sizeof *vec_pool) &&
	    v->cap <= 4096) {
		vec_pool[nvec_pool++] = v;
		return;
	}
	free(v->v);
	free(v);
}

static void vec_push(struct dvec *v, double x)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->v = rt_xrealloc(v->v, v->cap * sizeof *v->v);
	}
	v->v[v->n++] = x;
}

static uint32_t entry_len(const struct vset *v, size_t off)
{
	uint32_t n;

	memcpy(&n, v->p + off, 4);
	return n;
}

/* The slot that holds k, or the empty slot where it belongs. */
static uint32_t vset_slot(const struct vset *v, const char *k, uint32_t n,
                          uint32_t h)
{
	uint32_t i = h & v->mask, e;

	while ((e = v->slot[i]) != 0) {
		if (entry_len(v, e - 1) == n && memcmp(v->p + e + 3, k, n) == 0)
			return i;
		i = (i + 1) & v->mask;
	}
	return i;
}

static void vset_rehash(struct vset *v, uint32_t slots)
{
	size_t off;

	free(v->slot);
	v->slot = rt_xcalloc(slots, sizeof *v->slot);
	v->mask = slots - 1;
	for (off = 0; off < v->len; off += 4 + entry_len(v, off)) {
		uint32_t n = entry_len(v, off), h = (uint32_t)htab_hash(v->p + off + 4, n);

		v->slot[vset_slot(v, v->p + off + 4, n, h)] = (uint32_t)off + 1;
	}
}

static void set_add(struct vset *v, const char *k, size_t len)
{
	uint32_t n = (uint32_t)len, h = (uint32_t)htab_hash(k, len), i;

	if (v->slot == NULL)
		vset_rehash(v, 4);
	i = vset_slot(v, k, n, h);
	if (v->slot[i] != 0)
		return;
	if (v->cap - v->len < 4 + len) {
		while (v->cap - v->len < 4 + len)
			v->cap = v->cap ? v->cap * 2 : 32;
		v->p = rt_xrealloc(v->p, v->cap);
	}
	memcpy(v->p + v->len, &n, 4);
	memcpy(v->p + v->len + 4, k, len);
	v->slot[i] = (uint32_t)v->len + 1;
	v->len += 4 + len;
	if (++v->n * 2 > v->mask + 1)
		vset_rehash(v, (v->mask + 1) * 2);
}

static void set_clear(struct vset *v)
{
	if (v->slot != NULL)
		memset(v->slot, 0, (v->mask + 1) * sizeof *v->slot);
	v->n = 0;
	v->len = 0;
}

static void set_free(struct vset *v)
{
	free(v->slot);
	free(v->p);
	memset(v, 0, sizeof *v);
}

static struct vset *set_new(void)
{
	if (nset_pool > 0)
		return set_pool[--nset_pool];
	return rt_xcalloc(1, sizeof(struct vset));
}

static void set_release(struct vset *v)
{
	if (v == NULL)
		return;
	if (nset_pool < (int)(sizeof set_pool / sizeof *set_pool) &&
	    v->cap <= 4096) {
		set_clear(v);
		set_pool[nset_pool++] = v;
		return;
	}
	set_free(v);
	free(v);
}

/* ---- Aggregate states ---- */

/* Adds the current record's values (in fields[].x, .dv) at time t. */
static void state_add(union slot *st, int64_t t)
{
	uint64_t n = ++st[0].u;
	int i;

	for (i = 0; i < nfields; i++) {
		const struct field *f = &fields[i];
		double x = f->x;

		if (f->o_sum >= 0)
			st[f->o_sum].d += x;
		if (f->o_min >= 0 && (n == 1 || x < st[f->o_min].d))
			st[f->o_min].d = x;
		if (f->o_max >= 0 && (n == 1 || x > st[f->o_max].d))
			st[f->o_max].d = x;
		if (f->o_first >= 0 && (n == 1 || t < st[f->o_first + 1].i)) {
			st[f->o_first].d = x;
			st[f->o_first + 1].i = t;
		}
		if (f->o_last >= 0 && (n == 1 || t >= st[f->o_last + 1].i)) {
			st[f->o_last].d = x;
			st[f->o_last + 1].i = t;
		}
		if (f->o_mean >= 0) {
			double d = x - st[f->o_mean].d;

			st[f->o_mean].d += d / (double)n;
			st[f->o_mean + 1].d += d * (x - st[f->o_mean].d);
		}
		if (f->o_dist >= 0) {
			if (st[f->o_dist].p == NULL)
				st[f->o_dist].p = set_new();
			set_add(st[f->o_dist].p, f->dv.p, f->dv.len);
		}
		if (f->o_vals >= 0) {
			if (st[f->o_vals].p == NULL)
				st[f->o_vals].p = vec_new();
			vec_push(st[f->o_vals].p, x);
		}
	}
}

static void merge_set(union slot *d, const struct vset *src)
{
	size_t off;

	if (src == NULL)
		return;
	if (d->p == NULL)
		d->p = set_new();
	for (off = 0; off < src->len; off += 4 + entry_len(src, off))
		set_add(d->p, src->p + off + 4, entry_len(src, off));
}

static void merge_vec(union slot *d, const struct dvec *src)
{
	struct dvec *v;

	if (src == NULL)
		return;
	if (d->p == NULL)
		d->p = vec_new();
	v = d->p;
	if (v->cap - v->n < src->n) {
		v->cap = v->n + src->n + 8;
		v->v = rt_xrealloc(v->v, v->cap * sizeof *v->v);
	}
	memcpy(v->v + v->n, src->v, src->n * sizeof *v->v);
	v->n += src->n;
}

static void vec_copy(struct dvec *d, const struct dvec *src)
{
	if (d->cap < src->n) {
		d->cap = src->n;
		d->v = rt_xrealloc(d->v, d->cap * sizeof *d->v);
	}
	memcpy(d->v, src->v, src->n * sizeof *d->v);
	d->n = src->n;
}

/* Merges src into dst; the records of src may come before or after. */
static void state_merge(union slot *dst, const union slot *src)
{
	uint64_t na = dst[0].u, nb = src[0].u, n = na + nb;
	int i;

	if (nb == 0)
		return;
	for (i = 0; i < nfields; i++) {
		const struct field *f = &fields[i];
		int o;

		if ((o = f->o_sum) >= 0)
			dst[o].d += src[o].d;
		if ((o = f->o_min) >= 0 && (na == 0 || src[o].d < dst[o].d))
			dst[o].d = src[o].d;
		if ((o = f->o_max) >= 0 && (na == 0 || src[o].d > dst[o].d))
			dst[o].d = src[o].d;
		if ((o = f->o_first) >= 0 &&
		    (na == 0 || src[o + 1].i < dst[o + 1].i))
			dst[o] = src[o], dst[o + 1] = src[o + 1];
		if ((o = f->o_last) >= 0 &&
		    (na == 0 || src[o + 1].i >= dst[o + 1].i))
			dst[o] = src[o], dst[o + 1] = src[o + 1];
		if ((o = f->o_mean) >= 0) {
			double d = src[o].d - dst[o].d;

			if (na == 0) {
				dst[o] = src[o], dst[o + 1] = src[o + 1];
			} else {
				dst[o].d += d * ((double)nb / (double)n);
				dst[o + 1].d += src[o + 1].d +
				    d * d * ((double)na * (double)nb / (double)n);
			}
		}
		if ((o = f->o_dist) >= 0)
			merge_set(&dst[o], src[o].p);
		if ((o = f->o_vals) >= 0)
			merge_vec(&dst[o], src[o].p);
	}
	dst[0].u = n;
}

/* Releases what a state points to and zeroes it. */
static void state_clear(union slot *st)
{
	int i;

	for (i = 0; i < nslots; i++) {
		if (slot_kind[i] == S_SET)
			set_release(st[i].p);
		else if (slot_kind[i] == S_VEC)
			vec_release(st[i].p);
		st[i].u = 0;
	}
}

/* Points the merged state's value slots at cleared scratch holders. */
static void merged_reset(void)
{
	int i;

	memset(mst, 0, (size_t)nslots * sizeof *mst);
	for (i = 0; i < nfields; i++) {
		if (fields[i].o_vals >= 0) {
			mvec[i].n = 0;
			mst[fields[i].o_vals].p = &mvec[i];
		}
		if (fields[i].o_dist >= 0) {
			set_clear(&mset[i]);
			mst[fields[i].o_dist].p = &mset[i];
		}
	}
}

/* ---- Output ---- */

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest value with at least pct% of them at or below. */
static double percentile(const struct dvec *v, int pct)
{
	uint64_t r = ((uint64_t)pct * v->n + 99) / 100;

	return v->v[r > 0 ? r - 1 : 0];
}

static void put_name(const char *name, size_t len)
{
	out_putc(&rt.out, ',');
	out_json_str(&rt.out, name, len);
	out_putc(&rt.out, ':');
}

static void emit_aggs(const union slot *st)
{
	int sorted_field = -1, i;
	uint64_t n = st[0].u;

	for (i = 0; i < naggs; i++) {
		const struct agg *a = &aggs[i];
		const struct field *f = a->field >= 0 ? &fields[a->field] : NULL;

		put_name(a->name, a->namelen);
		switch (a->kind) {
		case A_COUNT:
			out_json_int(&rt.out, (long long)n);
			break;
		case A_SUM:
			out_json_num(&rt.out, st[f->o_sum].d);
			break;
		case A_AVG:
			out_json_num(&rt.out, st[f->o_sum].d / (double)n);
			break;
		case A_MIN:
			out_json_num(&rt.out, st[f->o_min].d);
			break;
		case A_MAX:
			out_json_num(&rt.out, st[f->o_max].d);
			break;
		case A_FIRST:
			out_json_num(&rt.out, st[f->o_first].d);
			break;
		case A_LAST:
			out_json_num(&rt.out, st[f->o_last].d);
			break;
		case A_DISTINCT:
			out_json_int(&rt.out, (long long)
			             ((const struct vset *)st[f->o_dist].p)->n);
			break;
		case A_PCT:
			if (sorted_field != a->field) {
				const struct dvec *v = st[f->o_vals].p;

				vec_copy(&sorted, v);
				qsort(sorted.v, sorted.n, sizeof *sorted.v, dbl_cmp);
				sorted_field = a->field;
			}
			out_json_num(&rt.out, percentile(&sorted, a->pct));
			break;
		case A_STDDEV:
			if (n < 2)
				out_lit(&rt.out, "null");
			else
				out_json_num(&rt.out, sqrt(st[f->o_mean + 1].d /
				                           (double)(n - 1)));
			break;
		}
	}
	out_putc(&rt.out, '}');
	rt_emit_end();
}

/* Writes one result: the window, the key's fields, the aggregates. */
static void emit(int64_t start, int64_t end, uint32_t kid, const union slot *st)
{
	size_t len, i = 0;
	const char *k = htab_key(&keys, kid, &len), *e = k + len;
	int j;

	out_lit(&rt.out, "{\"window_start\":");
	out_json_time(&rt.out, start);
	out_lit(&rt.out, ",\"window_end\":");
	out_json_time(&rt.out, end);
	for (j = 0; j < nkf; j++) {
		const char *p = k + i, *nl = memchr(p, '\n', (size_t)(e - p));

		if (nl == NULL)
			nl = e;
		put_name(kf[j], kflen[j]);
		out_write(&rt.out, p, (size_t)(nl - p));
		i = (size_t)(nl - k) + 1;
	}
	emit_aggs(st);
}

/* ---- Keys and their order ---- */

/* Compares two keys field by field, each by its JSON text bytewise. */
static int key_cmp_ids(uint32_t a, uint32_t b)
{
	size_t la, lb, i = 0, j = 0;
	const char *x = htab_key(&keys, a, &la), *y = htab_key(&keys, b, &lb);

	for (;;) {
		const char *p = memchr(x + i, '\n', la - i);
		const char *q = memchr(y + j, '\n', lb - j);
		size_t n = (p ? (size_t)(p - x) : la) - i;
		size_t m = (q ? (size_t)(q - y) : lb) - j;
		int c = memcmp(x + i, y + j, n < m ? n : m);

		if (c != 0)
			return c;
		if (n != m)
			return n < m ? -1 : 1;
		if (p == NULL || q == NULL)
			return (p != NULL) - (q != NULL);
		i += n + 1;
		j += m + 1;
	}
}

static int key_qcmp(const void *a, const void *b)
{
	return key_cmp_ids(*(const uint32_t *)a, *(const uint32_t *)b);
}

/* Brings the key order up to date: new keys are sorted and merged in. */
static void update_order(void)
{
	size_t n = keys.n, old = sorted_upto, i, a, b, o;
	uint32_t *merged;

	if (old == n)
		return;
	if (order_cap < n) {
		order_cap = n * 2;
		order = rt_xrealloc(order, order_cap * sizeof *order);
	}
	for (i = old; i < n; i++)
		order[i] = (uint32_t)i;
	qsort(order + old, n - old, sizeof *order, key_qcmp);
	merged = rt_xrealloc(NULL, n * sizeof *merged);
	for (a = 0, b = old, o = 0; a < old || b < n;)
		if (b == n || (a < old && key_cmp_ids(order[a], order[b]) < 0))
			merged[o++] = order[a++];
		else
			merged[o++] = order[b++];
	memcpy(order, merged, n * sizeof *order);
	free(merged);
	for (i = 0; i < n; i++)
		ke(order[i])->rank = (uint32_t)i;
	sorted_upto = n;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void items_reserve(size_t n)
{
	if (items_cap < n) {
		items_cap = n * 2;
		items = rt_xrealloc(items, items_cap * sizeof *items);
	}
}

/*
 * Sorts items[0..n) (rank << 32 | payload) by rank.  When the items are
 * many of all the keys, a pass over a rank-indexed array is faster than a
 * comparison sort.
 */
static void sort_items(size_t n)
{
	size_t i, o = 0, nk = keys.n;

	if (n < 64 || n * 8 < nk) {
		qsort(items, n, sizeof *items, u64_cmp);
		return;
	}
	if (byrank_cap < nk) {
		free(byrank);
		byrank_cap = nk * 2;
		byrank = rt_xcalloc(byrank_cap, sizeof *byrank);
	}
	for (i = 0; i < n; i++)
		byrank[items[i] >> 32] = (uint32_t)items[i] + 1;
	for (i = 0; i < nk; i++)
		if (byrank[i] != 0) {
			items[o++] = (uint64_t)i << 32 | (byrank[i] - 1);
			byrank[i] = 0;
		}
}

/* ---- Panes ---- */

static uint32_t hash_kid(uint32_t kid, uint32_t bits)
{
	return (uint32_t)(kid * 2654435761u) >> (32 - bits);
}

static void pane_rehash(struct pane *p, uint32_t bits)
{
	uint32_t i, mask = (1u << bits) - 1;

	free(p->tab);
	p->tab = rt_xcalloc((size_t)1 << bits, sizeof *p->tab);
	p->tbits = bits;
	for (i = 0; i < p->n; i++) {
		uint32_t h = hash_kid(p->kid[i], bits);

		while (p->tab[h] != 0)
			h = (h + 1) & mask;
		p->tab[h] = i + 1;
	}
}

/* The entry of kid in p, or -1. */
static long pane_find(const struct pane *p, uint32_t kid)
{
	uint32_t mask = (1u << p->tbits) - 1, h = hash_kid(kid, p->tbits), e;

	while ((e = p->tab[h]) != 0) {
		if (p->kid[e - 1] == kid)
			return (long)e - 1;
		h = (h + 1) & mask;
	}
	return -1;
}

/* The entry of kid in p, made (zeroed) if missing. */
static uint32_t pane_entry(struct pane *p, uint32_t kid, int *created)
{
	long j = pane_find(p, kid);
	uint32_t h, mask;

	*created = j < 0;
	if (j >= 0)
		return (uint32_t)j;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->kid = rt_xrealloc(p->kid, p->cap * sizeof *p->kid);
		p->st = rt_xrealloc(p->st, p->cap * (size_t)nslots * sizeof *p->st);
		if (emit_mode == EMIT_EVERY)
			p->dirty = rt_xrealloc(p->dirty, p->cap);
	}
	if ((size_t)(p->n + 1) * 2 > (size_t)1 << p->tbits)
		pane_rehash(p, p->tbits + 1);
	mask = (1u << p->tbits) - 1;
	h = hash_kid(kid, p->tbits);
	while (p->tab[h] != 0)
		h = (h + 1) & mask;
	p->tab[h] = p->n + 1;
	p->kid[p->n] = kid;
	memset(&p->st[(size_t)p->n * nslots], 0, (size_t)nslots * sizeof *p->st);
	if (p->dirty)
		p->dirty[p->n] = 0;
	return p->n++;
}

static union slot *pane_state(const struct pane *p, uint32_t j)
{
	return &p->st[(size_t)j * nslots];
}

/* The pane that starts at start, made if missing. */
static struct pane *pane_at(int64_t start)
{
	size_t lo = 0, hi = npanes;

	if (last_pane < npanes && panes[last_pane].start == start)
		return &panes[last_pane];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (panes[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	last_pane = lo;
	if (lo < npanes && panes[lo].start == start)
		return &panes[lo];
	if (npanes == panes_cap) {
		panes_cap = panes_cap ? panes_cap * 2 : 16;
		panes = rt_xrealloc(panes, panes_cap * sizeof *panes);
	}
	memmove(&panes[lo + 1], &panes[lo], (npanes - lo) * sizeof *panes);
	npanes++;
	if (nspare > 0) {
		panes[lo] = spare[--nspare];
	} else {
		memset(&panes[lo], 0, sizeof *panes);
		pane_rehash(&panes[lo], 4);
	}
	panes[lo].start = start;
	return &panes[lo];
}

/* Forgets a pane's states, keeping its memory for the next pane. */
static void pane_release(struct pane *p)
{
	uint32_t j;

	for (j = 0; j < p->n; j++) {
		struct keyent *k = ke(p->kid[j]);

		if (k->last == p->start) {
			k->last = KEY_DEAD;
			nlive--;
		}
		if (k->cpane == p->start)
			k->cpane = INT64_MIN;
		state_clear(pane_state(p, j));
	}
	if (p->n > 4096) {
		free(p->kid), free(p->st), free(p->dirty), free(p->tab);
		return;
	}
	p->n = 0;
	memset(p->tab, 0, ((size_t)1 << p->tbits) * sizeof *p->tab);
	if (nspare == spare_cap) {
		spare_cap = spare_cap ? spare_cap * 2 : 8;
		spare = rt_xrealloc(spare, spare_cap * sizeof *spare);
	}
	spare[nspare++] = *p;
}

/* Frees the panes that start before t. */
static void drop_panes(int64_t t)
{
	size_t i;

	for (i = 0; i < npanes && panes[i].start < t; i++)
		pane_release(&panes[i]);
	memmove(panes, panes + i, (npanes - i) * sizeof *panes);
	npanes -= i;
	last_pane = 0;
}

/* The first window that holds pane start ps. */
static int64_t first_window(int64_t ps)
{
	return tm_floor(ps - size_ms, slide_ms) + slide_ms;
}

/* Index of the first pane at or after t. */
static size_t pane_index(int64_t t)
{
	size_t lo = 0, hi = npanes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (panes[mid].start < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The state of key kid over [s, s + size): a pane's own, or merged. */
static const union slot *window_state(size_t lo, size_t hi, uint32_t kid)
{
	size_t i;
	long j;

	if (hi - lo == 1) {
		j = pane_find(&panes[lo], kid);
		return j < 0 ? NULL : pane_state(&panes[lo], (uint32_t)j);
	}
	merged_reset();
	for (i = lo; i < hi; i++)
		if ((j = pane_find(&panes[i], kid)) >= 0)
			state_merge(mst, pane_state(&panes[i], (uint32_t)j));
	return mst[0].u ? mst : NULL;
}

/*
 * Writes window [s, s + size) for the keys chosen: all of them, or with
 * only_dirty those with a change not yet written.
 */
static void emit_window(int64_t s, int only_dirty)
{
	size_t lo = pane_index(s), hi = pane_index(s + size_ms), i, n = 0;
	uint32_t j;

	update_order();
	stamp_gen++;
	for (i = lo; i < hi; i++) {
		const struct pane *p = &panes[i];

		items_reserve(n + p->n);
		for (j = 0; j < p->n; j++) {
			struct keyent *k = ke(p->kid[j]);

			if (k->stamp == stamp_gen ||
			    (only_dirty && !p->dirty[j]))
				continue;
			k->stamp = stamp_gen;
			items[n++] = (uint64_t)k->rank << 32 | p->kid[j];
		}
	}
	sort_items(n);
	for (i = 0; i < n; i++) {
		uint32_t kid = (uint32_t)items[i];
		const union slot *st = window_state(lo, hi, kid);

		if (st != NULL)
			emit(s, s + size_ms, kid, st);
	}
}

/* Closes every window that ends at or before w, oldest first. */
static void close_panes(int64_t w)
{
	while (npanes > 0) {
		int64_t s = first_window(panes[0].start);

		if (s < cursor)
			s = cursor;
		if (s > w - size_ms)
			break;
		cursor = s;
		if (emit_mode != EMIT_UPDATE)
			emit_window(s, 0);
		windows++;
		cursor = s + slide_ms;
		drop_panes(cursor);
	}
	/* Windows that ended without data are closed all the same. */
	if (first_window(w) > cursor)
		cursor = first_window(w);
}

/* --emit update: writes the open windows that a record of kid changed. */
static void update_panes(int64_t t, uint32_t kid)
{
	int64_t s = first_window(tm_floor(t, pane_ms));

	if (s < cursor)
		s = cursor;
	for (; s <= tm_floor(t, slide_ms); s += slide_ms) {
		const union slot *st;

		if (s + size_ms <= wm)
			continue;
		st = window_state(pane_index(s), pane_index(s + size_ms), kid);
		if (st != NULL)
			emit(s, s + size_ms, kid, st);
	}
}

/* --emit every: writes what changed in the open windows since last time. */
static void tick_panes(void)
{
	int64_t s, last;
	size_t i;

	if (npanes == 0)
		return;
	s = first_window(panes[0].start);
	if (s < cursor)
		s = cursor;
	last = tm_floor(panes[npanes - 1].start, slide_ms);
	for (; s <= last; s += slide_ms)
		emit_window(s, 1);
	for (i = 0; i < npanes; i++)
		memset(panes[i].dirty, 0, panes[i].n);
}

/* ---- Sessions ---- */

static void heap_push(int64_t end, uint32_t kid, uint64_t ser)
{
	size_t i;

	if (nheap == heap_cap) {
		heap_cap = heap_cap ? heap_cap * 2 : 64;
		heap = rt_xrealloc(heap, heap_cap * sizeof *heap);
	}
	for (i = nheap++; i > 0 && heap[(i - 1) / 2].end > end; i = (i - 1) / 2)
		heap[i] = heap[(i - 1) / 2];
	heap[i] = (struct heapent){ end, ser, kid };
}

static struct heapent heap_pop(void)
{
	struct heapent top = heap[0], x = heap[--nheap];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < nheap) {
		if (c + 1 < nheap && heap[c + 1].end < heap[c].end)
			c++;
		if (heap[c].end >= x.end)
			break;
		heap[i] = heap[c];
		i = c;
	}
	if (nheap > 0)
		heap[i] = x;
	return top;
}

static struct sess *sess_new(int64_t t)
{
	struct sess *s = free_sess;

	if (s != NULL)
		free_sess = s->st[0].p;
	else
		s = rt_xrealloc(NULL, sizeof *s + (size_t)nslots * sizeof(union slot));
	memset(s->st, 0, (size_t)nslots * sizeof(union slot));
	s->first = s->last = t;
	s->serial = ++serial;
	s->dirty = 0;
	return s;
}

static void sess_free(struct sess *s)
{
	state_clear(s->st);
	s->st[0].p = free_sess;
	free_sess = s;
}

/* Removes key k's sessions [i, j) from its list. */
static void sess_cut(struct keyent *k, uint32_t i, uint32_t j)
{
	memmove(&k->sess[i], &k->sess[j], (k->nsess - j) * sizeof *k->sess);
	k->nsess -= j - i;
}

static void sess_insert(uint32_t kid, uint32_t i, struct sess *s)
{
	struct keyent *k = ke(kid);

	if (k->nsess == k->capsess) {
		k->capsess = k->capsess ? k->capsess * 2 : 2;
		k->sess = rt_xrealloc(k->sess, k->capsess * sizeof *k->sess);
	}
	memmove(&k->sess[i + 1], &k->sess[i], (k->nsess - i) * sizeof *k->sess);
	k->sess[i] = s;
	if (k->nsess++ == 0)
		nlive++;
	heap_push(s->last + gap_ms, kid, s->serial);
}

/*
 * Puts a record at t into its key's session: [t, t + gap) joins every
 * open session it overlaps, which merge.  Returns the session, or NULL
 * when the record is late (it joins none, and its own would be closed).
 */
static struct sess *session_add(uint32_t kid, int64_t t)
{
	struct keyent *k = ke(kid);
	uint32_t i = 0, j, m;
	struct sess *s;

	while (i < k->nsess && k->sess[i]->last + gap_ms <= t)
		i++;
	for (j = i; j < k->nsess && k->sess[j]->first < t + gap_ms; j++)
		;
	if (i == j) {
		if (t + gap_ms <= wm)
			return NULL;
		s = sess_new(t);
		sess_insert(kid, i, s);
		return s;
	}
	s = k->sess[i];
	if (t < s->first)
		s->first = t;
	if (t > s->last)
		s->last = t;
	for (m = i + 1; m < j; m++) {
		struct sess *o = k->sess[m];

		state_merge(s->st, o->st);
		if (o->last > s->last)
			s->last = o->last;
		sess_free(o);
	}
	sess_cut(k, i + 1, j);
	return s;
}

static int closing_cmp(const void *a, const void *b)
{
	const struct closing *x = a, *y = b;

	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return (x->start > y->start) - (x->start < y->start);
}

static void closing_add(uint32_t kid, struct sess *s)
{
	if (nclosing == closing_cap) {
		closing_cap = closing_cap ? closing_cap * 2 : 64;
		closing = rt_xrealloc(closing, closing_cap * sizeof *closing);
	}
	closing[nclosing++] = (struct closing){ s->first, s->last + gap_ms,
	                                        kid, 0, s };
}

static void sort_closing(void)
{
	size_t i;

	update_order();
	for (i = 0; i < nclosing; i++)
		closing[i].rank = ke(closing[i].kid)->rank;
	qsort(closing, nclosing, sizeof *closing, closing_cmp);
}

static long sess_find(const struct keyent *k, uint64_t ser)
{
	uint32_t i;

	for (i = 0; i < k->nsess; i++)
		if (k->sess[i]->serial == ser)
			return i;
	return -1;
}

/* Closes every session that ends at or before w. */
static void close_sessions(int64_t w)
{
	size_t i;

	nclosing = 0;
	while (nheap > 0 && heap[0].end <= w) {
		struct heapent e = heap_pop();
		struct keyent *k = ke(e.kid);
		long at = sess_find(k, e.serial);
		struct sess *s;

		if (at < 0)
			continue;
		s = k->sess[at];
		if (s->last + gap_ms <= w)
			closing_add(e.kid, s);
		else
			heap_push(s->last + gap_ms, e.kid, e.serial);
	}
	if (nclosing == 0)
		return;
	sort_closing();
	for (i = 0; i < nclosing; i++) {
		struct closing *c = &closing[i];
		struct keyent *k = ke(c->kid);
		long at = sess_find(k, c->s->serial);

		if (emit_mode != EMIT_UPDATE)
			emit(c->start, c->end, c->kid, c->s->st);
		windows++;
		sess_cut(k, (uint32_t)at, (uint32_t)at + 1);
		if (k->nsess == 0)
			nlive--;
		sess_free(c->s);
	}
}

/* --emit every: writes the sessions changed since last time. */
static void tick_sessions(void)
{
	size_t i;
	uint32_t kid, j;

	nclosing = 0;
	for (kid = 0; kid < keys.n; kid++) {
		struct keyent *k = ke(kid);

		for (j = 0; j < k->nsess; j++)
			if (k->sess[j]->dirty) {
				k->sess[j]->dirty = 0;
				closing_add(kid, k->sess[j]);
			}
	}
	sort_closing();
	for (i = 0; i < nclosing; i++)
		emit(closing[i].start, closing[i].end, closing[i].kid,
		     closing[i].s->st);
}

/* ---- The watermark ---- */

static void close_windows(int64_t w)
{
	if (gap_ms)
		close_sessions(w);
	else
		close_panes(w);
}

/* Rebuilds the key table without the keys that hold no state, numbering
 * the survivors in key order. */
static void compact_keys(void)
{
	struct htab nk;
	uint32_t *map, i, r, n = 0;
	size_t len, j, nh = nheap;
	struct heapent *old;

	update_order();
	map = rt_xrealloc(NULL, keys.n * sizeof *map);
	htab_init(&nk, sizeof(struct keyent));
	for (r = 0; r < keys.n; r++) {
		uint32_t id = order[r];
		struct keyent *e = ke(id), *ne;
		const char *k = htab_key(&keys, id, &len);

		map[id] = UINT32_MAX;
		if (!key_live(e)) {
			free(e->sess);
			continue;
		}
		if ((ne = htab_put(&nk, k, len, NULL)) == NULL)
			rt_oom();
		*ne = *e;
		ne->cpane = INT64_MIN;
		ne->rank = n;
		order[n] = n;
		map[id] = n++;
	}
	htab_free(&keys);
	keys = nk;
	sorted_upto = n;
	for (i = 0; i < npanes; i++) {
		for (r = 0; r < panes[i].n; r++)
			panes[i].kid[r] = map[panes[i].kid[r]];
		pane_rehash(&panes[i], panes[i].tbits);
	}
	if (nh > 0) {
		old = rt_xrealloc(NULL, nh * sizeof *old);
		memcpy(old, heap, nh * sizeof *old);
		nheap = 0;
		for (j = 0; j < nh; j++)
			if (map[old[j].kid] != UINT32_MAX)
				heap_push(old[j].end, map[old[j].kid],
				          old[j].serial);
		free(old);
	}
	free(map);
}

static void advance(int64_t w)
{
	if (w <= wm)
		return;
	wm = w;
	close_windows(wm);
	if (keys.n - nlive > 4096 && keys.n - nlive > nlive)
		compact_keys();
}

/* The earliest end of an open window (a session's may be later). */
static int64_t next_end(void)
{
	int64_t s;

	if (gap_ms)
		return nheap > 0 ? heap[0].end : INT64_MAX;
	if (npanes == 0)
		return INT64_MAX;
	s = first_window(panes[0].start);
	return (s < cursor ? cursor : s) + size_ms;
}

/* ---- Records ---- */

static long hex4(const char *p)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v |= (c | 0x20) - 'a' + 10;
		else
			return -1;
	}
	return v;
}

/* Length of the escape at v[i] (a JSON string's), and whether it is an
 * escaped lone surrogate. */
static size_t escape_len(const char *v, size_t i, size_t n, int *lone)
{
	long c, lo;

	*lone = 0;
	if (v[i + 1] != 'u' || i + 6 > n)
		return 2;
	c = hex4(v + i + 2);
	if (c < 0xd800 || c > 0xdfff)
		return 6;
	if (c <= 0xdbff && i + 12 <= n && v[i + 6] == '\\' && v[i + 7] == 'u' &&
	    (lo = hex4(v + i + 8)) >= 0xdc00 && lo <= 0xdfff)
		return 12;
	*lone = 1;
	return 6;
}

/* Appends a scanned JSON value to b, repaired as the output writer would
 * repair it (invalid UTF-8, escaped lone surrogates), so that keys that
 * print alike group alike. */
static void canon_json(const char *v, size_t n, unsigned vflags, struct buf *b)
{
	size_t i = 0, len;
	int lone;

	if (vflags & JSON_8BIT && utf8_valid_prefix(v, n) != n) {
		int r;

		tbuf.len = 0;
		if ((r = utf8_repair(v, n, &tbuf)) < 0)
			rt_oom();
		rt.out.repaired += (unsigned)r;
		v = tbuf.p;
		n = tbuf.len;
	}
	if (!(vflags & JSON_ESC)) {
		if (buf_add(b, v, n) < 0)
			rt_oom();
		return;
	}
	for (; i < n; i += len) {
		len = 1, lone = 0;
		if (v[i] == '\\' && i + 1 < n)
			len = escape_len(v, i, n, &lone);
		if (lone)
			rt.out.repaired++;
		if (buf_add(b, lone ? "\\ufffd" : v + i, lone ? 6 : len) < 0)
			rt_oom();
	}
}

/* The bytes that tell one distinct value from another: numbers by value,
 * strings by their text, anything else by its JSON text. */
static void distinct_bytes(struct field *f, const struct json_member *m)
{
	double x = f->x;

	f->dv.len = 0;
	if (m->type == JSON_NUMBER && (f->numeric || json_number(m->val, m->vlen, &x) == 0)) {
		if (x == 0)
			x = 0;		/* -0 is 0 */
		if (buf_addc(&f->dv, 'n') < 0 || buf_add(&f->dv, &x, sizeof x) < 0)
			rt_oom();
	} else if (m->type == JSON_STRING) {
		if (buf_addc(&f->dv, 's') < 0)
			rt_oom();
		if (m->vflags & JSON_ESC ? json_unescape(m->val, m->vlen, &f->dv) < 0 :
		    buf_add(&f->dv, m->val + 1, m->vlen - 2) < 0)
			rt_oom();
	} else if (buf_addc(&f->dv, 'j') < 0 || buf_add(&f->dv, m->val, m->vlen) < 0) {
		rt_oom();
	}
}

/* Reads the aggregated fields of a record into fields[]; returns the
 * index of one that is missing or not a number, or -1 when all are good. */
static int read_fields(const struct rt_record *rec)
{
	struct json_member m;
	int i;

	for (i = 0; i < nfields; i++) {
		struct field *f = &fields[i];

		if (!json_get(&rec->obj, f->path, &m))
			return i;
		if (f->numeric && (m.type != JSON_NUMBER ||
		                   json_number(m.val, m.vlen, &f->x) < 0))
			return i;
		if (f->o_dist >= 0)
			distinct_bytes(f, &m);
	}
	return -1;
}

/* The group-by key of a record: each field's JSON text (null when it is
 * missing), joined by newlines, which JSON text on one line cannot hold. */
static void make_key(const struct rt_record *rec, const char **k, size_t *len)
{
	struct json_member m;
	int j;

	if (nkf == 0) {
		/* One key for all. */
		*k = "", *len = 0;
		return;
	}
	if (nkf == 1) {
		if (!json_get(&rec->obj, kf[0], &m)) {
			*k = "null", *len = 4;
			return;
		}
		if (m.vflags == 0) {
			*k = m.val, *len = m.vlen;
			return;
		}
	}
	kbuf.len = 0;
	for (j = 0; j < nkf; j++) {
		if (j > 0 && buf_addc(&kbuf, '\n') < 0)
			rt_oom();
		if (!json_get(&rec->obj, kf[j], &m)) {
			if (buf_add(&kbuf, "null", 4) < 0)
				rt_oom();
		} else {
			canon_json(m.val, m.vlen, m.vflags, &kbuf);
		}
	}
	*k = kbuf.p;
	*len = kbuf.len;
}

static uint32_t key_index(const void *val)
{
	return (uint32_t)(((const char *)val - keys.vals) / keys.vsize);
}

/* The id of a key, made when new; -1 when --max-keys allows no new key. */
static long key_id(const char *k, size_t len)
{
	struct keyent *e;
	int created;

	if (max_keys && nlive >= (unsigned long long)max_keys) {
		e = htab_get(&keys, k, len);
		return e != NULL && key_live(e) ? (long)key_index(e) : -1;
	}
	if ((e = htab_put(&keys, k, len, &created)) == NULL)
		rt_oom();
	if (created) {
		e->last = KEY_DEAD;
		e->cpane = INT64_MIN;
	}
	return (long)key_index(e);
}

static void late_flush(void)
{
	if (late_out.fd >= 0 && out_flush(&late_out) < 0)
		rt_die(1, "cannot write '%s': %s", late_path,
		       strerror(late_out.err));
}

static void late_record(const struct rt_record *rec)
{
	late++;
	if (late_out.fd < 0)
		return;
	out_write(&late_out, rec->line.ptr, rec->line.len);
	out_putc(&late_out, '\n');
	if (late_out.len >= OUT_FLUSH_AT)
		late_flush();
}

static void drop_record(void)
{
	rt.dropped++;
	if (!warned_max_keys++)
		rt_warn("--max-keys %lld reached: dropping the records of new keys",
		        max_keys);
}

static void add_to_pane(const struct rt_record *rec, int64_t t,
                        const char *k, size_t klen)
{
	int64_t ps = tm_floor(t, pane_ms);
	struct keyent *e;
	struct pane *p;
	long kid;
	uint32_t j;
	int created;

	if (tm_floor(t, slide_ms) + size_ms <= wm) {
		late_record(rec);
		return;
	}
	if ((kid = key_id(k, klen)) < 0) {
		drop_record();
		return;
	}
	e = ke((uint32_t)kid);
	p = pane_at(ps);
	if (e->cpane == ps) {
		j = e->centry;
	} else {
		j = pane_entry(p, (uint32_t)kid, &created);
		e->cpane = ps;
		e->centry = j;
		if (e->last == KEY_DEAD)
			nlive++;
		if (ps > e->last)
			e->last = ps;
	}
	state_add(pane_state(p, j), t);
	if (p->dirty != NULL)
		p->dirty[j] = 1;
	if (emit_mode == EMIT_UPDATE)
		update_panes(t, (uint32_t)kid);
}

static void add_to_session(const struct rt_record *rec, int64_t t,
                           const char *k, size_t klen)
{
	long kid = key_id(k, klen);
	struct sess *s;

	if (kid < 0) {
		drop_record();
		return;
	}
	if ((s = session_add((uint32_t)kid, t)) == NULL) {
		late_record(rec);
		return;
	}
	state_add(s->st, t);
	s->dirty = 1;
	if (emit_mode == EMIT_UPDATE)
		emit(s->first, s->last + gap_ms, (uint32_t)kid, s->st);
}

/* An integer position, without the rounding of a double. */
static int integer(const char *s, size_t n, int64_t *v)
{
	size_t i = *s == '-';
	uint64_t u = 0, lim = (uint64_t)INT64_MAX + (i ? 1 : 0);

	if (i == n)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || u > (lim - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		u = u * 10 + (uint64_t)(s[i] - '0');
	}
	*v = *s == '-' ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

/* 1: a new position, to process; 0: at or below the greatest position
 * seen in its partition, already counted; -1: no usable position. */
static int position(const struct rt_record *rec)
{
	struct json_member m;
	const char *p = "";
	size_t len = 0;
	int64_t pos, *last;
	int created;

	if (!json_get(&rec->obj, pos_field, &m) || m.type != JSON_NUMBER ||
	    integer(m.val, m.vlen, &pos) < 0)
		return -1;
	if (part_field != NULL) {
		if (!json_get(&rec->obj, part_field, &m)) {
			p = "null", len = 4;
		} else {
			kbuf.len = 0;
			canon_json(m.val, m.vlen, m.vflags, &kbuf);
			p = kbuf.p, len = kbuf.len;
		}
	}
	if ((last = htab_put(&parts, p, len, &created)) == NULL)
		rt_oom();
	if (!created && pos <= *last)
		return 0;
	*last = pos;
	return 1;
}

static void process(const struct rt_record *rec)
{
	const struct line *l = &rec->line;
	const char *k;
	size_t klen;
	int64_t t;
	int bad;

	if (pos_field != NULL) {
		int r = position(rec);

		if (r < 0) {
			rt_bad(l->ptr, l->len, l->lineno,
			       "no integer position in field '%s'", pos_field);
			return;
		}
		if (r == 0) {
			skipped++;
			return;
		}
	}
	if (proc_time) {
		t = tm_now();
	} else if (rt_event_time(&rec->obj, time_field, time_mode, &scratch, &t) < 0) {
		rt_bad(l->ptr, l->len, l->lineno, "no usable time in field '%s'",
		       time_field);
		return;
	}
	if ((bad = read_fields(rec)) >= 0) {
		rt_bad(l->ptr, l->len, l->lineno, "no %sfield '%s'",
		       fields[bad].numeric ? "numeric " : "", fields[bad].path);
		return;
	}
	make_key(rec, &k, &klen);
	if (gap_ms)
		add_to_session(rec, t, k, klen);
	else
		add_to_pane(rec, t, k, klen);
	if (t > max_t)
		max_t = t;
	advance(proc_time ? t : t - late_ms);
}

/* ---- Checkpoints ---- */

#define PUT(call) do { if ((call) < 0) rt_oom(); } while (0)

static void put_state(struct buf *b, const union slot *st)
{
	int i;
	size_t j, len;

	for (i = 0; i < nslots; i++) {
		const struct vset *h = st[i].p;
		const struct dvec *v = st[i].p;

		switch (slot_kind[i]) {
		case S_PLAIN:
			PUT(ckpt_put_u64(b, st[i].u));
			break;
		case S_SET:
			PUT(ckpt_put_u64(b, h ? h->n : 0));
			for (j = 0; h != NULL && j < h->len; j += 4 + len) {
				len = entry_len(h, j);
				PUT(ckpt_put_str(b, h->p + j + 4, len));
			}
			break;
		case S_VEC:
			PUT(ckpt_put_u64(b, v ? v->n : 0));
			for (j = 0; v != NULL && j < v->n; j++)
				PUT(ckpt_put_f64(b, v->v[j]));
			break;
		}
	}
}

/* A count read from a checkpoint, which each take at least 8 bytes. */
static uint64_t get_count(struct ckpt_rd *r)
{
	uint64_t n = ckpt_get_u64(r);

	if (n > (r->len - r->off) / 8)
		r->ok = 0;
	return r->ok ? n : 0;
}

static void get_state(struct ckpt_rd *r, union slot *st)
{
	int i;
	uint64_t j, n;
	size_t len;

	for (i = 0; i < nslots && r->ok; i++) {
		if (slot_kind[i] == S_PLAIN) {
			st[i].u = ckpt_get_u64(r);
			continue;
		}
		n = get_count(r);
		for (j = 0; j < n && r->ok; j++) {
			if (slot_kind[i] == S_SET) {
				const char *k = ckpt_get_str(r, &len);

				if (k == NULL)
					break;
				if (st[i].p == NULL)
					st[i].p = set_new();
				set_add(st[i].p, k, len);
			} else {
				if (st[i].p == NULL)
					st[i].p = vec_new();
				vec_push(st[i].p, ckpt_get_f64(r));
			}
		}
	}
}

/* Encodes the whole state; keys without state are left out. */
static void encode(struct buf *b)
{
	uint32_t *map = rt_xrealloc(NULL, (keys.n + 1) * sizeof *map), i, n = 0, j;
	uint64_t nsess = 0;
	size_t len, p;

	b->len = 0;
	PUT(ckpt_put_str(b, "window", 6));
	PUT(ckpt_put_u64(b, 1));
	PUT(ckpt_put_str(b, fingerprint, strlen(fingerprint)));
	PUT(ckpt_put_i64(b, wm));
	PUT(ckpt_put_i64(b, max_t));
	PUT(ckpt_put_i64(b, cursor));
	for (i = 0; i < keys.n; i++)
		if (key_live(ke(i))) {
			map[i] = n++;
			nsess += ke(i)->nsess;
		}
	PUT(ckpt_put_u64(b, n));
	for (i = 0; i < keys.n; i++)
		if (key_live(ke(i))) {
			const char *k = htab_key(&keys, i, &len);

			PUT(ckpt_put_str(b, k, len));
		}
	PUT(ckpt_put_u64(b, npanes));
	for (p = 0; p < npanes; p++) {
		PUT(ckpt_put_i64(b, panes[p].start));
		PUT(ckpt_put_u64(b, panes[p].n));
		for (j = 0; j < panes[p].n; j++) {
			PUT(ckpt_put_u64(b, map[panes[p].kid[j]]));
			put_state(b, pane_state(&panes[p], j));
		}
	}
	PUT(ckpt_put_u64(b, nsess));
	for (i = 0; i < keys.n; i++)
		for (j = 0; j < ke(i)->nsess; j++) {
			const struct sess *s = ke(i)->sess[j];

			PUT(ckpt_put_u64(b, map[i]));
			PUT(ckpt_put_i64(b, s->first));
			PUT(ckpt_put_i64(b, s->last));
			put_state(b, s->st);
		}
	PUT(ckpt_put_u64(b, parts.n));
	for (p = 0; p < parts.n; p++) {
		const char *k = htab_key(&parts, p, &len);

		PUT(ckpt_put_str(b, k, len));
		PUT(ckpt_put_i64(b, *(int64_t *)htab_val(&parts, p)));
	}
	free(map);
}

static void decode_panes(struct ckpt_rd *r, uint64_t nk)
{
	uint64_t np = get_count(r), i, n, j;
	int64_t prev = INT64_MIN;

	for (i = 0; i < np && r->ok; i++) {
		int64_t start = ckpt_get_i64(r);
		struct pane *p;

		n = get_count(r);
		if (start <= prev || tm_floor(start, pane_ms) != start || n == 0) {
			r->ok = 0;
			break;
		}
		prev = start;
		p = pane_at(start);
		for (j = 0; j < n && r->ok; j++) {
			uint64_t kid = ckpt_get_u64(r);
			struct keyent *e;
			uint32_t at;
			int created;

			if (kid >= nk) {
				r->ok = 0;
				break;
			}
			at = pane_entry(p, (uint32_t)kid, &created);
			r->ok = r->ok && created;
			get_state(r, pane_state(p, at));
			e = ke((uint32_t)kid);
			if (e->last == KEY_DEAD)
				nlive++;
			e->last = start;
		}
	}
}

static void decode_sessions(struct ckpt_rd *r, uint64_t nk)
{
	uint64_t ns = get_count(r), i;

	for (i = 0; i < ns && r->ok; i++) {
		uint64_t kid = ckpt_get_u64(r);
		int64_t first = ckpt_get_i64(r), last = ckpt_get_i64(r);
		struct keyent *e;
		struct sess *s;

		if (!r->ok || kid >= nk || first > last) {
			r->ok = 0;
			break;
		}
		e = ke((uint32_t)kid);
		if (e->nsess > 0 && e->sess[e->nsess - 1]->last + gap_ms > first) {
			r->ok = 0;
			break;
		}
		s = sess_new(first);
		s->last = last;
		sess_insert((uint32_t)kid, e->nsess, s);
		get_state(r, s->st);
	}
}

/* Restores the state a checkpoint holds; dies when it cannot. */
static void decode(const struct buf *b)
{
	struct ckpt_rd r;
	const char *s;
	size_t len;
	uint64_t nk, i;

	ckpt_rd_init(&r, b->p, b->len);
	s = ckpt_get_str(&r, &len);
	if (s == NULL || len != 6 || memcmp(s, "window", 6) != 0 ||
	    ckpt_get_u64(&r) != 1)
		rt_die(1, "cannot restore '%s': not a window checkpoint", ckpt_path);
	s = ckpt_get_str(&r, &len);
	if (s == NULL || len != strlen(fingerprint) || memcmp(s, fingerprint, len))
		rt_die(1, "cannot restore '%s': it was written with other window "
		       "options (%.*s), not (%s)", ckpt_path, (int)len, s ? s : "",
		       fingerprint);
	wm = ckpt_get_i64(&r);
	max_t = ckpt_get_i64(&r);
	cursor = ckpt_get_i64(&r);
	nk = get_count(&r);
	for (i = 0; i < nk && r.ok; i++) {
		struct keyent *e;
		int created;

		if ((s = ckpt_get_str(&r, &len)) == NULL)
			break;
		if ((e = htab_put(&keys, s, len, &created)) == NULL)
			rt_oom();
		e->last = KEY_DEAD;
		e->cpane = INT64_MIN;
		r.ok = created;
	}
	decode_panes(&r, nk);
	decode_sessions(&r, nk);
	nk = get_count(&r);
	for (i = 0; i < nk && r.ok; i++) {
		int64_t *pos;

		if ((s = ckpt_get_str(&r, &len)) == NULL)
			break;
		if ((pos = htab_put(&parts, s, len, NULL)) == NULL)
			rt_oom();
		*pos = ckpt_get_i64(&r);
	}
	if (!r.ok || r.off != r.len)
		rt_die(1, "cannot restore '%s': malformed checkpoint", ckpt_path);
}

static void restore(void)
{
	struct buf b = {0};
	char err[512];
	int rc;

	if (ckpt_init(&ck, ckpt_path, err, sizeof err) < 0)
		rt_die(1, "%s", err);
	rc = ckpt_load(&ck, &b, err, sizeof err);
	if (rc == CKPT_BAD)
		rt_die(1, "cannot restore '%s': %s", ckpt_path, err);
	if (rc == CKPT_PREV)
		rt_warn("cannot restore '%s': %s; restored '%s' instead", ckpt_path,
		        err, ck.prev);
	if (rc != CKPT_NONE)
		decode(&b);
	buf_free(&b);
}

/* Writes every output, then the state, so that a checkpoint never holds
 * a result that could still be lost.  Returns 0, or -1 after a warning. */
static int save(void)
{
	char err[512];

	rt_before_block(NULL);
	late_flush();
	encode(&ckbuf);
	if (ckpt_save(&ck, ckbuf.p, ckbuf.len, err, sizeof err) < 0) {
		rt_warn("%s", err);
		return -1;
	}
	return 0;
}

/* ---- Clocks ---- */

static int64_t arrival;			/* monotonic time of the last record */
static int64_t next_tick = INT64_MAX;	/* --emit every */
static int64_t next_save = INT64_MAX;	/* --checkpoint-every */

/* The watermark the wall clock gives after --idle of quiet, or INT64_MIN. */
static int64_t idle_watermark(int64_t now)
{
	if (!idle_ms || max_t == INT64_MIN || now - arrival < idle_ms)
		return INT64_MIN;
	return max_t - late_ms + (now - arrival);
}

/* Milliseconds until the next timer is due; -1 when none is set. */
static int timeout(void)
{
	int64_t now = tm_mono(), due = INT64_MAX, end = next_end();

	if (proc_time && end != INT64_MAX)
		due = now + (end - tm_now());
	if (idle_ms && max_t != INT64_MIN && end != INT64_MAX) {
		int64_t d = end - (max_t - late_ms);

		due = arrival + (d > idle_ms ? d : idle_ms);
	}
	if (next_tick < due)
		due = next_tick;
	if (next_save < due)
		due = next_save;
	if (due == INT64_MAX)
		return -1;
	if (due <= now)
		return 0;
	return due - now > 86400000 ? 86400000 : (int)(due - now);
}

static void run_timers(void)
{
	int64_t now = tm_mono();
	unsigned long long out = rt.records_out;

	if (proc_time)
		advance(tm_now());
	if (idle_ms)
		advance(idle_watermark(now));
	if (now >= next_tick) {
		if (gap_ms)
			tick_sessions();
		else
			tick_panes();
		next_tick = tm_floor(now, every_ms) + every_ms;
	}
	if (now >= next_save) {
		save();
		next_save = now + ckpt_every_ms;
	}
	if (rt.records_out != out)
		rt_flush();
}

static void before_block(void *arg)
{
	rt_before_block(arg);
	late_flush();
}

/* ---- Options ---- */

static int add_field(const char *path, unsigned need)
{
	int i;

	for (i = 0; i < nfields; i++)
		if (strcmp(fields[i].path, path) == 0)
			break;
	if (i == nfields) {
		if (nfields == MAX_FIELDS)
			rt_die(2, "-a: more than %d fields", MAX_FIELDS);
		fields[nfields++].path = rt_xstrndup(path, strlen(path));
	}
	fields[i].need |= need;
	if (need != N_DIST)
		fields[i].numeric = 1;
	return i;
}

/* Parses one aggregate: KIND[:FIELD][=NAME]. */
static void parse_agg(char *item)
{
	static const unsigned need[] = {
		0, N_SUM, N_SUM, N_MIN, N_MAX, N_FIRST, N_LAST, N_DIST, N_VALS,
		N_STD
	};
	struct agg *a = &aggs[naggs];
	char *name = strchr(item, '='), *field = strchr(item, ':');
	char buf[64];
	int k;

	if (naggs == MAX_AGGS)
		rt_die(2, "-a: more than %d aggregates", MAX_AGGS);
	if (name != NULL)
		*name++ = '\0';
	if (field != NULL && (name == NULL || field < name))
		*field++ = '\0';
	else
		field = NULL;
	for (k = 0; k <= A_STDDEV; k++)
		if (k != A_PCT && strcmp(item, agg_names[k]) == 0)
			break;
	if (k > A_STDDEV && item[0] == 'p' && item[1] >= '1' && item[1] <= '9') {
		char *end;
		long v = strtol(item + 1, &end, 10);

		if (*end == '\0' && v >= 1 && v <= 100)
			k = A_PCT, a->pct = (int)v;
	}
	if (k > A_STDDEV)
		rt_die(2, "-a: unknown aggregate '%s'", item);
	if (k == A_COUNT && field != NULL)
		rt_die(2, "-a: 'count' takes no field");
	if (k != A_COUNT && (field == NULL || *field == '\0'))
		rt_die(2, "-a: '%s' needs a field: %s:FIELD", item, item);
	if (name != NULL && *name == '\0')
		rt_die(2, "-a: empty name after '='");
	a->kind = k;
	a->field = k == A_COUNT ? -1 : add_field(field, need[k]);
	if (name == NULL) {
		snprintf(buf, sizeof buf, "%s", item);
		name = buf;
	}
	if (k == A_COUNT || name != buf) {
		a->name = rt_xstrndup(name, strlen(name));
	} else {
		size_t n = strlen(item), m = strlen(field);

		a->name = rt_xrealloc(NULL, n + m + 2);
		memcpy(a->name, item, n);
		a->name[n] = '_';
		memcpy(a->name + n + 1, field, m + 1);
	}
	a->namelen = strlen(a->name);
	naggs++;
}

/* Splits a comma-separated list and hands each item to fn. */
static void split(const char *opt, const char *arg, void (*fn)(char *))
{
	char *s = rt_xstrndup(arg, strlen(arg)), *p = s, *c;

	do {
		if ((c = strchr(p, ',')) != NULL)
			*c = '\0';
		if (*p == '\0')
			rt_die(2, "%s: empty item in '%s'", opt, arg);
		fn(p);
		if (c != NULL)
			p = c + 1;
	} while (c != NULL);
	free(s);
}

static void add_key(char *path)
{
	if (nkf == MAX_FIELDS)
		rt_die(2, "-k: more than %d fields", MAX_FIELDS);
	kflen[nkf] = strlen(path);
	kf[nkf] = rt_xstrndup(path, kflen[nkf]);
	nkf++;
}

static void parse_emit(const char *arg)
{
	if (strcmp(arg, "close") == 0)
		emit_mode = EMIT_CLOSE;
	else if (strcmp(arg, "update") == 0)
		emit_mode = EMIT_UPDATE;
	else if (strncmp(arg, "every=", 6) == 0)
		emit_mode = EMIT_EVERY,
		every_ms = rt_opt_dur("--emit", arg + 6, 1, MAX_DUR);
	else
		rt_die(2, "--emit: expected close, update or every=DUR: '%s'", arg);
}

static void parse_time_format(const char *arg)
{
	time_format = arg;
	time_mode = rt_opt_time_format("--time-format", arg);
}

/* Output field names must be unique, or a record would hold one twice. */
static void check_names(void)
{
	const char *names[2 + MAX_FIELDS + MAX_AGGS];
	int n = 0, i, j;

	names[n++] = "window_start";
	names[n++] = "window_end";
	for (i = 0; i < nkf; i++)
		names[n++] = kf[i];
	for (i = 0; i < naggs; i++)
		names[n++] = aggs[i].name;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (strcmp(names[i], names[j]) == 0)
				rt_die(2, "output field '%s' appears twice "
				       "(rename an aggregate with =NAME)", names[i]);
}

/* Places each field's state in the slots of a state. */
static void lay_out(void)
{
	int i;

	nslots = 1;
	for (i = 0; i < nfields; i++) {
		struct field *f = &fields[i];
		unsigned n = f->need;

		f->o_sum = n & N_SUM ? nslots++ : -1;
		f->o_min = n & N_MIN ? nslots++ : -1;
		f->o_max = n & N_MAX ? nslots++ : -1;
		f->o_first = n & N_FIRST ? (nslots += 2) - 2 : -1;
		f->o_last = n & N_LAST ? (nslots += 2) - 2 : -1;
		f->o_mean = n & N_STD ? (nslots += 2) - 2 : -1;
		f->o_dist = n & N_DIST ? nslots++ : -1;
		f->o_vals = n & N_VALS ? nslots++ : -1;
		if (f->o_dist >= 0)
			slot_kind[f->o_dist] = S_SET;
		if (f->o_vals >= 0)
			slot_kind[f->o_vals] = S_VEC;
	}
}

/* What a checkpoint's state depends on, to refuse one made otherwise. */
static void make_fingerprint(void)
{
	size_t n = 0;
	int i;

#define FP(...) (n += (size_t)snprintf(fingerprint + n, \
                  n < sizeof fingerprint ? sizeof fingerprint - n : 0, __VA_ARGS__))
	if (gap_ms)
		FP("--session %lldms", (long long)gap_ms);
	else
		FP("-s %lldms -S %lldms", (long long)size_ms, (long long)slide_ms);
	if (proc_time)
		FP(" --processing-time");
	else
		FP(" -t %s --time-format %s -l %lldms", time_field, time_format,
		   (long long)late_ms);
	for (i = 0; i < nkf; i++)
		FP("%s%s", i ? "," : " -k ", kf[i]);
	FP(" -a ");
	for (i = 0; i < naggs; i++) {
		const struct agg *a = &aggs[i];

		if (a->kind == A_PCT)
			FP("%sp%d:%s", i ? "," : "", a->pct, fields[a->field].path);
		else
			FP("%s%s%s%s", i ? "," : "", agg_names[a->kind],
			   a->field >= 0 ? ":" : "",
			   a->field >= 0 ? fields[a->field].path : "");
	}
	if (pos_field != NULL)
		FP(" --position-field %s", pos_field);
	if (part_field != NULL)
		FP(" --partition-field %s", part_field);
#undef FP
	if (n >= sizeof fingerprint)
		rt_die(2, "too many options to fingerprint a checkpoint");
}

static void usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f,
	    "usage: window (-s SIZE [-S SLIDE] | --session GAP) [-k FIELDS]"
	    " [-a AGGREGATES]\n"
	    "              [-t FIELD] [--time-format FORMAT] [-l LATENESS]"
	    " [--late FILE]\n"
	    "              [--idle DUR | --processing-time]"
	    " [--emit close|update|every=DUR]\n"
	    "              [--checkpoint FILE [--checkpoint-every DUR]\n"
	    "               [--position-field FIELD [--partition-field FIELD]]]\n"
	    "              [--max-keys N] %s\n"
	    "              [file ...]\n", RT_USAGE);
	exit(status);
}

enum {
	OPT_SESSION = 1, OPT_TIME_FORMAT, OPT_LATE, OPT_IDLE, OPT_PROC,
	OPT_EMIT, OPT_CKPT, OPT_CKPT_EVERY, OPT_POS, OPT_PART, OPT_MAX_KEYS
};

static const struct option longopts[] = {
	RT_LONGOPTS,
	{"size", required_argument, NULL, 's'},
	{"slide", required_argument, NULL, 'S'},
	{"session", required_argument, NULL, OPT_SESSION},
	{"key", required_argument, NULL, 'k'},
	{"aggregate", required_argument, NULL, 'a'},
	{"time-field", required_argument, NULL, 't'},
	{"time-format", required_argument, NULL, OPT_TIME_FORMAT},
	{"lateness", required_argument, NULL, 'l'},
	{"late", required_argument, NULL, OPT_LATE},
	{"idle", required_argument, NULL, OPT_IDLE},
	{"processing-time", no_argument, NULL, OPT_PROC},
	{"emit", required_argument, NULL, OPT_EMIT},
	{"checkpoint", required_argument, NULL, OPT_CKPT},
	{"checkpoint-every", required_argument, NULL, OPT_CKPT_EVERY},
	{"position-field", required_argument, NULL, OPT_POS},
	{"partition-field", required_argument, NULL, OPT_PART},
	{"max-keys", required_argument, NULL, OPT_MAX_KEYS},
	{NULL, 0, NULL, 0}
};

static int t_given, ckpt_every_given;

static void parse_options(int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "hs:S:k:a:t:l:uV", longopts,
	                        NULL)) != -1) {
		switch (c) {
		case 'h': usage(0); break;
		case 's': size_ms = rt_opt_dur("-s", optarg, 1, MAX_DUR); break;
		case 'S': slide_ms = rt_opt_dur("-S", optarg, 1, MAX_DUR); break;
		case OPT_SESSION:
			gap_ms = rt_opt_dur("--session", optarg, 1, MAX_DUR);
			break;
		case 'k': split("-k", optarg, add_key); break;
		case 'a': split("-a", optarg, parse_agg); break;
		case 't': time_field = optarg, t_given = 1; break;
		case OPT_TIME_FORMAT: parse_time_format(optarg); break;
		case 'l': late_ms = rt_opt_dur("-l", optarg, 0, MAX_DUR); break;
		case OPT_LATE: late_path = optarg; break;
		case OPT_IDLE:
			idle_ms = rt_opt_dur("--idle", optarg, 1, MAX_DUR);
			break;
		case OPT_PROC: proc_time = 1; break;
		case OPT_EMIT: parse_emit(optarg); break;
		case OPT_CKPT: ckpt_path = optarg; break;
		case OPT_CKPT_EVERY:
			ckpt_every_ms = rt_opt_dur("--checkpoint-every", optarg, 1,
			                           MAX_DUR);
			ckpt_every_given = 1;
			break;
		case OPT_POS: pos_field = optarg; break;
		case OPT_PART: part_field = optarg; break;
		case OPT_MAX_KEYS:
			max_keys = rt_opt_int("--max-keys", optarg, 1, UINT32_MAX - 1);
			break;
		default:
			if (!rt_option(c, optarg))
				usage(2);
		}
	}
}

/* Illegal combinations, one message per rule naming both options. */
static void check_options(void)
{
	if (size_ms && gap_ms)
		rt_die(2, "-s and --session cannot be used together");
	if (slide_ms && !size_ms)
		rt_die(2, "-S needs -s");
	if (!size_ms && !gap_ms)
		rt_die(2, "one of -s and --session is needed");
	if (slide_ms > size_ms)
		rt_die(2, "-S: slide larger than the window size -s");
	if (proc_time && late_ms)
		rt_die(2, "-l and --processing-time cannot be used together");
	if (proc_time && t_given)
		rt_die(2, "-t and --processing-time cannot be used together");
	if (proc_time && idle_ms)
		rt_die(2, "--idle and --processing-time cannot be used together");
	if (ckpt_every_given && !ckpt_path)
		rt_die(2, "--checkpoint-every needs --checkpoint");
	if (pos_field && !ckpt_path)
		rt_die(2, "--position-field needs --checkpoint");
	if (part_field && !pos_field)
		rt_die(2, "--partition-field needs --position-field");
	if (naggs == 0)
		parse_agg((char[]){ "count" });
	if (size_ms && !slide_ms)
		slide_ms = size_ms;
	pane_ms = size_ms ? tm_gcd(size_ms, slide_ms) : 0;
	check_names();
}

/* Scratch for merged states, sized by the layout. */
static void set_up(void)
{
	htab_init(&keys, sizeof(struct keyent));
	htab_init(&parts, sizeof(int64_t));
	mst = rt_xcalloc((size_t)nslots, sizeof *mst);
	mvec = rt_xcalloc((size_t)nfields, sizeof *mvec);
	mset = rt_xcalloc((size_t)nfields, sizeof *mset);
	late_out.fd = -1;
	rt_stat("late", &late);
	rt_stat("windows", &windows);
	rt_stat("keys", &nlive);
	rt_stat("skipped", &skipped);
}

static void open_late(void)
{
	int fd;

	if (late_path == NULL)
		return;
	fd = open(late_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd < 0)
		rt_die(1, "cannot open '%s': %s", late_path, strerror(errno));
	if (out_init(&late_out, fd) < 0)
		rt_oom();
}

/* Frees everything, so that leak checkers see real leaks only. */
static void tear_down(void)
{
	size_t i;
	uint32_t k, j;
	int f;

	for (i = 0; i < npanes; i++)
		pane_release(&panes[i]);
	npanes = 0;
	for (i = 0; i < nspare; i++)
		free(spare[i].kid), free(spare[i].st), free(spare[i].dirty),
		free(spare[i].tab);
	for (k = 0; k < keys.n; k++) {
		for (j = 0; j < ke(k)->nsess; j++) {
			state_clear(ke(k)->sess[j]->st);
			free(ke(k)->sess[j]);
		}
		free(ke(k)->sess);
	}
	while (free_sess != NULL) {
		struct sess *s = free_sess;

		free_sess = s->st[0].p;
		free(s);
	}
	while (nvec_pool > 0)
		free(vec_pool[--nvec_pool]->v), free(vec_pool[nvec_pool]);
	while (nset_pool > 0)
		set_free(set_pool[--nset_pool]), free(set_pool[nset_pool]);
	for (f = 0; f < nfields; f++) {
		free(mvec[f].v);
		set_free(&mset[f]);
		buf_free(&fields[f].dv);
		free(fields[f].path);
	}
	for (f = 0; f < naggs; f++)
		free(aggs[f].name);
	for (f = 0; f < nkf; f++)
		free(kf[f]);
	free(mvec), free(mset), free(mst), free(spare), free(panes);
	free(heap), free(order), free(items), free(byrank), free(closing);
	free(sorted.v);
	htab_free(&keys);
	htab_free(&parts);
	buf_free(&kbuf), buf_free(&scratch), buf_free(&tbuf), buf_free(&ckbuf);
	ckpt_free(&ck);
}

int main(int argc, char **argv)
{
	struct rt_record rec = {0};
	int n, rc = LINE_OK, timers, status = 0;

	rt_init("window");
	parse_options(argc, argv);
	check_options();
	lay_out();
	make_fingerprint();
	set_up();
	if (ckpt_path != NULL)
		restore();
	open_late();
	rt_open_input(argc - optind, argv + optind);
	rt_before_block = rt.in.before_block;
	rt.in.before_block = before_block;

	arrival = tm_mono();
	if (emit_mode == EMIT_EVERY)
		next_tick = tm_floor(arrival, every_ms) + every_ms;
	if (ckpt_path != NULL)
		next_save = arrival + ckpt_every_ms;
	timers = proc_time || idle_ms || every_ms || ckpt_path;
	for (;;) {
		int wait = timers ? timeout() : -1;

		for (n = 0; n < BATCH; n++) {
			rc = rt_next(&rec, n == 0 ? wait : 0);
			if (rc != LINE_OK)
				break;
			process(&rec);
		}
		if (n > 0 && idle_ms)
			arrival = tm_mono();
		if (timers)
			run_timers();
		if (rc == LINE_EOF)
			break;
	}
	/* The state saved at exit keeps the open windows open, so that a run
	 * continuing the stream restores them. */
	if (ckpt_path != NULL && save() < 0)
		status = 1;
	close_windows(INT64_MAX);
	if (late_out.fd >= 0) {
		late_flush();
		if (close(late_out.fd) < 0)
			rt_die(1, "cannot write '%s': %s", late_path, strerror(errno));
		out_free(&late_out);
	}
	json_obj_free(&rec.obj);
	tear_down();
	return rt_finish(status);
}
