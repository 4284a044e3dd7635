/* libFuzzer harness: the PROXY protocol parser. */
#include <stdint.h>

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
	return 0;
}
