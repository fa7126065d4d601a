#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka.h"

/* The librdkafka properties whose values are passwords or keys. */
static const char *const secrets[] = {
	"sasl.password", "sasl.oauthbearer.client.secret",
	"sasl.oauthbearer.config", "ssl.key.password", "ssl.key.pem",
	"ssl.keystore.password",
};

#define NSECRETS (sizeof secrets / sizeof secrets[0])

int kafka_secret(const char *name)
{
	size_t i;

	for (i = 0; i < NSECRETS; i++)
		if (strcmp(name, secrets[i]) == 0)
			return 1;
	return 0;
}

int kafka_set(rd_kafka_conf_t *conf, const char *name, const char *value,
              char *err, size_t errlen)
{
	char why[512];

	if (rd_kafka_conf_set(conf, name, value, why, sizeof why) ==
	    RD_KAFKA_CONF_OK)
		return 0;
	snprintf(err, errlen, "%s", why);
	return -1;
}

/* Splits "PROP=VALUE" in place, trimming spaces when trim is set. */
static int split(char *s, int trim, char **name, char **value)
{
	char *eq = strchr(s, '='), *end;

	if (eq == NULL || eq == s)
		return -1;
	*eq = '\0';
	*name = s;
	*value = eq + 1;
	if (!trim)
		return 0;
	while (isspace((unsigned char)**name))
		(*name)++;
	for (end = eq; end > *name && isspace((unsigned char)end[-1]); end--)
		continue;
	*end = '\0';
	while (isspace((unsigned char)**value))
		(*value)++;
	end = *value + strlen(*value);
	while (end > *value && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return **name == '\0' ? -1 : 0;
}

int kafka_arg(rd_kafka_conf_t *conf, const char *arg, char *err, size_t errlen)
{
	char buf[KAFKA_LINE_MAX], *name, *value;

	if (strlen(arg) >= sizeof buf) {
		snprintf(err, errlen, "too long: '%.40s...'", arg);
		return -1;
	}
	memcpy(buf, arg, strlen(arg) + 1);
	if (split(buf, 0, &name, &value) < 0) {
		snprintf(err, errlen, "expected PROP=VALUE: '%s'", arg);
		return -1;
	}
	if (kafka_secret(name)) {
		snprintf(err, errlen, "'%s' is a secret: give it in a -F file "
		         "or in the environment, not on the command line", name);
		return -1;
	}
	return kafka_set(conf, name, value, err, errlen);
}

int kafka_file(rd_kafka_conf_t *conf, const char *path, char *err,
               size_t errlen)
{
	char line[KAFKA_LINE_MAX], why[512], *name, *value, *p;
	unsigned long lineno = 0;
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (f == NULL) {
		snprintf(err, errlen, "cannot open '%s': %s", path,
		         strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "'%s':%lu: line too long", path,
			         lineno);
			rc = -1;
			break;
		}
		line[strcspn(line, "\r\n")] = '\0';
		for (p = line; isspace((unsigned char)*p); p++)
			continue;
		if (*p == '\0' || *p == '#')
			continue;
		if (split(p, 1, &name, &value) < 0) {
			snprintf(err, errlen, "'%s':%lu: expected PROP=VALUE",
			         path, lineno);
			rc = -1;
		} else if (kafka_set(conf, name, value, why, sizeof why) < 0) {
			snprintf(err, errlen, "'%s':%lu: %s", path, lineno, why);
			rc = -1;
		}
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "cannot read '%s': %s", path,
		         strerror(errno));
		rc = -1;
	}
	fclose(f);
	return rc;
}

int kafka_env(rd_kafka_conf_t *conf, char *err, size_t errlen)
{
	char var[128], why[512];
	const char *value;
	size_t i, k;

	for (i = 0; i < NSECRETS; i++) {
		k = (size_t)snprintf(var, sizeof var, "KAFKA_");
		for (const char *s = secrets[i]; *s && k < sizeof var - 1; s++)
			var[k++] = *s == '.' ? '_' :
			           (char)toupper((unsigned char)*s);
		var[k] = '\0';
		if ((value = getenv(var)) == NULL)
			continue;
		if (kafka_set(conf, secrets[i], value, why, sizeof why) < 0) {
			snprintf(err, errlen, "%s: %s", var, why);
			return -1;
		}
	}
	return 0;
}

int kafka_has(const rd_kafka_conf_t *conf, const char *name)
{
	size_t n = 0;

	/* Without a buffer librdkafka gives the length with the NUL. */
	return rd_kafka_conf_get(conf, name, NULL, &n) == RD_KAFKA_CONF_OK &&
	       n > 1;
}

const char *kafka_log_text(const char *msg)
{
	const char *end;

	if (strncmp(msg, "[thrd:", 6) == 0 &&
	    (end = strstr(msg, "]: ")) != NULL)
		return end + 3;
	return msg;
}

int kafka_quiet(struct kafka_quiet *q, rd_kafka_resp_err_t err, int64_t now)
{
	if (err == q->err && now - q->at < KAFKA_QUIET_MS)
		return 1;
	q->err = err;
	q->at = now;
	return 0;
}
