/* libFuzzer harness: Gopher+ attribute blocks of any menu text. */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "gopherplus.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
item(void *arg, char type, const char *sel, size_t sellen,
    struct gopherplus_item *it)
{
	(void)arg;
	it->date = (time_t)sellen * 1000003;
	it->size = type == '1' ? -1 : (long long)sellen;
	it->text_view = type == '1';
	return sellen % 3 == 0 ? -1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct gopherplus_opts	 o = { "h.example", "70", 0, item, NULL };
	struct buf		 b;

	buf_init(&b, 1 << 20);
	if (gopherplus_menu(&b, &o, (const char *)data, len) == 0 &&
	    (b.len < 3 || memcmp(b.data + b.len - 3, ".\r\n", 3) != 0))
		__builtin_trap();
	buf_free(&b);
	return 0;
}
