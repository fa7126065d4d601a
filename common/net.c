/*
 * net: the socket calls behind net.h.
 *
 * Names are made with inet_ntop rather than getnameinfo: a UDP source names
 * the sender of every datagram, and a reverse lookup is never wanted.
 */
#define _GNU_SOURCE		/* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "net.h"

#define SOCK_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)

/* "host:port", with IPv6 literals in brackets. */
static void target_name(char *buf, size_t n, const char *host, const char *port)
{
	if (strchr(host, ':') != NULL)
		snprintf(buf, n, "[%s]:%s", host, port);
	else
		snprintf(buf, n, "%s:%s", host, port);
}

/* Says in err why the call on name failed ("cannot connect to 'x': ..."),
 * and keeps e in errno.  Returns -1. */
static int failed(int e, const char *what, const char *name, char *err,
                  size_t errlen)
{
	snprintf(err, errlen, "%s '%s': %s", what, name, strerror(e));
	errno = e;
	return -1;
}

static int resolve(const char *host, const char *port, int type, int flags,
                   struct addrinfo **res, char *err, size_t errlen)
{
	struct addrinfo hints;
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = type;
	hints.ai_flags = flags;
	rc = getaddrinfo(host, port, &hints, res);
	if (rc == 0)
		return 0;
	snprintf(err, errlen, "cannot resolve '%s' port '%s': %s", host, port,
	         rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
	if (rc != EAI_SYSTEM)
		errno = EINVAL;
	return -1;
}

int net_name(const struct sockaddr *sa, socklen_t len, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s->sin_addr, a, sizeof a);
		snprintf(buf, n, "%s:%u", a, ntohs(s->sin_port));
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&s->sin6_addr)) {
			inet_ntop(AF_INET, &s->sin6_addr.s6_addr[12], a, sizeof a);
			snprintf(buf, n, "%s:%u", a, ntohs(s->sin6_port));
		} else if (s->sin6_scope_id != 0) {
			inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof a);
			snprintf(buf, n, "[%s%%%u]:%u", a,
			         (unsigned)s->sin6_scope_id, ntohs(s->sin6_port));
		} else {
			inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof a);
			snprintf(buf, n, "[%s]:%u", a, ntohs(s->sin6_port));
		}
		return 0;
	}
	if (sa->sa_family == AF_UNIX) {
		const struct sockaddr_un *s = (const struct sockaddr_un *)sa;
		size_t off = offsetof(struct sockaddr_un, sun_path);
		size_t plen = len > off ? (size_t)len - off : 0;

		/* An abstract name starts with a NUL, shown as '@'. */
		if (plen > 0 && s->sun_path[0] == '\0')
			snprintf(buf, n, "@%.*s", (int)plen - 1, s->sun_path + 1);
		else
			snprintf(buf, n, "%.*s", (int)strnlen(s->sun_path, plen),
			         s->sun_path);
		return 0;
	}
	snprintf(buf, n, "?");
	return -1;
}

int net_local_name(int fd, char *buf, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		snprintf(buf, n, "?");
		return -1;
	}
	return net_name((struct sockaddr *)&ss, len, buf, n);
}

/* Tries the addresses from d->next on until one connects or is under way. */
static int dial_next(struct net_dial *d, char *err, size_t errlen)
{
	int e = ECONNREFUSED;

	while (d->next != NULL) {
		struct addrinfo *ai = d->next;

		d->next = ai->ai_next;
		net_name(ai->ai_addr, ai->ai_addrlen, d->peer, sizeof d->peer);
		d->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_FLAGS,
		               ai->ai_protocol);
		if (d->fd < 0) {
			e = errno;
			continue;
		}
		if (connect(d->fd, ai->ai_addr, ai->ai_addrlen) == 0)
			return 0;
		if (errno == EINPROGRESS)
			return 1;
		e = errno;
		close(d->fd);
		d->fd = -1;
	}
	return failed(e, "cannot connect to", d->target, err, errlen);
}

