/*
 * Per-path rules from the configuration ("redirect /old/\* /new/\*",
 * "client-certificates /private/\*\* keys.txt"...): the table, its parser
 * and the path glob, pure functions over (buf, len) so tables and a
 * fuzzer drive them.  The table lives inside struct config (offsets into
 * one text pool, no pointers), so a configuration copies by value.
 *
 * A new kind is one line in rules_kinds[] (rules.c) and one enum value.
 */
#ifndef YURT_RULES_H
#define YURT_RULES_H

#include <stddef.h>
#include <stdio.h>

#define RULES_MAX	128
#define RULES_TEXT	(32 * 1024)
#define RULES_PAT_MAX	1024
#define RULES_SHA_LEN	32

enum rule_kind {
	RULE_CERTS,		/* client-certificates PATTERN FILE */
	RULE_REDIRECT,		/* redirect PATTERN TARGET (31) */
	RULE_REDIRECT_TEMP,	/* redirect-temporary PATTERN TARGET (30) */
	RULE_GONE,		/* gone PATTERN [MESSAGE] (52) */
	RULE_LANG,		/* lang PATTERN LANG */
	RULE_TYPE,		/* type PATTERN MIME */
	RULE_LISTING,		/* listing PATTERN on|off */
	RULE_CGI,		/* cgi PATTERN: executables there are run */
	RULE_SCGI,		/* scgi PATTERN SOCKET: an application answers */
	RULE_NKINDS
};
#define RULE_BIT(k)	(1u << (k))
/* Rules that answer a request themselves; the first of them decides. */
#define RULES_ANSWER	(RULE_BIT(RULE_REDIRECT) | \
	RULE_BIT(RULE_REDIRECT_TEMP) | RULE_BIT(RULE_GONE))

struct rule {
	int		 kind;
	int		 line;		/* in the config file */
	unsigned int	 host;		/* offsets into the pool; host "" = any */
	unsigned int	 pat;
	unsigned int	 arg;		/* "" for gone without a message */
};

struct rules {
	size_t		 n;
	struct rule	 r[RULES_MAX];
	size_t		 textlen;
	char		 text[RULES_TEXT];
};

/* The fingerprints of one client-certificates rule's file. */
struct rules_fprs {
	size_t		  n;
	unsigned char	(*sha)[RULES_SHA_LEN];
};

#define rules_str(rs, off)	((const char *)(rs)->text + (off))

/*
 * The kind a config line's keyword names, or -1.  "lang" with one value
 * is the default language, not a rule: args decides.
 */
int	rules_keyword(const char *, size_t, const char *args);
/* Adds one rule; args is the rest of the line.  err has the problem. */
int	rules_add(struct rules *, int kind, const char *args, int line,
	    char *err, size_t errlen);
/*
 * Whether glob pat matches s: '*' matches within a segment, '**' across
 * them.  When pat ends with a star, *rest gets where in s the text it
 * matched starts (rest may be NULL).
 */
int	rules_glob(const char *pat, size_t patlen, const char *s, size_t len,
	    size_t *rest);
/*
 * The first rule of a kind in mask matching host (ASCII form) and path
 * ("/" and the resolved path, "/" at the end for a directory), or NULL.
 */
const struct rule *rules_match(const struct rules *, unsigned int mask,
	    const char *host, const char *path, size_t pathlen, size_t *rest);
/* "/" + path + "/" for a directory, the form rules_match() takes. */
int	rules_subject(const char *path, int dir, char *out, size_t outlen);
/*
 * A redirect's target with the matched rest of path (pathlen bytes, as
 * rules_match() took it) put in, percent-encoded.
 */
int	rules_target(const struct rules *, const struct rule *,
	    const char *path, size_t pathlen, size_t rest, char *out,
	    size_t outlen);
const char *rules_kind_name(int kind);
void	rules_print(const struct rules *, FILE *);

/*
 * A fingerprint file: one SHA-256 a line (hex, colons optional, what
 * "openssl x509 -fingerprint -sha256" prints is taken as it is), "#"
 * comments.  Returns 0, or -1 with err "line N: problem".
 */
int	rules_fpr_parse(const char *, size_t, struct rules_fprs *, char *err,
	    size_t errlen);
int	rules_fpr_listed(const struct rules_fprs *, const unsigned char *sha);
/*
 * Reads every client-certificates rule's file (relative paths from the
 * working directory): an array of rs->n entries, or NULL with err naming
 * file, line and problem.  No rules: NULL and no error (err "").
 */
struct rules_fprs *rules_fprs_load(const struct rules *, char *err,
	    size_t errlen);
void	rules_fprs_free(struct rules_fprs *, size_t n);

#endif
