/*
 * kafka-source: Kafka messages as NDJSON records.
 *
 * With -g the tool is one member of a consumer group: the group's members,
 * on any number of machines, share the topic's partitions, and a member
 * that goes away leaves its partitions to the others.  Without -g it reads
 * every partition of the topics itself, from -o.
 *
 * Delivery is at least once.  Offsets are stored for commit only once the
 * records before them are on standard output: after each flush of the
 * output buffer, and before partitions are revoked, when they are also
 * committed at once.  A record written but not yet committed when the tool
 * dies is read again by whoever takes its partition over.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "kafka.h"
#include "rt.h"

#define MAX_TOPICS	64
#define MAX_CONF	256	/* -X and -F options */
#define POLL_MS		100	/* longest wait for a message */

enum { OFF_STORED, OFF_BEGINNING, OFF_END, OFF_ABSOLUTE, OFF_TAIL };

static const char *topics[MAX_TOPICS];	/* -t */
static int ntopics;
static const char *brokers;		/* -b */
static const char *group;		/* -g */
static int offset_kind = -1;		/* -o; by -g when -1 */
static int64_t offset_value;		/* -o OFFSET or -N */
static int exit_at_end;			/* -e */
static long long max_count;		/* -c; 0 = no limit */
static int raw;				/* --raw: wrap values that are not objects */
static int envelope;			/* --envelope */
static int position;			/* --position: _partition, _offset */
static int verbose;			/* -v */
static struct { char opt; const char *arg; } confs[MAX_CONF];	/* -X, -F */
static int nconfs;

/* A partition assigned to us: its next offset to store, and -e's state. */
struct part {
	char *topic;
	int32_t partition;
	int64_t next;		/* offset after the last record written */
	int dirty;		/* next is not yet stored */
	int eof;		/* at the end of the partition */
};

static rd_kafka_t *rk;
static struct part *parts;
static unsigned long long nparts;	/* the stat "partitions" too */
static size_t partcap, last_part, neof;
static size_t ndirty;
static int done;			/* -e or -c reached */
static struct json_obj obj;
static struct buf scratch;
static unsigned long long rebalances, commits, commit_failed;
static struct kafka_quiet quiet;	/* the errors report() showed */

/* An error, unless the same code was reported a moment ago. */
static void report(rd_kafka_resp_err_t err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void report(rd_kafka_resp_err_t err, const char *fmt, ...)
{
	va_list ap;

	if (kafka_quiet(&quiet, err, tm_mono()))
		return;
	va_start(ap, fmt);
	rt_vwarn(fmt, ap);
	va_end(ap);
}

static void on_error(rd_kafka_t *h, int err, const char *reason, void *opaque)
{
	char why[512];

	(void)opaque;
	if (err == RD_KAFKA_RESP_ERR__FATAL) {
		rd_kafka_fatal_error(h, why, sizeof why);
		rt_die(1, "kafka: fatal error: %s", why);
	}
	report((rd_kafka_resp_err_t)err, "kafka: %s", reason);
}

/* Called from librdkafka's threads: one write per line, no shared state. */
static void on_log(const rd_kafka_t *h, int level, const char *fac,
                   const char *msg)
{
	(void)h;
	/* Broker failures come to on_error too. */
	if (verbose || (level <= LOG_WARNING && strcmp(fac, "FAIL") != 0))
		rt_warn("kafka: %s", kafka_log_text(msg));
}

/* Commit errors of a group in motion: the offsets stay stored and go
 * with the next commit, or are read again by the partition's next owner. */
static int passing(rd_kafka_resp_err_t err)
{
	switch (err) {
	case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
	case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
	case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
	case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
	case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
	case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
	case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
	case RD_KAFKA_RESP_ERR__WAIT_COORD:
	case RD_KAFKA_RESP_ERR__TRANSPORT:
	case RD_KAFKA_RESP_ERR__TIMED_OUT:
	case RD_KAFKA_RESP_ERR__STATE:
		return 1;
	default:
		return 0;
	}
}

static void on_commit(rd_kafka_t *h, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
	int i;

	(void)h;
	(void)opaque;
	if (err == RD_KAFKA_RESP_ERR__NO_OFFSET)
		return;
	if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
		for (i = 0; i < offsets->cnt; i++)
			if ((err = offsets->elems[i].err) != 0)
				break;
	if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
		commits++;
		return;
	}
	commit_failed++;
	if (verbose || !passing(err))
		report(err, "cannot commit offsets: %s", rd_kafka_err2str(err));
}

