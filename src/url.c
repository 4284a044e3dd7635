#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "url.h"

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

int
url_parse(const char *s, size_t len, struct url *u, const char **err)
{
	const char	*p, *end = s + len, *auth, *authend, *q;
	size_t		 i;

	memset(u, 0, sizeof(*u));
	for (i = 0; i < len; i++) {
		if (url_badbyte((unsigned char)s[i])) {
			*err = "forbidden character in URL";
			return -1;
		}
		if (s[i] == '#') {
			*err = "fragment in request";
			return -1;
		}
		if (s[i] == '%' && (i + 2 >= len ||
		    url_hexval(s[i + 1]) == -1 || url_hexval(s[i + 2]) == -1)) {
			*err = "bad percent escape";
			return -1;
		}
	}

	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	if (len == 0 || !isalpha((unsigned char)s[0])) {
		*err = "no scheme";
		return -1;
	}
	for (p = s; p < end && (isalnum((unsigned char)*p) || *p == '+' ||
	    *p == '-' || *p == '.'); p++)
		;
	if (p == end || *p != ':') {
		*err = "no scheme";
		return -1;
	}
	if (url_copy(u->scheme, sizeof(u->scheme), s, (size_t)(p - s)) == -1) {
		*err = "scheme too long";
		return -1;
	}
	for (i = 0; u->scheme[i] != '\0'; i++)
		u->scheme[i] = (char)tolower((unsigned char)u->scheme[i]);
	p++;

	if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
		u->has_authority = 1;
		auth = p + 2;
		for (authend = auth; authend < end && *authend != '/' &&
		    *authend != '?'; authend++)
			;
		if (memchr(auth, '@', (size_t)(authend - auth)) != NULL) {
			*err = "userinfo in URL";
			return -1;
		}
		/* host: reg-name, or an IP literal in brackets */
		if (auth < authend && *auth == '[') {
			q = memchr(auth, ']', (size_t)(authend - auth));
			if (q == NULL) {
				*err = "bad IP literal";
				return -1;
			}
			if (url_copy(u->host, sizeof(u->host), auth + 1,
			    (size_t)(q - auth - 1)) == -1) {
				*err = "host too long";
				return -1;
			}
			q++;
		} else {
			for (q = auth; q < authend && *q != ':'; q++)
				;
			if (url_copy(u->host, sizeof(u->host), auth,
			    (size_t)(q - auth)) == -1) {
				*err = "host too long";
				return -1;
			}
		}
		if (q < authend) {
			if (*q != ':') {
				*err = "bad authority";
				return -1;
			}
			for (q++; q < authend; q++) {
				if (!isdigit((unsigned char)*q) ||
				    (u->port = u->port * 10 + (*q - '0')) >
				    65535) {
					*err = "bad port";
					return -1;
				}
			}
		}
		url_host_canon(u->host);
		p = authend;
	}

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

int
url_path_resolve(const char *s, size_t len, char *out, size_t outlen,
    int *dir, const char **err)
{
	const char	*end = s + len, *seg, *segend;
	size_t		 o = 0, segstart;
	int		 c, hi, lo;

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
		for (; seg < segend; seg++) {
			c = (unsigned char)*seg;
			if (c == '%') {
				if (segend - seg < 3 ||
				    (hi = url_hexval(seg[1])) == -1 ||
				    (lo = url_hexval(seg[2])) == -1) {
					*err = "bad percent escape";
					return -1;
				}
				c = hi << 4 | lo;
				seg += 2;
				if (c == '/' || c < 0x20 || c == 0x7f) {
					*err = "forbidden byte in segment";
					return -1;
				}
			}
			if (o + 1 >= outlen)
				goto toolong;
			out[o++] = (char)c;
		}
		out[o] = '\0';
		/* the segment just written starts after its separator */
		{
			const char *sw = out + segstart + (segstart > 0);

			if (strcmp(sw, ".") == 0 || strcmp(sw, "..") == 0) {
				int up = sw[1] == '.';

				o = segstart;
				if (up) {
					if (o == 0) {
						*err = "path climbs above root";
						return -1;
					}
					while (o > 0 && out[o - 1] != '/')
						o--;
					if (o > 0)
						o--;
				}
				out[o] = '\0';
				/* "/a/." and "/a/.." name directories */
				if (segend == end)
					*dir = 1;
			}
		}
		if (segend == end)
			break;
	}
	return 0;
toolong:
	*err = "path too long";
	return -1;
}

int
url_path_encode(const char *s, char *out, size_t outlen)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 o = 0;
	unsigned char		 c;

	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (isalnum(c) || strchr("/-._~!$&'()*+,;=:@", c) != NULL) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = (char)c;
		} else {
			if (o + 3 >= outlen)
				return -1;
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}
