#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgi.h"
#include "charset.h"
#include "conn.h"
#include "fs.h"
#include "gemini.h"
#include "mime.h"
#include "policy.h"
#include "puny.h"
#include "program.h"
#include "site.h"
#include "tls.h"

#define GEMINI_META_MAX	1024

static int	gemini_input(struct conn *);

const struct proto gemini_proto = { "gemini", gemini_input };

int
gemini_request_end(const char *buf, size_t len, size_t *linelen)
{
	const char *crlf;

	if ((crlf = memmem(buf, len, "\r\n", 2)) != NULL) {
		*linelen = (size_t)(crlf - buf);
		return *linelen <= URL_MAX ? 1 : -1;
	}
	/* URL_MAX bytes and a CR may still be a request; anything more not */
	if (len > URL_MAX + 1 || (len == URL_MAX + 1 && buf[URL_MAX] != '\r'))
		return -1;
	return 0;
}

/*
 * Valid UTF-8 without control characters, C1 included: nothing that a
 * URL may not hold raw or that could play tricks in a log or terminal.
 */
static int
gemini_text_ok(const char *s, size_t len)
{
	uint32_t	 cp;
	size_t		 i, n;

	for (i = 0; i < len; i += n) {
		n = charset_decode(s + i, len - i, &cp);
		if (cp == CHARSET_INVALID || charset_is_control(cp))
			return 0;
	}
	return 1;
}

void
gemini_request_parse(const char *line, size_t len,
    const struct gemini_site *site, int sni, struct gemini_request *r)
{
	struct url	 u;
	char		 ascii[sizeof(u.host)];
	const char	*host;
	size_t		 i;
	int		 portok;

	memset(r, 0, sizeof(*r));
	r->host = -1;
	r->status = 59;
	if (len > URL_MAX) {
		r->err = "request too long";
		return;
	}
	if (!gemini_text_ok(line, len)) {
		r->err = "request is not UTF-8 text without controls";
		return;
	}
	if (url_parse(line, len, &u, &r->err) == -1)
		return;
	if (strcmp(u.scheme, "gemini") != 0) {
		r->status = 53;
		r->err = "not a gemini URL";
		return;
	}
	if (!u.has_authority || u.host[0] == '\0') {
		r->err = "no host in URL";
		return;
	}
	/* "bücher.example" is "xn--bcher-kva.example": hosts are ASCII */
	host = puny_host_ascii(u.host, strlen(u.host), ascii,
	    sizeof(ascii)) == 0 ? ascii : u.host;
	for (i = 0; i < site->nhosts; i++)
		if (strcmp(host, site->hosts[i]) == 0)
			r->host = (int)i;
	/*
	 * A URL's port defaults to 1965; ours are the one we listen on and,
	 * behind a port mapping, the public one.
	 */
	portok = u.port == 0 || u.port == site->port ||
	    (site->public_port != 0 && u.port == site->public_port);
	if (r->host == -1 || !portok || (sni != -1 && sni != r->host)) {
		r->status = 53;
		r->err = r->host == -1 ? "host not served" :
		    !portok ? "port not served" : "SNI names another host";
		return;
	}
	if (url_path_resolve(u.path, strlen(u.path), r->path, sizeof(r->path),
	    &r->dir, &r->err) == -1)
		return;
	r->rawoff = u.pathoff;
	r->rawlen = strlen(u.path);
	r->status = 0;
	r->err = NULL;
}

static int
gemini_reply(struct conn *c, int status, const char *meta, struct buf *body,
    int fd, off_t size)
{
	char	 head[GEMINI_META_MAX + 8];
	int	 n;

	n = snprintf(head, sizeof(head), "%d %s\r\n", status, meta);
	if (n < 0 || (size_t)n >= sizeof(head)) {
		if (fd != -1)
			close(fd);
		n = snprintf(head, sizeof(head), "40 Meta too long\r\n");
		status = 40, body = NULL, fd = -1;
	}
	conn_respond(c, status, head, (size_t)n, body, fd, size);
	return 1;
}

/*
 * A request a cgi or scgi rule names: the program answers.  0 when none
 * does.
 */
