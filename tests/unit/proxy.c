/* Table-driven tests of the PROXY protocol parser (v1 and v2). */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "proxy.h"
#include "tap.h"

static const struct {
	const char	*in;
	enum proxy_status want;
	const char	*addr;	/* the client address, or NULL */
	int		 port;
} v1[] = {
	{ "PROXY TCP4 192.0.2.7 127.0.0.1 5555 70\r\n", PROXY_OK,
	    "192.0.2.7", 5555 },
	{ "PROXY TCP6 2001:db8::1 ::1 4242 1965\r\nGET", PROXY_OK,
	    "2001:db8::1", 4242 },
	{ "PROXY UNKNOWN\r\n", PROXY_OK, NULL, 0 },
	{ "PROXY UNKNOWN ffff::1 ::1 1 2\r\n", PROXY_OK, NULL, 0 },
	{ "PROXY TCP4 192.0.2.7 127.0.0.1 5555 70", PROXY_MORE, NULL, 0 },
	{ "PROX", PROXY_MORE, NULL, 0 },
	{ "PROXY TCP4 192.0.2.7 127.0.0.1 5555\r\n", PROXY_BAD, NULL, 0 },
	{ "PROXY TCP4 192.0.2.7 127.0.0.1 5555 70 9\r\n", PROXY_BAD, NULL, 0 },
	{ "PROXY TCP4 2001:db8::1 127.0.0.1 5555 70\r\n", PROXY_BAD, NULL, 0 },
	{ "PROXY TCP6 192.0.2.7 ::1 5555 70\r\n", PROXY_BAD, NULL, 0 },
	{ "PROXY TCP4 192.0.2.7 127.0.0.1 65536 70\r\n", PROXY_BAD, NULL, 0 },
	{ "PROXY TCP4 192.0.2.7 127.0.0.1 -1 70\r\n", PROXY_BAD, NULL, 0 },
	{ "PROXY TCP4 192.0.2.7 127.0.0.1 0555 70\r\n", PROXY_BAD, NULL, 0 },
	{ "PROXY TCP4  192.0.2.7 127.0.0.1 5555 70\r\n", PROXY_BAD, NULL, 0 },
	{ "PROXY UDP4 192.0.2.7 127.0.0.1 5555 70\r\n", PROXY_BAD, NULL, 0 },
	{ "PROXY TCP4 999.0.2.7 127.0.0.1 5555 70\r\n", PROXY_BAD, NULL, 0 },
	{ "GET / HTTP/1.0\r\n", PROXY_BAD, NULL, 0 },
	{ "PROXY TCP4 1.2.3.4\tjunk 5.6.7.8 1 2\r\n", PROXY_BAD, NULL, 0 },
	{ "PROXY UNKNOWN \x7f\r\n", PROXY_BAD, NULL, 0 },
	{ "PROXY UNKNOWN \xc3\xa9\r\n", PROXY_BAD, NULL, 0 },
	{ "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r", PROXY_MORE, NULL, 0 },
	{ "PROXY TCP4 1.2.3.4\r5.6.7.8 1 2\r\n", PROXY_BAD, NULL, 0 },
	{ "\x16\x03\x01", PROXY_BAD, NULL, 0 },
	{ "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    PROXY_BAD, NULL, 0 },
};

static void
check_addr(const struct proxy_hdr *h, const char *addr, int port)
{
	char	 got[INET6_ADDRSTRLEN] = "";
	int	 gotport = 0;

	if (h->src.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)&h->src;

		inet_ntop(AF_INET, &s4->sin_addr, got, sizeof(got));
		gotport = ntohs(s4->sin_port);
	} else if (h->src.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)&h->src;

		inet_ntop(AF_INET6, &s6->sin6_addr, got, sizeof(got));
		gotport = ntohs(s6->sin6_port);
	}
	tap_streq(got, addr, "  client address");
	tap_ok(gotport == port, "  client port %d", gotport);
}

