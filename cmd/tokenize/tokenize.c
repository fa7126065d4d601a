/*
 * tokenize: splits a text field of each record into hashtags, mentions,
 * URLs, cashtags and words, by the twitter-text rules (see tokenize(1)).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "out.h"
#include "rt.h"
#include "tok.h"

#define MAX_KEEP 32
#define NKINDS 5

static const char *field = "text";	/* -f: the field to tokenize */
static int field_given;			/* -f was given: no fallback to line */
static unsigned kinds = TOK_ALL;	/* -k: the kinds of token emitted */
static const char *keep[MAX_KEEP] = { "ts", "id" };	/* --keep */
static size_t keep_len[MAX_KEEP];
static struct buf keep_out;		/* ,"name": of each kept field */
static size_t keep_off[MAX_KEEP + 1];	/* where each one is in keep_out */
static int nkeep = 2;
static int keep_given;			/* --keep was given */
static int into;			/* --into: arrays added to the record */
static int fold;			/* --fold: NFC and case folding */

/* The kinds in output order, with what they are called in records. */
#define KIND(k, member, array) { k, member, sizeof member - 1, array }
static const struct {
	enum tok_kind kind;
	const char *member;	/* ,"kind":"..." of a token record */
	size_t mlen;
	const char *array;	/* ,"...":[ of an --into array */
} kind_out[NKINDS] = {
	KIND(TOK_HASHTAG, ",\"kind\":\"hashtag\"", ",\"hashtags\":["),
	KIND(TOK_MENTION, ",\"kind\":\"mention\"", ",\"mentions\":["),
	KIND(TOK_URL, ",\"kind\":\"url\"", ",\"urls\":["),
	KIND(TOK_CASHTAG, ",\"kind\":\"cashtag\"", ",\"cashtags\":["),
	KIND(TOK_WORD, ",\"kind\":\"word\"", ",\"words\":["),
};

/* A token of the current record for --into: its text is at off in the
 * record's text, or in folded when folding. */
struct span {
	unsigned kind;
	size_t off, len;
};

static unsigned long long ntokens;	/* stats: tokens found */
static struct json_member kept[MAX_KEEP];	/* this record's kept fields */
static int has_kept[MAX_KEEP];
static const struct json_obj *record;	/* this record's members */
static int kept_found;			/* kept[] is filled for this record */
static const char *text;		/* this record's text */
static struct buf scratch;		/* its decoded text, when needed */
static struct buf folded;		/* folded tokens of this record */
static struct buf spans;		/* struct span of this record, --into */

static int kind_index(unsigned k)
{
	int i;

	for (i = 0; i < NKINDS && kind_out[i].kind != k; i++)
		;
	return i;
}

/* The token's text, folded if asked for. */
static void token_text(const struct tok *t, const char **p, size_t *len)
{
	*p = t->p;
	*len = t->len;
	if (!fold)
		return;
	folded.len = 0;
	if (tok_fold(t->p, t->len, &folded) < 0)
		rt_oom();
	*p = folded.p;
	*len = folded.len;
}

/*
 * The ,"name": that goes before each kept field, written once.  A name of
 * bytes that JSON takes as they are (valid UTF-8 without quotes,
 * backslashes or controls) is its own escaped form; any other name is
 * escaped for each token (keep_off[i] == keep_off[i + 1]).
 */
static void prepare_keep(void)
{
	const char *k;
	size_t j;
	int i, plain;

	for (i = 0; i < nkeep; i++) {
		k = keep[i];
		keep_len[i] = strlen(k);
		plain = utf8_valid_prefix(k, keep_len[i]) == keep_len[i];
		for (j = 0; j < keep_len[i] && plain; j++)
			plain = (unsigned char)k[j] >= 0x20 && k[j] != '"' &&
			    k[j] != '\\';
		keep_off[i] = keep_out.len;
		if (plain && (buf_add(&keep_out, ",\"", 2) < 0 ||
		    buf_add(&keep_out, k, keep_len[i]) < 0 ||
		    buf_add(&keep_out, "\":", 2) < 0))
			rt_oom();
	}
	keep_off[nkeep] = keep_out.len;
}

/* The kept fields of this record, looked up at its first token: a record
 * without tokens needs none. */
static void find_kept(void)
{
	int i;

	for (i = 0; i < nkeep; i++)
		has_kept[i] = json_get(record, keep[i], &kept[i]);
	kept_found = 1;
}

/* One record per token: {"token":...,"kind":...,<kept fields>}.  A kept
 * value that is plain ASCII is copied as it is; out_json_raw would leave
 * it so. */
static int emit_token(void *arg, const struct tok *t)
{
	struct out *o = &rt.out;
	const char *p;
	size_t len;
	int i;

	(void)arg;
	ntokens++;
	if (!kept_found)
		find_kept();
	token_text(t, &p, &len);
	out_lit(o, "{\"token\":");
	out_json_str(o, p, len);
	i = kind_index(t->kind);
	out_write(o, kind_out[i].member, kind_out[i].mlen);
	for (i = 0; i < nkeep; i++) {
		if (!has_kept[i])
			continue;
		if (keep_off[i] < keep_off[i + 1]) {
			out_write(o, keep_out.p + keep_off[i],
			    keep_off[i + 1] - keep_off[i]);
		} else {
			out_putc(o, ',');
			out_json_str(o, keep[i], keep_len[i]);
			out_putc(o, ':');
		}
		if (kept[i].vflags == 0)
			out_write(o, kept[i].val, kept[i].vlen);
		else
			out_json_raw(o, kept[i].val, kept[i].vlen);
	}
	out_putc(o, '}');
	rt_emit_end();
	return 0;
}

