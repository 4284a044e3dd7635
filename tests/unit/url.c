/* Table-driven tests of URL parsing and path resolution. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "tap.h"
#include "url.h"

static const struct {
	const char	*in;
	int		 ok;
	const char	*scheme, *host;
	int		 port;
	const char	*path, *query;
} parse_cases[] = {
	{ "gemini://example.org/", 1, "gemini", "example.org", 0, "/", NULL },
	{ "gemini://example.org", 1, "gemini", "example.org", 0, "", NULL },
	{ "GEMINI://Example.ORG./a", 1, "gemini", "example.org", 0, "/a", NULL },
	{ "gemini://h:1965/x?q=1", 1, "gemini", "h", 1965, "/x", "q=1" },
	{ "gemini://h:/x", 1, "gemini", "h", 0, "/x", NULL },
	{ "gemini://[::1]:70/", 1, "gemini", "::1", 70, "/", NULL },
	{ "https://h/", 1, "https", "h", 0, "/", NULL },
	{ "mailto:a@b", 1, "mailto", "", 0, "a@b", NULL },
	{ "gemini://h/caf\xc3\xa9", 1, "gemini", "h", 0, "/caf\xc3\xa9", NULL },
	{ "//h/", 0, NULL, NULL, 0, NULL, NULL },		/* no scheme */
	{ "/index.gmi", 0, NULL, NULL, 0, NULL, NULL },	/* relative */
	{ "index.gmi", 0, NULL, NULL, 0, NULL, NULL },
	{ "hello world", 0, NULL, NULL, 0, NULL, NULL },
	{ "", 0, NULL, NULL, 0, NULL, NULL },
	{ "1abc://h/", 0, NULL, NULL, 0, NULL, NULL },
	{ "gemini://u@h/", 0, NULL, NULL, 0, NULL, NULL },	/* userinfo */
	{ "gemini://u:p@h/", 0, NULL, NULL, 0, NULL, NULL },
	{ "gemini://h/#frag", 0, NULL, NULL, 0, NULL, NULL },	/* fragment */
	{ "gemini://h/#", 0, NULL, NULL, 0, NULL, NULL },
	{ "gemini://h/a b", 0, NULL, NULL, 0, NULL, NULL },	/* space */
	{ "gemini://h/a\tb", 0, NULL, NULL, 0, NULL, NULL },
	{ "gemini://h/\x7f", 0, NULL, NULL, 0, NULL, NULL },
	{ "gemini://h/%zz", 0, NULL, NULL, 0, NULL, NULL },	/* bad escape */
	{ "gemini://h/%4", 0, NULL, NULL, 0, NULL, NULL },
	{ "gemini://h/%", 0, NULL, NULL, 0, NULL, NULL },
	{ "gemini://h:99999/", 0, NULL, NULL, 0, NULL, NULL },	/* port */
	{ "gemini://h:12a/", 0, NULL, NULL, 0, NULL, NULL },
	{ "gemini://[::1/", 0, NULL, NULL, 0, NULL, NULL },
	{ "gemini://h/<script>", 0, NULL, NULL, 0, NULL, NULL },
};

static const struct {
	const char	*in;
	int		 ok;
	const char	*out;
	int		 dir;
} path_cases[] = {
	{ "", 1, "", 0 },
	{ "/", 1, "", 1 },
	{ "/index.gmi", 1, "index.gmi", 0 },
	{ "/a/b/", 1, "a/b", 1 },
	{ "/%69ndex.gmi", 1, "index.gmi", 0 },
	{ "/a/./b", 1, "a/b", 0 },
	{ "/a/../b", 1, "b", 0 },
	{ "/a/b/..", 1, "a", 1 },
	{ "/a/.", 1, "a", 1 },
	{ "/a/%2e%2e/b", 1, "b", 0 },		/* encoded dots are dots */
	{ "/a/%2E%2e/b", 1, "b", 0 },
	{ "/caf%C3%A9", 1, "caf\xc3\xa9", 0 },
	{ "/a%20b", 1, "a b", 0 },
	/* the traversal corpus: none may climb, none may smuggle */
	{ "/..", 0, NULL, 0 },
	{ "/../", 0, NULL, 0 },
	{ "/../../etc/passwd", 0, NULL, 0 },
	{ "/a/../../etc/passwd", 0, NULL, 0 },
	{ "/%2e%2e/etc/passwd", 0, NULL, 0 },
	{ "/%2E%2E/%2E%2E/etc/passwd", 0, NULL, 0 },
	{ "/.%2e/x", 0, NULL, 0 },
	{ "/a/%2e%2e/%2e%2e/x", 0, NULL, 0 },
	{ "/..%2fetc%2fpasswd", 0, NULL, 0 },	/* %2f inside a segment */
	{ "/a%2fb", 0, NULL, 0 },
	{ "/a%2Fb", 0, NULL, 0 },
	{ "/a%00b", 0, NULL, 0 },		/* decoded NUL */
	{ "/a%0ab", 0, NULL, 0 },		/* decoded control */
	{ "/a%7f", 0, NULL, 0 },
	{ "//etc/passwd", 0, NULL, 0 },		/* empty segment */
	{ "/a//b", 0, NULL, 0 },
	{ "/a%zz", 0, NULL, 0 },
	{ "/a%", 0, NULL, 0 },
	{ "/a%5", 0, NULL, 0 },
	{ "a/b", 0, NULL, 0 },			/* not absolute */
	{ "/....//", 0, NULL, 0 },
};

