/*
 * loop: the signal mask and ppoll behind loop.h.
 */
#define _GNU_SOURCE		/* ppoll */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "loop.h"
#include "rt.h"

void loop_begin(struct loop *l)
{
	sigset_t sigs;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGUSR1);
	sigprocmask(SIG_BLOCK, &sigs, &l->waitmask);
}

void loop_end(const struct loop *l)
{
	sigprocmask(SIG_SETMASK, &l->waitmask, NULL);
}

int loop_timeout(int64_t due, int64_t now)
{
	if (due == INT64_MAX)
		return -1;
	return due <= now ? 0 : due - now > INT32_MAX ? INT32_MAX :
	       (int)(due - now);
}

int loop_wait(const struct loop *l, struct pollfd *pfd, size_t n,
              int64_t due, int64_t now)
{
	int timeout = loop_timeout(due, now), rc;
	struct timespec ts;

	ts.tv_sec = timeout / 1000;
	ts.tv_nsec = (long)(timeout % 1000) * 1000000;
	rt_dead_flush();
	rc = ppoll(pfd, (nfds_t)n, timeout < 0 ? NULL : &ts, &l->waitmask);
	if (rc < 0 && errno != EINTR)
		rt_die(1, "poll: %s", strerror(errno));
	rt_check_signals();
	return rc < 0 ? 0 : rc;
}
