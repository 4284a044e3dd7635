/*
 * The PROXY protocol (HAProxy's, versions 1 and 2): a load balancer in
 * front of several yurt instances tells each the real client address.
 * A pure parser over (buf, len); malformed headers are rejected.
 */
#ifndef YURT_PROXY_H
#define YURT_PROXY_H

#include <stddef.h>
#include <sys/socket.h>

#define PROXY_V1_MAX	107	/* the longest v1 line, CRLF included */
#define PROXY_MAX	(16 + 65535)	/* v2 header and its TLVs */
/* What we are willing to hold of a v2 header (addresses and TLVs). */
#define PROXY_V2_MAX	(16 + 1536)

enum proxy_status { PROXY_OK, PROXY_MORE, PROXY_BAD };

struct proxy_hdr {
	size_t			 len;		/* bytes the header takes */
	int			 local;		/* LOCAL / UNKNOWN: no address */
	struct sockaddr_storage	 src;		/* the real client */
	socklen_t		 srclen;
};

enum proxy_status proxy_parse(const void *, size_t, struct proxy_hdr *);

#endif
