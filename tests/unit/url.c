/* Table-driven tests of URL parsing and path resolution. */
#include <stdio.h>
#include <string.h>

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

int
main(void)
{
	test_parse();
	test_resolve();
	test_encode();
	return tap_done();
}
