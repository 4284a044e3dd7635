#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "gopherplus.h"

/* A menu line's four fields: type+display, selector, host, port. */
static int
gopherplus_fields(const char *line, size_t len, const char **sel,
    size_t *sellen, int *ours, const struct gopherplus_opts *o)
{
	const char	*t1, *t2, *t3, *end = line + len;
	size_t		 hl = strlen(o->host), pl = strlen(o->port);

	if (len < 1 || (t1 = memchr(line, '\t', len)) == NULL ||
	    (t2 = memchr(t1 + 1, '\t', (size_t)(end - t1 - 1))) == NULL ||
	    (t3 = memchr(t2 + 1, '\t', (size_t)(end - t2 - 1))) == NULL)
		return -1;
	/* an item of this server: it may be asked about */
	*ours = (size_t)(t3 - t2 - 1) == hl && memcmp(t2 + 1, o->host, hl) ==
	    0 && (size_t)(end - t3 - 1) == pl && memcmp(t3 + 1, o->port, pl) ==
	    0;
	if (memchr(line, '\r', len) != NULL || memchr(line, '\n', len) != NULL)
		return -1;
	*sel = t1 + 1;
	*sellen = (size_t)(t2 - t1 - 1);
	return 0;
}

/* " type: <Nk>", the size rounded up to a kilobyte. */
static void
gopherplus_view(struct buf *out, const char *type, long long size)
{
	buf_printf(out, " %s: <%lldk>\r\n", type,
	    size < 0 ? 0 : (size + 1023) / 1024);
}

static const char *
gopherplus_type_view(char type)
{
	switch (type) {
	case '0':
		return "text/plain";
	case '1':
		return "application/gopher-menu";
	case 'g':
		return "image/gif";
	default:
		return "application/octet-stream";
	}
}

int
gopherplus_item(struct buf *out, const struct gopherplus_opts *o,
    const char *line, size_t len)
{
	struct gopherplus_item	 it;
	const char		*sel;
	size_t			 sellen;
	struct tm		 tm;
	char			 date[16];
	char			 type = line[0];
	int			 known, ours;

	if (gopherplus_fields(line, len, &sel, &sellen, &ours, o) == -1)
		return -1;
	memset(&it, 0, sizeof(it));
	it.date = o->date;
	it.size = -1;
	known = ours && type != 'i' && type != '3' && o->item != NULL &&
	    o->item(o->arg, type, sel, sellen, &it) == 0;
	if (gmtime_r(&it.date, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y%m%d%H%M%S", &tm) != 14)
		return -1;
	buf_puts(out, "+INFO: ");
	buf_append(out, line, len);
	buf_puts(out, "\t+\r\n+ADMIN:\r\n");
	buf_printf(out, " Admin: the operator of %s <>\r\n", o->host);
	buf_printf(out, " Mod-Date: <%s>\r\n", date);
	buf_puts(out, "+VIEWS:\r\n");
	/*
	 * An info line or an error is no document: it has no view.  Nor
	 * does an HTML item: offered a text/html view, the UMN client
	 * overwrites the selector's first byte with 'h' (UMN servers began
	 * selectors with the type), and "URL:https://..." is asked for as
	 * "hRL:https://...".  Without the view it asks for the item as is.
	 */
	if (type != 'i' && type != '3' && type != 'h') {
		gopherplus_view(out, it.view ? it.view :
		    gopherplus_type_view(type), known ? it.size : -1);
		/* the text view's size: the source's, near enough */
		if (known && it.text_view)
			gopherplus_view(out, "text/plain", it.size);
	}
	return buf_failed(out) ? -1 : 0;
}

int
gopherplus_menu(struct buf *out, const struct gopherplus_opts *o,
    const char *menu, size_t len)
{
	const char	*p = menu, *end = menu + len, *nl;
	size_t		 n;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return -1;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 1 && p[0] == '.')
			break;		/* the menu's end */
		if (gopherplus_item(out, o, p, n) == -1)
			return -1;
		p = nl + 1;
	}
	buf_puts(out, ".\r\n");
	return buf_failed(out) ? -1 : 0;
}
