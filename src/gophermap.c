/*
 * Gemtext rendered for Gopher clients (RFC 1436): a type-1 menu, or type-0
 * plain text with numbered link references.
 *
 * Every display string goes through charset_fold() (so it is counted and
 * wrapped as the client will show it) and charset_encode() (so no control
 * character, TAB included, can reach a field).  Selectors and hosts are
 * checked instead: one holding a TAB, CR, LF or NUL is never written.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "charset.h"
#include "gemtext.h"
#include "gopherlink.h"
#include "gophermap.h"
#include "url.h"
#include "wrap.h"

#define TEXT_OFFER	"This page as plain text"

/* No byte that could end or split a Gopher field (or upset a terminal). */
static int
gophermap_field_ok(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
			return 0;
	return 1;
}

static int
gophermap_host_ok(const char *h)
{
	return h != NULL && *h != '\0' && gophermap_field_ok(h, strlen(h)) &&
	    strchr(h, ' ') == NULL;
}

static void
gophermap_fold(struct render *r, const char *s, size_t len)
{
	buf_reset(&r->fold);
	if (charset_fold(&r->fold, r->o->charset, s, len) == -1)
		r->err = 1;
}

/* The folded text in r->fold, encoded into dst, shortened to the width. */
static void
gophermap_shortened(struct render *r, struct buf *dst)
{
	const char	*s = gopherlink_bufstr(&r->fold), *ell;
	size_t		 len = r->fold.len, cut, ellw;

	if (r->o->charset == CHARSET_UTF8) {
		ell = "\xE2\x80\xA6";	/* one column, not three */
		ellw = 1;
	} else {
		ell = "...";
		ellw = 3;
	}
	if (wrap_width(s, len) > r->width) {
		if (r->width > ellw) {
			cut = wrap_cut(s, len, r->width - ellw);
			while (cut > 0 &&
			    (s[cut - 1] == ' ' || s[cut - 1] == '\t'))
				cut--;
		} else {
			cut = wrap_cut(s, len, r->width);
			ell = "";
		}
		charset_encode(dst, r->o->charset, s, cut);
		buf_puts(dst, ell);
	} else
		charset_encode(dst, r->o->charset, s, len);
	if (buf_failed(dst))
		r->err = 1;
}

static void
gophermap_tail(struct render *r, const char *sel, size_t sellen, const char *host,
    const char *port)
{
	buf_putc(r->out, '\t');
	buf_append(r->out, sel, sellen);
	buf_putc(r->out, '\t');
	buf_puts(r->out, host);
	buf_putc(r->out, '\t');
	buf_puts(r->out, port);
	buf_puts(r->out, "\r\n");
}

/*
 * One line of display text, already encoded: an info line in a menu; in
 * plain text a line, a space put before a leading '.' so that no client
 * takes it for the end (or un-doubles it: RFC 1436 dot-stuffing is not
 * undone by every client, a space reads the same everywhere).
 */
static void
gophermap_emit(struct render *r, const char *s, size_t len)
{
	if (r->text) {
		if (len > 0 && s[0] == '.')
			buf_putc(r->out, ' ');
		buf_append(r->out, s, len);
		buf_puts(r->out, "\r\n");
	} else {
		buf_putc(r->out, 'i');
		buf_append(r->out, s, len);
		gophermap_tail(r, "", 0, r->o->host, r->port);
	}
}

/* Wrap UTF-8 text with prefixes; returns the widest line's columns. */
static size_t
gophermap_wrapped(struct render *r, const char *s, size_t len, const char *first,
    const char *rest)
{
	struct wrap	 w;
	struct wrap_line l;
	size_t		 max = 0;

	gophermap_fold(r, s, len);
	wrap_init(&w, gopherlink_bufstr(&r->fold), r->fold.len, r->width, first, rest);
	while (wrap_next(&w, &l)) {
		buf_reset(&r->line);
		charset_encode(&r->line, r->o->charset, l.prefix, l.prefixlen);
		charset_encode(&r->line, r->o->charset, l.text, l.len);
		if (buf_failed(&r->line))
			r->err = 1;
		gophermap_emit(r, gopherlink_bufstr(&r->line), r->line.len);
		if (l.cols > max)
			max = l.cols;
	}
	return max;
}

