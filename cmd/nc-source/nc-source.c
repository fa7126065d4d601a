/*
 * nc-source: lines from sockets as NDJSON records.
 *
 * As a client it connects to HOST PORT and reconnects with backoff; with
 * -l it serves many TCP or Unix stream clients, or UDP senders, all in one
 * poll loop.  Each connection is framed into lines on its own, and the
 * lines wait in a bounded queue (the stage buffer) until standard output
 * takes them.  Standard output is written without blocking the loop, so
 * that when the reader downstream is slow the queue fills and its policy
 * decides: stop reading (TCP flow control then slows the senders), or drop
 * the oldest or the newest lines, counted.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/sock_diag.h>	/* SK_MEMINFO_DROPS */
#endif

#include "backoff.h"
#include "loop.h"
#include "net.h"
#include "rt.h"
#include "stage.h"

#define READ_SIZE	(16 * 1024)	/* a connection's read buffer */
#define DGRAM_MAX	65536		/* the largest UDP payload, and more */
#define DEFAULT_BUFFER	(8LL * 1024 * 1024)
#define BACKOFF_MIN	100		/* ms before the first reconnect */
#define ACCEPT_BURST	64		/* clients accepted per turn */
#define DGRAM_BURST	256		/* datagrams received per turn */
#define UDP_RCVBUF	(4 * 1024 * 1024)	/* asked for; the kernel caps it */
#define MAX_TAGS	64


static int listening;			/* -l */
static int udp;				/* -u: UDP datagrams */
static const char *unix_path;		/* -U: Unix stream socket */
static const char *bind_addr;		/* -b: listening address */
static const char *host, *port;		/* the operands */
static int verbose;			/* -v: connections on stderr */
static int once;			/* --once: exit at the peer's EOF */
static int reconnect;			/* --reconnect: given explicitly */
static int wrap_all;			/* --raw: wrap JSON lines too */
static int json_only;			/* --json: other lines are bad input */
static long long buffer_size = DEFAULT_BUFFER;	/* --buffer */
static int on_full = -1;		/* --on-full; by protocol when -1 */
static double rate;			/* --rate: records/s, 0 = unlimited */
static long long max_clients = 1000;	/* --max-clients */
static int64_t backoff_max = 30000;	/* --backoff-max, ms */
static int64_t connect_timeout = 10000;	/* --connect-timeout, ms */
static int max_line_given;		/* --max-line was on the command line */
static const char *client_opt;		/* a client-only option given */
static int max_clients_given;		/* --max-clients was given */
static struct buf tags;			/* ,"key":"value" of every --tag */

/* A line in the queue: this header, the peer name, the line. */
struct item {
	int64_t ts;			/* when it was received */
	unsigned long long lineno;	/* its number on its connection */
	uint32_t len;			/* bytes of the line */
	uint16_t plen;			/* bytes of the peer name */
};

/* A connection, or for UDP the datagram being framed. */
struct conn {
	int fd;			/* -1 once the peer is gone */
	char *buf;
	size_t cap, off, len;	/* unconsumed bytes are buf[off..len) */
	size_t scanned;		/* of those, already searched for '\n' */
	size_t budget;		/* while draining: bytes left to read */
	unsigned long long lineno;
	int64_t ts;		/* wall time of the last read */
	int eof;		/* no more bytes will come */
	int skipping;		/* inside an overlong line */
	int stalled;		/* holds lines the full queue would not take */
	int got_data;		/* something was read (resets the backoff) */
	uint16_t plen;
	char peer[NET_NAME_MAX];
};

static struct conn **conns;
static size_t nconns, conns_cap, nstalled, next_feed;
static int lfd = -1;			/* listening or UDP socket */
static char *dgram;			/* the datagram being read */
static int unix_bound;			/* lfd owns the socket file */
static int accept_paused;		/* out of file descriptors */
static struct stage st;			/* the queue between sockets and stdout */
static int stdout_flags = -1;		/* to put back at exit */
static int draining;			/* no more input is taken in */
static int64_t now_ms, mono_ms;		/* clocks of this turn */
static struct json_obj obj;

