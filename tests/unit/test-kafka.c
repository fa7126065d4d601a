/*
 * Unit tests of kafka: -X and -F set what they say and refuse secrets and
 * malformed lines with the reasons the tools print, secrets come from
 * KAFKA_ variables, kafka_has tells a set property from an unset or empty
 * one, and kafka_quiet holds back only a code repeated within the period.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka.h"
#include "tap.h"

/* The property's value in conf, or "" when it cannot be read. */
static const char *get(const rd_kafka_conf_t *conf, const char *name)
{
	static char v[256];
	size_t n = sizeof v;

	if (rd_kafka_conf_get(conf, name, v, &n) != RD_KAFKA_CONF_OK)
		v[0] = '\0';
	return v;
}

static void args(void)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char err[512], big[KAFKA_LINE_MAX + 8];

	ok(kafka_arg(conf, "client.id=a=b", err, sizeof err) == 0 &&
	   strcmp(get(conf, "client.id"), "a=b") == 0,
	   "-X splits at the first '='");
	ok(kafka_arg(conf, "novalue", err, sizeof err) < 0 &&
	   strcmp(err, "expected PROP=VALUE: 'novalue'") == 0,
	   "-X without '=': %s", err);
	ok(kafka_arg(conf, "=x", err, sizeof err) < 0 &&
	   strcmp(err, "expected PROP=VALUE: '=x'") == 0,
	   "-X without a name: %s", err);
	ok(kafka_arg(conf, "sasl.password=p", err, sizeof err) < 0 &&
	   strstr(err, "'sasl.password' is a secret") == err,
	   "-X refuses a secret: %s", err);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ok(kafka_arg(conf, big, err, sizeof err) < 0 &&
	   strncmp(err, "too long: '", 11) == 0, "-X too long: %.20s", err);
	ok(kafka_secret("ssl.key.password") && !kafka_secret("client.id"),
	   "kafka_secret");
	rd_kafka_conf_destroy(conf);
}

static void file(void)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char path[] = "/tmp/test-kafka.XXXXXX", err[512], want[600];
	int fd = mkstemp(path);
	FILE *f;

	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		ok(0, "temporary file");
		return;
	}
	fputs("# client\n\n  client.id =  c 1 \r\nsasl.password=s\nbogus\n", f);
	fclose(f);
	ok(kafka_file(conf, path, err, sizeof err) < 0, "-F stops at a bad line");
	snprintf(want, sizeof want, "'%s':5: expected PROP=VALUE", path);
	ok(strcmp(err, want) == 0, "-F names the line: %s", err);
	ok(strcmp(get(conf, "client.id"), "c 1") == 0,
	   "-F trims around the name and value, keeps the earlier lines");
	ok(strcmp(get(conf, "sasl.password"), "s") == 0,
	   "-F may hold a secret");
	unlink(path);
	ok(kafka_file(conf, path, err, sizeof err) < 0 &&
	   strstr(err, "cannot open '") == err, "-F missing: %s", err);
	rd_kafka_conf_destroy(conf);
}

static void env(void)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char err[512];

	setenv("KAFKA_SASL_PASSWORD", "from-env", 1);
	setenv("KAFKA_SSL_KEY_PASSWORD", "k", 1);
	ok(kafka_env(conf, err, sizeof err) == 0 &&
	   strcmp(get(conf, "sasl.password"), "from-env") == 0 &&
	   strcmp(get(conf, "ssl.key.password"), "k") == 0,
	   "secrets from KAFKA_ variables");
	unsetenv("KAFKA_SASL_PASSWORD");
	unsetenv("KAFKA_SSL_KEY_PASSWORD");
	rd_kafka_conf_destroy(conf);
}

static void has(void)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char err[512];

	ok(!kafka_has(conf, "bootstrap.servers"), "unset");
	kafka_set(conf, "bootstrap.servers", "", err, sizeof err);
	ok(!kafka_has(conf, "bootstrap.servers"), "empty");
	kafka_set(conf, "bootstrap.servers", "h:9092", err, sizeof err);
	ok(kafka_has(conf, "bootstrap.servers"), "set");
	ok(kafka_has(conf, "metadata.broker.list"), "set under its alias");
	ok(!kafka_has(conf, "no.such.thing"), "unknown property");
	rd_kafka_conf_destroy(conf);
}

static void quiet(void)
{
	struct kafka_quiet q = {0};
	const rd_kafka_resp_err_t down = RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN;
	const rd_kafka_resp_err_t gone = RD_KAFKA_RESP_ERR__TRANSPORT;

	ok(!kafka_quiet(&q, down, 50000), "the first report is shown");
	ok(kafka_quiet(&q, down, 50000 + KAFKA_QUIET_MS - 1),
	   "a repeat within the period is not");
	ok(!kafka_quiet(&q, down, 50000 + KAFKA_QUIET_MS),
	   "a repeat after it is");
	ok(!kafka_quiet(&q, gone, 50000 + KAFKA_QUIET_MS + 1),
	   "another code is shown");
	ok(!kafka_quiet(&q, down, 50000 + KAFKA_QUIET_MS + 2),
	   "and the first again after it");
}

static void log_text(void)
{
	ok(strcmp(kafka_log_text("[thrd:app]: a: b"), "a: b") == 0,
	   "the thread prefix goes");
	ok(strcmp(kafka_log_text("plain [x]: y"), "plain [x]: y") == 0,
	   "other text stays");
}

int main(void)
{
	args();
	file();
	env();
	has();
	quiet();
	log_text();
	return tap_done();
}
