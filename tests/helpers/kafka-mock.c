/*
 * kafka-mock: a Kafka cluster for tests, from librdkafka's built-in mock
 * (rdkafka_mock.h), listening on 127.0.0.1.
 *
 *	kafka-mock [-n BROKERS] [-t TOPIC:PARTITIONS]...
 *
 * It creates the topics, prints the bootstrap address ("127.0.0.1:PORT,...")
 * as the first line on stdout, and runs until SIGTERM or SIGINT.  Lines on
 * stdin are commands, each answered with one line on stdout: "ok", or
 * "error: WHY".  End of stdin ends the commands, not the cluster.
 *
 *	topic NAME PARTITIONS		create a topic
 *	error API COUNT ERR		the next COUNT requests of API fail with ERR
 *	broker-error ID API ERR RTT	the next request of API to broker ID
 *					fails with ERR after RTT ms
 *	topic-error NAME ERR		metadata reports ERR for topic NAME
 *	clear API			forget errors pushed for API
 *	down ID | up ID			a broker (-1: all) refuses connections
 *	rtt ID MS			a broker (-1: all) answers after MS ms
 *
 * API is a Kafka request name (Produce, Fetch, Metadata, OffsetCommit,
 * JoinGroup, ...) or number; ERR a librdkafka error name without its
 * RD_KAFKA_RESP_ERR_ prefix (NOT_LEADER_FOR_PARTITION, _TRANSPORT, ...).
 *
 * What the mock is not: it keeps everything in memory, has no replication
 * worth the name, no ACLs, SASL or TLS, no CreateTopics admin API, no
 * retention, and its consumer group coordinator implements the classic
 * protocol only.  It is for tests and trying things out, never for data.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop;
static rd_kafka_mock_cluster_t *mc;

static const struct { const char *name; int key; } apis[] = {
	{"Produce", 0}, {"Fetch", 1}, {"ListOffsets", 2}, {"Metadata", 3},
	{"OffsetCommit", 8}, {"OffsetFetch", 9}, {"FindCoordinator", 10},
	{"JoinGroup", 11}, {"Heartbeat", 12}, {"LeaveGroup", 13},
	{"SyncGroup", 14}, {"ApiVersions", 18}, {"InitProducerId", 22},
};

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int api_key(const char *s)
{
	size_t i;
	char *end;
	long v;

	for (i = 0; i < sizeof apis / sizeof apis[0]; i++)
		if (strcasecmp(s, apis[i].name) == 0)
			return apis[i].key;
	v = strtol(s, &end, 10);
	return *s != '\0' && *end == '\0' && v >= 0 && v < 100 ? (int)v : -1;
}

/* An error code by name; 1 when found. */
static int err_code(const char *s, rd_kafka_resp_err_t *err)
{
	const struct rd_kafka_err_desc *d;
	size_t i, n;

	if (strcmp(s, "NO_ERROR") == 0) {
		*err = RD_KAFKA_RESP_ERR_NO_ERROR;
		return 1;
	}
	rd_kafka_get_err_descs(&d, &n);
	for (i = 0; i < n; i++)
		if (d[i].name != NULL && strcmp(d[i].name, s) == 0) {
			*err = d[i].code;
			return 1;
		}
	return 0;
}

static int num(const char *s, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return *s != '\0' && *end == '\0' && errno == 0 && *v >= min &&
	       *v <= max;
}

static int create_topic(const char *name, const char *parts)
{
	long n;
	rd_kafka_resp_err_t err;

	if (!num(parts, 1, 100000, &n))
		return -1;
	err = rd_kafka_mock_topic_create(mc, name, (int)n, 1);
	return err ? -1 : 0;
}

