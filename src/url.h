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

/* The byte a "%XX" escape at s (len bytes there) stands for, or -1. */
int	url_pct_byte(const char *s, size_t len);

/* Length of "scheme" when u starts with "scheme:" (RFC 3986), else 0. */
size_t	url_scheme_len(const char *u, size_t len);

/* An authority as it is written: pointers into the input, unchecked. */
struct url_authority {
	const char	*host;		/* without the [] of an IP literal */
	size_t		 hostlen;
	unsigned int	 port;		/* 0: none given */
	int		 userinfo;	/* "user@" was there (and skipped) */
};

/*
 * Parses "[userinfo@]host[:port]" from s (just after "//"); *rest is set
 * to what follows (path, query or fragment).  -1 with *err for an IP
 * literal without its ']', or a port that is not one.
 */
int	url_authority(const char *s, size_t len, struct url_authority *,
	    const char **rest, const char **err);

struct buf;

enum url_enc {
	URL_ENC_PATH,	/* all but a path's own characters (RFC 4266 selectors) */
	URL_ENC_UNSAFE	/* only what may not stand in a URI: spaces, controls */
};

/* Percent-encodes [s, s+len) onto b. */
void	url_encode(struct buf *b, const char *s, size_t len, enum url_enc);

/*
 * Percent-decodes [s, s+len) onto b.  -1 on a bad escape, or when the
 * result would hold a control byte (or, with noslash, a '/' that was not
 * one in the URL: it would change which file is meant).
 */
int	url_decode(struct buf *b, const char *s, size_t len, int noslash);

/*
 * Removes "." and ".." segments from a link's path in place (RFC 3986,
 * 5.2.4): a link climbing above the root stays at the root, as browsers
 * do.  Requests are resolved by url_path_resolve, which refuses that.
 */
void	url_dedot(struct buf *);

/* Lower-cases a host name in place and drops one trailing dot. */
void	url_host_canon(char *);

#endif
