/* libFuzzer harness: a Gemini program's header and the SCGI request. */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "cgi.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char	*b = (const char *)data, *err;
	struct buf	 out;
	size_t		 hdrlen;
	int		 st;

	switch (cgi_header(b, len, &st, &hdrlen, &err)) {
	case CGI_HEADER_OK:
		if (hdrlen > len || hdrlen > CGI_HEADER_MAX || hdrlen < 5 ||
		    b[hdrlen - 1] != '\n' || b[hdrlen - 2] != '\r' ||
		    st < 10 || st > 62)
			__builtin_trap();
		break;
	case CGI_HEADER_MORE:
		if (len >= CGI_HEADER_MAX || memchr(b, '\n', len) != NULL)
			__builtin_trap();
		break;
	default:
		if (err == NULL)
			__builtin_trap();
	}
	/* the same bytes as an environment for SCGI */
	buf_init(&out, 0);
	if (cgi_scgi(b, len, &out) == 0 && (out.len < len + 24 ||
	    out.data[out.len - 1] != ','))
		__builtin_trap();
	buf_free(&out);
	return 0;
}
