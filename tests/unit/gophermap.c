/* Unit tests for src/gophermap.c: gemtext as Gopher menus and text. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "charset.h"
#include "gophermap.h"
#include "mime.h"
#include "wrap.h"
#include "tap.h"
#include "nitems.h"

#define HOST	"gopher.example.org"
#define TAIL	"\t" HOST "\t70"

static const char *const gemini_hosts[] = { "example.org", "localhost",
    NULL };
static struct buf out;
static int calls;

/* Stands for the file layer: the type of what a selector names. */
static char
item_type(void *arg, const char *sel)
{
	char	 t;

	(*(int *)arg)++;
	if (strcmp(sel, "/dir/missing.gmi") == 0)
		return 0;
	if (strcmp(sel, "/dir/sub") == 0)
		return '1';
	t = mime_item(sel);
	return t ? t : '9';
}

static struct gophermap_opts
opts(enum charset cs, size_t width)
{
	struct gophermap_opts	 o;

	memset(&o, 0, sizeof(o));
	o.host = HOST;
	o.port = 70;
	o.gemini_hosts = gemini_hosts;
	o.width = width;
	o.charset = cs;
	o.item_type = item_type;
	o.arg = &calls;
	return o;
}

static const char *
menu(const char *doc, const char *base, const char *textsel,
    enum charset cs, size_t width)
{
	struct gophermap_opts	 o = opts(cs, width);

	buf_reset(&out);
	if (gophermap_menu(&out, &o, base, textsel, doc, strlen(doc)) == -1)
		return "(failed)";
	return out.data;
}

static const char *
text(const char *doc, const char *base, enum charset cs)
{
	struct gophermap_opts	 o = opts(cs, 0);

	buf_reset(&out);
	if (gophermap_text(&out, &o, base, doc, strlen(doc)) == -1)
		return "(failed)";
	return out.len ? out.data : "";
}

/* The first menu line of a rendering, without its CRLF. */
static const char *
first_line(const char *s)
{
	static char	 line[2048];
	const char	*e;
	size_t		 n;

	if ((e = strstr(s, "\r\n")) == NULL)
		return s;
	n = (size_t)(e - s);
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, s, n);
	line[n] = '\0';
	return line;
}

