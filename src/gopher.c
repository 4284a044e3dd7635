#include <errno.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cache.h"
#include "cgi.h"
#include "conn.h"
#include "fs.h"
#include "gopher.h"
#include "gophermap.h"
#include "gopherplus.h"
#include "mime.h"
#include "policy.h"
#include "program.h"
#include "selector.h"
#include "site.h"
#include "tls.h"
#include "url.h"

/* A page larger than this is not rendered (it would not be read either). */
#define GOPHER_GMI_MAX		(4 * 1024 * 1024)
#define GOPHER_REPLY_MAX	(16 * 1024 * 1024)

static int	gopher_input(struct conn *);

const struct proto gopher_proto = { "gopher", gopher_input };

/* What one request needs to render and to answer type questions. */
struct gopher_req {
	struct conn		*c;
	const struct config	*cfg;
	int			 rootfd;
	int			 listing;	/* rendering a listing */
	int			 attrs;		/* Gopher+ '$': attributes */
	char			 port[12];
	struct gophermap_opts	 o;
};

static void
gopher_opts(struct gopher_req *g, struct conn *c)
{
	const struct config	*cfg = &c->site->cfg;

	memset(g, 0, sizeof(*g));
	g->c = c;
	g->cfg = cfg;
	/* the menus' host is served from its own root, if it has one */
	g->rootfd = c->site->gopher_root;
	g->o.host = c->site->gopher_host;
	g->o.port = (unsigned int)(cfg->gopher_public_port ?
	    cfg->gopher_public_port : cfg->gopher_port);
	g->o.gemini_hosts = c->site->names;
	g->o.gemini_port = (unsigned int)(cfg->public_port ?
	    cfg->public_port : cfg->port);
	g->o.width = (size_t)cfg->width;
	g->o.charset = (enum charset)cfg->charset;
	(void)snprintf(g->port, sizeof(g->port), "%u", g->o.port);
}

/*
 * The charsets a reader may choose by selector, whatever the server's:
 * "/.ascii/page.gmi" is /page.gmi in US-ASCII, and its links stay in
 * /.ascii/.  A dot-directory can never hold a real file.
 */
static const struct {
	const char	*prefix;
	enum charset	 cs;
	const char	*offer;
} gopher_charsets[] = {
	{ "/.ascii", CHARSET_ASCII, "This page in plain ASCII (any terminal)" },
	{ "/.latin1", CHARSET_LATIN1, "This page in Latin-1 (ISO-8859-1)" },
	{ "/.utf8", CHARSET_UTF8, "This page in UTF-8" }
};

#define GOPHER_NCHARSETS \
	(sizeof(gopher_charsets) / sizeof(gopher_charsets[0]))

/* Strips a charset prefix off *sel: its index, or -1 when none. */
static int
gopher_charset_prefix(const char **sel)
{
	size_t	 i, n;

	for (i = 0; i < GOPHER_NCHARSETS; i++) {
		n = strlen(gopher_charsets[i].prefix);
		if (strncmp(*sel, gopher_charsets[i].prefix, n) == 0 &&
		    ((*sel)[n] == '/' || (*sel)[n] == '\0')) {
			*sel = (*sel)[n] ? *sel + n : "/";
			return (int)i;
		}
	}
	return -1;
}

/*
 * A selector is a raw path (Gopher does not percent-encode): it is
 * encoded, then resolved like a URL path, so ".." and control characters
 * get exactly the treatment they get over Gemini.
 */
static int
gopher_path(const char *sel, char *out, size_t outlen, int *dir)
{
	char		 enc[URL_MAX * 3 + 2];
	const char	*err;

	enc[0] = '/';
	if (url_path_encode(sel + (sel[0] == '/'), enc + 1, sizeof(enc) - 1) ==
	    -1)
		return -1;
	return url_path_resolve(enc, strlen(enc), out, outlen, dir, &err);
}

/*
 * The item type of a local selector: the extension, else libmagic.  A
 * listing's entries are typed from their names alone (a directory's ends
 * with '/', from readdir's d_type): thousands of files would otherwise
 * cost thousands of opens and libmagic runs, and a listing shows only
 * what is there.
 */
