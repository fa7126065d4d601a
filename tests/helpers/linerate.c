/*
 * linerate: counts the lines of stdin and the rate at which they came:
 * prints "LINES RATE", RATE being lines per second between the first and
 * the last line's arrival: (LINES - 1) / (last - first), or 0 with fewer
 * than two lines.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	static char buf[1 << 16];
	unsigned long long lines = 0;
	double first = 0, last = 0;
	ssize_t n;

	while ((n = read(0, buf, sizeof buf)) > 0) {
		const char *p = buf, *end = buf + n;
		double t = now();

		while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			p++;
			if (lines++ == 0)
				first = t;
			last = t;
		}
	}
	printf("%llu %.1f\n", lines, lines > 1 && last > first ?
	       (double)(lines - 1) / (last - first) : 0.0);
	return n < 0;
}