static int
gemini_program(struct conn *c, const struct gemini_request *r,
    const char *url)
{
	const struct config	*cfg = &c->site->cfg;
	struct program_target	 t;
	struct program_spec	 s;
	struct cgi_req		 q;
	struct tls_info		 ti;
	char			 script[URL_MAX + 2], info[URL_MAX + 2];
	const char		*query;

	switch (program_find(c->site, c->site->hostroot[r->host],
	    cfg->hosts[r->host].name, r->path, r->dir, &t)) {
	case 0:
		return 0;
	case -1:
		return gemini_reply(c, 51, "Not found", NULL, -1, 0);
	}
	memset(&q, 0, sizeof(q));
	q.proto = CGI_GEMINI;
	q.software = "yurt/" YURT_VERSION;
	q.server_name = cfg->hosts[r->host].name;
	q.port = (unsigned int)cfg->port;
	q.url = url;
	(void)snprintf(script, sizeof(script), "/%.*s", (int)t.scriptlen,
	    r->path);
	(void)snprintf(info, sizeof(info), "%s%s", r->path + t.scriptlen,
	    r->dir && r->path[t.scriptlen] != '\0' ? "/" : "");
	q.script_name = script;
	q.path_info = info;
	query = strchr(url, '?');
	q.query = query ? query + 1 : "";
	if (c->tls != NULL) {
		tls_conn_info(c->tls, &ti);
		q.tls_version = ti.version;
		q.tls_cipher = ti.cipher;
		if (ti.has_cert) {
			q.client_hash = ti.hash;
			q.client_cn = ti.cn;
			q.client_not_before = ti.not_before;
			q.client_not_after = ti.not_after;
		}
	}
	q.remote_addr = c->client;	/* only with -A */
	program_spec_of(&s, &t, script, &q, cfg);
	switch (program_start(c, &s)) {
	case PROGRAM_OK:
		return 1;
	case PROGRAM_BUSY:
		return gemini_reply(c, 44, "1", NULL, -1, 0);
	default:
		return gemini_reply(c, 42, "Program failed", NULL, -1, 0);
	}
}

/* The request names a file, a directory or nothing: the reply. */
static int
gemini_serve(struct conn *c, const struct gemini_request *r,
    const struct policy *pol)
{
	const struct site	*site = c->site;
	const struct config	*cfg = &site->cfg;
	struct fs_result	 f;
	struct buf		 body;
	const char		*type, *lang;
	char			 meta[GEMINI_META_MAX + 1];
	size_t			 i;

	buf_init(&body, 1024 * 1024);
	fs_open(site->hostroot[r->host], r->path, r->dir, pol->listing, &body,
	    &f);
	switch (f.kind) {
	case FS_FILE:
	case FS_LISTING:
		type = pol->type ? pol->type : f.kind == FS_LISTING ?
		    "text/gemini" : mime_type(c->pool->mime, f.name, f.fd);
		lang = pol->lang ? pol->lang : cfg->lang;
		if (lang[0] && strcmp(type, "text/gemini") == 0)
			snprintf(meta, sizeof(meta), "%s; lang=%s", type,
			    lang);
		else
			snprintf(meta, sizeof(meta), "%s", type);
		return gemini_reply(c, 20, meta, &body, f.fd, f.size);
	case FS_REDIRECT:
		/* the canonical path of the directory, with its slash */
		meta[0] = '/';
		if (url_path_encode(r->path, meta + 1, sizeof(meta) - 2) == -1)
			break;
		i = strlen(meta);
		meta[i] = '/';
		meta[i + 1] = '\0';
		buf_free(&body);
		return gemini_reply(c, 31, meta, NULL, -1, 0);
	case FS_NOTFOUND:
		buf_free(&body);
		return gemini_reply(c, 51, "Not found", NULL, -1, 0);
	case FS_ERROR:
		break;
	}
	buf_free(&body);
	return gemini_reply(c, 40, "Temporary failure", NULL, -1, 0);
}

static int
gemini_input(struct conn *c)
{
	const struct site	*site = c->site;
	const struct config	*cfg = &site->cfg;
	struct gemini_site	 gs;
	struct gemini_request	 r;
	struct policy		 pol;
	char			 meta[GEMINI_META_MAX + 1];
	char			 url[URL_MAX + 1];
	size_t			 end;
	int			 rc;

	if ((rc = gemini_request_end(c->req, c->reqlen, &end)) == 0)
		return 0;
	if (c->limited) {
		c->path = "(rate limited)";
		snprintf(meta, sizeof(meta), "%u", c->limited);
		return gemini_reply(c, 44, meta, NULL, -1, 0);
	}
	if (rc == -1) {
		c->path = "(request too long)";
		return gemini_reply(c, 59, "Request too long", NULL, -1, 0);
	}
	gs.hosts = site->names;
	gs.nhosts = cfg->nhosts;
	gs.port = cfg->port;
	gs.public_port = cfg->public_port;
	gemini_request_parse(c->req, end, &gs, c->sni, &r);

	/* a program is told the request as it came */
	(void)snprintf(url, sizeof(url), "%.*s", (int)end, c->req);
	/* keep the raw path for the log: it is all that is left of req */
	if (r.status == 0) {
		memmove(c->req, c->req + r.rawoff, r.rawlen);
		c->req[r.rawlen] = '\0';
		c->host = cfg->hosts[r.host].name;
	} else
		c->req[end] = '\0';
	c->path = c->req;
	if (r.status == 59)
		return gemini_reply(c, 59, "Bad request", NULL, -1, 0);
	if (r.status == 53)
		return gemini_reply(c, 53, "Proxy request refused", NULL, -1,
		    0);

	policy_gemini(site, c->tls, cfg->hosts[r.host].name, r.path, r.dir,
	    &pol);
	if (pol.status != 0)
		return gemini_reply(c, pol.status, pol.meta, NULL, -1, 0);

	if ((rc = gemini_program(c, &r, url)) != 0)
		return rc;
	return gemini_serve(c, &r, &pol);
}
