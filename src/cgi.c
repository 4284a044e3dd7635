#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cgi.h"
#include "charset.h"

/* A value goes into a list of NUL-ended strings: it may hold neither. */
static int
cgi_value_ok(const char *v)
{
	return strpbrk(v, "\r\n") == NULL;
}

static int
cgi_put(struct buf *out, size_t *n, const char *name, const char *v)
{
	if (v == NULL)
		return 0;
	if (*n == CGI_ENV_MAX || !cgi_value_ok(v))
		return -1;
	buf_printf(out, "%s=%s", name, v);
	buf_putc(out, '\0');
	(*n)++;
	return buf_failed(out) ? -1 : 0;
}

int
cgi_env(const struct cgi_req *r, struct buf *out, size_t *n)
{
	char	 port[16];
	int	 rc = 0, gemini = r->proto == CGI_GEMINI;

	*n = 0;
	(void)snprintf(port, sizeof(port), "%u", r->port);
	rc |= cgi_put(out, n, "GATEWAY_INTERFACE", "CGI/1.1");
	rc |= cgi_put(out, n, "SERVER_PROTOCOL", gemini ? "GEMINI" : "GOPHER");
	rc |= cgi_put(out, n, "SERVER_SOFTWARE", r->software);
	rc |= cgi_put(out, n, "SERVER_NAME", r->server_name);
	rc |= cgi_put(out, n, "SERVER_PORT", port);
	rc |= cgi_put(out, n, "REQUEST_METHOD", "");
	rc |= cgi_put(out, n, "SCRIPT_NAME", r->script_name);
	rc |= cgi_put(out, n, "PATH_INFO", r->path_info ? r->path_info : "");
	/* RFC 3875: set, even empty, when there is no query */
	rc |= cgi_put(out, n, "QUERY_STRING", r->query ? r->query :
	    r->search ? r->search : "");
	if (gemini)
		rc |= cgi_put(out, n, "GEMINI_URL", r->url);
	else {
		rc |= cgi_put(out, n, "SELECTOR", r->selector);
		rc |= cgi_put(out, n, "SEARCHREQUEST", r->search);
	}
	rc |= cgi_put(out, n, "TLS_VERSION", r->tls_version);
	rc |= cgi_put(out, n, "TLS_CIPHER", r->tls_cipher);
	if (r->client_hash != NULL) {
		rc |= cgi_put(out, n, "AUTH_TYPE", "CERTIFICATE");
		rc |= cgi_put(out, n, "TLS_CLIENT_HASH", r->client_hash);
		rc |= cgi_put(out, n, "REMOTE_USER", r->client_cn);
		rc |= cgi_put(out, n, "TLS_CLIENT_NOT_BEFORE",
		    r->client_not_before);
		rc |= cgi_put(out, n, "TLS_CLIENT_NOT_AFTER",
		    r->client_not_after);
	}
	/* the reader's address only where the operator asked for it */
	rc |= cgi_put(out, n, "REMOTE_ADDR", r->remote_addr);
	rc |= cgi_put(out, n, "REMOTE_HOST", r->remote_addr);
	return rc ? -1 : 0;
}

int
cgi_scgi(const char *env, size_t envlen, struct buf *out)
{
	struct buf	 h;
	const char	*p, *end = env + envlen, *eq, *nul;
	int		 rc;

	buf_init(&h, 64 * 1024);
	/* CONTENT_LENGTH first, as the specification requires */
	buf_append(&h, "CONTENT_LENGTH\0" "0\0" "SCGI\0" "1\0",
	    sizeof("CONTENT_LENGTH\0" "0\0" "SCGI\0" "1\0") - 1);
	for (p = env; p < end; p = nul + 1) {
		if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL ||
		    (eq = memchr(p, '=', (size_t)(nul - p))) == NULL ||
		    eq == p) {
			buf_free(&h);
			return -1;
		}
		buf_append(&h, p, (size_t)(eq - p));
		buf_putc(&h, '\0');
		buf_append(&h, eq + 1, (size_t)(nul - eq));	/* and its NUL */
	}
	if (buf_failed(&h)) {
		buf_free(&h);
		return -1;
	}
	buf_printf(out, "%zu:", h.len);
	buf_append(out, h.data, h.len);
	buf_putc(out, ',');
	buf_free(&h);
	rc = buf_failed(out) ? -1 : 0;
	return rc;
}

static int
cgi_status_defined(int st)
{
	static const int defined[] = { 10, 11, 20, 30, 31, 40, 41, 42, 43, 44,
	    50, 51, 52, 53, 59, 60, 61, 62 };
	size_t i;

	for (i = 0; i < sizeof(defined) / sizeof(defined[0]); i++)
		if (defined[i] == st)
			return 1;
	return 0;
}

enum cgi_header
cgi_header(const char *buf, size_t len, int *status, size_t *hdrlen,
    const char **err)
{
	const char	*lf;
	uint32_t	 cp;
	size_t		 line, i, n;

	*status = 0;
	*hdrlen = 0;
	*err = NULL;
	if ((lf = memchr(buf, '\n', len > CGI_HEADER_MAX ? CGI_HEADER_MAX :
	    len)) == NULL) {
		if (len < CGI_HEADER_MAX)
			return CGI_HEADER_MORE;
		*err = "header longer than 1024 bytes of META";
		return CGI_HEADER_BAD;
	}
	line = (size_t)(lf - buf);
	if (line == 0 || buf[line - 1] != '\r') {
		*err = "header line not ended by CRLF";
		return CGI_HEADER_BAD;
	}
	line--;
	if (line < 3 || buf[0] < '1' || buf[0] > '6' || buf[1] < '0' ||
	    buf[1] > '9' || buf[2] != ' ') {
		*err = "header does not start with a status and a space";
		return CGI_HEADER_BAD;
	}
	*status = (buf[0] - '0') * 10 + (buf[1] - '0');
	if (!cgi_status_defined(*status)) {
		*err = "undefined status code";
		return CGI_HEADER_BAD;
	}
	if (line - 3 > CGI_META_MAX) {
		*err = "header longer than 1024 bytes of META";
		return CGI_HEADER_BAD;
	}
	for (i = 3; i < line; i += n) {
		n = charset_decode(buf + i, line - i, &cp);
		if (cp == CHARSET_INVALID || charset_is_control(cp)) {
			*err = "META is not UTF-8 text without controls";
			return CGI_HEADER_BAD;
		}
	}
	*hdrlen = line + 2;
	return CGI_HEADER_OK;
}