static struct part *find(const char *topic, int32_t partition)
{
	size_t i;

	if (last_part < nparts && parts[last_part].partition == partition &&
	    strcmp(parts[last_part].topic, topic) == 0)
		return &parts[last_part];
	for (i = 0; i < nparts; i++)
		if (parts[i].partition == partition &&
		    strcmp(parts[i].topic, topic) == 0) {
			last_part = i;
			return &parts[i];
		}
	return NULL;
}

/* The partition's entry, made when it is new. */
static struct part *add_part(const char *topic, int32_t partition)
{
	struct part *p = find(topic, partition);

	if (p != NULL)
		return p;
	if (nparts == partcap) {
		partcap = partcap ? partcap * 2 : 16;
		parts = rt_xrealloc(parts, partcap * sizeof *parts);
	}
	p = &parts[nparts++];
	memset(p, 0, sizeof *p);
	if ((p->topic = strdup(topic)) == NULL)
		rt_oom();
	p->partition = partition;
	return p;
}

static void remove_part(const char *topic, int32_t partition)
{
	struct part *p = find(topic, partition);

	if (p == NULL)
		return;
	if (p->eof)
		neof--;
	if (p->dirty)
		ndirty--;
	free(p->topic);
	*p = parts[--nparts];
}

/*
 * Stores the offsets of the records written since the last store, which
 * the caller has flushed to stdout; auto-commit (or the commit at a
 * rebalance or at close) sends them to the group.
 */
static void store_offsets(void)
{
	rd_kafka_topic_partition_list_t *l;
	rd_kafka_resp_err_t err;
	size_t i;

	if (ndirty == 0 || group == NULL)
		return;
	l = rd_kafka_topic_partition_list_new((int)ndirty);
	for (i = 0; i < nparts; i++)
		if (parts[i].dirty) {
			rd_kafka_topic_partition_list_add(l, parts[i].topic,
			    parts[i].partition)->offset = parts[i].next;
			parts[i].dirty = 0;
		}
	ndirty = 0;
	if ((err = rd_kafka_offsets_store(rk, l)) != 0)
		report(err, "cannot store offsets: %s", rd_kafka_err2str(err));
	rd_kafka_topic_partition_list_destroy(l);
}

/* Puts what was written on stdout, and only then stores its offsets. */
static void flush_and_store(void)
{
	rt_flush();
	rt_dead_flush();
	store_offsets();
}

static void on_rebalance(rd_kafka_t *h, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *l, void *opaque)
{
	int coop = strcmp(rd_kafka_rebalance_protocol(h), "COOPERATIVE") == 0;
	rd_kafka_error_t *e = NULL;
	int i;

	(void)opaque;
	rebalances++;
	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		for (i = 0; i < l->cnt; i++) {
			add_part(l->elems[i].topic, l->elems[i].partition);
			if (verbose)
				rt_warn("assigned '%s' [%d]", l->elems[i].topic,
				        (int)l->elems[i].partition);
		}
		if (coop)
			e = rd_kafka_incremental_assign(h, l);
		else
			rd_kafka_assign(h, l);
	} else {
		/* What was written is committed before others take over. */
		flush_and_store();
		if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS &&
		    !rd_kafka_assignment_lost(h))
			rd_kafka_commit(h, NULL, 0);
		for (i = 0; i < l->cnt; i++) {
			remove_part(l->elems[i].topic, l->elems[i].partition);
			if (verbose)
				rt_warn("revoked '%s' [%d]", l->elems[i].topic,
				        (int)l->elems[i].partition);
		}
		if (coop)
			e = rd_kafka_incremental_unassign(h, l);
		else
			rd_kafka_assign(h, NULL);
	}
	if (e != NULL) {
		rt_warn("rebalance: %s", rd_kafka_error_string(e));
		rd_kafka_error_destroy(e);
	}
}

