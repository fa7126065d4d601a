/*
 * flood: many socket senders at once, for the tests and benchmarks of
 * nc-source.
 *
 *	flood [-c CLIENTS] [-n LINES] [-s SIZE] [-t] [-r] [-e TEXT] [-RWI]
 *	      HOST PORT | -U PATH | -u [-k LINES] [-P N] HOST PORT
 *
 * Each of CLIENTS connections sends LINES lines, numbered so that a test
 * can check that every line arrived exactly once and in order:
 * {"c":C,"i":I,"p":"xxx..."} (or, with -t, the text "c=C i=I xxx..."),
 * padded to SIZE bytes before the newline.  All connections are open at
 * once and written from one poll loop as fast as they take data.  After
 * its lines a connection sends TEXT without a newline (-e), then closes
 * its writing side and waits until the server closes (so that when flood
 * exits, the server has read everything), unless -W.  -R ends each
 * connection with a reset instead.  With -I a connection that fails is
 * given up and counted ("flood: N of M connections failed" on stderr,
 * exit status 1 at the end) while the others go on.
 *
 * -u sends UDP datagrams of -k lines each from CLIENTS sockets in turn,
 * pausing 1 ms after every -P of them (so that the loopback device does
 * not drop them before any socket sees them).
 *
 * -r prints "LINES SECONDS LINES/S" to stdout at the end, the lines of
 * failed connections left out.  Exit status 1 on any socket error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

struct sender {
	int fd;
	long long next;		/* next line to write */
	char *buf;
	size_t off, len;	/* unwritten bytes */
	int tail_sent, shut, done;
};

static long long nlines = 1000, kper = 1, pace;
static int nclients = 1, size, text, rst, nowait, tolerant, failed;
static const char *tail = "";

static void die(const char *what)
{
	fprintf(stderr, "flood: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes v in decimal at b; returns the digits written. */
static int digits(char *b, long long v)
{
	char t[24];
	int n = 0, k = 0;

	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	while (n > 0)
		b[k++] = t[--n];
	return k;
}

/* Appends line i of client c to b; returns its length with the '\n'.
 * Made without printf: the sender must outrun the receivers it measures. */
static size_t line(char *b, int c, long long i)
{
	int n, end = text ? 0 : 2;

	if (text) {
		memcpy(b, "c=", 2);
		n = 2 + digits(b + 2, c);
		memcpy(b + n, " i=", 3);
		n += 3 + digits(b + n + 3, i);
		b[n++] = ' ';
	} else {
		memcpy(b, "{\"c\":", 5);
		n = 5 + digits(b + 5, c);
		memcpy(b + n, ",\"i\":", 5);
		n += 5 + digits(b + n + 5, i);
		memcpy(b + n, ",\"p\":\"", 6);
		n += 6;
	}
	if (n + end < size) {
		memset(b + n, 'x', (size_t)(size - n - end));
		n = size - end;
	}
	if (!text) {
		b[n++] = '"';
		b[n++] = '}';
	}
	b[n++] = '\n';
	return (size_t)n;
}

/* Fills s's buffer with its next lines, then its tail. */
static void refill(struct sender *s, int c)
{
	size_t tlen = strlen(tail);

	s->off = s->len = 0;
	while (s->next < nlines && s->len + (size_t)size + 64 < CHUNK)
		s->len += line(s->buf + s->len, c, s->next++);
	if (s->next == nlines && !s->tail_sent && s->len + tlen < CHUNK) {
		memcpy(s->buf + s->len, tail, tlen);
		s->len += tlen;
		s->tail_sent = 1;
	}
}

static struct addrinfo *resolve(const char *host, const char *port, int type)
{
	struct addrinfo hints, *res;
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = type;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		fprintf(stderr, "flood: %s: %s\n", host, gai_strerror(rc));
		exit(1);
	}
	return res;
}

static int connect_to(const char *path, struct addrinfo *ai)
{
	int fd;

	if (path != NULL) {
		struct sockaddr_un sun;

		memset(&sun, 0, sizeof sun);
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
		    connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0)
			die(path);
		if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
			die("fcntl");
		return fd;
	}
	/* Non-blocking, so that a server with a short backlog (nc -lk)
	 * takes the connections one after another. */
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0 ||
	    (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
	     errno != EINPROGRESS))
		die("connect");
	return fd;
}

