/* libFuzzer harness: the PROXY protocol parser. */
#include <netinet/in.h>

#include <stdint.h>
#include <string.h>

#include "proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct proxy_hdr h;

	/* a header may never claim more bytes than it was given */
	if (proxy_parse(data, len, &h) == PROXY_OK && (h.len > len ||
	    h.len == 0 || h.srclen > sizeof(h.src)))
		__builtin_trap();
	/* a v1 line is printable ASCII: no NUL or control byte in it */
	if (proxy_parse(data, len, &h) == PROXY_OK && data[0] == 'P' &&
	    (memchr(data, '\0', h.len) != NULL ||
	    memchr(data, '\t', h.len) != NULL))
		__builtin_trap();
	/* the same bytes as a proxy-from network */
	if (len < 80) {
		struct proxy_net	 net;
		struct sockaddr_in6	 s6;
		char			 s[80];

		memcpy(s, data, len);
		s[len] = '\0';
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		if (proxy_net_parse(s, &net) == 0 && (net.bits > 128 ||
		    (net.family == AF_INET && net.bits > 32)))
			__builtin_trap();
		if (proxy_net_parse(s, &net) == 0)
			(void)proxy_net_match(&net, 1, (void *)&s6);
	}
	return 0;
}