/*
 * Writes JSON text of a scanned value: as it is, with invalid UTF-8
 * repaired, and on one line: a pretty-printed value's line breaks, which
 * can only be whitespace between tokens, become spaces.
 */
static void put_json(const char *v, size_t len, int ascii)
{
	size_t i;

	if (memchr(v, '\n', len) != NULL || memchr(v, '\r', len) != NULL) {
		scratch.len = 0;
		if (buf_add(&scratch, v, len) < 0)
			rt_oom();
		for (i = 0; i < len; i++)
			if (scratch.p[i] == '\n' || scratch.p[i] == '\r')
				scratch.p[i] = ' ';
		v = scratch.p;
	}
	if (ascii)
		out_write(&rt.out, v, len);
	else
		out_json_raw(&rt.out, v, len);
}

/* The object, with _partition and _offset added as its last members. */
static void put_positioned(const rd_kafka_message_t *m, const char *v,
                           size_t len, int ascii)
{
	while (len > 0 && v[len - 1] != '}')
		len--;
	put_json(v, len - 1, ascii);
	if (obj.n > 0)
		out_putc(&rt.out, ',');
	out_lit(&rt.out, "\"_partition\":");
	out_json_int(&rt.out, m->partition);
	out_lit(&rt.out, ",\"_offset\":");
	out_json_int(&rt.out, m->offset);
	out_putc(&rt.out, '}');
}

/* {"topic","partition","offset","key","timestamp","value"} */
static void put_envelope(const rd_kafka_message_t *m, int is_obj, int ascii)
{
	rd_kafka_timestamp_type_t tstype;
	int64_t ts = rd_kafka_message_timestamp(m, &tstype);
	const char *name = rd_kafka_topic_name(m->rkt);

	out_lit(&rt.out, "{\"topic\":");
	out_json_str(&rt.out, name, strlen(name));
	out_lit(&rt.out, ",\"partition\":");
	out_json_int(&rt.out, m->partition);
	out_lit(&rt.out, ",\"offset\":");
	out_json_int(&rt.out, m->offset);
	out_lit(&rt.out, ",\"key\":");
	if (m->key == NULL)
		out_lit(&rt.out, "null");
	else
		out_json_str(&rt.out, m->key, m->key_len);
	out_lit(&rt.out, ",\"timestamp\":");
	if (ts < 0)
		out_lit(&rt.out, "null");
	else
		out_json_time(&rt.out, ts);
	out_lit(&rt.out, ",\"value\":");
	if (m->payload == NULL)
		out_lit(&rt.out, "null");
	else if (is_obj)
		put_json(m->payload, m->len, ascii);
	else
		out_json_str(&rt.out, m->payload, m->len);
	out_putc(&rt.out, '}');
}

static int first_byte(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
	       s[i] == '\n'))
		i++;
	return i < len ? s[i] : -1;
}

/* One message as a record, or as bad input. */
static void emit(const rd_kafka_message_t *m)
{
	const char *v = m->payload != NULL ? m->payload : "";
	char err[160] = "", where[512];
	int is_obj, ascii = 0;

	is_obj = m->payload != NULL &&
	         json_scan(v, m->len, &obj, err, sizeof err) == 0;
	if (is_obj)
		ascii = json_obj_plain(&obj);
	if (!is_obj && !raw) {
		snprintf(where, sizeof where, "%s[%d]@%lld",
		         rd_kafka_topic_name(m->rkt), (int)m->partition,
		         (long long)m->offset);
		if (m->payload == NULL)
			rt_bad_at(where, v, 0, "empty value");
		else if (first_byte(v, m->len) == '{')
			rt_bad_at(where, v, m->len, "invalid JSON: %s", err);
		else
			rt_bad_at(where, v, m->len, "not a JSON object");
		return;
	}
	if (envelope || !is_obj)
		put_envelope(m, is_obj, ascii);
	else if (position)
		put_positioned(m, v, m->len, ascii);
	else
		put_json(v, m->len, ascii);
	rt_emit_end();
}