static void
test_parse(void)
{
	struct url	 u;
	const char	*err = NULL;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		rc = url_parse(parse_cases[i].in, strlen(parse_cases[i].in),
		    &u, &err);
		if (!parse_cases[i].ok) {
			tap_ok(rc == -1, "url_parse rejects \"%s\"",
			    parse_cases[i].in);
			continue;
		}
		if (!tap_ok(rc == 0, "url_parse accepts \"%s\"",
		    parse_cases[i].in)) {
			printf("#   err: %s\n", err);
			continue;
		}
		tap_streq(u.scheme, parse_cases[i].scheme, "  scheme");
		tap_streq(u.host, parse_cases[i].host, "  host");
		tap_ok(u.port == parse_cases[i].port, "  port %d", u.port);
		tap_streq(u.path, parse_cases[i].path, "  path");
		tap_streq(u.has_query ? u.query : NULL, parse_cases[i].query,
		    "  query");
	}
}

static void
test_resolve(void)
{
	char		 out[URL_MAX + 1];
	const char	*err = NULL;
	size_t		 i;
	int		 rc, dir;

	for (i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		rc = url_path_resolve(path_cases[i].in,
		    strlen(path_cases[i].in), out, sizeof(out), &dir, &err);
		if (!path_cases[i].ok) {
			tap_ok(rc == -1, "resolve rejects \"%s\"",
			    path_cases[i].in);
			continue;
		}
		if (!tap_ok(rc == 0, "resolve accepts \"%s\"",
		    path_cases[i].in)) {
			printf("#   err: %s\n", err);
			continue;
		}
		tap_streq(out, path_cases[i].out, "  resolved path");
		tap_ok(dir == path_cases[i].dir, "  dir flag %d", dir);
	}
	/* the output bound is honoured, never overrun */
	rc = url_path_resolve("/abcdefgh", 9, out, 5, &dir, &err);
	tap_ok(rc == -1, "resolve fails rather than truncating");
}

static void
test_encode(void)
{
	char out[64];

	tap_ok(url_path_encode("a b/c%d#e?", out, sizeof(out)) == 0 &&
	    strcmp(out, "a%20b/c%25d%23e%3F") == 0, "encode escapes %%, #, ?, "
	    "space: %s", out);
	tap_ok(url_path_encode("abcdef", out, 4) == -1,
	    "encode fails rather than truncating");
}

/* Why url_parse refuses: the reason names the fault, step by step. */
static void
test_parse_errors(void)
{
	static const struct {
		const char	*in, *err;
	} t[] = {
		{ "gemini://h/a b", "forbidden character in URL" },
		{ "gemini://h/#x", "fragment in request" },
		{ "gemini://h/%4", "bad percent escape" },
		{ "//h/", "no scheme" },
		{ "gemini://u@h:99999/", "userinfo in URL" },
		{ "gemini://[::1/", "bad IP literal" },
		{ "gemini://[::1]x/", "bad authority" },
		{ "gemini://h:1x/", "bad port" },
		{ "abcdefghijabcdefghijabcdefghijabcdefghij://h/",
		    "scheme too long" },
	};
	struct url	 u;
	const char	*err;
	size_t		 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err = "";
		tap_ok(url_parse(t[i].in, strlen(t[i].in), &u, &err) == -1 &&
		    strcmp(err, t[i].err) == 0, "url_parse \"%s\": %s (%s)",
		    t[i].in, t[i].err, err);
	}
}

