/*
 * tok: tokens of social-media text, following the twitter-text rules for
 * hashtags, mentions, URLs and cashtags.
 *
 * tok_scan walks valid UTF-8 text once and calls fn for each token of the
 * kinds asked for, in text order.  Entity detection does not depend on
 * which kinds are asked for: a hashtag inside a URL is never a hashtag,
 * and word tokens are the runs of letters, marks and digits outside every
 * entity (so "#rust" is a hashtag and not the word "rust", and a URL gives
 * no words).  Token text excludes the sign: "#Rust" gives "Rust" with
 * kind TOK_HASHTAG; a URL is given as written.  t->start and t->end are the
 * byte offsets of the whole entity in text, sign included.
 *
 * The callback returns 0 to go on; anything else stops the scan and is
 * returned.  tok_fold appends the NFC case-folded form of s to b (ASCII
 * without calling utf8proc).  Nothing here allocates per token except
 * tok_fold of non-ASCII text.
 */
#ifndef TOK_H
#define TOK_H

#include <stddef.h>
#include "buf.h"

enum tok_kind {
	TOK_HASHTAG = 1, TOK_MENTION = 2, TOK_URL = 4, TOK_CASHTAG = 8,
	TOK_WORD = 16
};
#define TOK_ALL 31

struct tok {
	enum tok_kind kind;
	const char *p;		/* token text, sign excluded */
	size_t len;
	size_t start, end;	/* the entity's byte span in the text */
};

typedef int (*tok_fn)(void *arg, const struct tok *t);

int tok_scan(const char *text, size_t len, unsigned kinds, tok_fn fn, void *arg);
/* Returns 0, or -1 when out of memory. */
int tok_fold(const char *s, size_t len, struct buf *b);
/* Kind names: "hashtag", ...; tok_kind_parse returns 0 for an unknown name. */
const char *tok_kind_name(enum tok_kind k);
enum tok_kind tok_kind_parse(const char *name, size_t len);

#endif
