/*
 * kafka-sink: NDJSON records to a Kafka topic.
 *
 * Each input record becomes one message whose value is the record's line
 * (invalid UTF-8 repaired) and whose key, with -k, is a field of it, so
 * that records with the same key land in the same partition, in order.
 * librdkafka's queue is the stage buffer: when it is full the tool stops
 * reading (and so slows the stage before it) until deliveries make room.
 * Every message's delivery report is checked; a record that could not be
 * delivered goes to the dead-letter file and makes the exit status 1.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <librdkafka/rdkafka.h>

#include "bucket.h"
#include "kafka.h"
#include "rt.h"

#define DEFAULT_BUFFER	(64LL * 1024 * 1024)
#define MAX_MESSAGES	"10000000"	/* the queue is bounded by bytes */
#define POLL_EVERY	64		/* records between delivery serving */

static const char *topic;		/* -t */
static const char *key_field;		/* -k: dotted path of the key */
static int verbose;			/* -v: librdkafka's informational logs */
static int on_full = RT_BLOCK;		/* --on-full: block or drop-newest */
static double rate;			/* --rate: records/s, 0 = unlimited */
static int64_t drain_ms = 30000;	/* --drain-timeout */

static rd_kafka_t *rk;
static rd_kafka_topic_t *rkt;
static rd_kafka_conf_t *conf;
static volatile int fatal;		/* librdkafka gave up: stop */
static struct buf value, keybuf;	/* repaired value, key text */
static unsigned long long failed, paused, queued;

/* Failure reports: each reason once, and again only after a while. */
static const char *reported_why;
static int64_t reported_at;

static struct kafka_quiet quiet;	/* librdkafka's errors reported */
static struct bucket bucket;		/* --rate: a token bucket of records */

/* A record that will not be delivered: kept, counted, reported. */
static void undelivered(const void *p, size_t len, const char *why)
{
	int64_t now = tm_mono();

	failed++;
	rt_dead_letter(p, len);
	if (reported_why != NULL && strcmp(why, reported_why) == 0 &&
	    now - reported_at < KAFKA_QUIET_MS)
		return;
	reported_why = why;
	reported_at = now;
	rt_warn("'%s': record not delivered: %s", topic, why);
}

/* Delivery reports, served by rd_kafka_poll and rd_kafka_flush. */
static void on_delivery(rd_kafka_t *h, const rd_kafka_message_t *m,
                        void *opaque)
{
	(void)h;
	(void)opaque;
	queued--;
	if (m->err)
		undelivered(m->payload, m->len, rd_kafka_err2str(m->err));
	else
		rt.records_out++;
}

static void on_error(rd_kafka_t *h, int err, const char *reason, void *opaque)
{
	char why[512];

	(void)opaque;
	if (err == RD_KAFKA_RESP_ERR__FATAL) {
		rd_kafka_fatal_error(h, why, sizeof why);
		rt_warn("kafka: fatal error: %s", why);
		fatal = 1;
		return;
	}
	if (!kafka_quiet(&quiet, (rd_kafka_resp_err_t)err, tm_mono()))
		rt_warn("kafka: %s", reason);
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

/* The message value: the line, with invalid UTF-8 repaired. */
static void record_value(const struct rt_record *rec, const char **p,
                         size_t *len)
{
	int n;

	*p = rec->line.ptr;
	*len = rec->line.len;
	if (utf8_valid_prefix(*p, *len) == *len)
		return;
	value.len = 0;
	if ((n = utf8_repair(*p, *len, &value)) < 0)
		rt_oom();
	rt.out.repaired += (unsigned)n;
	*p = value.p;
	*len = value.len;
}

/* The key: a string field's text, other values as written; none when the
 * field is missing or null. */
static void record_key(const struct rt_record *rec, const char **p,
                       size_t *len)
{
	struct json_member m;

	*p = NULL;
	*len = 0;
	if (key_field == NULL || !json_get(&rec->obj, key_field, &m) ||
	    m.type == JSON_NULL)
		return;
	if (rt_string(&m, &keybuf, p, len) == 0)
		return;
	*p = m.val;
	*len = m.vlen;
}

/* Waits for --rate to allow one more record, serving deliveries. */
static void pace(void)
{
	int64_t now;

	for (;;) {
		now = tm_mono();
		bucket_refill(&bucket, now);
		if (bucket_ready(&bucket) || rt_stop)
			break;
		rd_kafka_poll(rk, (int)(bucket_due(&bucket, now) - now));
	}
	bucket_take(&bucket);
}

/*
 * Hands one record to librdkafka.  A full queue is waited out (serving
 * delivery reports, which make room), or with --on-full drop-newest the
 * record is dropped; a stop signal bounds the wait by --drain-timeout.
 */
static void produce(const struct rt_record *rec)
{
	const char *v, *k;
	size_t vlen, klen;
	int64_t deadline = -1;
	int waited = 0;
	rd_kafka_resp_err_t err;

	if (rate > 0)
		pace();
	record_value(rec, &v, &vlen);
	record_key(rec, &k, &klen);
	for (;;) {
		if (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA,
		                     RD_KAFKA_MSG_F_COPY, (void *)v, vlen, k,
		                     klen, NULL) == 0) {
			queued++;
			return;
		}
		err = rd_kafka_last_error();
		if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || fatal) {
			undelivered(rec->line.ptr, rec->line.len,
			            rd_kafka_err2str(err));
			return;
		}
		if (on_full == RT_DROP_NEWEST) {
			rt.dropped++;
			if (rt.dropped == 1)
				rt_warn("buffer full: dropping the newest records");
			return;
		}
		if (!waited++)
			paused++;
		if (rt_stop && deadline < 0)
			deadline = tm_mono() + drain_ms;
		if (deadline >= 0 && tm_mono() >= deadline) {
			undelivered(rec->line.ptr, rec->line.len,
			            "buffer full when the drain timed out");
			return;
		}
		rd_kafka_poll(rk, 100);
		rt_check_signals();
	}
}

