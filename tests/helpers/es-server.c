/*
 * es-server: an Elasticsearch stand-in for the tests and benchmark of
 * es-sink.  It speaks the _bulk contract (HTTP/1.1 with keep-alive,
 * Content-Length or chunked bodies, gzip request bodies, NDJSON action and
 * source lines, per-item results with the real field names, "errors",
 * index/create/_id semantics with versions and 409 conflicts) and keeps the
 * documents it indexed, so that a test can compare what arrived with what
 * was sent.  It can be told to fail: per item or per request, by fraction
 * (seeded) or by schedule.
 *
 *	es-server [options]
 *	-a            acknowledge every item without keeping anything
 *	-s SEED       seed of the fractions (1)
 *	-l FILE       one line per bulk request: "req=N items=K status=S ..."
 *	-p PORT       listen on PORT rather than on a free one
 *	--max-body SIZE    requests whose body is larger get 413
 *	--delay MS         every bulk response waits MS milliseconds
 *	--api-key KEY      require "Authorization: ApiKey KEY"
 *	--basic USER:PASS  require Basic authentication (either one will do)
 *	--no-product       leave out the X-Elastic-Product header
 *	--pipeline NAME    a known ingest pipeline (others: per-item 400)
 *	--item-fail STATUS:FRACTION   that share of items fail with STATUS
 *	--req-fail ACTION:FRACTION    that share of bulk requests get ACTION
 *	--on N[-M]:ACTION             bulk requests N to M get ACTION
 *	--item-if FIELD:STATUS[:TIMES]  items whose source has FIELD fail with
 *	                              STATUS (the first TIMES such items only)
 * ACTION is a status for the whole request (400, 401, 403, 404, 413, 429,
 * 500, 503, ...: an Elasticsearch error body, nothing stored), drop (close
 * the connection before processing), drop-after (process, store, then
 * close without answering) or slow=MS (answer after MS milliseconds).
 *
 * It listens on 127.0.0.1 on a free port and prints the port on stdout
 * when ready.  GET /_dump gives the stored documents, one
 * {"_index","_id","_version","_source"} line each in first-stored order,
 * the source as it was sent; GET /_sources gives the sources alone; GET
 * /_stats gives {"requests","items","docs","connections"}; these three
 * need no authentication.  The filter_path parameter is honoured in the
 * forms "errors", "took" and "items.*.FIELD", leaving out items that keep
 * no field, as Elasticsearch does.  SIGTERM or SIGINT ends it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "htab.h"
#include "json.h"
#include "net.h"
#include "opt.h"
#include "out.h"
#include "sim.h"
#include "tm.h"

#define READ_SIZE	(256 * 1024)
#define MAX_REQUEST	(512LL * 1024 * 1024)
#define MAX_RULES	32

enum { ACT_NONE, ACT_STATUS, ACT_DROP, ACT_DROP_AFTER, ACT_SLOW };

struct action { int kind, status, ms; };
struct sched { long lo, hi; struct action a; };
struct frac { double f; struct action a; int status; };
struct itemif { char field[256]; int status; long times; };

struct conn {
	int fd;
	struct buf in, out;
	size_t sent;
	int64_t due;		/* the response waits until then (mono ms) */
	int close_after;	/* close once the response is written */
	int continued;		/* "100 Continue" was sent for this request */
};

/* A stored document: its latest source in the arena. */
struct doc { uint64_t version; size_t off, len; };

static int ack_only;
static const char *port = "0";
static uint64_t seed = 1;
static FILE *logf;
static long long max_body = MAX_REQUEST;
static int delay_ms;
static const char *api_key, *basic;
static char basic_b64[512];
static int product = 1;
static const char *pipelines[MAX_RULES];
static int npipelines;
static struct frac item_fail[MAX_RULES], req_fail[MAX_RULES];
static int nitem_fail, nreq_fail;
static struct sched on[MAX_RULES];
static int non;
static struct itemif item_if[MAX_RULES];
static int nitem_if;