static char
gopher_item_type(void *arg, const char *sel)
{
	struct gopher_req	*g = arg;
	struct fs_result	 f;
	const char		*mt;
	char			 path[URL_MAX + 1], t;
	int			 dir;

	if (gopher_path(sel, path, sizeof(path), &dir) == -1)
		return 0;
	/* a type rule decides what the item is */
	if ((mt = policy_type(g->c->site, g->o.host, path, dir)) != NULL)
		return mime_item_of(mt);
	if (g->listing)
		return (t = mime_item(sel)) != 0 ? t : '9';
	/* a directory without an index is a menu when listings are on */
	fs_open(g->rootfd, path, dir, g->cfg->listing, NULL, &f);
	switch (f.kind) {
	case FS_REDIRECT:
		return '1';
	case FS_FILE:
		if (*path == '\0' || dir ||
		    (t = mime_item(f.name)) == 0)
			t = mime_item_of(mime_type(g->c->pool->mime, f.name,
			    f.fd));
		close(f.fd);
		/* a directory's index still makes the directory a menu */
		return dir || *path == '\0' ? '1' : t;
	case FS_LISTING:
		return '1';
	default:
		return 0;
	}
}

static int
gopher_send(struct conn *c, int status, struct buf *body, int fd, off_t size,
    char plus)
{
	/* Gopher+: the reply's length first, "+SIZE" (known here) */
	char	 head[32] = "";

	if (plus)
		(void)snprintf(head, sizeof(head), "+%lld\r\n", fd != -1 ?
		    (long long)size : body != NULL ? (long long)body->len : 0);
	conn_respond(c, status, head, strlen(head), body, fd, size);
	return 1;
}

static int
gopher_error(struct gopher_req *g, int status, const char *msg, char plus)
{
	struct buf b;

	buf_init(&b, 0);
	if (gophermap_error(&b, &g->o, msg) == -1) {
		buf_reset(&b);
		buf_puts(&b, "3Error\t\terror.host\t1\r\n.\r\n");
	}
	return gopher_send(g->c, status, &b, -1, 0, plus);
}

/* A web browser pointed at the Gopher port gets told, briefly. */
static int
gopher_http(struct gopher_req *g)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "HTTP/1.0 400 Bad Request\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Connection: close\r\n\r\n"
	    "This is a Gopher server, not a web server.\r\n"
	    "Open gopher://%s:%u/ with a Gopher client (curl, lynx...).\r\n",
	    g->o.host, g->o.port);
	return gopher_send(g->c, 59, &b, -1, 0, 0);
}

/* caps.txt, for clients that ask how this server names things. */
static int
gopher_caps(struct gopher_req *g)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "CAPS\r\n\r\nCapsVersion=1\r\nExpireCapsAfter=3600\r\n"
	    "\r\nPathDelimeter=/\r\nPathIdentity=.\r\nPathParent=..\r\n"
	    "PathParentDouble=FALSE\r\nPathKeepPreDelimeter=FALSE\r\n\r\n"
	    "ServerSoftware=yurt\r\nServerSoftwareVersion=%s\r\n"
	    "ServerDefaultEncoding=%s\r\nServerSupportsStdinScripts=FALSE\r\n"
	    "ServerTLSPort=%u\r\n", YURT_VERSION,
	    charset_name(g->o.charset), g->o.port);
	return gopher_send(g->c, 20, &b, -1, 0, 0);
}

/* Reads a whole .gmi page (bounded): pages are rendered from memory. */
static int
gopher_slurp(int fd, struct buf *b)
{
	buf_init(b, GOPHER_GMI_MAX);
	return buf_read(b, fd);
}

/* Where a page came from (a listing: its directory), for the cache. */
struct gopher_src {
	const struct cache_key	*key;
	const char		*file;
	const struct stat	*st;
};

/*
 * What Gopher+ tells of one of our items: its date and size, from the
 * safe open (a stat of the path could follow a symlink out of the root),
 * its type by name only.
 */