static void
test_links(void)
{
	static const struct {
		const char	*link, *want, *what;
	} t[] = {
		/* into the capsule, resolved against /dir/page.gmi */
		{ "other.gmi L", "1L\t/dir/other.gmi" TAIL, "relative .gmi" },
		{ "../top.gmi L", "1L\t/top.gmi" TAIL, "relative .." },
		{ "../../../etc/x.txt L", "0L\t/etc/x.txt" TAIL,
		    ".. cannot climb above the root" },
		{ "./sub/ L", "1L\t/dir/sub/" TAIL, "directory with slash" },
		{ "sub L", "1L\t/dir/sub" TAIL, "directory: the caller says" },
		{ "/abs/pic.png L", "IL\t/abs/pic.png" TAIL, "absolute path" },
		{ "/a/./b/../c.txt L", "0L\t/a/c.txt" TAIL, "dot segments" },
		{ "anim.gif L", "gL\t/dir/anim.gif" TAIL, "GIF" },
		{ "song.mp3 L", "sL\t/dir/song.mp3" TAIL, "audio" },
		{ "doc.pdf L", "dL\t/dir/doc.pdf" TAIL, "PDF" },
		{ "page.html L", "hL\t/dir/page.html" TAIL, "HTML file" },
		{ "blob.bin L", "9L\t/dir/blob.bin" TAIL, "binary" },
		{ "my%20file.txt L", "0L\t/dir/my file.txt" TAIL,
		    "percent-decoded" },
		{ "%2E%2E/up.txt L", "0L\t/up.txt" TAIL,
		    "encoded dots are dots" },
		{ "page.gmi?q=1#frag L", "1L\t/dir/page.gmi" TAIL,
		    "query and fragment dropped" },
		{ "#top L", "1L\t/dir/page.gmi" TAIL, "fragment: this page" },
		{ "missing.gmi Gone", "iGone\t" TAIL, "nothing there: text" },
		{ "a%2Fb.txt L", "iL\t" TAIL, "encoded slash: text" },
		{ "bad%zz L", "iL\t" TAIL, "bad escape: text" },
		{ "x%0D%0A.txt L", "iL\t" TAIL, "encoded CRLF: text" },
		{ "x%09y.txt L", "iL\t" TAIL, "encoded TAB: text" },
		{ "x%00.txt L", "iL\t" TAIL, "encoded NUL: text" },
		/* gemini:// to this capsule */
		{ "gemini://example.org/profile.gmi L", "1L\t/profile.gmi" TAIL,
		    "gemini:// own host" },
		{ "gemini://EXAMPLE.ORG.:1965/a/../b.gmi L", "1L\t/b.gmi" TAIL,
		    "own host: case, trailing dot, port" },
		{ "gemini://localhost L", "1L\t/" TAIL, "own host, no path" },
		{ "//example.org/x.gmi L", "1L\t/x.gmi" TAIL,
		    "network-path reference" },
		{ "gemini://example.org:1966/x.gmi L",
		    "hL\tURL:gemini://example.org:1966/x.gmi" TAIL,
		    "own host, other port: out" },
		{ "gemini://other.net/x.gmi L",
		    "hL\tURL:gemini://other.net/x.gmi" TAIL, "other capsule" },
		{ "//other.net/x L", "hL\tURL:gemini://other.net/x" TAIL,
		    "network-path to another host" },
		{ "gemini://u@example.org/x L",
		    "hL\tURL:gemini://u@example.org/x" TAIL, "userinfo: out" },
		/* gopher:// */
		{ "gopher://gopher.floodgap.com/1/world L",
		    "1L\t/world\tgopher.floodgap.com\t70", "gopher menu" },
		{ "gopher://host.net:7070/0/a%20b.txt L",
		    "0L\t/a b.txt\thost.net\t7070", "gopher port, decoded" },
		{ "gopher://host.net L", "1L\t\thost.net\t70",
		    "gopher, no path" },
		{ "gopher://host.net/ L", "1L\t\thost.net\t70",
		    "gopher, root" },
		{ "gopher://host.net/7/find%09kazakh L",
		    "7L\t/find\thost.net\t70", "gopher search string dropped" },
		{ "gopher://[2001:db8::1]:70/1/ L", "1L\t/\t2001:db8::1\t70",
		    "gopher IPv6 host" },
		{ "gopher://host.net/0/a%0Db L",
		    "hL\tURL:gopher://host.net/0/a%0Db" TAIL,
		    "gopher, CR in selector: URL:" },
		{ "gopher://ho%0Ast/1/ L", "hL\tURL:gopher://ho%0Ast/1/" TAIL,
		    "gopher, bad host: URL:" },
		/* everything else */
		{ "https://example.com/a?b=c L",
		    "hL\tURL:https://example.com/a?b=c" TAIL, "https" },
		{ "HTTP://example.com/ L", "hL\tURL:HTTP://example.com/" TAIL,
		    "scheme case" },
		{ "http://x/caf\xC3\xA9\"<> L",
		    "hL\tURL:http://x/caf%C3%A9%22%3C%3E" TAIL,
		    "URL percent-encoded" },
		{ "mailto:bota@example.org Mail", "hMail\tURL:mailto:bota@"
		    "example.org" TAIL, "mailto" },
		{ "javascript:alert(1) L", "iL\t" TAIL, "javascript: text" },
		{ "data:text/html,x L", "iL\t" TAIL, "data: text" },
		/* labels */
		{ "https://example.com/", "hhttps://example.com/\t"
		    "URL:https://example.com/" TAIL, "no label: the URL" },
		{ "x.txt a\tb\x01" "c", "0a bc\t/dir/x.txt" TAIL,
		    "label cleaned" },
		{ "https://x/ \xE2\x80\x8B\x01", "hhttps://x/\tURL:https://x/"
		    TAIL, "invisible label: the URL" },
	};
	size_t	 i;
	char	 doc[512];
	int	 n;

	for (i = 0; i < NITEMS(t); i++) {
		n = snprintf(doc, sizeof(doc), "=> %s\n", t[i].link);
		if (n < 0 || (size_t)n >= sizeof(doc))
			continue;
		tap_streq(first_line(menu(doc, "/dir/page.gmi", NULL,
		    CHARSET_UTF8, 0)), t[i].want, t[i].what);
	}
}