static volatile sig_atomic_t stop;
static struct htab docs;
static struct buf arena, body, resp, scratch;
static struct json_obj aobj, sobj;
static unsigned long long requests, items, connections, seq_no, auto_ids;
static uint64_t id_base;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static __attribute__((noreturn)) void die(const char *fmt, ...)
{
	va_list ap;

	fputs("es-server: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void oom(void)
{
	die("out of memory");
}

static void add(struct buf *b, const void *p, size_t n)
{
	if (buf_add(b, p, n) < 0)
		oom();
}

static void adds(struct buf *b, const char *s)
{
	add(b, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3))) addf(struct buf *b,
                                                       const char *fmt, ...)
{
	va_list ap;
	int n;

	if (buf_reserve(b, 256) < 0)
		oom();
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	if ((size_t)n >= b->cap - b->len) {
		if (buf_reserve(b, (size_t)n + 1) < 0)
			oom();
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* A JSON string of text that may need escapes. */
static void addq(struct buf *b, const char *s, size_t n)
{
	size_t i;

	add(b, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			add(b, "\\", 1);
			add(b, s + i, 1);
		} else if (c < 0x20) {
			addf(b, "\\u%04x", c);
		} else {
			add(b, s + i, 1);
		}
	}
	add(b, "\"", 1);
}

/* Uniform in [0, 1), from the seeded splitmix64 stream. */
static double rnd01(void)
{
	return (double)(sim_splitmix(&seed) >> 11) * 0x1p-53;
}

static void b64(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*out++ = tab[in[i] >> 2];
		*out++ = tab[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		*out++ = tab[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		*out++ = tab[in[i + 2] & 63];
	}
	if (n - i == 1) {
		*out++ = tab[in[i] >> 2];
		*out++ = tab[(in[i] & 3) << 4];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		*out++ = tab[in[i] >> 2];
		*out++ = tab[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		*out++ = tab[(in[i + 1] & 15) << 2];
		*out++ = '=';
	}
	*out = '\0';
}

/* An automatic _id: 20 URL-safe base64 characters, as Elasticsearch's. */
static void auto_id(char out[21])
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint64_t a = id_base, b = ++auto_ids;
	int i;

	for (i = 0; i < 10; i++, a >>= 6)
		out[i] = tab[a & 63];
	for (i = 19; i >= 10; i--, b >>= 6)
		out[i] = tab[b & 63];
	out[20] = '\0';
}

static struct action parse_action(const char *s)
{
	struct action a = { ACT_NONE, 0, 0 };
	char err[128];
	long long v;

	if (strcmp(s, "drop") == 0) {
		a.kind = ACT_DROP;
	} else if (strcmp(s, "drop-after") == 0) {
		a.kind = ACT_DROP_AFTER;
	} else if (strncmp(s, "slow=", 5) == 0) {
		if (opt_int(s + 5, 0, 600000, &v, err, sizeof err) < 0)
			die("slow: %s", err);
		a.kind = ACT_SLOW;
		a.ms = (int)v;
	} else {
		if (opt_int(s, 100, 599, &v, err, sizeof err) < 0)
			die("bad action '%s'", s);
		a.kind = ACT_STATUS;
		a.status = (int)v;
	}
	return a;
}

static void parse_frac(const char *arg, struct frac *f, int item)
{
	char tmp[128], err[128];
	char *colon;
	long long st;

	snprintf(tmp, sizeof tmp, "%s", arg);
	if ((colon = strrchr(tmp, ':')) == NULL)
		die("expected WHAT:FRACTION: '%s'", arg);
	*colon = '\0';
	if (opt_double(colon + 1, 0, 1, &f->f, err, sizeof err) < 0)
		die("fraction: %s", err);
	if (item) {
		if (opt_int(tmp, 100, 599, &st, err, sizeof err) < 0)
			die("status: %s", err);
		f->status = (int)st;
	} else {
		f->a = parse_action(tmp);
	}
}

static void parse_sched(const char *arg)
{
	struct sched *s = &on[non];
	char *end;

	if (non == MAX_RULES)
		die("too many --on");
	s->lo = strtol(arg, &end, 10);
	s->hi = s->lo;
	if (*end == '-')
		s->hi = strtol(end + 1, &end, 10);
	if (*end != ':' || s->lo < 1 || s->hi < s->lo)
		die("--on: expected N[-M]:ACTION: '%s'", arg);
	s->a = parse_action(end + 1);
	non++;
}

static void parse_itemif(const char *arg)
{
	struct itemif *r = &item_if[nitem_if];
	char tmp[256];
	char *st, *times;

	if (nitem_if == MAX_RULES)
		die("too many --item-if");
	snprintf(tmp, sizeof tmp, "%s", arg);
	if ((st = strchr(tmp, ':')) == NULL)
		die("--item-if: expected FIELD:STATUS[:TIMES]: '%s'", arg);
	*st++ = '\0';
	r->times = -1;
	if ((times = strchr(st, ':')) != NULL) {
		*times++ = '\0';
		r->times = atol(times);
	}
	snprintf(r->field, sizeof r->field, "%s", tmp);
	r->status = atoi(st);
	if (r->status < 100 || r->status > 599)
		die("--item-if: bad status in '%s'", arg);
	nitem_if++;
}

static const char *reason_phrase(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 201: return "Created";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 413: return "Request Entity Too Large";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}

/* The error type and reason Elasticsearch gives for a status. */
static void error_of(int status, const char **type, const char **reason)
{
	switch (status) {
	case 400:
		*type = "document_parsing_exception";
		*reason = "[1:2] failed to parse: injected by es-server";
		break;
	case 401:
		*type = "security_exception";
		*reason = "unable to authenticate user [elastic] for REST request [/_bulk]";
		break;
	case 403:
		*type = "security_exception";
		*reason = "action [indices:data/write/bulk] is unauthorized for user [elastic]";
		break;
	case 404:
		*type = "index_not_found_exception";
		*reason = "no such index [missing]";
		break;
	case 409:
		*type = "version_conflict_engine_exception";
		*reason = "version conflict, injected by es-server";
		break;
	case 429:
		*type = "es_rejected_execution_exception";
		*reason = "rejected execution of coordinating operation "
		          "[coordinating_and_primary_bytes=0, replica_bytes=0, "
		          "all_bytes=0, coordinating_operation_bytes=0, "
		          "max_coordinating_and_primary_bytes=0]";
		break;
	case 503:
		*type = "unavailable_shards_exception";
		*reason = "[logs][0] primary shard is not active Timeout: [1m]";
		break;
	default:
		*type = "exception";
		*reason = "injected by es-server";
	}
}

/* Starts a response: status line and headers, for a body of blen bytes. */
static void head(struct buf *o, int status, size_t blen, const char *extra)
{
	addf(o, "HTTP/1.1 %d %s\r\n", status, reason_phrase(status));
	if (product)
		adds(o, "X-Elastic-Product: Elasticsearch\r\n");
	if (extra != NULL)
		adds(o, extra);
	addf(o, "content-type: application/json\r\ncontent-length: %zu\r\n\r\n",
	     blen);
}

static void respond(struct conn *c, int status, const char *json,
                    const char *extra)
{
	head(&c->out, status, strlen(json), extra);
	adds(&c->out, json);
}

/* A whole-request error in Elasticsearch's shape. */
static void respond_error(struct conn *c, int status, const char *type,
                          const char *reason, const char *extra)
{
	scratch.len = 0;
	adds(&scratch, "{\"error\":{\"root_cause\":[{\"type\":");
	addq(&scratch, type, strlen(type));
	adds(&scratch, ",\"reason\":");
	addq(&scratch, reason, strlen(reason));
	adds(&scratch, "}],\"type\":");
	addq(&scratch, type, strlen(type));
	adds(&scratch, ",\"reason\":");
	addq(&scratch, reason, strlen(reason));
	addf(&scratch, "},\"status\":%d}", status);
	head(&c->out, status, scratch.len, extra);
	add(&c->out, scratch.p, scratch.len);
}

static void log_request(int items_n, const char *status, const char *pipeline,
                        int gz)
{
	if (logf == NULL)
		return;
	fprintf(logf, "req=%llu items=%d status=%s", requests, items_n, status);
	if (pipeline != NULL)
		fprintf(logf, " pipeline=%s", pipeline);
	if (gz)
		fprintf(logf, " gzip");
	fputc('\n', logf);
	fflush(logf);
}

/* The request's action: the schedule first, then the fractions. */
static struct action request_action(void)
{
	struct action none = { ACT_NONE, 0, 0 };
	int i;

	for (i = 0; i < non; i++)
		if ((long)requests >= on[i].lo && (long)requests <= on[i].hi)
			return on[i].a;
	for (i = 0; i < nreq_fail; i++)
		if (rnd01() < req_fail[i].f)
			return req_fail[i].a;
	return none;
}

static int valid_index(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 255 || s[0] == '_' || s[0] == '-' || s[0] == '+')
		return 0;
	for (i = 0; i < n; i++)
		if ((s[i] >= 'A' && s[i] <= 'Z') || strchr("\\/*?\"<>| ,#:", s[i]))
			return 0;
	return 1;
}

static int known_pipeline(const char *p)
{
	int i;

	for (i = 0; i < npipelines; i++)
		if (strcmp(pipelines[i], p) == 0)
			return 1;
	return 0;
}

/* The text of a string or number member, decoded, into b (NUL ended). */
static int member_text(const struct json_member *m, struct buf *b)
{
	b->len = 0;
	if (m->type == JSON_STRING) {
		if (json_unescape(m->val, m->vlen, b) < 0)
			oom();
	} else if (m->type == JSON_NUMBER) {
		add(b, m->val, m->vlen);
	} else {
		return -1;
	}
	add(b, "", 1);
	b->len--;
	return 0;
}

/*
 * filter_path, in the forms bulk clients use: "errors", "took" and
 * "items.*.FIELD".  Elasticsearch leaves out every field no pattern names.
 */
enum {
	F_INDEX = 1, F_ID = 2, F_VERSION = 4, F_RESULT = 8, F_SHARDS = 16,
	F_SEQ = 32, F_TERM = 64, F_STATUS = 128, F_ERROR = 256,
	F_ERRORS = 512, F_TOOK = 1024, F_ALL = 2047
};
static unsigned fp = F_ALL;

static void parse_filter_path(const char *v)
{
	static const char *const names[] = {
		"_index", "_id", "_version", "result", "_shards", "_seq_no",
		"_primary_term", "status", "error"
	};
	char tmp[1024], *tok, *save;
	int i;

	fp = 0;
	snprintf(tmp, sizeof tmp, "%s", v);
	for (tok = strtok_r(tmp, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "errors") == 0)
			fp |= F_ERRORS;
		else if (strcmp(tok, "took") == 0)
			fp |= F_TOOK;
		else if (strcmp(tok, "items") == 0 || strcmp(tok, "items.*") == 0)
			fp |= F_INDEX | F_ID | F_VERSION | F_RESULT | F_SHARDS |
			      F_SEQ | F_TERM | F_STATUS | F_ERROR;
		else if (strncmp(tok, "items.*.", 8) == 0)
			for (i = 0; i < 9; i++)
				if (strcmp(tok + 8, names[i]) == 0)
					fp |= 1u << i;
	}
}

/* Writes ,"name": (no comma first) when the filter keeps it. */
static int field(int *first, unsigned f, const char *name)
{
	if (!(fp & f))
		return 0;
	addf(&resp, "%s\"%s\":", *first ? "" : ",", name);
	*first = 0;
	return 1;
}

/*
 * Ends an item that started at mark.  Elasticsearch's filter_path leaves
 * out objects that end up empty, so an item without a field kept goes
 * away, comma and all.
 */
static void item_end(size_t mark, int first)
{
	if (first)
		resp.len = mark;
	else
		adds(&resp, "}}");
}

/* One item's failure in the response. */
static void item_error(const char *op, const char *index, const char *id,
                       int status, const char *type, const char *reason)
{
	size_t mark = resp.len;
	int first = 1;

	addf(&resp, "%s{\"%s\":{", mark > 0 ? "," : "", op);
	if (field(&first, F_INDEX, "_index"))
		addq(&resp, index, strlen(index));
	if (field(&first, F_ID, "_id")) {
		if (id != NULL)
			addq(&resp, id, strlen(id));
		else
			adds(&resp, "null");
	}
	if (field(&first, F_STATUS, "status"))
		addf(&resp, "%d", status);
	if (field(&first, F_ERROR, "error")) {
		adds(&resp, "{\"type\":");
		addq(&resp, type, strlen(type));
		adds(&resp, ",\"reason\":");
		addq(&resp, reason, strlen(reason));
		if (status == 409 || status == 400 || status == 404) {
			adds(&resp, ",\"index_uuid\":\"aAsFqTI0Tc2W0LCWgPNrOA\","
			     "\"shard\":\"0\",\"index\":");
			addq(&resp, index, strlen(index));
		}
		adds(&resp, "}");
	}
	item_end(mark, first);
}

/* One item's success in the response. */
static void item_ok(const char *op, const char *index, const char *id,
                    uint64_t version)
{
	size_t mark = resp.len;
	int first = 1;

	addf(&resp, "%s{\"%s\":{", mark > 0 ? "," : "", op);
	if (field(&first, F_INDEX, "_index"))
		addq(&resp, index, strlen(index));
	if (field(&first, F_ID, "_id"))
		addq(&resp, id, strlen(id));
	if (field(&first, F_VERSION, "_version"))
		addf(&resp, "%llu", (unsigned long long)version);
	if (field(&first, F_RESULT, "result"))
		adds(&resp, version == 1 ? "\"created\"" : "\"updated\"");
	if (field(&first, F_SHARDS, "_shards"))
		adds(&resp, "{\"total\":2,\"successful\":1,\"failed\":0}");
	if (field(&first, F_SEQ, "_seq_no"))
		addf(&resp, "%llu", seq_no);
	seq_no++;
	if (field(&first, F_TERM, "_primary_term"))
		adds(&resp, "1");
	if (field(&first, F_STATUS, "status"))
		adds(&resp, version == 1 ? "201" : "200");
	item_end(mark, first);
}

/*
 * Stores a source under index and id, and gives its new version.  A create
 * of an existing id stores nothing: 409, and the version it has.
 */
static int store(int create, const char *index, const char *id,
                 const char *src, size_t len, uint64_t *version)
{
	struct doc *d;

	scratch.len = 0;
	adds(&scratch, index);
	add(&scratch, "", 1);
	adds(&scratch, id);
	if (create && (d = htab_get(&docs, scratch.p, scratch.len)) != NULL) {
		*version = d->version;
		return 409;
	}
	if ((d = htab_put(&docs, scratch.p, scratch.len, NULL)) == NULL)
		oom();
	d->version++;
	d->off = arena.len;
	d->len = len;
	add(&arena, src, len);
	*version = d->version;
	return 0;
}

/* Per-item status from the rules, or 0. */
static int item_rules(const char *src, size_t len)
{
	char err[160];
	struct json_member m;
	int i, scanned;

	scanned = nitem_if > 0 &&
	          json_scan(src, len, &sobj, err, sizeof err) == 0;
	for (i = 0; i < nitem_if; i++) {
		if (item_if[i].times != 0 && scanned &&
		    json_get(&sobj, item_if[i].field, &m)) {
			if (item_if[i].times > 0)
				item_if[i].times--;
			return item_if[i].status;
		}
	}
	for (i = 0; i < nitem_fail; i++)
		if (rnd01() < item_fail[i].f)
			return item_fail[i].status;
	return 0;
}

/* Why bulk refused a whole request, which is then a 400. */
struct refusal {
	const char *type;
	char reason[1024];
};

static int __attribute__((format(printf, 3, 4))) refuse(struct refusal *rf,
                                                        const char *type,
                                                        const char *fmt, ...)
{
	va_list ap;

	rf->type = type;
	va_start(ap, fmt);
	vsnprintf(rf->reason, sizeof rf->reason, fmt, ap);
	va_end(ap);
	return 400;
}

/*
 * Handles a bulk body.  Returns 200 with the items in resp, or 400 with
 * why the request as a whole was refused in rf.
 */
static int bulk(const char *b, size_t n, const char *def_index,
                const char *pipeline, int *nitems, int *errors,
                struct refusal *rf)
{
	static const char unterminated[] =
	    "The bulk request must be terminated by a newline [\\n]";
	static struct buf idx, id, op;
	const char *p = b, *end = b + n, *nl;
	char err[160], idbuf[21], rbuf[600];
	int lineno = 0;

	*nitems = 0;
	*errors = 0;
	resp.len = 0;
	if (n == 0)
		return refuse(rf, "parse_exception", "request body is required");
	if (b[n - 1] != '\n')
		return refuse(rf, "illegal_argument_exception", "%s",
		              unterminated);
	while (p < end) {
		const char *src, *idp = NULL, *type, *reason = rbuf;
		size_t alen, slen;
		struct json_member m, *am;
		int status, create = 0;
		uint64_t version = 1;

		nl = memchr(p, '\n', (size_t)(end - p));
		alen = (size_t)(nl - p);
		lineno++;
		if (alen == 0 || (alen == 1 && p[0] == '\r')) {
			p = nl + 1;
			continue;
		}
		if (json_scan(p, alen, &aobj, err, sizeof err) < 0 ||
		    aobj.n != 1 || aobj.m[0].type != JSON_OBJECT)
			return refuse(rf, "illegal_argument_exception",
			              "Malformed action/metadata line [%d], "
			              "expected START_OBJECT", lineno);
		am = &aobj.m[0];
		op.len = 0;
		add(&op, am->key, am->klen);
		add(&op, "", 1);
		if (strcmp(op.p, "create") == 0)
			create = 1;
		else if (strcmp(op.p, "index") != 0)
			return refuse(rf, "illegal_argument_exception",
			              "Action/metadata line [%d] contains an "
			              "unknown parameter [%s]", lineno, op.p);
		if (json_scan(am->val, am->vlen, &aobj, err, sizeof err) < 0)
			die("rescan: %s", err);
		idx.len = 0;
		if (json_get(&aobj, "_index", &m)) {
			if (member_text(&m, &idx) < 0)
				return refuse(rf, "illegal_argument_exception",
				              "_index must be a string");
		} else if (def_index != NULL) {
			adds(&idx, def_index);
			add(&idx, "", 1);
			idx.len--;
		} else {
			return refuse(rf, "action_request_validation_exception",
			              "Validation Failed: 1: index is missing;");
		}
		if (json_get(&aobj, "_id", &m)) {
			if (member_text(&m, &id) < 0)
				return refuse(rf, "illegal_argument_exception",
				              "_id must be a string");
			idp = id.p;
		}
		p = nl + 1;
		lineno++;
		if (p >= end)
			return refuse(rf, "illegal_argument_exception", "%s",
			              unterminated);
		nl = memchr(p, '\n', (size_t)(end - p));
		src = p;
		slen = (size_t)(nl - p);
		if (slen > 0 && src[slen - 1] == '\r')
			slen--;
		p = nl + 1;
		(*nitems)++;
		items++;

		/* The first reason to fail the item wins. */
		if ((status = item_rules(src, slen)) != 0) {
			error_of(status, &type, &reason);
		} else if (pipeline != NULL && !known_pipeline(pipeline)) {
			status = 400;
			type = "illegal_argument_exception";
			snprintf(rbuf, sizeof rbuf, "pipeline with id [%s] does "
			         "not exist", pipeline);
		} else if (!valid_index(idx.p, idx.len)) {
			status = 400;
			type = "invalid_index_name_exception";
			snprintf(rbuf, sizeof rbuf, "Invalid index name [%.256s], "
			         "must be lowercase", idx.p);
		} else if (!ack_only &&
		           (utf8_valid_prefix(src, slen) != slen ||
		            json_scan(src, slen, &sobj, err, sizeof err) < 0)) {
			status = 400;
			type = "document_parsing_exception";
			snprintf(rbuf, sizeof rbuf, "[1:1] failed to parse: %s",
			         utf8_valid_prefix(src, slen) != slen ?
			         "Invalid UTF-8 start byte" : err);
		} else {
			if (idp == NULL) {
				auto_id(idbuf);
				idp = idbuf;
			}
			if (!ack_only &&
			    (status = store(create, idx.p, idp, src, slen,
			                    &version)) != 0) {
				type = "version_conflict_engine_exception";
				snprintf(rbuf, sizeof rbuf, "[%.512s]: version "
				         "conflict, document already exists "
				         "(current version [%llu])", idp,
				         (unsigned long long)version);
			}
		}
		if (status != 0) {
			item_error(op.p, idx.p, idp, status, type, reason);
			*errors = 1;
		} else {
			item_ok(op.p, idx.p, idp, version);
		}
	}
	return 200;
}

/* Inflates a gzip body into out.  Returns 0, or -1 when it is not gzip. */
static int gunzip(const char *in, size_t n, struct buf *out)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		oom();
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	out->len = 0;
	do {
		if (buf_reserve(out, 256 * 1024) < 0)
			oom();
		z.next_out = (Bytef *)out->p + out->len;
		z.avail_out = (uInt)(out->cap - out->len);
		rc = inflate(&z, Z_NO_FLUSH);
		out->len = out->cap - z.avail_out;
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
			inflateEnd(&z);
			return -1;
		}
		if (rc == Z_BUF_ERROR && z.avail_in == 0) {
			inflateEnd(&z);
			return -1;
		}
	} while (rc != Z_STREAM_END);
	inflateEnd(&z);
	return 0;
}

