/*
 * http-source: streaming HTTP APIs as NDJSON records.
 *
 * One URL, read in one of three ways: an NDJSON stream (one object per
 * line of a long response), a server-sent event stream (--sse, the way
 * Mastodon and other social networks push posts), or a JSON API polled
 * every --poll DUR.  The transfer runs in libcurl's multi interface under
 * our own poll loop, so that standard output, timers and signals share one
 * wait.  Records wait in a bounded queue (the stage buffer) between the
 * network and standard output; when it is full the transfer is paused, so
 * that TCP flow control slows the server, or records are dropped, counted.
 *
 * A stream that ends or breaks is requested again: after the server's
 * retry time for event streams, else after a capped, jittered backoff, and
 * with the Last-Event-ID of the last event seen so that the server can
 * resume where the stream broke.  At most one request is under way, and a
 * new one starts only when everything the last one brought is parsed.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "curlm.h"
#include "htab.h"
#include "loop.h"
#include "rt.h"
#include "stage.h"

#define DEFAULT_BUFFER	(8LL * 1024 * 1024)
#define BACKOFF_MIN	100		/* ms before the first retry */
#define ERR_BODY_MAX	200		/* bytes of an error body reported */
#define MAX_EVENTS	32		/* --event names */
#define RETRY_MAX	86400000LL	/* longest retry or Retry-After, ms */

enum mode { NDJSON, SSE, POLL };

static const char *url;			/* the operand */
static enum mode mode;			/* from --sse and --poll */
static int64_t poll_every;		/* --poll, ms */
static struct curl_slist *headers;	/* -H, auth and defaults */
static int user_accept, user_cache;	/* -H gave Accept, Cache-Control */
static const char *token_file;		/* --token-file */
static const char *events[MAX_EVENTS];	/* --event: the types kept */
static int nevents;
static int envelope;			/* --envelope */
static int json_only;			/* --json */
static const char *last_id_opt;		/* --last-event-id */
static const char *html_field;		/* --html-to-text FIELD[=OUT] */
static const char *html_out;
static const char *since_field;		/* --since */
static const char *array_path;		/* --path */
static int once;			/* --once */
static int verbose;			/* -v */
static const char *cacert;		/* --cacert */
static int insecure;			/* --insecure */
static int64_t connect_timeout = 10000;	/* --connect-timeout, ms */
static int64_t idle_timeout;		/* --idle-timeout, ms; 0 = none */
static const char *idle_arg;		/* ... as given, for messages */
static int64_t backoff_max = 30000;	/* --backoff-max, ms */
static long long buffer_size = DEFAULT_BUFFER;	/* --buffer */
static int on_full = RT_BLOCK;		/* --on-full */
static double rate;			/* --rate: records/s, 0 = unlimited */

/* curl: one easy handle, reused so that connections are kept alive. */
static struct curlm cm;
static CURL *easy;
static struct curl_slist *req_headers;	/* headers of the request under way */

static int active;			/* a request is under way */
static int curl_paused;			/* ... and paused: the queue is full */
static int64_t next_at;			/* when the next request starts */
static int64_t started_at, last_byte_at;
static int draining;			/* no more requests */
static int failing;			/* the last attempt failed */
static int status;			/* the exit status so far */
static struct backoff backoff;
static int64_t sse_retry = -1;		/* the server's retry:, ms */

/* The response being received. */
static struct {
	long code;
	int begun;		/* its status is known */
	int ok;			/* 2xx (or 304 when polling): a good answer */
	int too_large;		/* a polled body passed --max-line */
	int fatal;		/* no use trying again */
	unsigned long long bytes;	/* of its body */
	int64_t retry_after;	/* ms, -1 when not given */
	char reason[64];
	struct buf etag, modified, ctype, body;
} resp;
static struct buf etag, modified;	/* validators of the last 200 poll */

/* Bytes received and not yet parsed: in.p[in_off..in.len). */
static struct buf in;
static size_t in_off;
static int in_eof;			/* the response is complete */
static int bom_done;			/* the start of the stream is past */
static int skipping;			/* inside an overlong line */
static int skip_lf;			/* a CR ended the last line */
static unsigned long long lineno;	/* lines (SSE: events) of the stream */

/* Server-sent events: the buffers of the event being read. */
static struct buf data, type, idbuf, last_id;
static const char *broken;		/* why the event is bad, or NULL */

/* Polling: the elements of the last answer still to emit. */
struct key {
	int kind;		/* K_INT, K_NUM, K_TIME, K_STR */
	const char *p;		/* text, quotes removed */
	size_t n;
	double d;
	int64_t t;
};
enum { K_INT, K_NUM, K_TIME, K_STR };
struct elem {
	const char *p;
	size_t n;
	size_t index;
	struct key key;
};
static struct elem *elems;
static size_t nelems, elems_cap, next_elem;
static struct key max_seen;		/* --since: the greatest value yet */
static int have_max;
static struct buf max_text;
/* Without --since: the elements of the last answer, byte for byte, and
 * those of the answer being taken apart. */
static struct htab seen, seen_next;

/* A record made and not yet queued, waiting for room. */
static struct out rec;
static int pending;

static struct stage st;			/* the queue between curl and stdout */
static int stdout_flags = -1;		/* to put back at exit */
static int64_t mono_ms;
static struct json_obj obj;
static struct buf scratch, text;

static unsigned long long requests, connections, failures, bytes_in;
static unsigned long long nevents_in, filtered, skipped, not_modified;
static unsigned long long paused;

/* Bad input at a position of the response, the URL, kind and at: "URL:12"
 * (kind ":"), "URL: event 3" (kind ": event "); a NULL kind is the
 * response as a whole, "URL".  The text is made only for a report. */
static void __attribute__((format(printf, 5, 6)))
bad_at(const char *kind, unsigned long long at, const char *p, size_t n,
       const char *fmt, ...)
{
	char where[1024];
	va_list ap;

	if (kind != NULL)
		snprintf(where, sizeof where, "%s%s%llu", url, kind, at);
	else
		snprintf(where, sizeof where, "%s", url);
	va_start(ap, fmt);
	rt_vbad_at(where, p, n, fmt, ap);
	va_end(ap);
}

/* Whether the n bytes at p are the string s; same_ci ignores ASCII case. */
static int same(const char *p, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(p, s, n) == 0;
}

static int same_ci(const char *p, size_t n, const char *s)
{
	return strlen(s) == n && strncasecmp(p, s, n) == 0;
}

/*
 * Output.  Records are made in rec, then go straight to the output buffer
 * when nothing waits before them, or into the queue.
 */

static void emit(const void *p, size_t n)
{
	out_write(&rt.out, p, n);
	out_putc(&rt.out, '\n');
	rt.records_out++;
}

/* out_room on stdout, after writing what stdout takes now when that
 * makes room. */
static int room_now(size_t need)
{
	if (out_room(&rt.out, need))
		return 1;
	if (!st.blocked)
		stage_flush(&st);
	return out_room(&rt.out, need);
}

/* Starts a record in rec with room for the worst case of n bytes of input
 * (every byte escaped), so that the writer never has to flush rec. */
static void rec_start(size_t n)
{
	size_t need = 6 * n + 6 * 4096 + 1024;

	rec.len = 0;
	if (rec.cap < need)
		out_grow(&rec, need);
	if (rec.err)
		rt_oom();
}

/* Queues the record in rec, or sets pending when it must wait. */
static void offer(void)
{
	size_t n = rec.len;
	char *p;

	rt.out.repaired += rec.repaired;
	rec.repaired = 0;
	pending = 0;
	if (st.q.n == 0 && rate == 0 && room_now(n + 1)) {
		emit(rec.buf, n);
		return;
	}
	/* A record larger than the whole queue waits for it to empty. */
	if (n > queue_max(&st.q)) {
		if (st.q.n == 0 && out_room(&rt.out, n + 1))
			emit(rec.buf, n);
		else
			pending = 1;
		return;
	}
	if ((p = queue_push(&st.q, n)) != NULL) {
		st.queued++;
	} else {
		/* Curl hands over many reads in one go: before the queue
		 * counts as full, stdout takes what it can now. */
		if (!st.blocked) {
			stage_release(&st, mono_ms);
			stage_flush(&st);
			stage_release(&st, mono_ms);
		}
		if ((p = stage_push(&st, n, mono_ms)) == NULL) {
			if (on_full == RT_BLOCK)
				pending = 1;
			return;
		}
	}
	memcpy(p, rec.buf, n);
}

