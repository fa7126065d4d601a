#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opt.h"
#include "rt.h"
#include "tm.h"

#define DROP_REPORT_MS	10000	/* drops are reported this often */

const char *const rt_on_full_name[] = { "block", "drop-oldest", "drop-newest" };

struct rt rt;
volatile sig_atomic_t rt_stop, rt_usr1;

static struct buf repaired;		/* rt_string's repair buffer */
static struct rt_limit bad_limit;	/* bad input reports */
static int dead_open_line;		/* a long line is being spilled */

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		rt_usr1 = 1;
	else
		rt_stop = 1;
}

void rt_init(const char *prog)
{
	struct sigaction sa;

	rt.prog = prog;
	rt.max_line = RT_DEFAULT_MAX_LINE;
	rt.dead.fd = -1;
	if (out_init(&rt.out, STDOUT_FILENO) < 0)
		rt_die(1, "out of memory");
	/* No SA_RESTART: a signal must interrupt a blocking read or poll. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void rt_vwarn(const char *fmt, va_list ap)
{
	char msg[1024];
	int n;

	n = snprintf(msg, sizeof msg, "%s: ", rt.prog);
	vsnprintf(msg + n, sizeof msg - (size_t)n - 1, fmt, ap);
	n = (int)strlen(msg);
	msg[n++] = '\n';
	/* One write, so lines from a pipeline's tools do not interleave. */
	if (write(STDERR_FILENO, msg, (size_t)n) < 0)
		return;
}

void rt_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_vwarn(fmt, ap);
	va_end(ap);
}

void rt_warn_limited(struct rt_limit *l, const char *what, const char *fmt,
                     ...)
{
	char msg[1024];
	int64_t now = tm_mono();
	va_list ap;

	if (++l->n > RT_LIMIT_FREE && now - l->last < 1000) {
		l->hidden++;
		return;
	}
	l->last = now;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (l->hidden > 0) {
		rt_warn("%s (and %llu more%s%s not shown)", msg, l->hidden,
		        what != NULL ? " " : "", what != NULL ? what : "");
		l->hidden = 0;
	} else {
		rt_warn("%s", msg);
	}
}

_Noreturn void rt_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_vwarn(fmt, ap);
	va_end(ap);
	/* Records already made are still worth delivering. */
	if (rt.out.buf != NULL && rt.out.err == 0)
		out_flush(&rt.out);
	if (rt.dead.fd >= 0)
		out_flush(&rt.dead);
	exit(status);
}

void rt_oom(void)
{
	rt_die(1, "out of memory");
}

void *rt_xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL)
		rt_oom();
	return p;
}

char *rt_xstrndup(const char *s, size_t n)
{
	char *p = rt_xrealloc(NULL, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void *rt_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p == NULL)
		rt_oom();
	return p;
}

_Noreturn void rt_die_opt(const char *opt, const char *why)
{
	rt_die(2, "%s: %s", opt, why);
}

long long rt_opt_int(const char *opt, const char *arg, long long min, long long max)
{
	char err[128];
	long long v;

	if (opt_int(arg, min, max, &v, err, sizeof err) < 0)
		rt_die_opt(opt, err);
	return v;
}

double rt_opt_double(const char *opt, const char *arg, double min, double max)
{
	char err[128];
	double v;

	if (opt_double(arg, min, max, &v, err, sizeof err) < 0)
		rt_die_opt(opt, err);
	return v;
}

int64_t rt_opt_dur(const char *opt, const char *arg, int64_t min_ms, int64_t max_ms)
{
	char err[128];
	int64_t v;

	if (opt_dur(arg, min_ms, max_ms, &v, err, sizeof err) < 0)
		rt_die_opt(opt, err);
	return v;
}

long long rt_opt_size(const char *opt, const char *arg, long long min, long long max)
{
	char err[128];
	long long v;

	if (opt_size(arg, min, max, &v, err, sizeof err) < 0)
		rt_die_opt(opt, err);
	return v;
}

int64_t rt_opt_time(const char *opt, const char *arg)
{
	char err[160];
	int64_t v;

	if (opt_time(arg, &v, err, sizeof err) < 0)
		rt_die_opt(opt, err);
	return v;
}