/* Client mode: the connection being made or waited for. */
static struct net_dial dial;
static int dialing, dial_failing;
static int64_t dial_deadline, retry_at = INT64_MAX;
static struct backoff backoff;

static unsigned long long connections, bytes_in, lines, paused;
static unsigned long long datagrams, kernel_dropped;

/* Bad input of one peer: rt_bad's count, report, dead letter and
 * --strict, with the peer name where a file name would be. */
static void __attribute__((format(printf, 5, 6)))
bad(const char *peer, unsigned long long lineno, const char *line, size_t len,
    const char *fmt, ...)
{
	char where[300];
	va_list ap;

	snprintf(where, sizeof where, "%s:%llu", peer, lineno);
	va_start(ap, fmt);
	rt_vbad_at(where, line, len, fmt, ap);
	va_end(ap);
}

/* The most bytes a line can take as a record: every byte escaped. */
static size_t worst_size(size_t len, size_t plen)
{
	return 6 * (len + plen + 6) + tags.len + 64;
}

/* Writes one line to the output buffer as a record (out_room first). */
static void emit(int64_t ts, unsigned long long lineno, const char *peer,
                 size_t plen, const char *line, size_t len)
{
	const char *p = line, *end = line + len;
	char err[160], name[NET_NAME_MAX];

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (!wrap_all && p < end && *p == '{' &&
	    json_scan(line, len, &obj, err, sizeof err) == 0) {
		if (json_obj_plain(&obj))
			out_write(&rt.out, line, len);
		else
			out_json_raw(&rt.out, line, len);
	} else if (json_only) {
		snprintf(name, sizeof name, "%.*s", (int)plen, peer);
		if (p < end && *p == '{')
			bad(name, lineno, line, len, "invalid JSON: %s", err);
		else
			bad(name, lineno, line, len, "not a JSON object");
		return;
	} else {
		out_lit(&rt.out, "{\"ts\":");
		out_json_time(&rt.out, ts);
		out_lit(&rt.out, ",\"line\":");
		out_json_str(&rt.out, line, len);
		out_lit(&rt.out, ",\"peer\":");
		out_json_str(&rt.out, peer, plen);
		if (tags.len > 0)
			out_write(&rt.out, tags.p, tags.len);
		out_putc(&rt.out, '}');
	}
	out_putc(&rt.out, '\n');
	rt.records_out++;
}

/*
 * Queues one line (not empty, not too long).  Returns 0 when it was taken
 * (queued, or dropped by the policy), -1 when the queue is full and the
 * policy is to wait.
 */
static int push(const char *peer, size_t plen, unsigned long long lineno,
                int64_t ts, const char *p, size_t n)
{
	size_t sz = sizeof(struct item) + plen + n;
	struct item *it;

	/* Nothing waits before it: straight to the output buffer. */
	if (st.q.n == 0 && rate == 0 &&
	    out_room(&rt.out, worst_size(n, plen))) {
		rt.records_in++;
		emit(ts, lineno, peer, plen, p, n);
		return 0;
	}
	if ((it = stage_push(&st, sz, mono_ms)) == NULL && on_full == RT_BLOCK) {
		paused++;
		return -1;
	}
	rt.records_in++;
	if (it == NULL)
		return 0;
	it->ts = ts;
	it->lineno = lineno;
	it->len = (uint32_t)n;
	it->plen = (uint16_t)plen;
	memcpy(it + 1, peer, plen);
	memcpy((char *)(it + 1) + plen, p, n);
	return 0;
}

/* One complete line of c, without its '\n'; 0, or -1 when it must wait. */
static int take_line(struct conn *c, const char *p, size_t n)
{
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (n > rt.max_line) {
		rt.records_in++;
		bad(c->peer, c->lineno + 1, p, rt.max_line,
		    "line too long (over %zu bytes)", rt.max_line);
	} else if (n > 0 && push(c->peer, c->plen, c->lineno + 1, c->ts, p,
	                         n) < 0) {
		return -1;
	}
	c->lineno++;
	lines++;
	return 0;
}