static void
gophermap_heading(struct render *r, int level, const char *s, size_t len)
{
	size_t	 cols, i;

	if (len == 0) {			/* "#" alone: nothing to underline */
		gophermap_emit(r, "", 0);
		return;
	}
	if ((cols = gophermap_wrapped(r, s, len, NULL, NULL)) == 0)
		return;			/* nothing visible either */
	buf_reset(&r->line);
	for (i = 0; i < cols; i++)
		buf_putc(&r->line, level == 1 ? '=' : '-');
	if (buf_failed(&r->line))
		r->err = 1;
	gophermap_emit(r, gopherlink_bufstr(&r->line), r->line.len);
	gophermap_emit(r, "", 0);
	r->skipblank = 1;	/* the blank line usually written after it */
}

/*
 * One character of a preformatted line, folded, in exactly the columns
 * it had (ASCII art stays aligned): a transliteration that is wider is
 * cut ("EUR" for the euro sign is "E"), one that is narrower is padded.
 */
static size_t
gophermap_pre_char(struct render *r, const char *s, size_t n, uint32_t cp)
{
	int	 cw = wrap_cpwidth(cp);
	size_t	 w, fw, cut;

	gophermap_fold(r, s, n);
	fw = wrap_width(gopherlink_bufstr(&r->fold), r->fold.len);
	if (r->o->charset == CHARSET_UTF8 || cp == CHARSET_INVALID || cw < 0) {
		buf_append(&r->exp, gopherlink_bufstr(&r->fold), r->fold.len);
		return fw;
	}
	w = (size_t)cw;
	cut = fw > w ? wrap_cut(gopherlink_bufstr(&r->fold), r->fold.len, w) :
	    r->fold.len;
	buf_append(&r->exp, gopherlink_bufstr(&r->fold), cut);
	for (fw = wrap_width(gopherlink_bufstr(&r->fold), cut); fw < w; fw++)
		buf_putc(&r->exp, ' ');
	return w;
}

/* Preformatted: verbatim but for tabs, expanded to stops of 8 columns. */
static void
gophermap_pre_line(struct render *r, const char *s, size_t len)
{
	size_t		 i, n, col = 0;
	uint32_t	 cp;

	buf_reset(&r->exp);
	for (i = 0; i < len; i += n) {
		n = charset_decode(s + i, len - i, &cp);
		if (cp == '\t') {
			do
				buf_putc(&r->exp, ' ');
			while (++col % 8 != 0);
		} else
			col += gophermap_pre_char(r, s + i, n, cp);
	}
	buf_reset(&r->line);
	charset_encode(&r->line, r->o->charset, gopherlink_bufstr(&r->exp), r->exp.len);
	if (buf_failed(&r->exp) || buf_failed(&r->line))
		r->err = 1;
	gophermap_emit(r, gopherlink_bufstr(&r->line), r->line.len);
}

/* What to show for a link: its label, or its URL when it has none. */
static void
gophermap_link_label(struct render *r, const struct gemtext_line *l, const char **s,
    size_t *len)
{
	gophermap_fold(r, l->text, l->textlen);
	if (wrap_width(gopherlink_bufstr(&r->fold), r->fold.len) > 0) {
		*s = l->text;
		*len = l->textlen;
	} else {			/* none, or none a reader could see */
		*s = l->url;
		*len = l->urllen;
	}
}

