#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "url.h"

/* Upper case: RFC 3986 2.1 asks producers for it. */
static const char	 url_hex[] = "0123456789ABCDEF";

int
url_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
url_pct_byte(const char *s, size_t len)
{
	int	 hi, lo;

	if (len < 3 || s[0] != '%' || (hi = url_hexval((unsigned char)s[1])) ==
	    -1 || (lo = url_hexval((unsigned char)s[2])) == -1)
		return -1;
	return hi << 4 | lo;
}

/*
 * Copies [s, s+n) into dst, failing on truncation; the parser never
 * shortens anything silently.
 */
static int
url_copy(char *dst, size_t dstlen, const char *s, size_t n)
{
	if (n >= dstlen)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

void
url_host_canon(char *h)
{
	for (; *h != '\0'; h++) {
		*h = (char)tolower((unsigned char)*h);
		if (h[1] == '\0' && *h == '.')
			*h = '\0';
	}
}

/* Bytes a URL may never carry raw, anywhere. */
static int
url_badbyte(unsigned char c)
{
	return c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' ||
	    c == '\\' || c == '^' || c == '`' || c == '{' || c == '|' ||
	    c == '}';
}

/* Rejects the bytes, fragments and bad escapes no request URL may hold. */
static int
url_check_bytes(const char *s, size_t len, const char **err)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (url_badbyte((unsigned char)s[i])) {
			*err = "forbidden character in URL";
			return -1;
		}
		if (s[i] == '#') {
			*err = "fragment in request";
			return -1;
		}
		if (s[i] == '%' && url_pct_byte(s + i, len - i) == -1) {
			*err = "bad percent escape";
			return -1;
		}
	}
	return 0;
}

size_t
url_scheme_len(const char *u, size_t len)
{
	size_t	 i;

	if (len == 0 || !isalpha((unsigned char)u[0]))
		return 0;
	for (i = 1; i < len; i++) {
		if (u[i] == ':')
			return i;
		if (!isalnum((unsigned char)u[i]) && u[i] != '+' &&
		    u[i] != '-' && u[i] != '.')
			return 0;
	}
	return 0;
}

/* The port after "host:", digits only, at most 65535; 0 for none. */
static int
url_port(const char *p, const char *end, unsigned int *port)
{
	for (; p < end; p++) {
		if (!isdigit((unsigned char)*p) ||
		    (*port = *port * 10 + (unsigned int)(*p - '0')) > 65535)
			return -1;
	}
	return 0;
}

int
url_authority(const char *s, size_t len, struct url_authority *a,
    const char **rest, const char **err)
{
	const char	*p, *end;
	size_t		 alen;

	memset(a, 0, sizeof(*a));
	for (alen = 0; alen < len; alen++)
		if (s[alen] == '/' || s[alen] == '?' || s[alen] == '#')
			break;
	end = s + alen;
	*rest = end;
	if ((p = memchr(s, '@', alen)) != NULL) {
		a->userinfo = 1;
		s = p + 1;
	}
	if (s < end && *s == '[') {	/* an IP literal */
		if ((p = memchr(s, ']', (size_t)(end - s))) == NULL) {
			*err = "bad IP literal";
			return -1;
		}
		a->host = s + 1;
		a->hostlen = (size_t)(p - s - 1);
		p++;
		if (p < end && *p != ':') {
			*err = "bad authority";
			return -1;
		}
	} else {
		a->host = s;
		if ((p = memchr(s, ':', (size_t)(end - s))) == NULL)
			p = end;
		a->hostlen = (size_t)(p - s);
	}
	if (p < end && url_port(p + 1, end, &a->port) == -1) {
		*err = "bad port";
		return -1;
	}
	return 0;
}

