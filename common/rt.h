/*
 * rt: what every tool does alike, per the conventions in rtpipe(7).
 *
 * This is the tool layer, not library code: it owns stdout, the
 * dead-letter file, the standard counters and signals, and it prints
 * diagnostics in the one style "tool: what failed: why".  Functions that
 * may end the process say so.
 *
 *	rt_init("tokenize");
 *	getopt_long(..., longopts with RT_LONGOPTS ...):
 *		default: if (!rt_option(c, optarg)) usage(2);
 *	rt_open_input(argc - optind, argv + optind);
 *	while ((rc = rt_next(&rec, timeout_ms)) != LINE_EOF)
 *		if (rc == LINE_OK) { ...use rec.obj...; rt_emit_end(); }
 *	return rt_finish(status);
 *
 * Signals: SIGINT and SIGTERM set rt_stop; the reader then reports end of
 * input, so the tool drains as at a normal end.  SIGUSR1 makes the next
 * rt_next print one stats line.  SIGPIPE is ignored: a write to a closed
 * pipe fails with EPIPE, which ends a filter quietly with status 0.
 */
#ifndef RT_H
#define RT_H

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "line.h"
#include "out.h"
#include "tm.h"

#ifndef RTPIPE_VERSION
#define RTPIPE_VERSION "0.1.0"
#endif

#define RT_DEFAULT_MAX_LINE (1024 * 1024)
#define RT_MAX_EXTRA 16

enum {
	RT_OPT_STATS = 0x1000, RT_OPT_DEAD_LETTER, RT_OPT_STRICT,
	RT_OPT_MAX_LINE, RT_OPT_UNBUFFERED
};

/* Long options every tool takes; put them in the tool's option array. */
#define RT_LONGOPTS \
	{"help", no_argument, NULL, 'h'}, \
	{"version", no_argument, NULL, 'V'}, \
	{"unbuffered", no_argument, NULL, RT_OPT_UNBUFFERED}, \
	{"stats", no_argument, NULL, RT_OPT_STATS}, \
	{"dead-letter", required_argument, NULL, RT_OPT_DEAD_LETTER}, \
	{"strict", no_argument, NULL, RT_OPT_STRICT}, \
	{"max-line", required_argument, NULL, RT_OPT_MAX_LINE}

/* The usage text of the common options, for usage() and the man pages. */
#define RT_USAGE "[-uV] [--stats] [--strict] [--dead-letter FILE] [--max-line SIZE]"

struct rt_record {
	struct line line;	/* the raw line and its number */
	struct json_obj obj;	/* its scanned members */
};

struct rt {
	const char *prog;
	struct out out;			/* stdout */
	struct out dead;		/* --dead-letter; fd -1 when unset */
	const char *dead_path;
	int strict, stats_at_exit;
	size_t max_line;
	struct line_reader in;
	int status;			/* exit status so far (1 after I/O errors) */
	unsigned long long records_in, records_out, bad_input, dropped;
	struct { const char *name; const unsigned long long *v; } extra[RT_MAX_EXTRA];
	int nextra;
};

extern struct rt rt;
extern volatile sig_atomic_t rt_stop, rt_usr1;

/* Sets the program name, signal handlers and the stdout writer. */
void rt_init(const char *prog);
/* Handles a common option (-u, -V, --stats, ...).  Returns 1 if it was one,
 * 0 otherwise.  -V prints the version and exits 0; a bad --max-line exits 2. */
int rt_option(int c, const char *arg);
/* Adds a tool counter to the stats line (name must outlive the process). */
void rt_stat(const char *name, const unsigned long long *v);

/* --on-full: what a network tool's full stage buffer does to a record. */
enum rt_on_full { RT_BLOCK, RT_DROP_OLDEST, RT_DROP_NEWEST };
extern const char *const rt_on_full_name[];	/* "block", ... */

