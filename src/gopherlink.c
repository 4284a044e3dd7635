/*
 * Links on a page rendered for Gopher: what each becomes, a selector
 * into the capsule, a gopher:// item elsewhere or a "URL:" selector.
 * URLs are taken apart by url.c; this decides what they mean here.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "gopherlink.h"
#include "mime.h"
#include "nitems.h"
#include "selector.h"
#include "url.h"

/* Schemes a "URL:" selector may send a reader to. */
static const char *const url_schemes[] = {
	"http", "https", "gemini", "gopher", "gophers", "ftp", "mailto",
	"news", "nntp", "telnet", "irc", "ircs", "xmpp", "finger"
};

static int
gopherlink_scheme_is(const char *u, size_t slen, const char *name)
{
	return strlen(name) == slen && strncasecmp(u, name, slen) == 0;
}

int
gopherlink_scheme_allowed(const char *u, size_t slen)
{
	size_t	 i;

	for (i = 0; i < NITEMS(url_schemes); i++)
		if (gopherlink_scheme_is(u, slen, url_schemes[i]))
			return 1;
	return 0;
}

/* Host names compare without case and without a trailing dot. */
static int
gopherlink_host_is_ours(const struct gophermap_opts *o, const char *h, size_t hlen)
{
	const char *const	*g;
	size_t			 n;

	if (hlen > 0 && h[hlen - 1] == '.')
		hlen--;
	if (hlen == 0 || o->gemini_hosts == NULL)
		return 0;
	for (g = o->gemini_hosts; *g != NULL; g++) {
		n = strlen(*g);
		if (n > 0 && (*g)[n - 1] == '.')
			n--;
		if (n == hlen && strncasecmp(*g, h, n) == 0)
			return 1;
	}
	return 0;
}

/*
 * A path from a link into the capsule, as a selector in r->sel: decoded,
 * resolved against the page's selector, dot segments removed.
 */
static int
gopherlink_local_selector(struct render *r, const char *path, size_t len)
{
	const char	*slash;

	buf_reset(&r->sel);
	if (len == 0 || path[0] != '/') {
		if (r->base[0] != '/')
			buf_putc(&r->sel, '/');
		if (len == 0)
			buf_puts(&r->sel, r->base);
		else if ((slash = strrchr(r->base, '/')) != NULL)
			buf_append(&r->sel, r->base,
			    (size_t)(slash - r->base) + 1);
	}
	if (url_decode(&r->sel, path, len, 1) == -1)
		return -1;
	if (r->sel.len == 0)
		buf_putc(&r->sel, '/');
	url_dedot(&r->sel);
	if (buf_failed(&r->sel)) {
		r->err = 1;
		return -1;
	}
	return 0;
}

static char
gopherlink_local_type(const struct render *r, const char *sel)
{
	char	 t;

	if (r->o->item_type != NULL)
		t = r->o->item_type(r->o->arg, sel);
	else if ((t = mime_item(sel)) == 0)
		t = '9';
	/* 'i' and '3' would make a link look like text or an error */
	if (!gopherlink_type_ok(t) || t == 'i' || t == '3')
		return 0;
	return t;
}

/* A gopher:// URL (RFC 4266): "gopher://host[:port]/<type><selector>". */
static int
gopherlink_gopher_link(struct render *r, const char *u, size_t len, struct link *lk)
{
	struct url_authority	 a;
	const char		*path, *end, *tab, *err;
	size_t			 i;
	int			 n;
	char			 type;

	if (len < 2 || memcmp(u, "//", 2) != 0 ||
	    url_authority(u + 2, len - 2, &a, &path, &err) == -1 ||
	    a.userinfo || a.hostlen == 0)
		return -1;
	for (i = 0; i < a.hostlen; i++) {
		if (!gopherlink_is_alnum((unsigned char)a.host[i]) &&
		    !gopherlink_in_set(a.host[i], "-._:"))
			return -1;
	}
	end = u + len;
	if ((tab = memchr(path, '#', (size_t)(end - path))) != NULL)
		end = tab;
	buf_reset(&r->sel);
	if (end - path <= 1)
		type = '1';
	else {
		type = path[1];
		if (!gopherlink_type_ok(type) || type == 'i' || type == '3')
			return -1;
		path += 2;
		/* "%09" starts a search string: not part of the selector */
		for (tab = path; tab + 2 < end; tab++)
			if (memcmp(tab, "%09", 3) == 0)
				break;
		if (tab + 2 >= end)
			tab = end;
		if (url_decode(&r->sel, path, (size_t)(tab - path), 0) == -1)
			return -1;
	}
	buf_reset(&r->host);
	buf_append(&r->host, a.host, a.hostlen);
	if (buf_failed(&r->host) || buf_failed(&r->sel)) {
		r->err = 1;
		return -1;
	}
	n = snprintf(lk->port, sizeof(lk->port), "%u", a.port ? a.port : 70);
	if (n < 0 || (size_t)n >= sizeof(lk->port))
		return -1;
	lk->host = gopherlink_bufstr(&r->host);
	lk->type = type;
	lk->kind = LINK_GOPHER;
	return 0;
}