static int
gopher_plus_stat(void *arg, char type, const char *sel, size_t sellen,
    struct gopherplus_item *it)
{
	struct gopher_req	*g = arg;
	struct fs_result	 f;
	char			 s[SELECTOR_MAX + 1], path[URL_MAX + 1];
	const char		*p = s;
	int			 dir, text = 0;

	if (sellen >= sizeof(s) || sellen == 0 || sel[0] != '/')
		return -1;
	memcpy(s, sel, sellen);
	s[sellen] = '\0';
	(void)gopher_charset_prefix(&p);
	if (strncmp(p, GOPHER_TEXT_PREFIX "/", sizeof(GOPHER_TEXT_PREFIX)) ==
	    0) {
		text = 1;
		p += sizeof(GOPHER_TEXT_PREFIX) - 1;
	}
	if (gopher_path(p, path, sizeof(path), &dir) == -1)
		return -1;
	fs_open(g->rootfd, path, dir, g->cfg->listing, NULL, &f);
	if (f.kind == FS_REDIRECT)
		fs_open(g->rootfd, path, 1, g->cfg->listing, NULL, &f);
	if (f.kind != FS_FILE && f.kind != FS_LISTING)
		return -1;
	if (f.fd != -1)
		close(f.fd);
	it->date = f.st.st_mtime;
	it->size = f.kind == FS_FILE ? (long long)f.size : -1;
	it->text_view = type == '1' && !text && f.kind == FS_FILE;
	if (type != '1' && type != '0' && f.kind == FS_FILE)
		it->view = mime_ext(f.name);
	return 0;
}

static void
gopher_plus_opts(struct gopher_req *g, struct gopherplus_opts *po,
    time_t date)
{
	memset(po, 0, sizeof(*po));
	po->host = g->o.host;
	po->port = g->port;
	po->date = date;
	po->item = gopher_plus_stat;
	po->arg = g;
}

/*
 * A page: its menu, or its plain text.  Links resolve against the page's
 * selector, which for a directory's index is the directory with its slash.
 */

static int
gopher_page(struct gopher_req *g, const char *gmi, size_t len,
    const char *base, int text, char plus, const struct gopher_src *src)
{
	struct buf	 out, textsel;
	int		 rc;

	struct buf	 offers[GOPHER_NCHARSETS];
	const char	*offer[2 * GOPHER_NCHARSETS + 1];
	size_t		 i, n = 0;

	buf_init(&out, GOPHER_REPLY_MAX);
	buf_init(&textsel, 0);
	g->o.item_type = gopher_item_type;
	g->o.arg = g;
	/* the page in each other charset: the server's own needs no prefix */
	for (i = 0; i < GOPHER_NCHARSETS; i++) {
		buf_init(&offers[i], 0);
		if (gopher_charsets[i].cs == g->o.charset)
			continue;
		buf_printf(&offers[i], "%s%s", gopher_charsets[i].cs ==
		    (enum charset)g->cfg->charset ? "" :
		    gopher_charsets[i].prefix, base);
		offer[n++] = gopher_charsets[i].offer;
		offer[n++] = buf_failed(&offers[i]) ? "\t" : offers[i].data;
	}
	offer[n] = NULL;
	g->o.offers = offer;
	if (text)
		rc = gophermap_text(&out, &g->o, base, gmi, len);
	else {
		buf_printf(&textsel, "%s%s%s", g->o.sel_prefix ?
		    g->o.sel_prefix : "", GOPHER_TEXT_PREFIX, base);
		rc = gophermap_menu(&out, &g->o, base, textsel.data, gmi,
		    len);
	}
	buf_free(&textsel);
	for (i = 0; i < GOPHER_NCHARSETS; i++)
		buf_free(&offers[i]);
	if (rc == 0 && g->attrs && !text) {
		/* '$': the menu's items as Gopher+ attribute blocks */
		struct gopherplus_opts	 po;
		struct buf		 attrs;

		buf_init(&attrs, GOPHER_REPLY_MAX);
		gopher_plus_opts(g, &po, src != NULL ? src->st->st_mtime : 0);
		rc = gopherplus_menu(&attrs, &po, out.data ? out.data : "",
		    out.len);
		buf_free(&out);
		out = attrs;
	}
	if (rc == -1) {
		buf_free(&out);
		return gopher_error(g, 40, "This page could not be rendered",
		    plus);
	}
	if (src != NULL)
		cache_put(g->c->pool->cache, src->key, ev_now(g->c->pool->loop),
		    src->file, src->st, out.data, out.len);
	return gopher_send(g->c, 20, &out, -1, 0, plus);
}