struct req {
	char method[16], path[2048], query[2048];
	long long clen;		/* -1: none */
	int chunked, gzip, close, expect;
	char ctype[128], auth[512];
	size_t hlen;		/* bytes of the request line and headers */
};

static int header_is(const char *line, size_t n, const char *name,
                     const char **val)
{
	size_t k = strlen(name);

	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return 0;
	*val = line + k + 1;
	while (**val == ' ' || **val == '\t')
		(*val)++;
	return 1;
}

static void copy_val(char *dst, size_t cap, const char *v, const char *eol)
{
	size_t n = (size_t)(eol - v);

	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\r'))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

/* Parses the head of a request.  Returns 1, 0 when incomplete, -1 bad. */
static int parse_head(const char *p, size_t n, struct req *r)
{
	const char *end = memmem(p, n, "\r\n\r\n", 4), *line, *eol, *v;
	char target[2048], *q;

	memset(r, 0, sizeof *r);
	r->clen = -1;
	if (end == NULL)
		return n > 65536 ? -1 : 0;
	r->hlen = (size_t)(end - p) + 4;
	eol = memchr(p, '\r', (size_t)(end - p) + 1);
	if (sscanf(p, "%15s %2047s", r->method, target) != 2)
		return -1;
	if ((q = strchr(target, '?')) != NULL) {
		*q++ = '\0';
		snprintf(r->query, sizeof r->query, "%s", q);
	}
	snprintf(r->path, sizeof r->path, "%s", target);
	for (line = eol + 2; line < end; line = eol + 2) {
		size_t len;

		eol = memchr(line, '\r', (size_t)(end - line) + 1);
		len = (size_t)(eol - line);
		if (header_is(line, len, "content-length", &v))
			r->clen = atoll(v);
		else if (header_is(line, len, "transfer-encoding", &v))
			r->chunked = strncasecmp(v, "chunked", 7) == 0;
		else if (header_is(line, len, "content-encoding", &v))
			r->gzip = strncasecmp(v, "gzip", 4) == 0;
		else if (header_is(line, len, "connection", &v))
			r->close = strncasecmp(v, "close", 5) == 0;
		else if (header_is(line, len, "expect", &v))
			r->expect = strncasecmp(v, "100-continue", 12) == 0;
		else if (header_is(line, len, "content-type", &v))
			copy_val(r->ctype, sizeof r->ctype, v, eol);
		else if (header_is(line, len, "authorization", &v))
			copy_val(r->auth, sizeof r->auth, v, eol);
	}
	return 1;
}

/*
 * Decodes a chunked body that starts at p, into out when it is not NULL.
 * Returns the bytes it took (trailers included), 0 when incomplete, -1
 * when malformed.  It hops from chunk header to chunk header, so telling
 * whether a large body is complete yet costs little; the bytes are copied
 * once, when it is.
 */
static long long dechunk(const char *p, size_t n, struct buf *out)
{
	size_t off = 0;

	if (out != NULL)
		out->len = 0;
	for (;;) {
		const char *eol = memmem(p + off, n - off, "\r\n", 2);
		char *e;
		unsigned long long sz;

		if (eol == NULL)
			return n - off > 1024 ? -1 : 0;
		sz = strtoull(p + off, &e, 16);
		if (e == p + off || (*e != '\r' && *e != ';') ||
		    sz > MAX_REQUEST)
			return -1;
		off = (size_t)(eol - p) + 2;
		if (sz == 0) {
			/* Trailer lines, then an empty line. */
			for (;;) {
				eol = memmem(p + off, n - off, "\r\n", 2);
				if (eol == NULL)
					return n - off > 65536 ? -1 : 0;
				if (eol == p + off)
					return (long long)off + 2;
				off = (size_t)(eol - p) + 2;
			}
		}
		if (n - off < sz + 2)
			return 0;
		if (p[off + sz] != '\r' || p[off + sz + 1] != '\n')
			return -1;
		if (out != NULL)
			add(out, p + off, sz);
		off += sz + 2;
	}
}

/* The value of name in a query string, or NULL. */
static const char *query_get(const char *q, const char *name, char *buf,
                             size_t cap)
{
	size_t k = strlen(name);
	const char *p = q;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, k) == 0 && p[k] == '=') {
			const char *v = p + k + 1, *amp = strchr(v, '&');
			size_t n = amp ? (size_t)(amp - v) : strlen(v), i, j = 0;

			for (i = 0; i < n && j + 1 < cap; i++) {
				unsigned x;

				if (v[i] == '%' && i + 2 <= n &&
				    sscanf(v + i + 1, "%2x", &x) == 1) {
					buf[j++] = (char)x;
					i += 2;
				} else {
					buf[j++] = v[i] == '+' ? ' ' : v[i];
				}
			}
			buf[j] = '\0';
			return buf;
		}
		p = strchr(p, '&');
		if (p != NULL)
			p++;
	}
	return NULL;
}

