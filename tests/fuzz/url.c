/* libFuzzer harness: URL parsing and path resolution. */
#include <stdint.h>
#include <string.h>

#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

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
	return 0;
}