/* '!': the attribute blocks of one item, named by its selector. */
static int
gopher_plus_info(struct gopher_req *g, const char *sel, char type)
{
	struct gopherplus_opts	 po;
	struct buf		 b, item;
	int			 rc;

	buf_init(&b, 0);
	buf_init(&item, 0);
	gopher_plus_opts(g, &po, 0);
	rc = gophermap_item(&item, &g->o, type, sel, strlen(sel), sel);
	if (rc == 0)
		rc = gopherplus_item(&b, &po, item.data, item.len - 2);
	buf_free(&item);
	if (rc == -1) {
		buf_free(&b);
		return gopher_error(g, 59, "Bad selector", '+');
	}
	buf_puts(&b, ".\r\n");
	return gopher_send(g->c, 20, &b, -1, 0, '+');
}

/*
 * The same page, rendered a moment ago from a file that has not changed
 * since: one stat, where opening the file took six system calls.  The
 * stat follows no rule of the safe open, and need not: it only confirms
 * the identity (device and inode) of a file that was opened safely.
 */
static int
gopher_cached(struct gopher_req *g, const struct cache_key *key, char plus,
    int *rc)
{
	struct cache	*cache = g->c->pool->cache;
	uint64_t	 now = ev_now(g->c->pool->loop);
	const char	*file;
	struct stat	 st;
	struct buf	 page;

	if ((file = cache_source(cache, key, now)) == NULL ||
	    fstatat(g->rootfd, file, &st, 0) == -1)
		return 0;
	buf_init(&page, GOPHER_REPLY_MAX);
	if (cache_get(cache, key, now, &st, &page) == -1) {
		buf_free(&page);
		return 0;
	}
	*rc = gopher_send(g->c, 20, &page, -1, 0, plus);
	return 1;
}

/*
 * What the per-path rules answer for this selector, as one type-3 line;
 * 0 when it is to be served (pol then says how).
 */
static int
gopher_rules(struct gopher_req *g, char *path, size_t pathlen, int *dir,
    struct policy *pol, char plus, int *rc)
{
	char msg[URL_MAX + 32];

	policy_gopher(g->c->site, g->o.host, path, pathlen, dir, pol);
	switch (pol->status) {
	case 0:
		return 0;
	case 30:
	case 31:
		snprintf(msg, sizeof(msg), "Moved to %s", pol->meta);
		break;
	default:
		snprintf(msg, sizeof(msg), "%s", pol->meta);
		break;
	}
	*rc = gopher_error(g, pol->status, msg, plus);
	return 1;
}

/* A Gopher client's TLS, told to a program as Gemini's is. */
static void
gopher_program_tls(struct conn *c, struct cgi_req *q, struct tls_info *ti)
{
	if (c->tls == NULL)
		return;
	tls_conn_info(c->tls, ti);
	q->tls_version = ti->version;
	q->tls_cipher = ti->cipher;
}

/*
 * A path (resolved, the query cut off) a cgi or scgi rule names: the
 * program answers, its output passed on as it is (a menu or a text).  0
 * when no rule names it.  sel is the selector as sent; query what
 * followed its "?", or NULL.
 */