/*
 * Hands the complete lines in c's buffer to the queue, and at the peer's
 * EOF the unterminated last one too.  A partial line that already passed
 * --max-line is reported at once and skipped to its end; the dead letter
 * keeps its first --max-line bytes, since the lines of other connections
 * arrive meanwhile.  Returns 0, or -1 when the queue is full and the policy
 * is to wait (the lines stay in the buffer).
 */
static int frame(struct conn *c)
{
	char *p, *nl;
	size_t part;

	for (;;) {
		p = c->buf + c->off;
		nl = memchr(p + c->scanned, '\n', c->len - c->off - c->scanned);
		if (nl == NULL)
			break;
		if (c->skipping)
			c->skipping = 0;
		else if (take_line(c, p, (size_t)(nl - p)) < 0)
			return -1;
		c->off = (size_t)(nl + 1 - c->buf);
		c->scanned = 0;
	}
	part = c->len - c->off;
	c->scanned = part;
	if (c->skipping) {
		c->off = c->len;
	} else if (part > rt.max_line + 1 ||
	           (part == rt.max_line + 1 && p[part - 1] != '\r')) {
		rt.records_in++;
		c->lineno++;
		lines++;
		bad(c->peer, c->lineno, p, rt.max_line,
		    "line too long (over %zu bytes)", rt.max_line);
		c->skipping = 1;
		c->off = c->len;
	} else if (c->eof && part > 0) {
		if (take_line(c, p, part) < 0)
			return -1;
		c->off = c->len;
	}
	if (c->off == c->len)
		c->off = c->len = c->scanned = 0;
	return 0;
}

static void schedule_retry(void)
{
	retry_at = mono_ms + backoff_next(&backoff);
}

static void start_drain(void);

static struct conn *conn_new(int fd, const char *peer)
{
	struct conn *c = rt_xcalloc(1, sizeof *c);

	c->buf = rt_xrealloc(NULL, READ_SIZE);
	c->fd = fd;
	c->cap = READ_SIZE;
	snprintf(c->peer, sizeof c->peer, "%s", peer);
	c->plen = (uint16_t)strlen(c->peer);
	if (nconns == conns_cap) {
		conns_cap = conns_cap ? conns_cap * 2 : 16;
		conns = rt_xrealloc(conns, conns_cap * sizeof *conns);
	}
	conns[nconns++] = c;
	connections++;
	return c;
}

/* Forgets a connection whose lines are all queued; a client reconnects. */
static void conn_free(struct conn *c)
{
	size_t i;

	for (i = 0; i < nconns && conns[i] != c; i++)
		continue;
	conns[i] = conns[--nconns];
	if (c->got_data)
		backoff_reset(&backoff);
	free(c->buf);
	free(c);
	accept_paused = 0;
	if (listening || draining)
		return;
	if (once)
		start_drain();
	else
		schedule_retry();
}

/* The peer is gone (or, draining, everything it sent is read). */
static void conn_eof(struct conn *c)
{
	close(c->fd);
	c->fd = -1;
	c->eof = 1;
	if (verbose)
		rt_warn("%s: closed%s", c->peer,
		        listening || once || draining ? "" : "; reconnecting");
}

/* Frames what c holds, and frees it once it is gone and all queued.
 * Returns 1 when c still waits for queue room. */
static int conn_frame(struct conn *c)
{
	if (frame(c) < 0) {
		if (!c->stalled)
			nstalled++;
		c->stalled = 1;
		return 1;
	}
	if (c->stalled)
		nstalled--;
	c->stalled = 0;
	if (c->eof)
		conn_free(c);
	return 0;
}

/* Makes room at the end of c's buffer, growing it for a long line. */
static void conn_room(struct conn *c)
{
	size_t cap;

	if (c->off > 0 && c->cap - c->len < READ_SIZE / 2) {
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->len == 0 && c->cap > READ_SIZE)
		cap = READ_SIZE;	/* a long line is over: shrink back */
	else if (c->len == c->cap && c->cap < rt.max_line + 2)
		cap = c->cap * 2 < rt.max_line + 2 ? c->cap * 2 : rt.max_line + 2;
	else
		return;
	c->buf = rt_xrealloc(c->buf, cap);
	c->cap = cap;
}