static size_t
v2hdr(unsigned char *b, int cmd, int fam, const void *addrs, size_t alen)
{
	static const unsigned char sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00,
	    0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

	memcpy(b, sig, 12);
	b[12] = (unsigned char)(0x20 | cmd);
	b[13] = (unsigned char)fam;
	b[14] = (unsigned char)(alen >> 8);
	b[15] = (unsigned char)alen;
	if (alen > 0)
		memcpy(b + 16, addrs, alen);
	return 16 + alen;
}

static void
test_v2(void)
{
	unsigned char		 b[700], a4[12] = { 192, 0, 2, 9, 127, 0, 0, 1,
				    0x12, 0x34, 0, 70 }, a6[36], tlv[300];
	struct proxy_hdr	 h;
	size_t			 n;

	n = v2hdr(b, 1, 0x11, a4, sizeof(a4));
	tap_ok(proxy_parse(b, n, &h) == PROXY_OK && h.len == n,
	    "v2 PROXY TCP4 parses, length %zu", h.len);
	check_addr(&h, "192.0.2.9", 0x1234);
	tap_ok(proxy_parse(b, n - 1, &h) == PROXY_MORE, "v2 cut short: more");
	tap_ok(proxy_parse(b, 10, &h) == PROXY_MORE, "v2 signature cut short");

	memset(a6, 0, sizeof(a6));
	a6[0] = 0x20, a6[1] = 0x01, a6[2] = 0x0d, a6[3] = 0xb8, a6[15] = 2;
	a6[33] = 80;
	n = v2hdr(b, 1, 0x21, a6, sizeof(a6));
	tap_ok(proxy_parse(b, n, &h) == PROXY_OK, "v2 PROXY TCP6 parses");
	check_addr(&h, "2001:db8::2", 80);

	n = v2hdr(b, 0, 0x00, NULL, 0);
	tap_ok(proxy_parse(b, n, &h) == PROXY_OK && h.local,
	    "v2 LOCAL (health check) parses, no address");

	memset(tlv, 0, sizeof(tlv));
	memcpy(tlv, a4, sizeof(a4));
	n = v2hdr(b, 1, 0x11, tlv, sizeof(tlv));
	tap_ok(proxy_parse(b, n, &h) == PROXY_OK && h.len == n,
	    "v2 with TLVs: skipped, length counted");

	n = v2hdr(b, 1, 0x11, a4, 8);
	tap_ok(proxy_parse(b, n, &h) == PROXY_BAD, "v2 TCP4 too short: bad");
	n = v2hdr(b, 2, 0x11, a4, sizeof(a4));
	tap_ok(proxy_parse(b, n, &h) == PROXY_BAD, "v2 unknown command: bad");
	n = v2hdr(b, 1, 0x31, a4, sizeof(a4));
	tap_ok(proxy_parse(b, n, &h) == PROXY_BAD, "v2 AF_UNIX: bad");
	n = v2hdr(b, 1, 0x11, a4, sizeof(a4));
	b[12] = 0x11;
	tap_ok(proxy_parse(b, n, &h) == PROXY_BAD, "v2 version 1 byte: bad");
	n = v2hdr(b, 1, 0x11, a4, sizeof(a4));
	b[14] = 0xff;
	tap_ok(proxy_parse(b, n, &h) == PROXY_BAD,
	    "v2 declaring 65 KB of addresses: bad, not waited for");
}


/* Bytes with a NUL: not in the table, which uses strlen. */
static void
test_nul(void)
{
	static const char	 a[] = "PROXY TCP4 1.2.3.4\0junk 5.6.7.8 1 2\r\n";
	static const char	 b[] = "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\0\r\n";
	static const char	 c[] = "PROXY UNKNOWN\0\r\n";
	static const char	 d[] = "PROXY TCP4 1.2.3.4\0";
	struct proxy_hdr	 h;

	tap_ok(proxy_parse(a, sizeof(a) - 1, &h) == PROXY_BAD,
	    "v1 \"1.2.3.4\\0junk\" as the address: bad, not 1.2.3.4");
	tap_ok(proxy_parse(b, sizeof(b) - 1, &h) == PROXY_BAD,
	    "v1 with a NUL before the CRLF: bad");
	tap_ok(proxy_parse(c, sizeof(c) - 1, &h) == PROXY_BAD,
	    "v1 UNKNOWN with a NUL: bad");
	tap_ok(proxy_parse(d, sizeof(d) - 1, &h) == PROXY_BAD,
	    "v1 with a NUL, line not complete yet: bad at once");
}

