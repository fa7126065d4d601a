/*
 * es-sink: NDJSON records into Elasticsearch through the _bulk API.
 *
 * Each record becomes a bulk chunk as soon as it is read: an action line
 * naming its index (a strftime pattern on its event time), its _id when
 * one is asked for, and the record's own bytes as the source.  Chunks wait
 * in a bounded queue (the stage buffer); when it is full, standard input
 * is not read, which slows the stage upstream.  One request is in flight
 * at a time, on one persistent connection, and input is read meanwhile:
 * the curl multi interface and standard input share one poll loop.
 *
 * Delivery is checked document by document: the response's items are
 * matched with the documents sent, in order.  Documents that failed for a
 * reason that may pass (429, 5xx, or a whole request that failed so, or
 * whose connection dropped) stay at the front of the batch, in order, and
 * are sent again after a jittered, capped, growing delay, until they run
 * out of --retries or --retry-for.  A 413 halves the requests from then
 * on.  Documents refused for good, and those out of retries, are written
 * verbatim to the dead-letter file with their reasons on stderr.
 * Authentication failures, a server certificate that does not verify,
 * and other transport errors that no retry mends end the tool: what was
 * read is given up, the rest of the input is left unread.  The exit
 * status is 1 when any record read was not delivered.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zlib.h>

#include "backoff.h"
#include "bucket.h"
#include "curlm.h"
#include "loop.h"
#include "queue.h"
#include "rt.h"

#define DEFAULT_URL	"http://localhost:9200"
#define DEFAULT_INDEX	"rtpipe-%Y.%m.%d"
#define DEFAULT_BUFFER	(32LL * 1024 * 1024)
#define DEFAULT_DOCS	5000
#define DEFAULT_BYTES	(5LL * 1024 * 1024)
#define DEFAULT_RETRIES	10
#define BACKOFF_MIN	100		/* ms before the first retry */
#define MAX_ID		512		/* Elasticsearch's limit on _id bytes */
#define MAX_INDEX	255		/* and on index names */
#define ACTION_ROOM	(6 * (MAX_ID + MAX_INDEX) + 64)
#define MAX_RESPONSE	(1LL << 30)
#define READ_BURST	8192		/* records read per turn of the loop */
#define REASON_MAX	400


static const char *url = DEFAULT_URL;		/* -u */
static const char *index_pat = DEFAULT_INDEX;	/* -i: strftime pattern */
static const char *time_field = "ts";		/* -t */
static enum tm_mode time_mode = TM_AUTO;	/* --time-format */
static int op_create;				/* --op create */
static const char *id_field;			/* --id-field */
static int id_hash;				/* --id-hash */
static const char *pipeline;			/* --pipeline */
static long long batch_docs = DEFAULT_DOCS;	/* --batch-docs */
static long long batch_bytes = DEFAULT_BYTES;	/* --batch-bytes */
static int64_t flush_ms = 1000;			/* --flush-interval */
static long long max_retries = -1;		/* --retries; -1: by default */
static int64_t retry_for;			/* --retry-for, ms; 0: none */
static int64_t backoff_max = 30000;		/* --backoff-max, ms */
static int64_t timeout_ms = 60000;		/* --timeout */
static int64_t connect_ms = 10000;		/* --connect-timeout */
static int gzip_body;				/* --gzip */
static const char *cacert;			/* --cacert */
static int insecure;				/* --insecure */
static long long buffer_size = DEFAULT_BUFFER;	/* --buffer */
static int on_full = RT_BLOCK;			/* --on-full */
static double rate;				/* --rate: documents/s */
static int64_t drain_ms = 30000;		/* --drain-timeout */
static int echo;				/* --echo */
static int strict;				/* --strict, handled here */
static int max_line_given;			/* --max-line was given */

/*
 * A document: this header, then its bulk chunk (action line and source
 * line, each ending in '\n'), then, when the source had to be repaired
 * into valid UTF-8, the record as it was read.
 */
struct doc {
	const char *name;		/* its input, for messages */
	unsigned long long lineno;
	int64_t queued;			/* when it was read (monotonic ms) */
	int64_t first;			/* its first attempt; 0 before */
	uint32_t attempts;
	uint32_t len;			/* bytes of the chunk */
	uint32_t alen;			/* of which the action line */
	uint32_t rawlen;		/* bytes of the record kept after it */
	int ambiguous;			/* an attempt may have been indexed */
};

/* A document of the batch: its header and where its bytes are. */
struct bdoc {
	struct doc d;
	size_t off;			/* chunk in body */
	size_t raw;			/* record in raws, when d.rawlen > 0 */
};

/* The batch: documents taken from the queue, in order.  The first
 * `sending` of them are in the request in flight. */
static struct bdoc *batch;
static size_t nbatch, batch_cap, sending;
static struct buf body, raws, gz, resp;
static size_t body_cap = SIZE_MAX;	/* request size learned from 413s */

static struct queue q;
static struct out ent;			/* the entry being made */
static int held;			/* ent holds one the queue did not take */
static int input_done;			/* no more input will be read */
static int draining;			/* stopping on a signal */
static int fatal;			/* the server refused us: stop */
static int64_t mono, drain_deadline, retry_at;
static struct backoff backoff;
static struct bucket bucket;		/* --rate */
static int echo_failed;

/* The index name cache: patterns finer than a day are cached per second. */
static int index_has_time, index_daily;
static int64_t index_key = INT64_MIN;
static char index_name[MAX_INDEX + 1];
static size_t index_len;

static struct curlm cm;
static CURL *easy;
static struct curl_slist *headers;
static char *bulk_url;
static char curl_err[CURL_ERROR_SIZE];
static int in_flight, product_seen, product_warned;
static const char *up;			/* the request body being sent */
static size_t up_len, up_off;
static int up_resent;			/* curl sent some of it twice */
static z_stream zs;

static struct rt_record inrec;		/* the record being read */
static struct buf scratch, idbuf;
static struct json_obj robj, iobj, eobj;	/* response, item, error */

static unsigned long long indexed, retried, rejected, expired, undelivered;
static unsigned long long requests, bytes_sent, already, no_time;

/* Failure reports: the first few, then one a second. */
static struct rt_limit reports;

/* ---- MurmurHash3, x64 128-bit variant, for --id-hash ---- */

static uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

/* Little-endian bytes as a number, whatever the machine. */
static uint64_t le64(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = (v << 8) | p[n];
	return v;
}

