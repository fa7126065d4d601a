#include <math.h>
#include <time.h>

#include "tm.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's method). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int digits(const char *s, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

int64_t tm_gcd(int64_t a, int64_t b)
{
	while (b != 0) {
		int64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

int64_t tm_floor(int64_t t, int64_t step)
{
	int64_t q = t / step;

	if (t % step != 0 && t < 0)
		q--;
	return q * step;
}

int tm_parse_rfc3339(const char *s, size_t len, int64_t *ms)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h, mi, sec, frac = 0, scale = 100, off = 0;
	size_t i = 19;

	if (len < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':')
		return -1;
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return -1;
	y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return -1;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	if (s[i] == '.') {
		if (++i == len || s[i] < '0' || s[i] > '9')
			return -1;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
			frac += (s[i] - '0') * scale;
	}
	if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z')) {
		off = 0;
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);

		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -1;
		off = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
	} else {
		return -1;
	}
	if (sec == 60)		/* a leap second is the last ms of its minute */
		sec = 59, frac = 999;
	*ms = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	        (int64_t)off * 60) * 1000) + frac;
	return 0;
}

int tm_from_number(double v, enum tm_mode mode, int64_t *ms)
{
	if (!isfinite(v))
		return -1;
	if (mode == TM_SECONDS || (mode == TM_AUTO && fabs(v) <= 1e11))
		v *= 1000;
	else if (mode != TM_MILLIS && mode != TM_AUTO)
		return -1;
	/* Beyond year 9999 in either direction no format can show it. */
	if (v > 253402300799999.0 || v < -62135596800000.0)
		return -1;
	*ms = (int64_t)floor(v);
	return 0;
}

void tm_format(int64_t ms, char buf[TM_LEN + 1])
{
	int64_t day = tm_floor(ms, 86400000) / 86400000;
	int64_t rem = ms - day * 86400000;
	int y, mo, d, h, mi, s, f;
	int i;

	civil_from_days(day, &y, &mo, &d);
	h = (int)(rem / 3600000);
	mi = (int)(rem / 60000 % 60);
	s = (int)(rem / 1000 % 60);
	f = (int)(rem % 1000);
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;
	for (i = 3; i >= 0; i--, y /= 10)
		buf[i] = (char)('0' + y % 10);
	buf[4] = '-', buf[5] = (char)('0' + mo / 10), buf[6] = (char)('0' + mo % 10);
	buf[7] = '-', buf[8] = (char)('0' + d / 10), buf[9] = (char)('0' + d % 10);
	buf[10] = 'T', buf[11] = (char)('0' + h / 10), buf[12] = (char)('0' + h % 10);
	buf[13] = ':', buf[14] = (char)('0' + mi / 10), buf[15] = (char)('0' + mi % 10);
	buf[16] = ':', buf[17] = (char)('0' + s / 10), buf[18] = (char)('0' + s % 10);
	buf[19] = '.', buf[20] = (char)('0' + f / 100);
	buf[21] = (char)('0' + f / 10 % 10), buf[22] = (char)('0' + f % 10);
	buf[23] = 'Z', buf[24] = '\0';
}

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t tm_now(void)
{
	return clock_ms(CLOCK_REALTIME);
}

int64_t tm_mono(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}
