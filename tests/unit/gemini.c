/* Table-driven tests of the Gemini request line rules. */
#include <stdio.h>
#include <string.h>

#include "gemini.h"
#include "tap.h"

static const char *const hosts[] = { "localhost", "example.org" };
static const struct gemini_site site = { hosts, 2, 1965, 0 };

static const struct {
	const char	*line;
	int		 status;	/* 0: serve */
	int		 host;
	const char	*path;
	int		 sni;
} cases[] = {
	{ "gemini://localhost/", 0, 0, "", -1 },
	{ "gemini://localhost", 0, 0, "", -1 },
	{ "gemini://LOCALHOST./index.gmi", 0, 0, "index.gmi", -1 },
	{ "gemini://example.org/a/b", 0, 1, "a/b", -1 },
	{ "gemini://localhost:1965/", 0, 0, "", -1 },
	{ "gemini://localhost/?query", 0, 0, "", -1 },
	{ "gemini://localhost/%69ndex.gmi", 0, 0, "index.gmi", -1 },
	{ "gemini://localhost/a/../b", 0, 0, "b", -1 },
	{ "gemini://localhost/", 0, 0, "", 0 },		/* SNI agrees */
	/* 53: another host, port, scheme, or an SNI that disagrees */
	{ "gemini://other.org/", 53, -1, NULL, -1 },
	{ "gemini://localhost:1966/", 53, -1, NULL, -1 },
	{ "http://localhost/", 53, -1, NULL, -1 },
	{ "https://localhost/", 53, -1, NULL, -1 },
	{ "gopher://localhost/", 53, -1, NULL, -1 },
	{ "gemini://localhost/", 53, -1, NULL, 1 },
	/* 59: everything that is not a well-formed absolute URL */
	{ "//localhost/", 59, -1, NULL, -1 },
	{ "/index.gmi", 59, -1, NULL, -1 },
	{ "random text", 59, -1, NULL, -1 },
	{ "", 59, -1, NULL, -1 },
	{ "gemini://user@localhost/", 59, -1, NULL, -1 },
	{ "gemini://localhost/#frag", 59, -1, NULL, -1 },
	{ "gemini:///x", 59, -1, NULL, -1 },
	{ "gemini:localhost", 59, -1, NULL, -1 },
	{ "gemini://localhost/%zz", 59, -1, NULL, -1 },
	{ "gemini://localhost/%2f", 59, -1, NULL, -1 },
	{ "gemini://localhost/a%00", 59, -1, NULL, -1 },
	{ "gemini://localhost/../../etc/passwd", 59, -1, NULL, -1 },
	{ "gemini://localhost/%2e%2e/etc/passwd", 59, -1, NULL, -1 },
	{ "gemini://localhost/\x01", 59, -1, NULL, -1 },
	{ "gemini://localhost/\xff", 59, -1, NULL, -1 },	/* not UTF-8 */
	{ "gemini://localhost/\xc0\xaf", 59, -1, NULL, -1 },	/* overlong */
	{ "gemini://localhost/\xed\xa0\x80", 59, -1, NULL, -1 }, /* surrogate */
	{ "gemini://localhost/\xe2\x82", 59, -1, NULL, -1 },	/* cut short */
	{ "gemini://localhost/caf\xc3\xa9", 0, 0, "caf\xc3\xa9", -1 },
	{ "gemini://localhost/\xc2\x85", 59, -1, NULL, -1 },	/* C1 control */
	{ "gemini://localhost/\x7f", 59, -1, NULL, -1 },
};

static void
test_parse(void)
{
	struct gemini_request	 r;
	size_t			 i;
	char			 nul[] = "gemini://localhost/a\0b";

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gemini_request_parse(cases[i].line, strlen(cases[i].line),
		    &site, cases[i].sni, &r);
		if (!tap_ok(r.status == cases[i].status, "\"%s\" -> %d",
		    cases[i].line, cases[i].status))
			printf("#   got %d (%s)\n", r.status, r.err);
		if (cases[i].status == 0) {
			tap_ok(r.host == cases[i].host, "  host %d", r.host);
			tap_streq(r.path, cases[i].path, "  path");
		}
	}
	gemini_request_parse(nul, sizeof(nul) - 1, &site, -1, &r);
	tap_ok(r.status == 59, "a NUL byte -> 59");
}

/* Behind a port mapping: public 1965 to 11965 here; both are ours. */
static void
test_public_port(void)
{
	static const struct gemini_site mapped = { hosts, 2, 11965, 1965 };
	static const struct {
		const char	*line;
		int		 status;
	} pc[] = {
		{ "gemini://localhost/", 0 },
		{ "gemini://localhost:1965/", 0 },
		{ "gemini://localhost:11965/", 0 },
		{ "gemini://localhost:1966/", 53 },
	};
	struct gemini_request	 r;
	size_t			 i;

	for (i = 0; i < sizeof(pc) / sizeof(pc[0]); i++) {
		gemini_request_parse(pc[i].line, strlen(pc[i].line), &mapped,
		    -1, &r);
		tap_ok(r.status == pc[i].status, "public port 1965, local "
		    "11965: \"%s\" -> %d", pc[i].line, pc[i].status);
	}
}

static int
end(const char *buf, size_t len)
{
	size_t	 linelen = 0;
	int	 rc = gemini_request_end(buf, len, &linelen);

	return rc == 1 ? (int)linelen : rc == 0 ? -2 : -1;
}

static void
test_end(void)
{
	char	 big[1100];

	tap_ok(end("gemini://h/\r\n", 13) == 11, "CRLF ends a request");
	tap_ok(end("\r\n", 2) == 0, "an empty line is a (bad) request");
	tap_ok(end("gemini://h/\n", 12) == -2,
	    "a bare LF does not end a request");
	tap_ok(end("gemini://h/\r", 12) == -2, "a CR alone waits for its LF");
	tap_ok(end("gemini://h/", 11) == -2, "no line end yet: read more");

	/* exactly 1024 bytes before CRLF is allowed, 1025 is not */
	memset(big, 'a', sizeof(big));
	memcpy(big, "gemini://h/", 11);
	big[1024] = '\r';
	big[1025] = '\n';
	tap_ok(end(big, 1026) == 1024, "1024 bytes + CRLF is a request");
	tap_ok(end(big, 1025) == -2, "1024 bytes + CR waits for LF");
	memset(big, 'a', sizeof(big));
	big[1025] = '\r';
	big[1026] = '\n';
	tap_ok(end(big, 1027) == -1, "1025 bytes + CRLF is too long");
	tap_ok(end(big, 1025) == -1,
	    "1025 bytes without CR are already too long");
}

int
main(void)
{
	test_parse();
	test_public_port();
	test_end();
	return tap_done();
}
