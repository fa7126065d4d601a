#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "line.h"

#define READ_CHUNK (128 * 1024)

int line_open(struct line_reader *r, char *const *paths, int npaths,
              size_t max_line)
{
	memset(r, 0, sizeof *r);
	r->paths = paths;
	r->npaths = npaths;
	r->fd = -1;
	r->max_line = max_line;
	r->cap = READ_CHUNK * 2;
	r->buf = malloc(r->cap);
	if (r->buf == NULL) {
		snprintf(r->err, sizeof r->err, "out of memory");
		return -1;
	}
	return 0;
}

void line_close(struct line_reader *r)
{
	if (r->fd > 0)
		close(r->fd);
	r->fd = -1;
	free(r->buf);
	r->buf = NULL;
}

/* Opens the next operand.  Returns 1, 0 when none is left, -1 on error. */
static int open_next(struct line_reader *r)
{
	const char *path;

	if (r->next >= (r->npaths > 0 ? r->npaths : 1))
		return 0;
	path = r->npaths > 0 ? r->paths[r->next] : "-";
	r->next++;
	r->lineno = 0;
	r->eof = 0;
	r->skipping = 0;
	r->start = r->end = r->scan = 0;
	if (strcmp(path, "-") == 0) {
		r->fd = 0;
		r->name = "<stdin>";
		return 1;
	}
	r->name = path;
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		snprintf(r->err, sizeof r->err, "cannot open '%s': %s", path,
		         strerror(errno));
		return -1;
	}
	return 1;
}

static void end_input(struct line_reader *r)
{
	if (r->fd > 0)
		close(r->fd);
	r->fd = -1;
}

/* Hands a piece of an overlong line to the hook. */
static void spill(struct line_reader *r, const char *p, size_t n, int last)
{
	if (r->on_long != NULL)
		r->on_long(r->arg, p, n, last);
}

/* Makes room for a read.  Returns 0, or -1 when out of memory. */
static int make_room(struct line_reader *r)
{
	size_t pending = r->end - r->start;
	char *p;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, pending);
		r->start = 0;
		r->end = pending;
	}
	if (r->cap - r->end >= READ_CHUNK)
		return 0;
	p = realloc(r->buf, r->cap * 2);
	if (p == NULL) {
		snprintf(r->err, sizeof r->err, "out of memory");
		return -1;
	}
	r->buf = p;
	r->cap *= 2;
	return 0;
}

/*
 * Waits until the input has data, flushing the caller's output first if it
 * would block.  Returns LINE_OK, LINE_TIMEOUT or LINE_INTR.
 */
static int wait_input(struct line_reader *r, int timeout_ms)
{
	struct pollfd p = { .fd = r->fd, .events = POLLIN };
	int n;

	if (poll(&p, 1, 0) > 0)
		return LINE_OK;
	if (r->before_block != NULL)
		r->before_block(r->arg);
	n = poll(&p, 1, timeout_ms);
	if (n == 0)
		return LINE_TIMEOUT;
	if (n < 0)
		return errno == EINTR ? LINE_INTR : LINE_OK;
	return LINE_OK;
}

/* Takes the line buf[start..start+len) and consumes it and its end. */
static int take(struct line_reader *r, struct line *l, size_t len, size_t used)
{
	const char *p = r->buf + r->start;

	r->start += used;
	r->scan = 0;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	l->ptr = p;
	l->len = len;
	l->lineno = ++r->lineno;
	if (len > r->max_line) {
		spill(r, p, used, 1);
		l->len = r->max_line;
		return LINE_LONG;
	}
	return LINE_OK;
}

int line_next(struct line_reader *r, struct line *l, int timeout_ms)
{
	for (;;) {
		char *nl;
		size_t pending;
		ssize_t n;
		int rc;

		if (r->fd < 0) {
			rc = open_next(r);
			if (rc == 0)
				return LINE_EOF;
			if (rc < 0)
				return LINE_ERROR;
		}
		pending = r->end - r->start;
		nl = memchr(r->buf + r->start + r->scan, '\n', pending - r->scan);
		if (nl != NULL) {
			size_t len = (size_t)(nl - (r->buf + r->start));

			if (r->skipping) {
				spill(r, r->buf + r->start, len + 1, 1);
				r->skipping = 0;
				r->start += len + 1;
				r->scan = 0;
				continue;
			}
			return take(r, l, len, len + 1);
		}
		r->scan = pending;
		if (r->skipping && pending > 0) {
			spill(r, r->buf + r->start, pending, 0);
			r->start = r->end = r->scan = 0;
		} else if (!r->skipping && pending > r->max_line + 1) {
			/* Over the limit even if a "\r" ends it: report it
			 * now and skip the rest as it arrives. */
			l->ptr = r->buf + r->start;
			l->len = r->max_line;
			l->lineno = ++r->lineno;
			r->skipping = 1;
			spill(r, r->buf + r->start, pending, 0);
			r->start = r->end = r->scan = 0;
			return LINE_LONG;
		}
		if (r->eof) {
			if (r->skipping) {
				spill(r, "", 0, 1);
				r->skipping = 0;
			} else if (pending > 0) {
				return take(r, l, pending, pending);
			}
			end_input(r);
			continue;
		}
		if (make_room(r) < 0) {
			end_input(r);
			return LINE_ERROR;
		}
		rc = wait_input(r, timeout_ms);
		if (rc != LINE_OK)
			return rc;
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n > 0) {
			r->end += (size_t)n;
		} else if (n == 0) {
			r->eof = 1;
		} else if (errno == EINTR) {
			return LINE_INTR;
		} else if (errno != EAGAIN) {
			snprintf(r->err, sizeof r->err, "read error on '%s': %s",
			         r->name, strerror(errno));
			end_input(r);
			return LINE_ERROR;
		}
	}
}