static void murmur3_128(const void *key, size_t len, uint64_t out[2])
{
	const unsigned char *p = key;
	const uint64_t c1 = 0x87c37b91114253d5ULL, c2 = 0x4cf5ad432745937fULL;
	uint64_t h1 = 0, h2 = 0, k1, k2;
	size_t i, nblocks = len / 16, rest = len % 16;

	for (i = 0; i < nblocks; i++, p += 16) {
		k1 = le64(p, 8);
		k2 = le64(p + 8, 8);
		k1 *= c1; k1 = rotl64(k1, 31); k1 *= c2; h1 ^= k1;
		h1 = rotl64(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729;
		k2 *= c2; k2 = rotl64(k2, 33); k2 *= c1; h2 ^= k2;
		h2 = rotl64(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5;
	}
	k1 = le64(p, rest < 8 ? rest : 8);
	k2 = rest > 8 ? le64(p + 8, rest - 8) : 0;
	if (rest > 8) {
		k2 *= c2; k2 = rotl64(k2, 33); k2 *= c1; h2 ^= k2;
	}
	if (rest > 0) {
		k1 *= c1; k1 = rotl64(k1, 31); k1 *= c2; h1 ^= k1;
	}
	h1 ^= (uint64_t)len;
	h2 ^= (uint64_t)len;
	h1 += h2;
	h2 += h1;
	h1 = fmix64(h1);
	h2 = fmix64(h2);
	h1 += h2;
	h2 += h1;
	out[0] = h1;
	out[1] = h2;
}

/* ---- index names ---- */

/* Whether a pattern changes at most once a day, so names are cached per
 * day rather than per second. */
static int daily_pattern(const char *p)
{
	for (; *p != '\0'; p++) {
		if (*p != '%')
			continue;
		p++;
		while (*p == 'E' || *p == 'O' || *p == '-' || *p == '_' ||
		       *p == '0' || *p == '^' || *p == '#')
			p++;
		if (*p == '\0')
			return 1;
		if (strchr("YyCmbBhdejaAuwUWVGgFDx%", *p) == NULL)
			return 0;
	}
	return 1;
}

/* The pattern for a time: 0, or -1 when it gives nothing or too much. */
static int format_index(int64_t ms, char *out, size_t *len)
{
	time_t t = (time_t)tm_floor(ms, 1000) / 1000;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	*len = strftime(out, MAX_INDEX + 1, index_pat, &tm);
	return *len == 0 ? -1 : 0;
}

/* Checks -i by formatting a sample time: the rules of index names. */
static void check_index(void)
{
	char name[MAX_INDEX + 1];
	size_t n, i;

	index_has_time = strchr(index_pat, '%') != NULL;
	index_daily = daily_pattern(index_pat);
	if (format_index(1795264496789LL, name, &n) < 0)
		rt_die(2, "-i: empty or longer than %d bytes: '%s'", MAX_INDEX,
		       index_pat);
	for (i = 0; i < n; i++) {
		if (name[i] >= 'A' && name[i] <= 'Z')
			rt_die(2, "-i: index names must be lowercase: '%s' "
			       "gives '%s'", index_pat, name);
		if (strchr("\\/*?\"<>| ,#:", name[i]) != NULL ||
		    (unsigned char)name[i] < 0x20)
			rt_die(2, "-i: index names cannot contain '%c': '%s' "
			       "gives '%s'", name[i], index_pat, name);
	}
	if (strchr("-_+", name[0]) != NULL || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		rt_die(2, "-i: invalid index name: '%s' gives '%s'", index_pat,
		       name);
	if (!index_has_time) {
		memcpy(index_name, name, n + 1);
		index_len = n;
	}
}

/* The index of a record whose event time is ms. */
static void index_for(int64_t ms)
{
	int64_t key = tm_floor(ms, index_daily ? 86400000 : 1000);

	if (key == index_key)
		return;
	if (format_index(ms, index_name, &index_len) < 0) {
		/* Years past 9999 and the like: the pattern as it is. */
		index_len = strlen(index_pat);
		if (index_len > MAX_INDEX)
			index_len = MAX_INDEX;
		memcpy(index_name, index_pat, index_len);
	}
	index_key = key;
}

/* ---- records into bulk chunks ---- */

static const char *position(const struct doc *d, char *buf, size_t n)
{
	snprintf(buf, n, "%s:%llu", d->name, d->lineno);
	return buf;
}

/* The _id of a record, into idbuf.  Returns 0, 1 when it has none (no
 * id asked for), -1 after reporting bad input. */
static int doc_id(const struct rt_record *rec)
{
	struct json_member m;
	const char *p;
	size_t n;

	idbuf.len = 0;
	if (id_hash) {
		uint64_t h[2];
		char hex[33];

		murmur3_128(rec->line.ptr, rec->line.len, h);
		snprintf(hex, sizeof hex, "%016llx%016llx",
		         (unsigned long long)h[0], (unsigned long long)h[1]);
		if (buf_add(&idbuf, hex, 32) < 0)
			rt_oom();
		return 0;
	}
	if (id_field == NULL)
		return 1;
	if (!json_get(&rec->obj, id_field, &m)) {
		rt_bad(rec->line.ptr, rec->line.len, rec->line.lineno,
		       "no id field '%s'", id_field);
		return -1;
	}
	if (m.type == JSON_NUMBER) {
		p = m.val;
		n = m.vlen;
	} else if (rt_string(&m, &scratch, &p, &n) < 0) {
		rt_bad(rec->line.ptr, rec->line.len, rec->line.lineno,
		       "id field '%s' is not a string or number", id_field);
		return -1;
	}
	if (n == 0 || n > MAX_ID) {
		rt_bad(rec->line.ptr, rec->line.len, rec->line.lineno,
		       "id field '%s' %s", id_field, n == 0 ? "is empty" :
		       "is longer than 512 bytes");
		return -1;
	}
	if (buf_add(&idbuf, p, n) < 0)
		rt_oom();
	return 0;
}

/* Makes the queue entry of a record in ent.  Returns 0, or -1 when the
 * record is bad input (already dealt with). */
static int make_entry(const struct rt_record *rec)
{
	struct doc *d;
	unsigned long long repaired = ent.repaired;
	size_t start;
	int64_t t;
	int has_id;

	if ((has_id = doc_id(rec)) < 0)
		return -1;
	if (index_has_time) {
		if (rt_event_time(&rec->obj, time_field, time_mode, &scratch,
		                  &t) < 0 || t < 0 || t > TM_MAX) {
			if (no_time++ == 0)
				rt_warn("%s:%llu: no usable time in '%s': indexed "
				        "by the time it was read", rt.in.name,
				        rec->line.lineno, time_field);
			t = tm_now();
		}
		index_for(t);
	}
	ent.len = 0;
	out_grow(&ent, sizeof *d + ACTION_ROOM + 4 * rec->line.len + 8);
	if (ent.err)
		rt_oom();
	ent.len = sizeof *d;
	if (op_create)
		out_lit(&ent, "{\"create\":{\"_index\":");
	else
		out_lit(&ent, "{\"index\":{\"_index\":");
	out_json_str(&ent, index_name, index_len);
	if (has_id == 0) {
		out_lit(&ent, ",\"_id\":");
		out_json_str(&ent, idbuf.p, idbuf.len);
	}
	out_lit(&ent, "}}\n");
	start = ent.len;
	out_json_raw(&ent, rec->line.ptr, rec->line.len);
	out_putc(&ent, '\n');
	d = (struct doc *)(void *)ent.buf;
	memset(d, 0, sizeof *d);
	d->name = rt.in.name;
	d->lineno = rec->line.lineno;
	d->queued = mono;
	d->alen = (uint32_t)(start - sizeof *d);
	d->len = (uint32_t)(ent.len - sizeof *d);
	if (ent.repaired != repaired) {
		rt.out.repaired += ent.repaired - repaired;
		d->rawlen = (uint32_t)rec->line.len;
		out_write(&ent, rec->line.ptr, rec->line.len);
	}
	return 0;
}

/* A document that will not be delivered: the record as it was read is
 * kept in the dead letter. */
static void give_up(const struct doc *d, const char *chunk, const char *raw)
{
	if (d->rawlen > 0)
		rt_dead_letter(raw, d->rawlen);
	else
		rt_dead_letter(chunk + d->alen, d->len - d->alen - 1);
	undelivered++;
}

/* The chunk of an entry made by make_entry; the record it kept, if any,
 * follows it. */
static const char *entry_chunk(const struct doc *d)
{
	return (const char *)(d + 1);
}

static void give_up_entry(const struct doc *d)
{
	give_up(d, entry_chunk(d), entry_chunk(d) + d->len);
}

/* Gives up the entry ent holds, which the queue did not take. */
static void give_up_held(void)
{
	give_up_entry((const struct doc *)(void *)ent.buf);
	held = 0;
}

/* Drops the oldest queued entry (--on-full drop-oldest, or giving up). */
static void drop_queued(void)
{
	size_t sz;

	give_up_entry(queue_peek(&q, &sz));
	queue_pop(&q);
}

static void report_drop(void)
{
	if (rt.dropped == 1)
		rt_warn("buffer full: dropping the %s records (kept in the "
		        "dead letter, if any)", on_full == RT_DROP_OLDEST ?
		        "oldest" : "newest");
}

/* Puts ent in the queue.  Returns 0, or -1 when it must wait. */
static int push_entry(void)
{
	void *p;

	while ((p = queue_push(&q, ent.len)) == NULL) {
		if (on_full == RT_BLOCK)
			return -1;
		rt.dropped++;
		report_drop();
		if (on_full == RT_DROP_NEWEST || q.n == 0) {
			give_up_held();
			return 0;
		}
		drop_queued();
	}
	memcpy(p, ent.buf, ent.len);
	held = 0;
	return 0;
}

/* Writes a record to stdout for --echo.  A closed stdout ends the echo
 * quietly; another write error ends it with a message and status 1. */
static void echo_flush(void)
{
	if (!echo || rt.out.len == 0)
		return;
	if (out_flush(&rt.out) == 0)
		return;
	if (rt.out.err != EPIPE) {
		rt_warn("write error: %s: echo stopped", strerror(rt.out.err));
		echo_failed = 1;
	}
	echo = 0;
	rt.out.err = 0;
	rt.out.len = 0;
}

static void echo_record(const struct rt_record *rec)
{
	out_json_raw(&rt.out, rec->line.ptr, rec->line.len);
	out_putc(&rt.out, '\n');
	rt.records_out++;
	if (rt.out.unbuffered || rt.out.len >= OUT_FLUSH_AT)
		echo_flush();
}

/* Whether input is still to be read: not at its end, nor stopping. */
static int reading(void)
{
	return !input_done && !draining && !fatal;
}

/* Reads what input is ready into the queue.  Returns 1 when more is
 * buffered and should be read without waiting. */
static int take_input(void)
{
	int n, rc;

	for (n = 0; reading(); n++) {
		if (held && push_entry() < 0)
			break;
		if (n == READ_BURST)
			return 1;
		rc = rt_next(&inrec, 0);
		/* Under --strict a bad line ends the input even when no
		 * record follows it yet. */
		if (rc == LINE_EOF || (strict && rt.bad_input > 0)) {
			input_done = 1;
			break;
		}
		if (rc == LINE_TIMEOUT)
			break;
		if (echo)
			echo_record(&inrec);
		if (make_entry(&inrec) < 0) {
			if (strict) {
				input_done = 1;
				break;
			}
			continue;
		}
		held = 1;
		if (push_entry() < 0)
			break;
	}
	return 0;
}

/* ---- the batch ---- */

/* Appends a queue entry to the batch. */
static void batch_append(const struct doc *d)
{
	struct bdoc *b;

	if (nbatch == batch_cap) {
		batch_cap = batch_cap ? batch_cap * 2 : 1024;
		batch = rt_xrealloc(batch, batch_cap * sizeof *batch);
	}
	b = &batch[nbatch++];
	b->d = *d;
	b->off = body.len;
	b->raw = raws.len;
	if (buf_add(&body, entry_chunk(d), d->len) < 0 ||
	    buf_add(&raws, entry_chunk(d) + d->len, d->rawlen) < 0)
		rt_oom();
}

/* Moves documents from the queue into the batch, up to its bounds and
 * as --rate allows.  Returns 1 when the batch is full. */
static int fill_batch(void)
{
	const struct doc *d;
	size_t sz;

	bucket_refill(&bucket, mono);
	while (nbatch < (size_t)batch_docs) {
		if ((d = queue_peek(&q, &sz)) == NULL)
			return 0;
		if (nbatch > 0 && body.len + d->len > (size_t)batch_bytes)
			return 1;
		if (!bucket_ready(&bucket))
			return 0;
		batch_append(d);
		queue_pop(&q);
		bucket_take(&bucket);
	}
	return 1;
}

/* A document dealt with for good: the top bit of its attempts. */
#define DONE_MARK 0x80000000u

/* Drops the documents marked done, keeping the order of the others and
 * their bytes. */
static void compact(void)
{
	size_t i, j = 0, boff = 0, roff = 0;

	for (i = 0; i < nbatch; i++) {
		struct bdoc b = batch[i];

		if (b.d.attempts & DONE_MARK)
			continue;
		memmove(body.p + boff, body.p + b.off, b.d.len);
		b.off = boff;
		boff += b.d.len;
		if (b.d.rawlen > 0) {
			memmove(raws.p + roff, raws.p + b.raw, b.d.rawlen);
			b.raw = roff;
			roff += b.d.rawlen;
		}
		batch[j++] = b;
	}
	nbatch = j;
	body.len = boff;
	raws.len = roff;
}

static void mark_done(struct bdoc *b)
{
	b->d.attempts |= DONE_MARK;
}

static void batch_give_up(struct bdoc *b)
{
	give_up(&b->d, body.p + b->off, raws.p + b->raw);
	mark_done(b);
}

/* Whether a document that failed may be tried again. */
static int may_retry(const struct bdoc *b)
{
	if (fatal)
		return 0;
	if (max_retries >= 0 && b->d.attempts > (uint32_t)max_retries)
		return 0;
	if (retry_for > 0 && mono - b->d.first >= retry_for)
		return 0;
	return 1;
}

/* One document failed with why: retried when transient and allowed,
 * else given up.  Returns 1 when it will be retried. */
static int doc_failed(struct bdoc *b, int transient, const char *why)
{
	char where[300];

	if (transient && may_retry(b)) {
		retried++;
		return 1;
	}
	position(&b->d, where, sizeof where);
	if (transient) {
		expired++;
		rt_warn_limited(&reports, NULL,
		                "%s: not delivered after %u attempt%s: %s", where,
		                b->d.attempts, b->d.attempts == 1 ? "" : "s", why);
	} else {
		rejected++;
		rt_warn_limited(&reports, NULL, "%s: rejected: %s", where, why);
	}
	batch_give_up(b);
	return 0;
}

/* Gives up every document of the batch and the queue (fatal errors and
 * the drain timeout). */
static void give_up_all(void)
{
	size_t i;

	for (i = 0; i < nbatch; i++)
		batch_give_up(&batch[i]);
	compact();
	while (q.n > 0)
		drop_queued();
	if (held)
		give_up_held();
}

/* ---- requests ---- */

static size_t on_body(char *p, size_t size, size_t n, void *u)
{
	(void)u;
	n *= size;
	if ((long long)(resp.len + n) > MAX_RESPONSE || buf_add(&resp, p, n) < 0)
		return 0;
	return n;
}

static size_t on_header(char *p, size_t size, size_t n, void *u)
{
	static const char name[] = "x-elastic-product:";

	(void)u;
	n *= size;
	if (n >= sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0)
		product_seen = 1;
	return n;
}

static size_t on_read(char *p, size_t size, size_t n, void *u)
{
	(void)u;
	n *= size;
	if (n > up_len - up_off)
		n = up_len - up_off;
	memcpy(p, up + up_off, n);
	up_off += n;
	return n;
}

/*
 * curl sends a request again by itself when a reused connection turns
 * out to be closed before any answer; the server may have taken the first
 * one.  Such documents are marked ambiguous, like those of a request that
 * failed without an answer.
 */
static int on_seek(void *u, curl_off_t off, int origin)
{
	(void)u;
	if (origin != SEEK_SET || off < 0 || (size_t)off > up_len)
		return CURL_SEEKFUNC_CANTSEEK;
	if (up_off > 0)
		up_resent = 1;
	up_off = (size_t)off;
	return CURL_SEEKFUNC_OK;
}

/* Compresses len bytes of body into gz. */
static void deflate_body(size_t len)
{
	uLong need = deflateBound(&zs, (uLong)len) + 64;

	gz.len = 0;
	if (buf_reserve(&gz, need) < 0)
		rt_oom();
	deflateReset(&zs);
	zs.next_in = (Bytef *)body.p;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)gz.p;
	zs.avail_out = (uInt)gz.cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		rt_die(1, "gzip: %s", zs.msg ? zs.msg : "deflate failed");
	gz.len = gz.cap - zs.avail_out;
}

/* Sends the documents at the front of the batch, as many as the batch
 * bounds and what 413s taught allow. */
static void send_request(void)
{
	size_t k, len = 0, i;
	CURLMcode mc;

	for (k = 0; k < nbatch; k++) {
		if (k > 0 && len + batch[k].d.len > body_cap)
			break;
		len += batch[k].d.len;
	}
	for (i = 0; i < k; i++) {
		if (batch[i].d.attempts == 0)
			batch[i].d.first = mono;
		batch[i].d.attempts++;
	}
	sending = k;
	resp.len = 0;
	product_seen = 0;
	if (gzip_body) {
		deflate_body(len);
		up = gz.p;
		up_len = gz.len;
	} else {
		up = body.p;
		up_len = len;
	}
	up_off = 0;
	up_resent = 0;
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)up_len);
	bytes_sent += up_len;
	if ((mc = curl_multi_add_handle(cm.multi, easy)) != CURLM_OK)
		rt_die(1, "curl: %s", curl_multi_strerror(mc));
	in_flight = 1;
	requests++;
}