/*
 * HTML to text, for --html-to-text: what a reader of the rendered HTML
 * sees, as plain text.  Tags are removed; <br> is a line break, the ends
 * of paragraphs and other blocks a blank line; runs of white space are one
 * space; comments and the insides of <script> and <style> go; character
 * references are decoded.  Breaks and spaces at the start and the end are
 * dropped.
 */

enum { BRK_NONE, BRK_SPACE, BRK_LINE, BRK_PARA };

static const struct { const char *name; unsigned cp; } entities[] = {
	{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
	{"nbsp", 0xa0}, {"hellip", 0x2026}, {"mdash", 0x2014},
	{"ndash", 0x2013}, {"lsquo", 0x2018}, {"rsquo", 0x2019},
	{"ldquo", 0x201c}, {"rdquo", 0x201d}, {"laquo", 0xab},
	{"raquo", 0xbb}, {"copy", 0xa9}, {"reg", 0xae}, {"trade", 0x2122},
	{"euro", 0x20ac}, {"middot", 0xb7}, {"bull", 0x2022}, {"deg", 0xb0},
};


/* The character reference at s[0] == '&': its code point and length, or
 * 0 when it is not one we know (the '&' is then text). */
static size_t entity(const char *s, const char *end, unsigned *cp)
{
	const char *p = s + 1, *semi;
	unsigned long v = 0;
	size_t i, n;
	int hex;

	semi = memchr(p, ';', (size_t)(end - p) < 34 ? (size_t)(end - p) : 34);
	if (semi == NULL || semi == p)
		return 0;
	if (*p == '#') {
		hex = p + 1 < semi && (p[1] == 'x' || p[1] == 'X');
		p += 1 + hex;
		if (p == semi)
			return 0;
		for (; p < semi; p++) {
			int d = hex && isxdigit((unsigned char)*p) ?
			        (isdigit((unsigned char)*p) ? *p - '0' :
			         (*p | 0x20) - 'a' + 10) :
			        isdigit((unsigned char)*p) ? *p - '0' : -1;

			if (d < 0)
				return 0;
			v = v * (hex ? 16 : 10) + (unsigned long)d;
			if (v > 0x10ffff)
				v = 0x110000;
		}
		*cp = (unsigned)v;
		return (size_t)(semi + 1 - s);
	}
	n = (size_t)(semi - p);
	for (i = 0; i < sizeof entities / sizeof *entities; i++)
		if (same(p, n, entities[i].name)) {
			*cp = entities[i].cp;
			return n + 2;
		}
	return 0;
}

static int is_name(const char *p, size_t n, const char *const *names)
{
	for (; *names; names++)
		if (same_ci(p, n, *names))
			return 1;
	return 0;
}

/* Skips past the end of the tag or comment at s[0] == '<' and says which
 * break it makes; returns NULL when s does not start a tag. */
static const char *tag(const char *s, const char *end, int *brk)
{
	static const char *const para[] = {
		"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
		"ul", "ol", "table", "hr", NULL
	};
	static const char *const line[] = {
		"br", "div", "li", "tr", "dt", "dd", "section", "article",
		"header", "footer", NULL
	};
	static const char *const cell[] = { "td", "th", NULL };
	static const char *const raw[] = { "script", "style", NULL };
	const char *p = s + 1, *name;
	char quote = 0;
	size_t n;
	int closing = 0;

	*brk = BRK_NONE;
	if (p < end && *p == '!') {
		if (end - p >= 3 && memcmp(p, "!--", 3) == 0) {
			for (p += 3; end - p >= 3; p++)
				if (memcmp(p, "-->", 3) == 0)
					return p + 3;
			return end;
		}
		p = memchr(p, '>', (size_t)(end - p));
		return p ? p + 1 : end;
	}
	if (p < end && *p == '/') {
		closing = 1;
		p++;
	}
	if (p == end || !isalpha((unsigned char)*p))
		return NULL;
	for (name = p; p < end && isalnum((unsigned char)*p); p++)
		continue;
	n = (size_t)(p - name);
	for (; p < end && (quote || *p != '>'); p++)
		if (quote && *p == quote)
			quote = 0;
		else if (!quote && (*p == '"' || *p == '\''))
			quote = *p;
	p = p < end ? p + 1 : end;
	if (is_name(name, n, para))
		*brk = BRK_PARA;
	else if (is_name(name, n, line))
		*brk = BRK_LINE;
	else if (is_name(name, n, cell))
		*brk = BRK_SPACE;
	if (!closing && is_name(name, n, raw)) {
		/* Skipped to its end tag. */
		for (; p < end; p++)
			if (end - p > (ptrdiff_t)n + 2 && p[0] == '<' &&
			    p[1] == '/' && strncasecmp(p + 2, name, n) == 0) {
				const char *gt = memchr(p, '>', (size_t)(end - p));

				return gt ? gt + 1 : end;
			}
		return end;
	}
	return p;
}

static void html_to_text(const char *s, size_t len, struct buf *b)
{
	static const char *const brks[] = { "", " ", "\n", "\n\n" };
	const char *p = s, *end = s + len, *next;
	int brk = BRK_NONE, b2, started = 0;
	unsigned cp;
	size_t n;

	b->len = 0;
	while (p < end) {
		if (*p == '<' && (next = tag(p, end, &b2)) != NULL) {
			if (b2 > brk)
				brk = b2;
			p = next;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		    *p == '\f') {
			if (brk < BRK_SPACE)
				brk = BRK_SPACE;
			p++;
			continue;
		}
		if (started && brk != BRK_NONE &&
		    buf_add(b, brks[brk], strlen(brks[brk])) < 0)
			rt_oom();
		brk = BRK_NONE;
		started = 1;
		if (*p == '&' && (n = entity(p, end, &cp)) > 0) {
			/* A reference to NUL stands for U+FFFD too. */
			if (buf_add_utf8(b, cp != 0 ? cp : 0xfffd) < 0)
				rt_oom();
			p += n;
		} else if (buf_addc(b, *p++) < 0) {
			rt_oom();
		}
	}
}

/* Writes the object s (scanned into o) to rec: as it is, or with the text
 * of --html-to-text's field added or put in place. */
static void put_object(const char *s, size_t n, const struct json_obj *o)
{
	const struct json_member *dst = NULL;
	struct json_member m;
	const char *t, *brace;
	size_t tlen, i, olen;

	if (html_field == NULL || !json_get(o, html_field, &m) ||
	    rt_string(&m, &scratch, &t, &tlen) < 0) {
		if (json_obj_plain(o))
			out_write(&rec, s, n);
		else
			out_json_raw(&rec, s, n);
		return;
	}
	html_to_text(t, tlen, &text);
	olen = strlen(html_out);
	for (i = 0; i < o->n; i++)
		if (!o->m[i].kesc && o->m[i].klen == olen &&
		    memcmp(o->m[i].key, html_out, olen) == 0)
			dst = &o->m[i];
	if (dst != NULL) {
		out_json_raw(&rec, s, (size_t)(dst->val - s));
		out_json_str(&rec, text.p, text.len);
		out_json_raw(&rec, dst->val + dst->vlen,
		             n - (size_t)(dst->val + dst->vlen - s));
		return;
	}
	for (brace = s + n - 1; *brace != '}'; brace--)
		continue;
	out_json_raw(&rec, s, (size_t)(brace - s));
	out_putc(&rec, ',');
	out_json_str(&rec, html_out, olen);
	out_putc(&rec, ':');
	out_json_str(&rec, text.p, text.len);
	out_json_raw(&rec, brace, n - (size_t)(brace - s));
}

/* A JSON object from an NDJSON line or a polled answer, as a record. */
static void object_record(const char *s, size_t n, const struct json_obj *o)
{
	rec_start(n + (html_field ? n : 0));
	put_object(s, n, o);
	offer();
}

/*
 * NDJSON streams: one object per line; empty lines (keep-alives) are
 * skipped, anything else that is not an object is bad input.
 */

static void ndjson_line(const char *p, size_t n)
{
	char err[160];
	size_t i = 0;

	lineno++;
	if (n == 0)
		return;
	rt.records_in++;
	if (json_scan(p, n, &obj, err, sizeof err) == 0) {
		object_record(p, n, &obj);
		return;
	}
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i < n && p[i] == '{')
		bad_at(":", lineno, p, n, "invalid JSON: %s", err);
	else
		bad_at(":", lineno, p, n, "not a JSON object");
}

