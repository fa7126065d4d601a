/*
 * json-scan: the cost of json_scan alone, per line, on NDJSON files.
 *
 * Each file is read whole and split at its newlines; every line is then
 * scanned PASSES times over in RUNS timed runs, with the json_obj reused as
 * the tools reuse theirs.  With -p each scan is followed by
 * json_obj_plain, as nc-source, http-source and kafka-source do.  With -c
 * each line is parsed into a tree by cJSON and freed instead, the yardstick
 * of the other benchmarks.  The lines stay in one buffer, as they do in a
 * tool's input buffer, so the scanner sees them where it would.  Prints one
 * line per file:
 *
 *	FILE LINES BYTES/LINE BEST-NS/LINE MB/S INVALID
 *
 * with the best run's time per line (CLOCK_MONOTONIC) and the bytes it
 * scanned per second.  Under `valgrind --tool=callgrind
 * --toggle-collect=json_scan` with -r 1 -n 1, the instructions counted
 * divided by LINES are the scanner's instructions per line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "json.h"

static const char *prog = "json-scan";

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: %s [-c | -p] [-r RUNS] [-n PASSES] FILE...\n", prog);
	exit(status);
}

/* Prints "json-scan: WHAT 'NAME': strerror(errno)" and exits 1. */
static __attribute__((noreturn)) void die(const char *what, const char *name)
{
	fprintf(stderr, "%s: %s '%s': %s\n", prog, what, name, strerror(errno));
	exit(1);
}

static char *slurp(const char *path, size_t *len)
{
	size_t cap = 1 << 20, n = 0, r;
	char *s = malloc(cap), *t;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		die("cannot open", path);
	if (s == NULL)
		die("cannot read", path);
	while ((r = fread(s + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			if ((t = realloc(s, cap * 2)) == NULL)
				die("cannot read", path);
			s = t;
			cap *= 2;
		}
	}
	if (ferror(f))
		die("cannot read", path);
	fclose(f);
	*len = n;
	return s;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long positive(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v <= 0)
		usage(2);
	return v;
}

int main(int argc, char **argv)
{
	struct json_obj obj = {0};
	long runs = 5, passes = 1, r, k;
	size_t len, nlines, i, *off, *lens, invalid, members;
	double best, t;
	char err[160], *s, *p, *nl;
	int c, f, plain = 0, cjson = 0;

	while ((c = getopt(argc, argv, "chpr:n:")) != -1) {
		switch (c) {
		case 'c':
			cjson = 1;
			break;
		case 'h':
			usage(0);
			break;
		case 'p':
			plain = 1;
			break;
		case 'r':
			runs = positive(optarg);
			break;
		case 'n':
			passes = positive(optarg);
			break;
		default:
			usage(2);
		}
	}
	if (optind == argc || (cjson && plain))
		usage(2);
	for (f = optind; f < argc; f++) {
		s = slurp(argv[f], &len);
		nlines = 0;
		for (p = s; p < s + len; p = nl + 1) {
			if ((nl = memchr(p, '\n', (size_t)(s + len - p))) == NULL)
				nl = s + len;
			nlines++;
		}
		off = malloc((nlines + 1) * sizeof(*off));
		lens = malloc((nlines + 1) * sizeof(*lens));
		if (off == NULL || lens == NULL)
			die("cannot split", argv[f]);
		for (i = 0, p = s; p < s + len; p = nl + 1, i++) {
			if ((nl = memchr(p, '\n', (size_t)(s + len - p))) == NULL)
				nl = s + len;
			off[i] = (size_t)(p - s);
			lens[i] = (size_t)(nl - p);
		}
		best = 0;
		invalid = members = 0;
		for (r = 0; r < runs; r++) {
			invalid = members = 0;
			t = now();
			for (k = 0; k < passes; k++)
				for (i = 0; i < nlines; i++) {
					if (cjson) {
						cJSON *t = cJSON_ParseWithLength(
						    s + off[i], lens[i]);

						if (t == NULL)
							invalid++;
						else
							members += (size_t)
							    cJSON_GetArraySize(t);
						cJSON_Delete(t);
						continue;
					}
					if (json_scan(s + off[i], lens[i], &obj,
					    err, sizeof err) < 0)
						invalid++;
					members += obj.n;
					if (plain)
						members += (size_t)json_obj_plain(&obj);
				}
			t = now() - t;
			if (r == 0 || t < best)
				best = t;
		}
		if (nlines > 0 && best > 0)
			printf("%s %zu %.1f %.1f %.0f %zu\n", argv[f], nlines,
			    (double)len / (double)nlines,
			    best * 1e9 / (double)nlines / (double)passes,
			    (double)len * (double)passes / best / 1e6,
			    invalid / (size_t)passes);
		else
			printf("%s %zu - - - %zu\n", argv[f], nlines, invalid);
		/* members keeps the loop from being optimised away. */
		if (members == (size_t)-1)
			puts("");
		free(off);
		free(lens);
		free(s);
	}
	json_obj_free(&obj);
	if (fflush(stdout) != 0)
		die("cannot write", "stdout");
	return 0;
}