static void conn_read(struct conn *c)
{
	size_t want;
	ssize_t n;

	conn_room(c);
	want = c->cap - c->len;
	if (draining && c->budget < want)
		want = c->budget;
	n = read(c->fd, c->buf + c->len, want);
	if (n > 0) {
		c->len += (size_t)n;
		c->ts = now_ms;
		c->got_data = 1;
		bytes_in += (unsigned long long)n;
		if (draining && (c->budget -= (size_t)n) == 0)
			conn_eof(c);
	} else if (n == 0) {
		conn_eof(c);
	} else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
		return;
	} else {
		rt_warn("cannot read from %s: %s", c->peer, strerror(errno));
		conn_eof(c);
	}
	conn_frame(c);
}

/* Gives the connections that wait for queue room another go, in turn.
 * Returns whether any line moved. */
static int feed(void)
{
	unsigned long long before = lines;
	size_t k, i, stalled = nstalled;

	if (nstalled == 0)
		return 0;
	for (k = 0; k < nconns && nstalled > 0; k++) {
		i = (next_feed + k) % nconns;
		if (conns[i]->stalled && conn_frame(conns[i]))
			break;
	}
	next_feed++;
	return lines != before || nstalled != stalled;
}

/* The datagrams the kernel dropped because the socket's receive buffer
 * was full: read from the socket, so that none goes uncounted. */
static void count_kernel_drops(void)
{
#if defined(__linux__) && defined(SO_MEMINFO)
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t len = sizeof mi;

	if (getsockopt(lfd, SOL_SOCKET, SO_MEMINFO, mi, &len) < 0 ||
	    len <= SK_MEMINFO_DROPS * sizeof *mi ||
	    mi[SK_MEMINFO_DROPS] == kernel_dropped)
		return;
	if (kernel_dropped == 0)
		rt_warn("receive buffer full: the kernel is dropping datagrams");
	kernel_dropped = mi[SK_MEMINFO_DROPS];
#endif
}

/* Reads the datagrams waiting, at most burst of them and max bytes. */
static void recv_datagrams(int burst, size_t max)
{
	static struct conn d;
	static struct sockaddr_storage last;
	static socklen_t last_len;
	struct sockaddr_storage from;
	socklen_t flen;
	size_t got = 0;
	ssize_t n;

	while (burst-- > 0 && got < max) {
		flen = sizeof from;
		n = recvfrom(lfd, dgram, DGRAM_MAX, 0, (struct sockaddr *)&from,
		             &flen);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				rt_warn("cannot receive: %s", strerror(errno));
			break;
		}
		datagrams++;
		bytes_in += (unsigned long long)n;
		got += (size_t)n;
		/* Senders tend to send many datagrams in a row. */
		if (flen != last_len || memcmp(&from, &last, flen) != 0) {
			net_name((struct sockaddr *)&from, flen, d.peer,
			         sizeof d.peer);
			d.plen = (uint16_t)strlen(d.peer);
			memcpy(&last, &from, flen);
			last_len = flen;
		}
		/* A datagram is a connection of its own that ends with it. */
		d.buf = dgram;
		d.cap = d.len = (size_t)n;
		d.off = d.scanned = 0;
		d.lineno = 0;
		d.skipping = 0;
		d.eof = 1;
		d.ts = now_ms;
		frame(&d);
	}
	count_kernel_drops();
}

static void accept_clients(void)
{
	char peer[NET_NAME_MAX], err[256];
	int i, fd;

	for (i = 0; i < ACCEPT_BURST && nconns < (size_t)max_clients; i++) {
		fd = net_accept(lfd, peer, sizeof peer, err, sizeof err);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				rt_warn("%s", err);
				accept_paused = 1;
				return;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			continue;	/* that client gave up already */
		}
		conn_new(fd, unix_path ? unix_path : peer);
		if (verbose)
			rt_warn("connection from %s", conns[nconns - 1]->peer);
	}
}

/* Client mode: a connection attempt ended, well or not. */
static void dialed(int fd, const char *peer, const char *err)
{
	dialing = 0;
	if (fd >= 0) {
		conn_new(fd, peer);
		if (verbose || dial_failing)
			rt_warn("connected to %s", peer);
		dial_failing = 0;
		retry_at = INT64_MAX;
		return;
	}
	if (once)
		rt_die(1, "%s", err);
	if (!dial_failing || verbose)
		rt_warn("%s (retrying)", err);
	dial_failing = 1;
	schedule_retry();
}