/* Reports the line that passed --max-line; the rest of it is skipped. */
static void ndjson_long(const char *p)
{
	lineno++;
	rt.records_in++;
	bad_at(":", lineno, p, rt.max_line, "line too long (over %zu bytes)",
	       rt.max_line);
}

/* A UTF-8 byte order mark at the start of a stream is dropped; returns 0
 * when too few bytes have come to tell. */
static int strip_bom(void)
{
	static const char bom[3] = { '\xef', '\xbb', '\xbf' };
	size_t avail = in.len - in_off, k = avail < 3 ? avail : 3;

	if (avail == 0)
		return 0;
	if (memcmp(in.p + in_off, bom, k) != 0) {
		bom_done = 1;
		return 1;
	}
	if (k < 3 && !in_eof)
		return 0;
	if (k == 3)
		in_off += 3;
	bom_done = 1;
	return 1;
}

static void parse_ndjson(void)
{
	char *p, *nl;
	size_t avail, len;

	while (!pending && in_off < in.len) {
		if (!bom_done && !strip_bom())
			return;
		p = in.p + in_off;
		avail = in.len - in_off;
		if ((nl = memchr(p, '\n', avail)) == NULL) {
			if (skipping) {
				in_off = in.len;
				skipping = !in_eof;
			} else if (avail > rt.max_line + 1) {
				ndjson_long(p);
				in_off = in.len;
				skipping = !in_eof;
			} else if (in_eof && avail > 0) {
				/* An unterminated last line is a line. */
				in_off = in.len;
				ndjson_line(p, avail);
			}
			return;
		}
		len = (size_t)(nl - p);
		in_off += len + 1;
		if (skipping) {
			skipping = 0;
			continue;
		}
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > rt.max_line)
			ndjson_long(p);
		else
			ndjson_line(p, len);
	}
}

/*
 * Server-sent events, per the event-stream rules of the HTML standard.
 */

static int wanted(const char *t, size_t n)
{
	int i;

	if (nevents == 0)
		return 1;
	for (i = 0; i < nevents; i++)
		if (same(t, n, events[i]))
			return 1;
	return 0;
}

/* Data lines joined by spaces: JSON sees a newline as space, and a
 * record or a line of the dead-letter file cannot hold one. */
static void flatten(struct buf *b)
{
	char *p = b->p, *end = b->p + b->len;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL)
		*p++ = ' ';
}

/* The event being dispatched, as a record: its data if that is a JSON
 * object, else wrapped as {"event","id","data"}. */
static void event_record(const char *t, size_t tn)
{
	char err[160];
	char *d = data.p;
	size_t n = data.len, i = 0;
	int is_obj;

	while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n'))
		i++;
	is_obj = i < n && d[i] == '{';
	if (is_obj || json_only)
		flatten(&data);
	if (is_obj && json_scan(d, n, &obj, err, sizeof err) < 0) {
		bad_at(": event ", lineno, d, n, "invalid JSON: %s", err);
		return;
	}
	if (!is_obj && json_only) {
		bad_at(": event ", lineno, d, n, "not a JSON object");
		return;
	}
	rec_start(n + tn + last_id.len + (html_field ? n : 0));
	if (envelope || !is_obj) {
		out_lit(&rec, "{\"event\":");
		out_json_str(&rec, t, tn);
		if (last_id.len > 0) {
			out_lit(&rec, ",\"id\":");
			out_json_str(&rec, last_id.p, last_id.len);
		}
		out_lit(&rec, ",\"data\":");
	}
	if (is_obj)
		put_object(d, n, &obj);
	else
		out_json_str(&rec, d, n);
	if (envelope || !is_obj)
		out_putc(&rec, '}');
	offer();
}

static void set_buf(struct buf *b, const char *p, size_t n)
{
	b->len = 0;
	if (buf_add(b, p, n) < 0)
		rt_oom();
}

static void dispatch(void)
{
	const char *t = "message";
	size_t tn = 7;

	set_buf(&last_id, idbuf.p, idbuf.len);
	if (data.len == 0 && broken == NULL) {
		type.len = 0;
		return;
	}
	lineno++;
	nevents_in++;
	if (broken != NULL) {
		rt.records_in++;
		flatten(&data);
		bad_at(": event ", lineno, data.p, data.len,
		       "%s (over %zu bytes)", broken, rt.max_line);
	} else {
		data.len--;		/* the last line's newline */
		if (type.len > 0) {
			t = type.p;
			tn = type.len;
		}
		if (wanted(t, tn)) {
			rt.records_in++;
			event_record(t, tn);
		} else {
			filtered++;
		}
	}
	data.len = type.len = 0;
	broken = NULL;
}

static void sse_line(const char *p, size_t n)
{
	const char *colon, *v;
	size_t fn, vn, i;
	int64_t ms = 0;

	if (n == 0) {
		dispatch();
		return;
	}
	if (*p == ':')
		return;			/* a comment: heartbeats */
	colon = memchr(p, ':', n);
	fn = colon ? (size_t)(colon - p) : n;
	v = colon ? colon + 1 : p + n;
	vn = n - (size_t)(v - p);
	if (vn > 0 && *v == ' ') {
		v++;
		vn--;
	}
	if (same(p, fn, "data")) {
		if (broken != NULL)
			return;
		if (data.len + vn + 1 > rt.max_line) {
			broken = "event too long";
			return;
		}
		if (buf_add(&data, v, vn) < 0 || buf_addc(&data, '\n') < 0)
			rt_oom();
	} else if (same(p, fn, "event")) {
		set_buf(&type, v, vn);
	} else if (same(p, fn, "id")) {
		if (memchr(v, '\0', vn) == NULL)
			set_buf(&idbuf, v, vn);
	} else if (same(p, fn, "retry")) {
		for (i = 0; i < vn && isdigit((unsigned char)v[i]); i++)
			if ((ms = ms * 10 + (v[i] - '0')) > RETRY_MAX)
				ms = RETRY_MAX;
		if (vn > 0 && i == vn)
			sse_retry = ms;
	}
	/* Any other field is ignored, as the standard says. */
}

/* A line that passed --max-line: it breaks its event, unless it is a
 * comment (padding some servers send). */
static void sse_long(const char *p)
{
	if (*p == ':' || broken != NULL)
		return;
	broken = "line too long";
	set_buf(&data, p, rt.max_line);
}

/* Lines end at CRLF, LF or CR.  A CR at the end of what has come may be
 * the first half of a CRLF: the LF is then dropped when it comes.  Most
 * streams have no CR: one search finds the next in all that has come,
 * rather than one per line. */