/* Text for stderr: no control characters, bounded. */
static void clean_text(char *dst, size_t cap, const char *p, size_t n)
{
	size_t i, j = 0;

	for (i = 0; i < n && j + 1 < cap; i++)
		dst[j++] = (unsigned char)p[i] < 0x20 ? ' ' : p[i];
	dst[j] = '\0';
}

/* Appends s to the string in out, as far as it fits. */
static void append(char *out, size_t cap, const char *s)
{
	size_t n = strlen(out), k = strlen(s);

	if (n + 1 >= cap)
		return;
	if (k > cap - n - 1)
		k = cap - n - 1;
	memcpy(out + n, s, k);
	out[n + k] = '\0';
}

/* "type: reason" of an error value (an object, or a string). */
static void error_text(const struct json_member *e, char *out, size_t cap)
{
	struct json_member t, r;
	const char *tp = "", *rp = "";
	size_t tn = 0, rn = 0;
	char err[160], a[REASON_MAX], b[REASON_MAX];

	out[0] = '\0';
	if (e->type == JSON_STRING) {
		if (rt_string(e, &scratch, &rp, &rn) == 0)
			clean_text(out, cap, rp, rn);
		return;
	}
	if (json_scan(e->val, e->vlen, &eobj, err, sizeof err) < 0)
		return;
	/* Each text is copied out before the next may reuse scratch. */
	if (json_get(&eobj, "type", &t))
		(void)rt_string(&t, &scratch, &tp, &tn);
	clean_text(a, sizeof a, tp, tn);
	if (json_get(&eobj, "reason", &r))
		(void)rt_string(&r, &scratch, &rp, &rn);
	clean_text(b, sizeof b, rp, rn);
	append(out, cap, a);
	if (a[0] && b[0])
		append(out, cap, ": ");
	append(out, cap, b);
	if (scratch.cap > 65536)
		buf_free(&scratch);
}