static void
test_long_selector(void)
{
	char	 doc[1200];

	memset(doc, 'a', sizeof(doc));
	memcpy(doc, "=> https://x/", 13);
	memcpy(doc + sizeof(doc) - 4, " L\n", 4);
	doc[sizeof(doc) - 1] = '\0';
	tap_streq(first_line(menu(doc, "/", NULL, CHARSET_UTF8, 0)),
	    "iL\t" TAIL, "URL: selector over 1024 bytes: text");
	memcpy(doc, "=> /xxxxxxxxx", 13);
	tap_streq(first_line(menu(doc, "/", NULL, CHARSET_UTF8, 0)),
	    "iL\t" TAIL, "local selector over 1024 bytes: text");
}

static void
test_base(void)
{
	tap_streq(first_line(menu("=> a.gmi L", "/", NULL, CHARSET_UTF8, 0)),
	    "1L\t/a.gmi" TAIL, "base /");
	tap_streq(first_line(menu("=> a.gmi L", "", NULL, CHARSET_UTF8, 0)),
	    "1L\t/a.gmi" TAIL, "base empty");
	tap_streq(first_line(menu("=> a.gmi L", NULL, NULL, CHARSET_UTF8, 0)),
	    "1L\t/a.gmi" TAIL, "base NULL");
	tap_streq(first_line(menu("=> a.gmi L", "/d/", NULL, CHARSET_UTF8,
	    0)), "1L\t/d/a.gmi" TAIL, "base a directory");
	tap_streq(first_line(menu("=> ../a.gmi L", "/d/", NULL, CHARSET_UTF8,
	    0)), "1L\t/a.gmi" TAIL, "base a directory, ..");
	tap_streq(first_line(menu("=> gopher://h/1/ L", "/", NULL,
	    CHARSET_UTF8, 0)), "1L\t/\th\t70",
	    "gopher:// needs no file lookup");
}

static void
test_label_width(void)
{
	char	 doc[256], want[256];

	snprintf(doc, sizeof(doc), "=> x.txt %0100d", 0);
	snprintf(want, sizeof(want), "0%066d\xE2\x80\xA6\t/dir/x.txt" TAIL, 0);
	tap_streq(first_line(menu(doc, "/dir/", NULL, CHARSET_UTF8, 0)), want,
	    "long label: 66 columns and an ellipsis (utf-8)");
	snprintf(want, sizeof(want), "0%064d...\t/dir/x.txt" TAIL, 0);
	tap_streq(first_line(menu(doc, "/dir/", NULL, CHARSET_ASCII, 0)), want,
	    "long label: 64 columns and ... (ascii)");
	tap_streq(first_line(menu("=> x.txt \xD0\x96\xD3\x99\xD1\x80\xD0\xB4"
	    "\xD0\xB5\xD0\xBC\xD3\x99\xD0\xBB\xD0\xB8", "/", NULL,
	    CHARSET_UTF8, 9)), "0\xD0\x96\xD3\x99\xD1\x80\xD0\xB4\xD0\xB5"
	    "\xD0\xBC\xD3\x99\xD0\xBB\xD0\xB8\t/x.txt" TAIL,
	    "9 letters fit 9 columns (18 bytes)");
	tap_streq(first_line(menu("=> x.txt \xD0\x96\xD3\x99\xD1\x80\xD0\xB4"
	    "\xD0\xB5\xD0\xBC\xD3\x99\xD0\xBB\xD0\xB8", "/", NULL,
	    CHARSET_UTF8, 8)), "0\xD0\x96\xD3\x99\xD1\x80\xD0\xB4\xD0\xB5"
	    "\xD0\xBC\xD3\x99\xE2\x80\xA6\t/x.txt" TAIL,
	    "shortened in characters, not bytes");
}

