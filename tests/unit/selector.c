/* Unit tests for src/selector.c: the Gopher request line. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "selector.h"
#include "tap.h"
#include "nitems.h"

static const char *
status_name(int st)
{
	switch (st) {
	case SELECTOR_OK:
		return "OK";
	case SELECTOR_MORE:
		return "MORE";
	case SELECTOR_TOOLONG:
		return "TOOLONG";
	case SELECTOR_BAD:
		return "BAD";
	case SELECTOR_HTTP:
		return "HTTP";
	}
	return "?";
}

/*
 * The verdict as one string: "STATUS sel=<s> search=<s|-> plus=<c><arg>
 * len=<n>".
 */
static const char *
parse(const char *s, size_t len)
{
	static struct buf	 b;
	struct selector_req	 r;
	int			 st;

	buf_free(&b);
	st = selector_parse(s, len, &r);
	buf_printf(&b, "%s", status_name(st));
	if (st != SELECTOR_OK && st != SELECTOR_HTTP)
		return b.data;
	buf_printf(&b, " sel=%.*s", (int)r.sellen, r.sel);
	if (r.search != NULL)
		buf_printf(&b, " search=%.*s", (int)r.searchlen, r.search);
	if (r.plus)
		buf_printf(&b, " plus=%c%.*s", r.plus, (int)r.plusarglen,
		    r.plusarg);
	buf_printf(&b, " len=%zu", r.reqlen);
	return b.data;
}

static void
test_table(void)
{
	static const struct {
		const char	*in, *want, *what;
	} t[] = {
		{ "\r\n", "OK sel= len=2", "empty selector: the root" },
		{ "/profile.gmi\r\n", "OK sel=/profile.gmi len=14", "CRLF" },
		{ "/profile.gmi\n", "OK sel=/profile.gmi len=13", "bare LF" },
		{ "/x\r\nextra", "OK sel=/x len=4",
		    "bytes after the line end" },
		{ "", "MORE", "nothing yet" },
		{ "/profile", "MORE", "no line end yet" },
		{ "/profile\r", "MORE", "CR without its LF yet" },
		{ "/a\rb\r\n", "BAD", "stray CR" },
		{ "/a\x1b[m\r\n", "BAD", "escape character" },
		{ "/a\x7f\r\n", "BAD", "DEL" },
		{ "/search\tkazakh lawyer\r\n",
		    "OK sel=/search search=kazakh lawyer len=23",
		    "search string" },
		{ "/search\t\r\n", "OK sel=/search search= len=10",
		    "empty search string" },
		{ "/dir\t$\r\n", "OK sel=/dir plus=$ len=8", "Gopher+ \\t$" },
		{ "/f\t+\r\n", "OK sel=/f plus=+ len=6", "Gopher+ \\t+" },
		{ "/f\t!\r\n", "OK sel=/f plus=! len=6", "Gopher+ \\t!" },
		{ "/f\t!+ABSTRACT\r\n", "OK sel=/f plus=!+ABSTRACT len=15",
		    "Gopher+ attribute request" },
		{ "/f\t+text/plain\t1\r\n",
		    "OK sel=/f plus=+text/plain\t1 len=18",
		    "Gopher+ representation and data flag" },
		{ "/s\tq\t+\r\n", "OK sel=/s search=q plus=+ len=8",
		    "search then Gopher+" },
		{ "\t$\n", "OK sel= plus=$ len=3", "root with \\t$" },
		{ "/caf\xC3\xA9\r\n", "OK sel=/caf\xC3\xA9 len=8",
		    "8-bit bytes are data" },
		{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP sel=/ len=16",
		    "HTTP GET" },
		{ "GET /profile.gmi HTTP/1.0\n", "HTTP sel=/profile.gmi len=26",
		    "HTTP/1.0 with bare LF" },
		{ "HEAD /x HTTP/1.1\r\n", "HTTP sel=/x len=18", "HTTP HEAD" },
		{ "GET / HTTP/1.1", "MORE", "HTTP line not complete" },
		{ "GET /x\r\n", "OK sel=GET /x len=8",
		    "not HTTP without version" },
		{ "get / HTTP/1.1\r\n", "OK sel=get / HTTP/1.1 len=16",
		    "method must be upper case" },
		{ "URL:https://example.org/\r\n",
		    "OK sel=URL:https://example.org/ len=26", "URL: selector" },
	};
	size_t	 i;

	for (i = 0; i < NITEMS(t); i++)
		tap_streq(parse(t[i].in, strlen(t[i].in)), t[i].want,
		    t[i].what);
}

static void
test_nul(void)
{
	tap_streq(parse("/a\0b\r\n", 6), "BAD", "NUL in the selector");
	tap_streq(parse("/a\0", 3), "BAD", "NUL before the line end");
	tap_streq(parse("\0", 1), "BAD", "NUL alone");
}

static void
test_length(void)
{
	char	 s[SELECTOR_MAX + 16];

	memset(s, 'a', sizeof(s));
	memcpy(s + SELECTOR_MAX, "\r\n", 2);
	tap_ok(strncmp(parse(s, SELECTOR_MAX + 2), "OK", 2) == 0,
	    "1024 bytes and CRLF: accepted");
	memcpy(s + SELECTOR_MAX, "\n", 1);
	tap_ok(strncmp(parse(s, SELECTOR_MAX + 1), "OK", 2) == 0,
	    "1024 bytes and LF: accepted");
	tap_streq(parse(s, SELECTOR_MAX), "MORE", "1024 bytes: read on");
	memcpy(s + SELECTOR_MAX, "\r", 1);
	tap_streq(parse(s, SELECTOR_MAX + 1), "MORE",
	    "1024 bytes and CR: read on");
	memset(s, 'a', sizeof(s));
	tap_streq(parse(s, SELECTOR_MAX + 1), "TOOLONG",
	    "1025 bytes without line end: too long at once");
	memcpy(s + SELECTOR_MAX + 1, "\r\n", 2);
	tap_streq(parse(s, SELECTOR_MAX + 3), "TOOLONG",
	    "1025 bytes and CRLF: too long");
	memset(s, 'a', sizeof(s));
	tap_streq(parse(s, sizeof(s)), "TOOLONG", "longer: too long");
	/* the cap is the selector's: a search string may follow it */
	{
		char t[SELECTOR_MAX + 64];

		memset(t, 'a', SELECTOR_MAX);
		memcpy(t + SELECTOR_MAX, "\tsearch\r\n", 10);
		tap_ok(strncmp(parse(t, SELECTOR_MAX + 10), "OK ", 3) == 0,
		    "1024-byte selector + TAB + search: OK");
		memcpy(t + SELECTOR_MAX, "\t+\r\n", 5);
		tap_ok(strncmp(parse(t, SELECTOR_MAX + 5), "OK ", 3) == 0,
		    "1024-byte selector + Gopher+ marker: OK");
	}
}

static void
test_url(void)
{
	const char	*u;
	size_t		 n;

	tap_ok(selector_url("URL:http://x/", 13, &u, &n) &&
	    n == 9 && memcmp(u, "http://x/", n) == 0, "URL: prefix");
	tap_ok(selector_url("/URL:http://x/", 14, &u, &n) &&
	    n == 9 && memcmp(u, "http://x/", n) == 0, "/URL: prefix");
	tap_ok(!selector_url("/profile.gmi", 12, &u, &n), "not a URL:");
	tap_ok(!selector_url("URL", 3, &u, &n), "URL without colon");
}

int
main(void)
{
	test_table();
	test_nul();
	test_length();
	test_url();
	return tap_done();
}