/* "HTTP 503: type: reason" of a whole-request failure. */
static void http_error_text(long status, char *out, size_t cap)
{
	struct json_member m;
	char err[160], what[REASON_MAX + 64];
	size_t n;

	what[0] = '\0';
	if (resp.len > 0 && json_scan(resp.p, resp.len, &robj, err,
	                              sizeof err) == 0 &&
	    json_get(&robj, "error", &m))
		error_text(&m, what, sizeof what);
	n = (size_t)snprintf(out, cap, "HTTP %ld", status);
	if (what[0] != '\0' && n < cap)
		snprintf(out + n, cap - n, ": %s", what);
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
	                   *p == '\r' || *p == ','))
		p++;
	return p;
}

/*
 * The status and error of the next item of a bulk response's items array,
 * at *pp: {"index":{..., "status":201, "error":{...}}}.  Returns 0, or -1
 * at the end of the array or when it is not shaped so.  err->val is NULL
 * when the item has no error.
 */
static int next_item(const char **pp, const char *end, long *status,
                     struct json_member *err)
{
	const char *p = skip_ws(*pp, end), *e;
	struct json_member m;
	char msg[160];

	if (p >= end || *p != '{')
		return -1;
	if ((e = json_value_end(p, end)) == NULL ||
	    json_scan(p, (size_t)(e - p), &iobj, msg, sizeof msg) < 0 ||
	    iobj.n != 1 || iobj.m[0].type != JSON_OBJECT)
		return -1;
	m = iobj.m[0];
	if (json_scan(m.val, m.vlen, &iobj, msg, sizeof msg) < 0 ||
	    !json_get(&iobj, "status", &m))
		return -1;
	*status = strtol(m.val, NULL, 10);
	if (!json_get(&iobj, "error", err))
		err->val = NULL;
	*pp = e;
	return *status < 0 ? -1 : 0;
}

