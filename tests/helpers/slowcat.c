/*
 * slowcat: a slow reader.  Copies stdin to stdout BYTES at a time,
 * sleeping MILLISECONDS after each read.
 *
 *	slowcat BYTES MILLISECONDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	size_t want;
	ssize_t n, w, off;
	int ms;

	if (argc != 3)
		return 2;
	want = (size_t)atol(argv[1]);
	ms = atoi(argv[2]);
	if (want == 0 || want > sizeof buf || ms < 0)
		return 2;
	while ((n = read(0, buf, want)) > 0) {
		for (off = 0; off < n; off += w)
			if ((w = write(1, buf + off, (size_t)(n - off))) < 0)
				return 1;
		usleep((useconds_t)ms * 1000);
	}
	return n < 0;
}