int net_dial_start(struct net_dial *d, const char *host, const char *port,
                   char *err, size_t errlen)
{
	memset(d, 0, sizeof *d);
	d->fd = -1;
	target_name(d->target, sizeof d->target, host, port);
	if (resolve(host, port, SOCK_STREAM, 0, &d->res, err, errlen) < 0)
		return -1;
	d->next = d->res;
	return dial_next(d, err, errlen);
}

int net_dial_poll(struct net_dial *d, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(int);
	int e = 0;

	if (getsockopt(d->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
		e = errno;
	if (e == 0) {
		len = sizeof ss;
		if (getpeername(d->fd, (struct sockaddr *)&ss, &len) == 0)
			return 0;
		if (errno == ENOTCONN)
			return 1;	/* woken before the answer came */
		e = errno;
	}
	close(d->fd);
	d->fd = -1;
	if (d->next == NULL)
		return failed(e, "cannot connect to", d->target, err, errlen);
	return dial_next(d, err, errlen);
}

void net_dial_free(struct net_dial *d)
{
	if (d->res != NULL)
		freeaddrinfo(d->res);
	d->res = d->next = NULL;
}

/* Fills a Unix socket address; -1 when the path does not fit. */
static int unix_addr(struct sockaddr_un *sun, const char *path,
                     char *err, size_t errlen)
{
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	if (path[0] == '\0' || strlen(path) >= sizeof sun->sun_path) {
		snprintf(err, errlen, "invalid socket path '%s': %s", path,
		         path[0] ? "longer than the system allows" : "empty");
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun->sun_path, path, strlen(path));
	return 0;
}

/* A Unix socket call failed: closes fd, when one was made, and says why
 * as failed does, with the errno of the call.  Returns -1. */
static int unix_failed(int fd, const char *what, const char *path,
                       char *err, size_t errlen)
{
	int e = errno;

	if (fd >= 0)
		close(fd);
	return failed(e, what, path, err, errlen);
}

int net_connect_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	int fd;

	if (unix_addr(&sun, path, err, errlen) < 0)
		return -1;
	/* A local connect completes at once or fails (EAGAIN: the
	 * listener's backlog is full, which is worth a retry too). */
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_FLAGS, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0)
		return unix_failed(fd, "cannot connect to", path, err, errlen);
	return fd;
}

int net_listen(const char *host, const char *port, int type,
               char *err, size_t errlen)
{
	struct addrinfo *res, *ai;
	char target[NET_NAME_MAX];
	int fd = -1, e = EADDRNOTAVAIL, one = 1;

	target_name(target, sizeof target, host, port);
	if (resolve(host, port, type, AI_PASSIVE, &res, err, errlen) < 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_FLAGS,
		            ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		/* A restarted server may take over its port at once; UDP
		 * sockets would share it instead, so they go without. */
		if (type == SOCK_STREAM)
			(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
			                 sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    (type != SOCK_STREAM || listen(fd, SOMAXCONN) == 0))
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return failed(e, "cannot listen on", target, err, errlen);
	return fd;
}

/* Is the socket file at path left over, with no one listening? */
static int unix_stale(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, stale;

	if (lstat(sun->sun_path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return 0;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	stale = connect(fd, (const struct sockaddr *)sun, sizeof *sun) < 0 &&
	        errno == ECONNREFUSED;
	close(fd);
	return stale;
}

int net_listen_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	int fd;

	if (unix_addr(&sun, path, err, errlen) < 0)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_FLAGS, 0)) < 0)
		return unix_failed(fd, "cannot listen on", path, err, errlen);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0 &&
	    (errno != EADDRINUSE || !unix_stale(&sun) || unlink(path) < 0 ||
	     bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0))
		return unix_failed(fd, "cannot listen on", path, err, errlen);
	if (listen(fd, SOMAXCONN) < 0)
		return unix_failed(fd, "cannot listen on", path, err, errlen);
	return fd;
}

int net_accept(int fd, char *peer, size_t peerlen, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int cfd;

	cfd = accept4(fd, (struct sockaddr *)&ss, &len, SOCK_FLAGS);
	if (cfd < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot accept a connection: %s",
		         strerror(e));
		errno = e;
		return -1;
	}
	net_name((struct sockaddr *)&ss, len, peer, peerlen);
	return cfd;
}