/* Every line: type, display, selector, host, port; CRLF; "." last. */
static int
menu_shape_ok(const char *s, size_t len, size_t width, char *why,
    size_t whylen)
{
	const char	*p = s, *end = s + len, *e, *tab;
	size_t		 tabs, lineno = 0;

	while (p < end) {
		lineno++;
		for (e = p; e < end && *e != '\r' && *e != '\n' && *e != '\0';
		    e++)
			;
		if (e + 1 >= end || e[0] != '\r' || e[1] != '\n') {
			snprintf(why, whylen, "line %zu: no CRLF", lineno);
			return 0;
		}
		if (e - p == 1 && *p == '.') {
			if (e + 2 != end) {
				snprintf(why, whylen, "data after .");
				return 0;
			}
			return 1;
		}
		tabs = 0;
		for (tab = p; tab < e; tab++)
			tabs += *tab == '\t';
		if (tabs != 3 || p[0] == '\t') {
			snprintf(why, whylen, "line %zu: %zu tabs", lineno,
			    tabs);
			return 0;
		}
		if (p[0] == 'i' && strncmp(memchr(p, '\t', (size_t)(e - p)),
		    "\t\t" HOST "\t70\r\n", strlen(HOST) + 7) != 0) {
			snprintf(why, whylen, "line %zu: info tail", lineno);
			return 0;
		}
		tab = memchr(p, '\t', (size_t)(e - p));
		if (width > 0 && p[0] == 'i' &&
		    wrap_width(p + 1, (size_t)(tab - p - 1)) > width) {
			snprintf(why, whylen, "line %zu: too wide", lineno);
			return 0;
		}
		p = e + 2;
	}
	snprintf(why, whylen, "no final .");
	return 0;
}

static const char sample[] =
    "\xEF\xBB\xBF# Bota \xD0\x96\xD3\x99\xD1\x80\xD0\xB4\xD0\xB5\xD0\xBC\xD3"
    "\x99\xD0\xBB\xD0\xB8 \xE2\x80\x94 testimony\r\n"
    "\r\n"
    "I am a lawyer. \xE2\x80\x9CThe regime\xE2\x80\x9D persecuted my family "
    "and colleagues for years; this is what happened, in my own words, "
    "with every source listed at the end\xE2\x80\xA6\r\n"
    "## Sources\n"
    "* A list item long enough to be wrapped over more than one line at "
    "sixty-seven columns, with a hanging indent\n"
    "> A quotation long enough to be wrapped over more than one line at "
    "sixty-seven columns, prefixed on each\n"
    "```ascii art\n"
    "\t+--+\tbox\n"
    ".\n"
    "```\n"
    "=> references.gmi The reference list\n"
    "=> https://example.com/\x01x A web page\twith a tab\n"
    "=> gopher://gopher.floodgap.com/1/ Floodgap\n"
    "=> mailto:x@example.org\n"
    "Control\x1b[31m characters\x7f and a NUL \0 byte.\n"
    "\xE6\xBC\xA2\xE5\xAD\x97\xE6\xBC\xA2\xE5\xAD\x97 \xFF\xFE invalid\n"
    ".\n"
    "..\n"
    "### Third level\n";

static void
test_shape(void)
{
	static const enum charset	 cs[] = {
		CHARSET_UTF8, CHARSET_LATIN1, CHARSET_ASCII
	};
	struct gophermap_opts	 o;
	char			 why[64];
	size_t			 i, j, w;
	int			 high;

	for (i = 0; i < NITEMS(cs); i++) {
		for (w = 20; w <= 80; w += 30) {
			o = opts(cs[i], w);
			buf_reset(&out);
			gophermap_menu(&out, &o, "/testimony.gmi",
			    "/testimony.txt", sample, sizeof(sample) - 1);
			why[0] = '\0';
			tap_ok(menu_shape_ok(out.data, out.len, w, why,
			    sizeof(why)), "menu shape, %s, width %zu %s",
			    charset_name(cs[i]), w, why);
			high = 0;
			for (j = 0; j < out.len; j++)
				if ((unsigned char)out.data[j] > 127)
					high = 1;
			if (cs[i] == CHARSET_ASCII)
				tap_ok(!high, "ascii menu: no byte above 127");
		}
	}
}