/* One step of sender s after poll said it may go on. */
static void step(struct sender *s, int c)
{
	ssize_t n;

	if (s->shut) {
		char b[4096];

		n = read(s->fd, b, sizeof b);
		if (n > 0 || (n < 0 && errno == EAGAIN))
			return;
		failed += n < 0 && tolerant;
		close(s->fd);
		s->done = 1;
		return;
	}
	if (s->off == s->len)
		refill(s, c);
	while (s->off < s->len) {
		n = write(s->fd, s->buf + s->off, s->len - s->off);
		if (n < 0 && (errno == EAGAIN || errno == ENOTCONN))
			return;
		if (n < 0 && tolerant) {
			close(s->fd);
			s->done = 1;
			failed++;
			return;
		}
		if (n < 0)
			die("write");
		s->off += (size_t)n;
		if (s->off == s->len)
			refill(s, c);
	}
	if (rst) {
		struct linger l = { 1, 0 };

		setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
		close(s->fd);
		s->done = 1;
	} else if (nowait) {
		close(s->fd);
		s->done = 1;
	} else {
		shutdown(s->fd, SHUT_WR);
		s->shut = 1;
	}
}

static void stream(const char *path, struct addrinfo *ai)
{
	struct sender *s = calloc((size_t)nclients, sizeof *s);
	struct pollfd *pfd = calloc((size_t)nclients, sizeof *pfd);
	int i, left = nclients;

	if (s == NULL || pfd == NULL)
		die("calloc");
	for (i = 0; i < nclients; i++) {
		s[i].fd = connect_to(path, ai);
		if ((s[i].buf = malloc(CHUNK)) == NULL)
			die("malloc");
	}
	while (left > 0) {
		for (i = 0; i < nclients; i++) {
			pfd[i].fd = s[i].done ? -1 : s[i].fd;
			pfd[i].events = s[i].shut ? POLLIN : POLLOUT;
		}
		if (poll(pfd, (nfds_t)nclients, -1) < 0 && errno != EINTR)
			die("poll");
		for (i = 0; i < nclients; i++) {
			if (s[i].done || !pfd[i].revents)
				continue;
			step(&s[i], i);
			left -= s[i].done;
		}
	}
	for (i = 0; i < nclients; i++)
		free(s[i].buf);
	free(s);
	free(pfd);
}

static void datagrams(struct addrinfo *ai)
{
	char *b = malloc(CHUNK);
	int *fd = calloc((size_t)nclients, sizeof *fd);
	long long i = 0, k, sent = 0;
	int c = 0;

	if (b == NULL || fd == NULL)
		die("malloc");
	for (c = 0; c < nclients; c++)
		if ((fd[c] = socket(ai->ai_family, SOCK_DGRAM, 0)) < 0)
			die("socket");
	/* Line numbers run across all sockets, each datagram from the next. */
	for (c = 0; i < nlines; c = (c + 1) % nclients) {
		size_t len = 0;

		for (k = 0; k < kper && i < nlines; k++)
			len += line(b + len, 0, i++);
		if (sendto(fd[c], b, len, 0, ai->ai_addr, ai->ai_addrlen) < 0)
			die("sendto");
		if (pace > 0 && ++sent % pace == 0)
			usleep(1000);
	}
	for (c = 0; c < nclients; c++)
		close(fd[c]);
	free(fd);
	free(b);
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	struct addrinfo *ai = NULL;
	int c, udp = 0, report = 0;
	double t0;

	while ((c = getopt(argc, argv, "c:n:s:tre:RWIU:uk:P:")) != -1) {
		switch (c) {
		case 'c': nclients = atoi(optarg); break;
		case 'n': nlines = atoll(optarg); break;
		case 's': size = atoi(optarg); break;
		case 't': text = 1; break;
		case 'r': report = 1; break;
		case 'e': tail = optarg; break;
		case 'R': rst = 1; break;
		case 'W': nowait = 1; break;
		case 'I': tolerant = 1; break;
		case 'U': path = optarg; break;
		case 'u': udp = 1; break;
		case 'k': kper = atoll(optarg); break;
		case 'P': pace = atoll(optarg); break;
		default:
			fprintf(stderr, "usage: flood [-c N] [-n N] [-s SIZE] "
			        "[-trRWI] [-e TEXT] [-u [-k N] [-P N]] HOST PORT | -U PATH\n");
			return 2;
		}
	}
	if (nclients < 1 || nlines < 0 || kper < 1 || size > CHUNK / 2 ||
	    (path == NULL && argc - optind != 2)) {
		fprintf(stderr, "flood: bad arguments\n");
		return 2;
	}
	if (path == NULL)
		ai = resolve(argv[optind], argv[optind + 1],
		             udp ? SOCK_DGRAM : SOCK_STREAM);
	t0 = now();
	if (udp)
		datagrams(ai);
	else
		stream(path, ai);
	if (report) {
		/* Lines of the connections that failed are not counted. */
		long long sent = nlines * (udp ? 1 : nclients - failed);
		double t = now() - t0;

		printf("%lld %.3f %.0f\n", sent, t, (double)sent / t);
	}
	if (ai != NULL)
		freeaddrinfo(ai);
	if (failed > 0) {
		fprintf(stderr, "flood: %d of %d connections failed\n", failed,
		        nclients);
		return 1;
	}
	return 0;
}
