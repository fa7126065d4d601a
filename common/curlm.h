/*
 * curlm: libcurl's multi interface under the caller's own poll loop, for
 * the tools whose transfers must share one wait with their other inputs,
 * outputs, timers and signals (es-sink, http-source).
 *
 * curl tells, through callbacks set here, which sockets it wants polled
 * and for what, and when it wants to be called back on its own; the
 * caller adds those sockets to its poll set and hands the results back.
 * A transfer that ends is passed to the done function given to
 * curlm_init, from inside curlm_act or curlm_timer, which is the place to
 * take its result and remove its easy handle.
 *
 *	struct curlm cm;
 *	curlm_init(&cm, done, arg)		-1: out of memory
 *	...curl_multi_add_handle(cm.multi, easy)...
 *	for (;;) {
 *		curlm_timer(&cm, tm_mono());	curl's timeout, when due
 *		n = curlm_pollfds(&cm, pfd, paused);
 *		wake no later than cm.due (when >= 0)
 *		poll(pfd, n, ...);
 *		curlm_act(&cm, pfd, n);
 *	}
 *	curlm_free(&cm)
 *
 * Times are monotonic milliseconds (tm_mono).  Nothing here prints or
 * exits; curl's own errors reach the done function with its transfer.
 */
#ifndef CURLM_H
#define CURLM_H

#include <curl/curl.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define CURLM_MAX_SOCKS 8	/* sockets curl may watch at once */

struct curlm {
	CURLM *multi;
	struct { curl_socket_t fd; short events; } socks[CURLM_MAX_SOCKS];
	size_t nsocks;
	int64_t due;		/* when curl wants curlm_timer, or -1 */
	void (*done)(CURL *easy, CURLcode rc, void *arg);
	void *arg;
};

/* A multi handle wired to m; done gets every transfer that ends. */
int curlm_init(struct curlm *m, void (*done)(CURL *, CURLcode, void *),
               void *arg);
/* Cleans up the multi handle; easy handles still in it are the caller's. */
void curlm_free(struct curlm *m);

/*
 * Fills pfd (room for CURLM_MAX_SOCKS) with curl's sockets and returns how
 * many.  A socket curl wants nothing of, or every one when off is set (a
 * paused transfer), gets fd -1, so that poll passes it over.
 */
size_t curlm_pollfds(const struct curlm *m, struct pollfd *pfd, int off);
/* Tells curl what poll found on the n entries curlm_pollfds filled; a
 * hang-up counts as readable, so that curl reads the end itself. */
void curlm_act(struct curlm *m, const struct pollfd *pfd, size_t n);
/* Runs curl's timeout when it is due by now. */
void curlm_timer(struct curlm *m, int64_t now);

#endif