/*
 * Waits up to --drain-timeout for the messages in flight; what is left
 * is purged, and its delivery reports put it in the dead letter.
 */
static void drain(void)
{
	int i;

	if (rd_kafka_flush(rk, (int)drain_ms) == RD_KAFKA_RESP_ERR_NO_ERROR)
		return;
	if (rd_kafka_outq_len(rk) > 0)
		rt_warn("drain timed out after %lld ms: %d records still in "
		        "flight", (long long)drain_ms, rd_kafka_outq_len(rk));
	rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
	for (i = 0; i < 100 && rd_kafka_outq_len(rk) > 0; i++)
		rd_kafka_poll(rk, 50);
}

/* An exit through rt_die (--strict, a write error) still drains. */
static void at_exit(void)
{
	if (rk == NULL)
		return;
	drain();
	rt_dead_flush();
}

static void usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f,
	    "usage: kafka-sink -b BROKERS -t TOPIC [-k FIELD] [-X PROP=VALUE]"
	    " [-F FILE]\n"
	    "                  [-z CODEC] [--acks all|1|0] [--buffer SIZE]"
	    " [--on-full block|drop-newest]\n"
	    "                  [--rate N] [--drain-timeout DUR] [-v] "
	    RT_USAGE "\n"
	    "                  [FILE ...]\n");
	exit(status);
}

enum {
	OPT_ACKS = 1, OPT_BUFFER, OPT_ON_FULL, OPT_RATE, OPT_DRAIN_TIMEOUT
};

static const struct option longopts[] = {
	RT_LONGOPTS,
	{"brokers", required_argument, NULL, 'b'},
	{"topic", required_argument, NULL, 't'},
	{"key", required_argument, NULL, 'k'},
	{"property", required_argument, NULL, 'X'},
	{"config", required_argument, NULL, 'F'},
	{"compression", required_argument, NULL, 'z'},
	{"verbose", no_argument, NULL, 'v'},
	{"acks", required_argument, NULL, OPT_ACKS},
	{"buffer", required_argument, NULL, OPT_BUFFER},
	{"on-full", required_argument, NULL, OPT_ON_FULL},
	{"rate", required_argument, NULL, OPT_RATE},
	{"drain-timeout", required_argument, NULL, OPT_DRAIN_TIMEOUT},
	{NULL, 0, NULL, 0}
};

/* One property from an option; a bad one is a usage error. */
static void set(const char *opt, const char *name, const char *val)
{
	char err[512];

	if (kafka_set(conf, name, val, err, sizeof err) < 0)
		rt_die(2, "%s: %s", opt, err);
}

static void acks(const char *arg)
{
	if (strcmp(arg, "all") == 0 || strcmp(arg, "-1") == 0) {
		set("--acks", "acks", "all");
		return;
	}
	if (strcmp(arg, "0") != 0 && strcmp(arg, "1") != 0)
		rt_die(2, "--acks: expected all, 1 or 0: '%s'", arg);
	/* Idempotence needs every in-sync replica's acknowledgement. */
	set("--acks", "enable.idempotence", "false");
	set("--acks", "acks", arg);
}

static void buffer(const char *arg)
{
	char kb[32];
	long long size = rt_opt_size("--buffer", arg, 1024, 2047LL << 30);

	snprintf(kb, sizeof kb, "%lld", size / 1024);
	set("--buffer", "queue.buffering.max.kbytes", kb);
}

