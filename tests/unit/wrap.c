/* Unit tests for src/wrap.c: wrapping in columns, not bytes. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "wrap.h"
#include "tap.h"
#include "nitems.h"

static struct buf out;

/* The wrapped lines joined by '|', each as prefix + text. */
static const char *
wrapped(const char *s, size_t width, const char *first, const char *rest)
{
	struct wrap	 w;
	struct wrap_line l;
	size_t		 n = 0;

	buf_reset(&out);
	wrap_init(&w, s, strlen(s), width, first, rest);
	while (wrap_next(&w, &l)) {
		if (n++ > 0)
			buf_putc(&out, '|');
		buf_append(&out, l.prefix, l.prefixlen);
		buf_append(&out, l.text, l.len);
		if (n > 1000)
			return "(runaway)";
	}
	return out.data != NULL ? out.data : "";
}

static void
test_table(void)
{
	static const struct {
		const char	*in;
		size_t		 width;
		const char	*first, *rest, *want, *what;
	} t[] = {
		{ "", 10, NULL, NULL, "", "empty text is one empty line" },
		{ "hello world", 11, NULL, NULL, "hello world", "fits" },
		{ "hello world", 10, NULL, NULL, "hello|world",
		    "breaks at space" },
		{ "hello world", 5, NULL, NULL, "hello|world", "exact width" },
		{ "a  b", 10, NULL, NULL, "a  b", "inner spaces kept" },
		{ "abc   ", 10, NULL, NULL, "abc", "trailing spaces cut" },
		{ "abc   def", 4, NULL, NULL, "abc|def",
		    "spaces at the break" },
		{ "  indented text", 20, NULL, NULL, "  indented text",
		    "first-line indentation kept" },
		{ "one\ttwo", 5, NULL, NULL, "one|two", "TAB is a blank" },
		{ "abcdefghij", 4, NULL, NULL, "abcd|efgh|ij",
		    "long word broken hard" },
		{ "a abcdefghij", 4, NULL, NULL, "a|abcd|efgh|ij",
		    "long word after a short one" },
		{ "well-known fact", 8, NULL, NULL, "well-|known|fact",
		    "break after a hyphen" },
		{ "a -5 b--c", 4, NULL, NULL, "a -5|b--c",
		    "no break at a leading or double hyphen" },
		{ "\xC3\xA9t\xC3\xA9 \xC3\xA9t\xC3\xA9", 3, NULL, NULL,
		    "\xC3\xA9t\xC3\xA9|\xC3\xA9t\xC3\xA9",
		    "two-byte letters count one column" },
		{ "\xD0\x91\xD0\xBE\xD1\x82\xD0\xB0 \xD0\x96\xD3\x99\xD1\x80",
		    7, NULL, NULL,
		    "\xD0\x91\xD0\xBE\xD1\x82\xD0\xB0|\xD0\x96\xD3\x99\xD1\x80",
		    "Cyrillic counted in characters" },
		{ "\xD0\x91\xD0\xBE\xD1\x82\xD0\xB0 \xD0\x96\xD3\x99\xD1\x80",
		    8, NULL, NULL,
		    "\xD0\x91\xD0\xBE\xD1\x82\xD0\xB0 \xD0\x96\xD3\x99\xD1\x80",
		    "Cyrillic fits in 8 columns (15 bytes)" },
		{ "\xE6\xBC\xA2\xE5\xAD\x97\xE6\xBC\xA2\xE5\xAD\x97"
		    "\xE6\xBC\xA2",
		    4, NULL, NULL,
		    "\xE6\xBC\xA2\xE5\xAD\x97|\xE6\xBC\xA2\xE5\xAD\x97|"
		    "\xE6\xBC\xA2", "CJK: two columns each, breaks between" },
		{ "\xE6\xBC\xA2", 1, NULL, NULL, "\xE6\xBC\xA2",
		    "a wide character wider than the width still goes out" },
		{ "e\xCC\x81" "e\xCC\x81" "e\xCC\x81", 2, NULL, NULL,
		    "e\xCC\x81" "e\xCC\x81|e\xCC\x81",
		    "combining marks stay with their letter" },
		{ "one two three", 7, "* ", "  ", "* one|  two|  three",
		    "list: hanging indent" },
		{ "to be or not to be", 8, "> ", "> ",
		    "> to be|> or not|> to be",
		    "quote: prefix on every line" },
		{ "", 10, "* ", "  ", "*", "empty item: no trailing space" },
		{ "abcdef", 3, "[12] ", "     ", "[12] a|     b|     c|     d|"
		    "     e|     f", "prefix wider than the width" },
		{ "a b c d e", 0, NULL, NULL, "a b c d e", "width 0: no wrap" },
		{ "   ", 10, NULL, NULL, "", "only blanks: one empty line" },
		{ "ab\xFF\xFE" "cd", 3, NULL, NULL, "ab\xFF|\xFE" "cd",
		    "invalid bytes count one column" },
	};
	size_t	 i;

	for (i = 0; i < NITEMS(t); i++)
		tap_streq(wrapped(t[i].in, t[i].width, t[i].first, t[i].rest),
		    t[i].want, t[i].what);
}

