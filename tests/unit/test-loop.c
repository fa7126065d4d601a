/*
 * Unit tests of loop: the poll timeout made from a due time, a signal
 * raised while the loop works held back until the wait and then ending
 * it, a ready fd ending it, and the mask put back by loop_end.
 */
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "tap.h"
#include "tm.h"

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	(void)sig;
	got = 1;
}

static void timeouts(void)
{
	ok(loop_timeout(INT64_MAX, 5) == -1, "no due time: no limit");
	ok(loop_timeout(5, 5) == 0, "due now: 0");
	ok(loop_timeout(4, 5) == 0, "past due: 0");
	ok(loop_timeout(1505, 5) == 1500, "1500 ms ahead");
	ok(loop_timeout(INT64_MAX - 1, 0) == INT32_MAX, "far ahead: capped");
}

static int blocked(int sig)
{
	sigset_t cur;

	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, sig);
}

static void signals(void)
{
	struct sigaction sa;
	struct pollfd pfd;
	sigset_t usr1;
	struct loop l;
	int fd[2], rc;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	if (pipe(fd) < 0)
		return;
	pfd.fd = fd[0];
	pfd.events = POLLIN;

	loop_begin(&l);
	ok(blocked(SIGINT) && blocked(SIGTERM) && blocked(SIGUSR1),
	   "loop_begin blocks SIGINT, SIGTERM and SIGUSR1");
	rc = loop_wait(&l, &pfd, 1, tm_mono(), tm_mono());
	ok(rc == 0, "nothing ready, due now: 0 (%d)", rc);
	raise(SIGUSR1);
	ok(!got, "a signal while the loop works waits");
	rc = loop_wait(&l, &pfd, 1, INT64_MAX, tm_mono());
	ok(rc == 0 && got, "and ends the next wait (%d)", rc);
	if (write(fd[1], "x", 1) != 1)
		ok(0, "write to the pipe");
	rc = loop_wait(&l, &pfd, 1, INT64_MAX, tm_mono());
	ok(rc == 1 && (pfd.revents & POLLIN), "a ready fd ends the wait");
	loop_end(&l);
	ok(!blocked(SIGUSR1), "loop_end puts the mask back");
	close(fd[0]);
	close(fd[1]);
}

int main(void)
{
	timeouts();
	signals();
	return tap_done();
}