static int authorized(const struct req *r)
{
	if (api_key == NULL && basic == NULL)
		return 1;
	if (api_key != NULL && strncmp(r->auth, "ApiKey ", 7) == 0 &&
	    strcmp(r->auth + 7, api_key) == 0)
		return 1;
	if (basic != NULL && strncmp(r->auth, "Basic ", 6) == 0 &&
	    strcmp(r->auth + 6, basic_b64) == 0)
		return 1;
	return 0;
}

static void dump(struct conn *c, int sources)
{
	size_t i, klen;

	scratch.len = 0;
	for (i = 0; i < docs.n; i++) {
		const char *k = htab_key(&docs, i, &klen);
		const struct doc *d = htab_val(&docs, i);
		size_t ilen = strlen(k);

		if (!sources) {
			adds(&scratch, "{\"_index\":");
			addq(&scratch, k, ilen);
			adds(&scratch, ",\"_id\":");
			addq(&scratch, k + ilen + 1, klen - ilen - 1);
			addf(&scratch, ",\"_version\":%llu,\"_source\":",
			     (unsigned long long)d->version);
		}
		add(&scratch, arena.p + d->off, d->len);
		adds(&scratch, sources ? "\n" : "}\n");
	}
	addf(&c->out, "HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\n"
	     "content-length: %zu\r\n\r\n", scratch.len);
	add(&c->out, scratch.p, scratch.len);
}