static void
gophermap_menu_link(struct render *r, const struct gemtext_line *l)
{
	struct link	 lk;
	const char	*label;
	size_t		 len;

	gopherlink_resolve(r, l->url, l->urllen, &lk);
	gophermap_link_label(r, l, &label, &len);
	gophermap_fold(r, label, len);
	buf_reset(&r->line);
	gophermap_shortened(r, &r->line);
	if (lk.kind == LINK_DEAD) {
		gophermap_emit(r, gopherlink_bufstr(&r->line), r->line.len);
		return;
	}
	buf_putc(r->out, lk.type);
	buf_append(r->out, gopherlink_bufstr(&r->line), r->line.len);
	gophermap_tail(r, gopherlink_bufstr(&r->sel), r->sel.len, lk.host, lk.port);
}

/*
 * In plain text a link is its label with a number, "[L3] label"; the list
 * at the end gives each number a URL a reader can type: gopher:// for the
 * capsule's own pages, the link as written for the others.
 */
static void
gophermap_text_link(struct render *r, const struct gemtext_line *l)
{
	static const char	 spaces[] = "                ";
	struct link		 lk;
	const char		*label;
	size_t			 len;
	char			 num[16];
	int			 n;

	/* "[L3]": not to be taken for a footnote "[3]" of the text itself */
	n = snprintf(num, sizeof(num), "[L%u] ", ++r->nlinks);
	if (n < 0 || (size_t)n >= sizeof(num)) {
		r->err = 1;
		return;
	}
	gophermap_link_label(r, l, &label, &len);
	gophermap_wrapped(r, label, len, num, spaces + sizeof(spaces) - 1 - n);

	gopherlink_resolve(r, l->url, l->urllen, &lk);
	buf_append(&r->refs, num, (size_t)n);
	if (lk.kind == LINK_LOCAL) {
		buf_puts(&r->refs, "gopher://");
		if (strchr(r->o->host, ':') != NULL)
			buf_printf(&r->refs, "[%s]", r->o->host);
		else
			buf_puts(&r->refs, r->o->host);
		if (r->o->port != 70)
			buf_printf(&r->refs, ":%s", r->port);
		buf_putc(&r->refs, '/');
		buf_putc(&r->refs, lk.type);
		url_encode(&r->refs, gopherlink_bufstr(&r->sel), r->sel.len,
		    URL_ENC_PATH);
	} else
		url_encode(&r->refs, l->url, l->urllen, URL_ENC_UNSAFE);
	buf_puts(&r->refs, "\r\n");
	if (buf_failed(&r->refs))
		r->err = 1;
}

static void
gophermap_render_line(struct render *r, const struct gemtext_line *l)
{
	int	 skip = r->skipblank;

	r->skipblank = 0;
	switch (l->type) {
	case GEMTEXT_TEXT:
		if (l->textlen > 0)
			gophermap_wrapped(r, l->text, l->textlen, NULL, NULL);
		else if (!skip)
			gophermap_emit(r, "", 0);
		break;
	case GEMTEXT_LINK:
		if (r->text)
			gophermap_text_link(r, l);
		else
			gophermap_menu_link(r, l);
		break;
	case GEMTEXT_HEADING:
		gophermap_heading(r, l->level, l->text, l->textlen);
		break;
	case GEMTEXT_LIST:
		gophermap_wrapped(r, l->text, l->textlen, "* ", "  ");
		break;
	case GEMTEXT_QUOTE:
		gophermap_wrapped(r, l->text, l->textlen, "> ", "> ");
		break;
	case GEMTEXT_PRE_TOGGLE:
		break;			/* the toggle lines are not shown */
	case GEMTEXT_PRE:
		gophermap_pre_line(r, l->text, l->textlen);
		break;
	}
}