/* With --into, tokens are collected first and written per kind. */
static int collect_token(void *arg, const struct tok *t)
{
	struct span s;

	(void)arg;
	ntokens++;
	s.kind = t->kind;
	s.off = (size_t)(t->p - text);
	s.len = t->len;
	if (fold) {
		s.off = folded.len;
		if (tok_fold(t->p, t->len, &folded) < 0)
			rt_oom();
		s.len = folded.len - s.off;
	}
	if (buf_add(&spans, &s, sizeof s) < 0)
		rt_oom();
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The record as it came, without its closing brace, then one array per
 * kind asked for. */
static void emit_into(const struct line *l)
{
	struct out *o = &rt.out;
	const struct span *s = (const struct span *)spans.p;
	size_t n = spans.len / sizeof *s, end = l->len, k;
	const char *base = fold ? folded.p : text;
	int i, sep;

	/* The record has the text field, so a comma goes before the
	 * arrays; json_scan found the '}' after any trailing space. */
	while (end > 0 && is_space(l->ptr[end - 1]))
		end--;
	out_json_raw(o, l->ptr, end - 1);
	for (i = 0; i < NKINDS; i++) {
		if (!(kinds & kind_out[i].kind))
			continue;
		out_write(o, kind_out[i].array, strlen(kind_out[i].array));
		for (k = 0, sep = 0; k < n; k++) {
			if (s[k].kind != kind_out[i].kind)
				continue;
			if (sep++)
				out_putc(o, ',');
			out_json_str(o, base + s[k].off, s[k].len);
		}
		out_putc(o, ']');
	}
	out_putc(o, '}');
	rt_emit_end();
}

static void tokenize(struct rt_record *rec)
{
	struct json_member m;
	size_t len;

	/* Without -f, a record with no text field but a line field (what
	 * nc-source and other raw-line sources write) is read by its line. */
	if ((!json_get(&rec->obj, field, &m) &&
	     (field_given || !json_get(&rec->obj, "line", &m))) ||
	    rt_string(&m, &scratch, &text, &len) < 0) {
		rt_bad(rec->line.ptr, rec->line.len, rec->line.lineno,
		       "no string field '%s'", field);
		return;
	}
	if (into) {
		spans.len = folded.len = 0;
		tok_scan(text, len, kinds, collect_token, NULL);
		emit_into(&rec->line);
		return;
	}
	record = &rec->obj;
	kept_found = 0;
	tok_scan(text, len, kinds, emit_token, NULL);
}

/* -k hashtag,url: the kinds named; "all" names every kind. */
static unsigned parse_kinds(const char *arg)
{
	char why[160];
	const char *p = arg, *e;
	unsigned k, all = 0;

	for (;;) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		k = tok_kind_parse(p, (size_t)(e - p));
		if (k == 0 && (size_t)(e - p) == 3 && strncmp(p, "all", 3) == 0)
			k = TOK_ALL;
		if (k == 0) {
			snprintf(why, sizeof why, "unknown kind: '%.*s'",
			         (int)(e - p), p);
			rt_die_opt("-k", why);
		}
		all |= k;
		if (*e == '\0')
			return all;
		p = e + 1;
	}
}

/* --keep ts,id: the fields copied into each token record; "" keeps none.
 * The list is cut in place, in argv. */
static void parse_keep(char *arg)
{
	char *p, *save = NULL;

	keep_given = 1;
	nkeep = 0;
	for (p = strtok_r(arg, ",", &save); p != NULL;
	     p = strtok_r(NULL, ",", &save)) {
		if (nkeep == MAX_KEEP)
			rt_die_opt("--keep", "more than 32 fields");
		keep[nkeep++] = p;
	}
}

static void usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f,
	    "usage: tokenize [-f FIELD] [-k KINDS] [--keep FIELDS | --into]"
	    " [--fold]\n"
	    "                %s\n"
	    "                [file ...]\n", RT_USAGE);
	exit(status);
}

enum { OPT_KEEP = 1, OPT_INTO, OPT_FOLD };

static const struct option longopts[] = {
	RT_LONGOPTS,
	{"field", required_argument, NULL, 'f'},
	{"kinds", required_argument, NULL, 'k'},
	{"keep", required_argument, NULL, OPT_KEEP},
	{"into", no_argument, NULL, OPT_INTO},
	{"fold", no_argument, NULL, OPT_FOLD},
	{NULL, 0, NULL, 0}
};

int main(int argc, char **argv)
{
	struct rt_record rec = {0};
	int c, rc;

	rt_init("tokenize");
	while ((c = getopt_long(argc, argv, "hf:k:uV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(0); break;
		case 'f':
			if (*optarg == '\0')
				rt_die_opt("-f", "empty field name");
			field = optarg;
			field_given = 1;
			break;
		case 'k': kinds = parse_kinds(optarg); break;
		case OPT_KEEP: parse_keep(optarg); break;
		case OPT_INTO: into = 1; break;
		case OPT_FOLD: fold = 1; break;
		default:
			if (!rt_option(c, optarg))
				usage(2);
		}
	}
	if (into && keep_given)
		rt_die(2, "--keep and --into cannot be used together");
	prepare_keep();
	rt_stat("tokens", &ntokens);

	rt_open_input(argc - optind, argv + optind);
	while ((rc = rt_next(&rec, -1)) != LINE_EOF)
		if (rc == LINE_OK)
			tokenize(&rec);
	json_obj_free(&rec.obj);
	buf_free(&scratch);
	buf_free(&folded);
	buf_free(&spans);
	buf_free(&keep_out);
	return rt_finish(0);
}
