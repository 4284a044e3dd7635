/* Unit tests for src/gemtext.c: line types of the gemtext specification. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "gemtext.h"
#include "tap.h"
#include "nitems.h"

static struct buf out;

/*
 * The parse as one string, a line per gemtext line:
 * T:text  L:url|label  H1:heading  *:item  >:quote  P+:alt  P-:  p:pre
 */
static const char *
parse(const char *s, size_t len)
{
	struct gemtext		 g;
	struct gemtext_line	 l;

	buf_reset(&out);
	gemtext_init(&g, s, len);
	while (gemtext_next(&g, &l)) {
		if (out.len > 0)
			buf_putc(&out, '\n');
		switch (l.type) {
		case GEMTEXT_TEXT:
			buf_puts(&out, "T:");
			break;
		case GEMTEXT_LINK:
			buf_puts(&out, "L:");
			buf_append(&out, l.url, l.urllen);
			buf_putc(&out, '|');
			break;
		case GEMTEXT_HEADING:
			buf_printf(&out, "H%d:", l.level);
			break;
		case GEMTEXT_LIST:
			buf_puts(&out, "*:");
			break;
		case GEMTEXT_QUOTE:
			buf_puts(&out, ">:");
			break;
		case GEMTEXT_PRE_TOGGLE:
			buf_puts(&out, l.level ? "P+:" : "P-:");
			break;
		case GEMTEXT_PRE:
			buf_puts(&out, "p:");
			break;
		}
		buf_append(&out, l.text, l.textlen);
	}
	return out.data != NULL ? out.data : "";
}

static void
test_table(void)
{
	static const struct {
		const char	*in, *want, *what;
	} t[] = {
		{ "", "", "empty document: no line" },
		{ "hello", "T:hello", "last line without newline" },
		{ "hello\n", "T:hello", "LF: no extra empty line" },
		{ "a\r\nb\r\n", "T:a\nT:b", "CRLF" },
		{ "a\n\nb", "T:a\nT:\nT:b", "blank line kept" },
		{ "  indented  \n", "T:  indented", "text keeps indentation" },
		{ "\xEF\xBB\xBF# Title", "H1:Title", "BOM skipped" },
		{ "x\xEF\xBB\xBF", "T:x\xEF\xBB\xBF",
		    "BOM only skipped at start" },
		{ "=> gemini://a.b/c Label here", "L:gemini://a.b/c|Label here",
		    "link with label" },
		{ "=>/x", "L:/x|", "link without space or label" },
		{ "=> \t page.gmi \t  spaced  label \t",
		    "L:page.gmi|spaced  label",
		    "link: URL and label trimmed of spaces and tabs" },
		{ "=>", "T:=>", "=> alone is text" },
		{ "=>   ", "T:=>", "=> and blanks is text" },
		{ "# One", "H1:One", "heading 1" },
		{ "## Two", "H2:Two", "heading 2" },
		{ "###Three", "H3:Three", "heading 3 without space" },
		{ "#### Four", "H3:# Four", "no level 4" },
		{ "#", "H1:", "empty heading" },
		{ "* item", "*:item", "list item" },
		{ "*item", "T:*item", "no space: not a list item" },
		{ "* ", "*:", "empty list item" },
		{ "> quoted", ">:quoted", "quote" },
		{ ">quoted", ">:quoted", "quote without space" },
		{ ">", ">:", "empty quote" },
		{ "```alt text \n  code\t \n# not a heading\n=> x y\n```\n"
		    "after",
		    "P+:alt text\np:  code\t \np:# not a heading\np:=> x y\n"
		    "P-:\nT:after", "preformatted block verbatim" },
		{ "```\r\nx\r\n```", "P+:\np:x\nP-:",
		    "preformatted with CRLF" },
		{ "```\nunclosed", "P+:\np:unclosed", "unclosed block" },
		{ "a\xFF\xFE" "b", "T:a\xFF\xFE" "b", "invalid UTF-8 passes" },
		{ "=> a\rb c", "L:a\rb|c", "stray CR inside a line is data" },
	};
	size_t	 i;

	for (i = 0; i < NITEMS(t); i++)
		tap_streq(parse(t[i].in, strlen(t[i].in)), t[i].want,
		    t[i].what);
}

static void
test_nul(void)
{
	static const char	 doc[] = "a\0b\n=> x\0y z";
	static const char	 want[] = "T:a\0b\nL:x\0y|z";

	parse(doc, sizeof(doc) - 1);
	tap_ok(out.len == sizeof(want) - 1 &&
	    memcmp(out.data, want, out.len) == 0,
	    "NUL bytes pass through as data");
}

static void
test_bounds(void)
{
	struct gemtext		 g;
	struct gemtext_line	 l;
	static const char	 doc[] = "# T\nxx";

	/* a length shorter than the string: nothing read past it */
	gemtext_init(&g, doc, 5);
	tap_ok(gemtext_next(&g, &l) && l.type == GEMTEXT_HEADING,
	    "bounded: heading");
	tap_ok(gemtext_next(&g, &l) && l.type == GEMTEXT_TEXT &&
	    l.textlen == 1, "bounded: one byte of the last line");
	tap_ok(!gemtext_next(&g, &l), "bounded: then the end");
	tap_ok(!gemtext_next(&g, &l), "bounded: and it stays there");
}

int
main(void)
{
	buf_init(&out, 0);
	test_table();
	test_nul();
	test_bounds();
	buf_free(&out);
	return tap_done();
}
