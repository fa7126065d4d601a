/*
 * Unit tests of curlm: real transfers to a server in this process, run by
 * a poll loop built from curlm_timer, curlm_pollfds and curlm_act: one
 * answered, one refused.  The done function must get each transfer once,
 * with its result, and curl's sockets must be gone from the set after.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "curlm.h"
#include "net.h"
#include "tap.h"
#include "tm.h"

#define GUARD_MS 60000		/* only so that a broken build cannot hang */

static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                             "Connection: close\r\n\r\nhello";

struct done {
	int calls;
	CURL *easy;
	CURLcode rc;
};

static void on_done(CURL *e, CURLcode rc, void *arg)
{
	struct done *d = arg;

	d->calls++;
	d->easy = e;
	d->rc = rc;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	char *body = arg;
	size_t len = strlen(body);

	n *= size;
	if (len + n < 64) {
		memcpy(body + len, p, n);
		body[len + n] = '\0';
	}
	return n;
}

/* A listening socket on a free port of 127.0.0.1, and that port. */
static int listener(char *port, size_t n)
{
	char err[256], name[NET_NAME_MAX];
	int fd = net_listen("127.0.0.1", "0", SOCK_STREAM, err, sizeof err);

	if (fd < 0 || net_local_name(fd, name, sizeof name) < 0)
		return -1;
	snprintf(port, n, "%s", strchr(name, ':') + 1);
	return fd;
}

/* An easy handle for http://127.0.0.1:PORT/x, its body into body. */
static CURL *easy_for(const char *port, char *body)
{
	CURL *easy = curl_easy_init();
	char url[64];

	snprintf(url, sizeof url, "http://127.0.0.1:%s/x", port);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROXY, "");
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, body);
	return easy;
}

/*
 * Runs one transfer of url to its end.  When lfd >= 0 this loop is also
 * the server: it accepts one client, reads its request and sends answer.
 * *hidden tells whether curlm_pollfds with off set hid every socket.
 */
static void transfer(struct curlm *cm, struct done *d, CURL *easy, int lfd,
                     int *hidden, size_t *most)
{
	struct pollfd pfd[CURLM_MAX_SOCKS + 2], off[CURLM_MAX_SOCKS];
	char req[4096];
	size_t reqlen = 0, n, k, i;
	int64_t guard = tm_mono() + GUARD_MS, wait;
	int cfd = -1, answered = 0;
	ssize_t r;

	*hidden = 1;
	*most = 0;
	curl_multi_add_handle(cm->multi, easy);
	while (d->calls == 0 && tm_mono() < guard) {
		curlm_timer(cm, tm_mono());
		if (d->calls > 0)
			break;
		k = 0;
		if (lfd >= 0 && cfd < 0) {
			pfd[k].fd = lfd;
			pfd[k++].events = POLLIN;
		} else if (cfd >= 0 && !answered) {
			pfd[k].fd = cfd;
			pfd[k++].events = POLLIN;
		}
		n = curlm_pollfds(cm, pfd + k, 0);
		if (n > *most)
			*most = n;
		curlm_pollfds(cm, off, 1);
		for (i = 0; i < n; i++)
			if (off[i].fd != -1)
				*hidden = 0;
		wait = cm->due < 0 ? 1000 : cm->due - tm_mono();
		if (poll(pfd, k + n, wait < 0 ? 0 : wait > 1000 ? 1000 :
		         (int)wait) < 0 && errno != EINTR)
			break;
		if (k > 0 && pfd[0].revents && cfd < 0) {
			char peer[NET_NAME_MAX], err[256];

			cfd = net_accept(lfd, peer, sizeof peer, err, sizeof err);
		} else if (k > 0 && pfd[0].revents) {
			r = read(cfd, req + reqlen, sizeof req - 1 - reqlen);
			if (r > 0)
				reqlen += (size_t)r;
			req[reqlen] = '\0';
			if (strstr(req, "\r\n\r\n") != NULL || r <= 0) {
				r = write(cfd, answer, sizeof answer - 1);
				(void)r;
				answered = 1;
			}
		}
		curlm_act(cm, pfd + k, n);
	}
	curl_multi_remove_handle(cm->multi, easy);
	if (cfd >= 0)
		close(cfd);
}

/* What one transfer came to. */
struct result {
	struct done d;
	int same_easy, init, hidden, freed;
	size_t most, left;
	long code;
	char body[64];
};

/* One transfer to a port of 127.0.0.1: served by this process, or with
 * nobody listening there. */
static void run_one(int serve, struct result *r)
{
	struct curlm cm;
	char port[16];
	int lfd = listener(port, sizeof port);
	CURL *easy = easy_for(port, r->body);

	if (!serve) {
		close(lfd);
		lfd = -1;
	}
	r->init = curlm_init(&cm, on_done, &r->d) == 0 && cm.nsocks == 0 &&
	          cm.due == -1;
	transfer(&cm, &r->d, easy, lfd, &r->hidden, &r->most);
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r->code);
	r->same_easy = r->d.easy == easy;
	r->left = cm.nsocks;
	curl_easy_cleanup(easy);
	curlm_free(&cm);
	r->freed = cm.multi == NULL;
	if (lfd >= 0)
		close(lfd);
}

static void answered(void)
{
	struct result r = {0};

	run_one(1, &r);
	ok(r.init, "curlm_init: a new multi watches nothing");
	ok(r.d.calls == 1, "done called once (%d)", r.d.calls);
	ok(r.same_easy, "done gets the easy handle");
	ok(r.d.rc == CURLE_OK, "transfer ended well: %s",
	   curl_easy_strerror(r.d.rc));
	ok(r.code == 200 && strcmp(r.body, "hello") == 0, "answer: %ld '%s'",
	   r.code, r.body);
	ok(r.most >= 1, "curl's socket was in the poll set (%zu)", r.most);
	ok(r.hidden, "off hides every socket");
	ok(r.left == 0, "a closed connection leaves the set (%zu)", r.left);
	ok(r.freed, "curlm_free");
}

static void refused(void)
{
	struct result r = {0};

	run_one(0, &r);
	ok(r.d.calls == 1 && r.d.rc == CURLE_COULDNT_CONNECT,
	   "a refused connection ends the transfer: %s",
	   curl_easy_strerror(r.d.rc));
	ok(r.body[0] == '\0', "and brings no body");
	ok(r.left == 0, "and leaves no socket (%zu)", r.left);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	answered();
	refused();
	curl_global_cleanup();
	return tap_done();
}