static void parse_sse(void)
{
	char *p, *lf, *cr = NULL, *end;
	size_t avail, len;
	int cr_none = 0;	/* no CR from p to the end of what has come */

	while (!pending && in_off < in.len) {
		if (!bom_done && !strip_bom())
			return;
		p = in.p + in_off;
		avail = in.len - in_off;
		if (skip_lf && avail > 0) {
			skip_lf = 0;
			if (*p == '\n') {
				in_off++;
				continue;
			}
		}
		lf = memchr(p, '\n', avail);
		if (!cr_none && (cr == NULL || cr < p)) {
			cr = memchr(p, '\r', avail);
			cr_none = cr == NULL;
		}
		end = cr != NULL && cr >= p && (lf == NULL || cr < lf) ? cr : lf;
		if (end == NULL) {
			if (skipping) {
				in_off = in.len;
			} else if (avail > rt.max_line) {
				sse_long(p);
				in_off = in.len;
				skipping = 1;
			}
			break;
		}
		len = (size_t)(end - p);
		in_off += len + 1;
		if (*end == '\r') {
			if (len + 1 < avail && end[1] == '\n')
				in_off++;
			else if (len + 1 == avail)
				skip_lf = 1;
		}
		if (skipping)
			skipping = 0;
		else if (len > rt.max_line)
			sse_long(p);
		else
			sse_line(p, len);
	}
	/* At the end of the stream an incomplete event is discarded. */
	if (in_eof && !pending) {
		in_off = in.len;
		data.len = type.len = 0;
		broken = NULL;
		skipping = skip_lf = 0;
	}
}

/*
 * Polling: the answer is a JSON array of records, an object, or with
 * --path an object holding the array.
 */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static int is_int(const char *p, size_t n)
{
	size_t i = n > 0 && *p == '-';

	if (i == n)
		return 0;
	for (; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return 0;
	return 1;
}

/* The --since value of an element; -1 when it has none to compare. */
static int key_of(const struct json_obj *o, struct key *k)
{
	struct json_member m;

	if (!json_get(o, since_field, &m))
		return -1;
	if (m.type == JSON_NUMBER) {
		k->p = m.val;
		k->n = m.vlen;
		k->kind = is_int(k->p, k->n) ? K_INT : K_NUM;
	} else if (m.type == JSON_STRING) {
		k->p = m.val + 1;
		k->n = m.vlen - 2;
		k->kind = is_int(k->p, k->n) ? K_INT :
		          tm_parse_rfc3339(k->p, k->n, &k->t) == 0 ? K_TIME :
		          K_STR;
	} else {
		return -1;
	}
	if (k->kind == K_INT || k->kind == K_NUM) {
		char tmp[64];

		snprintf(tmp, sizeof tmp, "%.*s", (int)(k->n < 63 ? k->n : 63),
		         k->p);
		k->d = strtod(tmp, NULL);
	}
	return 0;
}

static int int_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int aneg = *a == '-', bneg = *b == '-', c;

	a += aneg;
	an -= (size_t)aneg;
	b += bneg;
	bn -= (size_t)bneg;
	while (an > 0 && *a == '0')
		a++, an--;
	while (bn > 0 && *b == '0')
		b++, bn--;
	if (an == 0)
		aneg = 0;
	if (bn == 0)
		bneg = 0;
	if (aneg != bneg)
		return aneg ? -1 : 1;
	c = an != bn ? (an < bn ? -1 : 1) : memcmp(a, b, an);
	c = c < 0 ? -1 : c > 0;
	return aneg ? -c : c;
}

/* Integers compare by value at any length, other numbers as doubles, RFC
 * 3339 times as times, anything else by length and then bytewise. */
static int key_cmp(const struct key *a, const struct key *b)
{
	int c;

	if (a->kind == K_INT && b->kind == K_INT)
		return int_cmp(a->p, a->n, b->p, b->n);
	if (a->kind <= K_NUM && b->kind <= K_NUM)
		return a->d < b->d ? -1 : a->d > b->d;
	if (a->kind == K_TIME && b->kind == K_TIME)
		return a->t < b->t ? -1 : a->t > b->t;
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	c = memcmp(a->p, b->p, a->n);
	return c < 0 ? -1 : c > 0;
}

static int elem_cmp(const void *x, const void *y)
{
	const struct elem *a = x, *b = y;
	int c = key_cmp(&a->key, &b->key);

	return c != 0 ? c : a->index < b->index ? -1 : a->index > b->index;
}

/* Without --since, an element is new unless the last answer held the
 * same bytes, or this one did before it.  Only one answer is remembered:
 * what the API's sliding list drops is forgotten. */
static int fresh(const char *p, size_t n)
{
	int created;

	if (htab_put(&seen_next, p, n, &created) == NULL)
		rt_oom();
	return created && htab_get(&seen, p, n) == NULL;
}

/* One element of the answer: kept for emitting when it is an object that
 * --since, or without it the last answer, does not rule out. */
static void poll_elem(const char *p, size_t n, size_t index)
{
	struct elem *e;
	struct key k;
	char err[160];

	if (since_field == NULL && !fresh(p, n)) {
		skipped++;
		return;
	}
	if (*p != '{') {
		rt.records_in++;
		bad_at(": element ", index, p, n, "not a JSON object");
		return;
	}
	if (json_scan(p, n, &obj, err, sizeof err) < 0) {
		rt.records_in++;
		bad_at(": element ", index, p, n, "invalid JSON: %s", err);
		return;
	}
	if (since_field != NULL) {
		if (key_of(&obj, &k) < 0) {
			rt.records_in++;
			bad_at(": element ", index, p, n, "no '%s' to compare",
			       since_field);
			return;
		}
		if (have_max && key_cmp(&k, &max_seen) <= 0) {
			skipped++;
			return;
		}
	}
	rt.records_in++;
	if (nelems == elems_cap) {
		elems_cap = elems_cap ? 2 * elems_cap : 64;
		elems = rt_xrealloc(elems, elems_cap * sizeof *elems);
	}
	e = &elems[nelems++];
	e->p = p;
	e->n = n;
	e->index = index;
	if (since_field != NULL)
		e->key = k;
}

/* Splits the array at p into elements, handing each to poll_elem when
 * take is set; -1 when it is malformed. */
static int split_array(const char *p, const char *end, int take)
{
	const char *v;
	size_t index = 0;

	p = skip_ws(p + 1, end);
	if (p < end && *p == ']')
		return skip_ws(p + 1, end) == end ? 0 : -1;
	for (;;) {
		if ((v = json_value_end(p, end)) == NULL)
			return -1;
		if (take)
			poll_elem(p, (size_t)(v - p), index);
		index++;
		p = skip_ws(v, end);
		if (p < end && *p == ',') {
			p = skip_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == ']')
			return skip_ws(p + 1, end) == end ? 0 : -1;
		return -1;
	}
}