/* The scheme of s, lower-cased into u; *p is set just after its ':'. */
static int
url_scheme(const char *s, size_t len, struct url *u, const char **p,
    const char **err)
{
	size_t	 n, i;

	if ((n = url_scheme_len(s, len)) == 0) {
		*err = "no scheme";
		return -1;
	}
	if (url_copy(u->scheme, sizeof(u->scheme), s, n) == -1) {
		*err = "scheme too long";
		return -1;
	}
	for (i = 0; u->scheme[i] != '\0'; i++)
		u->scheme[i] = (char)tolower((unsigned char)u->scheme[i]);
	*p = s + n + 1;
	return 0;
}

/* "//host[:port]" at *p, into u; *p is moved past it. */
static int
url_parse_authority(const char **p, const char *end, struct url *u,
    const char **err)
{
	struct url_authority	 a;
	const char		*auth = *p + 2, *q;

	u->has_authority = 1;
	for (q = auth; q < end && *q != '/' && *q != '?'; q++)
		;
	if (memchr(auth, '@', (size_t)(q - auth)) != NULL) {
		*err = "userinfo in URL";
		return -1;
	}
	if (url_authority(auth, (size_t)(end - auth), &a, p, err) == -1)
		return -1;
	if (url_copy(u->host, sizeof(u->host), a.host, a.hostlen) == -1) {
		*err = "host too long";
		return -1;
	}
	u->port = (int)a.port;
	url_host_canon(u->host);
	return 0;
}

int
url_parse(const char *s, size_t len, struct url *u, const char **err)
{
	const char	*p, *end = s + len, *q;

	memset(u, 0, sizeof(*u));
	if (url_check_bytes(s, len, err) == -1 ||
	    url_scheme(s, len, u, &p, err) == -1)
		return -1;
	if (end - p >= 2 && p[0] == '/' && p[1] == '/' &&
	    url_parse_authority(&p, end, u, err) == -1)
		return -1;
	for (q = p; q < end && *q != '?'; q++)
		;
	u->pathoff = (size_t)(p - s);
	if (url_copy(u->path, sizeof(u->path), p, (size_t)(q - p)) == -1) {
		*err = "path too long";
		return -1;
	}
	if (q < end) {
		u->has_query = 1;
		if (url_copy(u->query, sizeof(u->query), q + 1,
		    (size_t)(end - q - 1)) == -1) {
			*err = "query too long";
			return -1;
		}
	}
	return 0;
}

/*
 * One segment [seg, segend) decoded onto out at *o.  A decoded '/' or
 * control byte would change which file is meant: refused.
 */
static int
url_segment(const char *seg, const char *segend, char *out, size_t outlen,
    size_t *o, const char **err)
{
	int	 c;

	for (; seg < segend; seg++) {
		c = (unsigned char)*seg;
		if (c == '%') {
			if ((c = url_pct_byte(seg, (size_t)(segend - seg))) ==
			    -1) {
				*err = "bad percent escape";
				return -1;
			}
			seg += 2;
			if (c == '/' || c < 0x20 || c == 0x7f) {
				*err = "forbidden byte in segment";
				return -1;
			}
		}
		if (*o + 1 >= outlen) {
			*err = "path too long";
			return -1;
		}
		out[(*o)++] = (char)c;
	}
	out[*o] = '\0';
	return 0;
}

/*
 * The segment just written at out + segstart (after its separator): a
 * "." is dropped, a ".." takes the one before it along; above the root
 * it fails.  Returns 1 for a dot segment, 0 for another, -1.
 */
static int
url_dot_segment(char *out, size_t segstart, size_t *o, const char **err)
{
	const char	*sw = out + segstart + (segstart > 0);

	if (strcmp(sw, ".") != 0 && strcmp(sw, "..") != 0)
		return 0;
	*o = segstart;
	if (sw[1] == '.') {
		if (*o == 0) {
			*err = "path climbs above root";
			return -1;
		}
		while (*o > 0 && out[*o - 1] != '/')
			(*o)--;
		if (*o > 0)
			(*o)--;
	}
	out[*o] = '\0';
	return 1;
}

