/*
 * Unit tests of stage: records through the queue to a non-blocking pipe
 * on stdout; a full queue under each --on-full policy, with the counts
 * and the first drop report; --rate holding records back; a full pipe
 * stopping the pump; and records that waited for room fed in by pump.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"
#include "stage.h"
#include "tap.h"

static struct stage st;
static int rfd;			/* the reading end of "stdout" */
static const char *waiting;	/* a record feed still has to push */

static size_t rec_size(const void *p, size_t n)
{
	(void)p;
	return n + 1;
}

static void rec_emit(const void *p, size_t n)
{
	out_write(&rt.out, p, n);
	out_putc(&rt.out, '\n');
}

static int push(const char *s)
{
	char *p = stage_push(&st, strlen(s), 0);

	if (p != NULL)
		memcpy(p, s, strlen(s));
	return p != NULL;
}

/* What the pipe holds now. */
static const char *drained(void)
{
	static char b[16384];
	ssize_t n = read(rfd, b, sizeof b - 1);

	b[n > 0 ? n : 0] = '\0';
	return b;
}

static void reset(int on_full, double rate)
{
	queue_free(&st.q);
	if (queue_init(&st.q, 4096) < 0)
		exit(1);
	bucket_init(&st.bucket, rate, 0);
	st.on_full = on_full;
	st.queued = 0;
	rt.dropped = 0;
}

/* Pushes numbered records until the queue takes no more; how many. */
static int fill(void)
{
	char rec[64];
	int i;

	for (i = 0; i < 1000; i++) {
		snprintf(rec, sizeof rec, "%04d", i);
		if (!push(rec))
			break;
	}
	return i;
}

static int feed(void)
{
	if (waiting == NULL || !push(waiting))
		return 0;
	waiting = NULL;
	return 1;
}

static void through(void)
{
	reset(RT_BLOCK, 0);
	ok(push("a") && push("bc") && st.queued == 2, "two records queued");
	stage_release(&st, 0);
	ok(st.queued == 0 && st.q.n == 0, "released");
	stage_flush(&st);
	ok(!st.blocked && strcmp(drained(), "a\nbc\n") == 0,
	   "on stdout in order");
	ok(stage_due(&st, 0) == INT64_MAX, "nothing waits for the bucket");
}

static void full(const char *report)
{
	const char *out;
	int k;

	reset(RT_BLOCK, 0);
	k = fill();
	ok(k > 0 && st.queued == (unsigned long long)k && rt.dropped == 0,
	   "block: a full queue refuses the record (%d taken)", k);

	reset(RT_DROP_NEWEST, 0);
	k = fill();
	ok(!push("new") && rt.dropped == 2 && st.queued == (unsigned)k,
	   "drop-newest: the new records dropped, counted");

	reset(RT_DROP_OLDEST, 0);
	k = fill();
	ok(push("new") && rt.dropped >= 1 && st.queued == k + 1 - rt.dropped,
	   "drop-oldest: the oldest make room, counted (%llu)", rt.dropped);
	stage_release(&st, 0);
	stage_flush(&st);
	out = drained();
	ok(atoi(out) == (int)rt.dropped && strstr(out, "\nnew\n") != NULL,
	   "what is left goes out, from the first not dropped");
	ok(strcmp(report, "test-stage: buffer full: dropping the newest "
	          "records\n") == 0, "the first drop is reported: '%.*s'",
	   (int)strcspn(report, "\n"), report);
}

static void rate(void)
{
	reset(RT_BLOCK, 1);
	push("a");
	push("b");
	stage_release(&st, 0);
	stage_flush(&st);
	ok(strcmp(drained(), "a\n") == 0 && st.queued == 1,
	   "--rate 1: one record at once");
	ok(stage_due(&st, 0) > 0 && stage_due(&st, 0) <= 1001,
	   "the next is due within a second");
	stage_release(&st, 1001);
	stage_flush(&st);
	ok(strcmp(drained(), "b\n") == 0, "and goes then");
}

static void blocked(void)
{
	static char big[1 << 16];
	int i;

	reset(RT_BLOCK, 0);
	memset(big, 'x', sizeof big - 1);
	for (i = 0; i < 64 && !st.blocked; i++) {
		out_write(&rt.out, big, sizeof big - 1);
		stage_flush(&st);
	}
	ok(st.blocked && rt.out.len > 0, "a full pipe blocks stdout");
	push("a");
	waiting = "b";
	stage_pump(&st, 0, feed);
	ok(st.blocked && st.q.n >= 1, "pump stops at a blocked stdout");
	while (read(rfd, big, sizeof big) > 0)
		continue;
	stage_pump(&st, 0, feed);
	ok(!st.blocked && waiting == NULL && st.q.n == 0,
	   "then moves everything, fed records too");
	while (read(rfd, big, sizeof big) > 0)
		continue;
}

int main(void)
{
	char report[512] = "";
	int p[2], err[2], saved = dup(STDERR_FILENO);
	ssize_t n;

	rt_init("test-stage");
	if (pipe(p) < 0 || pipe(err) < 0)
		return 1;
	rfd = p[0];
	fcntl(rfd, F_SETFL, O_NONBLOCK);
	out_free(&rt.out);
	out_init(&rt.out, p[1]);
	out_nonblocking(p[1]);
	st.what = "records";
	st.size = rec_size;
	st.emit = rec_emit;
	through();
	/* The drop reports are read from stderr. */
	dup2(err[1], STDERR_FILENO);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	reset(RT_DROP_NEWEST, 0);
	fill();
	push("new");
	n = read(err[0], report, sizeof report - 1);
	report[n > 0 ? n : 0] = '\0';
	dup2(saved, STDERR_FILENO);
	full(report);
	rate();
	blocked();
	queue_free(&st.q);
	out_free(&rt.out);
	return tap_done();
}