static int all_at_end(void)
{
	return exit_at_end && nparts > 0 && neof == nparts;
}

static void consume(const rd_kafka_message_t *m)
{
	/* A consumer error may belong to no topic (a group's failure). */
	const char *name = m->rkt != NULL ? rd_kafka_topic_name(m->rkt) : NULL;
	struct part *p;

	if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
		if ((p = find(name, m->partition)) != NULL && !p->eof) {
			p->eof = 1;
			neof++;
		}
		done = done || all_at_end();
		return;
	}
	if (m->err) {
		if (m->rkt != NULL && exit_at_end &&
		    (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
		     m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC))
			rt_die(1, "'%s': %s", name, rd_kafka_message_errstr(m));
		if (m->rkt != NULL)
			report(m->err, "'%s' [%d]: %s", name, (int)m->partition,
			       rd_kafka_message_errstr(m));
		else
			report(m->err, "kafka: %s", rd_kafka_message_errstr(m));
		return;
	}
	rt.records_in++;
	p = add_part(name, m->partition);
	if (p->eof) {
		p->eof = 0;
		neof--;
	}
	emit(m);
	p->next = m->offset + 1;
	if (!p->dirty)
		ndirty++;
	p->dirty = 1;
	/* The output buffer went out whole: everything so far is written. */
	if (rt.out.len == 0)
		store_offsets();
	if (max_count > 0 && rt.records_in >= (unsigned long long)max_count)
		done = 1;
}

/* Without -g: every partition of each topic, from -o. */
static void assign_all(void)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
	const struct rd_kafka_metadata *md;
	rd_kafka_resp_err_t err;
	int64_t off;
	int i, k;

	switch (offset_kind) {
	case OFF_END: off = RD_KAFKA_OFFSET_END; break;
	case OFF_ABSOLUTE: off = offset_value; break;
	case OFF_TAIL: off = RD_KAFKA_OFFSET_TAIL(offset_value); break;
	default: off = RD_KAFKA_OFFSET_BEGINNING; break;
	}
	for (i = 0; i < ntopics; i++) {
		rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topics[i], NULL);

		if (rkt == NULL)
			rt_die(1, "'%s': %s", topics[i],
			       rd_kafka_err2str(rd_kafka_last_error()));
		err = rd_kafka_metadata(rk, 0, rkt, &md, 30000);
		rd_kafka_topic_destroy(rkt);
		if (err)
			rt_die(1, "'%s': cannot get metadata: %s", topics[i],
			       rd_kafka_err2str(err));
		if (md->topic_cnt != 1 || md->topics[0].err ||
		    md->topics[0].partition_cnt == 0)
			rt_die(1, "'%s': %s", topics[i], rd_kafka_err2str(
			       md->topic_cnt == 1 && md->topics[0].err ?
			       md->topics[0].err :
			       RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
		for (k = 0; k < md->topics[0].partition_cnt; k++) {
			int32_t id = md->topics[0].partitions[k].id;

			rd_kafka_topic_partition_list_add(l, topics[i], id)
			    ->offset = off;
			add_part(topics[i], id);
		}
		rd_kafka_metadata_destroy(md);
	}
	if ((err = rd_kafka_assign(rk, l)) != 0)
		rt_die(1, "cannot assign partitions: %s", rd_kafka_err2str(err));
	rd_kafka_topic_partition_list_destroy(l);
}

static void subscribe(void)
{
	rd_kafka_topic_partition_list_t *l;
	rd_kafka_resp_err_t err;
	int i;

	l = rd_kafka_topic_partition_list_new(ntopics);
	for (i = 0; i < ntopics; i++)
		rd_kafka_topic_partition_list_add(l, topics[i],
		                                  RD_KAFKA_PARTITION_UA);
	if ((err = rd_kafka_subscribe(rk, l)) != 0)
		rt_die(1, "cannot subscribe: %s", rd_kafka_err2str(err));
	rd_kafka_topic_partition_list_destroy(l);
}

