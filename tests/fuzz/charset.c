/* libFuzzer harness: transliteration and encoding. */
#include <stdint.h>

#include "buf.h"
#include "charset.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct buf	 fold, out;
	size_t		 i;
	int		 cs;

	for (cs = CHARSET_UTF8; cs <= CHARSET_ASCII; cs++) {
		buf_init(&fold, 0);
		buf_init(&out, 0);
		if (charset_fold(&fold, (enum charset)cs, (const char *)data,
		    len) == 0 && charset_encode(&out, (enum charset)cs,
		    fold.data ? fold.data : "", fold.len) == 0) {
			for (i = 0; i < out.len; i++) {
				unsigned char c = (unsigned char)out.data[i];

				/* no control character ever comes out */
				if (c < 0x20 || c == 0x7f ||
				    (cs == CHARSET_ASCII && c > 127))
					__builtin_trap();
			}
		}
		buf_free(&fold);
		buf_free(&out);
	}
	return 0;
}