enum tm_mode rt_opt_time_format(const char *opt, const char *arg)
{
	if (strcmp(arg, "auto") == 0)
		return TM_AUTO;
	if (strcmp(arg, "s") == 0)
		return TM_SECONDS;
	if (strcmp(arg, "ms") == 0)
		return TM_MILLIS;
	if (strcmp(arg, "rfc3339") == 0)
		return TM_RFC3339;
	rt_die(2, "%s: expected auto, s, ms or rfc3339: '%s'", opt, arg);
}

int rt_opt_on_full(const char *opt, const char *arg)
{
	int i;

	for (i = RT_BLOCK; i <= RT_DROP_NEWEST; i++)
		if (strcmp(arg, rt_on_full_name[i]) == 0)
			return i;
	rt_die(2, "%s: expected block, drop-oldest or drop-newest: '%s'",
	       opt, arg);
}

void rt_report_drops(int policy, const char *what, int64_t now)
{
	static unsigned long long reported;
	static int64_t reported_at;

	if (rt.dropped == reported ||
	    (reported > 0 && now - reported_at < DROP_REPORT_MS))
		return;
	if (reported == 0)
		rt_warn("buffer full: dropping the %s %s",
		        policy == RT_DROP_OLDEST ? "oldest" : "newest", what);
	else
		rt_warn("buffer full: %llu %s dropped so far", rt.dropped, what);
	reported = rt.dropped;
	reported_at = now;
}

int rt_option(int c, const char *arg)
{
	switch (c) {
	case 'V':
		printf("%s (rtpipe) %s\n", rt.prog, RTPIPE_VERSION);
		exit(fflush(stdout) == 0 ? 0 : 1);
	case 'u':
	case RT_OPT_UNBUFFERED:
		rt.out.unbuffered = 1;
		return 1;
	case RT_OPT_STATS:
		rt.stats_at_exit = 1;
		return 1;
	case RT_OPT_STRICT:
		rt.strict = 1;
		return 1;
	case RT_OPT_DEAD_LETTER:
		rt.dead_path = arg;
		return 1;
	case RT_OPT_MAX_LINE:
		rt.max_line = (size_t)rt_opt_size("--max-line", arg, 1,
		                                  1024LL * 1024 * 1024);
		return 1;
	default:
		return 0;
	}
}

void rt_stat(const char *name, const unsigned long long *v)
{
	if (rt.nextra < RT_MAX_EXTRA) {
		rt.extra[rt.nextra].name = name;
		rt.extra[rt.nextra].v = v;
		rt.nextra++;
	}
}