/* Runs one command line; returns NULL, or why it failed. */
static const char *command(char *line)
{
	char *w[6];
	int n = 0, api;
	long a, b;
	rd_kafka_resp_err_t err;
	char *save = NULL, *tok;

	for (tok = strtok_r(line, " \t\r\n", &save); tok != NULL && n < 6;
	     tok = strtok_r(NULL, " \t\r\n", &save))
		w[n++] = tok;
	if (n == 0)
		return "empty command";
	if (strcmp(w[0], "topic") == 0 && n == 3)
		return create_topic(w[1], w[2]) < 0 ? "cannot create topic" : NULL;
	if (strcmp(w[0], "error") == 0 && n == 4) {
		rd_kafka_resp_err_t errs[1000];

		if ((api = api_key(w[1])) < 0)
			return "unknown API";
		if (!num(w[2], 1, 1000, &a))
			return "bad count";
		if (!err_code(w[3], &err))
			return "unknown error name";
		for (b = 0; b < a; b++)
			errs[b] = err;
		rd_kafka_mock_push_request_errors_array(mc, (int16_t)api,
		                                        (size_t)a, errs);
		return NULL;
	}
	if (strcmp(w[0], "broker-error") == 0 && n == 5) {
		if (!num(w[1], 1, 1000, &a) || (api = api_key(w[2])) < 0 ||
		    !err_code(w[3], &err) || !num(w[4], 0, 3600000, &b))
			return "bad arguments";
		return rd_kafka_mock_broker_push_request_error_rtts(
		           mc, (int32_t)a, (int16_t)api, 1, err, (int)b) ?
		       "cannot push error" : NULL;
	}
	if (strcmp(w[0], "topic-error") == 0 && n == 3) {
		if (!err_code(w[2], &err))
			return "unknown error name";
		rd_kafka_mock_topic_set_error(mc, w[1], err);
		return NULL;
	}
	if (strcmp(w[0], "clear") == 0 && n == 2) {
		if ((api = api_key(w[1])) < 0)
			return "unknown API";
		rd_kafka_mock_clear_request_errors(mc, (int16_t)api);
		return NULL;
	}
	if ((strcmp(w[0], "down") == 0 || strcmp(w[0], "up") == 0) && n == 2) {
		if (!num(w[1], -1, 1000, &a))
			return "bad broker id";
		err = w[0][0] == 'd' ? rd_kafka_mock_broker_set_down(mc, (int32_t)a) :
		      rd_kafka_mock_broker_set_up(mc, (int32_t)a);
		return err ? "no such broker" : NULL;
	}
	if (strcmp(w[0], "rtt") == 0 && n == 3) {
		if (!num(w[1], -1, 1000, &a) || !num(w[2], 0, 3600000, &b))
			return "bad arguments";
		return rd_kafka_mock_broker_set_rtt(mc, (int32_t)a, (int)b) ?
		       "no such broker" : NULL;
	}
	return "unknown command";
}

static void usage(void)
{
	fprintf(stderr, "usage: kafka-mock [-n BROKERS] [-t TOPIC:PARTITIONS]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	char errstr[512], line[1024];
	const char *topics[256];
	int ntopics = 0, c, i, in_open = 1;
	long brokers = 1;
	size_t len = 0;
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;
	struct sigaction sa;

	while ((c = getopt(argc, argv, "n:t:")) != -1) {
		switch (c) {
		case 'n':
			if (!num(optarg, 1, 100, &brokers))
				usage();
			break;
		case 't':
			if (ntopics == 256 || strchr(optarg, ':') == NULL)
				usage();
			topics[ntopics++] = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* The handle only hosts the cluster's thread; it talks to no one. */
	conf = rd_kafka_conf_new();
	if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr))
		return 1;
	if ((rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr,
	                       sizeof errstr)) == NULL) {
		fprintf(stderr, "kafka-mock: %s\n", errstr);
		return 1;
	}
	if ((mc = rd_kafka_mock_cluster_new(rk, (int)brokers)) == NULL) {
		fprintf(stderr, "kafka-mock: cannot start the mock cluster\n");
		return 1;
	}
	for (i = 0; i < ntopics; i++) {
		char name[256];
		const char *colon = strrchr(topics[i], ':');

		snprintf(name, sizeof name, "%.*s", (int)(colon - topics[i]),
		         topics[i]);
		if (create_topic(name, colon + 1) < 0) {
			fprintf(stderr, "kafka-mock: cannot create topic '%s'\n",
			        topics[i]);
			return 1;
		}
	}
	printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);

	while (!stop) {
		struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
		ssize_t n;
		char *nl;

		if (poll(&p, in_open ? 1 : 0, 200) <= 0)
			continue;
		n = read(STDIN_FILENO, line + len, sizeof line - 1 - len);
		if (n <= 0) {
			in_open = n < 0 && errno == EINTR;
			continue;
		}
		len += (size_t)n;
		while ((nl = memchr(line, '\n', len)) != NULL) {
			const char *why;

			*nl = '\0';
			why = command(line);
			if (why == NULL)
				printf("ok\n");
			else
				printf("error: %s\n", why);
			fflush(stdout);
			len -= (size_t)(nl + 1 - line);
			memmove(line, nl + 1, len);
		}
		if (len == sizeof line - 1)
			len = 0;
	}
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return 0;
}