/* Checks the items of a 2xx response against the documents sent.
 * Returns 0, or -1 when the response is not a bulk response for them
 * (nothing is changed then). */
static int check_items(int *any_retry, char *first_why, size_t cap)
{
	struct json_member items, err;
	const char *p, *end;
	char msg[160], why[REASON_MAX + 64], what[REASON_MAX];
	size_t i;
	long status;

	if (json_scan(resp.p, resp.len, &robj, msg, sizeof msg) < 0 ||
	    !json_get(&robj, "items", &items) || items.type != JSON_ARRAY)
		return -1;
	/* Count first, so that a short answer changes nothing. */
	p = items.val + 1;
	end = items.val + items.vlen;
	for (i = 0; i < sending; i++)
		if (next_item(&p, end, &status, &err) < 0)
			return -1;
	if (*skip_ws(p, end) != ']')
		return -1;
	p = items.val + 1;
	for (i = 0; i < sending; i++) {
		struct bdoc *b = &batch[i];
		int transient;

		next_item(&p, end, &status, &err);
		if (status >= 200 && status < 300) {
			indexed++;
			mark_done(b);
			continue;
		}
		/* The same record is there already: with --id-hash the id
		 * says so; with --id-field, when an earlier try of this
		 * document may have been indexed. */
		if (status == 409 && (id_hash || (id_field && b->d.ambiguous))) {
			indexed++;
			already++;
			mark_done(b);
			continue;
		}
		transient = status == 429 || status >= 500;
		what[0] = '\0';
		if (err.val != NULL)
			error_text(&err, what, sizeof what);
		snprintf(why, sizeof why, "%ld%s%s", status, what[0] ? " " : "",
		         what);
		if (doc_failed(b, transient, why) && (*any_retry)++ == 0)
			snprintf(first_why, cap, "%s", why);
	}
	return 0;
}

static void retry_later(void)
{
	retry_at = mono + backoff_next(&backoff);
}

/* The request failed as a whole: its documents are retried when the
 * failure may pass, else given up. */
static void whole_failed(int transient, int ambiguous, const char *why)
{
	size_t i, again = 0;

	for (i = 0; i < sending; i++) {
		if (ambiguous)
			batch[i].d.ambiguous = 1;
		if (doc_failed(&batch[i], transient, why))
			again++;
	}
	if (again > 0) {
		rt_warn("'%s': %s: retrying %zu document%s", url, why, again,
		        again == 1 ? "" : "s");
		retry_later();
	}
}

/* Transport errors that may pass: the server is away, busy or slow. */
static int transient_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_WRITE_ERROR:
		return 1;
	default:
		return 0;
	}
}

/*
 * Whether a certificate failed on its name rather than its chain.  The
 * X.509 verify result is then a name mismatch (62, 64), or 1 (not set):
 * libcurl checks the name itself, after the chain has passed.
 */
static int name_failed(void)
{
	long v = 0;

	if (curl_easy_getinfo(easy, CURLINFO_SSL_VERIFYRESULT, &v) != CURLE_OK)
		return 0;
	return v == 1 || v == 62 || v == 64;
}

/* The server will not take anything from us: stop. */
static void stop_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void stop_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_vwarn(fmt, ap);
	va_end(ap);
	fatal = 1;
	give_up_all();
}

/* What the end of the request in flight, with rc, means for each of its
 * documents: delivered, to be retried, or given up. */