static int
gopher_program(struct gopher_req *g, const char *path, int dir,
    const char *sel, const char *query, const char *search)
{
	struct conn		*c = g->c;
	const struct config	*cfg = g->cfg;
	struct program_target	 t;
	struct program_spec	 s;
	struct cgi_req		 q;
	struct tls_info		 ti;
	struct buf		 fail;
	char			 script[URL_MAX + 2], info[URL_MAX + 2];
	int			 rc;

	switch (program_find(c->site, g->rootfd, g->o.host, path, dir, &t)) {
	case 0:
		return 0;
	case -1:
		return gopher_error(g, 51, "Not found", 0);
	}
	memset(&q, 0, sizeof(q));
	q.proto = CGI_GOPHER;
	q.software = "yurt/" YURT_VERSION;
	q.server_name = g->o.host;
	q.port = g->o.port;
	(void)snprintf(script, sizeof(script), "/%.*s", (int)t.scriptlen,
	    path);
	(void)snprintf(info, sizeof(info), "%s%s", path + t.scriptlen,
	    dir && path[t.scriptlen] != '\0' ? "/" : "");
	q.script_name = script;
	q.path_info = info;
	q.selector = sel;
	q.search = search;
	q.query = search ? NULL : query ? query : "";
	gopher_program_tls(c, &q, &ti);
	q.remote_addr = c->client;	/* only with -A */
	buf_init(&fail, 0);
	(void)gophermap_error(&fail, &g->o, "The program failed");
	program_spec_of(&s, &t, script, &q, cfg);
	s.fail = fail.data && !buf_failed(&fail) ? fail.data :
	    "3The program failed\t\terror.host\t1\r\n.\r\n";
	rc = program_start(c, &s);
	buf_free(&fail);
	switch (rc) {
	case PROGRAM_OK:
		return 1;
	case PROGRAM_BUSY:
		return gopher_error(g, 44, "Too many programs running: please "
		    "try again in a moment", 0);
	default:
		return gopher_error(g, 42, "The program failed", 0);
	}
}

/* A request as gopher_input takes it apart, step by step. */
struct gopher_ask {
	const char	*sel;		/* the selector, prefixes stripped */
	char		 plus;		/* Gopher+: '$', '!', '+' or 0 */
	char		 view[64];	/* '+': the view asked for */
	const char	*search;	/* a search string, or NULL */
	char		 searchbuf[SELECTOR_LINE_MAX + 1];
	int		 text;		/* 1: the text view; 2: "+text/plain" */
	int		 cs;		/* a charset prefix's index, or -1 */
	int		 dir;
	char		 path[URL_MAX + 1];
	struct policy	 pol;
	char		 name[URL_MAX + 2];	/* the cache key's name */
	struct cache_key key;
};

/*
 * The request line taken apart into a; 1 when it is already answered
 * (*rc: 0 to wait for more of it), 0 to go on.
 */
static int
gopher_parse(struct conn *c, struct gopher_req *g, struct gopher_ask *a,
    int *rc)
{
	struct selector_req	 sr;
	char			 msg[80];

	*rc = 0;
	switch (selector_parse(c->req, c->reqlen, &sr)) {
	case SELECTOR_MORE:
		return 1;
	case SELECTOR_OK:
		break;
	case SELECTOR_HTTP:
		gopher_opts(g, c);
		c->path = "(HTTP request)";
		*rc = gopher_http(g);
		return 1;
	case SELECTOR_TOOLONG:
		gopher_opts(g, c);
		c->path = "(selector too long)";
		*rc = gopher_error(g, 59, "Selector too long", 0);
		return 1;
	default:
		gopher_opts(g, c);
		c->path = "(bad selector)";
		*rc = gopher_error(g, 59, "Bad selector", 0);
		return 1;
	}
	gopher_opts(g, c);
	if (c->limited) {
		c->path = "(rate limited)";
		snprintf(msg, sizeof(msg), "Too many requests: please wait %u "
		    "second%s", c->limited, c->limited == 1 ? "" : "s");
		*rc = gopher_error(g, 44, msg, 0);
		return 1;
	}
	memset(a, 0, sizeof(*a));
	a->cs = -1;
	/*
	 * Gopher+: '$' asks for the attributes of a menu's items, '!' for
	 * one item's, '+' for the item, or one view of it ("+text/plain").
	 */
	a->plus = sr.plus;
	/* a program's search string, before the selector is moved */
	if (sr.search != NULL) {
		(void)snprintf(a->searchbuf, sizeof(a->searchbuf), "%.*s",
		    (int)sr.searchlen, sr.search);
		a->search = a->searchbuf;
	}
	g->attrs = a->plus == '$';
	if (a->plus == '+' && sr.plusarglen > 0 &&
	    sr.plusarglen < sizeof(a->view)) {
		memcpy(a->view, sr.plusarg, sr.plusarglen);
		a->view[strcspn(a->view, " \t")] = '\0'; /* a language follows */
	}
	/* the selector is all the request we keep: it is also the log path */
	memmove(c->req, sr.sel, sr.sellen);
	c->req[sr.sellen] = '\0';
	a->sel = c->path = c->req;
	c->host = g->o.host;
	return 0;
}