/* Diagnostics on stderr: "prog: message".  rt_die exits with status. */
void rt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rt_vwarn(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* (noreturn twice: cppcheck knows only the attribute.) */
_Noreturn void rt_die(int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
/* Memory exhaustion ends a tool with status 1; the x-wrappers die so. */
void rt_oom(void) __attribute__((noreturn));
void *rt_xrealloc(void *p, size_t n);
void *rt_xcalloc(size_t n, size_t size);
/* The n bytes at s as a string of their own. */
char *rt_xstrndup(const char *s, size_t n);
/* A usage error about one option value: "prog: -s: too large: 9" exit 2. */
_Noreturn void rt_die_opt(const char *opt, const char *why)
	__attribute__((noreturn));

/*
 * Reports that can come in floods (bad input, refused documents): the
 * first RT_LIMIT_FREE of a kind are shown, then at most one a second,
 * which says how many were not shown since the one before: "MESSAGE (and
 * 12 more WHAT not shown)", or "(and 12 more not shown)" without what.
 * Start with a zeroed struct rt_limit; hidden tells what the last report
 * did not catch up with.
 */
#define RT_LIMIT_FREE 10
struct rt_limit {
	unsigned long long n;		/* reports asked for */
	unsigned long long hidden;	/* not shown since the last one */
	int64_t last;			/* when the last one was shown (tm_mono) */
};
void rt_warn_limited(struct rt_limit *l, const char *what, const char *fmt,
                     ...) __attribute__((format(printf, 3, 4)));

/* Option parsing that dies with status 2 and a message naming the option. */
long long rt_opt_int(const char *opt, const char *arg, long long min, long long max);
double rt_opt_double(const char *opt, const char *arg, double min, double max);
int64_t rt_opt_dur(const char *opt, const char *arg, int64_t min_ms, int64_t max_ms);
long long rt_opt_size(const char *opt, const char *arg, long long min, long long max);
int64_t rt_opt_time(const char *opt, const char *arg);
/* --time-format: auto, s, ms or rfc3339. */
enum tm_mode rt_opt_time_format(const char *opt, const char *arg);
/* --on-full: block, drop-oldest or drop-newest (enum rt_on_full). */
int rt_opt_on_full(const char *opt, const char *arg);

/*
 * Reports records dropped by --on-full (counted in rt.dropped): the first
 * drop at once, then a running count at most every ten seconds.  what
 * names them ("lines"); now is tm_mono().
 */
void rt_report_drops(int policy, const char *what, int64_t now);

/* Opens the operands (none or "-": stdin) and the dead-letter file. */
void rt_open_input(int argc, char **argv);
/*
 * Next record: a line that is a JSON object, scanned into rec.  Bad lines
 * (invalid JSON, not an object, too long) go through rt_bad and are not
 * returned.  Empty lines are skipped.  Returns LINE_OK, LINE_TIMEOUT (when
 * timeout_ms passed without a line; -1 waits forever) or LINE_EOF (end of
 * all input, or a stop signal).  records_in counts every non-empty line
 * read, bad ones included; bad_input counts those set aside.
 */
int rt_next(struct rt_record *rec, int timeout_ms);
/* Same, without the JSON scan: for tools that read raw lines. */
int rt_next_line(struct line *l, int timeout_ms);

/*
 * The text of a string member, ready for code that needs valid UTF-8:
 * escapes decoded and invalid UTF-8 repaired (counted in utf8_repaired),
 * in scratch when the bytes of the line will not do.  Returns 0, or -1
 * when the member is not a string.  It trusts m->vflags, so m must come
 * from json_scan or json_get.
 */
int rt_string(const struct json_member *m, struct buf *scratch,
              const char **p, size_t *len);

/*
 * The event time in a record's field (a dotted path): RFC 3339 text, or an
 * epoch number, as mode allows (tm.h).  Returns 0, or -1 when the field is
 * missing or holds no usable time.
 */
int rt_event_time(const struct json_obj *o, const char *field,
                  enum tm_mode mode, struct buf *scratch, int64_t *t);

/*
 * Bad input: counts it, reports "prog: NAME:LINE: why" (after the first 10
 * reports, at most one line per second and a count of those not shown),
 * appends the line verbatim to the dead-letter file, and with --strict
 * exits 1.
 */
void rt_bad(const char *line, size_t len, unsigned long long lineno,
            const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * The same for input that has no file and line number: where names the
 * position ("orders[3]@1842", "http://host/stream: event 7").
 */
void rt_bad_at(const char *where, const char *line, size_t len,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The two with the reason's arguments in a va_list. */
void rt_vbad(const char *line, size_t len, unsigned long long lineno,
             const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
void rt_vbad_at(const char *where, const char *line, size_t len,
                const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/* Opens --dead-letter, if given and not yet open (rt_open_input does it
 * too); a failure ends the tool with status 1.  Tools without rt input
 * call it after parsing options. */
void rt_open_dead_letter(void);
/* Appends a line verbatim to the dead-letter file, if one is open, without
 * counting it: for sinks keeping records they could not deliver. */
void rt_dead_letter(const char *line, size_t len);
/* Flushes the dead-letter file; a write error ends the tool. */
void rt_dead_flush(void);

/* Ends a record on stdout and counts it; a write error ends the tool. */
void rt_emit_end(void);
/* Flushes stdout; a write error ends the tool (EPIPE quietly, status 0). */
void rt_flush(void);
/* Handles a pending SIGUSR1; rt_next calls it too. */
void rt_check_signals(void);
/* Writes the stats line to stderr. */
void rt_print_stats(void);
/* Flushes and closes outputs, prints --stats, and returns the exit status:
 * status, raised to 1 if an output failed or an input could not be read. */
int rt_finish(int status);

#endif
