/*
 * Content types and Gopher item types: the extension table and the look
 * at a file's bytes.
 */
#include <string.h>

#include "mime.h"
#include "tap.h"

static int
is(const char *got, const char *want)
{
	if (got == NULL || want == NULL)
		return got == want;
	return strcmp(got, want) == 0;
}

int
main(void)
{
	char	 latin[] = "caf\xe9 cr\xe8me\n";
	char	 cut[] = "steppe \xd0\x9a\xd0";	/* К, then half of a letter */
	char	 cut2[] = "caf\xc3";		/* é's first half, or Ã */

	tap_ok(is(mime_ext("index.gmi"), "text/gemini"), ".gmi: text/gemini");
	tap_ok(is(mime_ext("A.PNG"), "image/png"), "extensions ignore case");
	tap_ok(is(mime_ext("README"), NULL), "no extension: NULL");
	tap_ok(is(mime_ext(".gmi"), NULL), "a dot-file has no extension");
	tap_ok(is(mime_ext("x.unknown"), NULL), "an unknown extension: NULL");
	tap_ok(is(mime_ext("a.log"), NULL) && is(mime_ext("a.bmp"), NULL),
	    "a name Gopher types but libmagic is left to tell: NULL");

	tap_ok(mime_item("/") == '1' && mime_item("a.GMI") == '1' &&
	    mime_item("a.txt") == '0' && mime_item("a.gif") == 'g' &&
	    mime_item("a.jpeg") == 'I' && mime_item("a.htm") == 'h' &&
	    mime_item("a.ogg") == 's' && mime_item("a.pdf") == 'd' &&
	    mime_item("a.xyz") == 0 && mime_item("/a.b/c") == 0,
	    "item type from the extension, 0 when unknown");
	tap_ok(mime_item(".gmi") == '1' && mime_item("") == '1' &&
	    mime_item("a.css") == 0 && mime_item("a.log") == '0',
	    "a dot-file's name is its extension; a type with no item: 0");
	tap_ok(mime_item_of("text/gemini") == '1' &&
	    mime_item_of("text/plain; charset=iso-8859-1") == '0' &&
	    mime_item_of("image/gif") == 'g' && mime_item_of("image/png") ==
	    'I' && mime_item_of("audio/ogg") == 's' &&
	    mime_item_of("application/msword") == 'd' &&
	    mime_item_of("application/octet-stream") == '9',
	    "item type from a content type");

	tap_ok(is(mime_text("Hello\tworld\r\n", 13, 0), "text/plain"),
	    "ASCII with tab and CRLF is text");
	tap_ok(is(mime_text("", 0, 0), "text/plain"), "an empty file is text");
	tap_ok(is(mime_text("\xd0\x91\xd0\xbe\xd1\x82\xd0\xb0\n", 9, 0),
	    "text/plain"), "UTF-8 Cyrillic is text");
	tap_ok(is(mime_text("\x1b[1mbold\x1b[0m\f", 13, 0), "text/plain"),
	    "ANSI escapes and form feeds are text (old Gopher files)");
	tap_ok(is(mime_text("a\0b", 3, 0), NULL), "a NUL: not text");
	tap_ok(is(mime_text("a\x01z", 3, 0), NULL), "a C0 control: not text");
	tap_ok(is(mime_text("a\x7fz", 3, 0), NULL), "DEL: not text");
	tap_ok(is(mime_text("\xc2\x85", 2, 0), NULL),
	    "a C1 control (U+0085) in UTF-8: not text");
	tap_ok(is(mime_text(latin, strlen(latin), 0),
	    "text/plain; charset=iso-8859-1"), "Latin-1 text says so");
	tap_ok(is(mime_text("a\x85z", 3, 0), NULL),
	    "a C1 control in Latin-1: not text");
	tap_ok(is(mime_text(cut, strlen(cut), 1), "text/plain"),
	    "a character cut by the end of the sample is still UTF-8");
	tap_ok(is(mime_text(cut, strlen(cut), 0), NULL),
	    "... but at the end of the file it is no UTF-8 (nor Latin-1: "
	    "0x9A is a C1 control there)");
	tap_ok(is(mime_text(cut2, strlen(cut2), 1), "text/plain"),
	    "\"caf\" and half a character, the file going on: UTF-8");
	tap_ok(is(mime_text(cut2, strlen(cut2), 0),
	    "text/plain; charset=iso-8859-1"),
	    "\"caf\" and 0xC3 ending the file: Latin-1");
	tap_ok(is(mime_text("\bfc\xe9\b", 6, 1), NULL),
	    "a lead byte followed by no continuation is no cut character "
	    "(found by fuzzing: the NUL after it was missed)");
	tap_ok(is(mime_text("ab\xe2\x82", 4, 1), "text/plain"),
	    "two bytes of a three-byte character at the end: cut");
	tap_ok(is(mime_text("\x89PNG\r\n\x1a\n", 8, 1), NULL),
	    "a PNG signature is not text");
	return tap_done();
}