/* Defaults before the options, so that -X and -F can change them. */
static void defaults(void)
{
	char err[512];

	conf = rd_kafka_conf_new();
	set("kafka-sink", "enable.idempotence", "true");
	set("kafka-sink", "queue.buffering.max.messages", MAX_MESSAGES);
	buffer("64M");
	if (kafka_env(conf, err, sizeof err) < 0)
		rt_die(2, "%s", err);
}

static void check_options(void)
{
	if (topic == NULL) {
		rt_warn("-t is required");
		usage(2);
	}
	if (!kafka_has(conf, "bootstrap.servers")) {
		rt_warn("-b is required (or bootstrap.servers in -F or -X)");
		usage(2);
	}
	if (on_full == RT_DROP_NEWEST && rate > 0)
		rt_die(2, "--on-full drop-newest and --rate cannot be used "
		       "together: --rate waits");
}

static void start(void)
{
	char err[512];

	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_error_cb(conf, on_error);
	rd_kafka_conf_set_log_cb(conf, on_log);
	if ((rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err)) == NULL)
		rt_die(2, "%s", err);
	conf = NULL;	/* rk owns it now */
	if ((rkt = rd_kafka_topic_new(rk, topic, NULL)) == NULL)
		rt_die(1, "'%s': %s", topic,
		       rd_kafka_err2str(rd_kafka_last_error()));
}

int main(int argc, char **argv)
{
	struct rt_record rec = {0};
	char err[512];
	unsigned long long n = 0, lost;
	int c, rc;

	rt_init("kafka-sink");
	defaults();
	while ((c = getopt_long(argc, argv, "hVub:t:k:X:F:z:v", longopts,
	                        NULL)) != -1) {
		switch (c) {
		case 'h': usage(0); break;
		case 'b': set("-b", "bootstrap.servers", optarg); break;
		case 't': topic = optarg; break;
		case 'k': key_field = optarg; break;
		case 'v': verbose = 1; break;
		case 'z': set("-z", "compression.codec", optarg); break;
		case 'X':
			if (kafka_arg(conf, optarg, err, sizeof err) < 0)
				rt_die(2, "-X: %s", err);
			break;
		case 'F':
			if (kafka_file(conf, optarg, err, sizeof err) < 0)
				rt_die(2, "-F: %s", err);
			break;
		case OPT_ACKS: acks(optarg); break;
		case OPT_BUFFER: buffer(optarg); break;
		case OPT_ON_FULL:
			if (strcmp(optarg, "block") == 0)
				on_full = RT_BLOCK;
			else if (strcmp(optarg, "drop-newest") == 0)
				on_full = RT_DROP_NEWEST;
			else if (strcmp(optarg, "drop-oldest") == 0)
				rt_die(2, "--on-full: drop-oldest is not possible:"
				       " librdkafka's queue keeps what it took");
			else
				rt_die(2, "--on-full: expected block or "
				       "drop-newest: '%s'", optarg);
			break;
		case OPT_RATE:
			rate = rt_opt_double("--rate", optarg, 0.01, 1e9);
			break;
		case OPT_DRAIN_TIMEOUT:
			drain_ms = rt_opt_dur("--drain-timeout", optarg, 0,
			                      86400000);
			break;
		default:
			if (!rt_option(c, optarg))
				usage(2);
		}
	}
	check_options();
	rt_stat("failed", &failed);
	rt_stat("paused", &paused);
	rt_stat("in_flight", &queued);
	start();
	atexit(at_exit);
	rt_open_input(argc - optind, argv + optind);
	bucket_init(&bucket, rate, tm_mono());

	while (!fatal && (rc = rt_next(&rec, queued > 0 ? 100 : 1000)) !=
	       LINE_EOF) {
		if (rc == LINE_OK) {
			produce(&rec);
			if (++n % POLL_EVERY != 0)
				continue;
		}
		rd_kafka_poll(rk, 0);
	}

	drain();
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	rk = NULL;
	/* A sink's status says whether everything read arrived, so bad
	 * input, which never reached the topic, counts too. */
	if ((lost = failed + rt.bad_input) > 0)
		rt_warn("%llu record%s not delivered%s%s%s", lost,
		        lost == 1 ? "" : "s",
		        rt.dead_path ? ": kept in '" : "",
		        rt.dead_path ? rt.dead_path : "",
		        rt.dead_path ? "'" : "");
	json_obj_free(&rec.obj);
	buf_free(&value);
	buf_free(&keybuf);
	return rt_finish(lost > 0 || fatal ? 1 : 0);
}