static void
test_nets(void)
{
	static const struct {
		const char	*net, *addr;
		int		 want;
	} m[] = {
		{ "10.0.0.0/8", "10.200.1.2", 1 },
		{ "10.0.0.0/8", "11.0.0.1", 0 },
		{ "10.1.2.3/8", "10.9.9.9", 1 },	/* host bits ignored */
		{ "127.0.0.3/32", "127.0.0.3", 1 },
		{ "127.0.0.3/32", "127.0.0.2", 0 },
		{ "127.0.0.3", "127.0.0.3", 1 },
		{ "192.168.0.0/23", "192.168.1.255", 1 },
		{ "192.168.0.0/23", "192.168.2.0", 0 },
		{ "0.0.0.0/0", "203.0.113.9", 1 },
		{ "10.0.0.0/8", "::ffff:10.0.0.1", 1 },	/* v4-mapped */
		{ "10.0.0.0/8", "2001:db8::1", 0 },
		{ "2001:db8::/32", "2001:db8:ffff::1", 1 },
		{ "2001:db8::/32", "2001:db9::1", 0 },
		{ "2001:db8:aa00::/41", "2001:db8:aa7f::1", 1 },
		{ "2001:db8:aa00::/41", "2001:db8:aa80::1", 0 },
		{ "::1", "::1", 1 },
		{ "::1", "::2", 0 },
		{ "::/0", "10.0.0.1", 0 },		/* families apart */
	};
	static const char *bad[] = { "", "/8", "10.0.0.0/", "10.0.0.0/33",
	    "10.0.0.0/-1", "10.0.0.0/08", "10.0.0.0/8x", "::/129", "10.0.0",
	    "host.example", "10.0.0.0/8/8", "10.0.0.0 /8", "::1/1000" };
	struct proxy_net	 net;
	struct sockaddr_storage	 ss;
	size_t			 i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		struct sockaddr_in	*s4 = (void *)&ss;
		struct sockaddr_in6	*s6 = (void *)&ss;
		int			 got = -1;

		memset(&ss, 0, sizeof(ss));
		if (inet_pton(AF_INET, m[i].addr, &s4->sin_addr) == 1)
			s4->sin_family = AF_INET;
		else if (inet_pton(AF_INET6, m[i].addr, &s6->sin6_addr) == 1)
			s6->sin6_family = AF_INET6;
		if (proxy_net_parse(m[i].net, &net) == 0)
			got = proxy_net_match(&net, 1,
			    (struct sockaddr *)&ss);
		tap_ok(got == m[i].want, "proxy-from %s %s %s", m[i].net,
		    m[i].want ? "holds" : "does not hold", m[i].addr);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tap_ok(proxy_net_parse(bad[i], &net) == -1,
		    "proxy-from \"%s\": rejected", bad[i]);
	tap_ok(proxy_net_match(&net, 0, (struct sockaddr *)&ss) == 0,
	    "no networks: nobody is trusted");
}

int
main(void)
{
	struct proxy_hdr	 h;
	size_t			 i;
	enum proxy_status	 st;

	for (i = 0; i < sizeof(v1) / sizeof(v1[0]); i++) {
		st = proxy_parse(v1[i].in, strlen(v1[i].in), &h);
		if (!tap_ok(st == v1[i].want, "v1 case %zu (\"%.*s\") -> %d", i,
		    (int)strcspn(v1[i].in, "\r\n"), v1[i].in, v1[i].want))
			printf("#   got %d\n", st);
		if (st == PROXY_OK && v1[i].addr)
			check_addr(&h, v1[i].addr, v1[i].port);
		if (st == PROXY_OK)
			tap_ok(h.len == (size_t)(strstr(v1[i].in, "\r\n") -
			    v1[i].in) + 2, "  header length %zu", h.len);
	}
	test_v2();
	test_nul();
	test_nets();
	return tap_done();
}
