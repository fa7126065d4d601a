/*
 * line: a bounded reader of newline-delimited input.
 *
 * Calling sequence:
 *	line_open(&r, paths, npaths, max_line);   npaths 0 means stdin
 *	while ((rc = line_next(&r, &l, timeout_ms)) != LINE_EOF) { ... }
 *	line_close(&r);
 *
 * The reader walks the operands in order ("-" is stdin) and yields each
 * line without its "\n" (and without a "\r" before it).  A final line
 * without "\n" is a line.  A line longer than max_line bytes is not
 * returned as data: line_next returns LINE_LONG once for it (l.ptr holds
 * its first max_line bytes) and skips the rest of it.  If r.on_long is set,
 * the whole overlong line is handed to it in pieces as it is skipped, the
 * last piece with last = 1, so that it can be kept without being held in
 * memory.
 * l.ptr stays valid until the next call.  r.name and l.lineno give the input
 * position for diagnostics ("<stdin>" for standard input).
 *
 * Blocking: when no complete line is buffered and the input has nothing
 * ready, the reader calls r.before_block (if set) once, so that the tool can
 * flush its output before it waits, and then waits at most timeout_ms
 * (-1: forever).  It returns LINE_TIMEOUT when that expires, and LINE_INTR
 * when a signal interrupted the wait; the caller decides what to do and
 * calls line_next again.
 *
 * An operand that cannot be opened or read gives LINE_ERROR with r.err
 * filled; the reader then moves on to the next operand.
 * The reader never prints and never exits.
 */
#ifndef LINE_H
#define LINE_H

#include <stddef.h>

enum { LINE_OK, LINE_EOF, LINE_LONG, LINE_TIMEOUT, LINE_INTR, LINE_ERROR };

struct line {
	const char *ptr;
	size_t len;
	unsigned long long lineno;
};

struct line_reader {
	char *const *paths;      /* operands; NULL/0 = stdin */
	int npaths, next;        /* next operand to open */
	int fd;                  /* current input, -1 between inputs */
	const char *name;        /* current input's name for diagnostics */
	char *buf;
	size_t cap, start, end;  /* unconsumed bytes are buf[start..end) */
	size_t scan;             /* bytes from start already searched for '\n' */
	size_t max_line;
	unsigned long long lineno;
	int skipping;            /* inside an overlong line */
	int eof;                 /* current input reached EOF */
	void (*before_block)(void *arg);
	void (*on_long)(void *arg, const char *p, size_t n, int last);
	void *arg;
	char err[256];
};

int line_open(struct line_reader *r, char *const *paths, int npaths,
              size_t max_line);
int line_next(struct line_reader *r, struct line *l, int timeout_ms);
void line_close(struct line_reader *r);

#endif
