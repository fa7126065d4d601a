/*
 * Unit tests of out for non-blocking output: out_nonblocking on a pipe, a
 * socket, a file and /dev/null, out_restore_flags, and out_room on a
 * buffer that holds data or is empty.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "out.h"
#include "tap.h"

static int nonblocking(int fd)
{
	return (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0;
}

static void flags(void)
{
	char path[] = "/tmp/test-out-nb.XXXXXX";
	int fd[2], sv[2], f, nul, fl;

	if (pipe(fd) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return;
	fl = out_nonblocking(fd[1]);
	ok(fl >= 0 && !(fl & O_NONBLOCK), "a pipe: its flags before (%d)", fl);
	ok(nonblocking(fd[1]), "a pipe is made non-blocking");
	ok(out_nonblocking(fd[1]) == -1, "one already non-blocking is left");
	out_restore_flags(fd[1], fl);
	ok(!nonblocking(fd[1]), "out_restore_flags makes it blocking again");
	out_restore_flags(fd[1], -1);
	ok(!nonblocking(fd[1]), "-1 restores nothing");
	fl = out_nonblocking(sv[0]);
	ok(fl >= 0 && nonblocking(sv[0]), "a socket is made non-blocking");
	if ((f = mkstemp(path)) >= 0) {
		ok(out_nonblocking(f) == -1 && !nonblocking(f),
		   "a file is left alone");
		close(f);
		unlink(path);
	}
	if ((nul = open("/dev/null", O_WRONLY)) >= 0) {
		ok(out_nonblocking(nul) == -1 && !nonblocking(nul),
		   "/dev/null is left alone");
		close(nul);
	}
	close(fd[0]);
	close(fd[1]);
	close(sv[0]);
	close(sv[1]);
}

static void room(void)
{
	struct out o;
	size_t cap;

	if (out_init(&o, -1) < 0)
		return;
	cap = o.cap;
	ok(out_room(&o, cap) == 1, "an empty buffer has room for its size");
	out_putc(&o, 'x');
	ok(out_room(&o, cap - 1) == 1, "room for what is left");
	ok(out_room(&o, cap) == 0, "not for more: what it holds goes first");
	ok(o.len == 1 && o.cap == cap, "and it is neither flushed nor grown");
	o.len = 0;
	ok(out_room(&o, 3 * cap) == 1 && o.cap >= 3 * cap && !o.err,
	   "an empty buffer grows for a larger record");
	out_free(&o);
}

int main(void)
{
	flags();
	room();
	return tap_done();
}