static void dial_start(void)
{
	char err[512];
	int fd, rc;

	retry_at = INT64_MAX;
	if (unix_path != NULL) {
		fd = net_connect_unix(unix_path, err, sizeof err);
		dialed(fd, unix_path, err);
		return;
	}
	rc = net_dial_start(&dial, host, port, err, sizeof err);
	if (rc == 1) {
		dialing = 1;
		dial_deadline = mono_ms + connect_timeout;
		return;
	}
	net_dial_free(&dial);
	dialed(rc == 0 ? dial.fd : -1, dial.peer, err);
}

static void dial_go_on(int timed_out)
{
	char err[512];
	int rc;

	if (timed_out) {
		close(dial.fd);
		snprintf(err, sizeof err, "cannot connect to '%s': %s",
		         dial.target, strerror(ETIMEDOUT));
		rc = -1;
	} else if ((rc = net_dial_poll(&dial, err, sizeof err)) == 1) {
		return;
	}
	net_dial_free(&dial);
	dialed(rc == 0 ? dial.fd : -1, dial.peer, err);
}

/* Stop taking input: read what the peers have already sent, then end. */
static void start_drain(void)
{
	size_t i;
	int n;

	if (draining)
		return;
	draining = 1;
	retry_at = INT64_MAX;
	if (dialing) {
		close(dial.fd);
		net_dial_free(&dial);
		dialing = 0;
	}
	if (udp && lfd >= 0) {
		int rcvbuf = 0;
		socklen_t len = sizeof rcvbuf;

		/* What came in before the signal, and not what keeps coming. */
		if (getsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len) < 0)
			rcvbuf = UDP_RCVBUF;
		recv_datagrams(INT32_MAX, (size_t)rcvbuf);
	}
	if (lfd >= 0)
		close(lfd);
	lfd = -1;
	/* Freeing a connection moves the last one into its place. */
	for (i = nconns; i-- > 0;) {
		struct conn *c = conns[i];

		if (c->fd < 0)
			continue;
		if (ioctl(c->fd, FIONREAD, &n) < 0 || n <= 0) {
			conn_eof(c);
			conn_frame(c);
		} else {
			c->budget = (size_t)n;
		}
	}
}

/* The stage's view of a queued line: the most it takes on stdout, and
 * writing it there as a record. */
static size_t item_size(const void *rec, size_t n)
{
	const struct item *it = rec;

	(void)n;
	return worst_size(it->len, it->plen);
}

static void item_emit(const void *rec, size_t n)
{
	const struct item *it = rec;

	(void)n;
	emit(it->ts, it->lineno, (const char *)(it + 1), it->plen,
	     (const char *)(it + 1) + it->plen, it->len);
}

static int finished(void)
{
	return draining && nconns == 0 && !dialing && st.q.n == 0 &&
	       rt.out.len == 0;
}

/* Until when poll may wait for the timers: rate, connect, reconnect. */
static int64_t poll_due(void)
{
	int64_t t = stage_due(&st, mono_ms);

	if (dialing && dial_deadline < t)
		t = dial_deadline;
	if (retry_at < t)
		t = retry_at;
	return t;
}