/*
 * A link into the capsule: its selector in r->sel, its type asked for.
 * One this server would refuse as too long is no link.
 */
static void
gopherlink_local_link(struct render *r, const char *path, size_t len, struct link *lk)
{
	const char	*pre = r->o->sel_prefix ? r->o->sel_prefix : "";
	size_t		 plen = strlen(pre);

	if (gopherlink_local_selector(r, path, len) != 0 ||
	    r->sel.len + plen > SELECTOR_MAX ||
	    (lk->type = gopherlink_local_type(r, gopherlink_bufstr(&r->sel))) == 0)
		return;
	lk->kind = LINK_LOCAL;
	if (plen == 0)
		return;
	/* the prefix keeps a reader in the charset chosen, page to page */
	buf_reset(&r->exp);
	buf_append(&r->exp, pre, plen);
	buf_append(&r->exp, gopherlink_bufstr(&r->sel), r->sel.len);
	buf_reset(&r->sel);
	buf_append(&r->sel, gopherlink_bufstr(&r->exp), r->exp.len);
	if (buf_failed(&r->exp) || buf_failed(&r->sel))
		r->err = 1;
}

/* Length of a URL's path: up to its query or fragment. */
static size_t
gopherlink_path_len(const char *p, size_t len)
{
	size_t	 n;

	for (n = 0; n < len; n++)
		if (p[n] == '?' || p[n] == '#')
			break;
	return n;
}

/*
 * What a link becomes.  Local and gopher:// links get their selector in
 * r->sel, other URLs a "URL:" selector there.  A link that cannot be
 * followed is LINK_DEAD.  Queries and fragments of links into the capsule
 * are dropped: the capsule is static files, as on the Gemini side.
 */
void
gopherlink_resolve(struct render *r, const char *u, size_t len, struct link *lk)
{
	struct url_authority	 a;
	const char		*p, *path, *err;
	size_t			 slen, plen;
	int			 netpath;

	memset(lk, 0, sizeof(*lk));
	lk->kind = LINK_DEAD;
	lk->host = r->o->host;
	memcpy(lk->port, r->port, sizeof(lk->port));

	slen = url_scheme_len(u, len);
	netpath = slen == 0 && len >= 2 && memcmp(u, "//", 2) == 0;
	if (slen == 0 && !netpath) {
		gopherlink_local_link(r, u, gopherlink_path_len(u, len), lk);
		return;
	}
	if (slen > 0 && gopherlink_scheme_is(u, slen, "gopher") &&
	    gopherlink_gopher_link(r, u + slen + 1, len - slen - 1, lk) == 0)
		return;
	/* "//host/path" on a Gemini page means gemini://host/path */
	if (netpath || (gopherlink_scheme_is(u, slen, "gemini") && len - slen > 2 &&
	    memcmp(u + slen + 1, "//", 2) == 0)) {
		p = netpath ? u + 2 : u + slen + 3;
		if (url_authority(p, len - (size_t)(p - u), &a, &path,
		    &err) == 0 &&
		    !a.userinfo && gopherlink_host_is_ours(r->o, a.host, a.hostlen) &&
		    (a.port ? a.port : 1965) ==
		    (r->o->gemini_port ? r->o->gemini_port : 1965)) {
			plen = gopherlink_path_len(path, len - (size_t)(path - u));
			if (plen == 0)
				gopherlink_local_link(r, "/", 1, lk);
			else
				gopherlink_local_link(r, path, plen, lk);
			return;
		}
	}

	if (!netpath && !gopherlink_scheme_allowed(u, slen))
		return;
	buf_reset(&r->sel);
	buf_puts(&r->sel, netpath ? "URL:gemini:" : "URL:");
	url_encode(&r->sel, u, len, URL_ENC_UNSAFE);
	if (buf_failed(&r->sel)) {
		r->err = 1;
		return;
	}
	if (r->sel.len > SELECTOR_MAX)
		return;
	lk->type = 'h';
	lk->kind = LINK_URL;
}
