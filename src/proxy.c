#include <netinet/in.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "proxy.h"

static const unsigned char proxy_v2sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/* A decimal port with no sign, no leading zero, at most 65535. */
static int
proxy_port(const char *s, size_t n, uint16_t *port)
{
	unsigned long	 v = 0;
	size_t		 i;

	if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* "PROXY TCP4 src dst sport dport\r\n" or "PROXY UNKNOWN ...\r\n" */
static enum proxy_status
proxy_v1(const char *b, size_t len, struct proxy_hdr *h)
{
	const char	*f[6];
	size_t		 fl[6], n, i, nf = 0;
	char		 addr[64];
	const char	*crlf, *p, *end;
	uint16_t	 port;
	int		 v6;

	n = len < PROXY_V1_MAX ? len : PROXY_V1_MAX;
	crlf = memmem(b, n, "\r\n", 2);
	/*
	 * The line is printable US-ASCII: a NUL would end the address for
	 * inet_pton and let "1.2.3.4\0junk" pass as 1.2.3.4.  A CR may only
	 * be the last byte seen so far (its LF still to come).
	 */
	for (i = 0, end = crlf ? crlf : b + n; b + i < end; i++)
		if ((b[i] < ' ' || b[i] > '~') &&
		    !(b[i] == '\r' && crlf == NULL && i + 1 == len))
			return PROXY_BAD;
	if (crlf == NULL)
		return len >= PROXY_V1_MAX ? PROXY_BAD : PROXY_MORE;
	h->len = (size_t)(crlf - b) + 2;
	for (p = b, end = crlf; p < end && nf < 6; nf++) {
		f[nf] = p;
		while (p < end && *p != ' ')
			p++;
		fl[nf] = (size_t)(p - f[nf]);
		if (fl[nf] == 0)
			return PROXY_BAD;
		if (p < end)
			p++;	/* exactly one space between fields */
	}
	if (nf < 2 || fl[0] != 5 || memcmp(f[0], "PROXY", 5) != 0)
		return PROXY_BAD;
	if (fl[1] == 7 && memcmp(f[1], "UNKNOWN", 7) == 0) {
		h->local = 1;
		return PROXY_OK;
	}
	if (p != end || nf != 6 || fl[1] != 4 ||
	    (memcmp(f[1], "TCP4", 4) != 0 && memcmp(f[1], "TCP6", 4) != 0))
		return PROXY_BAD;
	v6 = f[1][3] == '6';
	for (i = 2; i <= 3; i++) {
		struct in6_addr a6;
		struct in_addr a4;

		if (fl[i] >= sizeof(addr))
			return PROXY_BAD;
		memcpy(addr, f[i], fl[i]);
		addr[fl[i]] = '\0';
		if (inet_pton(v6 ? AF_INET6 : AF_INET, addr,
		    v6 ? (void *)&a6 : (void *)&a4) != 1)
			return PROXY_BAD;
		if (i == 2 && v6) {
			struct sockaddr_in6 *s6 = (void *)&h->src;

			s6->sin6_family = AF_INET6;
			s6->sin6_addr = a6;
			h->srclen = sizeof(*s6);
		} else if (i == 2) {
			struct sockaddr_in *s4 = (void *)&h->src;

			s4->sin_family = AF_INET;
			s4->sin_addr = a4;
			h->srclen = sizeof(*s4);
		}
	}
	if (proxy_port(f[4], fl[4], &port) == -1)
		return PROXY_BAD;
	if (v6)
		((struct sockaddr_in6 *)(void *)&h->src)->sin6_port =
		    htons(port);
	else
		((struct sockaddr_in *)(void *)&h->src)->sin_port = htons(port);
	if (proxy_port(f[5], fl[5], &port) == -1)
		return PROXY_BAD;
	return PROXY_OK;
}

static enum proxy_status
proxy_v2(const unsigned char *b, size_t len, struct proxy_hdr *h)
{
	size_t	 alen;
	int	 cmd, fam;

	if (len < 16)
		return PROXY_MORE;
	if ((b[12] & 0xf0) != 0x20)
		return PROXY_BAD;		/* version 2 only */
	cmd = b[12] & 0x0f;
	fam = b[13];
	alen = (size_t)b[14] << 8 | b[15];
	if (cmd > 1 || 16 + alen > PROXY_V2_MAX)
		return PROXY_BAD;
	if (len < 16 + alen)
		return PROXY_MORE;
	h->len = 16 + alen;
	if (cmd == 0) {		/* LOCAL: the balancer's own health check */
		h->local = 1;
		return PROXY_OK;
	}
	switch (fam) {
	case 0x11:		/* TCP over IPv4 */
	case 0x12: {		/* UDP over IPv4 */
		struct sockaddr_in *s4 = (void *)&h->src;

		if (alen < 12)
			return PROXY_BAD;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, b + 16, 4);
		memcpy(&s4->sin_port, b + 24, 2);
		h->srclen = sizeof(*s4);
		return PROXY_OK;
	}
	case 0x21:		/* TCP over IPv6 */
	case 0x22: {
		struct sockaddr_in6 *s6 = (void *)&h->src;

		if (alen < 36)
			return PROXY_BAD;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, b + 16, 16);
		memcpy(&s6->sin6_port, b + 48, 2);
		h->srclen = sizeof(*s6);
		return PROXY_OK;
	}
	case 0x00:		/* UNSPEC: keep the connection's address */
		h->local = 1;
		return PROXY_OK;
	default:
		return PROXY_BAD;
	}
}