/* Serves one complete request of c.  Returns 0, or -1 to close now. */
static int serve(struct conn *c, const struct req *r, const char *b, size_t n)
{
	char why[1024], pbuf[256], fbuf[1024], idx[256], st[16];
	const char *pipeline, *slash;
	struct refusal rf;
	struct action a;
	int status, nitems = 0, errors = 0;
	int is_bulk = 0;
	int64_t t0;

	c->close_after = r->close;
	if (strcmp(r->method, "GET") == 0 && strcmp(r->path, "/_dump") == 0) {
		dump(c, 0);
		return 0;
	}
	if (strcmp(r->method, "GET") == 0 && strcmp(r->path, "/_sources") == 0) {
		dump(c, 1);
		return 0;
	}
	if (strcmp(r->method, "GET") == 0 && strcmp(r->path, "/_stats") == 0) {
		snprintf(why, sizeof why, "{\"requests\":%llu,\"items\":%llu,"
		         "\"docs\":%zu,\"connections\":%llu}\n", requests, items,
		         docs.n, connections);
		respond(c, 200, why, NULL);
		return 0;
	}
	idx[0] = '\0';
	if (strcmp(r->path, "/_bulk") == 0) {
		is_bulk = 1;
	} else if ((slash = strstr(r->path + 1, "/_bulk")) != NULL &&
	           strcmp(slash, "/_bulk") == 0 && r->path[0] == '/' &&
	           (size_t)(slash - r->path) < sizeof idx) {
		is_bulk = 1;
		memcpy(idx, r->path + 1, (size_t)(slash - r->path - 1));
		idx[slash - r->path - 1] = '\0';
	}
	if (!authorized(r)) {
		if (is_bulk) {
			requests++;
			log_request(0, "401", NULL, 0);
		}
		respond_error(c, 401, "security_exception", "missing "
		              "authentication credentials for REST request "
		              "[/_bulk]", "WWW-Authenticate: Basic "
		              "realm=\"security\" charset=\"UTF-8\"\r\n"
		              "WWW-Authenticate: ApiKey\r\n");
		return 0;
	}
	if (strcmp(r->method, "GET") == 0 && strcmp(r->path, "/") == 0) {
		respond(c, 200, "{\"name\":\"es-server\",\"cluster_name\":"
		        "\"rtpipe-test\",\"version\":{\"number\":\"8.11.0\"},"
		        "\"tagline\":\"You Know, for Search\"}\n", NULL);
		return 0;
	}
	if (!is_bulk) {
		respond_error(c, 404, "resource_not_found_exception",
		              "no handler found for this path", NULL);
		return 0;
	}
	if (strcmp(r->method, "POST") != 0 && strcmp(r->method, "PUT") != 0) {
		respond_error(c, 405, "method_not_allowed",
		              "Incorrect HTTP method for uri [/_bulk]", NULL);
		return 0;
	}
	requests++;
	pipeline = query_get(r->query, "pipeline", pbuf, sizeof pbuf);
	if (query_get(r->query, "filter_path", fbuf, sizeof fbuf) != NULL)
		parse_filter_path(fbuf);
	else
		fp = F_ALL;
	a = request_action();
	if (a.kind == ACT_DROP) {
		log_request(0, "drop", pipeline, r->gzip);
		return -1;
	}
	if (a.kind == ACT_SLOW)
		c->due = tm_mono() + a.ms;
	else if (delay_ms > 0)
		c->due = tm_mono() + delay_ms;
	if (a.kind == ACT_STATUS) {
		const char *type, *reason;

		snprintf(st, sizeof st, "%d", a.status);
		log_request(0, st, pipeline, r->gzip);
		if (a.status == 413) {
			head(&c->out, 413, 0, NULL);
			c->close_after = 1;
			return 0;
		}
		if (a.status == 503) {
			type = "cluster_block_exception";
			reason = "blocked by: [SERVICE_UNAVAILABLE/1/state not "
			         "recovered / initialized];";
		} else if (a.status == 400) {
			type = "illegal_argument_exception";
			reason = "the whole request refused: injected by es-server";
		} else {
			error_of(a.status, &type, &reason);
		}
		respond_error(c, a.status, type, reason, NULL);
		return 0;
	}
	if (strncasecmp(r->ctype, "application/x-ndjson", 20) != 0 &&
	    strncasecmp(r->ctype, "application/json", 16) != 0) {
		snprintf(why, sizeof why, "{\"error\":\"Content-Type header [%s] "
		         "is not supported\",\"status\":406}", r->ctype);
		log_request(0, "406", pipeline, r->gzip);
		respond(c, 406, why, NULL);
		return 0;
	}
	if (r->gzip) {
		if (gunzip(b, n, &body) < 0) {
			log_request(0, "400", pipeline, 1);
			respond_error(c, 400, "parse_exception",
			              "invalid gzip request body", NULL);
			return 0;
		}
		b = body.p;
		n = body.len;
	}
	if ((long long)n > max_body) {
		log_request(0, "413", pipeline, r->gzip);
		head(&c->out, 413, 0, NULL);
		c->close_after = 1;
		return 0;
	}
	t0 = tm_mono();
	status = bulk(b, n, idx[0] ? idx : NULL, pipeline, &nitems, &errors,
	              &rf);
	snprintf(st, sizeof st, "%d", status);
	log_request(nitems, a.kind == ACT_DROP_AFTER ? "drop-after" : st,
	            pipeline, r->gzip);
	if (a.kind == ACT_DROP_AFTER)
		return -1;
	if (status != 200) {
		respond_error(c, status, rf.type, rf.reason, NULL);
		return 0;
	}
	scratch.len = 0;
	adds(&scratch, "{");
	if (fp & F_ERRORS)
		addf(&scratch, "\"errors\":%s", errors ? "true" : "false");
	if (fp & F_TOOK)
		addf(&scratch, "%s\"took\":%lld", scratch.len > 1 ? "," : "",
		     (long long)(tm_mono() - t0));
	/* No item kept by filter_path: no "items" either. */
	if (resp.len > 0)
		addf(&scratch, "%s\"items\":[", scratch.len > 1 ? "," : "");
	head(&c->out, 200, scratch.len + resp.len + (resp.len > 0 ? 2 : 1),
	     NULL);
	add(&c->out, scratch.p, scratch.len);
	add(&c->out, resp.p, resp.len);
	adds(&c->out, resp.len > 0 ? "]}" : "}");
	return 0;
}

