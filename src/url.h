/*
 * URL parsing and path resolution for requests: pure functions over
 * (buf, len), no I/O, so they are table-tested and fuzzed directly.
 */
#ifndef YURT_URL_H
#define YURT_URL_H

#include <stddef.h>

#define URL_MAX		1024	/* Gemini's limit on a request URL */

struct url {
	char	scheme[32];	/* lower-cased */
	char	host[256];	/* lower-cased, trailing dot removed, no [] */
	int	port;		/* 0 when the URL names none */
	int	has_authority;	/* "//" present */
	char	path[URL_MAX + 1];	/* raw, still percent-encoded */
	size_t	pathoff;		/* where path starts in the input */
	char	query[URL_MAX + 1];	/* raw, without '?' */
	int	has_query;
};

/*
 * Parses an absolute URL.  Returns 0, or -1 with *err set for anything
 * that is not one: no scheme, a relative reference, userinfo, a
 * fragment, a bad percent escape, a raw space or control character.
 */
int	url_parse(const char *, size_t, struct url *, const char **err);

/*
 * Percent-decodes a raw path and resolves "." and ".." segments.  Writes
 * the segments joined by '/' without a leading slash ("" is the root) and
 * sets *dir when the path ends with a slash.  Fails (-1, *err) on a bad
 * escape, a decoded NUL, '/' or control character inside a segment, an
 * empty segment ("a//b"), or ".." climbing above the root.
 */
int	url_path_resolve(const char *, size_t, char *out, size_t outlen,
	    int *dir, const char **err);

/* Percent-encodes a path for use in a link, keeping '/'. */
int	url_path_encode(const char *, char *out, size_t outlen);

/* The value of a hex digit, or -1. */
int	url_hexval(int);

/* Lower-cases a host name in place and drops one trailing dot. */
void	url_host_canon(char *);

#endif
