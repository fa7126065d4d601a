/*
 * net: sockets for the network tools: TCP over IPv4 and IPv6, UDP, and
 * Unix stream sockets.
 *
 * Every socket made here is non-blocking and close-on-exec, so that one
 * poll loop can serve many of them.  Functions return a file descriptor
 * (or 0) on success, or -1 with errno kept and a complete reason in err
 * ("cannot connect to 'localhost:9999': Connection refused"), which the
 * caller prefixes with its name.  Nothing here prints or exits.
 *
 * Connecting without holding up the caller's loop:
 *	struct net_dial d;
 *	rc = net_dial_start(&d, host, port, err, n);
 *	while (rc == 1) {	   in progress: wait for POLLOUT on d.fd
 *		poll(d.fd, POLLOUT);
 *		rc = net_dial_poll(&d, err, n);
 *	}
 *	rc == 0: connected, d.fd is the caller's (and d.peer its name);
 *	rc == -1: every address failed.  net_dial_free(&d) in either case.
 * Each address getaddrinfo gives is tried in turn (IPv6 and IPv4 alike).
 *
 * Listening:
 *	fd = net_listen(host, port, SOCK_STREAM or SOCK_DGRAM, err, n)
 *	fd = net_listen_unix(path, err, n)
 *	cfd = net_accept(fd, peer, sizeof peer, err, n)
 * net_accept gives -1 with errno EAGAIN when no client is waiting.
 *
 * Names of endpoints, as written in records and messages: "ADDR:PORT",
 * "[ADDR]:PORT" for IPv6 (an IPv4 client of a dual-stack socket is shown
 * as IPv4), or the socket path.  NET_NAME_MAX holds any of them.
 */
#ifndef NET_H
#define NET_H

#include <stddef.h>
#include <sys/socket.h>

#define NET_NAME_MAX 128

struct addrinfo;

struct net_dial {
	int fd;				/* the socket being connected, or -1 */
	struct addrinfo *res, *next;	/* addresses, and the next to try */
	char target[NET_NAME_MAX];	/* "host:port" as given, for errors */
	char peer[NET_NAME_MAX];	/* the address of fd */
};

/* Starts connecting to host:port over TCP.  Returns 0 when connected,
 * 1 while in progress, -1 when no address could be connected to. */
int net_dial_start(struct net_dial *d, const char *host, const char *port,
                   char *err, size_t errlen);
/* Goes on after d->fd became writable or failed: 0, 1 or -1 as above
 * (1 with a new d->fd when the next address is being tried). */
int net_dial_poll(struct net_dial *d, char *err, size_t errlen);
/* Closes a socket not yet connected and frees the addresses; a connected
 * d->fd is left open for the caller. */
void net_dial_free(struct net_dial *d);

/* Connects a Unix stream socket to path. */
int net_connect_unix(const char *path, char *err, size_t errlen);

/* A socket bound to host:port (port "0": any free port), listening when
 * type is SOCK_STREAM.  The first address that can be bound is used. */
int net_listen(const char *host, const char *port, int type,
               char *err, size_t errlen);
/* A Unix stream socket listening at path.  A socket file left behind by
 * a process that is gone is replaced; one in use is an error. */
int net_listen_unix(const char *path, char *err, size_t errlen);
/* Accepts a client; peer gets its name ("" for unnamed Unix clients). */
int net_accept(int fd, char *peer, size_t peerlen, char *err, size_t errlen);

/* The name of an address, as above.  Returns 0, or -1 for an unknown
 * family (buf then holds "?"). */
int net_name(const struct sockaddr *sa, socklen_t len, char *buf, size_t n);
/* The name of the local end of fd (for "listening on 127.0.0.1:43217"). */
int net_local_name(int fd, char *buf, size_t n);

#endif