static void settle(CURLcode rc)
{
	char why[REASON_MAX + 128], first[REASON_MAX + 64];
	long status = 0;
	int any_retry = 0;
	size_t i;

	if (rc != CURLE_OK) {
		/* A certificate that fails now fails on every try. */
		if (rc == CURLE_PEER_FAILED_VERIFICATION ||
		    rc == CURLE_SSL_CACERT_BADFILE)
			stop_fatal("'%s': %s: check %s", url,
			           curl_err[0] ? curl_err : curl_easy_strerror(rc),
			           rc == CURLE_PEER_FAILED_VERIFICATION &&
			           name_failed() ? "the host name in -u" :
			           "--cacert");
		else if (!transient_curl(rc))
			stop_fatal("cannot send to '%s': %s", url,
			           curl_err[0] ? curl_err : curl_easy_strerror(rc));
		else
			whole_failed(1, rc != CURLE_COULDNT_CONNECT &&
			             rc != CURLE_COULDNT_RESOLVE_HOST &&
			             rc != CURLE_COULDNT_RESOLVE_PROXY,
			             curl_easy_strerror(rc));
		return;
	}
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200 && status < 300 && !product_seen && !product_warned) {
		rt_warn("'%s': no X-Elastic-Product header: the server may not "
		        "be Elasticsearch", url);
		product_warned = 1;
	}
	if (status == 401 || status == 403) {
		http_error_text(status, why, sizeof why);
		stop_fatal("'%s': %s: %s", url, why, status == 401 ?
		           "check ES_API_KEY, or ES_USER and ES_PASSWORD" :
		           "the user may not write to these indices");
		return;
	}
	if (status == 413) {
		size_t len = 0;

		for (i = 0; i < sending; i++)
			len += batch[i].d.len;
		if (sending == 1) {
			batch[0].d.attempts--;
			doc_failed(&batch[0], 0, "HTTP 413: larger than the "
			           "server takes in one request");
		} else {
			body_cap = len / 2;
			rt_warn("'%s': HTTP 413: a request of %zu bytes is too "
			        "large: sending at most %zu from now on", url,
			        len, body_cap);
			for (i = 0; i < sending; i++)
				batch[i].d.attempts--;
		}
		return;
	}
	if (status == 429 || status >= 500) {
		http_error_text(status, why, sizeof why);
		whole_failed(1, status != 429 && status != 503, why);
		return;
	}
	if (status < 200 || status >= 300) {
		http_error_text(status, why, sizeof why);
		for (i = 0; i < sending; i++)
			doc_failed(&batch[i], 0, why);
		return;
	}
	if (check_items(&any_retry, first, sizeof first) < 0) {
		whole_failed(1, 1, "not a bulk response");
		return;
	}
	if (any_retry > 0) {
		rt_warn("'%s': %d of %zu document%s failed with %s: retrying them",
		        url, any_retry, sending, sending == 1 ? "" : "s", first);
		retry_later();
	} else {
		backoff_reset(&backoff);
		retry_at = 0;
	}
}

/* The request in flight ended with rc: deal with every document of it,
 * and keep in the batch those that are to be retried. */
static void finish_request(CURLcode rc)
{
	size_t i;

	curl_multi_remove_handle(cm.multi, easy);
	in_flight = 0;
	mono = tm_mono();
	if (up_resent)
		for (i = 0; i < sending; i++)
			batch[i].d.ambiguous = 1;
	settle(rc);
	compact();
}

/* Whether the batch should go now rather than wait for more. */
static int batch_ready(int full)
{
	if (nbatch == 0)
		return 0;
	return full || held || input_done || draining ||
	       batch[0].d.attempts > 0 || body.len > body_cap ||
	       mono - batch[0].d.queued >= flush_ms;
}

/* Starts the next request when it is due. */
static void dispatch(void)
{
	int full;

	if (in_flight || fatal || mono < retry_at)
		return;
	full = fill_batch();
	if (batch_ready(full))
		send_request();
}

/* The drain is over: what has not gone by now is given up. */
static void drain_expired(void)
{
	unsigned long long before = undelivered;

	if (in_flight) {
		curl_multi_remove_handle(cm.multi, easy);
		in_flight = 0;
	}
	give_up_all();
	rt_warn("drain timeout: %llu document%s not delivered", undelivered -
	        before, undelivered - before == 1 ? "" : "s");
	fatal = 1;
}

static int finished(void)
{
	return !reading() && !held && q.n == 0 && nbatch == 0 && !in_flight;
}

/* Until when the loop may wait: curl's timer, the retry delay, the flush
 * interval of the oldest document, --rate, the drain deadline. */
static int64_t poll_due(int more_input)
{
	int64_t t = INT64_MAX;

	if (more_input)
		return mono;
	if (cm.due >= 0)
		t = cm.due;
	if (!in_flight && !fatal && (nbatch > 0 || q.n > 0)) {
		int64_t due = retry_at;

		if (nbatch > 0 && batch[0].d.attempts == 0 &&
		    batch[0].d.queued + flush_ms > due)
			due = batch[0].d.queued + flush_ms;
		if (nbatch == 0 && q.n > 0)
			due = mono;
		if (!bucket_ready(&bucket) && nbatch == 0 &&
		    bucket_due(&bucket, mono) > due)
			due = bucket_due(&bucket, mono);
		if (due < t)
			t = due;
	}
	if (draining && drain_deadline < t)
		t = drain_deadline;
	return t;
}

/* curlm's done function: the request in flight has its answer. */
static void request_done(CURL *e, CURLcode rc, void *arg)
{
	(void)e;
	(void)arg;
	if (in_flight)
		finish_request(rc);
}

/* The poll loop: standard input into the queue, the queue into
 * requests, responses into delivered or retried documents. */
static void run(void)
{
	struct pollfd pfd[CURLM_MAX_SOCKS + 1];
	struct loop loop;
	size_t n, cslot;
	int more, rc;

	loop_begin(&loop);
	for (;;) {
		mono = tm_mono();
		if (rt_stop && !draining) {
			draining = 1;
			drain_deadline = mono + drain_ms;
		}
		if (draining && !fatal && mono >= drain_deadline &&
		    !finished())
			drain_expired();
		more = take_input();
		dispatch();
		if (finished())
			break;
		echo_flush();
		cslot = 0;
		if (reading() && !held) {
			if (!more && rt.in.fd >= 0) {
				pfd[0].fd = rt.in.fd;
				pfd[0].events = POLLIN;
				cslot = 1;
			} else {
				more = 1;
			}
		}
		n = cslot + curlm_pollfds(&cm, pfd + cslot, 0);
		rc = loop_wait(&loop, pfd, n, poll_due(more), mono);
		mono = tm_mono();
		if (rc > 0)
			curlm_act(&cm, pfd + cslot, n - cslot);
		curlm_timer(&cm, mono);
	}
	loop_end(&loop);
}

/* ---- setup ---- */

static void add_header(const char *h)
{
	struct curl_slist *l = curl_slist_append(headers, h);

	if (l == NULL)
		rt_oom();
	headers = l;
}

/* The bulk URL, and a check that -u is a URL curl takes and holds no
 * credentials, which belong in the environment. */
