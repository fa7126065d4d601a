/*
 * opt: bounded parsing of option arguments.
 *
 * Every number a user types goes through one of these, so that every tool
 * rejects "-n 1e9", "-s 10x" or "-c -1" with the same precise wording.
 * Each function returns 0 and stores the value, or returns -1 and writes a
 * short reason ("too large: 99999999999", "invalid duration: '10x'") into
 * err; the caller prefixes the tool and option name.
 *
 * Durations: an integer or decimal followed by a unit: ms, s, m, h, d
 * ("250ms", "1.5s", "5m"); a bare number means seconds.  Values are
 * milliseconds.  Sizes: an integer with an optional k, M, G suffix (powers of
 * 1024, case-insensitive, an optional trailing B); values are bytes.
 */
#ifndef OPT_H
#define OPT_H

#include <stddef.h>
#include <stdint.h>

int opt_int(const char *s, long long min, long long max, long long *out,
            char *err, size_t errlen);
int opt_double(const char *s, double min, double max, double *out,
               char *err, size_t errlen);
int opt_dur(const char *s, int64_t min_ms, int64_t max_ms, int64_t *out_ms,
            char *err, size_t errlen);
int opt_size(const char *s, long long min, long long max, long long *out,
             char *err, size_t errlen);
/* A point in time: RFC 3339, or epoch seconds (milliseconds above 1e11);
 * from the epoch to the end of year 9999.  Value in milliseconds. */
int opt_time(const char *s, int64_t *out_ms, char *err, size_t errlen);

#endif