static void
test_menu_exact(void)
{
	static const char	 doc[] =
	    "# Title\n"
	    "\n"
	    "Some text.\n"
	    "* item\n"
	    "> quote\n"
	    ">\n"
	    "```alt\n"
	    "a\tb\n"
	    "```\n"
	    "=> other.gmi Other\n"
	    "## Next\n"
	    "text\n";

	tap_streq(menu(doc, "/page.gmi", "/page.txt", CHARSET_UTF8, 0),
	    "iTitle\t" TAIL "\r\n"
	    "i=====\t" TAIL "\r\n"
	    "i\t" TAIL "\r\n"
	    "0This page as plain text\t/page.txt" TAIL "\r\n"
	    "i\t" TAIL "\r\n"
	    "iSome text.\t" TAIL "\r\n"
	    "i* item\t" TAIL "\r\n"
	    "i> quote\t" TAIL "\r\n"
	    "i>\t" TAIL "\r\n"
	    "ia       b\t" TAIL "\r\n"
	    "1Other\t/other.gmi" TAIL "\r\n"
	    "iNext\t" TAIL "\r\n"
	    "i----\t" TAIL "\r\n"
	    "i\t" TAIL "\r\n"
	    "itext\t" TAIL "\r\n"
	    ".\r\n", "menu: every line type, text offer after the title");
	tap_streq(menu("Hello\n", "/p.gmi", "/p.txt", CHARSET_UTF8, 0),
	    "0This page as plain text\t/p.txt" TAIL "\r\n"
	    "i\t" TAIL "\r\n"
	    "iHello\t" TAIL "\r\n"
	    ".\r\n", "menu: text offer on top without a title");
	tap_streq(menu("", "/p.gmi", NULL, CHARSET_UTF8, 0), ".\r\n",
	    "menu: empty page");
	tap_streq(menu("one two three four", "/", NULL, CHARSET_UTF8, 9),
	    "ione two\t" TAIL "\r\n"
	    "ithree\t" TAIL "\r\n"
	    "ifour\t" TAIL "\r\n"
	    ".\r\n", "menu: wrapped at the width");
	tap_streq(first_line(menu("# \xD0\x96\xD3\x99\xD1\x80 \xE2\x80\x94"
	    "\n", "/", NULL, CHARSET_ASCII, 0)), "iZhar --\t" TAIL,
	    "ascii heading transliterated");
	tap_streq(strchr(menu("# \xD0\x96\xD3\x99\xD1\x80 \xE2\x80\x94\n",
	    "/", NULL, CHARSET_ASCII, 0), '\n') + 1, "i=======\t" TAIL "\r\n"
	    "i\t" TAIL "\r\n.\r\n",
	    "ascii underline as wide as the transliteration");
	tap_streq(strchr(menu("# \xD0\x96\xD3\x99\xD1\x80 \xE2\x80\x94\n",
	    "/", NULL, CHARSET_UTF8, 0), '\n') + 1, "i=====\t" TAIL "\r\n"
	    "i\t" TAIL "\r\n.\r\n", "utf-8 underline in characters");
	tap_streq(first_line(menu("caf\xC3\xA9\n", "/", NULL, CHARSET_LATIN1,
	    0)), "icaf\xE9\t" TAIL, "latin1 display");
}

