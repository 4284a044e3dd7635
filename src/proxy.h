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

/*
 * A network whose peers may send PROXY headers ("proxy-from"): anyone
 * else could name a new address per connection and get a fresh rate
 * budget each time.
 */
struct proxy_net {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];	/* host bits cleared */
	unsigned int	 bits;
};

#define PROXY_NET_STRLEN	64	/* "ADDR/BITS" with room to spare */

/* "10.0.0.0/8", "2001:db8::/32", "::1" (a host): 0, or -1 if malformed. */
int	proxy_net_parse(const char *, struct proxy_net *);
/* Whether the peer is inside one of the n networks (v4-mapped as IPv4). */
int	proxy_net_match(const struct proxy_net *, size_t n,
	    const struct sockaddr *);

#endif