static void
test_width(void)
{
	tap_ok(wrap_width("abc", 3) == 3, "width: ASCII");
	tap_ok(wrap_width("\xC3\xA9\xC3\xA9", 4) == 2, "width: Latin-1");
	tap_ok(wrap_width("\xE6\xBC\xA2\xE5\xAD\x97", 6) == 4, "width: CJK");
	tap_ok(wrap_width("e\xCC\x81", 3) == 1, "width: combining");
	tap_ok(wrap_width("a\xE2\x80\x8B" "b", 5) == 2, "width: zero-width");
	tap_ok(wrap_width("\xF0\x9F\x98\x80", 4) == 2, "width: emoji");
	tap_ok(wrap_cpwidth(0x1B) == 0, "cpwidth: ESC takes none");
	tap_ok(wrap_cut("abcdef", 6, 4) == 4, "cut: ASCII");
	tap_ok(wrap_cut("\xC3\xA9\xC3\xA9\xC3\xA9", 6, 2) == 4,
	    "cut: never inside a character");
	tap_ok(wrap_cut("e\xCC\x81" "f", 4, 1) == 3,
	    "cut: keeps the combining mark");
	tap_ok(wrap_cut("\xE6\xBC\xA2\xE5\xAD\x97", 6, 3) == 3,
	    "cut: a wide character that does not fit stays out");
}

static void
test_cols(void)
{
	struct wrap	 w;
	struct wrap_line l;
	const char	*s = "\xD0\x96\xD3\x99\xD1\x80 abc";

	wrap_init(&w, s, strlen(s), 6, "> ", "> ");
	tap_ok(wrap_next(&w, &l) && l.cols == 5 && l.len == 6,
	    "cols counts prefix and text");
	tap_ok(wrap_next(&w, &l) && l.cols == 5, "second line cols");
	tap_ok(!wrap_next(&w, &l), "then done");
	tap_ok(!wrap_next(&w, &l), "and stays done");
}

/* Appends s to b without its spaces. */
static void
squeeze(struct buf *b, const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ')
			buf_putc(b, s[i]);
}

/* Words of a long mixed text come out whole, in order, within the width. */
static void
test_property(void)
{
	static const char *const words[] = {
		"Bota", ("\xD0\x96\xD3\x99\xD1\x80\xD0\xB4\xD0\xB5\xD0\xBC"
		"\xD3\x99\xD0\xBB\xD0\xB8"), "lawyer", "refugee", "in",
		    "Belgium,",
		"\xE2\x80\x9Cquoted\xE2\x80\x9D", "a",
		    "verylongwordthatneverends",
		"\xE6\xBC\xA2\xE5\xAD\x97", "e\xCC\x81t\xC3\xA9", "--",
	};
	struct buf	 in, want, got;
	struct wrap	 w;
	struct wrap_line l;
	size_t		 i, width;
	int		 ok_width = 1, ok_trail = 1, ok_chars = 1;

	buf_init(&in, 0);
	buf_init(&want, 0);
	buf_init(&got, 0);
	for (i = 0; i < 400; i++) {
		if (i > 0)
			buf_putc(&in, ' ');
		buf_puts(&in, words[(i * 7 + i / 3) % NITEMS(words)]);
	}
	squeeze(&want, in.data, in.len);
	for (width = 1; width <= 80; width++) {
		wrap_init(&w, in.data, in.len, width, NULL, NULL);
		buf_reset(&got);
		while (wrap_next(&w, &l)) {
			/* only a lone wide character may overflow width 1 */
			if (l.cols > width && wrap_width(l.text, l.len) > 2)
				ok_width = 0;
			if (l.len > 0 && l.text[l.len - 1] == ' ')
				ok_trail = 0;
			squeeze(&got, l.text, l.len);
		}
		if (got.len != want.len ||
		    memcmp(got.data, want.data, want.len) != 0)
			ok_chars = 0;
	}
	tap_ok(ok_width, "no line wider than the width (1 to 80)");
	tap_ok(ok_trail, "no line ends in a space");
	tap_ok(ok_chars, "no character lost or added");
	buf_free(&in);
	buf_free(&want);
	buf_free(&got);
}

int
main(void)
{
	buf_init(&out, 0);
	test_table();
	test_width();
	test_cols();
	test_property();
	buf_free(&out);
	return tap_done();
}