/*
 * Has the reader of standard output gone away?  A quiet source writes
 * nothing that would fail with EPIPE, so it asks the pipe, and ends as a
 * failed write would.
 */
static void check_reader(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = 0 };

	if (poll(&p, 1, 0) == 1 && (p.revents & POLLERR)) {
		rt.out.err = EPIPE;
		rt_flush();
	}
}

/* Messages to stdout until a signal, -e or -c; flushing before waiting. */
static void run(void)
{
	rd_kafka_message_t *m;

	while (!rt_stop && !done) {
		rt_check_signals();
		if ((m = rd_kafka_consumer_poll(rk, 0)) == NULL) {
			flush_and_store();
			check_reader();
			if ((m = rd_kafka_consumer_poll(rk, POLL_MS)) == NULL)
				continue;
		}
		consume(m);
		rd_kafka_message_destroy(m);
	}
	flush_and_store();
}

static void usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f,
	    "usage: kafka-source -b BROKERS -t TOPIC... [-g GROUP]"
	    " [-o beginning|end|stored|OFFSET|-N]\n"
	    "                    [-e] [-c COUNT] [--raw] [--envelope |"
	    " --position] [-X PROP=VALUE]\n"
	    "                    [-F FILE] [-v] " RT_USAGE "\n");
	exit(status);
}

enum { OPT_RAW = 1, OPT_ENVELOPE, OPT_POSITION };

static const struct option longopts[] = {
	RT_LONGOPTS,
	{"brokers", required_argument, NULL, 'b'},
	{"topic", required_argument, NULL, 't'},
	{"group", required_argument, NULL, 'g'},
	{"offset", required_argument, NULL, 'o'},
	{"exit", no_argument, NULL, 'e'},
	{"count", required_argument, NULL, 'c'},
	{"property", required_argument, NULL, 'X'},
	{"config", required_argument, NULL, 'F'},
	{"verbose", no_argument, NULL, 'v'},
	{"raw", no_argument, NULL, OPT_RAW},
	{"envelope", no_argument, NULL, OPT_ENVELOPE},
	{"position", no_argument, NULL, OPT_POSITION},
	{NULL, 0, NULL, 0}
};

static void offset(const char *arg)
{
	if (strcmp(arg, "beginning") == 0) {
		offset_kind = OFF_BEGINNING;
	} else if (strcmp(arg, "end") == 0) {
		offset_kind = OFF_END;
	} else if (strcmp(arg, "stored") == 0) {
		offset_kind = OFF_STORED;
	} else if (arg[0] == '-') {
		offset_kind = OFF_TAIL;
		offset_value = rt_opt_int("-o", arg + 1, 1, INT64_MAX / 2);
	} else if (arg[0] >= '0' && arg[0] <= '9') {
		offset_kind = OFF_ABSOLUTE;
		offset_value = rt_opt_int("-o", arg, 0, INT64_MAX / 2);
	} else {
		rt_die(2, "-o: expected beginning, end, stored, an offset or "
		       "-N: '%s'", arg);
	}
}

static void check_options(int argc)
{
	if (ntopics == 0) {
		rt_warn("-t is required");
		usage(2);
	}
	if (argc > optind) {
		rt_warn("too many operands");
		usage(2);
	}
	if (group == NULL && offset_kind == OFF_STORED)
		rt_die(2, "-o stored needs -g: offsets are stored per group");
	if (group != NULL && (offset_kind == OFF_ABSOLUTE ||
	                      offset_kind == OFF_TAIL))
		rt_die(2, "-o OFFSET and -g cannot be used together: a group "
		       "starts where it committed");
	if (envelope && position)
		rt_die(2, "--envelope and --position cannot be used together: "
		       "the envelope has the partition and offset");
	if (position && ntopics > 1)
		rt_die(2, "--position and more than one -t cannot be used "
		       "together: _partition names no topic");
}

