/*
 * libFuzzer harness: URL parsing and path resolution, and the pieces
 * links are made of (authority, decoding, dot removal, encoding).
 */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_pieces(const char *s, size_t len)
{
	struct url_authority	 a;
	struct buf		 b;
	const char		*rest, *err;
	size_t			 i;

	if (url_authority(s, len, &a, &rest, &err) == 0 &&
	    (rest < s || rest > s + len || a.host < s ||
	    a.host + a.hostlen > s + len || a.port > 65535))
		__builtin_trap();
	if (url_scheme_len(s, len) >= len && len > 0)
		__builtin_trap();
	buf_init(&b, 0);
	if (url_decode(&b, s, len, 1) == 0) {
		/* nothing decoded is a control byte */
		for (i = 0; i < b.len; i++)
			if ((unsigned char)b.data[i] < 0x20 ||
			    b.data[i] == 0x7f)
				__builtin_trap();
		i = b.len;
		url_dedot(&b);
		if (b.len > i)
			__builtin_trap();
	}
	buf_reset(&b);
	url_encode(&b, s, len, URL_ENC_UNSAFE);
	url_encode(&b, s, len, URL_ENC_PATH);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct url	 u;
	const char	*err;
	char		 out[URL_MAX + 1], enc[64];
	int		 dir;

	if (url_parse((const char *)data, len, &u, &err) == 0) {
		if (url_path_resolve(u.path, strlen(u.path), out, sizeof(out),
		    &dir, &err) == 0) {
			/* a resolved path never climbs or smuggles */
			if (strncmp(out, "../", 3) == 0 ||
			    strcmp(out, "..") == 0 || strstr(out, "/../") ||
			    out[0] == '/' || strstr(out, "//"))
				__builtin_trap();
			(void)url_path_encode(out, enc, sizeof(enc));
		}
	}
	(void)url_path_resolve((const char *)data, len, out, sizeof(out),
	    &dir, &err);
	fuzz_pieces((const char *)data, len);
	return 0;
}