/* "URL:": the page that sends a reader on.  0 for another selector. */
static int
gopher_url(struct gopher_req *g, const struct gopher_ask *a)
{
	struct buf	 page;
	const char	*url;
	size_t		 urllen;

	if (!selector_url(a->sel, strlen(a->sel), &url, &urllen))
		return 0;
	buf_init(&page, 0);
	if (gophermap_urlpage(&page, url, urllen) == -1) {
		buf_free(&page);
		return gopher_error(g, 59, "Not a link this server will send "
		    "you to", a->plus);
	}
	return gopher_send(g->c, 20, &page, -1, 0, a->plus);
}

/*
 * The first len bytes of the selector as a path in a->path, and the rules
 * for it: 1 when that answers (*rc), 0 to go on.
 */
static int
gopher_path_part(struct gopher_req *g, struct gopher_ask *a, size_t len,
    int *rc)
{
	char part[SELECTOR_LINE_MAX + 1];

	if (len < sizeof(part)) {
		memcpy(part, a->sel, len);
		part[len] = '\0';
	}
	if (len >= sizeof(part) || gopher_path(part, a->path,
	    sizeof(a->path), &a->dir) == -1) {
		*rc = gopher_error(g, 59, "Bad selector", a->plus);
		return 1;
	}
	return gopher_rules(g, a->path, sizeof(a->path), &a->dir, &a->pol,
	    a->plus, rc);
}

/*
 * The selector's prefixes (a charset chosen by the reader, then the text
 * view), its path, the rules, programs and Gopher+ '!': 1 when one of
 * them answers (*rc), 0 when a file or page is to be served.
 */
static int
gopher_special(struct gopher_req *g, struct gopher_ask *a, int *rc)
{
	const char	*query;
	char		 type;

	if ((*rc = gopher_url(g, a)) != 0)
		return 1;
	if ((a->cs = gopher_charset_prefix(&a->sel)) != -1) {
		g->o.charset = gopher_charsets[a->cs].cs;
		g->o.sel_prefix = gopher_charsets[a->cs].prefix;
	}
	if (strncmp(a->sel, GOPHER_TEXT_PREFIX "/",
	    sizeof(GOPHER_TEXT_PREFIX)) == 0) {
		a->text = 1;
		a->sel += sizeof(GOPHER_TEXT_PREFIX) - 1;
	} else if (strcasecmp(a->view, "text/plain") == 0)
		a->text = 2;	/* a page's text view; any other file as it is */
	/*
	 * What follows a "?" is a program's query, as in a URL: the rules
	 * and the program are found by the path without it.  A file whose
	 * name holds a "?" is still served by its whole name.
	 */
	query = strchr(a->sel, '?');
	if (gopher_path_part(g, a, query ? (size_t)(query - a->sel) :
	    strlen(a->sel), rc))
		return 1;
	/* the rules first: a certificate area holds no program for Gopher */
	if (a->plus == 0 && !a->text && (*rc = gopher_program(g, a->path,
	    a->dir, a->sel, query ? query + 1 : NULL, a->search)) != 0)
		return 1;
	if (query != NULL && gopher_path_part(g, a, strlen(a->sel), rc))
		return 1;
	if (a->plus == '!') {
		type = gopher_item_type(g, a->sel);
		*rc = gopher_plus_info(g, a->sel, type ? type : '3');
		return 1;
	}
	return 0;
}