static void
test_text(void)
{
	static const char	 doc[] =
	    "# Title\n"
	    "\n"
	    "See the profile.\n"
	    "=> profile.gmi Her profile\n"
	    "=> https://example.com/a b\n"
	    "=> /my file.txt\n"
	    ".\n"
	    ".hidden\n"
	    "* .item\n"
	    "```\n"
	    ".\n"
	    "```\n";
	const char	*s;

	tap_streq(text(doc, "/dir/index.gmi", CHARSET_UTF8),
	    "Title\r\n"
	    "=====\r\n"
	    "\r\n"
	    "See the profile.\r\n"
	    "[L1] Her profile\r\n"
	    "[L2] b\r\n"
	    "[L3] file.txt\r\n"
	    " .\r\n"
	    " .hidden\r\n"
	    "* .item\r\n"
	    " .\r\n"
	    "\r\n"
	    "Links\r\n"
	    "-----\r\n"
	    "\r\n"
	    "[L1] gopher://" HOST "/1/dir/profile.gmi\r\n"
	    "[L2] https://example.com/a\r\n"
	    "[L3] gopher://" HOST "/9/my\r\n",
	    "text: numbered links, URLs at the end, no lone dot");
	s = text("=> x.txt " "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii "
	    "jjjj kkkk llll mmmm nnnn oooo", "/", CHARSET_UTF8);
	tap_streq(s, "[L1] aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj "
	    "kkkk llll\r\n     mmmm nnnn oooo\r\n\r\nLinks\r\n-----\r\n\r\n"
	    "[L1] gopher://" HOST "/0/x.txt\r\n",
	    "text: long label wrapped under its number");
	tap_streq(text("=> caf%C3%A9%20x.txt L", "/", CHARSET_UTF8) +
	    strlen("[L1] L\r\n\r\nLinks\r\n-----\r\n\r\n"),
	    "[L1] gopher://" HOST "/0/caf%C3%A9%20x.txt\r\n",
	    "text: selector percent-encoded in the URL");
	tap_streq(text("=> nothing.gmi L", "/dir/missing.gmi",
	    CHARSET_UTF8), "[L1] L\r\n\r\nLinks\r\n-----\r\n\r\n"
	    "[L1] gopher://" HOST "/1/dir/nothing.gmi\r\n",
	    "text: own links as gopher:// URLs");
	tap_streq(text("=> missing.gmi L", "/dir/", CHARSET_UTF8),
	    "[L1] L\r\n\r\nLinks\r\n-----\r\n\r\n[L1] missing.gmi\r\n",
	    "text: a dead link keeps its URL");
	tap_streq(text("", "/", CHARSET_UTF8), "", "text: empty page, no \".\" line");
}

static void
test_helpers(void)
{
	struct gophermap_opts	 o = opts(CHARSET_ASCII, 0);

	buf_reset(&out);
	tap_ok(gophermap_error(&out, &o, "Not found: \xE2\x80\x9C/x\tx"
	    "\xE2\x80\x9D\r\n") == 0 && strcmp(out.data,
	    "3Not found: \"/x x\"\t" TAIL "\r\n.\r\n") == 0,
	    "error: one type-3 line, cleaned, and .");
	buf_reset(&out);
	tap_ok(gophermap_item(&out, &o, 'I', "Photo\tx", 7, "/p.png") == 0 &&
	    strcmp(out.data, "IPhoto x\t/p.png" TAIL "\r\n") == 0, "item");
	buf_reset(&out);
	tap_ok(gophermap_item(&out, &o, 'i', "", 0, NULL) == 0 &&
	    strcmp(out.data, "i\t" TAIL "\r\n") == 0, "empty info item");
	tap_ok(gophermap_item(&out, &o, '1', "x", 1, "/a\tb") == -1,
	    "item: TAB in selector refused");
	tap_ok(gophermap_item(&out, &o, '\t', "x", 1, "/a") == -1,
	    "item: TAB as type refused");
	o.host = "bad\thost";
	tap_ok(gophermap_error(&out, &o, "x") == -1, "TAB in host refused");
	o.host = "";
	tap_ok(gophermap_error(&out, &o, "x") == -1, "empty host refused");
	o.host = HOST;
	o.port = 0;
	tap_ok(gophermap_error(&out, &o, "x") == -1, "port 0 refused");
	o.port = 70;
	tap_ok(gophermap_menu(&out, &o, "/a\tb", NULL, "x", 1) == -1,
	    "TAB in the page selector refused");
	tap_ok(gophermap_menu(&out, &o, "/", "/t\r\n", "x", 1) == -1,
	    "CRLF in the text selector refused");
}

