/* Unit tests for src/cgi.c: the environment, SCGI and the header check. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cgi.h"
#include "tap.h"
#include "nitems.h"

/* The environment as one line: "A=1 B=2 ..." */
static const char *
env_line(const struct cgi_req *r, int *rc)
{
	static struct buf	 out;
	static char		 line[8192];
	size_t			 n, i, o = 0;
	const char		*p;

	buf_free(&out);
	buf_init(&out, 0);
	line[0] = '\0';
	if ((*rc = cgi_env(r, &out, &n)) == -1)
		return line;
	for (i = 0, p = out.data; i < n; i++, p += strlen(p) + 1)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s",
		    i ? " " : "", p);
	return line;
}

static void
test_env(void)
{
	struct cgi_req	 r;
	int		 rc;

	memset(&r, 0, sizeof(r));
	r.proto = CGI_GEMINI;
	r.software = "yurt/1";
	r.server_name = "example.org";
	r.port = 1965;
	r.url = "gemini://example.org/cgi/s/x?a%20b";
	r.script_name = "/cgi/s";
	r.path_info = "/x";
	r.query = "a%20b";
	r.tls_version = "TLSv1.3";
	r.tls_cipher = "TLS_AES_128_GCM_SHA256";
	tap_streq(env_line(&r, &rc), "GATEWAY_INTERFACE=CGI/1.1 "
	    "SERVER_PROTOCOL=GEMINI SERVER_SOFTWARE=yurt/1 "
	    "SERVER_NAME=example.org SERVER_PORT=1965 REQUEST_METHOD= "
	    "SCRIPT_NAME=/cgi/s PATH_INFO=/x QUERY_STRING=a%20b "
	    "GEMINI_URL=gemini://example.org/cgi/s/x?a%20b "
	    "TLS_VERSION=TLSv1.3 TLS_CIPHER=TLS_AES_128_GCM_SHA256",
	    "gemini: the listed variables, no address, no certificate");
	r.client_hash = "SHA256:AB";
	r.client_cn = "reader";
	r.client_not_before = "2020-01-01T00:00:00Z";
	r.client_not_after = "2030-01-01T00:00:00Z";
	r.remote_addr = "192.0.2.1";
	tap_ok(strstr(env_line(&r, &rc), " AUTH_TYPE=CERTIFICATE "
	    "TLS_CLIENT_HASH=SHA256:AB REMOTE_USER=reader "
	    "TLS_CLIENT_NOT_BEFORE=2020-01-01T00:00:00Z "
	    "TLS_CLIENT_NOT_AFTER=2030-01-01T00:00:00Z "
	    "REMOTE_ADDR=192.0.2.1 REMOTE_HOST=192.0.2.1") != NULL,
	    "gemini: a certificate and an opted-in address");
	memset(&r, 0, sizeof(r));
	r.proto = CGI_GOPHER;
	r.software = "yurt/1";
	r.server_name = "example.org";
	r.port = 70;
	r.script_name = "/s";
	r.selector = "/s";
	r.search = "two words";
	tap_streq(env_line(&r, &rc), "GATEWAY_INTERFACE=CGI/1.1 "
	    "SERVER_PROTOCOL=GOPHER SERVER_SOFTWARE=yurt/1 "
	    "SERVER_NAME=example.org SERVER_PORT=70 REQUEST_METHOD= "
	    "SCRIPT_NAME=/s PATH_INFO= QUERY_STRING=two words SELECTOR=/s "
	    "SEARCHREQUEST=two words", "gopher: the search in both");
	r.search = "a\nb";
	env_line(&r, &rc);
	tap_ok(rc == -1, "a line break in a value: refused");
}

