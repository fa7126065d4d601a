#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opt.h"
#include "tm.h"

static int fail(char *err, size_t errlen, const char *what, const char *s)
{
	snprintf(err, errlen, "%s: '%s'", what, s);
	return -1;
}

static int range(char *err, size_t errlen, const char *s, int low)
{
	snprintf(err, errlen, "too %s: %s", low ? "small" : "large", s);
	return -1;
}

int opt_int(const char *s, long long min, long long max, long long *out,
            char *err, size_t errlen)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || *s == ' ')
		return fail(err, errlen, "not an integer", s);
	if ((errno == ERANGE && v == LLONG_MAX) || v > max)
		return range(err, errlen, s, 0);
	if (errno == ERANGE || v < min)
		return range(err, errlen, s, 1);
	*out = v;
	return 0;
}

int opt_double(const char *s, double min, double max, double *out,
               char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || isnan(v) || *s == ' ')
		return fail(err, errlen, "not a number", s);
	if (v > max)
		return range(err, errlen, s, 0);
	if (v < min)
		return range(err, errlen, s, 1);
	*out = v;
	return 0;
}

/* A non-negative decimal number and the suffix after it. */
static int number_unit(const char *s, double *v, const char **unit)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || errno == ERANGE || !isfinite(*v))
		return -1;
	*unit = end;
	return 0;
}

int opt_dur(const char *s, int64_t min_ms, int64_t max_ms, int64_t *out_ms,
            char *err, size_t errlen)
{
	static const struct { const char *name; double ms; } units[] = {
		{"", 1000}, {"ms", 1}, {"s", 1000}, {"m", 60000},
		{"h", 3600000}, {"d", 86400000},
	};
	const char *unit;
	double v;
	size_t i;

	if (number_unit(s, &v, &unit) < 0)
		return fail(err, errlen, "invalid duration", s);
	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(unit, units[i].name) == 0)
			break;
	if (i == sizeof units / sizeof units[0])
		return fail(err, errlen, "invalid duration", s);
	v *= units[i].ms;
	if (v > (double)max_ms)
		return range(err, errlen, s, 0);
	if (v < (double)min_ms || (v > 0 && v < 1))
		return range(err, errlen, s, 1);
	*out_ms = (int64_t)v;
	return 0;
}

int opt_size(const char *s, long long min, long long max, long long *out,
             char *err, size_t errlen)
{
	const char *unit;
	double v, mult = 1;

	if (number_unit(s, &v, &unit) < 0 || strchr(s, '.') != NULL)
		return fail(err, errlen, "invalid size", s);
	switch (*unit) {
	case 'k': case 'K': mult = 1024.0; unit++; break;
	case 'm': case 'M': mult = 1024.0 * 1024; unit++; break;
	case 'g': case 'G': mult = 1024.0 * 1024 * 1024; unit++; break;
	default: break;
	}
	if (*unit == 'b' || *unit == 'B')
		unit++;
	if (*unit != '\0')
		return fail(err, errlen, "invalid size", s);
	v *= mult;
	if (v > (double)max)
		return range(err, errlen, s, 0);
	if (v < (double)min)
		return range(err, errlen, s, 1);
	*out = (long long)v;
	return 0;
}

int opt_time(const char *s, int64_t *out_ms, char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end != s && *end == '\0' && errno == 0) {
		if (tm_from_number(v, TM_AUTO, out_ms) < 0)
			return fail(err, errlen, "out of range", s);
	} else if (tm_parse_rfc3339(s, strlen(s), out_ms) < 0) {
		return fail(err, errlen, "invalid time", s);
	}
	if (*out_ms < 0 || *out_ms > TM_MAX)
		return fail(err, errlen, "out of range", s);
	return 0;
}