static void
test_urlpage(void)
{
	static const char	 evil[] =
	    "https://x.org/\"><script>alert(1)</script>&'";
	const char	*s;

	buf_reset(&out);
	tap_ok(gophermap_urlpage(&out, evil, strlen(evil)) == 0,
	    "URL page built");
	s = out.data;
	tap_ok(strstr(s, "\"><script>") == NULL && strcasestr(s, "<script") ==
	    NULL, "URL page: \"><script> escaped");
	tap_ok(strstr(s, "&amp;&#39;") != NULL, "URL page: & and ' escaped");
	tap_ok(strstr(s, "CONTENT=\"5;URL=https://x.org/%22%3E%3Cscript%3E")
	    != NULL, "URL page: refresh in 5 s to the URL");
	tap_ok(strstr(s, "HTML 3.2") != NULL && strcasestr(s, "src=") == NULL,
	    "URL page: HTML 3.2, nothing loaded");
	buf_reset(&out);
	tap_ok(gophermap_urlpage(&out, "gemini://a/\xC3\xA9", 13) == 0 &&
	    strstr(out.data, "gemini://a/%C3%A9") != NULL,
	    "URL page: 8-bit bytes percent-encoded");
	tap_ok(gophermap_urlpage(&out, "javascript:alert(1)", 19) == -1,
	    "URL page: javascript: refused");
	tap_ok(gophermap_urlpage(&out, "data:text/html,x", 16) == -1,
	    "URL page: data: refused");
	tap_ok(gophermap_urlpage(&out, "file:///etc/passwd", 18) == -1,
	    "URL page: file: refused");
	tap_ok(gophermap_urlpage(&out, "/relative", 9) == -1,
	    "URL page: no scheme refused");
	tap_ok(gophermap_urlpage(&out, "http://a/\r\nx", 12) == -1,
	    "URL page: CRLF refused");
	tap_ok(gophermap_urlpage(&out, "http://a/ b", 11) == -1,
	    "URL page: space refused");
	tap_ok(gophermap_urlpage(&out, "MAILTO:a@b", 10) == 0,
	    "URL page: scheme case-insensitive");
}

static void
test_bounded(void)
{
	struct gophermap_opts	 o = opts(CHARSET_UTF8, 0);
	struct buf		 b;

	buf_init(&b, 64);
	tap_ok(gophermap_menu(&b, &o, "/", NULL, sample, sizeof(sample) - 1) ==
	    -1, "menu: -1 past the buffer's max");
	buf_free(&b);
	buf_init(&b, 64);
	tap_ok(gophermap_text(&b, &o, "/", sample, sizeof(sample) - 1) == -1,
	    "text: -1 past the buffer's max");
	buf_free(&b);
}

/*
 * A preformatted table keeps its columns in every charset: each
 * character's replacement takes the columns the character took.
 */
static void
test_pre_width(void)
{
	static const char	 table[] =
	    "```\n"
	    "| Item   | Price |\n"
	    "| M\xC3\xBCsli  | \xE2\x82\xAC 5   |\n"		/* ü, € */
	    "| \xC5\x81\xC3\xB3" "d\xC5\xBA   | 3 \xE2\x80\x94 4 |\n"	/* Ł ó ź — */
	    "| \xE6\xBC\xA2\xE5\xAD\x97   | \xE2\x80\xA6     |\n"	/* wide, … */
	    "```\n";
	static const enum charset	 cs[] = {
		CHARSET_LATIN1, CHARSET_ASCII
	};
	const char	*s, *e;
	char		 first[64], bars[64];
	size_t		 i, j, n, bad;

	for (i = 0; i < NITEMS(cs); i++) {
		s = text(table, "/", cs[i]);
		bad = n = 0;
		/* where each line has its '|' (Latin-1: a byte a column) */
		for (; (e = strstr(s, "\r\n")) != NULL; s = e + 2, n++) {
			memset(bars, ' ', sizeof(bars));
			for (j = 0; s + j < e && j < sizeof(bars) - 1; j++)
				if (s[j] == '|')
					bars[j] = '|';
			bars[j] = '\0';
			if (n == 0)
				memcpy(first, bars, sizeof(first));
			else if (strcmp(first, bars) != 0)
				bad++;
		}
		tap_ok(n == 4 && bad == 0, "pre: %s table stays aligned "
		    "(%zu lines, %zu off)", charset_name(cs[i]), n, bad);
	}
	s = text("```\n|\xE2\x82\xAC|\n```\n", "/", CHARSET_ASCII);
	tap_streq(s, "|E|\r\n", "pre: the euro sign in one column, ascii");
	s = text("|\xE2\x82\xAC|\n", "/", CHARSET_ASCII);
	tap_streq(s, "|EUR|\r\n", "... and spelled out outside preformatted text");
}

int
main(void)
{
	buf_init(&out, 0);
	test_links();
	test_long_selector();
	test_base();
	test_label_width();
	test_shape();
	test_menu_exact();
	test_text();
	test_pre_width();
	test_helpers();
	test_urlpage();
	test_bounded();
	tap_ok(calls > 0, "the item type callback was used");
	buf_free(&out);
	return tap_done();
}
