/*
 * dribble: sends a message over and over on one connection, split into
 * two writes at every byte boundary in turn, with a pause after each write
 * so that the reader sees the pieces apart.
 *
 *	dribble [-d MICROSECONDS] FILE HOST PORT | FILE -U PATH
 *
 * For a message of n bytes it sends it n - 1 times: bytes [0, k) then
 * [k, n) for k = 1 .. n - 1.  Exit status 1 on any error.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "dribble: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void put(int fd, const char *p, size_t n, int pause)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0)
			die("write");
		p += w;
		n -= (size_t)w;
	}
	usleep((useconds_t)pause);
}

static int dial(int argc, char **argv)
{
	struct addrinfo hints, *ai;
	int fd, one = 1;

	if (argc == 2 && strcmp(argv[0], "-U") == 0) {
		struct sockaddr_un sun;

		memset(&sun, 0, sizeof sun);
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof sun.sun_path, "%s", argv[1]);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
		    connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0)
			die(argv[1]);
		return fd;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	if (argc != 2 || getaddrinfo(argv[0], argv[1], &hints, &ai) != 0) {
		fprintf(stderr, "dribble: bad address\n");
		exit(2);
	}
	if ((fd = socket(ai->ai_family, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		die("connect");
	/* Each write its own segment. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	freeaddrinfo(ai);
	return fd;
}

int main(int argc, char **argv)
{
	char msg[4096];
	size_t n, k;
	int pause = 2000, fd, c;
	FILE *f;

	while ((c = getopt(argc, argv, "d:")) != -1) {
		if (c != 'd')
			return 2;
		pause = atoi(optarg);
	}
	if (argc - optind < 3)
		return 2;
	if ((f = fopen(argv[optind], "rb")) == NULL)
		die(argv[optind]);
	n = fread(msg, 1, sizeof msg, f);
	fclose(f);
	fd = dial(argc - optind - 1, argv + optind + 1);
	for (k = 1; k < n; k++) {
		put(fd, msg, k, pause);
		put(fd, msg + k, n - k, pause);
	}
	close(fd);
	return 0;
}
