/* libFuzzer harness: the Gemini request line rules. */
#include <stdint.h>
#include <string.h>

#include "gemini.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char *const hosts[] = { "localhost", "example.org" };
	static const struct gemini_site site = { hosts, 2, 1965, 0 };
	struct gemini_request	 r;
	size_t			 linelen;

	if (gemini_request_end((const char *)data, len, &linelen) == 1) {
		gemini_request_parse((const char *)data, linelen, &site, -1,
		    &r);
		if (r.status == 0 && (r.host < 0 || r.host > 1 ||
		    r.rawoff + r.rawlen > linelen))
			__builtin_trap();
	}
	return 0;
}