static int
gophermap_render_init(struct render *r, struct buf *out, const struct gophermap_opts *o,
    const char *base, int text)
{
	int	 n;

	memset(r, 0, sizeof(*r));
	if (!gophermap_host_ok(o->host) || o->port == 0 || o->port > 65535)
		return -1;
	n = snprintf(r->port, sizeof(r->port), "%u", o->port);
	if (n < 0 || (size_t)n >= sizeof(r->port))
		return -1;
	r->out = out;
	r->o = o;
	if (base == NULL)
		base = "/";
	if (!gophermap_field_ok(base, strlen(base)))
		return -1;
	r->base = base;
	r->width = o->width ? o->width : GOPHERMAP_WIDTH;
	r->text = text;
	buf_init(&r->fold, 0);
	buf_init(&r->line, 0);
	buf_init(&r->exp, 0);
	buf_init(&r->sel, 0);
	buf_init(&r->host, 0);
	buf_init(&r->refs, 0);
	return 0;
}

static int
gophermap_render_done(struct render *r)
{
	buf_free(&r->fold);
	buf_free(&r->line);
	buf_free(&r->exp);
	buf_free(&r->sel);
	buf_free(&r->host);
	buf_free(&r->refs);
	return r->err || buf_failed(r->out) ? -1 : 0;
}

static void
gophermap_offer(struct render *r, char type, const char *label,
    const char *sel)
{
	gophermap_fold(r, label, strlen(label));
	buf_reset(&r->line);
	gophermap_shortened(r, &r->line);
	buf_putc(r->out, type);
	buf_append(r->out, gopherlink_bufstr(&r->line), r->line.len);
	gophermap_tail(r, sel, strlen(sel), r->o->host, r->port);
}

/* The page as text, then in the other charsets (o->offers). */
static void
gophermap_offer_text(struct render *r, const char *textsel)
{
	const char *const	*p;

	gophermap_offer(r, '0', TEXT_OFFER, textsel);
	for (p = r->o->offers; p != NULL && p[0] != NULL && p[1] != NULL;
	    p += 2)
		gophermap_offer(r, '1', p[0], p[1]);
	gophermap_emit(r, "", 0);
}

/*
 * The page at selector as a Gopher menu.  With textsel, an item for its
 * plain-text version comes first, or right after the title when the page
 * opens with a heading.
 */
int
gophermap_menu(struct buf *out, const struct gophermap_opts *o,
    const char *selector, const char *textsel, const char *gmi, size_t len)
{
	struct render		 r;
	struct gemtext		 g;
	struct gemtext_line	 l;
	const char *const	*p;
	int			 offer = textsel != NULL;

	if (textsel != NULL && !gophermap_field_ok(textsel, strlen(textsel)))
		return -1;
	for (p = o->offers; p != NULL && p[0] != NULL && p[1] != NULL; p += 2)
		if (!gophermap_field_ok(p[1], strlen(p[1])))
			return -1;
	if (gophermap_render_init(&r, out, o, selector, 0) == -1)
		return -1;
	gemtext_init(&g, gmi, len);
	while (gemtext_next(&g, &l)) {
		if (offer && !(l.type == GEMTEXT_TEXT && l.textlen == 0)) {
			offer = 0;
			if (l.type == GEMTEXT_HEADING) {
				gophermap_render_line(&r, &l);
				gophermap_offer_text(&r, textsel);
				r.skipblank = 1;
				continue;
			}
			gophermap_offer_text(&r, textsel);
		}
		gophermap_render_line(&r, &l);
	}
	if (offer)
		gophermap_offer_text(&r, textsel);
	buf_puts(out, ".\r\n");
	return gophermap_render_done(&r);
}

/*
 * The page as plain text: the menu's wrapping, links numbered, their URLs
 * listed at the end; CRLF line ends, no closing "." line.
 */
