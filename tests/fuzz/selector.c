/* libFuzzer harness: the Gopher request line parser. */
#include <stdint.h>

#include "selector.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct selector_req	 r;
	const char		*url, *b = (const char *)data;
	size_t			 urllen;

	if (selector_parse(b, len, &r) == SELECTOR_OK) {
		if (r.sellen > SELECTOR_MAX || r.reqlen > len ||
		    r.sel < b || r.sel + r.sellen > b + len)
			__builtin_trap();
		(void)selector_url(r.sel, r.sellen, &url, &urllen);
	}
	return 0;
}
