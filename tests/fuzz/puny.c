/*
 * libFuzzer harness: Punycode and host names.  What decodes must encode
 * to something that decodes to the same code points, and a host's ASCII
 * form must be its own ASCII form.
 */
#include <stdint.h>
#include <string.h>

#include "puny.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	uint32_t	 cp[256], cp2[256];
	char		 enc[1024], a[512], b[512], u[1024];
	const char	*s = (const char *)data;
	size_t		 n, m;

	if (len > 200)
		return 0;
	/* the encoder writes a C string: a decoded NUL would end it early */
	if (memchr(s, '\0', len) == NULL &&
	    puny_decode(s, len, cp, 256, &n) == 0 &&
	    puny_encode(cp, n, enc, sizeof(enc)) == 0 &&
	    (puny_decode(enc, strlen(enc), cp2, 256, &m) != 0 || m != n ||
	    memcmp(cp, cp2, n * sizeof(*cp)) != 0))
		__builtin_trap();
	if (puny_host_ascii(s, len, a, sizeof(a)) == 0) {
		if (puny_host_ascii(a, strlen(a), b, sizeof(b)) != 0 ||
		    strcmp(a, b) != 0)
			__builtin_trap();
		(void)puny_host_unicode(a, strlen(a), u, sizeof(u));
	}
	return 0;
}
