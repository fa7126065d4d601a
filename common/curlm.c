/*
 * curlm: the socket and timer callbacks behind curlm.h.
 *
 * curl reports each socket with CURLMOPT_SOCKETFUNCTION when it starts or
 * stops wanting it, so the set is kept here as a small array, in no
 * order.  Past CURLM_MAX_SOCKS the callback fails, which curl turns into
 * an error of the transfer rather than a socket left unpolled.
 */
#include <string.h>

#include "curlm.h"
#include "tm.h"

static int on_socket(CURL *e, curl_socket_t fd, int what, void *arg, void *sp)
{
	struct curlm *m = arg;
	size_t i;

	(void)e;
	(void)sp;
	for (i = 0; i < m->nsocks && m->socks[i].fd != fd; i++)
		continue;
	if (what == CURL_POLL_REMOVE) {
		if (i < m->nsocks)
			m->socks[i] = m->socks[--m->nsocks];
		return 0;
	}
	if (i == m->nsocks) {
		if (m->nsocks == CURLM_MAX_SOCKS)
			return -1;
		m->nsocks++;
	}
	m->socks[i].fd = fd;
	m->socks[i].events = (short)((what & CURL_POLL_IN ? POLLIN : 0) |
	                             (what & CURL_POLL_OUT ? POLLOUT : 0));
	return 0;
}

static int on_timer(CURLM *multi, long ms, void *arg)
{
	struct curlm *m = arg;

	(void)multi;
	m->due = ms < 0 ? -1 : tm_mono() + ms;
	return 0;
}

int curlm_init(struct curlm *m, void (*done)(CURL *, CURLcode, void *),
               void *arg)
{
	memset(m, 0, sizeof *m);
	m->due = -1;
	m->done = done;
	m->arg = arg;
	if ((m->multi = curl_multi_init()) == NULL)
		return -1;
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m);
	return 0;
}

void curlm_free(struct curlm *m)
{
	if (m->multi != NULL)
		curl_multi_cleanup(m->multi);
	m->multi = NULL;
	m->nsocks = 0;
	m->due = -1;
}

size_t curlm_pollfds(const struct curlm *m, struct pollfd *pfd, int off)
{
	size_t i;

	for (i = 0; i < m->nsocks; i++) {
		pfd[i].fd = m->socks[i].events && !off ? m->socks[i].fd : -1;
		pfd[i].events = m->socks[i].events;
		pfd[i].revents = 0;
	}
	return m->nsocks;
}

/* Lets curl act on fd (or on its timeout), then hands over what ended. */
static void action(struct curlm *m, curl_socket_t fd, int mask)
{
	CURLMsg *msg;
	int running, left;

	curl_multi_socket_action(m->multi, fd, mask, &running);
	while ((msg = curl_multi_info_read(m->multi, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE)
			m->done(msg->easy_handle, msg->data.result, m->arg);
}

void curlm_act(struct curlm *m, const struct pollfd *pfd, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int mask = 0;

		if (pfd[i].fd < 0 || pfd[i].revents == 0)
			continue;
		if (pfd[i].revents & (POLLIN | POLLHUP))
			mask |= CURL_CSELECT_IN;
		if (pfd[i].revents & POLLOUT)
			mask |= CURL_CSELECT_OUT;
		if (pfd[i].revents & (POLLERR | POLLNVAL))
			mask |= CURL_CSELECT_ERR;
		action(m, pfd[i].fd, mask);
	}
}

void curlm_timer(struct curlm *m, int64_t now)
{
	if (m->due < 0 || now < m->due)
		return;
	m->due = -1;
	action(m, CURL_SOCKET_TIMEOUT, 0);
}
