/*
 * measure: runs a command and reports its wall time and its peak resident
 * set size as one line "SECONDS KIB", as GNU time -f '%e %M' does, but with
 * millisecond resolution and without needing GNU time installed.
 *
 * The peak is ru_maxrss of wait4(): the largest resident set of the command
 * and of every descendant it waited for, so for `sh -c 'a | b | c'` it is
 * the peak of the biggest process of the pipeline, not their sum.
 * The exit status is the command's, or 128 + the signal that ended it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *prog = "measure";

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: %s [-o FILE] command [argument ...]\n", prog);
	exit(status);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs argv to its end; fills *ru and returns its wait status. */
static int run(char **argv, struct rusage *ru)
{
	pid_t pid;
	int st;

	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: cannot fork: %s\n", prog, strerror(errno));
		exit(1);
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "%s: cannot run '%s': %s\n", prog, argv[0],
		    strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &st, 0, ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "%s: wait: %s\n", prog, strerror(errno));
			exit(1);
		}
	}
	return st;
}

static void report(const char *path, double secs, long kib)
{
	FILE *f = stderr;

	if (path != NULL && (f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "%s: cannot open '%s': %s\n", prog, path,
		    strerror(errno));
		exit(1);
	}
	fprintf(f, "%.3f %ld\n", secs, kib);
	if (fflush(f) != 0 || ferror(f) || (f != stderr && fclose(f) != 0)) {
		fprintf(stderr, "%s: cannot write '%s': %s\n", prog,
		    path ? path : "<stderr>", strerror(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	struct rusage ru;
	double t0;
	int c, st;

	/* "+": options end at the command, whose own options are its own. */
	while ((c = getopt(argc, argv, "+ho:")) != -1) {
		switch (c) {
		case 'h': usage(0); break;
		case 'o': path = optarg; break;
		default: usage(2);
		}
	}
	if (optind == argc)
		usage(2);

	memset(&ru, 0, sizeof ru);
	t0 = now();
	st = run(argv + optind, &ru);
	report(path, now() - t0, ru.ru_maxrss);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
