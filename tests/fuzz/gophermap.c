/*
 * libFuzzer harness: gemtext rendered as a Gopher menu and as text, in
 * every charset, and the URL: page.  Checks the invariants clients rely
 * on: four fields and CRLF on every menu line, no line starting with "."
 * in text, no byte above 127 in ASCII display text.
 */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "gophermap.h"
#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char
fuzz_type(void *arg, const char *sel)
{
	return sel[0] != '\0' && sel[strlen(sel) - 1] == '/' ? '1' :
	    mime_item(sel);
}

static void
fuzz_check_menu(const struct buf *b, int ascii)
{
	const char	*p = b->data, *end = b->data + b->len, *nl;
	size_t		 tabs, i;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
		    nl == p || nl[-1] != '\r')
			__builtin_trap();
		if (nl - p == 2 && p[0] == '.')
			return;		/* the end */
		/*
		 * The display text is transliterated; a selector is a
		 * file's name and may hold any byte but TAB, CR, LF, NUL.
		 */
		for (tabs = 0, i = 0; p + i < nl - 1; i++) {
			if (p[i] == '\t')
				tabs++;
			if (p[i] == '\0' || p[i] == '\r' ||
			    (ascii && tabs == 0 && (unsigned char)p[i] > 127))
				__builtin_trap();
		}
		if (tabs != 3)
			__builtin_trap();
		p = nl + 1;
	}
	__builtin_trap();	/* no closing "." */
}

static void
fuzz_check_text(const struct buf *b, int ascii)
{
	const char	*p = b->data, *end, *nl;
	size_t		 i;

	/* an empty page is no text at all: no "." line ends it */
	if (p == NULL)
		return;
	end = p + b->len;
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
		    nl == p || nl[-1] != '\r')
			__builtin_trap();
		/* no "." line: none may start with "." (nor end the text) */
		if (p[0] == '.')
			__builtin_trap();
		for (i = 0; ascii && p + i < nl; i++)
			if ((unsigned char)p[i] > 127)
				__builtin_trap();
		p = nl + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char *const hosts[] = { "localhost", NULL };
	struct gophermap_opts	 o;
	struct buf		 b;
	const char		*gmi = (const char *)data;
	int			 cs;

	if (len < 1)
		return 0;
	memset(&o, 0, sizeof(o));
	o.host = "localhost";
	o.port = 70;
	o.gemini_hosts = hosts;
	o.width = 20 + data[0] % 80;
	o.item_type = fuzz_type;
	for (cs = CHARSET_UTF8; cs <= CHARSET_ASCII; cs++) {
		o.charset = (enum charset)cs;
		buf_init(&b, 1 << 22);
		if (gophermap_menu(&b, &o, "/dir/page.gmi", "/.text/dir/page.gmi",
		    gmi + 1, len - 1) == 0)
			fuzz_check_menu(&b, cs == CHARSET_ASCII);
		buf_free(&b);
		buf_init(&b, 1 << 22);
		if (gophermap_text(&b, &o, "/dir/", gmi + 1, len - 1) == 0)
			fuzz_check_text(&b, cs == CHARSET_ASCII);
		buf_free(&b);
	}
	buf_init(&b, 0);
	if (gophermap_urlpage(&b, gmi + 1, len - 1) == 0 &&
	    strstr(b.data, "<script") != NULL)
		__builtin_trap();
	buf_free(&b);
	return 0;
}