void rt_print_stats(void)
{
	char line[2048];
	size_t n;
	int i;

	n = (size_t)snprintf(line, sizeof line,
	    "{\"tool\":\"%s\",\"records_in\":%llu,\"records_out\":%llu,"
	    "\"bad_input\":%llu,\"dropped\":%llu,\"utf8_repaired\":%llu",
	    rt.prog, rt.records_in, rt.records_out, rt.bad_input, rt.dropped,
	    rt.out.repaired);
	for (i = 0; i < rt.nextra && n < sizeof line - 100; i++)
		n += (size_t)snprintf(line + n, sizeof line - n, ",\"%s\":%llu",
		                      rt.extra[i].name, *rt.extra[i].v);
	n += (size_t)snprintf(line + n, sizeof line - n, "}\n");
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

void rt_check_signals(void)
{
	if (rt_usr1) {
		rt_usr1 = 0;
		rt_print_stats();
	}
}

/* A write to stdout failed: a reader that went away ends a filter quietly. */
static _Noreturn void output_failed(void)
{
	if (rt.out.err == EPIPE) {
		if (rt.dead.fd >= 0)
			out_flush(&rt.dead);
		if (rt.stats_at_exit)
			rt_print_stats();
		exit(0);
	}
	out_free(&rt.out);	/* nothing more to flush in rt_die */
	rt_die(1, "write error: %s", strerror(rt.out.err));
}

void rt_flush(void)
{
	if (out_flush(&rt.out) < 0)
		output_failed();
}

void rt_emit_end(void)
{
	rt.records_out++;
	if (out_end(&rt.out) < 0)
		output_failed();
}

void rt_dead_flush(void)
{
	if (rt.dead.fd >= 0 && rt.dead.len > 0 && out_flush(&rt.dead) < 0)
		rt_die(1, "cannot write '%s': %s", rt.dead_path,
		       strerror(rt.dead.err));
}

static void before_block(void *arg)
{
	(void)arg;
	rt_flush();
	rt_dead_flush();
}

/* Keeps an overlong line in the dead-letter file as it streams past. */
static void on_long(void *arg, const char *p, size_t n, int last)
{
	(void)arg;
	if (rt.dead.fd < 0)
		return;
	out_write(&rt.dead, p, n);
	if (n > 0)
		dead_open_line = p[n - 1] != '\n';
	if (last && dead_open_line)
		out_putc(&rt.dead, '\n');
	if (last)
		dead_open_line = 0;
	if (rt.dead.len >= OUT_FLUSH_AT)
		rt_dead_flush();
}

void rt_open_dead_letter(void)
{
	int fd;

	if (rt.dead_path == NULL || rt.dead.fd >= 0)
		return;
	fd = open(rt.dead_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd < 0)
		rt_die(1, "cannot open '%s': %s", rt.dead_path, strerror(errno));
	if (out_init(&rt.dead, fd) < 0)
		rt_oom();
}

void rt_dead_letter(const char *line, size_t len)
{
	if (rt.dead.fd < 0)
		return;
	out_write(&rt.dead, line, len);
	out_putc(&rt.dead, '\n');
	if (rt.dead.len >= OUT_FLUSH_AT)
		rt_dead_flush();
}

void rt_open_input(int argc, char **argv)
{
	rt_open_dead_letter();
	if (argc == 1 && strcmp(argv[0], "-") == 0)
		argc = 0;
	if (line_open(&rt.in, argv, argc, rt.max_line) < 0)
		rt_die(1, "%s", rt.in.err);
	rt.in.before_block = before_block;
	rt.in.on_long = on_long;
}

/* Counts and reports bad input at position where; keep says whether to
 * dead-letter it here. */
static void bad(const char *where, const char *line, size_t len, int keep,
                const char *fmt, va_list ap)
{
	char why[512];

	rt.bad_input++;
	vsnprintf(why, sizeof why, fmt, ap);
	if (keep)
		rt_dead_letter(line, len);
	if (rt.strict)
		rt_die(1, "%s: %s", where, why);
	rt_warn_limited(&bad_limit, "bad input lines", "%s: %s", where, why);
}

static const char *position(unsigned long long lineno, char *buf, size_t n)
{
	snprintf(buf, n, "%s:%llu", rt.in.name, lineno);
	return buf;
}

void rt_bad(const char *line, size_t len, unsigned long long lineno,
            const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_vbad(line, len, lineno, fmt, ap);
	va_end(ap);
}

void rt_bad_at(const char *where, const char *line, size_t len,
               const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_vbad_at(where, line, len, fmt, ap);
	va_end(ap);
}

void rt_vbad(const char *line, size_t len, unsigned long long lineno,
             const char *fmt, va_list ap)
{
	char where[512];

	bad(position(lineno, where, sizeof where), line, len, 1, fmt, ap);
}

void rt_vbad_at(const char *where, const char *line, size_t len,
                const char *fmt, va_list ap)
{
	bad(where, line, len, 1, fmt, ap);
}

static void bad_long(unsigned long long lineno, const char *fmt, ...)
{
	char where[512];
	va_list ap;

	va_start(ap, fmt);
	bad(position(lineno, where, sizeof where), NULL, 0, 0, fmt, ap);
	va_end(ap);
}

/* The next non-empty line, with bad and unreadable input dealt with. */
static int next_line(struct line *l, int timeout_ms)
{
	for (;;) {
		int rc;

		if (rt_stop)
			return LINE_EOF;
		rc = line_next(&rt.in, l, timeout_ms);
		switch (rc) {
		case LINE_OK:
			if (l->len == 0)
				continue;
			rt.records_in++;
			return LINE_OK;
		case LINE_LONG:
			rt.records_in++;
			bad_long(l->lineno, "line too long (over %zu bytes)",
			         rt.max_line);
			continue;
		case LINE_INTR:
			rt_check_signals();
			continue;
		case LINE_ERROR:
			rt_warn("%s", rt.in.err);
			rt.status = 1;
			continue;
		default:
			return rc;
		}
	}
}

int rt_next_line(struct line *l, int timeout_ms)
{
	return next_line(l, timeout_ms);
}

static int first_byte(const struct line *l)
{
	size_t i = 0;

	while (i < l->len && (l->ptr[i] == ' ' || l->ptr[i] == '\t'))
		i++;
	return i < l->len ? l->ptr[i] : -1;
}

int rt_next(struct rt_record *rec, int timeout_ms)
{
	char err[160];
	int rc;

	while ((rc = next_line(&rec->line, timeout_ms)) == LINE_OK) {
		if (json_scan(rec->line.ptr, rec->line.len, &rec->obj, err,
		              sizeof err) == 0)
			return LINE_OK;
		if (first_byte(&rec->line) != '{')
			rt_bad(rec->line.ptr, rec->line.len, rec->line.lineno,
			       "not a JSON object");
		else
			rt_bad(rec->line.ptr, rec->line.len, rec->line.lineno,
			       "invalid JSON: %s", err);
	}
	return rc;
}

int rt_string(const struct json_member *m, struct buf *scratch,
              const char **p, size_t *len)
{
	int n;

	if (m->type != JSON_STRING)
		return -1;
	*p = m->val + 1;
	*len = m->vlen - 2;
	/* The scan saw every byte: plain ASCII is ready as it is. */
	if (!(m->vflags & (JSON_ESC | JSON_8BIT)))
		return 0;
	if (m->vflags & JSON_ESC) {
		scratch->len = 0;
		if (json_unescape(m->val, m->vlen, scratch) < 0)
			rt_die(1, "out of memory");
		*p = scratch->p;
		*len = scratch->len;
	}
	if (utf8_valid_prefix(*p, *len) == *len)
		return 0;
	repaired.len = 0;
	if ((n = utf8_repair(*p, *len, &repaired)) < 0)
		rt_die(1, "out of memory");
	rt.out.repaired += (unsigned)n;
	scratch->len = 0;
	if (buf_add(scratch, repaired.p, repaired.len) < 0)
		rt_die(1, "out of memory");
	*p = scratch->p;
	*len = scratch->len;
	return 0;
}

int rt_event_time(const struct json_obj *o, const char *field,
                  enum tm_mode mode, struct buf *scratch, int64_t *t)
{
	struct json_member m;
	const char *p;
	size_t len;
	double v;

	if (!json_get(o, field, &m))
		return -1;
	if (m.type == JSON_NUMBER)
		return mode == TM_RFC3339 || json_number(m.val, m.vlen, &v) < 0 ?
		       -1 : tm_from_number(v, mode, t);
	if (mode != TM_AUTO && mode != TM_RFC3339)
		return -1;
	if (rt_string(&m, scratch, &p, &len) < 0)
		return -1;
	return tm_parse_rfc3339(p, len, t);
}

int rt_finish(int status)
{
	rt_flush();
	rt_dead_flush();
	if (rt.dead.fd >= 0 && close(rt.dead.fd) < 0)
		rt_die(1, "cannot write '%s': %s", rt.dead_path, strerror(errno));
	rt.dead.fd = -1;
	out_free(&rt.dead);
	if (bad_limit.hidden > 0)
		rt_warn("%llu bad input lines in all (%llu not shown)",
		        rt.bad_input, bad_limit.hidden);
	if (rt.stats_at_exit)
		rt_print_stats();
	if (rt.in.buf != NULL)
		line_close(&rt.in);
	out_free(&rt.out);
	buf_free(&repaired);
	if (rt.status > status)
		status = rt.status;
	return status;
}