static void make_url(void)
{
	/* Only what is checked comes back: a sixth of the full answer or less. */
	static const char bulk[] = "/_bulk?filter_path=errors,items.*.error,"
	                           "items.*.status";
	static const char pipe_param[] = "&pipeline=";
	CURLU *u = curl_url();
	char *user = NULL, *scheme = NULL, *esc = NULL;
	size_t n = strlen(url);
	struct buf b = { 0 };

	if (u == NULL)
		rt_oom();
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		rt_die(2, "-u: not a URL: '%s'", url);
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		rt_die(2, "-u: expected an http or https URL: '%s'", url);
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK)
		rt_die(2, "-u: credentials in the URL would show in the process "
		       "list: use ES_USER and ES_PASSWORD");
	if (strchr(url, '?') != NULL || strchr(url, '#') != NULL)
		rt_die(2, "-u: expected a URL without query or fragment: '%s'",
		       url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	if (buf_add(&b, url, n) < 0 || buf_add(&b, bulk, sizeof bulk - 1) < 0)
		rt_oom();
	if (pipeline != NULL) {
		if ((esc = curl_easy_escape(NULL, pipeline, 0)) == NULL ||
		    buf_add(&b, pipe_param, sizeof pipe_param - 1) < 0 ||
		    buf_add(&b, esc, strlen(esc)) < 0)
			rt_oom();
		curl_free(esc);
	}
	if (buf_addc(&b, '\0') < 0)
		rt_oom();
	bulk_url = b.p;
	curl_free(scheme);
	curl_url_cleanup(u);
}

#define SET(opt, val) \
	do { \
		CURLcode c_ = curl_easy_setopt(easy, opt, val); \
		if (c_ != CURLE_OK) \
			rt_die(1, "curl: %s: %s", #opt, curl_easy_strerror(c_)); \
	} while (0)

static void setup_curl(void)
{
	const char *key = getenv("ES_API_KEY"), *user = getenv("ES_USER");
	const char *pass = getenv("ES_PASSWORD");
	char *auth;

	if (key != NULL && *key == '\0')
		key = NULL;
	if (user != NULL && *user == '\0')
		user = NULL;
	if (key != NULL && user != NULL)
		rt_die(2, "ES_API_KEY and ES_USER cannot be used together");
	if (user != NULL && pass == NULL)
		rt_die(2, "ES_USER needs ES_PASSWORD");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    curlm_init(&cm, request_done, NULL) < 0 ||
	    (easy = curl_easy_init()) == NULL)
		rt_die(1, "curl: cannot initialise");
	add_header("Content-Type: application/x-ndjson");
	add_header("Expect:");
	if (gzip_body)
		add_header("Content-Encoding: gzip");
	if (key != NULL) {
		size_t n = strlen(key) + 32;

		auth = rt_xrealloc(NULL, n);
		snprintf(auth, n, "Authorization: ApiKey %s", key);
		add_header(auth);
		memset(auth, 0, n);
		free(auth);
	}
	SET(CURLOPT_URL, bulk_url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_POST, 1L);
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_READFUNCTION, on_read);
	SET(CURLOPT_SEEKFUNCTION, on_seek);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_ERRORBUFFER, curl_err);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)connect_ms);
	SET(CURLOPT_TCP_NODELAY, 1L);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_USERAGENT, "es-sink/" RTPIPE_VERSION " (rtpipe)");
	if (user != NULL) {
		SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		SET(CURLOPT_USERNAME, user);
		SET(CURLOPT_PASSWORD, pass);
	}
	if (cacert != NULL) {
		/* Checked now: curl would only find out at the first request. */
		FILE *f = fopen(cacert, "r");

		if (f != NULL)
			fclose(f);
		else
			rt_die(1, "--cacert: cannot open '%s': %s", cacert,
			       strerror(errno));
		SET(CURLOPT_CAINFO, cacert);
	}
	if (insecure) {
		SET(CURLOPT_SSL_VERIFYPEER, 0L);
		SET(CURLOPT_SSL_VERIFYHOST, 0L);
	}
	curl_multi_setopt(cm.multi, CURLMOPT_MAXCONNECTS, 1L);
	if (gzip_body && deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8,
	                              Z_DEFAULT_STRATEGY) != Z_OK)
		rt_oom();
}

static void cleanup(void)
{
	if (in_flight)
		curl_multi_remove_handle(cm.multi, easy);
	curl_easy_cleanup(easy);
	curlm_free(&cm);
	curl_slist_free_all(headers);
	curl_global_cleanup();
	if (gzip_body)
		deflateEnd(&zs);
	free(bulk_url);
	free(batch);
	buf_free(&body);
	buf_free(&raws);
	buf_free(&gz);
	buf_free(&resp);
	buf_free(&scratch);
	buf_free(&idbuf);
	out_free(&ent);
	json_obj_free(&inrec.obj);
	json_obj_free(&robj);
	json_obj_free(&iobj);
	json_obj_free(&eobj);
	queue_free(&q);
}

static void usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f,
	    "usage: es-sink [-u URL] [-i INDEX] [-t FIELD] [--time-format FORMAT]"
	    " [--op index|create]\n"
	    "               [--id-field FIELD | --id-hash] [--pipeline NAME]"
	    " [--batch-docs N]\n"
	    "               [--batch-bytes SIZE] [--flush-interval DUR]"
	    " [--retries N] [--retry-for DUR]\n"
	    "               [--backoff-max DUR] [--timeout DUR]"
	    " [--connect-timeout DUR] [--gzip]\n"
	    "               [--cacert FILE] [--insecure] [--buffer SIZE]"
	    " [--on-full POLICY] [--rate N]\n"
	    "               [--drain-timeout DUR] [--echo] [-V] [--unbuffered]"
	    " [--stats] [--strict]\n"
	    "               [--dead-letter FILE] [--max-line SIZE] [file ...]\n");
	exit(status);
}

enum {
	OPT_TIME_FORMAT = 1, OPT_OP, OPT_ID_FIELD, OPT_ID_HASH, OPT_PIPELINE,
	OPT_BATCH_DOCS, OPT_BATCH_BYTES, OPT_FLUSH, OPT_RETRIES, OPT_RETRY_FOR,
	OPT_BACKOFF_MAX, OPT_TIMEOUT, OPT_CONNECT_TIMEOUT, OPT_GZIP,
	OPT_CACERT, OPT_INSECURE, OPT_BUFFER, OPT_ON_FULL, OPT_RATE,
	OPT_DRAIN, OPT_ECHO
};