/* The poll loop: sockets in, the queue between, stdout out. */
static void run(void)
{
	struct pollfd *pfd = NULL;
	struct conn **pc = NULL;
	size_t cap = 0, n, i;
	int lslot, dslot, cslot;
	struct loop loop;

	loop_begin(&loop);
	for (;;) {
		now_ms = tm_now();
		mono_ms = tm_mono();
		if (rt_stop)
			start_drain();
		if (!draining && !dialing && mono_ms >= retry_at)
			dial_start();
		if (dialing && mono_ms >= dial_deadline)
			dial_go_on(1);
		/* Lines go as far as they can; then only poll brings more. */
		stage_pump(&st, mono_ms, feed);
		if (finished())
			break;
		if (cap < nconns + 3) {
			cap = nconns + 16;
			pfd = rt_xrealloc(pfd, cap * sizeof *pfd);
			pc = rt_xrealloc(pc, cap * sizeof *pc);
		}
		n = 0;
		pfd[n].fd = st.blocked ? STDOUT_FILENO : -1;
		pfd[n++].events = POLLOUT;
		lslot = dslot = -1;
		if (lfd >= 0 && !accept_paused &&
		    (udp || nconns < (size_t)max_clients)) {
			lslot = (int)n;
			pfd[n].fd = lfd;
			pfd[n++].events = POLLIN;
		}
		if (dialing) {
			dslot = (int)n;
			pfd[n].fd = dial.fd;
			pfd[n++].events = POLLOUT;
		}
		cslot = (int)n;
		for (i = 0; i < nconns; i++) {
			struct conn *c = conns[i];

			if (c->fd < 0 || c->stalled ||
			    (on_full == RT_BLOCK && nstalled > 0))
				continue;
			pc[n] = c;
			pfd[n].fd = c->fd;
			pfd[n++].events = POLLIN;
		}
		if (loop_wait(&loop, pfd, n, poll_due(), mono_ms) == 0)
			continue;
		now_ms = tm_now();
		mono_ms = tm_mono();
		for (i = (size_t)cslot; i < n; i++)
			if (pfd[i].revents)
				conn_read(pc[i]);
		if (dslot >= 0 && pfd[dslot].revents)
			dial_go_on(0);
		if (lslot >= 0 && pfd[lslot].revents) {
			if (udp)
				recv_datagrams(DGRAM_BURST, SIZE_MAX);
			else
				accept_clients();
		}
	}
	loop_end(&loop);
	free(pfd);
	free(pc);
}

/* ,"key":"value" for one --tag KEY=VALUE. */
static void add_tag(const char *arg)
{
	static const char *keys[MAX_TAGS];
	static int nkeys;
	const char *eq = strchr(arg, '=');
	size_t klen = eq != NULL ? (size_t)(eq - arg) : 0;
	int i;

	if (klen == 0)
		rt_die(2, "--tag: expected KEY=VALUE: '%s'", arg);
	if ((klen == 2 && memcmp(arg, "ts", 2) == 0) ||
	    (klen == 4 && memcmp(arg, "line", 4) == 0) ||
	    (klen == 4 && memcmp(arg, "peer", 4) == 0))
		rt_die(2, "--tag: '%.*s' is a field of the record already",
		       (int)klen, arg);
	for (i = 0; i < nkeys; i++)
		if (strncmp(keys[i], arg, klen) == 0 && keys[i][klen] == '=')
			rt_die(2, "--tag: '%.*s' given twice", (int)klen, arg);
	if (nkeys == MAX_TAGS)
		rt_die(2, "--tag: more than %d tags", MAX_TAGS);
	keys[nkeys++] = arg;
	/* Written by the JSON writer, then kept aside. */
	rt.out.len = 0;
	out_putc(&rt.out, ',');
	out_json_str(&rt.out, arg, klen);
	out_putc(&rt.out, ':');
	out_json_str(&rt.out, eq + 1, strlen(eq + 1));
	if (rt.out.err || buf_add(&tags, rt.out.buf, rt.out.len) < 0)
		rt_oom();
	rt.out.len = 0;
}

/* Puts stdout back as it was and removes the socket file we made. */
static void cleanup(void)
{
	out_restore_flags(STDOUT_FILENO, stdout_flags);
	stdout_flags = -1;
	if (unix_bound)
		(void)unlink(unix_path);
	unix_bound = 0;
}

/* Room for a file descriptor per client. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)max_clients + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void start_listening(void)
{
	char err[512], name[NET_NAME_MAX];
	int size = UDP_RCVBUF;

	if (unix_path != NULL) {
		lfd = net_listen_unix(unix_path, err, sizeof err);
		unix_bound = lfd >= 0;
	} else {
		lfd = net_listen(bind_addr, port, udp ? SOCK_DGRAM : SOCK_STREAM,
		                 err, sizeof err);
	}
	if (lfd < 0)
		rt_die(1, "%s", err);
	if (udp) {
		dgram = rt_xrealloc(NULL, DGRAM_MAX);
		/* Bursts wait in the kernel while the loop writes; what it
		 * still drops is counted (count_kernel_drops). */
		(void)setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	}
	if (verbose) {
		if (unix_path != NULL)
			snprintf(name, sizeof name, "'%s'", unix_path);
		else
			net_local_name(lfd, name, sizeof name);
		rt_warn("listening on %s%s", name, udp ? " (UDP)" : "");
	}
}