/* Takes a polled answer apart into elements to emit. */
static void poll_answer(void)
{
	const char *s = in.p, *end = in.p + in.len, *p;
	char err[160];
	struct json_member m;

	nelems = next_elem = 0;
	in_off = 0;
	htab_clear(&seen_next);
	if (in.len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	p = skip_ws(s, end);
	if (p == end)
		return;
	if (*p == '{' && json_scan(s, (size_t)(end - s), &obj, err,
	                           sizeof err) < 0) {
		rt.records_in++;
		bad_at(NULL, 0, s, (size_t)(end - s), "invalid JSON: %s", err);
		return;
	}
	if (*p == '{' && array_path == NULL) {
		/* The object alone, without the white space around it. */
		while (end > p && strchr(" \t\r\n", end[-1]) != NULL)
			end--;
		poll_elem(p, (size_t)(end - p), 0);
	} else if (*p == '{') {
		if (!json_get(&obj, array_path, &m) || m.type != JSON_ARRAY) {
			rt.records_in++;
			bad_at(NULL, 0, s, (size_t)(end - s),
			       "no array at '%s'", array_path);
			return;
		}
		split_array(m.val, m.val + m.vlen, 1);
	} else if (*p == '[') {
		/* Checked whole first: a broken answer is one bad input. */
		if (split_array(p, end, 0) < 0) {
			rt.records_in++;
			bad_at(NULL, 0, s, (size_t)(end - s),
			       "invalid JSON: malformed array");
			return;
		}
		split_array(p, end, 1);
	} else {
		rt.records_in++;
		bad_at(NULL, 0, s, (size_t)(end - s),
		       "not a JSON array or object");
		return;
	}
	if (since_field != NULL && nelems > 0) {
		qsort(elems, nelems, sizeof *elems, elem_cmp);
		/* The greatest is last: it is the mark from now on. */
		set_buf(&max_text, elems[nelems - 1].key.p,
		        elems[nelems - 1].key.n);
		max_seen = elems[nelems - 1].key;
		max_seen.p = max_text.p;
		have_max = 1;
	}
	if (since_field == NULL) {
		struct htab t = seen;

		seen = seen_next;
		seen_next = t;
	}
}

static void parse_poll(void)
{
	char err[160];
	struct elem *e;

	while (!pending && next_elem < nelems) {
		e = &elems[next_elem++];
		if (json_scan(e->p, e->n, &obj, err, sizeof err) == 0)
			object_record(e->p, e->n, &obj);
	}
	if (next_elem == nelems)
		in_off = in.len;
}

static void parse(void)
{
	if (mode == SSE)
		parse_sse();
	else if (mode == NDJSON)
		parse_ndjson();
	else if (in_eof)
		parse_poll();
	/* What is parsed goes; a partial line moves to the front. */
	if (mode != POLL && in_off > 0) {
		memmove(in.p, in.p + in_off, in.len - in_off);
		in.len -= in_off;
		in_off = 0;
	}
}

/* Everything the last response brought is parsed and queued. */
static int idle(void)
{
	return !pending && in_off >= in.len &&
	       !(mode == POLL && next_elem < nelems);
}

/*
 * The HTTP side.
 */

/* Sanitised for one line of stderr. */
static void body_text(char *dst, size_t size)
{
	size_t i, n = resp.body.len < size - 1 ? resp.body.len : size - 1;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)resp.body.p[i];

		dst[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	while (n > 0 && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

static int64_t parse_retry_after(const char *p, size_t n)
{
	char tmp[128];
	time_t t;
	int64_t ms = 0;
	size_t i;

	if (is_int(p, n) && *p != '-') {
		for (i = 0; i < n; i++)
			if ((ms = ms * 10 + (p[i] - '0') * 1000) > RETRY_MAX)
				return RETRY_MAX;
		return ms;
	}
	snprintf(tmp, sizeof tmp, "%.*s", (int)(n < 127 ? n : 127), p);
	if ((t = curl_getdate(tmp, NULL)) < 0)
		return -1;
	ms = ((int64_t)t * 1000) - tm_now();
	return ms < 0 ? 0 : ms > RETRY_MAX ? RETRY_MAX : ms;
}

/* What the headers of a response tell is forgotten when another one
 * begins. */
static void forget_headers(void)
{
	resp.etag.len = resp.modified.len = resp.ctype.len = 0;
	resp.retry_after = -1;
	resp.reason[0] = '\0';
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	size_t n = size * nmemb, k;
	const char *v, *e = p + n;
	struct buf *dst = NULL;

	(void)arg;
	last_byte_at = tm_mono();
	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		/* A new response (after a redirect or a 100). */
		forget_headers();
		while (e > p && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' '))
			e--;
		/* "HTTP/1.1 404 Not Found": the reason phrase, if any. */
		if ((v = memchr(p, ' ', (size_t)(e - p))) != NULL &&
		    (v = memchr(v + 1, ' ', (size_t)(e - v - 1))) != NULL)
			snprintf(resp.reason, sizeof resp.reason, "%.*s",
			         (int)(e - v - 1), v + 1);
		return n;
	}
	if ((v = memchr(p, ':', n)) == NULL)
		return n;
	k = (size_t)(v - p);
	for (v++; v < e && (*v == ' ' || *v == '\t'); v++)
		continue;
	while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' '))
		e--;
	if (same_ci(p, k, "etag"))
		dst = &resp.etag;
	else if (same_ci(p, k, "last-modified"))
		dst = &resp.modified;
	else if (same_ci(p, k, "content-type"))
		dst = &resp.ctype;
	else if (same_ci(p, k, "retry-after"))
		resp.retry_after = parse_retry_after(v, (size_t)(e - v));
	if (dst != NULL)
		set_buf(dst, v, (size_t)(e - v));
	return n;
}

static void give_up(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The status is known: is the body data, an error to report, or reason
 * to stop?  Called once per response, before its first body byte. */
static void begin(void)
{
	const char *ct = resp.ctype.p;
	size_t k = 0;
	long code = 0;

	resp.begun = 1;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	resp.code = code;
	resp.ok = (code >= 200 && code < 300 && !(mode == SSE && code == 204)) ||
	          (mode == POLL && code == 304);
	if (!resp.ok)
		return;
	connections++;
	if (verbose)
		rt_warn("connected to '%s' (HTTP %ld)", url, code);
	if (mode != SSE)
		return;
	/* An event stream must say so: the media type, before any
	 * parameters, is text/event-stream. */
	while (k < resp.ctype.len && ct[k] != ';' && ct[k] != ' ')
		k++;
	if (!same_ci(ct, k, "text/event-stream")) {
		resp.ok = 0;
		resp.fatal = 1;
	}
}

/* The end of a series of failures, said once. */
static void recovered(void)
{
	if (failing) {
		rt_warn("'%s': receiving again", url);
		failing = 0;
	}
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	size_t n = size * nmemb;

	(void)arg;
	if (!resp.begun)
		begin();
	last_byte_at = tm_mono();
	if (resp.fatal)
		return 0;
	if (!resp.ok) {
		size_t room = ERR_BODY_MAX - resp.body.len;

		if (buf_add(&resp.body, p, n < room ? n : room) < 0)
			rt_oom();
		return n;
	}
	if (pending && !draining) {
		if (!curl_paused)
			paused++;
		curl_paused = 1;
		return CURL_WRITEFUNC_PAUSE;
	}
	/* A series of failures ends when data comes, not at the headers:
	 * a server that answers and then says nothing is failing too. */
	if (n > 0)
		recovered();
	bytes_in += n;
	resp.bytes += n;
	if (mode == POLL && in.len + n > rt.max_line) {
		resp.too_large = 1;
		return 0;
	}
	if (buf_add(&in, p, n) < 0)
		rt_oom();
	if (mode != POLL)
		parse();
	return n;
}

/* Appends "NAME: VALUE" to the list h, when there is a value. */
static struct curl_slist *resume_header(struct curl_slist *h, const char *name,
                                        const struct buf *v)
{
	size_t n = strlen(name) + v->len + 3;
	char *line;

	if (v->len == 0)
		return h;
	line = rt_xrealloc(NULL, n);
	snprintf(line, n, "%s: %.*s", name, (int)v->len, v->p);
	if ((h = curl_slist_append(h, line)) == NULL)
		rt_oom();
	free(line);
	return h;
}

/* The headers of the next request: the fixed ones, and what resumes. */
static void request_headers(void)
{
	struct curl_slist *l, *h = NULL;

	for (l = headers; l != NULL; l = l->next)
		if ((h = curl_slist_append(h, l->data)) == NULL)
			rt_oom();
	if (mode == SSE)
		h = resume_header(h, "Last-Event-ID", &last_id);
	if (mode == POLL) {
		h = resume_header(h, "If-None-Match", &etag);
		h = resume_header(h, "If-Modified-Since", &modified);
	}
	curl_slist_free_all(req_headers);
	req_headers = h;
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, req_headers);
}

