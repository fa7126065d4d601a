/*
 * kafka: what kafka-source and kafka-sink share: librdkafka configuration
 * as they take it, and the shaping of librdkafka's reports for stderr.
 *
 *	conf = rd_kafka_conf_new();
 *	kafka_set(conf, "enable.idempotence", "true", err, sizeof err);
 *	kafka_env(conf, err, sizeof err);		secrets from the environment
 *	kafka_file(conf, "client.properties", err, sizeof err);	-F
 *	kafka_arg(conf, "compression.codec=lz4", err, sizeof err);	-X
 *
 * Properties are librdkafka's (CONFIGURATION.md), set in the order the
 * calls come, so a later one wins.  A properties file holds PROP=VALUE
 * lines; blank lines and lines starting with '#' are skipped, and spaces
 * around PROP and VALUE are not part of them.
 *
 * Secrets never come from argv: kafka_arg refuses a property that holds a
 * password or key (kafka_secret), and kafka_env reads each of those from
 * the environment variable named after it: KAFKA_ and the property in
 * capitals with '.' as '_' (sasl.password: KAFKA_SASL_PASSWORD).
 *
 * Each function that sets properties returns 0, or -1 with a reason in
 * err; none prints, exits or keeps a pointer to its arguments.  On -1 the
 * properties set before the failing one stay set.
 */
#ifndef KAFKA_H
#define KAFKA_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#define KAFKA_LINE_MAX 8192	/* longest line of a properties file */

/* Is the property one that holds a secret (sasl.password, ...)? */
int kafka_secret(const char *name);
int kafka_set(rd_kafka_conf_t *conf, const char *name, const char *value,
              char *err, size_t errlen);
/* "PROP=VALUE" from the command line. */
int kafka_arg(rd_kafka_conf_t *conf, const char *arg, char *err, size_t errlen);
int kafka_file(rd_kafka_conf_t *conf, const char *path, char *err,
               size_t errlen);
int kafka_env(rd_kafka_conf_t *conf, char *err, size_t errlen);
/* Is the property set to a value that is not empty (bootstrap.servers)? */
int kafka_has(const rd_kafka_conf_t *conf, const char *name);

/*
 * The text of a librdkafka log line for a diagnostic: msg without the
 * "[thrd:NAME]: " that librdkafka puts in front (a pointer into msg).
 */
const char *kafka_log_text(const char *msg);

/*
 * librdkafka reports a lasting failure (a broker down, a group without a
 * coordinator) again and again: kafka_quiet says whether an error with
 * code err, at now (tm_mono), is a repeat of the last one reported less
 * than KAFKA_QUIET_MS ago, and so is better not shown.  When it says no,
 * the error counts as reported now.  Start with a zeroed struct.
 */
#define KAFKA_QUIET_MS 10000
struct kafka_quiet {
	rd_kafka_resp_err_t err;	/* the last code reported */
	int64_t at;			/* when */
};
int kafka_quiet(struct kafka_quiet *q, rd_kafka_resp_err_t err, int64_t now);

#endif