static void usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f,
	    "usage: nc-source [options] HOST PORT\n"
	    "       nc-source -l [-u] [-b ADDR] [options] PORT\n"
	    "       nc-source [-l] -U PATH [options]\n"
	    "options: [-kvV] [--once | --reconnect] [--backoff-max DUR]"
	    " [--connect-timeout DUR]\n"
	    "         [--max-clients N] [--raw | --json] [--tag KEY=VALUE]"
	    " [--buffer SIZE]\n"
	    "         [--on-full block|drop-oldest|drop-newest] [--rate N]"
	    " [--unbuffered]\n"
	    "         [--stats] [--strict] [--dead-letter FILE]"
	    " [--max-line SIZE]\n");
	exit(status);
}

enum {
	OPT_ONCE = 1, OPT_RECONNECT, OPT_RAW, OPT_JSON, OPT_TAG, OPT_BUFFER,
	OPT_ON_FULL, OPT_RATE, OPT_MAX_CLIENTS, OPT_BACKOFF_MAX,
	OPT_CONNECT_TIMEOUT
};

static const struct option longopts[] = {
	RT_LONGOPTS,
	{"listen", no_argument, NULL, 'l'},
	{"udp", no_argument, NULL, 'u'},
	{"unix", required_argument, NULL, 'U'},
	{"bind", required_argument, NULL, 'b'},
	{"verbose", no_argument, NULL, 'v'},
	{"keep-open", no_argument, NULL, 'k'},
	{"once", no_argument, NULL, OPT_ONCE},
	{"reconnect", no_argument, NULL, OPT_RECONNECT},
	{"raw", no_argument, NULL, OPT_RAW},
	{"json", no_argument, NULL, OPT_JSON},
	{"tag", required_argument, NULL, OPT_TAG},
	{"buffer", required_argument, NULL, OPT_BUFFER},
	{"on-full", required_argument, NULL, OPT_ON_FULL},
	{"rate", required_argument, NULL, OPT_RATE},
	{"max-clients", required_argument, NULL, OPT_MAX_CLIENTS},
	{"backoff-max", required_argument, NULL, OPT_BACKOFF_MAX},
	{"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
	{NULL, 0, NULL, 0}
};

/* Rules between options, one message each, and the operands. */
static void check_options(int argc, char **argv)
{
	int nops = argc - optind, need;

	if (udp && !listening)
		rt_die(2, "-u needs -l: a UDP source receives on a local port");
	if (udp && unix_path)
		rt_die(2, "-u and -U cannot be used together");
	if (bind_addr && !listening)
		rt_die(2, "-b needs -l");
	if (bind_addr && unix_path)
		rt_die(2, "-b and -U cannot be used together");
	if (once && reconnect)
		rt_die(2, "--once and --reconnect cannot be used together");
	if (client_opt && listening)
		rt_die(2, "%s and -l cannot be used together", client_opt);
	if (max_clients_given && (!listening || udp))
		rt_die(2, "--max-clients needs -l with TCP or -U");
	if (wrap_all && json_only)
		rt_die(2, "--raw and --json cannot be used together");
	if (udp && on_full == RT_BLOCK)
		rt_die(2, "--on-full block and -u cannot be used together: "
		       "UDP senders cannot be slowed down");
	need = unix_path ? 0 : listening ? 1 : 2;
	if (nops != need) {
		rt_warn("%s", nops < need ? "missing operand" :
		        "too many operands");
		usage(2);
	}
	if (listening && !unix_path)
		port = argv[optind];
	if (!listening && !unix_path) {
		host = argv[optind];
		port = argv[optind + 1];
	}
	if (on_full < 0)
		on_full = udp ? RT_DROP_NEWEST : RT_BLOCK;
	if (bind_addr == NULL)
		bind_addr = "127.0.0.1";
}

/* Every queued line must fit the queue: --max-line within --buffer. */
static void check_sizes(void)
{
	size_t room = queue_max(&st.q) - sizeof(struct item) - NET_NAME_MAX;

	if (rt.max_line <= room)
		return;
	if (max_line_given)
		rt_die(2, "--buffer: %lld bytes do not hold a line of "
		       "--max-line %zu", buffer_size, rt.max_line);
	rt.max_line = room;
}

int main(int argc, char **argv)
{
	int c;

	rt_init("nc-source");
	while ((c = getopt_long(argc, argv, "hVklub:U:v", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(0); break;
		case 'l': listening = 1; break;
		case 'k': break;	/* nc's keep listening: always so */
		case 'b': bind_addr = optarg; break;
		case 'U': unix_path = optarg; break;
		case 'v': verbose = 1; break;
		case 'u':	/* nc's UDP; --unbuffered keeps its meaning */
			udp = 1;
			break;
		case OPT_ONCE:
			once = 1;
			client_opt = "--once";
			break;
		case OPT_RECONNECT:
			reconnect = 1;
			client_opt = "--reconnect";
			break;
		case OPT_RAW: wrap_all = 1; break;
		case OPT_JSON: json_only = 1; break;
		case OPT_TAG: add_tag(optarg); break;
		case OPT_BUFFER:
			buffer_size = rt_opt_size("--buffer", optarg, 4096,
			                          1LL << 40);
			break;
		case OPT_ON_FULL: on_full = rt_opt_on_full("--on-full", optarg); break;
		case OPT_RATE:
			rate = rt_opt_double("--rate", optarg, 0.01, 1e9);
			break;
		case OPT_MAX_CLIENTS:
			max_clients = rt_opt_int("--max-clients", optarg, 1,
			                         1000000);
			max_clients_given = 1;
			break;
		case OPT_BACKOFF_MAX:
			backoff_max = rt_opt_dur("--backoff-max", optarg,
			                         BACKOFF_MIN, 86400000);
			client_opt = "--backoff-max";
			break;
		case OPT_CONNECT_TIMEOUT:
			connect_timeout = rt_opt_dur("--connect-timeout",
			                             optarg, 1, 86400000);
			client_opt = "--connect-timeout";
			break;
		case RT_OPT_MAX_LINE:
			max_line_given = 1;
			rt_option(c, optarg);
			break;
		default:
			if (!rt_option(c, optarg))
				usage(2);
		}
	}
	check_options(argc, argv);
	if (queue_init(&st.q, (size_t)buffer_size) < 0)
		rt_oom();
	check_sizes();
	if (!udp)
		rt_stat("connections", &connections);
	rt_stat("bytes", &bytes_in);
	rt_stat("lines", &lines);
	rt_stat("queued", &st.queued);
	rt_stat("paused", &paused);
	if (udp) {
		rt_stat("datagrams", &datagrams);
		rt_stat("kernel_dropped", &kernel_dropped);
	}
	backoff_init(&backoff, BACKOFF_MIN, backoff_max);
	rt_open_dead_letter();
	atexit(cleanup);
	raise_fd_limit();
	mono_ms = tm_mono();
	bucket_init(&st.bucket, rate, mono_ms);
	st.on_full = on_full;
	st.what = "lines";
	st.size = item_size;
	st.emit = item_emit;
	if (listening)
		start_listening();
	else
		dial_start();
	/* A slow reader fills the queue instead of stopping the loop. */
	stdout_flags = out_nonblocking(STDOUT_FILENO);
	run();
	if (rt.dropped > 0)
		rt_warn("dropped %llu lines in all: buffer full (--on-full %s)",
		        rt.dropped, rt_on_full_name[on_full]);
	if (kernel_dropped > 0)
		rt_warn("the kernel dropped %llu datagrams: receive buffer full",
		        kernel_dropped);
	cleanup();
	queue_free(&st.q);
	free(dgram);
	free(conns);
	json_obj_free(&obj);
	buf_free(&tags);
	return rt_finish(0);
}