static void start_request(void)
{
	CURLMcode mc;

	resp.code = 0;
	resp.begun = resp.ok = resp.too_large = resp.fatal = 0;
	resp.bytes = 0;
	resp.body.len = 0;
	forget_headers();
	in.len = in_off = 0;
	in_eof = bom_done = skipping = skip_lf = 0;
	lineno = 0;
	nelems = next_elem = 0;
	/* Each stream starts from the last event ID the source has. */
	data.len = type.len = 0;
	broken = NULL;
	set_buf(&idbuf, last_id.p, last_id.len);
	request_headers();
	if ((mc = curl_multi_add_handle(cm.multi, easy)) != CURLM_OK)
		rt_die(1, "cannot start a request: %s", curl_multi_strerror(mc));
	active = 1;
	requests++;
	started_at = last_byte_at = mono_ms;
	next_at = INT64_MAX;
}

static void give_up(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_vwarn(fmt, ap);
	va_end(ap);
	status = 1;
	draining = 1;
}

/* The attempt failed: report the first of a series, and try again. */
static void __attribute__((format(printf, 1, 2)))
failed(const char *fmt, ...)
{
	char msg[1024];
	int64_t wait;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	failures++;
	if (once) {
		give_up("%s", msg);
		return;
	}
	if (!failing || verbose)
		rt_warn("%s (retrying)", msg);
	failing = 1;
	wait = backoff_next(&backoff);
	if (sse_retry > wait)
		wait = sse_retry;
	if (resp.retry_after > wait)
		wait = resp.retry_after;
	if (mode == POLL && poll_every > wait)
		wait = poll_every;
	next_at = mono_ms + wait;
}

/* A stream that ended is requested again after the server's retry time,
 * or else after the backoff, which a stream that brought data resets. */
static void reconnect(int got_data)
{
	if (got_data)
		backoff_reset(&backoff);
	next_at = mono_ms + (sse_retry >= 0 ? sse_retry : backoff_next(&backoff));
}

/* The answer was had: the next request comes when the mode says. */
static void succeeded(int got_data)
{
	if (mode == POLL) {
		backoff_reset(&backoff);
		if (once)
			draining = 1;
		next_at = started_at + poll_every;
		if (resp.retry_after > 0 && mono_ms + resp.retry_after > next_at)
			next_at = mono_ms + resp.retry_after;
		return;
	}
	if (once) {
		draining = 1;
		return;
	}
	if (verbose)
		rt_warn("'%s': stream ended; reconnecting", url);
	reconnect(got_data);
}

/* The request under way has ended, one way or another; idle_out says
 * that it was ended for want of bytes. */
static void done(CURLcode rc, int idle_out)
{
	char body[ERR_BODY_MAX + 1];
	char what[sizeof body + sizeof resp.reason + 32];
	size_t n;

	curl_multi_remove_handle(cm.multi, easy);
	active = 0;
	curl_paused = 0;
	if (!resp.begun)
		begin();
	if (resp.fatal && mode == SSE && resp.code >= 200 && resp.code < 300) {
		give_up("'%s': not an event stream: Content-Type '%.*s'", url,
		        (int)resp.ctype.len, resp.ctype.p ? resp.ctype.p : "");
		return;
	}
	if (!resp.ok && resp.code > 0 && rc == CURLE_OK) {
		/* "HTTP 404 Not Found: what the body says" */
		n = (size_t)snprintf(what, sizeof what, "HTTP %ld%s%s",
		                     resp.code, resp.reason[0] ? " " : "",
		                     resp.reason);
		if (resp.code == 204) {
			rt_warn("'%s': %s: the server asks not to reconnect",
			        url, what);
			draining = 1;
			return;
		}
		body_text(body, sizeof body);
		if (body[0])
			snprintf(what + n, sizeof what - n, ": %s", body);
		if (resp.code == 401 || resp.code == 403)
			give_up("'%s': %s", url, what);
		else
			failed("'%s': %s", url, what);
		return;
	}
	if (!resp.ok) {
		failed("'%s': %s", url, curl_easy_strerror(rc));
		return;
	}
	/* A good answer, whole or broken off: parse what came. */
	in_eof = 1;
	if (mode == POLL && rc == CURLE_OK)
		recovered();
	if (mode == POLL && resp.code == 304) {
		not_modified++;
	} else if (mode == POLL && resp.too_large) {
		rt.records_in++;
		bad_at(NULL, 0, in.p, in.len,
		       "response too long (over %zu bytes)", rt.max_line);
		in.len = 0;
	} else if (mode == POLL && rc == CURLE_OK) {
		if (resp.etag.len > 0)
			set_buf(&etag, resp.etag.p, resp.etag.len);
		if (resp.modified.len > 0)
			set_buf(&modified, resp.modified.p, resp.modified.len);
		poll_answer();
	}
	parse();
	if (rc == CURLE_OK || (mode == POLL && resp.too_large)) {
		succeeded(resp.bytes > 0);
		return;
	}
	if (idle_out) {
		failed("'%s': no data for %s", url, idle_arg);
		return;
	}
	/* Broken off: a stream that brought data is resumed as one that
	 * ended; -v says why. */
	if (mode != POLL && resp.bytes > 0 && !once) {
		if (verbose)
			rt_warn("'%s': %s; reconnecting", url,
			        curl_easy_strerror(rc));
		reconnect(1);
		return;
	}
	failed("'%s': %s", url, curl_easy_strerror(rc));
}

/* curlm's done function: the transfer ended by itself. */
static void transfer_done(CURL *e, CURLcode rc, void *arg)
{
	(void)e;
	(void)arg;
	done(rc, 0);
}

/* No byte for --idle-timeout: the connection is taken for dead.  A paused
 * transfer waits for us, not for the server. */
static void check_idle(void)
{
	if (!active || curl_paused || idle_timeout == 0 ||
	    mono_ms - last_byte_at < idle_timeout)
		return;
	done(CURLE_OPERATION_TIMEDOUT, 1);
}

/* Stop requesting: what has come is parsed and written, and then we end.
 * Bytes curl holds for a paused transfer are taken in first. */
static void start_drain(void)
{
	draining = 1;
	next_at = INT64_MAX;
	if (!active)
		return;
	if (curl_paused) {
		curl_paused = 0;
		curl_easy_pause(easy, CURLPAUSE_CONT);
	}
	curl_multi_remove_handle(cm.multi, easy);
	active = 0;
	if (resp.ok) {
		in_eof = 1;
		if (mode != POLL)
			parse();
	}
}

/*
 * The loop: the network in, the queue between, stdout out.
 */

/* The room a queued record takes on stdout: its bytes and a newline. */
static size_t record_size(const void *p, size_t n)
{
	(void)p;
	return n + 1;
}

/* Parsing that waited for queue room goes on, and a paused transfer
 * resumes once everything it brought is queued.  Returns whether anything
 * moved. */
static int feed(void)
{
	size_t off = in_off, len = in.len, el = next_elem;
	int was = pending;

	if (!(pending || curl_paused || (in_eof && !idle())))
		return 0;	/* nothing waits for room */
	if (pending) {
		offer();
		if (pending)
			return 0;
	}
	parse();
	if (!pending && curl_paused && active) {
		curl_paused = 0;
		curl_easy_pause(easy, CURLPAUSE_CONT);
		return 1;
	}
	return was || in_off != off || in.len != len || next_elem != el;
}

static int finished(void)
{
	return draining && !active && idle() && st.q.n == 0 && rt.out.len == 0;
}

/* Until when poll may wait for the timers: curl's, the next request,
 * the rate, the idle timeout. */
static int64_t poll_due(void)
{
	int64_t t = stage_due(&st, mono_ms);

	if (cm.due >= 0 && cm.due < t)
		t = cm.due;
	if (!active && !draining && next_at < t)
		t = next_at;
	if (active && !curl_paused && idle_timeout > 0 &&
	    last_byte_at + idle_timeout < t)
		t = last_byte_at + idle_timeout;
	return t;
}