static const struct option longopts[] = {
	RT_LONGOPTS,
	{"url", required_argument, NULL, 'u'},
	{"index", required_argument, NULL, 'i'},
	{"time-field", required_argument, NULL, 't'},
	{"time-format", required_argument, NULL, OPT_TIME_FORMAT},
	{"op", required_argument, NULL, OPT_OP},
	{"id-field", required_argument, NULL, OPT_ID_FIELD},
	{"id-hash", no_argument, NULL, OPT_ID_HASH},
	{"pipeline", required_argument, NULL, OPT_PIPELINE},
	{"batch-docs", required_argument, NULL, OPT_BATCH_DOCS},
	{"batch-bytes", required_argument, NULL, OPT_BATCH_BYTES},
	{"flush-interval", required_argument, NULL, OPT_FLUSH},
	{"retries", required_argument, NULL, OPT_RETRIES},
	{"retry-for", required_argument, NULL, OPT_RETRY_FOR},
	{"backoff-max", required_argument, NULL, OPT_BACKOFF_MAX},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
	{"gzip", no_argument, NULL, OPT_GZIP},
	{"cacert", required_argument, NULL, OPT_CACERT},
	{"insecure", no_argument, NULL, OPT_INSECURE},
	{"buffer", required_argument, NULL, OPT_BUFFER},
	{"on-full", required_argument, NULL, OPT_ON_FULL},
	{"rate", required_argument, NULL, OPT_RATE},
	{"drain-timeout", required_argument, NULL, OPT_DRAIN},
	{"echo", no_argument, NULL, OPT_ECHO},
	{NULL, 0, NULL, 0}
};

static void parse_options(int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "hVu:i:t:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(0); break;
		case 'u': url = optarg; break;
		case 'i': index_pat = optarg; break;
		case 't': time_field = optarg; break;
		case OPT_TIME_FORMAT: time_mode = rt_opt_time_format("--time-format", optarg); break;
		case OPT_OP:
			if (strcmp(optarg, "index") != 0 &&
			    strcmp(optarg, "create") != 0)
				rt_die(2, "--op: expected index or create: '%s'",
				       optarg);
			op_create = strcmp(optarg, "create") == 0;
			break;
		case OPT_ID_FIELD: id_field = optarg; break;
		case OPT_ID_HASH: id_hash = 1; break;
		case OPT_PIPELINE:
			if (*optarg == '\0')
				rt_die(2, "--pipeline: empty name");
			pipeline = optarg;
			break;
		case OPT_BATCH_DOCS:
			batch_docs = rt_opt_int("--batch-docs", optarg, 1, 1000000);
			break;
		case OPT_BATCH_BYTES:
			batch_bytes = rt_opt_size("--batch-bytes", optarg, 1024,
			                          1LL << 30);
			break;
		case OPT_FLUSH:
			flush_ms = rt_opt_dur("--flush-interval", optarg, 0,
			                      86400000);
			break;
		case OPT_RETRIES:
			max_retries = rt_opt_int("--retries", optarg, 0, 1000000);
			break;
		case OPT_RETRY_FOR:
			retry_for = rt_opt_dur("--retry-for", optarg, 1,
			                       100LL * 86400000);
			break;
		case OPT_BACKOFF_MAX:
			backoff_max = rt_opt_dur("--backoff-max", optarg,
			                         BACKOFF_MIN, 86400000);
			break;
		case OPT_TIMEOUT:
			timeout_ms = rt_opt_dur("--timeout", optarg, 1, 86400000);
			break;
		case OPT_CONNECT_TIMEOUT:
			connect_ms = rt_opt_dur("--connect-timeout", optarg, 1,
			                        86400000);
			break;
		case OPT_GZIP: gzip_body = 1; break;
		case OPT_CACERT: cacert = optarg; break;
		case OPT_INSECURE: insecure = 1; break;
		case OPT_BUFFER:
			buffer_size = rt_opt_size("--buffer", optarg, 65536,
			                          1LL << 40);
			break;
		case OPT_ON_FULL: on_full = rt_opt_on_full("--on-full", optarg); break;
		case OPT_RATE:
			rate = rt_opt_double("--rate", optarg, 0.01, 1e9);
			break;
		case OPT_DRAIN:
			drain_ms = rt_opt_dur("--drain-timeout", optarg, 0,
			                      86400000);
			break;
		case OPT_ECHO: echo = 1; break;
		case RT_OPT_MAX_LINE:
			max_line_given = 1;
			rt_option(c, optarg);
			break;
		default:
			if (!rt_option(c, optarg))
				usage(2);
		}
	}
}

/* Rules between options, one message each. */
static void check_options(void)
{
	if (id_field != NULL && id_hash)
		rt_die(2, "--id-field and --id-hash cannot be used together");
	if (cacert != NULL && insecure)
		rt_die(2, "--cacert and --insecure cannot be used together");
	if (max_retries < 0)
		max_retries = retry_for > 0 ? -1 : DEFAULT_RETRIES;
	strict = rt.strict;
	rt.strict = 0;		/* the first bad record ends input, not all */
	check_index();
	make_url();
}

/* Every record must fit the queue: --max-line within --buffer. */
static void check_sizes(void)
{
	size_t room = queue_max(&q), need = sizeof(struct doc) + ACTION_ROOM + 8;

	if (room > need && (room - need) / 4 >= rt.max_line)
		return;
	if (max_line_given)
		rt_die(2, "--buffer: %lld bytes do not hold a record of "
		       "--max-line %zu", buffer_size, rt.max_line);
	rt.max_line = room > need ? (room - need) / 4 : 1;
}

int main(int argc, char **argv)
{
	int status;

	rt_init("es-sink");
	parse_options(argc, argv);
	check_options();
	if (queue_init(&q, (size_t)buffer_size) < 0 || out_init(&ent, -1) < 0)
		rt_oom();
	check_sizes();
	rt_stat("indexed", &indexed);
	rt_stat("retried", &retried);
	rt_stat("rejected", &rejected);
	rt_stat("expired", &expired);
	rt_stat("undelivered", &undelivered);
	rt_stat("already_indexed", &already);
	rt_stat("no_time", &no_time);
	rt_stat("requests", &requests);
	rt_stat("bytes", &bytes_sent);
	backoff_init(&backoff, BACKOFF_MIN, backoff_max);
	setup_curl();
	mono = tm_mono();
	bucket_init(&bucket, rate, mono);
	rt_open_input(argc - optind, argv + optind);
	run();
	echo_flush();
	if (no_time > 1)
		rt_warn("%llu records without a usable time in '%s' were indexed "
		        "by the time they were read", no_time, time_field);
	if (reports.hidden > 0)
		rt_warn("%llu failures in all (%llu not shown)", reports.n,
		        reports.hidden);
	if (fatal && !input_done && !draining)
		rt_warn("stopped before the end of the input");
	if (undelivered + rt.bad_input > 0)
		rt_warn("%llu record%s not delivered%s%s%s",
		        undelivered + rt.bad_input,
		        undelivered + rt.bad_input == 1 ? "" : "s",
		        rt.dead_path ? ": kept in '" : "",
		        rt.dead_path ? rt.dead_path : "",
		        rt.dead_path ? "'" : "");
	status = undelivered + rt.bad_input > 0 || fatal || echo_failed;
	cleanup();
	return rt_finish(status);
}
