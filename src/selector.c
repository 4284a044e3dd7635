/*
 * Gopher request line parser.
 *
 * A request is a selector, optionally a TAB and a search string or a
 * Gopher+ marker, then CRLF; a bare LF is accepted too (many clients and
 * scripts send one).  Bad input is rejected, never repaired.
 */
#include <stddef.h>
#include <string.h>

#include "selector.h"

static int
selector_is_plus(char c)
{
	return c == '+' || c == '!' || c == '$';
}

static int
selector_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "METHOD target HTTP/d.d": a web browser pointed at the Gopher port. */
static int
selector_is_http(const char *s, size_t len, struct selector_req *r)
{
	size_t	 i = 0, t;

	while (i < len && s[i] >= 'A' && s[i] <= 'Z')
		i++;
	if (i == 0 || i > 16 || i >= len || s[i] != ' ')
		return 0;
	t = ++i;
	while (i < len && s[i] != ' ')
		i++;
	if (i == t || len - i != 9 || memcmp(s + i, " HTTP/", 6) != 0 ||
	    !selector_is_digit(s[i + 6]) || s[i + 7] != '.' || !selector_is_digit(s[i + 8]))
		return 0;
	r->sel = s + t;
	r->sellen = i - t;
	return 1;
}

/*
 * Splits at the first TAB.  What follows is a Gopher+ marker when it starts
 * with '+', '!' or '$' (so a search string cannot start with one of those),
 * else a search string, itself optionally followed by a TAB and a marker.
 * Anything after that is ignored.
 */
static void
selector_split(const char *s, size_t len, struct selector_req *r)
{
	const char	*tab, *f, *f2;
	size_t		 flen;

	r->sel = s;
	if ((tab = memchr(s, '\t', len)) == NULL) {
		r->sellen = len;
		return;
	}
	r->sellen = (size_t)(tab - s);
	f = tab + 1;
	flen = len - r->sellen - 1;
	if (flen > 0 && selector_is_plus(*f)) {
		r->plus = *f;
		r->plusarg = f + 1;
		r->plusarglen = flen - 1;
		return;
	}
	r->search = f;
	if ((tab = memchr(f, '\t', flen)) == NULL) {
		r->searchlen = flen;
		return;
	}
	r->searchlen = (size_t)(tab - f);
	f2 = tab + 1;
	flen -= r->searchlen + 1;
	if (flen > 0 && selector_is_plus(*f2)) {
		r->plus = *f2;
		r->plusarg = f2 + 1;
		r->plusarglen = flen - 1;
	}
}

/*
 * Returns an enum selector_status.  SELECTOR_BAD and SELECTOR_TOOLONG are
 * given as soon as the bytes show it, without waiting for the line end.
 */
int
selector_parse(const char *buf, size_t len, struct selector_req *r)
{
	size_t		 i, lim, end = 0;
	unsigned char	 c;
	int		 found = 0, tabbed = 0;

	memset(r, 0, sizeof(*r));
	lim = len < SELECTOR_LINE_MAX + 2 ? len : SELECTOR_LINE_MAX + 2;
	for (i = 0; i < lim; i++) {
		c = (unsigned char)buf[i];
		if (c == '\n') {
			end = i;
			r->reqlen = i + 1;
			found = 1;
			break;
		}
		if (c == '\r') {
			if (i + 1 == len)
				break;		/* its LF has not come yet */
			if (buf[i + 1] != '\n')
				return SELECTOR_BAD;
			end = i;
			r->reqlen = i + 2;
			found = 1;
			break;
		}
		if (c == '\t')
			tabbed = 1;
		if (c == '\0' || c == 0x7F || (c < 0x20 && c != '\t'))
			return SELECTOR_BAD;
		/* the selector proper (before any TAB) has its own cap */
		if (!tabbed && i >= SELECTOR_MAX)
			return SELECTOR_TOOLONG;
	}
	if (!found) {
		if (len > SELECTOR_LINE_MAX + 1 || (len == SELECTOR_LINE_MAX +
		    1 && buf[SELECTOR_LINE_MAX] != '\r'))
			return SELECTOR_TOOLONG;
		return SELECTOR_MORE;
	}
	if (end > SELECTOR_LINE_MAX) {
		r->reqlen = 0;
		return SELECTOR_TOOLONG;
	}
	if (selector_is_http(buf, end, r))
		return SELECTOR_HTTP;
	selector_split(buf, end, r);
	return SELECTOR_OK;
}

/*
 * Whether a selector is a "URL:" link out of Gopherspace (also "/URL:",
 * which some clients send); *url then points after the prefix.
 */
int
selector_url(const char *sel, size_t len, const char **url, size_t *urllen)
{
	size_t	 skip;

	if (len >= 4 && memcmp(sel, "URL:", 4) == 0)
		skip = 4;
	else if (len >= 5 && memcmp(sel, "/URL:", 5) == 0)
		skip = 5;
	else
		return 0;
	*url = sel + skip;
	*urllen = len - skip;
	return 1;
}