static void run(void)
{
	struct pollfd pfd[CURLM_MAX_SOCKS + 1];
	struct loop loop;
	size_t n;

	loop_begin(&loop);
	for (;;) {
		mono_ms = tm_mono();
		if (rt_stop)
			start_drain();
		if (!draining && !active && idle() && mono_ms >= next_at)
			start_request();
		curlm_timer(&cm, mono_ms);
		mono_ms = tm_mono();
		check_idle();
		/* Records go as far as they can; then only poll brings more. */
		stage_pump(&st, mono_ms, feed);
		if (finished())
			break;
		pfd[0].fd = st.blocked ? STDOUT_FILENO : -1;
		pfd[0].events = POLLOUT;
		n = 1 + curlm_pollfds(&cm, pfd + 1, curl_paused);
		if (loop_wait(&loop, pfd, n, poll_due(), mono_ms) > 0)
			curlm_act(&cm, pfd + 1, n - 1);
	}
	loop_end(&loop);
}

/*
 * Setting up.
 */

/* Puts stdout back as it was. */
static void cleanup(void)
{
	out_restore_flags(STDOUT_FILENO, stdout_flags);
	stdout_flags = -1;
}

static void add_header(const char *h)
{
	if ((headers = curl_slist_append(headers, h)) == NULL)
		rt_oom();
}

/* One -H header, checked: NAME: VALUE on one line. */
static void user_header(const char *h, const char *from)
{
	size_t k = strcspn(h, ":"), sp = strcspn(h, " \t");

	if (k == 0 || h[k] != ':' || sp < k)
		rt_die(2, "-H: expected 'NAME: VALUE'%s%s: '%s'",
		       from ? " in " : "", from ? from : "", h);
	if (strpbrk(h, "\r\n") != NULL)
		rt_die(2, "-H: a header must be one line%s%s", from ? ": " : "",
		       from ? from : "");
	if (same_ci(h, k, "accept"))
		user_accept = 1;
	if (same_ci(h, k, "cache-control"))
		user_cache = 1;
	add_header(h);
}

/* -H @FILE: one header per line, for those that hold secrets. */
static void header_file(const char *path)
{
	char *line = NULL, where[512];
	size_t cap = 0;
	ssize_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		rt_die(1, "cannot open '%s': %s", path, strerror(errno));
	snprintf(where, sizeof where, "'%s'", path);
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n > 0)
			user_header(line, where);
	}
	if (ferror(f))
		rt_die(1, "cannot read '%s': %s", path, strerror(errno));
	free(line);
	fclose(f);
}

/* The token in --token-file, without the white space that ends it. */
static void read_token(struct buf *tok)
{
	char chunk[4096];
	size_t n;
	FILE *f = fopen(token_file, "r");

	if (f == NULL)
		rt_die(1, "cannot open '%s': %s", token_file, strerror(errno));
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_add(tok, chunk, n) < 0)
			rt_oom();
	if (ferror(f))
		rt_die(1, "cannot read '%s': %s", token_file, strerror(errno));
	fclose(f);
	while (tok->len > 0 && isspace((unsigned char)tok->p[tok->len - 1]))
		tok->len--;
	if (tok->len == 0)
		rt_die(1, "'%s': no token in the file", token_file);
}

/* A bearer token from --token-file or HTTP_SOURCE_TOKEN, or a user and
 * password from HTTP_SOURCE_USER and HTTP_SOURCE_PASSWORD; never argv.
 * Copies of the token are wiped once curl has its own. */
static void setup_auth(void)
{
	static const char prefix[] = "Authorization: Bearer ";
	const char *env = getenv("HTTP_SOURCE_TOKEN");
	const char *user = getenv("HTTP_SOURCE_USER");
	const char *pass = getenv("HTTP_SOURCE_PASSWORD");
	struct buf tok = {0}, h = {0};

	if (token_file != NULL)
		read_token(&tok);
	else if (env != NULL && *env != '\0' &&
	         buf_add(&tok, env, strlen(env)) < 0)
		rt_oom();
	if (tok.len > 0 && user != NULL && *user != '\0')
		rt_die(2, "a bearer token (%s) and HTTP_SOURCE_USER cannot be "
		       "used together", token_file ? "--token-file" :
		       "HTTP_SOURCE_TOKEN");
	if (tok.len > 0) {
		if (memchr(tok.p, '\n', tok.len) || memchr(tok.p, '\r', tok.len) ||
		    memchr(tok.p, '\0', tok.len))
			rt_die(1, "the bearer token is not one line");
		if (buf_add(&h, prefix, sizeof prefix - 1) < 0 ||
		    buf_add(&h, tok.p, tok.len) < 0 || buf_addc(&h, '\0') < 0)
			rt_oom();
		add_header(h.p);
		memset(h.p, 0, h.len);
		memset(tok.p, 0, tok.len);
	}
	buf_free(&tok);
	buf_free(&h);
	if (user != NULL && *user != '\0') {
		curl_easy_setopt(easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(easy, CURLOPT_USERNAME, user);
		curl_easy_setopt(easy, CURLOPT_PASSWORD, pass ? pass : "");
	}
}

static void setup_curl(void)
{
	CURLcode rc;

	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK)
		rt_die(1, "cannot start libcurl: %s", curl_easy_strerror(rc));
	if (curlm_init(&cm, transfer_done, NULL) < 0 ||
	    (easy = curl_easy_init()) == NULL)
		rt_oom();
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "http-source/" RTPIPE_VERSION
	                 " (rtpipe)");
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long)connect_timeout);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
	if (cacert != NULL)
		curl_easy_setopt(easy, CURLOPT_CAINFO, cacert);
	if (insecure) {
		curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	setup_auth();
	if (!user_accept)
		add_header(mode == SSE ? "Accept: text/event-stream" :
		           mode == POLL ? "Accept: application/json" :
		           "Accept: application/x-ndjson, application/json");
	if (mode == SSE && !user_cache)
		add_header("Cache-Control: no-cache");
}