/*
 * The body of the request whose head r c holds: 1 when it is all there
 * (b and n give it, used the bytes of the whole request), 0 when more is
 * to come, -1 when it is malformed or too large.
 */
static int request_body(const struct conn *c, const struct req *r,
                        const char **b, size_t *n, size_t *used)
{
	static struct buf chunked;
	const char *p = c->in.p + r->hlen;
	size_t avail = c->in.len - r->hlen;
	long long k;

	if (r->chunked) {
		if ((k = dechunk(p, avail, NULL)) <= 0)
			return k < 0 ? -1 : 0;
		dechunk(p, (size_t)k, &chunked);
		*b = chunked.p;
		*n = chunked.len;
	} else {
		k = r->clen < 0 ? 0 : r->clen;
		if (k > MAX_REQUEST)
			return -1;
		if (avail < (size_t)k)
			return 0;
		*b = p;
		*n = (size_t)k;
	}
	*used = r->hlen + (size_t)k;
	return 1;
}

/* Serves what complete request c holds.  Returns -1 to close c. */
static int process(struct conn *c)
{
	struct req r;
	const char *b;
	size_t n, used;
	int rc;

	while (c->out.len == 0 && c->in.len > 0) {
		if ((rc = parse_head(c->in.p, c->in.len, &r)) <= 0)
			return rc;
		if ((rc = request_body(c, &r, &b, &n, &used)) < 0)
			return -1;
		if (rc == 0) {
			if (r.expect && !c->continued) {
				adds(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
				c->continued = 1;
			}
			return 0;
		}
		c->continued = 0;
		rc = serve(c, &r, b, n);
		memmove(c->in.p, c->in.p + used, c->in.len - used);
		c->in.len -= used;
		if (rc < 0)
			return -1;
	}
	return 0;
}

static void conn_close(struct conn **cs, size_t *n, size_t i)
{
	struct conn *c = cs[i];

	close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
	cs[i] = cs[--*n];
}

/* Writes what c has to write, when it is due.  Returns -1 to close. */
static int conn_write(struct conn *c, int64_t now)
{
	ssize_t w;

	if (c->due > now)
		return 0;
	c->due = 0;
	while (c->sent < c->out.len) {
		w = send(c->fd, c->out.p + c->sent, c->out.len - c->sent,
		         MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (w <= 0)
			return -1;
		c->sent += (size_t)w;
	}
	/* close_after is set only with a response: a "100 Continue" sent
	 * while its request's body comes in leaves the connection open. */
	c->out.len = c->sent = 0;
	return c->close_after ? -1 : 0;
}

static int conn_read(struct conn *c)
{
	ssize_t r;

	if (buf_reserve(&c->in, READ_SIZE) < 0)
		oom();
	r = recv(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len, 0);
	if (r > 0) {
		c->in.len += (size_t)r;
		return process(c);
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return -1;
}

/* Room for cap connections (and the listener) in the poll arrays. */
static void grow(struct pollfd **pfd, struct conn ***cs, size_t cap)
{
	struct pollfd *p = realloc(*pfd, (cap + 1) * sizeof *p);
	struct conn **c;

	if (p == NULL)
		oom();
	*pfd = p;
	if ((c = realloc(*cs, cap * sizeof *c)) == NULL)
		oom();
	*cs = c;
}

static void run(int lfd)
{
	struct conn **cs = NULL;
	struct pollfd *pfd = NULL;
	size_t n = 0, cap = 16, i;
	char err[256], peer[NET_NAME_MAX];

	grow(&pfd, &cs, cap);
	while (!stop) {
		int64_t now = tm_mono(), wake = -1;
		int rc;

		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		for (i = 0; i < n; i++) {
			struct conn *c = cs[i];

			pfd[i + 1].fd = c->fd;
			pfd[i + 1].events = 0;
			if (c->out.len > 0 && c->due == 0)
				pfd[i + 1].events = POLLOUT;
			else if (c->out.len == 0)
				pfd[i + 1].events = POLLIN;
			if (c->due > 0 && (wake < 0 || c->due - now < wake))
				wake = c->due > now ? c->due - now : 0;
		}
		rc = poll(pfd, n + 1, (int)wake);
		if (rc < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		now = tm_mono();
		for (i = n; i-- > 0;) {
			struct conn *c = cs[i];
			short re = pfd[i + 1].revents;
			int bad = 0;

			if (rc > 0 && (re & (POLLIN | POLLHUP | POLLERR)) &&
			    c->out.len == 0)
				bad = conn_read(c) < 0;
			if (!bad && c->out.len > 0)
				bad = conn_write(c, now) < 0;
			if (!bad && c->out.len == 0 && c->in.len > 0)
				bad = process(c) < 0 ||
				      (c->out.len > 0 && conn_write(c, now) < 0);
			if (bad)
				conn_close(cs, &n, i);
		}
		if (rc > 0 && (pfd[0].revents & POLLIN)) {
			int fd;

			while ((fd = net_accept(lfd, peer, sizeof peer, err,
			                        sizeof err)) >= 0) {
				struct conn *c = calloc(1, sizeof *c);

				if (c == NULL)
					oom();
				c->fd = fd;
				if (n == cap) {
					cap *= 2;
					grow(&pfd, &cs, cap);
				}
				cs[n++] = c;
				connections++;
			}
		}
	}
	while (n > 0)
		conn_close(cs, &n, n - 1);
	free(cs);
	free(pfd);
}

enum {
	O_MAX_BODY = 1000, O_DELAY, O_API_KEY, O_BASIC, O_NO_PRODUCT,
	O_PIPELINE, O_ITEM_FAIL, O_REQ_FAIL, O_ON, O_ITEM_IF
};

int main(int argc, char **argv)
{
	char err[256], name[NET_NAME_MAX];
	struct sigaction sa;
	int i, lfd;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		long long x;

		if (strcmp(a, "-a") == 0) {
			ack_only = 1;
			continue;
		}
		if (strcmp(a, "--no-product") == 0) {
			product = 0;
			continue;
		}
		if (v == NULL)
			die("usage: es-server [-a] [-p PORT] [-s SEED] [-l FILE] [--max-body SIZE] "
			    "[--delay MS] [--api-key KEY] [--basic USER:PASS] "
			    "[--no-product] [--pipeline NAME] [--item-fail ST:F] "
			    "[--req-fail ACT:F] [--on N[-M]:ACT] [--item-if F:ST[:N]]");
		i++;
		if (strcmp(a, "-p") == 0) {
			port = v;
		} else if (strcmp(a, "-s") == 0) {
			seed = strtoull(v, NULL, 10);
		} else if (strcmp(a, "-l") == 0) {
			if ((logf = fopen(v, "a")) == NULL)
				die("cannot open '%s': %s", v, strerror(errno));
		} else if (strcmp(a, "--max-body") == 0) {
			if (opt_size(v, 1, MAX_REQUEST, &max_body, err, sizeof err) < 0)
				die("--max-body: %s", err);
		} else if (strcmp(a, "--delay") == 0) {
			if (opt_int(v, 0, 600000, &x, err, sizeof err) < 0)
				die("--delay: %s", err);
			delay_ms = (int)x;
		} else if (strcmp(a, "--api-key") == 0) {
			api_key = v;
		} else if (strcmp(a, "--basic") == 0) {
			basic = v;
			if (strchr(v, ':') == NULL || strlen(v) > 300)
				die("--basic: expected USER:PASS");
			b64((const unsigned char *)v, strlen(v), basic_b64);
		} else if (strcmp(a, "--pipeline") == 0 && npipelines < MAX_RULES) {
			pipelines[npipelines++] = v;
		} else if (strcmp(a, "--item-fail") == 0 && nitem_fail < MAX_RULES) {
			parse_frac(v, &item_fail[nitem_fail++], 1);
		} else if (strcmp(a, "--req-fail") == 0 && nreq_fail < MAX_RULES) {
			parse_frac(v, &req_fail[nreq_fail++], 0);
		} else if (strcmp(a, "--on") == 0) {
			parse_sched(v);
		} else if (strcmp(a, "--item-if") == 0) {
			parse_itemif(v);
		} else {
			die("unknown option '%s'", a);
		}
	}
	htab_init(&docs, sizeof(struct doc));
	id_base = sim_splitmix(&seed);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((lfd = net_listen("127.0.0.1", port, SOCK_STREAM, err, sizeof err)) < 0)
		die("%s", err);
	net_local_name(lfd, name, sizeof name);
	printf("%s\n", strrchr(name, ':') + 1);
	fflush(stdout);
	run(lfd);
	close(lfd);
	htab_free(&docs);
	buf_free(&arena);
	buf_free(&body);
	buf_free(&resp);
	buf_free(&scratch);
	json_obj_free(&aobj);
	json_obj_free(&sobj);
	if (logf != NULL)
		fclose(logf);
	return 0;
}
