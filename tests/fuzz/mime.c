/* libFuzzer harness: telling text from bytes by a file's start. */
#include <stdint.h>
#include <string.h>

#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char	*t;
	size_t		 i;
	int		 more;

	for (more = 0; more <= 1; more++) {
		t = mime_text((const char *)data, len, more);
		if (t == NULL)
			continue;
		/* text never has a NUL, whatever the charset */
		for (i = 0; i < len; i++)
			if (data[i] == 0)
				__builtin_trap();
		if (strcmp(t, "text/plain") != 0 &&
		    strcmp(t, "text/plain; charset=iso-8859-1") != 0)
			__builtin_trap();
	}
	return 0;
}