static void check_url(const char *u)
{
	CURLU *h = curl_url();
	CURLUcode rc;
	char *scheme = NULL;
	const char *why = NULL;

	if (h == NULL)
		rt_oom();
	if ((rc = curl_url_set(h, CURLUPART_URL, u, 0)) != CURLUE_OK)
		why = curl_url_strerror(rc);
	else if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	         (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
		why = "expected http:// or https://";
	curl_free(scheme);
	curl_url_cleanup(h);
	if (why != NULL)
		rt_die(2, "bad URL '%s': %s", u, why);
}

static void usage(int st)
{
	FILE *f = st ? stderr : stdout;

	fprintf(f,
	    "usage: http-source [options] URL\n"
	    "       http-source --sse [--event NAME] [--envelope] [--json]"
	    " [--last-event-id ID]\n"
	    "                   [options] URL\n"
	    "       http-source --poll DUR [--since FIELD] [--path FIELD]"
	    " [options] URL\n"
	    "options: [-uvV] [-H 'NAME: VALUE' | -H @FILE] [--token-file FILE]"
	    " [--once]\n"
	    "         [--html-to-text FIELD[=OUT]] [--cacert FILE]"
	    " [--insecure]\n"
	    "         [--connect-timeout DUR] [--idle-timeout DUR]"
	    " [--backoff-max DUR]\n"
	    "         [--buffer SIZE] [--on-full block|drop-oldest|drop-newest]"
	    " [--rate N]\n"
	    "         [--unbuffered] [--stats] [--strict] [--dead-letter FILE]"
	    " [--max-line SIZE]\n");
	exit(st);
}

enum {
	OPT_SSE = 1, OPT_POLL, OPT_EVENT, OPT_ENVELOPE, OPT_JSON,
	OPT_LAST_ID, OPT_SINCE, OPT_PATH, OPT_TOKEN_FILE, OPT_ONCE, OPT_HTML,
	OPT_CACERT, OPT_INSECURE, OPT_CONNECT_TIMEOUT, OPT_IDLE_TIMEOUT,
	OPT_BACKOFF_MAX, OPT_BUFFER, OPT_ON_FULL, OPT_RATE
};

static const struct option longopts[] = {
	RT_LONGOPTS,
	{"header", required_argument, NULL, 'H'},
	{"verbose", no_argument, NULL, 'v'},
	{"sse", no_argument, NULL, OPT_SSE},
	{"poll", required_argument, NULL, OPT_POLL},
	{"event", required_argument, NULL, OPT_EVENT},
	{"envelope", no_argument, NULL, OPT_ENVELOPE},
	{"json", no_argument, NULL, OPT_JSON},
	{"last-event-id", required_argument, NULL, OPT_LAST_ID},
	{"since", required_argument, NULL, OPT_SINCE},
	{"path", required_argument, NULL, OPT_PATH},
	{"token-file", required_argument, NULL, OPT_TOKEN_FILE},
	{"once", no_argument, NULL, OPT_ONCE},
	{"html-to-text", required_argument, NULL, OPT_HTML},
	{"cacert", required_argument, NULL, OPT_CACERT},
	{"insecure", no_argument, NULL, OPT_INSECURE},
	{"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
	{"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
	{"backoff-max", required_argument, NULL, OPT_BACKOFF_MAX},
	{"buffer", required_argument, NULL, OPT_BUFFER},
	{"on-full", required_argument, NULL, OPT_ON_FULL},
	{"rate", required_argument, NULL, OPT_RATE},
	{NULL, 0, NULL, 0}
};

/* --event NAME[,NAME...] */
static void add_events(char *arg)
{
	char *name, *save = NULL;

	for (name = strtok_r(arg, ",", &save); name != NULL;
	     name = strtok_r(NULL, ",", &save)) {
		if (nevents == MAX_EVENTS)
			rt_die(2, "--event: more than %d names", MAX_EVENTS);
		events[nevents++] = name;
	}
	if (nevents == 0)
		rt_die(2, "--event: expected a name");
}

/* --html-to-text FIELD[=OUT] */
static void html_option(char *arg)
{
	char *eq = strchr(arg, '=');

	html_field = arg;
	html_out = arg;
	if (eq != NULL) {
		*eq = '\0';
		html_out = eq + 1;
	}
	if (*html_field == '\0' || *html_out == '\0')
		rt_die(2, "--html-to-text: expected FIELD or FIELD=OUT");
	if (strchr(html_out, '.') != NULL)
		rt_die(2, "--html-to-text: '%s': the text goes to a top-level "
		       "field%s", html_out, eq ? "" : "; give =OUT");
}

/* The mode, rules between options, one message each, and the operand. */
static void check_options(int argc, char **argv, int sse)
{
	if (sse && poll_every > 0)
		rt_die(2, "--sse and --poll cannot be used together");
	mode = sse ? SSE : poll_every > 0 ? POLL : NDJSON;
	if (mode != SSE && nevents > 0)
		rt_die(2, "--event needs --sse");
	if (mode != SSE && envelope)
		rt_die(2, "--envelope needs --sse");
	if (mode != SSE && json_only)
		rt_die(2, "--json needs --sse");
	if (mode != SSE && last_id_opt)
		rt_die(2, "--last-event-id needs --sse");
	if (mode != POLL && since_field)
		rt_die(2, "--since needs --poll");
	if (mode != POLL && array_path)
		rt_die(2, "--path needs --poll");
	if (argc - optind != 1) {
		rt_warn("%s", argc - optind < 1 ? "missing operand" :
		        "too many operands");
		usage(2);
	}
	url = argv[optind];
	check_url(url);
	if (last_id_opt != NULL) {
		if (strpbrk(last_id_opt, "\r\n") != NULL)
			rt_die(2, "--last-event-id: must be one line");
		set_buf(&last_id, last_id_opt, strlen(last_id_opt));
	}
}

int main(int argc, char **argv)
{
	int c, sse = 0;

	rt_init("http-source");
	while ((c = getopt_long(argc, argv, "hVuvH:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(0); break;
		case 'v': verbose = 1; break;
		case 'H':
			if (optarg[0] == '@')
				header_file(optarg + 1);
			else
				user_header(optarg, NULL);
			break;
		case OPT_SSE: sse = 1; break;
		case OPT_POLL:
			poll_every = rt_opt_dur("--poll", optarg, 1, 86400000);
			break;
		case OPT_EVENT: add_events(optarg); break;
		case OPT_ENVELOPE: envelope = 1; break;
		case OPT_JSON: json_only = 1; break;
		case OPT_LAST_ID: last_id_opt = optarg; break;
		case OPT_SINCE: since_field = optarg; break;
		case OPT_PATH: array_path = optarg; break;
		case OPT_TOKEN_FILE: token_file = optarg; break;
		case OPT_ONCE: once = 1; break;
		case OPT_HTML: html_option(optarg); break;
		case OPT_CACERT: cacert = optarg; break;
		case OPT_INSECURE: insecure = 1; break;
		case OPT_CONNECT_TIMEOUT:
			connect_timeout = rt_opt_dur("--connect-timeout",
			                             optarg, 1, 86400000);
			break;
		case OPT_IDLE_TIMEOUT:
			idle_timeout = rt_opt_dur("--idle-timeout", optarg, 1,
			                          86400000);
			idle_arg = optarg;
			break;
		case OPT_BACKOFF_MAX:
			backoff_max = rt_opt_dur("--backoff-max", optarg,
			                         BACKOFF_MIN, 86400000);
			break;
		case OPT_BUFFER:
			buffer_size = rt_opt_size("--buffer", optarg, 4096,
			                          1LL << 40);
			break;
		case OPT_ON_FULL: on_full = rt_opt_on_full("--on-full", optarg); break;
		case OPT_RATE:
			rate = rt_opt_double("--rate", optarg, 0.01, 1e9);
			break;
		default:
			if (!rt_option(c, optarg))
				usage(2);
		}
	}
	check_options(argc, argv, sse);
	if (queue_init(&st.q, (size_t)buffer_size) < 0 || out_init(&rec, -1) < 0)
		rt_oom();
	rt_stat("requests", &requests);
	rt_stat("connections", &connections);
	rt_stat("failures", &failures);
	rt_stat("bytes", &bytes_in);
	if (mode == SSE) {
		rt_stat("events", &nevents_in);
		rt_stat("filtered", &filtered);
	}
	if (mode == POLL) {
		rt_stat("skipped", &skipped);
		rt_stat("not_modified", &not_modified);
	}
	rt_stat("queued", &st.queued);
	rt_stat("paused", &paused);
	backoff_init(&backoff, BACKOFF_MIN, backoff_max);
	htab_init(&seen, 1);
	htab_init(&seen_next, 1);
	rt_open_dead_letter();
	setup_curl();
	atexit(cleanup);
	mono_ms = tm_mono();
	bucket_init(&st.bucket, rate, mono_ms);
	st.on_full = on_full;
	st.what = "records";
	st.size = record_size;
	st.emit = emit;
	next_at = mono_ms;
	/* A slow reader fills the queue instead of stopping the loop. */
	stdout_flags = out_nonblocking(STDOUT_FILENO);
	run();
	if (rt.dropped > 0)
		rt_warn("dropped %llu records in all: buffer full (--on-full %s)",
		        rt.dropped, rt_on_full_name[on_full]);
	if (verbose && mode == SSE && last_id.len > 0)
		rt_warn("last event id '%.*s'", (int)last_id.len, last_id.p);
	cleanup();
	curl_slist_free_all(req_headers);
	curl_slist_free_all(headers);
	curl_easy_cleanup(easy);
	curlm_free(&cm);
	curl_global_cleanup();
	queue_free(&st.q);
	out_free(&rec);
	json_obj_free(&obj);
	free(elems);
	htab_free(&seen);
	htab_free(&seen_next);
	buf_free(&in);
	buf_free(&data);
	buf_free(&type);
	buf_free(&idbuf);
	buf_free(&last_id);
	buf_free(&resp.etag);
	buf_free(&resp.modified);
	buf_free(&resp.ctype);
	buf_free(&resp.body);
	buf_free(&etag);
	buf_free(&modified);
	buf_free(&max_text);
	buf_free(&scratch);
	buf_free(&text);
	return rt_finish(status);
}
