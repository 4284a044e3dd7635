/* libFuzzer harness: the gemtext parser. */
#include <stdint.h>

#include "gemtext.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct gemtext		 g;
	struct gemtext_line	 l;
	const char		*b = (const char *)data;
	size_t			 lines = 0;

	gemtext_init(&g, b, len);
	while (gemtext_next(&g, &l)) {
		if (l.text < b || l.text + l.textlen > b + len ||
		    (l.url != NULL && l.url + l.urllen > b + len) ||
		    ++lines > len + 1)
			__builtin_trap();
	}
	return 0;
}