int
url_path_resolve(const char *s, size_t len, char *out, size_t outlen,
    int *dir, const char **err)
{
	const char	*end = s + len, *seg, *segend;
	size_t		 o = 0, segstart;
	int		 dot;

	*dir = 0;
	if (outlen == 0)
		goto toolong;
	out[0] = '\0';
	if (len == 0)
		return 0;
	if (*s != '/') {
		*err = "path is not absolute";
		return -1;
	}
	for (seg = s + 1; seg <= end; seg = segend + 1) {
		for (segend = seg; segend < end && *segend != '/'; segend++)
			;
		if (segend == seg) {
			if (segend == end) {	/* trailing slash */
				*dir = 1;
				break;
			}
			*err = "empty path segment";
			return -1;
		}
		segstart = o;
		if (o > 0) {
			if (o + 1 >= outlen)
				goto toolong;
			out[o++] = '/';
		}
		if (url_segment(seg, segend, out, outlen, &o, err) == -1 ||
		    (dot = url_dot_segment(out, segstart, &o, err)) == -1)
			return -1;
		/* "/a/." and "/a/.." name directories */
		if (dot && segend == end)
			*dir = 1;
		if (segend == end)
			break;
	}
	return 0;
toolong:
	*err = "path too long";
	return -1;
}

/* Bytes a path keeps as they are (RFC 3986 pchar and '/'). */
static int
url_path_char(unsigned char c)
{
	return isalnum(c) || (c != '\0' && strchr("/-._~!$&'()*+,;=:@", c) !=
	    NULL);
}

/* Bytes that cannot stand in a URI as they are, whatever its part. */
static int
url_unsafe_char(unsigned char c)
{
	return c <= 0x20 || c >= 0x7F || (c != '\0' && strchr("\"<>\\^`{|}",
	    c) != NULL);
}

int
url_path_encode(const char *s, char *out, size_t outlen)
{
	size_t			 o = 0;
	unsigned char		 c;

	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (url_path_char(c)) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = (char)c;
		} else {
			if (o + 3 >= outlen)
				return -1;
			out[o++] = '%';
			out[o++] = url_hex[c >> 4];
			out[o++] = url_hex[c & 15];
		}
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

void
url_encode(struct buf *b, const char *s, size_t len, enum url_enc how)
{
	unsigned char	 c;
	size_t		 i;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (how == URL_ENC_PATH ? url_path_char(c) :
		    !url_unsafe_char(c))
			buf_putc(b, c);
		else
			buf_printf(b, "%%%c%c", url_hex[c >> 4], url_hex[c & 15]);
	}
}

int
url_decode(struct buf *b, const char *s, size_t len, int noslash)
{
	size_t	 i;
	int	 c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if ((c = url_pct_byte(s + i, len - i)) == -1)
				return -1;
			i += 2;
			if (noslash && c == '/')
				return -1;
		}
		if (c < 0x20 || c == 0x7F)
			return -1;
		buf_putc(b, c);
	}
	return 0;
}

/* Where a ".." leaves the output of url_dedot: the segment before, gone. */
static size_t
url_up(const char *s, size_t w)
{
	while (w > 0 && s[w - 1] != '/')
		w--;
	return w > 0 ? w - 1 : 0;
}

void
url_dedot(struct buf *b)
{
	char	*s = b->data;
	size_t	 n = b->len, r = 0, w = 0;

	if (s == NULL)
		return;
	while (r < n) {
		if (n - r >= 3 && memcmp(s + r, "/./", 3) == 0)
			r += 2;
		else if (n - r == 2 && memcmp(s + r, "/.", 2) == 0) {
			s[w++] = '/';
			r = n;
		} else if (n - r >= 4 && memcmp(s + r, "/../", 4) == 0) {
			r += 3;
			w = url_up(s, w);
		} else if (n - r == 3 && memcmp(s + r, "/..", 3) == 0) {
			w = url_up(s, w);
			s[w++] = '/';
			r = n;
		} else {
			do
				s[w++] = s[r++];
			while (r < n && s[r] != '/');
		}
	}
	b->len = w;
	s[w] = '\0';
}