enum proxy_status
proxy_parse(const void *buf, size_t len, struct proxy_hdr *h)
{
	const unsigned char	*b = buf;
	size_t			 n;

	memset(h, 0, sizeof(*h));
	n = len < sizeof(proxy_v2sig) ? len : sizeof(proxy_v2sig);
	if (memcmp(b, proxy_v2sig, n) == 0)
		return len < sizeof(proxy_v2sig) ? PROXY_MORE :
		    proxy_v2(b, len, h);
	n = len < 6 ? len : 6;
	if (memcmp(b, "PROXY ", n) != 0)
		return PROXY_BAD;
	return len < 6 ? PROXY_MORE : proxy_v1(buf, len, h);
}

int
proxy_net_parse(const char *s, struct proxy_net *net)
{
	char		 a[PROXY_NET_STRLEN];
	const char	*slash;
	size_t		 n;
	unsigned int	 bits, max, i;

	memset(net, 0, sizeof(*net));
	slash = strchr(s, '/');
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof(a))
		return -1;
	memcpy(a, s, n);
	a[n] = '\0';
	if (inet_pton(AF_INET, a, net->addr) == 1)
		net->family = AF_INET, max = 32;
	else if (inet_pton(AF_INET6, a, net->addr) == 1)
		net->family = AF_INET6, max = 128;
	else
		return -1;
	bits = max;
	if (slash != NULL) {
		const char *p = slash + 1;

		/* one to three digits, no sign, no leading zero */
		if (*p == '\0' || strlen(p) > 3 || (p[0] == '0' && p[1]))
			return -1;
		for (bits = 0; *p; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			bits = bits * 10 + (unsigned int)(*p - '0');
		}
		if (bits > max)
			return -1;
	}
	net->bits = bits;
	for (i = bits / 8; i < max / 8; i++)	/* clear the host bits */
		net->addr[i] &= i == bits / 8 ?
		    (unsigned char)(0xff00 >> bits % 8) : 0;
	return 0;
}

static int
proxy_net_in(const struct proxy_net *net, int family, const unsigned char *a)
{
	unsigned int	 full = net->bits / 8, rest = net->bits % 8;

	if (net->family != family || memcmp(net->addr, a, full) != 0)
		return 0;
	return rest == 0 ||
	    ((net->addr[full] ^ a[full]) & (0xff00 >> rest)) == 0;
}

int
proxy_net_match(const struct proxy_net *nets, size_t n,
    const struct sockaddr *sa)
{
	const struct sockaddr_in6	*s6 = (const void *)sa;
	const struct sockaddr_in	*s4 = (const void *)sa;
	const unsigned char		*a;
	int				 family = sa->sa_family;
	size_t				 i;

	if (family == AF_INET)
		a = (const unsigned char *)&s4->sin_addr;
	else if (family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		a = s6->sin6_addr.s6_addr + 12, family = AF_INET;
	else if (family == AF_INET6)
		a = s6->sin6_addr.s6_addr;
	else
		return 0;
	for (i = 0; i < n; i++)
		if (proxy_net_in(&nets[i], family, a))
			return 1;
	return 0;
}
