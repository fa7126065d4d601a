/*
 * cjson-parse: the yardstick of the benchmarks.  Reads NDJSON and does only
 * what any tool built on cJSON must do per record: parse the line into a
 * tree and free it.  Input is read in large blocks and lines are found in
 * place, so the time is the parser's, not the reader's.
 *
 * A line must be exactly one JSON value: cJSON is asked to require the
 * terminating NUL (put where the newline was), so trailing garbage is an
 * error.  Prints "N lines, M invalid"; any invalid line (the first one is
 * named on stderr) or read error makes the exit status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define BLOCK (1 << 20)

static const char *prog = "cjson-parse";
static const char *name = "<stdin>";
static unsigned long long lines, invalid;

static void usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: %s [FILE]\n", prog);
	exit(status);
}

/* Prints "cjson-parse: WHAT: strerror(errno)" and exits 1. */
static _Noreturn void die(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(e));
	exit(1);
}

/* Parses the line p[0..len), which has a writable byte after it. */
static void parse(char *p, size_t len)
{
	cJSON *v;

	p[len] = '\0';
	lines++;
	/* The length counts the NUL: cJSON checks it is next after the value. */
	v = cJSON_ParseWithLengthOpts(p, len + 1, NULL, 1);
	if (v == NULL) {
		if (invalid++ == 0)
			fprintf(stderr, "%s: %s:%llu: invalid JSON\n", prog,
			    name, lines);
		return;
	}
	cJSON_Delete(v);
}

/*
 * Reads fd to its end.  The buffer holds unparsed bytes in [start, end) and
 * always one byte more than it is filled with, for the NUL of a last line
 * without a newline.
 */
static void parse_fd(int fd)
{
	size_t cap = BLOCK, start = 0, end = 0;
	char *buf = malloc(cap + 1), *nl;
	ssize_t n;

	if (buf == NULL)
		die("cannot allocate the buffer");
	for (;;) {
		while ((nl = memchr(buf + start, '\n', end - start)) != NULL) {
			parse(buf + start, (size_t)(nl - (buf + start)));
			start = (size_t)(nl - buf) + 1;
		}
		if (start > 0) {
			memmove(buf, buf + start, end - start);
			end -= start;
			start = 0;
		}
		if (end == cap) {
			char *p = realloc(buf, 2 * cap + 1);

			if (p == NULL)
				die("cannot grow the buffer");
			buf = p;
			cap *= 2;
		}
		n = read(fd, buf + end, cap - end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("cannot read '%s'", name);
		if (n == 0)
			break;
		end += (size_t)n;
	}
	if (end > 0)
		parse(buf, end);
	free(buf);
}

int main(int argc, char **argv)
{
	int fd = 0;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0))
		usage(0);
	if (argc > 2 || (argc == 2 && argv[1][0] == '-' && argv[1][1] != '\0'))
		usage(2);
	if (argc == 2 && strcmp(argv[1], "-") != 0) {
		name = argv[1];
		if ((fd = open(name, O_RDONLY)) < 0)
			die("cannot open '%s'", name);
	}
	parse_fd(fd);
	if (fd != 0)
		close(fd);
	if (printf("%llu lines, %llu invalid\n", lines, invalid) < 0 ||
	    fflush(stdout) != 0)
		die("writing output failed");
	return invalid > 0;
}
