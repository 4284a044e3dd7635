/*
 * Gopher request line parser (RFC 1436, and the Gopher+ markers).
 *
 * Pure: (buf, len) of what has been read so far in, a verdict out.  The
 * strings returned point into the input and are not NUL-terminated.
 */
#ifndef YURT_SELECTOR_H
#define YURT_SELECTOR_H

#include <stddef.h>

/* Longest selector (before any TAB), and longest request line. */
#define SELECTOR_MAX		1024
#define SELECTOR_LINE_MAX	2000

enum selector_status {
	SELECTOR_OK,		/* a complete request */
	SELECTOR_MORE,		/* no line end yet: read on */
	SELECTOR_TOOLONG,	/* a selector over SELECTOR_MAX, a line over
				   SELECTOR_LINE_MAX */
	SELECTOR_BAD,		/* NUL, a stray CR or another control byte */
	SELECTOR_HTTP		/* "GET /x HTTP/1.1": a browser; sel is /x */
};

struct selector_req {
	const char	*sel;		/* selector (before the first TAB) */
	size_t		 sellen;
	const char	*search;	/* search string, NULL when none */
	size_t		 searchlen;
	char		 plus;		/* Gopher+ marker '+', '!', '$', or 0 */
	const char	*plusarg;	/* what follows the marker */
	size_t		 plusarglen;
	size_t		 reqlen;	/* bytes used, line end included */
};

int	selector_parse(const char *, size_t, struct selector_req *);
int	selector_url(const char *, size_t, const char **, size_t *);

#endif