/* One property the tool sets itself; a bad one is a usage error. */
static void set(rd_kafka_conf_t *conf, const char *name, const char *val)
{
	char err[512];

	if (kafka_set(conf, name, val, err, sizeof err) < 0)
		rt_die(2, "%s: %s", name, err);
}

/* The tool's settings, then the environment's secrets, then -X and -F in
 * the order given, so that those can change anything. */
static rd_kafka_conf_t *configure(void)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char err[512];
	int i;

	if (brokers != NULL)
		set(conf, "bootstrap.servers", brokers);
	set(conf, "enable.partition.eof", exit_at_end ? "true" : "false");
	if (group != NULL) {
		set(conf, "group.id", group);
		set(conf, "enable.auto.offset.store", "false");
		set(conf, "partition.assignment.strategy", "cooperative-sticky");
		set(conf, "auto.offset.reset",
		    offset_kind == OFF_END ? "latest" : "earliest");
	} else {
		/* librdkafka wants a group even for assign(); it is never
		 * joined, and nothing is committed to it. */
		set(conf, "group.id", "kafka-source");
		set(conf, "enable.auto.commit", "false");
	}
	if (kafka_env(conf, err, sizeof err) < 0)
		rt_die(2, "%s", err);
	for (i = 0; i < nconfs; i++) {
		int rc = confs[i].opt == 'X' ?
		         kafka_arg(conf, confs[i].arg, err, sizeof err) :
		         kafka_file(conf, confs[i].arg, err, sizeof err);

		if (rc < 0)
			rt_die(2, "-%c: %s", confs[i].opt, err);
	}
	if (!kafka_has(conf, "bootstrap.servers")) {
		rt_warn("-b is required (or bootstrap.servers in -F or -X)");
		usage(2);
	}
	rd_kafka_conf_set_error_cb(conf, on_error);
	rd_kafka_conf_set_log_cb(conf, on_log);
	if (group != NULL) {
		rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
		rd_kafka_conf_set_offset_commit_cb(conf, on_commit);
	}
	return conf;
}

int main(int argc, char **argv)
{
	rd_kafka_conf_t *conf;
	char err[512];
	size_t i;
	int c;

	rt_init("kafka-source");
	while ((c = getopt_long(argc, argv, "hVub:t:g:o:ec:X:F:v", longopts,
	                        NULL)) != -1) {
		switch (c) {
		case 'h': usage(0); break;
		case 'b': brokers = optarg; break;
		case 't':
			if (ntopics == MAX_TOPICS)
				rt_die(2, "-t: more than %d topics", MAX_TOPICS);
			topics[ntopics++] = optarg;
			break;
		case 'g': group = optarg; break;
		case 'o': offset(optarg); break;
		case 'e': exit_at_end = 1; break;
		case 'c':
			max_count = rt_opt_int("-c", optarg, 1, INT64_MAX / 2);
			break;
		case 'v': verbose = 1; break;
		case 'X':
		case 'F':
			if (nconfs == MAX_CONF)
				rt_die(2, "-%c: too many", c);
			confs[nconfs].opt = (char)c;
			confs[nconfs++].arg = optarg;
			break;
		case OPT_RAW: raw = 1; break;
		case OPT_ENVELOPE: envelope = 1; break;
		case OPT_POSITION: position = 1; break;
		default:
			if (!rt_option(c, optarg))
				usage(2);
		}
	}
	check_options(argc);
	conf = configure();
	rt_stat("partitions", &nparts);
	rt_stat("rebalances", &rebalances);
	rt_stat("commits", &commits);
	rt_stat("commit_failed", &commit_failed);
	rt_open_dead_letter();

	if ((rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err)) == NULL)
		rt_die(2, "%s", err);
	rd_kafka_poll_set_consumer(rk);
	if (group != NULL)
		subscribe();
	else
		assign_all();
	run();
	/* Leaving the group commits what was stored and hands the
	 * partitions on at once. */
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	for (i = 0; i < nparts; i++)
		free(parts[i].topic);
	free(parts);
	json_obj_free(&obj);
	buf_free(&scratch);
	return rt_finish(0);
}