int
gophermap_text(struct buf *out, const struct gophermap_opts *o,
    const char *selector, const char *gmi, size_t len)
{
	struct render		 r;
	struct gemtext		 g;
	struct gemtext_line	 l;

	if (gophermap_render_init(&r, out, o, selector, 1) == -1)
		return -1;
	gemtext_init(&g, gmi, len);
	while (gemtext_next(&g, &l))
		gophermap_render_line(&r, &l);
	if (r.nlinks > 0) {
		gophermap_emit(&r, "", 0);
		gophermap_heading(&r, 2, "Links", 5);
		buf_append(out, gopherlink_bufstr(&r.refs), r.refs.len);
	}
	/*
	 * No "." line: a type-0 reply ends at the close (as Gophernicus's
	 * do), and lynx, curl and VF-1 would show the dot as text.
	 */
	return gophermap_render_done(&r);
}

/*
 * One menu line pointing at this server (a directory listing's entry, an
 * info line with type 'i').  The display is shortened to the width.
 */
int
gophermap_item(struct buf *out, const struct gophermap_opts *o, char type,
    const char *display, size_t len, const char *selector)
{
	struct render	 r;

	if (selector == NULL)
		selector = "";
	if (!gopherlink_type_ok(type) || !gophermap_field_ok(selector, strlen(selector)))
		return -1;
	if (gophermap_render_init(&r, out, o, NULL, 0) == -1)
		return -1;
	gophermap_fold(&r, display, len);
	buf_reset(&r.line);
	gophermap_shortened(&r, &r.line);
	buf_putc(out, type);
	buf_append(out, gopherlink_bufstr(&r.line), r.line.len);
	gophermap_tail(&r, selector, strlen(selector), o->host, r.port);
	return gophermap_render_done(&r);
}

/* A whole reply: one type-3 line and the end of the menu. */
int
gophermap_error(struct buf *out, const struct gophermap_opts *o,
    const char *msg)
{
	struct render	 r;

	if (gophermap_render_init(&r, out, o, NULL, 0) == -1)
		return -1;
	buf_putc(out, '3');
	if (charset_encode(out, o->charset, msg, strlen(msg)) == -1)
		r.err = 1;
	gophermap_tail(&r, "", 0, o->host, r.port);
	buf_puts(out, ".\r\n");
	return gophermap_render_done(&r);
}

static void
gophermap_html_escape(struct buf *b, const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		case '\'':
			buf_puts(b, "&#39;");
			break;
		default:
			buf_putc(b, s[i]);
		}
	}
}

/*
 * The page a "URL:" selector returns (the convention of Gophernicus and
 * others): HTML 3.2 that any browser shows, no script, nothing loaded.
 * -1 when the scheme is not one a reader should be sent to (javascript:,
 * data:, file:...) or the URL holds a control character or a space.
 */
int
gophermap_urlpage(struct buf *out, const char *url, size_t len)
{
	struct buf	 u;
	size_t		 slen;
	int		 rv;

	slen = url_scheme_len(url, len);
	if (slen == 0 || !gopherlink_scheme_allowed(url, slen) || !gophermap_field_ok(url, len) ||
	    memchr(url, ' ', len) != NULL)
		return -1;
	buf_init(&u, 0);
	url_encode(&u, url, len, URL_ENC_UNSAFE);
	buf_puts(out,
	    "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n"
	    "<HTML>\n<HEAD>\n<META HTTP-EQUIV=\"refresh\" CONTENT=\"5;URL=");
	gophermap_html_escape(out, gopherlink_bufstr(&u), u.len);
	buf_puts(out, "\">\n<TITLE>Leaving Gopherspace</TITLE>\n</HEAD>\n"
	    "<BODY>\n<P>This link leads out of Gopherspace, to<BR>\n"
	    "<A HREF=\"");
	gophermap_html_escape(out, gopherlink_bufstr(&u), u.len);
	buf_puts(out, "\">");
	gophermap_html_escape(out, gopherlink_bufstr(&u), u.len);
	buf_puts(out, "</A></P>\n<P>Your browser should go there in a few "
	    "seconds; if not, follow the link.</P>\n</BODY>\n</HTML>\n");
	rv = buf_failed(&u) || buf_failed(out) ? -1 : 0;
	buf_free(&u);
	return rv;
}