/* The cache's key: the request as asked, before a directory is one. */
static void
gopher_key(struct gopher_req *g, struct gopher_ask *a)
{
	snprintf(a->name, sizeof(a->name), "%c%s", a->dir ? 'd' : 'f',
	    a->path);
	a->key.gen = g->c->site;
	a->key.variant = (a->text ? 1 : 0) | g->attrs << 1 | (a->cs + 1) << 2;
	a->key.name = a->name;
}

/* A file: a page rendered, anything else sent as it is. */
static int
gopher_file(struct gopher_req *g, struct gopher_ask *a, struct fs_result *f,
    const char *base)
{
	struct gopher_src	 src;
	struct buf		 page;
	const char		*mt;
	char			 file[URL_MAX + 12];
	int			 rc;

	mt = a->pol.type ? a->pol.type : mime_ext(f->name);
	if (mt == NULL || strcmp(mt, "text/gemini") != 0) {
		if (a->text == 1) {
			close(f->fd);
			return gopher_error(g, 51, "Not found", a->plus);
		}
		return gopher_send(g->c, 20, NULL, f->fd, f->size, a->plus);
	}
	if (gopher_slurp(f->fd, &page) == -1) {
		close(f->fd);
		buf_free(&page);
		return gopher_error(g, 40, "Page too large", a->plus);
	}
	close(f->fd);
	/* a directory's page is its index.gmi (see fs_open) */
	snprintf(file, sizeof(file), "%s%s%s", a->path,
	    a->dir && *a->path ? "/" : "", a->dir ? "index.gmi" : "");
	src.key = &a->key;
	src.file = file;
	src.st = &f->st;
	rc = gopher_page(g, page.data ? page.data : "", page.len, base,
	    a->text, a->plus, &src);
	buf_free(&page);
	return rc;
}

/* What the path names: a listing, a file or page, caps.txt, or nothing. */
static int
gopher_serve(struct gopher_req *g, struct gopher_ask *a)
{
	struct fs_result	 f;
	struct gopher_src	 src;
	struct buf		 listing;
	char			 base[URL_MAX + 3];
	int			 rc;

	/* Gopher has no redirects: a directory is one, slash or not */
	buf_init(&listing, 1024 * 1024);
	fs_open(g->rootfd, a->path, a->dir, a->pol.listing, &listing, &f);
	if (f.kind == FS_REDIRECT) {
		a->dir = 1;
		fs_open(g->rootfd, a->path, a->dir, a->pol.listing, &listing,
		    &f);
	}
	if (f.kind == FS_NOTFOUND && strcmp(a->path, "caps.txt") == 0 &&
	    !a->text) {
		buf_free(&listing);
		return gopher_caps(g);
	}
	/* the base of a directory's links is the directory, with its slash */
	snprintf(base, sizeof(base), "/%s%s", a->path,
	    (a->dir || f.kind == FS_LISTING) && *a->path ? "/" : "");
	switch (f.kind) {
	case FS_LISTING:
		/* kept while the directory is unchanged (its entries) */
		src.key = &a->key;
		src.file = *a->path ? a->path : ".";
		src.st = &f.st;
		g->listing = 1;
		rc = gopher_page(g, listing.data, listing.len, base, a->text,
		    a->plus, &src);
		break;
	case FS_FILE:
		rc = gopher_file(g, a, &f, base);
		break;
	case FS_ERROR:
		rc = gopher_error(g, 40, "Temporary failure", a->plus);
		break;
	default:
		rc = gopher_error(g, 51, "Not found", a->plus);
		break;
	}
	buf_free(&listing);
	return rc;
}

/* parse, special selectors, the cache, then the file or page */
static int
gopher_input(struct conn *c)
{
	struct gopher_req	 g;
	struct gopher_ask	 a;
	int			 rc;

	if (gopher_parse(c, &g, &a, &rc) || gopher_special(&g, &a, &rc))
		return rc;
	gopher_key(&g, &a);
	if (gopher_cached(&g, &a.key, a.plus, &rc))
		return rc;
	return gopher_serve(&g, &a);
}