/* The lenient authority of links: userinfo told, not refused. */
static void
test_authority(void)
{
	static const struct {
		const char	*in;
		int		 ok;
		const char	*host, *rest;
		unsigned int	 port;
		int		 userinfo;
	} t[] = {
		{ "h/x", 1, "h", "/x", 0, 0 },
		{ "h:70?q", 1, "h", "?q", 70, 0 },
		{ "u:p@h:7#f", 1, "h", "#f", 7, 1 },
		{ "[::1]:1965/", 1, "::1", "/", 1965, 0 },
		{ "", 1, "", "", 0, 0 },
		{ "h:", 1, "h", "", 0, 0 },
		{ "h:65536/", 0, NULL, NULL, 0, 0 },
		{ "h:x/", 0, NULL, NULL, 0, 0 },
		{ "[::1/", 0, NULL, NULL, 0, 0 },
		{ "[::1]x", 0, NULL, NULL, 0, 0 },
	};
	struct url_authority	 a;
	const char		*rest, *err;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = url_authority(t[i].in, strlen(t[i].in), &a, &rest, &err);
		if (!t[i].ok) {
			tap_ok(rc == -1, "authority rejects \"%s\"", t[i].in);
			continue;
		}
		tap_ok(rc == 0 && a.hostlen == strlen(t[i].host) &&
		    memcmp(a.host, t[i].host, a.hostlen) == 0 &&
		    strcmp(rest, t[i].rest) == 0 && a.port == t[i].port &&
		    a.userinfo == t[i].userinfo, "authority \"%s\"", t[i].in);
	}
	tap_ok(url_scheme_len("gopher://h", 10) == 6 &&
	    url_scheme_len("a+b.c-d:x", 9) == 7, "scheme length");
	tap_ok(url_scheme_len("//h/", 4) == 0 && url_scheme_len("1a:", 3) ==
	    0 && url_scheme_len("a b:", 4) == 0 && url_scheme_len("ab", 2) ==
	    0, "no scheme, no length");
}

/* Decoding, encoding and dot removal onto a growing buffer. */
static void
test_buf(void)
{
	static const struct {
		const char	*in, *out;
	} dd[] = {
		{ "/a/./b", "/a/b" }, { "/a/b/..", "/a/" }, { "/a/.", "/a/" },
		{ "/a/../../b", "/b" }, { "/..", "/" }, { "/a/b/../c", "/a/c" },
		{ "/a..b/.c", "/a..b/.c" },
	};
	struct buf	 b;
	size_t		 i;

	buf_init(&b, 0);
	tap_ok(url_decode(&b, "a%2Fb%20c", 9, 0) == 0 &&
	    strcmp(b.data, "a/b c") == 0, "decode: %s", b.data);
	buf_reset(&b);
	tap_ok(url_decode(&b, "a%2Fb", 5, 1) == -1, "decode with noslash "
	    "refuses an encoded '/'");
	buf_reset(&b);
	tap_ok(url_decode(&b, "a/b", 3, 1) == 0, "... but not a real one");
	buf_reset(&b);
	tap_ok(url_decode(&b, "%0A", 3, 0) == -1 && url_decode(&b, "\t", 1,
	    0) == -1 && url_decode(&b, "%7f", 3, 0) == -1, "decode refuses "
	    "control bytes, raw or encoded");
	tap_ok(url_decode(&b, "%4", 2, 0) == -1 && url_decode(&b, "%g0", 3,
	    0) == -1, "decode refuses bad escapes");
	for (i = 0; i < sizeof(dd) / sizeof(dd[0]); i++) {
		buf_reset(&b);
		buf_puts(&b, dd[i].in);
		url_dedot(&b);
		tap_streq(b.data, dd[i].out, dd[i].in);
	}
	buf_reset(&b);
	url_encode(&b, "/a b~%\xc3\xa9", 8, URL_ENC_PATH);
	tap_streq(b.data, "/a%20b~%25%C3%A9", "encode a path");
	buf_reset(&b);
	url_encode(&b, "x:/a b?q#f<\xc3\xa9", 13, URL_ENC_UNSAFE);
	tap_streq(b.data, "x:/a%20b?q#f%3C%C3%A9", "encode the unsafe only");
	buf_free(&b);
}

int
main(void)
{
	test_parse();
	test_parse_errors();
	test_resolve();
	test_encode();
	test_authority();
	test_buf();
	return tap_done();
}
