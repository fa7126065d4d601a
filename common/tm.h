/*
 * tm: event time.
 *
 * Times are int64 milliseconds since the Unix epoch, UTC.  Input accepts
 * RFC 3339 with any offset and any number of fraction digits (truncated to
 * milliseconds toward minus infinity), and numbers as epoch seconds, or epoch
 * milliseconds when greater than 1e11.  Output is always RFC 3339 UTC with
 * milliseconds: "2026-11-21T12:00:00.123Z" (24 bytes).
 */
#ifndef TM_H
#define TM_H

#include <stddef.h>
#include <stdint.h>

#define TM_LEN 24 /* length of a formatted time, without NUL */
#define TM_MAX 253402300799999LL	/* 9999-12-31T23:59:59.999Z */

enum tm_mode { TM_AUTO, TM_SECONDS, TM_MILLIS, TM_RFC3339 };

/* Parses RFC 3339 text (not quoted).  Returns 0, or -1 when malformed. */
int tm_parse_rfc3339(const char *s, size_t len, int64_t *ms);
/* Converts an epoch number per mode (TM_AUTO: ms when > 1e11). */
int tm_from_number(double v, enum tm_mode mode, int64_t *ms);
/* Writes TM_LEN bytes and a NUL into buf. */
void tm_format(int64_t ms, char buf[TM_LEN + 1]);
/* Wall clock and monotonic clock, in milliseconds. */
int64_t tm_now(void);
int64_t tm_mono(void);
/* Greatest common divisor of two positive durations (pane sizes). */
int64_t tm_gcd(int64_t a, int64_t b);
/* Floor division for window alignment (correct for negative times). */
int64_t tm_floor(int64_t t, int64_t step);

#endif