static void
test_scgi(void)
{
	static const char env[] = "A=1\0B=x=y\0";
	static const char want[] = "34:CONTENT_LENGTH\0" "0\0" "SCGI\0" "1\0"
	    "A\0" "1\0" "B\0" "x=y\0" ",";
	struct buf	 out;

	buf_init(&out, 0);
	tap_ok(cgi_scgi(env, sizeof(env) - 1, &out) == 0 &&
	    out.len == sizeof(want) - 1 && memcmp(out.data, want, out.len) ==
	    0, "scgi: a netstring, CONTENT_LENGTH first, then SCGI");
	buf_reset(&out);
	tap_ok(cgi_scgi("A\0", 2, &out) == -1, "scgi: a variable without =");
	buf_reset(&out);
	tap_ok(cgi_scgi("A=1", 3, &out) == -1, "scgi: a variable without NUL");
	buf_free(&out);
}

static void
test_header(void)
{
	static const struct {
		const char	*in;
		int		 want, status;
		size_t		 len;
		const char	*what;
	} t[] = {
		{ "20 text/gemini\r\n", CGI_HEADER_OK, 20, 16, "a header" },
		{ "20 text/gemini\r\nbody", CGI_HEADER_OK, 20, 16,
		    "a header and a body" },
		{ "10 Your name?\r\n", CGI_HEADER_OK, 10, 15, "input" },
		{ "20 \r\n", CGI_HEADER_OK, 20, 5, "empty META" },
		{ "20 text", CGI_HEADER_MORE, 0, 0, "not whole yet" },
		{ "", CGI_HEADER_MORE, 0, 0, "nothing yet" },
		{ "20 text/gemini\n", CGI_HEADER_BAD, 0, 0, "bare LF" },
		{ "hello\r\n", CGI_HEADER_BAD, 0, 0, "no status" },
		{ "2 x\r\n", CGI_HEADER_BAD, 0, 0, "one digit" },
		{ "20text\r\n", CGI_HEADER_BAD, 0, 0, "no space" },
		{ "20\r\n", CGI_HEADER_BAD, 0, 0, "no space, no META" },
		{ "25 x\r\n", CGI_HEADER_BAD, 25, 0, "undefined status" },
		{ "70 x\r\n", CGI_HEADER_BAD, 0, 0, "status out of range" },
		{ "20 a\tb\r\n", CGI_HEADER_BAD, 20, 0, "control in META" },
		{ "20 a\xff\r\n", CGI_HEADER_BAD, 20, 0, "not UTF-8" },
		{ "20 caf\xc3\xa9\r\n", CGI_HEADER_OK, 20, 10, "UTF-8 META" },
	};
	char		 big[CGI_HEADER_MAX + 8];
	const char	*err;
	size_t		 i, len;
	int		 st, rc;

	for (i = 0; i < NITEMS(t); i++) {
		rc = cgi_header(t[i].in, strlen(t[i].in), &st, &len, &err);
		tap_ok(rc == (int)t[i].want && (rc == CGI_HEADER_MORE ||
		    st == t[i].status) && len == t[i].len &&
		    (rc == CGI_HEADER_BAD) == (err != NULL), "%s (%d %d %zu)",
		    t[i].what, rc, st, len);
	}
	memcpy(big, "20 ", 3);
	memset(big + 3, 'a', CGI_META_MAX);
	memcpy(big + 3 + CGI_META_MAX, "\r\n", 2);
	tap_ok(cgi_header(big, CGI_HEADER_MAX, &st, &len, &err) ==
	    CGI_HEADER_OK && len == CGI_HEADER_MAX, "META of 1024 bytes: OK");
	tap_ok(cgi_header(big, CGI_HEADER_MAX - 1, &st, &len, &err) ==
	    CGI_HEADER_MORE, "1024 bytes and CR: more");
	memset(big + 3, 'a', CGI_META_MAX + 1);
	memcpy(big + 4 + CGI_META_MAX, "\r\n", 2);
	tap_ok(cgi_header(big, CGI_HEADER_MAX + 1, &st, &len, &err) ==
	    CGI_HEADER_BAD, "META of 1025 bytes: bad");
	tap_ok(cgi_header(big, CGI_HEADER_MAX, &st, &len, &err) ==
	    CGI_HEADER_BAD, "META of 1025 bytes, line not ended yet: bad");
}

int
main(void)
{
	test_env();
	test_scgi();
	test_header();
	return tap_done();
}
