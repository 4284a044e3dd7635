/*
 * The Gemini protocol: the request line and its URL checked rule by rule
 * (pure, so tables and fuzzers drive it), and the reply chosen for it.
 */
#ifndef YURT_GEMINI_H
#define YURT_GEMINI_H

#include <stddef.h>

#include "url.h"

struct proto;

struct gemini_site {
	const char *const *hosts;	/* canonical names, lower case */
	size_t		 nhosts;
	int		 port;		/* the port clients connect to */
	int		 public_port;	/* behind a port mapping, or 0 */
};

struct gemini_request {
	int		 status;	/* 0: look the path up; else 53, 59 */
	const char	*err;		/* why, for tests */
	int		 host;		/* index into site->hosts */
	char		 path[URL_MAX + 1];	/* decoded, resolved */
	int		 dir;		/* the path ended with '/' */
	size_t		 rawoff, rawlen;	/* the raw path in the line */
};

/*
 * Whether the request line is complete: 1 with its length without CRLF
 * in *linelen, 0 when more bytes are needed, -1 when it is already over
 * the 1024-byte limit.  A bare LF does not end a request.
 */
int	gemini_request_end(const char *, size_t, size_t *linelen);
/* Checks one request line (without its CRLF). */
void	gemini_request_parse(const char *, size_t, const struct gemini_site *,
	    int sni, struct gemini_request *);

extern const struct proto gemini_proto;

#endif
